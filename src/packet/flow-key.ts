/**
 * FlowKey — the parsed form of one frame, in a fixed layout of 32-bit words.
 *
 * Every header field that OpenFlow 1.3 can match on has a fixed place in `words`, so a
 * match is just a (value, mask) pair of word arrays and a lookup is word-wise AND and
 * compare. The parser fills one reused FlowKey per frame: nothing is allocated per packet.
 *
 * Invariants
 *  - A field the parser did not reach (truncated or malformed frame, or a protocol the
 *    frame does not carry) leaves its words at 0 AND leaves its presence bit clear in
 *    W_PRESENT. Every OXM field's compiled match also requires its presence bit, so a
 *    match on an absent field fails even when the wanted value is 0.
 *  - Fields that OpenFlow's prerequisites make mutually exclusive share words, as in
 *    Open vSwitch: TCP/UDP/SCTP ports and ICMPv4/ICMPv6 type+code share W_L4; IPv4
 *    addresses and ARP SPA/TPA share W_NW_SRC/W_NW_DST; ARP SHA/THA and ND SLL/TLL share
 *    W_ARP_SHA_*. Which protocol filled them is told by the presence bits.
 *  - `meta` holds what the datapath needs to rewrite the frame (header offsets, TTL,
 *    fragment state) but never takes part in matching.
 *
 * Word layout (bit 31 is the most significant bit of a word):
 *
 *   W_IN_PORT        in_port
 *   W_IN_PHY_PORT    in_phy_port
 *   W_METADATA_HI/LO metadata (pipeline field, 0 at ingress)
 *   W_ETH_DST_HI     eth_dst bytes 0..3
 *   W_ETH_MIX        eth_dst bytes 4..5 (bits 31..16) | eth_src bytes 0..1 (bits 15..0)
 *   W_ETH_SRC_LO     eth_src bytes 2..5
 *   W_ETH_TYPE_VLAN  eth_type (31..16) | vlan_vid incl. OFPVID_PRESENT (15..3) | vlan_pcp (2..0)
 *   W_IP             ip_dscp (31..26) | ip_ecn (25..24) | ip_proto (23..16) | arp_op (15..0)
 *   W_NW_SRC         ipv4_src / arp_spa
 *   W_NW_DST         ipv4_dst / arp_tpa
 *   W_L4             src port or ICMP type (31..16) | dst port or ICMP code (15..0)
 *   W_ARP_SHA_HI     arp_sha / ipv6_nd_sll bytes 0..3
 *   W_ARP_MIX        arp_sha / nd_sll bytes 4..5 (31..16) | arp_tha / nd_tll bytes 0..1 (15..0)
 *   W_ARP_THA_LO     arp_tha / ipv6_nd_tll bytes 2..5
 *   W_IPV6_SRC+0..3  ipv6_src, most significant word first
 *   W_IPV6_DST+0..3  ipv6_dst
 *   W_IPV6_MISC      ipv6_exthdr (28..20) | ipv6_flabel (19..0)
 *   W_ND_TARGET+0..3 ipv6_nd_target
 *   W_MPLS           mpls_label (31..12) | mpls_tc (11..9) | mpls_bos (8)
 *   W_PBB            pbb_isid (23..0)
 *   W_TUNNEL_HI/LO   tunnel_id (OXM_OF_TUNNEL_ID; pipeline metadata, 0 unless from a tunnel)
 *   W_TUN_SRC        tun_src, outer IPv4 source (NXM_NX_TUN_IPV4_SRC, NXM class 1 field 31)
 *   W_TUN_DST        tun_dst, outer IPv4 destination (NXM_NX_TUN_IPV4_DST, field 32)
 *   W_VLAN_INNER     TCI of the second VLAN tag | 0x10000 when present (not an OXM field:
 *                    kept so that pop_vlan can tell what the next outer tag becomes)
 *   W_TCP_FLAGS      tcp_flags (11..0: NS, CWR .. FIN; OXM field 42 of OF1.5)
 *   W_ACTSET_OUTPUT  actset_output (OXM field 43 of OF1.5): the output port of the action
 *                    set; a pipeline word: 0 in a parsed key, the pipeline sets it to
 *                    OFPP_UNSET when it starts a packet and follows write/clear-actions
 *   W_PRESENT        presence bits P_*
 */

export const W_IN_PORT = 0;
export const W_IN_PHY_PORT = 1;
export const W_METADATA_HI = 2;
export const W_METADATA_LO = 3;
export const W_ETH_DST_HI = 4;
export const W_ETH_MIX = 5;
export const W_ETH_SRC_LO = 6;
export const W_ETH_TYPE_VLAN = 7;
export const W_IP = 8;
export const W_NW_SRC = 9;
export const W_NW_DST = 10;
export const W_L4 = 11;
export const W_ARP_SHA_HI = 12;
export const W_ARP_MIX = 13;
export const W_ARP_THA_LO = 14;
export const W_IPV6_SRC = 15; // 4 words
export const W_IPV6_DST = 19; // 4 words
export const W_IPV6_MISC = 23;
export const W_ND_TARGET = 24; // 4 words
export const W_MPLS = 28;
export const W_PBB = 29;
export const W_TUNNEL_HI = 30;
export const W_TUNNEL_LO = 31;
export const W_TUN_SRC = 32;
export const W_TUN_DST = 33;
export const W_VLAN_INNER = 34;
export const W_TCP_FLAGS = 35;
export const W_ACTSET_OUTPUT = 36;
export const W_PRESENT = 37;
/** Number of 32-bit words in a FlowKey. */
export const KEY_WORDS = 38;

// Presence bits (W_PRESENT). A bit is set only when the whole header was in the frame.
export const P_ETH = 1 << 0;
export const P_ARP = 1 << 1;
export const P_IPV4 = 1 << 2;
export const P_IPV6 = 1 << 3;
export const P_TCP = 1 << 4;
export const P_UDP = 1 << 5;
export const P_SCTP = 1 << 6;
export const P_ICMPV4 = 1 << 7;
export const P_ICMPV6 = 1 << 8;
export const P_ND_TARGET = 1 << 9;
export const P_ND_SLL = 1 << 10;
export const P_ND_TLL = 1 << 11;
export const P_MPLS = 1 << 12;
export const P_PBB = 1 << 13;
/** A complete IPv4 or IPv6 header (ip_dscp, ip_ecn, ip_proto are valid). */
export const P_L3 = 1 << 14;
/** The packet came from a tunnel (or the pipeline set tun_src / tun_dst): tun_src and
 * tun_dst are valid. The parser never sets it; the receiving tunnel port does. */
export const P_TUNNEL = 1 << 15;

/** OFPVID_PRESENT (OF1.3.5 §7.2.3.8): set in vlan_vid when the frame has a VLAN tag. */
export const OFPVID_PRESENT = 0x1000;
export const OFPVID_NONE = 0x0000;

// IPV6_EXTHDR pseudo-field bits (OF1.3.5 §7.2.3.8, enum ofp_ipv6exthdr_flags).
export const OFPIEH_NONEXT = 1 << 0;
export const OFPIEH_ESP = 1 << 1;
export const OFPIEH_AUTH = 1 << 2;
export const OFPIEH_DEST = 1 << 3;
export const OFPIEH_FRAG = 1 << 4;
export const OFPIEH_ROUTER = 1 << 5;
export const OFPIEH_HOP = 1 << 6;
export const OFPIEH_UNREP = 1 << 7;
export const OFPIEH_UNSEQ = 1 << 8;

// `meta` slots: where things are in the frame, for rewriting. -1 means "not present".
export const M_FRAME_LEN = 0;
/** Offset of the outermost VLAN tag's TPID, or -1. */
export const M_VLAN_OFS = 1;
/** Number of VLAN tags (802.1Q / 802.1ad) in front of the final ethertype. */
export const M_VLAN_COUNT = 2;
/** Offset of the final ethertype field (after all VLAN tags). */
export const M_ETHTYPE_OFS = 3;
/** Offset of the first MPLS label stack entry, or -1. */
export const M_MPLS_OFS = 4;
/** Offset of the L3 header (IPv4, IPv6, ARP), or -1. */
export const M_L3_OFS = 5;
/** Offset of the L4 header (TCP, UDP, SCTP, ICMP, ICMPv6), or -1. */
export const M_L4_OFS = 6;
/** IPv4 TTL / IPv6 hop limit, or -1. */
export const M_NW_TTL = 7;
/** 0 not a fragment, 1 first fragment, 2 later fragment. */
export const M_NW_FRAG = 8;
/** Offset of the PBB I-TAG TCI (after the 0x88e7 ethertype), or -1. */
export const M_PBB_OFS = 9;
/** Offset of the ND option carrying SLL/TLL, or -1. */
export const M_ND_OPT_OFS = 10;
/** 1 when the parser stopped early because the frame was truncated or malformed. */
export const M_MALFORMED = 11;
/** Offset of the IPv6 upper-layer protocol field that names the L4 header (-1 if none).
 * For IPv4 it is the header's protocol field. */
export const M_L4_PROTO_OFS = 12;
/** TCP flags (12 bits: NS/reserved + CWR..FIN, as in OVS's tcp_flags), or -1. The same
 * bits as W_TCP_FLAGS (the OF1.5 OXM field), kept here for statistics and tracing. */
export const M_TCP_FLAGS = 13;
/** 1 once a pop (pop_vlan, pop_mpls, pop_pbb) has shortened the frame: an output to a
 * port pads it with zeros to ETH_MIN_FRAME, as a NIC would (rewrite-tags.ts). 0 else;
 * the parser clears it, later pushes and pops keep it. */
export const M_PAD_ON_OUTPUT = 14;
export const META_SLOTS = 15;

export const NW_FRAG_NONE = 0;
export const NW_FRAG_FIRST = 1;
export const NW_FRAG_LATER = 2;

/** A reusable parsed key. Create one per worker and refill it per frame. */
export class FlowKey {
  readonly words = new Uint32Array(KEY_WORDS);
  readonly meta = new Int32Array(META_SLOTS);

  clear(): void {
    // Plain loops: TypedArray.prototype.fill is a call into the runtime that, for arrays
    // this small, costs more than the stores (2-3 % of a 64-byte packet's time in a profile).
    const w = this.words;
    for (let i = 0; i < KEY_WORDS; i++) w[i] = 0;
    const m = this.meta;
    for (let i = 0; i < META_SLOTS; i++) m[i] = -1;
    this.meta[M_VLAN_COUNT] = 0;
    this.meta[M_NW_FRAG] = 0;
    this.meta[M_MALFORMED] = 0;
    this.meta[M_FRAME_LEN] = 0;
    this.meta[M_PAD_ON_OUTPUT] = 0;
  }

  copyFrom(other: FlowKey): void {
    this.words.set(other.words);
    this.meta.set(other.meta);
  }

  has(presenceBit: number): boolean {
    return (this.words[W_PRESENT]! & presenceBit) !== 0;
  }

  get inPort(): number {
    return this.words[W_IN_PORT]!;
  }

  get ethType(): number {
    return this.words[W_ETH_TYPE_VLAN]! >>> 16;
  }

  /** vlan_vid as OpenFlow sees it: OFPVID_PRESENT | vid, or OFPVID_NONE (vlanVidOf). */
  get vlanVid(): number {
    return vlanVidOf(this.words);
  }

  get ipProto(): number {
    return (this.words[W_IP]! >>> 16) & 0xff;
  }
}

/** vlan_vid's bits in W_ETH_TYPE_VLAN (15..3, OFPVID_PRESENT included; see the layout above). */
const VLAN_VID_SHIFT = 3;
const VLAN_VID_MASK = 0x1fff;

/** vlan_vid of key words as OpenFlow sees it: OFPVID_PRESENT | vid, or OFPVID_NONE. The
 * one reader of those bits: the fast path (NORMAL, VLAN staging) calls it per packet, so
 * it is a plain function on the words (allocation free; V8 inlines it). */
export function vlanVidOf(words: Uint32Array): number {
  return (words[W_ETH_TYPE_VLAN]! >>> VLAN_VID_SHIFT) & VLAN_VID_MASK;
}

/** Sets vlan_vid (OFPVID_PRESENT | vid, or OFPVID_NONE) in key words; eth_type and
 * vlan_pcp are kept. */
export function setVlanVidOf(words: Uint32Array, vid: number): void {
  const w = words[W_ETH_TYPE_VLAN]! & ~(VLAN_VID_MASK << VLAN_VID_SHIFT);
  words[W_ETH_TYPE_VLAN] = (w | ((vid & VLAN_VID_MASK) << VLAN_VID_SHIFT)) >>> 0;
}

/**
 * Words that belong to the pipeline, not to the frame (in_port, in_phy_port, metadata and
 * the tunnel metadata): a re-parse of a rewritten frame must keep them, with P_TUNNEL.
 */
export const PIPELINE_WORDS: readonly number[] = [
  W_IN_PORT, W_IN_PHY_PORT, W_METADATA_HI, W_METADATA_LO, W_TUNNEL_HI, W_TUNNEL_LO, W_TUN_SRC, W_TUN_DST,
];

/** Copies the pipeline words and the P_TUNNEL bit from `from` to `to` (allocation free). */
export function copyPipelineWords(from: Uint32Array, to: Uint32Array): void {
  for (let i = 0; i < PIPELINE_WORDS.length; i++) {
    const w = PIPELINE_WORDS[i]!;
    to[w] = from[w]!;
  }
  to[W_PRESENT] = ((to[W_PRESENT]! & ~P_TUNNEL) | (from[W_PRESENT]! & P_TUNNEL)) >>> 0;
}

/** Tunnel metadata as plain numbers (setTunnelMeta's arguments; control-path use). */
export interface TunnelMeta {
  readonly idHi: number;
  readonly idLo: number;
  readonly src: number;
  readonly dst: number;
}

/**
 * Tunnel metadata of a received packet, for the tunnel port at ingress: call it after the
 * parser has filled `key` (parsing clears these words) and before the key is hashed.
 * tunnel_id is 64 bits as two u32 halves (the VNI of VXLAN / Geneve, the GRE key, in the
 * low bits); src / dst are the outer IPv4 addresses as u32 (a.b.c.d = a<<24 | ...).
 * Sets P_TUNNEL, so that rules on tun_src / tun_dst can match. Allocation free.
 */
export function setTunnelMeta(key: FlowKey, tunIdHi: number, tunIdLo: number, src: number, dst: number): void {
  const w = key.words;
  w[W_TUNNEL_HI] = tunIdHi >>> 0;
  w[W_TUNNEL_LO] = tunIdLo >>> 0;
  w[W_TUN_SRC] = src >>> 0;
  w[W_TUN_DST] = dst >>> 0;
  w[W_PRESENT] = (w[W_PRESENT]! | P_TUNNEL) >>> 0;
}

// Readers for the tunnel port at output (remote_ip=flow / key=flow): the values the
// pipeline left in the key (set_field on tun_dst / tunnel_id changes only the key).
/** tun_dst as a u32 (0 when neither the ingress tunnel nor a set_field gave one). */
export const tunnelDst = (key: FlowKey): number => key.words[W_TUN_DST]!;
/** tun_src as a u32. */
export const tunnelSrc = (key: FlowKey): number => key.words[W_TUN_SRC]!;
/** High 32 bits of tunnel_id. */
export const tunnelIdHi = (key: FlowKey): number => key.words[W_TUNNEL_HI]!;
/** Low 32 bits of tunnel_id (a 24-bit VNI or a 32-bit GRE key lives here). */
export const tunnelIdLo = (key: FlowKey): number => key.words[W_TUNNEL_LO]!;
/** The packet has tunnel metadata (it came from a tunnel, or the pipeline set tun_src/tun_dst). */
export const hasTunnelMeta = (key: FlowKey): boolean => (key.words[W_PRESENT]! & P_TUNNEL) !== 0;

/**
 * 32-bit hash of all key words (FNV-1a-like mixing over words, finished with a murmur3
 * avalanche). Used by the exact-match flow cache; allocation free.
 */
export function hashKeyWords(words: Uint32Array): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words.length; i++) {
    h = Math.imul(h ^ words[i]!, 0x01000193);
  }
  return fmix32(h) >>> 0;
}

/**
 * murmur3's 32-bit finaliser (fmix32): spreads every input bit over the whole result.
 * The one copy for every hash of the switch (flow cache, select groups, classifier
 * subtables and prefix sets). Returns a signed int32, which stays a small integer even
 * where the call is not inlined; `>>> 0` gives the unsigned value.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
