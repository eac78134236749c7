/**
 * The bridge's configuration as the daemon and the config store give it (BRIDGE CONTRACT:
 * names fixed, additions marked). Plain data: validated by Bridge (Bridge.create and addPort
 * return a SluiceError naming the bad port; the constructor throws it).
 */
import type { Port } from '../ports/port.js';

export interface BridgePortConfig {
  /** as createPort() in src/ports/spec.ts */
  spec: string;
  /** like OVS ofport_request */
  ofport?: number;
  vlanMode?: 'access' | 'trunk';
  /** access VLAN */
  tag?: number;
  /** allowed VLANs on a trunk; empty/undefined = all */
  trunks?: number[];
  /** Addition: an already-made port object (tests, benchmarks); `spec` then only names it. */
  port?: Port;
}

export interface BridgeConfig {
  name: string;
  /** default: derived from the LOCAL port's MAC like OVS */
  dpid?: bigint;
  failMode: 'standalone' | 'secure';
  ports: BridgePortConfig[];
  /** default true: an internal TAP named after the bridge = OFPP_LOCAL */
  localPort?: boolean;
  /** default true; false = every packet through the pipeline (for the equivalence test) */
  flowCache?: boolean;
  /** Addition. Default true: unmodified frames are sent straight from the receive memory;
   * false = every frame copied into the staging queue (equivalence test, benchmark). */
  zeroCopy?: boolean;
  cacheEntries?: number;
  /** 32..256, default 64 */
  burst?: number;
  macAgingMs?: number;
  /** Addition. Learned addresses NORMAL keeps (default 8192, mac-learning.ts). */
  macTableSize?: number;
  /** Addition. Default true: the first bridge started in a process first runs the fast
   * path's JIT warm-up (warmup.ts), so the first real packets are not interpreted. */
  warmUp?: boolean;
  /** Addition. Busy-poll window after traffic, µs (busy-poll.ts; default 200, 0 = off). */
  busyPollUs?: number;
  nTables?: number;
  maxRulesPerTable?: number;
  /** Addition. Datapath worker threads (workers/threaded-bridge.ts; default 1: this thread). */
  workers?: number;
  /** Addition. TAPs, LOCAL's included, open as one queue of a multi-queue device (each
   * datapath worker's replica opens its own queue, workers/replica.ts). */
  tapQueues?: boolean;
}

/** What is wrong with a port's VLAN settings (an access tag, trunk VLANs), or null. */
export function checkPortVlans(cfg: BridgePortConfig): string | null {
  const vid = (v: number | undefined) => Number.isInteger(v) && v! >= 0 && v! <= 4095;
  if (cfg.vlanMode === 'access' && !vid(cfg.tag)) return 'an access port needs a tag 0..4095';
  if (cfg.trunks?.some((v) => !vid(v))) return 'trunk VLANs are 0..4095';
  return null;
}
