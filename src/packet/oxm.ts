/**
 * The 40 OXM basic fields of OpenFlow 1.3 (OF1.3.5 §7.2.3.7, Table 12), plus the two
 * Nicira tunnel fields Open vSwitch carries in class OFPXMC_NXM_1 (tun_src, tun_dst), plus
 * OpenFlow 1.5's tcp_flags, actset_output and packet_type (OF1.5.1 §7.2.3.7, ids 42..44):
 * their wire ids, sizes, whether a mask is allowed, their prerequisites, and where each
 * one lives in a FlowKey (see src/packet/flow-key.ts).
 *
 * Field ids: a basic field's id is its OXM field number (0..39). The NXM fields get the
 * ids after them (40, 41), and `oxmClass` / `oxmField` give their wire class and number;
 * the wire codec translates with oxmIdFromWire / the info (an OXM basic TLV with field
 * number 40 is NOT tun_src: it is an unknown basic field).
 *
 * This table is the single source of truth that the match compiler, the packet parser's
 * tests, set-field and the wire codec all read, so that "field 12 is ipv4_dst, 4 bytes,
 * maskable, needs eth_type=0x0800, lives in W_NW_DST" is written down exactly once.
 * It lives in packet/, beside the FlowKey it maps, so that every layer that reads it
 * (set-field in packet/, the pipeline, the codec) imports it downwards.
 */
import {
  P_ARP, P_ETH, P_ICMPV4, P_ICMPV6, P_IPV4, P_IPV6, P_L3, P_MPLS, P_ND_SLL, P_ND_TARGET,
  P_ND_TLL, P_PBB, P_SCTP, P_TCP, P_TUNNEL, P_UDP,
  W_ARP_MIX, W_ARP_SHA_HI, W_ARP_THA_LO, W_ETH_DST_HI, W_ETH_MIX, W_ETH_SRC_LO,
  W_ETH_TYPE_VLAN, W_IN_PHY_PORT, W_IN_PORT, W_IP, W_IPV6_DST, W_IPV6_MISC, W_IPV6_SRC,
  W_L4, W_METADATA_HI, W_METADATA_LO, W_MPLS, W_ND_TARGET, W_NW_DST, W_NW_SRC, W_PBB,
  W_TUN_DST, W_TUN_SRC, W_TUNNEL_HI, W_TUNNEL_LO, W_TCP_FLAGS, W_ACTSET_OUTPUT,
} from './flow-key.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_PBB } from './ethertype.js';

/** OXM classes (OF1.3.5 §7.2.3.2). Sluice matches on OFPXMC_OPENFLOW_BASIC, and on the
 * two tunnel fields of OFPXMC_NXM_1. */
export const OFPXMC_NXM_0 = 0x0000;
export const OFPXMC_NXM_1 = 0x0001;
export const OFPXMC_OPENFLOW_BASIC = 0x8000;
export const OFPXMC_EXPERIMENTER = 0xffff;

// enum oxm_ofb_match_fields
export const OFPXMT_OFB_IN_PORT = 0;
export const OFPXMT_OFB_IN_PHY_PORT = 1;
export const OFPXMT_OFB_METADATA = 2;
export const OFPXMT_OFB_ETH_DST = 3;
export const OFPXMT_OFB_ETH_SRC = 4;
export const OFPXMT_OFB_ETH_TYPE = 5;
export const OFPXMT_OFB_VLAN_VID = 6;
export const OFPXMT_OFB_VLAN_PCP = 7;
export const OFPXMT_OFB_IP_DSCP = 8;
export const OFPXMT_OFB_IP_ECN = 9;
export const OFPXMT_OFB_IP_PROTO = 10;
export const OFPXMT_OFB_IPV4_SRC = 11;
export const OFPXMT_OFB_IPV4_DST = 12;
export const OFPXMT_OFB_TCP_SRC = 13;
export const OFPXMT_OFB_TCP_DST = 14;
export const OFPXMT_OFB_UDP_SRC = 15;
export const OFPXMT_OFB_UDP_DST = 16;
export const OFPXMT_OFB_SCTP_SRC = 17;
export const OFPXMT_OFB_SCTP_DST = 18;
export const OFPXMT_OFB_ICMPV4_TYPE = 19;
export const OFPXMT_OFB_ICMPV4_CODE = 20;
export const OFPXMT_OFB_ARP_OP = 21;
export const OFPXMT_OFB_ARP_SPA = 22;
export const OFPXMT_OFB_ARP_TPA = 23;
export const OFPXMT_OFB_ARP_SHA = 24;
export const OFPXMT_OFB_ARP_THA = 25;
export const OFPXMT_OFB_IPV6_SRC = 26;
export const OFPXMT_OFB_IPV6_DST = 27;
export const OFPXMT_OFB_IPV6_FLABEL = 28;
export const OFPXMT_OFB_ICMPV6_TYPE = 29;
export const OFPXMT_OFB_ICMPV6_CODE = 30;
export const OFPXMT_OFB_IPV6_ND_TARGET = 31;
export const OFPXMT_OFB_IPV6_ND_SLL = 32;
export const OFPXMT_OFB_IPV6_ND_TLL = 33;
export const OFPXMT_OFB_MPLS_LABEL = 34;
export const OFPXMT_OFB_MPLS_TC = 35;
export const OFPXMT_OFB_MPLS_BOS = 36;
export const OFPXMT_OFB_PBB_ISID = 37;
export const OFPXMT_OFB_TUNNEL_ID = 38;
export const OFPXMT_OFB_IPV6_EXTHDR = 39;
/** Number of OXM basic fields of OF1.3 (ids 0..39). */
export const OXM_BASIC_FIELD_COUNT = 40;

// Nicira extension fields, OXM class OFPXMC_NXM_1 (Open vSwitch's meta-flow.xml;
// os-ken's nicira_ext.py calls them tun_ipv4_src / tun_ipv4_dst): wire field numbers...
/** NXM_NX_TUN_IPV4_SRC: NXM_HEADER(0x0001, 31, 4), maskable. */
export const NXM_NX_TUN_IPV4_SRC = 31;
/** NXM_NX_TUN_IPV4_DST: NXM_HEADER(0x0001, 32, 4), maskable. */
export const NXM_NX_TUN_IPV4_DST = 32;
// ...and Sluice's field ids for them (after the basic fields).
export const OXM_TUN_SRC = 40;
export const OXM_TUN_DST = 41;
// OpenFlow 1.5's basic fields (OF1.5.1 §7.2.3.7): their ids are their field numbers, as
// for 0..39 (the NXM fields took 40 and 41 of Sluice's ids, not of the wire's).
/** TCP flags: 16 bits on the wire, the low 12 meaningful (NS, CWR .. FIN), maskable. */
export const OFPXMT_OFB_TCP_FLAGS = 42;
/** The output port in the action set (OFPP_UNSET when it has none); not maskable. */
export const OFPXMT_OFB_ACTSET_OUTPUT = 43;
/** Packet type (namespace << 16 | ns_type); Sluice's packets are all Ethernet, (0, 0). */
export const OFPXMT_OFB_PACKET_TYPE = 44;
/** OFPP_UNSET (OF1.5.1 §7.2.3.7): actset_output of an action set without an output. */
export const OFPP_UNSET = 0xfffffff7;
/** packet_type of an Ethernet frame (OFPHTN_ONF, 0): the only type Sluice switches. */
export const PACKET_TYPE_ETHERNET = 0;
/** The fields only OpenFlow 1.5 can say: 1.3's and 1.4's codecs refuse them (OFPBMC_BAD_FIELD). */
export const OF15_ONLY_FIELDS: readonly number[] = [OFPXMT_OFB_TCP_FLAGS, OFPXMT_OFB_ACTSET_OUTPUT, OFPXMT_OFB_PACKET_TYPE];
/** Number of fields Sluice knows (ids 0..OXM_FIELD_COUNT-1). */
export const OXM_FIELD_COUNT = 45;

/** A run of bits of a field inside one key word: bits [shift, shift+width) of `word`. */
export interface KeySegment {
  readonly word: number;
  readonly shift: number;
  readonly width: number;
}

/**
 * A prerequisite (OF1.3.5 §7.2.3.6): `field` must be present in the same match with an
 * exact (or absent) mask and a value in `values`; for VLAN_PCP the rule is instead that
 * VLAN_VID must carry OFPVID_PRESENT (see `vlanPresent`).
 */
export interface Prerequisite {
  readonly field: number;
  readonly values: readonly number[];
  /** Special case: VLAN_VID value & mask must both have OFPVID_PRESENT set. */
  readonly vlanPresent?: boolean;
}

export interface OxmFieldInfo {
  readonly id: number;
  /** Spec name without prefix, lower case: "ipv4_dst". */
  readonly name: string;
  /** Payload length in bytes on the wire (without mask). */
  readonly bytes: number;
  /** Number of meaningful bits; a value with higher bits set is OFPBMC_BAD_VALUE. */
  readonly bits: number;
  readonly maskable: boolean;
  readonly prereq: Prerequisite | null;
  /** Presence bit the frame must have for this field to be matchable (0 = always). */
  readonly presence: number;
  /** Where the field's bits live in the key, most significant segment first. */
  readonly segments: readonly KeySegment[];
  /** OF1.3 allows set-field on this field (all but in_port, in_phy_port, metadata, exthdr). */
  readonly settable: boolean;
  /** Wire class and field number (OFPXMC_OPENFLOW_BASIC and `id` for basic fields). */
  readonly oxmClass: number;
  readonly oxmField: number;
  /** Packet metadata that is not in the frame (tunnel_id, tun_src, tun_dst): set-field
   * changes only the key, and sets the field's presence bit. */
  readonly keyOnly: boolean;
}

const seg = (word: number, shift: number, width: number): KeySegment => ({ word, shift, width });
const ETH_TYPE_IS = (...values: number[]): Prerequisite => ({ field: OFPXMT_OFB_ETH_TYPE, values });
const IP_PROTO_IS = (...values: number[]): Prerequisite => ({ field: OFPXMT_OFB_IP_PROTO, values });
const ANY_IP = ETH_TYPE_IS(ETH_TYPE_IPV4, ETH_TYPE_IPV6);

function f(
  id: number, name: string, bytes: number, bits: number, maskable: boolean,
  prereq: Prerequisite | null, presence: number, segments: KeySegment[], settable = true,
): OxmFieldInfo {
  return {
    id, name, bytes, bits, maskable, prereq, presence, segments, settable,
    oxmClass: OFPXMC_OPENFLOW_BASIC, oxmField: id, keyOnly: id === OFPXMT_OFB_TUNNEL_ID,
  };
}

/** A Nicira (OFPXMC_NXM_1) tunnel field: key only, no prerequisite, needs P_TUNNEL. */
function nxTunnel(id: number, name: string, nxmField: number, word: number): OxmFieldInfo {
  return {
    id, name, bytes: 4, bits: 32, maskable: true, prereq: null, presence: P_TUNNEL, segments: [seg(word, 0, 32)],
    settable: true, oxmClass: OFPXMC_NXM_1, oxmField: nxmField, keyOnly: true,
  };
}

const MAC_HI_A = [seg(W_ETH_DST_HI, 0, 32), seg(W_ETH_MIX, 16, 16)];
const MAC_LO_A = [seg(W_ETH_MIX, 0, 16), seg(W_ETH_SRC_LO, 0, 32)];
const ARP_SHA_SEGS = [seg(W_ARP_SHA_HI, 0, 32), seg(W_ARP_MIX, 16, 16)];
const ARP_THA_SEGS = [seg(W_ARP_MIX, 0, 16), seg(W_ARP_THA_LO, 0, 32)];
const words128 = (w: number) => [seg(w, 0, 32), seg(w + 1, 0, 32), seg(w + 2, 0, 32), seg(w + 3, 0, 32)];

/** Indexed by OXM field id. */
export const OXM_FIELDS: readonly OxmFieldInfo[] = [
  f(0, 'in_port', 4, 32, false, null, 0, [seg(W_IN_PORT, 0, 32)], false),
  f(1, 'in_phy_port', 4, 32, false, { field: OFPXMT_OFB_IN_PORT, values: [] }, 0, [seg(W_IN_PHY_PORT, 0, 32)], false),
  f(2, 'metadata', 8, 64, true, null, 0, [seg(W_METADATA_HI, 0, 32), seg(W_METADATA_LO, 0, 32)], false),
  f(3, 'eth_dst', 6, 48, true, null, P_ETH, MAC_HI_A),
  f(4, 'eth_src', 6, 48, true, null, P_ETH, MAC_LO_A),
  f(5, 'eth_type', 2, 16, false, null, P_ETH, [seg(W_ETH_TYPE_VLAN, 16, 16)]),
  f(6, 'vlan_vid', 2, 13, true, null, P_ETH, [seg(W_ETH_TYPE_VLAN, 3, 13)]),
  f(7, 'vlan_pcp', 1, 3, false, { field: OFPXMT_OFB_VLAN_VID, values: [], vlanPresent: true }, P_ETH, [seg(W_ETH_TYPE_VLAN, 0, 3)]),
  f(8, 'ip_dscp', 1, 6, false, ANY_IP, P_L3, [seg(W_IP, 26, 6)]),
  f(9, 'ip_ecn', 1, 2, false, ANY_IP, P_L3, [seg(W_IP, 24, 2)]),
  f(10, 'ip_proto', 1, 8, false, ANY_IP, P_L3, [seg(W_IP, 16, 8)]),
  f(11, 'ipv4_src', 4, 32, true, ETH_TYPE_IS(ETH_TYPE_IPV4), P_IPV4, [seg(W_NW_SRC, 0, 32)]),
  f(12, 'ipv4_dst', 4, 32, true, ETH_TYPE_IS(ETH_TYPE_IPV4), P_IPV4, [seg(W_NW_DST, 0, 32)]),
  f(13, 'tcp_src', 2, 16, false, IP_PROTO_IS(6), P_TCP, [seg(W_L4, 16, 16)]),
  f(14, 'tcp_dst', 2, 16, false, IP_PROTO_IS(6), P_TCP, [seg(W_L4, 0, 16)]),
  f(15, 'udp_src', 2, 16, false, IP_PROTO_IS(17), P_UDP, [seg(W_L4, 16, 16)]),
  f(16, 'udp_dst', 2, 16, false, IP_PROTO_IS(17), P_UDP, [seg(W_L4, 0, 16)]),
  f(17, 'sctp_src', 2, 16, false, IP_PROTO_IS(132), P_SCTP, [seg(W_L4, 16, 16)]),
  f(18, 'sctp_dst', 2, 16, false, IP_PROTO_IS(132), P_SCTP, [seg(W_L4, 0, 16)]),
  f(19, 'icmpv4_type', 1, 8, false, IP_PROTO_IS(1), P_ICMPV4, [seg(W_L4, 16, 8)]),
  f(20, 'icmpv4_code', 1, 8, false, IP_PROTO_IS(1), P_ICMPV4, [seg(W_L4, 0, 8)]),
  f(21, 'arp_op', 2, 16, false, ETH_TYPE_IS(ETH_TYPE_ARP), P_ARP, [seg(W_IP, 0, 16)]),
  f(22, 'arp_spa', 4, 32, true, ETH_TYPE_IS(ETH_TYPE_ARP), P_ARP, [seg(W_NW_SRC, 0, 32)]),
  f(23, 'arp_tpa', 4, 32, true, ETH_TYPE_IS(ETH_TYPE_ARP), P_ARP, [seg(W_NW_DST, 0, 32)]),
  f(24, 'arp_sha', 6, 48, true, ETH_TYPE_IS(ETH_TYPE_ARP), P_ARP, ARP_SHA_SEGS),
  f(25, 'arp_tha', 6, 48, true, ETH_TYPE_IS(ETH_TYPE_ARP), P_ARP, ARP_THA_SEGS),
  f(26, 'ipv6_src', 16, 128, true, ETH_TYPE_IS(ETH_TYPE_IPV6), P_IPV6, words128(W_IPV6_SRC)),
  f(27, 'ipv6_dst', 16, 128, true, ETH_TYPE_IS(ETH_TYPE_IPV6), P_IPV6, words128(W_IPV6_DST)),
  f(28, 'ipv6_flabel', 4, 20, true, ETH_TYPE_IS(ETH_TYPE_IPV6), P_IPV6, [seg(W_IPV6_MISC, 0, 20)]),
  f(29, 'icmpv6_type', 1, 8, false, IP_PROTO_IS(58), P_ICMPV6, [seg(W_L4, 16, 8)]),
  f(30, 'icmpv6_code', 1, 8, false, IP_PROTO_IS(58), P_ICMPV6, [seg(W_L4, 0, 8)]),
  f(31, 'ipv6_nd_target', 16, 128, false, { field: OFPXMT_OFB_ICMPV6_TYPE, values: [135, 136] }, P_ND_TARGET, words128(W_ND_TARGET)),
  f(32, 'ipv6_nd_sll', 6, 48, false, { field: OFPXMT_OFB_ICMPV6_TYPE, values: [135] }, P_ND_SLL, ARP_SHA_SEGS),
  f(33, 'ipv6_nd_tll', 6, 48, false, { field: OFPXMT_OFB_ICMPV6_TYPE, values: [136] }, P_ND_TLL, ARP_THA_SEGS),
  f(34, 'mpls_label', 4, 20, false, ETH_TYPE_IS(ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST), P_MPLS, [seg(W_MPLS, 12, 20)]),
  f(35, 'mpls_tc', 1, 3, false, ETH_TYPE_IS(ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST), P_MPLS, [seg(W_MPLS, 9, 3)]),
  f(36, 'mpls_bos', 1, 1, false, ETH_TYPE_IS(ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST), P_MPLS, [seg(W_MPLS, 8, 1)]),
  f(37, 'pbb_isid', 3, 24, true, ETH_TYPE_IS(ETH_TYPE_PBB), P_PBB, [seg(W_PBB, 0, 24)]),
  f(38, 'tunnel_id', 8, 64, true, null, 0, [seg(W_TUNNEL_HI, 0, 32), seg(W_TUNNEL_LO, 0, 32)]),
  f(39, 'ipv6_exthdr', 2, 9, true, ETH_TYPE_IS(ETH_TYPE_IPV6), P_IPV6, [seg(W_IPV6_MISC, 20, 9)], false),
  // Open vSwitch's names (ovs-fields(7)): tun_src / tun_dst.
  nxTunnel(OXM_TUN_SRC, 'tun_src', NXM_NX_TUN_IPV4_SRC, W_TUN_SRC),
  nxTunnel(OXM_TUN_DST, 'tun_dst', NXM_NX_TUN_IPV4_DST, W_TUN_DST),
  f(42, 'tcp_flags', 2, 12, true, IP_PROTO_IS(6), P_TCP, [seg(W_TCP_FLAGS, 0, 12)], false),
  // a pipeline field: no presence bit (decide() sets the word before the first lookup)
  f(43, 'actset_output', 4, 32, false, null, 0, [seg(W_ACTSET_OUTPUT, 0, 32)], false),
  // no key bits: every packet is Ethernet, so only value 0 is valid (bits 0: any other
  // value is OFPBMC_BAD_VALUE, the spec's error for a packet type the switch does not support)
  f(44, 'packet_type', 4, 0, false, null, 0, [], false),
];

const BY_NAME = new Map(OXM_FIELDS.map((x) => [x.name, x]));

export function oxmFieldByName(name: string): OxmFieldInfo | undefined {
  return BY_NAME.get(name);
}

/** The 32-bit OXM header: class(16) | field(7) | hasmask(1) | length(8). */
export function oxmHeader(field: number, hasMask: boolean): number {
  const info = OXM_FIELDS[field]!;
  const len = hasMask ? info.bytes * 2 : info.bytes;
  return ((info.oxmClass << 16) | (info.oxmField << 9) | (hasMask ? 0x100 : 0) | len) >>> 0;
}

/** Sluice's field id of a wire (class, field number), or -1 when it knows no such field. */
export function oxmIdFromWire(oxmClass: number, oxmField: number): number {
  if (oxmClass === OFPXMC_OPENFLOW_BASIC) {
    return oxmField < OXM_BASIC_FIELD_COUNT || (oxmField >= OFPXMT_OFB_TCP_FLAGS && oxmField <= OFPXMT_OFB_PACKET_TYPE) ? oxmField : -1;
  }
  if (oxmClass === OFPXMC_NXM_1) {
    if (oxmField === NXM_NX_TUN_IPV4_SRC) return OXM_TUN_SRC;
    if (oxmField === NXM_NX_TUN_IPV4_DST) return OXM_TUN_DST;
  }
  return -1;
}

/**
 * Writes a field value given as big-endian bytes (length info.bytes) into key words, at
 * the field's segments. Bits of the words outside the field are kept. Used on the control
 * path (match compilation, set-field compilation); the parser writes words directly.
 */
export function writeFieldWords(info: OxmFieldInfo, bytes: Uint8Array, out: Uint32Array): void {
  // Walk the field's bits from least significant upwards, taking them from the end of
  // `bytes` and placing them in the segments from last to first.
  let bitPos = 0; // next bit of the value (0 = LSB of the last byte)
  for (let s = info.segments.length - 1; s >= 0; s--) {
    const sg = info.segments[s]!;
    let v = 0;
    for (let b = 0; b < sg.width; b++, bitPos++) {
      const byte = bytes[bytes.length - 1 - (bitPos >> 3)] ?? 0;
      if ((byte >> (bitPos & 7)) & 1) v |= 1 << b;
    }
    const fieldMask = sg.width === 32 ? 0xffffffff : ((1 << sg.width) - 1) << sg.shift;
    out[sg.word] = ((out[sg.word]! & ~fieldMask) | ((v << sg.shift) & fieldMask)) >>> 0;
  }
}

/** Reads a field out of key words as big-endian bytes (length info.bytes). */
export function readFieldWords(info: OxmFieldInfo, words: Uint32Array, out?: Uint8Array): Uint8Array {
  const bytes = out ?? new Uint8Array(info.bytes);
  bytes.fill(0);
  let bitPos = 0;
  for (let s = info.segments.length - 1; s >= 0; s--) {
    const sg = info.segments[s]!;
    const v = sg.width === 32 ? words[sg.word]! : (words[sg.word]! >>> sg.shift) & ((1 << sg.width) - 1);
    for (let b = 0; b < sg.width; b++, bitPos++) {
      if ((v >>> b) & 1) bytes[bytes.length - 1 - (bitPos >> 3)]! |= 1 << (bitPos & 7);
    }
  }
  return bytes;
}

/** Bytes of a field's meaningful-bit mask: all ones for the low `bits` bits. */
export function fieldFullMask(info: OxmFieldInfo): Uint8Array {
  const m = new Uint8Array(info.bytes);
  for (let bit = 0; bit < info.bits; bit++) m[info.bytes - 1 - (bit >> 3)]! |= 1 << (bit & 7);
  return m;
}
