/**
 * JIT warm-up of the fast path, once per process, when the first bridge starts.
 *
 * Why: V8 compiles a function to optimised machine code only after it has run many times.
 * On a freshly started switch the first few thousand packets (a ping, the first packets of
 * a connection) run through the interpreter: the parser, the flow cache, NORMAL and the
 * output staging each cost several times their optimised price, which showed as ~0.1 ms
 * of extra round-trip time for the first hundred pings (/tmp experiment, bench/README.md
 * "ping"). The warm-up runs WARMUP_PACKETS frames of common kinds (ARP, ICMP, UDP, TCP,
 * IPv6, VLAN-tagged) through a private bridge with memory ports, so the code real ports
 * run is already optimised when the first real frame arrives.
 *
 * Invariants
 *  - It touches nothing of the real bridges: its own Bridge, ports, pipeline, MAC table and
 *    flow cache, all dropped afterwards. Counters of real ports are unaffected.
 *  - It runs at most once per process and takes tens of milliseconds; a failure in it is
 *    ignored (it is an optimisation, never a reason not to start).
 *  - The Bridge class is passed in by the Bridge that starts first (warmUpOnce(Bridge)):
 *    this file knows a bridge only by the little it uses of one (WarmBridge), so it does
 *    not import bridge.ts, which imports it.
 */
import { MemoryPort } from '../ports/memory.js';
import type { BridgeConfig } from './config.js';
import type { BridgePortInfo } from './events.js';

const WARMUP_PACKETS = 20_000;
let done = false;

/** What the warm-up uses of a Bridge (src/datapath/bridge.ts). */
interface WarmBridge {
  start(): void;
  poll(): number;
  stop(): void;
  ports(): BridgePortInfo[];
}
type BridgeCtor = new (cfg: BridgeConfig) => WarmBridge;

function frame(kind: number, i: number): Uint8Array {
  const f = new Uint8Array(kind === 4 ? 118 : 98);
  const dst = i & 1 ? [2, 0x57, 0, 0, 0, 2] : [2, 0x57, 0, 0, 0, 1];
  const src = i & 1 ? [2, 0x57, 0, 0, 0, 1] : [2, 0x57, 0, 0, 0, 2];
  f.set(dst, 0);
  f.set(src, 6);
  let o = 12;
  if (kind === 5) {
    f.set([0x81, 0x00, 0x00, 0x0a], 12); // VLAN 10
    o = 16;
    kind = 2;
  }
  switch (kind) {
    case 0: // ARP request
      f.set([0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, ...src, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2], o);
      break;
    case 4: // IPv6 UDP
      f.set([0x86, 0xdd, 0x60, 0, 0, 0, 0, 16, 17, 64], o);
      f[o + 17] = 1;
      f[o + 33] = 2;
      f.set([(i >> 8) & 0xff, i & 0xff, 0, 53, 0, 16], o + 42);
      break;
    default: { // IPv4: 1 ICMP echo, 2 UDP, 3 TCP
      const proto = kind === 1 ? 1 : kind === 2 ? 17 : 6;
      f.set([0x08, 0x00, 0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], o);
      f.set(kind === 1 ? [8, 0, 0, 0, 0, 1, 0, i & 0xff] : [(i >> 8) & 0xff, i & 0xff, 0, 80], o + 22);
      if (kind === 3) f[o + 22 + 13] = 0x10; // ACK
    }
  }
  return f;
}

/** Frames the warm-up bridge received and forwarded, 0 before it ran (tests). */
export let warmUpForwarded = 0;

/** Runs the warm-up unless it already ran (or is running) in this process. */
export function warmUpOnce(BridgeClass: BridgeCtor): void {
  if (done) return;
  done = true;
  try {
    const a = new MemoryPort('warm-a', { slots: 256 });
    const b = new MemoryPort('warm-b', { slots: 256 });
    const c = new MemoryPort('warm-c', { slots: 256 });
    // Unconnected ports: transmit counts and drops.
    const br = new BridgeClass({
      name: 'warmup', failMode: 'standalone', localPort: false, ports: [
        { spec: 'memory:warm-a', port: a }, { spec: 'memory:warm-b', port: b },
        { spec: 'memory:warm-c', port: c, vlanMode: 'trunk', trunks: [0, 10] },
      ],
    });
    br.start();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 64; i++) frames.push(frame(i % 6, i));
    for (let n = 0; n < WARMUP_PACKETS; n += 32) {
      for (let i = 0; i < 32; i++) (i & 1 ? b : a).inject(frames[(n + i) & 63]!);
      br.poll();
    }
    warmUpForwarded = br.ports().reduce((n, p) => n + p.stats.rxPackets, 0);
    br.stop();
  } catch {
    // an optimisation only
  }
}
