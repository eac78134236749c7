// bench/latency/cold-frame.ts — `npm run bench:cold-frame`: how long one frame takes through a
// bridge, in one process with memory ports (no kernel, no wake-up), when frames come 1 ms
// apart and when they come 50 ms apart. The difference is the cost of running cold code
// after an idle gap (bench/README.md "Latency"), with the I/O taken out of the picture.
//
// Each sample: inject a frame on port 1 (the reply's direction, port 2, right after), then
// time bridge.poll() — parse, flow-cache hit, NORMAL, staging, the send to the peer queue —
// for that one frame. Median and spread of SAMPLES samples per gap, after a warm-up.
import { Bridge } from '../../src/datapath/bridge.js';
import { MemoryPort } from '../../src/ports/memory.js';

const SAMPLES = Number(process.env.SAMPLES ?? 40);
const GAPS_MS = (process.env.GAPS_MS ?? '1 50').split(/\s+/).map(Number);

const [a, ha] = MemoryPort.pair('a', 'ha');
const [b, hb] = MemoryPort.pair('b', 'hb');
const bridge = new Bridge({
  name: 'cold0', failMode: 'standalone', localPort: false, busyPollUs: 0,
  ports: [{ spec: 'a', port: a, ofport: 1 }, { spec: 'b', port: b, ofport: 2 }],
});
bridge.start();
ha.open();
hb.open();
// An ICMP echo request A → B and its reply (IPv4, 28 bytes of IP).
const ip = (src: number, dst: number, type: number) => [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, src, 10, 0, 0, dst, type, 0, 0, 0, 0, 1, 0, 1];
const request = Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, ...ip(1, 2, 8)]);
const reply = Uint8Array.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, ...ip(2, 1, 0)]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** µs to forward the one frame just injected. */
function timed(port: MemoryPort, frame: Uint8Array): number {
  port.inject(frame);
  const t0 = performance.now();
  bridge.poll();
  const us = (performance.now() - t0) * 1000;
  while (ha.rxBurst() > 0 || hb.rxBurst() > 0) { /* the hosts take what arrived */ }
  return us;
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const span = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

for (let i = 0; i < 2000; i++) { timed(a, request); timed(b, reply); } // learning, cache, JIT
console.log(`cold-frame: ${SAMPLES} samples per gap, one frame through a bridge of memory ports (standalone, cache hit)`);
console.log('| gap between exchanges | first frame µs, median (min–max) | the answer right after, µs |');
console.log('|---|---|---|');
for (const gap of GAPS_MS) {
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await sleep(gap);
    first.push(timed(a, request));
    second.push(timed(b, reply));
  }
  console.log(`| ${gap} ms | ${median(first).toFixed(1)} (${span(first)}) | ${median(second).toFixed(1)} (${span(second)}) |`);
}
bridge.stop();
