/**
 * Values the bridge emits and reports (the BRIDGE CONTRACT's types that are not classes),
 * kept apart so that the burst loop and the bridge share them without importing each other.
 * The port info, the packet-in and the logger are defined below the datapath, where the
 * OpenFlow agent reads them too (ports/port.ts, pipeline/types.ts, pipeline/logger.ts).
 */
import type { DropReason } from './drops.js';
export type { BridgePortInfo } from '../ports/port.js';
export type { BridgePacketIn } from '../pipeline/types.js';
export type { Logger } from '../pipeline/logger.js';

/** Datapath counters beyond the ports' own (for `sluice show` and tests). */
export interface DatapathCounters {
  /** frames the parser gave up on part way: still forwarded by rules that do not need the
   * missing fields, as Open vSwitch does */
  malformed: number;
  /** frames dropped, by reason (drops.ts) */
  drops: Record<DropReason, number>;
}
