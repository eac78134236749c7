/**
 * Match field names of ovs-fields(7) and their OXM (OF1.3.5 §7.2.3.7) equivalents.
 *
 * Three kinds of names:
 * - direct names: one OXM field, value syntax given by the field (`eth_src`, `dl_src`, ...);
 * - context names that ovs-ofctl resolves against the rest of the match: `nw_src` is
 *   arp_spa under `arp`, `nw_proto` is arp_op under `arp`, `tp_src` is tcp/udp/sctp_src
 *   by ip_proto, `icmp_type` is icmpv4_type or icmpv6_type by eth_type;
 * - OpenFlow 1.0 style names with their own encoding: `dl_vlan` (12-bit VID, 0xffff = no
 *   tag), `dl_vlan_pcp`/`vlan_pcp` (also require a tag, as ovs-ofctl does), `nw_tos` (the
 *   whole ToS byte, whose top six bits are ip_dscp).
 * And the shorthands (`ip`, `tcp6`, `arp`, ...) that stand for eth_type / ip_proto values.
 */
import {
  OFPXMT_OFB_ARP_OP, OFPXMT_OFB_ARP_SPA, OFPXMT_OFB_ARP_TPA, OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_ICMPV4_CODE,
  OFPXMT_OFB_ICMPV4_TYPE, OFPXMT_OFB_ICMPV6_CODE, OFPXMT_OFB_ICMPV6_TYPE, OFPXMT_OFB_IP_PROTO,
  OFPXMT_OFB_IPV4_DST, OFPXMT_OFB_IPV4_SRC, OFPXMT_OFB_SCTP_DST, OFPXMT_OFB_SCTP_SRC, OFPXMT_OFB_TCP_DST,
  OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_UDP_DST, OFPXMT_OFB_UDP_SRC, OXM_FIELDS, OXM_TUN_DST, OXM_TUN_SRC, OFPXMT_OFB_ACTSET_OUTPUT,
} from '../../packet/oxm.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_RARP } from '../../packet/ethertype.js';


type ValueKind = 'uint' | 'mac' | 'ipv4' | 'ipv6' | 'port';

/** How the value of an OXM field is written. */
export function valueKind(oxm: number): ValueKind {
  if (oxm === 0 || oxm === 1 || oxm === OFPXMT_OFB_ACTSET_OUTPUT) return 'port';
  if ([3, 4, 24, 25, 32, 33].includes(oxm)) return 'mac';
  if ([11, 12, 22, 23, OXM_TUN_SRC, OXM_TUN_DST].includes(oxm)) return 'ipv4';
  if ([26, 27, 31].includes(oxm)) return 'ipv6';
  return 'uint';
}

/** ovs-fields names (and OXM spellings) that map to exactly one OXM field. tun_src and
 * tun_dst (NXM_NX_TUN_IPV4_SRC/DST) come with OXM_FIELDS under their ovs-fields names;
 * tun_id is tunnel_id. */
export const DIRECT_NAMES: ReadonlyMap<string, number> = new Map<string, number>([
  ...OXM_FIELDS.filter((f) => f.name !== 'ipv6_exthdr').map((f) => [f.name, f.id] as [string, number]),
  ['dl_dst', 3], ['dl_src', 4], ['dl_type', 5], ['nw_ecn', 9], ['ip_src', 11], ['ip_dst', 12],
  ['ipv6_label', 28], ['nd_target', 31], ['nd_sll', 32], ['nd_tll', 33], ['tun_id', 38],
]);

/** Names resolved against the rest of the match (see resolveContextName). */
export const CONTEXT_NAMES = ['nw_src', 'nw_dst', 'nw_proto', 'tp_src', 'tp_dst', 'icmp_type', 'icmp_code'] as const;
/** OpenFlow 1.0 style names with their own encoding (see parse-match.ts). */
const LEGACY_NAMES = ['dl_vlan', 'dl_vlan_pcp', 'nw_tos', 'vlan_tci'] as const;

interface Shorthand { readonly ethType: number; readonly ipProto?: number }

export const SHORTHANDS: ReadonlyMap<string, Shorthand> = new Map<string, Shorthand>([
  ['ip', { ethType: ETH_TYPE_IPV4 }], ['ipv4', { ethType: ETH_TYPE_IPV4 }], ['ipv6', { ethType: ETH_TYPE_IPV6 }],
  ['icmp', { ethType: ETH_TYPE_IPV4, ipProto: 1 }], ['icmp6', { ethType: ETH_TYPE_IPV6, ipProto: 58 }],
  ['tcp', { ethType: ETH_TYPE_IPV4, ipProto: 6 }], ['tcp6', { ethType: ETH_TYPE_IPV6, ipProto: 6 }],
  ['udp', { ethType: ETH_TYPE_IPV4, ipProto: 17 }], ['udp6', { ethType: ETH_TYPE_IPV6, ipProto: 17 }],
  ['sctp', { ethType: ETH_TYPE_IPV4, ipProto: 132 }], ['sctp6', { ethType: ETH_TYPE_IPV6, ipProto: 132 }],
  ['arp', { ethType: ETH_TYPE_ARP }], ['rarp', { ethType: ETH_TYPE_RARP }],
  ['mpls', { ethType: ETH_TYPE_MPLS }], ['mplsm', { ethType: ETH_TYPE_MPLS_MCAST }],
]);

/** The flow's own keywords (ovs-ofctl(8) "Flow Syntax"), handled by parse-flow.ts. */
export const FLOW_KEYWORDS = [
  'table', 'priority', 'cookie', 'idle_timeout', 'hard_timeout', 'send_flow_rem', 'check_overlap', 'reset_counts',
  'no_packet_counts', 'no_byte_counts', 'out_port', 'out_group', 'actions',
] as const;

/** Every name a flow may start a token with, for "did you mean" suggestions. */
export const ALL_MATCH_NAMES: readonly string[] = [
  ...DIRECT_NAMES.keys(), ...CONTEXT_NAMES, ...LEGACY_NAMES, ...SHORTHANDS.keys(), ...FLOW_KEYWORDS,
];

/**
 * The OXM field a context name means, given the match's eth_type and ip_proto (undefined
 * when absent), or a message saying what the name needs.
 */
export function resolveContextName(name: string, ethType: number | undefined, ipProto: number | undefined): number | string {
  const arp = ethType === ETH_TYPE_ARP || ethType === ETH_TYPE_RARP;
  switch (name) {
    case 'nw_src': return arp ? OFPXMT_OFB_ARP_SPA : OFPXMT_OFB_IPV4_SRC;
    case 'nw_dst': return arp ? OFPXMT_OFB_ARP_TPA : OFPXMT_OFB_IPV4_DST;
    case 'nw_proto': return arp ? OFPXMT_OFB_ARP_OP : OFPXMT_OFB_IP_PROTO;
    case 'icmp_type': return ethType === ETH_TYPE_IPV6 ? OFPXMT_OFB_ICMPV6_TYPE : OFPXMT_OFB_ICMPV4_TYPE;
    case 'icmp_code': return ethType === ETH_TYPE_IPV6 ? OFPXMT_OFB_ICMPV6_CODE : OFPXMT_OFB_ICMPV4_CODE;
  }
  const src = name === 'tp_src';
  switch (ipProto) {
    case 6: return src ? OFPXMT_OFB_TCP_SRC : OFPXMT_OFB_TCP_DST;
    case 17: return src ? OFPXMT_OFB_UDP_SRC : OFPXMT_OFB_UDP_DST;
    case 132: return src ? OFPXMT_OFB_SCTP_SRC : OFPXMT_OFB_SCTP_DST;
    case 1: return src ? OFPXMT_OFB_ICMPV4_TYPE : OFPXMT_OFB_ICMPV4_CODE;
    case 58: return src ? OFPXMT_OFB_ICMPV6_TYPE : OFPXMT_OFB_ICMPV6_CODE;
  }
  return `${name} needs an L4 protocol in the match (tcp, udp, sctp, icmp or their v6 forms)`;
}

export { OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IP_PROTO };
