/**
 * An OF1.3 Match → ovs-ofctl text, in the order and with the shorthands that ovs-ofctl
 * (lib/match.c, match_format) uses, so that `sluice dump-flows` reads like
 * `ovs-ofctl -O OpenFlow13 dump-flows`: priority, protocol shorthand (`tcp`, `icmp6`,
 * `arp`, ...), tun_id, tun_src, tun_dst, metadata, in_port, VLAN, Ethernet addresses, dl_type (when no
 * shorthand said it), L3 addresses, nw_proto, ARP hardware addresses, ToS/ECN, MPLS, L4.
 * VLAN matches print as ovs-ofctl prints its 16-bit TCI view of vlan_vid + vlan_pcp
 * (`dl_vlan=10,dl_vlan_pcp=3`, or `vlan_tci=V/M` when that view cannot say it).
 * Every name printed here is accepted back by parseMatch.
 */
import { OFPXMT_OFB_ACTSET_OUTPUT, OFPXMT_OFB_TCP_FLAGS, OXM_TUN_DST, OXM_TUN_SRC } from '../../packet/oxm.js';
import type { Match, OxmField } from '../../pipeline/types.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_RARP } from '../../packet/ethertype.js';
import { formatMasked } from './format-value.js';
import { bytesUint } from './values.js';

const DEFAULT_PRIORITY = 0x8000;

const PROTO_NAMES: Readonly<Record<number, readonly [string, string]>> = {
  1: ['icmp', ''], 58: ['', 'icmp6'], 6: ['tcp', 'tcp6'], 17: ['udp', 'udp6'], 132: ['sctp', 'sctp6'],
};
const TYPE_NAMES: Readonly<Record<number, string>> = {
  [ETH_TYPE_ARP]: 'arp', [ETH_TYPE_RARP]: 'rarp', [ETH_TYPE_MPLS]: 'mpls', [ETH_TYPE_MPLS_MCAST]: 'mplsm',
};

export function formatMatch(match: Match, priority = DEFAULT_PRIORITY): string {
  const by = new Map<number, OxmField>(match.map((f) => [f.field, f]));
  const num = (id: number) => { const f = by.get(id); return f ? Number(bytesUint(f.value)) : undefined; };
  const out: string[] = [];
  const put = (name: string, id: number) => {
    const f = by.get(id);
    if (f) out.push(`${name}=${formatMasked(id, f.value, f.mask)}`);
  };
  if (priority !== DEFAULT_PRIORITY) out.push(`priority=${priority}`);
  put('actset_output', OFPXMT_OFB_ACTSET_OUTPUT); // OF1.5; ovs-ofctl prints it before the protocol

  const ethType = num(5);
  const proto = num(10);
  let skipType = false;
  let skipProto = false;
  if (ethType === ETH_TYPE_IPV4 || ethType === ETH_TYPE_IPV6) {
    skipType = true;
    const names = proto !== undefined ? PROTO_NAMES[proto] : undefined;
    const name = names ? names[ethType === ETH_TYPE_IPV4 ? 0 : 1] : '';
    if (name) { out.push(name); skipProto = true; } else out.push(ethType === ETH_TYPE_IPV4 ? 'ip' : 'ipv6');
  } else if (ethType !== undefined && TYPE_NAMES[ethType]) {
    skipType = true;
    out.push(TYPE_NAMES[ethType]);
  }
  // lib/match.c match_format: tunnel metadata right after the protocol shorthand.
  put('tun_id', 38);
  put('tun_src', OXM_TUN_SRC);
  put('tun_dst', OXM_TUN_DST);
  put('metadata', 2);
  put('in_port', 0);
  put('in_phy_port', 1);
  formatVlan(by.get(6), by.get(7), out);
  put('dl_src', 4);
  put('dl_dst', 3);
  if (!skipType && ethType !== undefined) out.push(`dl_type=0x${ethType.toString(16).padStart(4, '0')}`);
  if (ethType === ETH_TYPE_IPV6) {
    put('ipv6_src', 26); put('ipv6_dst', 27);
    const fl = by.get(28);
    if (fl) out.push(`ipv6_label=${hex5(fl.value)}${fl.mask ? '/' + hex5(fl.mask) : ''}`);
  } else if (ethType === ETH_TYPE_ARP || ethType === ETH_TYPE_RARP) {
    put('arp_spa', 22); put('arp_tpa', 23);
  } else {
    put('nw_src', 11); put('nw_dst', 12);
  }
  if (!skipProto && proto !== undefined) out.push(`nw_proto=${proto}`);
  put('arp_op', 21);
  put('arp_sha', 24); put('arp_tha', 25);
  const dscp = num(8);
  if (dscp !== undefined) out.push(`nw_tos=${dscp << 2}`);
  put('nw_ecn', 9);
  put('mpls_label', 34); put('mpls_tc', 35); put('mpls_bos', 36);
  put('icmp_type', 19); put('icmp_code', 20);
  put('icmp_type', 29); put('icmp_code', 30);
  put('nd_target', 31); put('nd_sll', 32); put('nd_tll', 33);
  for (const id of [13, 15, 17]) put('tp_src', id);
  for (const id of [14, 16, 18]) put('tp_dst', id);
  put('tcp_flags', OFPXMT_OFB_TCP_FLAGS); // OF1.5
  put('pbb_isid', 37);
  put('ipv6_exthdr', 39);
  return out.join(',');
}

const hex5 = (b: Uint8Array) => '0x' + bytesUint(b).toString(16).padStart(5, '0');

/** OF1.3 vlan_vid/vlan_pcp → ovs-ofctl's TCI view (OFPVID_PRESENT is the TCI's CFI bit). */
function formatVlan(vid: OxmField | undefined, pcp: OxmField | undefined, out: string[]): void {
  if (!vid && !pcp) return;
  let tci = 0, mask = 0;
  if (vid) {
    tci = Number(bytesUint(vid.value)) & 0x1fff;
    mask = vid.mask ? Number(bytesUint(vid.mask)) & 0x1fff : 0x1fff;
  }
  if (pcp) { tci |= (Number(bytesUint(pcp.value)) & 7) << 13; mask |= 0xe000; }
  const vidMask = mask & 0x0fff, pcpMask = mask & 0xe000;
  if ((mask & tci & 0x1000) && (vidMask === 0 || vidMask === 0x0fff) && (pcpMask === 0 || pcpMask === 0xe000) && (vidMask || pcpMask)) {
    if (vidMask) out.push(`dl_vlan=${tci & 0x0fff}`);
    if (pcpMask) out.push(`dl_vlan_pcp=${tci >> 13}`);
  } else if (mask === 0xffff) {
    out.push(`vlan_tci=0x${tci.toString(16).padStart(4, '0')}`);
  } else {
    out.push(`vlan_tci=0x${tci.toString(16).padStart(4, '0')}/0x${mask.toString(16).padStart(4, '0')}`);
  }
}
