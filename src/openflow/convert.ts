/**
 * Switch state → message values: ports (ofp_port, ofp_port_stats), rules (ofp_flow_stats,
 * ofp_flow_removed), groups and meters (their stats and descriptions). Pure functions of
 * the state and a clock reading; nothing here sends or mutates.
 *
 * Invariants: counters are copied as they are at the call (exact, §5.8); durations are
 * "time since installed" split into sec + nsec (§7.3.5.2); 64-bit values are bigint.
 */
import type { Group } from '../pipeline/groups.js';
import type { Meter } from '../pipeline/meters.js';
import { ruleDuration, type Rule } from '../pipeline/rule.js';
import type { BridgePortInfo } from './bridge-surface.js';
import {
  OFPPF_100GB_FD, OFPPF_100MB_FD, OFPPF_10GB_FD, OFPPF_10MB_FD, OFPPF_1GB_FD, OFPPF_1TB_FD, OFPPF_40GB_FD,
  OFPPF_COPPER, OFPPF_OTHER,
} from './constants.js';
import type { FlowRemoved } from './message-types.js';
import type { FlowStats, GroupDesc, GroupStats, MeterConfig, MeterStats, PortDesc, PortStats } from './multipart-types.js';

/** The ofp_port_features bit for a speed (kbps), 0 when unknown. */
function speedFeature(kbps: number): number {
  if (kbps <= 0) return 0;
  const table: [number, number][] = [
    [10_000, OFPPF_10MB_FD], [100_000, OFPPF_100MB_FD], [1_000_000, OFPPF_1GB_FD],
    [10_000_000, OFPPF_10GB_FD], [40_000_000, OFPPF_40GB_FD], [100_000_000, OFPPF_100GB_FD],
    [1_000_000_000, OFPPF_1TB_FD],
  ];
  for (const [k, bit] of table) if (kbps === k) return bit | OFPPF_COPPER;
  return OFPPF_OTHER | OFPPF_COPPER;
}

/** ofp_port names are 16 bytes with a NUL: at most 15 bytes of UTF-8. */
function portName(name: string): string {
  let out = name;
  while (new TextEncoder().encode(out).length > 15) out = out.slice(0, -1);
  return out;
}

export function portDesc(p: BridgePortInfo): PortDesc {
  const curr = speedFeature(p.currSpeedKbps);
  return {
    portNo: p.ofport, hwAddr: p.hwAddr, name: portName(p.name), config: p.config, state: p.state,
    curr, advertised: 0, supported: curr, peer: 0, currSpeed: p.currSpeedKbps, maxSpeed: p.currSpeedKbps,
  };
}

const big = (n: number): bigint => BigInt(Math.max(0, Math.floor(n)));

function split(ms: number): { sec: number; nsec: number } {
  const m = Math.max(0, ms);
  const sec = Math.floor(m / 1000);
  return { sec, nsec: Math.floor((m - sec * 1000) * 1e6) };
}

/** Port counters; `sinceMs` = how long the port has been attached. Counters a port does not
 * keep are all-ones, as §7.3.5.6 asks ("set to all ones if unavailable"). */
export function portStats(p: BridgePortInfo, sinceMs: number): PortStats {
  const s = p.stats;
  const na = 0xffffffffffffffffn;
  const d = split(sinceMs);
  return {
    portNo: p.ofport,
    rxPackets: big(s.rxPackets), txPackets: big(s.txPackets), rxBytes: big(s.rxBytes), txBytes: big(s.txBytes),
    rxDropped: big(s.rxDropped), txDropped: big(s.txDropped), rxErrors: na, txErrors: big(s.txErrors),
    rxFrameErr: na, rxOverErr: na, rxCrcErr: na, collisions: na,
    durationSec: d.sec, durationNsec: d.nsec,
  };
}

export function flowStats(r: Rule, nowMs: number): FlowStats {
  const d = ruleDuration(r, nowMs);
  return {
    tableId: r.tableId, durationSec: d.sec, durationNsec: d.nsec, priority: r.priority,
    idleTimeout: r.idleTimeout, hardTimeout: r.hardTimeout, flags: r.flags, cookie: r.cookie,
    packetCount: big(r.packetCount), byteCount: big(r.byteCount), match: r.match, instructions: r.instructions,
    idleSec: Math.max(0, Math.floor((nowMs - r.lastUsedAt) / 1000)),
    ...(r.importance !== 0 ? { importance: r.importance } : {}),
  };
}

export function flowRemoved(r: Rule, reason: number, nowMs: number, xid: number): FlowRemoved {
  const d = ruleDuration(r, nowMs);
  return {
    type: 'flow_removed', xid, cookie: r.cookie, priority: r.priority, reason, tableId: r.tableId,
    durationSec: d.sec, durationNsec: d.nsec, idleTimeout: r.idleTimeout, hardTimeout: r.hardTimeout,
    packetCount: big(r.packetCount), byteCount: big(r.byteCount), match: r.match,
  };
}

export function groupStats(g: Group, nowMs: number): GroupStats {
  const d = split(g.durationMs(nowMs));
  return {
    groupId: g.groupId, refCount: g.refCount, packetCount: big(g.packetCount), byteCount: big(g.byteCount),
    durationSec: d.sec, durationNsec: d.nsec,
    buckets: g.buckets.map((b) => ({ packetCount: big(b.packetCount), byteCount: big(b.byteCount) })),
  };
}

export function groupDesc(g: Group): GroupDesc {
  return {
    groupType: g.type, groupId: g.groupId,
    buckets: g.buckets.map((b) => ({ bucketId: b.bucketId, weight: b.weight, watchPort: b.watchPort, watchGroup: b.watchGroup, actions: b.actions })),
  };
}

export function meterStats(m: Meter, nowMs: number): MeterStats {
  const d = split(m.durationMs(nowMs));
  return {
    meterId: m.meterId, flowCount: m.flowCount, packetInCount: big(m.packetInCount), byteInCount: big(m.byteInCount),
    durationSec: d.sec, durationNsec: d.nsec,
    bands: m.bands.map((b) => ({ packetBandCount: big(b.packetCount), byteBandCount: big(b.byteCount) })),
  };
}

export function meterConfig(m: Meter): MeterConfig {
  return { flags: m.flags, meterId: m.meterId, bands: m.bands.map((b) => b.band) };
}
