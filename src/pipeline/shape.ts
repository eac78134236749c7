/**
 * PacketShape — what a rule's match guarantees about the packet, tracked through an action
 * list, so that actions whose prerequisites are not guaranteed are refused with
 * OFPBAC_MATCH_INCONSISTENT (OF1.3.5 §7.2.5; §6.4: "actions ... inconsistent with the
 * match"). This is what Open vSwitch does in ofpacts_check: it starts from the flow's match
 * and lets push/pop actions change what is known (push_vlan makes a VLAN present, pop_mpls
 * with ethertype 0x0800 makes the packet IPv4, ...).
 *
 * Invariants
 *  - A value of -1 means "not known"; a prerequisite on an unknown value fails.
 *  - `lenient` shapes (group buckets, which have no match of their own) accept every
 *    prerequisite: the datapath then skips an action that does not apply to a frame.
 *  - Control path only: shapes are small plain objects, copied with `cloneShape`.
 */
import { OFPVID_PRESENT } from '../packet/flow-key.js';
import {
  OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_ICMPV6_TYPE, OFPXMT_OFB_IP_PROTO, OFPXMT_OFB_VLAN_VID, OXM_FIELDS,
  type OxmFieldInfo,
} from '../packet/oxm.js';
import type { Match } from './types.js';
import { ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST } from '../packet/ethertype.js';

export interface PacketShape {
  ethType: number;
  ipProto: number;
  icmpv6Type: number;
  /** A VLAN tag is known to be present. */
  vlan: boolean;
  readonly lenient: boolean;
}


const beValue = (b: Uint8Array): number => {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
};

/** The shape a match guarantees. Only exact values count (eth_type, ip_proto and
 * icmpv6_type are not maskable in OF1.3; vlan_vid counts when mask and value both carry
 * OFPVID_PRESENT). */
export function shapeFromMatch(match: Match): PacketShape {
  const s: PacketShape = { ethType: -1, ipProto: -1, icmpv6Type: -1, vlan: false, lenient: false };
  for (const f of match) {
    if (f.field === OFPXMT_OFB_ETH_TYPE) s.ethType = beValue(f.value);
    else if (f.field === OFPXMT_OFB_IP_PROTO) s.ipProto = beValue(f.value);
    else if (f.field === OFPXMT_OFB_ICMPV6_TYPE) s.icmpv6Type = beValue(f.value);
    else if (f.field === OFPXMT_OFB_VLAN_VID) {
      const mask = f.mask ? beValue(f.mask) : 0x1fff;
      s.vlan = (beValue(f.value) & mask & OFPVID_PRESENT) !== 0;
    }
  }
  return s;
}

export function lenientShape(): PacketShape {
  return { ethType: -1, ipProto: -1, icmpv6Type: -1, vlan: false, lenient: true };
}

export function cloneShape(s: PacketShape): PacketShape {
  return { ...s };
}

export const isIp = (s: PacketShape): boolean =>
  s.lenient || s.ethType === ETH_TYPE_IPV4 || s.ethType === ETH_TYPE_IPV6;
export const isMpls = (s: PacketShape): boolean =>
  s.lenient || s.ethType === ETH_TYPE_MPLS || s.ethType === ETH_TYPE_MPLS_MCAST;

/** True when the shape guarantees the field's prerequisites (OF1.3.5 §7.2.3.6), followed
 * transitively (tcp_dst → ip_proto=6 → eth_type IPv4/IPv6). */
export function prereqsHold(info: OxmFieldInfo, s: PacketShape): boolean {
  if (s.lenient) return true;
  const p = info.prereq;
  if (p === null) return true;
  if (p.vlanPresent) return s.vlan;
  const parent = OXM_FIELDS[p.field]!;
  let have: number;
  if (p.field === OFPXMT_OFB_ETH_TYPE) have = s.ethType;
  else if (p.field === OFPXMT_OFB_IP_PROTO) have = s.ipProto;
  else if (p.field === OFPXMT_OFB_ICMPV6_TYPE) have = s.icmpv6Type;
  else return true; // in_phy_port → in_port: always present
  return have !== -1 && p.values.includes(have) && prereqsHold(parent, s);
}
