/**
 * TCP, UDP, SCTP, ICMPv4, ICMPv6 and IPv6 Neighbor Discovery into a FlowKey. `o` is the L4
 * header's absolute offset and `e` the end of the IP datagram (not of the frame).
 *
 * Invariants (beyond parse.ts's)
 *  - ICMPv4 is only recognised over IPv4 and ICMPv6 only over IPv6 (OF1.3.5 §7.2.3.6
 *    prerequisites name ip_proto 1 and 58 under the matching eth_type only).
 *  - A header is present when its fixed part fits: TCP 20 (and its data offset is sane),
 *    UDP 8, SCTP 12 (common header), ICMP 4 (type, code, checksum).
 *  - ND (RFC 4861 §4.3, §4.4): NS (135) and NA (136) with code 0 and the 16-byte target
 *    present set P_ND_TARGET; the first Source (NS) / Target (NA) link-layer address
 *    option of length 1 (8 octets, Ethernet) sets P_ND_SLL / P_ND_TLL and M_ND_OPT_OFS.
 *    An option of length 0 or running past the datagram is malformed (RFC 4861 §4.6).
 */
import { rd16, rd32 } from './bytes.js';
import {
  type FlowKey, M_L4_OFS, M_MALFORMED, M_ND_OPT_OFS, M_TCP_FLAGS, P_ICMPV4, P_ICMPV6, P_ND_SLL,
  P_ND_TARGET, P_ND_TLL, P_SCTP, P_TCP, P_UDP, W_ARP_MIX, W_ARP_SHA_HI, W_ARP_THA_LO, W_L4,
  W_ND_TARGET, W_PRESENT, W_TCP_FLAGS,
} from './flow-key.js';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
const ND_NEIGHBOR_SOLICIT = 135;
const ND_NEIGHBOR_ADVERT = 136;
const ND_OPT_SOURCE_LINKADDR = 1;
const ND_OPT_TARGET_LINKADDR = 2;

export function parseL4(f: Uint8Array, s: number, o: number, e: number, proto: number, ipVersion: 4 | 6, key: FlowKey): void {
  const w = key.words;
  const m = key.meta;
  let need: number;
  switch (proto) {
    case IPPROTO_TCP: need = 20; break;
    case IPPROTO_UDP: need = 8; break;
    case IPPROTO_SCTP: need = 12; break;
    case IPPROTO_ICMP: if (ipVersion !== 4) return; need = 4; break;
    case IPPROTO_ICMPV6: if (ipVersion !== 6) return; need = 4; break;
    default: return;
  }
  m[M_L4_OFS] = o - s;
  if (o + need > e) {
    m[M_MALFORMED] = 1;
    return;
  }
  switch (proto) {
    case IPPROTO_TCP: {
      const dataOfs = f[o + 12]! >>> 4;
      if (dataOfs < 5 || o + dataOfs * 4 > e) {
        m[M_MALFORMED] = 1;
        return;
      }
      w[W_L4] = rd32(f, o);
      m[M_TCP_FLAGS] = w[W_TCP_FLAGS] = rd16(f, o + 12) & 0xfff;
      w[W_PRESENT]! |= P_TCP;
      return;
    }
    case IPPROTO_UDP:
      w[W_L4] = rd32(f, o);
      w[W_PRESENT]! |= P_UDP;
      return;
    case IPPROTO_SCTP:
      w[W_L4] = rd32(f, o);
      w[W_PRESENT]! |= P_SCTP;
      return;
    case IPPROTO_ICMP:
      w[W_L4] = (f[o]! << 16) | f[o + 1]!;
      w[W_PRESENT]! |= P_ICMPV4;
      return;
    default: {
      const type = f[o]!;
      w[W_L4] = (type << 16) | f[o + 1]!;
      w[W_PRESENT]! |= P_ICMPV6;
      if ((type === ND_NEIGHBOR_SOLICIT || type === ND_NEIGHBOR_ADVERT) && f[o + 1] === 0) {
        parseNd(f, s, o, e, type, key);
      }
    }
  }
}

function parseNd(f: Uint8Array, s: number, o: number, e: number, type: number, key: FlowKey): void {
  const w = key.words;
  const m = key.meta;
  // type code checksum(4) | flags/reserved(4) | target(16) | options
  if (o + 24 > e) {
    m[M_MALFORMED] = 1;
    return;
  }
  for (let i = 0; i < 4; i++) w[W_ND_TARGET + i] = rd32(f, o + 8 + 4 * i);
  w[W_PRESENT]! |= P_ND_TARGET;
  const want = type === ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LINKADDR : ND_OPT_TARGET_LINKADDR;
  for (let p = o + 24; p < e;) {
    const optLen = p + 2 <= e ? f[p + 1]! * 8 : 0;
    if (optLen === 0 || p + optLen > e) {
      m[M_MALFORMED] = 1;
      return;
    }
    if (f[p] === want && optLen === 8 && m[M_ND_OPT_OFS]! < 0) {
      m[M_ND_OPT_OFS] = p - s;
      if (want === ND_OPT_SOURCE_LINKADDR) {
        w[W_ARP_SHA_HI] = rd32(f, p + 2);
        w[W_ARP_MIX] = ((rd16(f, p + 6) << 16) | (w[W_ARP_MIX]! & 0xffff)) >>> 0;
        w[W_PRESENT]! |= P_ND_SLL;
      } else {
        w[W_ARP_MIX] = ((w[W_ARP_MIX]! & 0xffff0000) | rd16(f, p + 2)) >>> 0;
        w[W_ARP_THA_LO] = rd32(f, p + 4);
        w[W_PRESENT]! |= P_ND_TLL;
      }
    }
    p += optLen;
  }
}
