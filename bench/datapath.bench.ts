/**
 * Datapath benchmark (DESIGN.md: every optimisation has a benchmark): packets per second
 * through the burst loop (parse → flow cache → run → tx staging → txBurst) with memory
 * ports, flow cache on vs off, for 1 flow and for 10,000 flows (distinct UDP source
 * ports over 64 rules in 3 match shapes), reported as ratio lines. Also the frame copy
 * used for tx staging and copy-on-write: copyBytes (allocation-free, 32-bit words when
 * aligned) vs TypedArray.set(subarray) (memcpy, one view object per call), at 12, 64 and
 * 1,500 bytes: the numbers behind the choice documented in src/datapath/tx-queue.ts.
 *
 * Zero copy (src/datapath/tx-queue.ts pushRef): unmodified frames are queued by reference
 * into the input port's receive memory instead of being copied into the staging queue;
 * the "zero-copy" lines compare the two (Bridge option zeroCopy) at 64 B, 1,500 B and
 * 64 KiB (a GSO super-frame), one flow, cache on.
 *
 * The numbers include MemoryPort.inject (one copy per frame into the receive ring), which
 * both sides pay equally; the output port has no peer, so transmit only counts.
 *
 * Run: node --import tsx -e "import('./bench/datapath.bench.ts')
 *        .then((m) => m.benchDatapath()).then((l) => console.log(l.join('\n')))"
 */
import { Bridge } from '../src/datapath/bridge.js';
import { copyBytes, copyBytesSet } from '../src/ports/copy-bytes.js';
import { oxmFieldByName } from '../src/packet/oxm.js';
import { flowMod, type OxmField } from '../src/pipeline/types.js';
import { MemoryPort } from '../src/ports/memory.js';

const BURST = 64;
const RUN_MS = 600;

function field(name: string, value: number): OxmField {
  const info = oxmFieldByName(name)!;
  const v = new Uint8Array(info.bytes);
  for (let i = info.bytes - 1, x = value; i >= 0; i--, x = Math.floor(x / 256)) v[i] = x & 0xff;
  return { field: info.id, value: v };
}

export function udpFrame(sport: number, dport: number, len = 64): Uint8Array {
  const f = new Uint8Array(len);
  f.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 50, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  f[34] = sport >> 8; f[35] = sport & 0xff; f[36] = dport >> 8; f[37] = dport & 0xff; f[38] = 0; f[39] = 30;
  return f;
}

/** The rules of the datapath benchmarks: 64 udp_dst rules, 64 ipv4_dst rules (3 match
 * shapes with in_port below), everything to port 2 (bench/workers/scale.ts uses them too). */
export function installBenchRules(bridge: Pick<Bridge, 'flowMod'>): void {
  const out = { type: 'apply_actions' as const, actions: [{ type: 'output' as const, port: 2, maxLen: 0 }] };
  const ip = [field('eth_type', 0x0800), field('ip_proto', 17)];
  for (let i = 0; i < 64; i++) {
    bridge.flowMod(flowMod({ priority: 100, match: [...ip, field('udp_dst', 5000 + i)], instructions: [out] }));
    bridge.flowMod(flowMod({ priority: 90, match: [...ip, field('ipv4_dst', 0x0b000000 + i)], instructions: [out] }));
  }
  bridge.flowMod(flowMod({ priority: 10, match: [field('in_port', 1)], instructions: [out] }));
}

function makeBridge(flowCache: boolean, zeroCopy = true, frameSize = 2048): { bridge: Bridge; inPort: MemoryPort } {
  const inPort = new MemoryPort('in', { slots: 4 * BURST, frameSize });
  const outPort = new MemoryPort('out', { slots: 4 * BURST });
  const bridge = new Bridge({
    name: 'bench', failMode: 'secure', localPort: false, flowCache, zeroCopy, burst: BURST,
    ports: [{ spec: 'memory:in', port: inPort }, { spec: 'memory:out', port: outPort }],
  });
  installBenchRules(bridge);
  bridge.start();
  return { bridge, inPort };
}

/** Packets per second through the burst loop for `flows` distinct flows. */
function run(flows: number, flowCache: boolean, zeroCopy = true, len = 64): number {
  const { bridge, inPort } = makeBridge(flowCache, zeroCopy, Math.max(2048, len));
  const frames = Array.from({ length: flows }, (_, i) => udpFrame(1024 + (i % 60000), 5000 + (i % 64), len));
  let sent = 0;
  let next = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) {
    for (let r = 0; r < 16; r++) {
      for (let i = 0; i < BURST; i++) {
        inPort.inject(frames[next]!);
        next = next + 1 === flows ? 0 : next + 1;
      }
      bridge.poll();
      sent += BURST;
    }
    t = performance.now();
  }
  bridge.stop();
  return (sent * 1000) / (t - t0);
}

type Copy = (dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number) => void;

function copyRate(len: number, copy: Copy): number {
  const src = new Uint8Array(2048);
  const dst = new Uint8Array(2048);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < 200) {
    // same alignment on both sides, as TxQueue arranges
    for (let i = 0; i < 10_000; i++) copy(dst, 14 + ((i & 3) << 2), src, 10 + ((i & 7) << 2), len);
    n += 10_000;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;

// eslint-disable-next-line sluice/no-unused-exports -- the command line above imports it
export async function benchDatapath(): Promise<string[]> {
  const lines: string[] = [];
  for (const flows of [1, 10_000]) {
    const on = run(flows, true);
    const off = run(flows, false);
    lines.push(`datapath ${flows} flow(s): cache on ${fmt(on)} pkt, cache off ${fmt(off)} pkt, on/off ratio ${(on / off).toFixed(2)}x`);
  }
  for (const len of [64, 1500, 65_535]) {
    const zc = run(1, true, true, len);
    const cp = run(1, true, false, len);
    lines.push(`zero-copy ${len} B: by reference ${fmt(zc)} pkt, copied ${fmt(cp)} pkt, ref/copy ratio ${(zc / cp).toFixed(2)}x`);
  }
  for (const len of [12, 64, 1500]) {
    const own = copyRate(len, copyBytes);
    const set = copyRate(len, copyBytesSet);
    lines.push(`copy ${len} B: copyBytes ${fmt(own)}, set(subarray) ${fmt(set)}, copyBytes/set ratio ${(own / set).toFixed(2)}x`);
  }
  return lines;
}
