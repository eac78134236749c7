/**
 * Values the bridge emits and reports (the BRIDGE CONTRACT's types that are not classes),
 * kept apart so that the burst loop and the bridge share them without importing each other.
 */
import type { PortStats } from '../ports/port.js';
import type { TunnelConfig } from '../ports/tunnel-spec.js';

export interface BridgePortInfo {
  ofport: number;
  name: string;
  kind: string;
  hwAddr: Uint8Array /* 6 */;
  linkUp: boolean;
  config: number /* OFPPC_* bits */;
  state: number /* OFPPS_* bits */;
  currSpeedKbps: number;
  stats: PortStats;
  /** when the port was added, on the bridge's clock (ms): port stats' duration counts from it */
  addedMs: number;
  /** a tunnel port's configuration (remote, key, outer header options) */
  tunnel?: TunnelConfig;
}

export interface PacketIn {
  reason: number;
  tableId: number;
  cookie: bigint;
  inPort: number;
  metadata: bigint;
  tunnelId: bigint;
  /** the outer addresses (host-order IPv4) of a packet from a tunnel port, as rewritten by the pipeline; 0 = none */
  tunSrc: number;
  tunDst: number;
  totalLen: number;
  /** the op's max_len; OFPCML_NO_BUFFER = whole packet */
  maxLen: number;
  /** a COPY of the frame (the agent truncates/buffers it) */
  data: Uint8Array;
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
}

/** Datapath counters beyond the ports' own (for `sluice show` and tests). */
export interface DatapathCounters {
  /** frames shorter than an Ethernet header: dropped */
  runts: number;
  /** frames the parser gave up on part way: still forwarded by rules that do not need the
   * missing fields, as Open vSwitch does */
  malformed: number;
  /** frames dropped because their ingress port has OFPPC_NO_RECV or OFPPC_PORT_DOWN */
  dropped: number;
}
