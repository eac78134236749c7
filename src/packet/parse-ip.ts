/**
 * ARP, IPv4 and IPv6 (with its extension-header chain) into a FlowKey; called by
 * parseFrame with absolute offsets: `s` frame start, `l3` header start, `end` frame end.
 *
 * Invariants (beyond parse.ts's)
 *  - An IPv4 header with version ≠ 4, IHL < 5, total length < IHL or total length beyond
 *    the frame is malformed and leaves every IPv4 field absent (as Open vSwitch does); the
 *    same for IPv6 with version ≠ 6 or payload length beyond the frame. L4 is bounded by
 *    the datagram, not the frame, so Ethernet padding is never read as payload.
 *  - Fragments (meta M_NW_FRAG): L4 fields only for unfragmented datagrams and first
 *    fragments; a later fragment has no L4 header.
 *  - IPv6: ip_proto is the protocol after the extension headers walked (hop-by-hop 0,
 *    routing 43, fragment 44, destination options 60, AH 51); ESP (50) and no-next (59)
 *    end the walk and are the ip_proto. A truncated extension header is malformed: the
 *    fixed header's fields stay, ip_proto is the header type that could not be read.
 *  - ipv6_exthdr (OF1.3.5 §7.2.3.8): one bit per header type seen; UNREP when a header
 *    appears twice (destination options may appear twice: once before a routing header,
 *    once as the last), UNSEQ when a header breaks RFC 2460 §4.1's recommended order
 *    hop-by-hop, dest, routing, fragment, AH, ESP, dest.
 */
import { rd16, rd32 } from './bytes.js';
import { ETH_TYPE_IPV4 } from './ethertype.js';
import {
  type FlowKey, M_L3_OFS, M_L4_PROTO_OFS, M_MALFORMED, M_NW_FRAG, M_NW_TTL, NW_FRAG_FIRST,
  NW_FRAG_LATER, OFPIEH_AUTH, OFPIEH_DEST, OFPIEH_ESP, OFPIEH_FRAG, OFPIEH_HOP, OFPIEH_NONEXT,
  OFPIEH_ROUTER, OFPIEH_UNREP, OFPIEH_UNSEQ, P_ARP, P_IPV4, P_IPV6, P_L3, W_ARP_MIX,
  W_ARP_SHA_HI, W_ARP_THA_LO, W_IP, W_IPV6_DST, W_IPV6_MISC, W_IPV6_SRC, W_NW_DST, W_NW_SRC,
  W_PRESENT,
} from './flow-key.js';
import { parseL4 } from './parse-l4.js';

const IPPROTO_HOPOPTS = 0;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_ESP = 50;
const IPPROTO_AH = 51;
const IPPROTO_NONE = 59;
const IPPROTO_DSTOPTS = 60;

export function parseArp(f: Uint8Array, s: number, l3: number, end: number, key: FlowKey): void {
  const w = key.words;
  key.meta[M_L3_OFS] = l3 - s;
  if (l3 + 28 > end) {
    key.meta[M_MALFORMED] = 1;
    return;
  }
  // OF1.3 ARP fields are defined for Ethernet/IPv4 ARP only (RFC 826 with htype 1).
  if (rd16(f, l3) !== 1 || rd16(f, l3 + 2) !== ETH_TYPE_IPV4 || f[l3 + 4] !== 6 || f[l3 + 5] !== 4) return;
  w[W_IP] = rd16(f, l3 + 6);
  w[W_ARP_SHA_HI] = rd32(f, l3 + 8);
  w[W_ARP_MIX] = ((rd16(f, l3 + 12) << 16) | rd16(f, l3 + 18)) >>> 0;
  w[W_ARP_THA_LO] = rd32(f, l3 + 20);
  w[W_NW_SRC] = rd32(f, l3 + 14);
  w[W_NW_DST] = rd32(f, l3 + 24);
  w[W_PRESENT]! |= P_ARP;
}

export function parseIpv4(f: Uint8Array, s: number, l3: number, end: number, key: FlowKey): void {
  const w = key.words;
  const m = key.meta;
  m[M_L3_OFS] = l3 - s;
  if (l3 + 20 > end) {
    m[M_MALFORMED] = 1;
    return;
  }
  const vihl = f[l3]!;
  const ihl = (vihl & 0xf) * 4;
  const total = rd16(f, l3 + 2);
  if (vihl >>> 4 !== 4 || ihl < 20 || total < ihl || l3 + total > end) {
    m[M_MALFORMED] = 1;
    return;
  }
  const proto = f[l3 + 9]!;
  // The TOS byte is dscp(6) | ecn(2): shifted to the top it lands on both key fields.
  w[W_IP] = ((f[l3 + 1]! << 24) | (proto << 16)) >>> 0;
  w[W_NW_SRC] = rd32(f, l3 + 12);
  w[W_NW_DST] = rd32(f, l3 + 16);
  w[W_PRESENT]! |= P_IPV4 | P_L3;
  m[M_NW_TTL] = f[l3 + 8]!;
  m[M_L4_PROTO_OFS] = l3 + 9 - s;
  const frag = rd16(f, l3 + 6); // flags(3): reserved, DF, MF | offset(13)
  if ((frag & 0x1fff) !== 0) {
    m[M_NW_FRAG] = NW_FRAG_LATER;
    return;
  }
  if ((frag & 0x2000) !== 0) m[M_NW_FRAG] = NW_FRAG_FIRST;
  parseL4(f, s, l3 + ihl, l3 + total, proto, 4, key);
}

export function parseIpv6(f: Uint8Array, s: number, l3: number, end: number, key: FlowKey): void {
  const w = key.words;
  const m = key.meta;
  m[M_L3_OFS] = l3 - s;
  if (l3 + 40 > end) {
    m[M_MALFORMED] = 1;
    return;
  }
  const vtf = rd32(f, l3); // version(4) traffic class(8) flow label(20)
  const e = l3 + 40 + rd16(f, l3 + 4);
  if (vtf >>> 28 !== 6 || e > end) {
    m[M_MALFORMED] = 1;
    return;
  }
  for (let i = 0; i < 4; i++) {
    w[W_IPV6_SRC + i] = rd32(f, l3 + 8 + 4 * i);
    w[W_IPV6_DST + i] = rd32(f, l3 + 24 + 4 * i);
  }
  w[W_PRESENT]! |= P_IPV6 | P_L3;
  m[M_NW_TTL] = f[l3 + 7]!;

  let nh = f[l3 + 6]!;
  let nhOfs = l3 + 6;
  let o = l3 + 40;
  let flags = 0;
  let seen = 0;
  let last = 0; // highest rank in RFC 2460 §4.1 order met so far
  let destBefore = false;
  let destAfter = false;
  let later = false;
  let truncated = false;
  walk: for (;;) {
    let bit: number;
    let rank: number;
    switch (nh) {
      case IPPROTO_NONE: flags |= OFPIEH_NONEXT; break walk;
      case IPPROTO_HOPOPTS: bit = OFPIEH_HOP; rank = 1; break;
      case IPPROTO_ROUTING: bit = OFPIEH_ROUTER; rank = 3; break;
      case IPPROTO_FRAGMENT: bit = OFPIEH_FRAG; rank = 4; break;
      case IPPROTO_AH: bit = OFPIEH_AUTH; rank = 5; break;
      case IPPROTO_ESP: bit = OFPIEH_ESP; rank = 6; break;
      case IPPROTO_DSTOPTS:
        bit = OFPIEH_DEST;
        if ((seen & OFPIEH_ROUTER) === 0 && !destBefore && last <= 2) {
          rank = 2;
          destBefore = true;
        } else {
          rank = 7;
          if (destAfter) flags |= OFPIEH_UNREP;
          destAfter = true;
        }
        break;
      default: break walk; // upper-layer protocol
    }
    if (bit !== OFPIEH_DEST && (seen & bit) !== 0) flags |= OFPIEH_UNREP;
    if (rank < last) flags |= OFPIEH_UNSEQ;
    if (rank > last) last = rank;
    if (nh === IPPROTO_ESP) {
      flags |= OFPIEH_ESP; // encrypted from here on
      break;
    }
    if (o + 8 > e) {
      truncated = true;
      break;
    }
    // Declared length: fragment is fixed, AH counts 4-octet units minus 2 (RFC 4302
    // §2.2), the others 8-octet units minus 1 (RFC 8200 §4.3-4.6).
    const hl = nh === IPPROTO_FRAGMENT ? 8 : nh === IPPROTO_AH ? (f[o + 1]! + 2) * 4 : (f[o + 1]! + 1) * 8;
    if (o + hl > e) {
      truncated = true;
      break;
    }
    seen |= bit;
    flags |= bit;
    if (nh === IPPROTO_FRAGMENT) {
      later = (rd16(f, o + 2) & 0xfff8) !== 0; // fragment offset(13) res(2) M(1)
      m[M_NW_FRAG] = later ? NW_FRAG_LATER : NW_FRAG_FIRST;
    }
    nhOfs = o;
    nh = f[o]!;
    o += hl;
    if (later) break;
  }
  w[W_IP] = ((((vtf >>> 20) & 0xff) << 24) | (nh << 16)) >>> 0;
  w[W_IPV6_MISC] = ((flags << 20) | (vtf & 0xfffff)) >>> 0;
  m[M_L4_PROTO_OFS] = nhOfs - s;
  if (truncated) m[M_MALFORMED] = 1;
  else if (!later && nh !== IPPROTO_ESP && nh !== IPPROTO_NONE) parseL4(f, s, o, e, nh, 6, key);
}
