/**
 * Which bucket(s) of a group a packet takes (OF1.3.5 §5.6.1).
 *
 *  - all:        every bucket, each on its own copy of the packet.
 *  - indirect:   the one bucket.
 *  - select:     one bucket chosen by a hash of the flow's L2–L4 fields, weighted by the
 *                buckets' weights. The hash covers only header fields (eth src/dst,
 *                eth type, VLAN, IP src/dst, IP proto, L4 ports), never in_port or
 *                metadata, so one flow always lands on one bucket and a decision that chose
 *                a bucket can be cached. Weight-0 buckets are never chosen.
 *  - fast-failover: the first live bucket. A bucket is live when its watched port is live
 *                and its watched group is live (when it watches one); a group is live when
 *                any of its buckets is live.
 *
 * Invariants: pure functions of (group, key, liveness); no allocation per call.
 */
import {
  fmix32,
  W_ETH_DST_HI, W_ETH_MIX, W_ETH_SRC_LO, W_ETH_TYPE_VLAN, W_IP, W_IPV6_DST, W_IPV6_SRC, W_L4,
  W_NW_DST, W_NW_SRC,
} from '../packet/flow-key.js';
import type { Group, GroupBucket, GroupTable } from './groups.js';
import { OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT, OFPG_ANY, OFPP_ANY } from './types.js';

/** Key words that identify a flow for select groups; W_IP is masked to ip_proto. */
const HASH_WORDS = [
  W_ETH_DST_HI, W_ETH_MIX, W_ETH_SRC_LO, W_ETH_TYPE_VLAN, W_NW_SRC, W_NW_DST, W_L4,
  W_IPV6_SRC, W_IPV6_SRC + 1, W_IPV6_SRC + 2, W_IPV6_SRC + 3,
  W_IPV6_DST, W_IPV6_DST + 1, W_IPV6_DST + 2, W_IPV6_DST + 3,
] as const;

const mix = (h: number, w: number): number => Math.imul(h ^ w, 0x01000193);

/** 32-bit flow hash for select groups, seeded with the group id so that chained select
 * groups choose independently. */
function selectHash(words: Uint32Array, groupId: number): number {
  let h = mix(0x811c9dc5, groupId);
  for (const i of HASH_WORDS) h = mix(h, words[i]!);
  h = mix(h, (words[W_IP]! >>> 16) & 0xff);
  return fmix32(h) >>> 0;
}

export function selectBucket(group: Group, words: Uint32Array): GroupBucket | null {
  let total = 0;
  for (const b of group.buckets) total += b.weight;
  if (total === 0) return null;
  let point = selectHash(words, group.groupId) % total;
  for (const b of group.buckets) {
    if (point < b.weight) return b;
    point -= b.weight;
  }
  return null; // unreachable: point < total
}

export type PortLive = (port: number) => boolean;

function bucketLive(b: GroupBucket, groups: GroupTable, portLive: PortLive, depth = 0): boolean {
  if (b.watchPort !== OFPP_ANY && !portLive(b.watchPort)) return false;
  if (b.watchGroup !== OFPG_ANY) {
    const g = groups.get(b.watchGroup);
    if (!g || !groupLive(g, groups, portLive, depth + 1)) return false;
  }
  return true;
}

export function groupLive(g: Group, groups: GroupTable, portLive: PortLive, depth = 0): boolean {
  // The group graph is acyclic (groups.ts), but watch_group edges are not part of it:
  // bound the walk so a watch cycle reads as "not live" instead of recursing forever.
  if (depth > 32) return false;
  for (const b of g.buckets) if (bucketLive(b, groups, portLive, depth)) return true;
  return false;
}

/** The single bucket a non-ALL group takes, or null (no bucket: the packet is dropped
 * by this group). For ALL groups use `group.buckets`. */
export function chooseBucket(
  g: Group, words: Uint32Array, groups: GroupTable, portLive: PortLive,
): GroupBucket | null {
  switch (g.type) {
    case OFPGT_INDIRECT:
      return g.buckets[0] ?? null;
    case OFPGT_SELECT:
      return selectBucket(g, words);
    case OFPGT_FF:
      for (const b of g.buckets) if (bucketLive(b, groups, portLive)) return b;
      return null;
    case OFPGT_ALL:
    default:
      return null;
  }
}
