/**
 * The frame rewriter the reference executor (execute.ts) uses, behind a small interface so
 * that the datapath can plug in src/packet/rewrite.ts.
 *
 * `basicRewriter` is a MINIMAL ADAPTER written while src/packet/rewrite.ts did not exist
 * yet. It covers Ethernet, 802.1Q/802.1ad tags (push/pop, vid, pcp), eth addresses, IPv4
 * (dscp, ecn, addresses, TTL with header checksum, RFC 1624 incremental updates of the
 * TCP/UDP checksum for address and port changes), TCP/UDP ports and the IPv6 hop limit.
 * MPLS, PBB, copy-TTL, ARP/IPv6/ICMP/ND set-field are not applied (apply returns false).
 * It parses the headers it needs from the bytes on each call (no FlowKey meta needed).
 *
 * Invariants
 *  - The frame is buf[start, start+len); pushes move `start` back into the headroom, pops
 *    move it forward. Nothing is allocated.
 *  - apply() returns false and leaves the frame untouched when the op does not apply.
 */
import type { Op } from './decision.js';
import {
  OFPXMT_OFB_ETH_DST, OFPXMT_OFB_ETH_SRC, OFPXMT_OFB_IPV4_DST, OFPXMT_OFB_IPV4_SRC,
  OFPXMT_OFB_IP_DSCP, OFPXMT_OFB_IP_ECN, OFPXMT_OFB_TCP_DST, OFPXMT_OFB_TCP_SRC,
  OFPXMT_OFB_UDP_DST, OFPXMT_OFB_UDP_SRC, OFPXMT_OFB_VLAN_PCP, OFPXMT_OFB_VLAN_VID,
} from './oxm.js';

export interface FrameView {
  readonly buf: Uint8Array;
  start: number;
  len: number;
}

export interface FrameRewriter {
  apply(op: Op, f: FrameView): boolean;
  /** ip_dscp of the frame, or -1 when it is not IP. */
  dscp(f: FrameView): number;
  setDscp(f: FrameView, dscp: number): void;
  /** IPv4 TTL / IPv6 hop limit, or -1. */
  nwTtl(f: FrameView): number;
  /** TTL of the outer MPLS entry, or -1. */
  mplsTtl(f: FrameView): number;
}

const rd16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const wr16 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
};
const isTpid = (t: number): boolean => t === 0x8100 || t === 0x88a8;

/** Offset (absolute) of the final ethertype, after all VLAN tags. */
function ethTypeOfs(f: FrameView): number {
  let o = f.start + 12;
  while (o + 4 <= f.start + f.len && isTpid(rd16(f.buf, o))) o += 4;
  return o;
}

/** Absolute offset of the IPv4 header, or -1. */
function ipv4Ofs(f: FrameView): number {
  const o = ethTypeOfs(f);
  if (o + 2 + 20 > f.start + f.len || rd16(f.buf, o) !== 0x0800) return -1;
  return o + 2;
}

function ipv6Ofs(f: FrameView): number {
  const o = ethTypeOfs(f);
  if (o + 2 + 40 > f.start + f.len || rd16(f.buf, o) !== 0x86dd) return -1;
  return o + 2;
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
function csumUpdate16(b: Uint8Array, csumOfs: number, oldV: number, newV: number): void {
  let s = (~rd16(b, csumOfs) & 0xffff) + (~oldV & 0xffff) + newV;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  wr16(b, csumOfs, ~s & 0xffff);
}

/** Writes a 16-bit word of the IPv4 header and fixes the header checksum. */
function ipv4Write16(b: Uint8Array, ip: number, rel: number, v: number): void {
  const old = rd16(b, ip + rel);
  wr16(b, ip + rel, v);
  csumUpdate16(b, ip + 10, old, v);
}

/** L4 checksum offset (absolute) for TCP/UDP after an unfragmented IPv4 header, or -1. */
function l4Csum(f: FrameView, ip: number): { l4: number; csum: number } | null {
  if ((rd16(f.buf, ip + 6) & 0x3fff) !== 0) return null; // fragment: no L4 header here
  const l4 = ip + (f.buf[ip]! & 0x0f) * 4;
  const proto = f.buf[ip + 9];
  if (proto === 6 && l4 + 20 <= f.start + f.len) return { l4, csum: l4 + 16 };
  if (proto === 17 && l4 + 8 <= f.start + f.len) return { l4, csum: rd16(f.buf, l4 + 6) === 0 ? -1 : l4 + 6 };
  return null;
}

function setIpv4Addr(f: FrameView, rel: number, value: Uint8Array): boolean {
  const ip = ipv4Ofs(f);
  if (ip < 0) return false;
  const t = l4Csum(f, ip);
  for (let i = 0; i < 4; i += 2) {
    const nv = (value[i]! << 8) | value[i + 1]!;
    const old = rd16(f.buf, ip + rel + i);
    ipv4Write16(f.buf, ip, rel + i, nv);
    if (t && t.csum >= 0) csumUpdate16(f.buf, t.csum, old, nv); // pseudo-header
  }
  return true;
}

function setL4Port(f: FrameView, proto: number, rel: number, value: Uint8Array): boolean {
  const ip = ipv4Ofs(f);
  if (ip < 0 || f.buf[ip + 9] !== proto) return false;
  const t = l4Csum(f, ip);
  if (!t) return false;
  const nv = (value[0]! << 8) | value[1]!;
  const old = rd16(f.buf, t.l4 + rel);
  wr16(f.buf, t.l4 + rel, nv);
  if (t.csum >= 0) csumUpdate16(f.buf, t.csum, old, nv);
  return true;
}

function setTos(f: FrameView, tos: (old: number) => number): boolean {
  const ip = ipv4Ofs(f);
  if (ip >= 0) {
    const w = rd16(f.buf, ip);
    ipv4Write16(f.buf, ip, 0, (w & 0xff00) | tos(w & 0xff));
    return true;
  }
  const ip6 = ipv6Ofs(f);
  if (ip6 < 0) return false;
  const w = rd16(f.buf, ip6); // version(4) | traffic class(8) | flow label hi(4)
  wr16(f.buf, ip6, (w & 0xf00f) | (tos((w >>> 4) & 0xff) << 4));
  return true;
}

function setField(f: FrameView, field: number, value: Uint8Array): boolean {
  const b = f.buf;
  switch (field) {
    case OFPXMT_OFB_ETH_DST: b.set(value, f.start); return true;
    case OFPXMT_OFB_ETH_SRC: b.set(value, f.start + 6); return true;
    case OFPXMT_OFB_VLAN_VID:
    case OFPXMT_OFB_VLAN_PCP: {
      if (!isTpid(rd16(b, f.start + 12))) return false;
      const tci = rd16(b, f.start + 14);
      wr16(b, f.start + 14, field === OFPXMT_OFB_VLAN_VID
        ? (tci & 0xf000) | (rd16(value, 0) & 0x0fff)
        : (tci & 0x1fff) | ((value[0]! & 7) << 13));
      return true;
    }
    case OFPXMT_OFB_IP_DSCP: return setTos(f, (t) => ((value[0]! & 0x3f) << 2) | (t & 3));
    case OFPXMT_OFB_IP_ECN: return setTos(f, (t) => (t & 0xfc) | (value[0]! & 3));
    case OFPXMT_OFB_IPV4_SRC: return setIpv4Addr(f, 12, value);
    case OFPXMT_OFB_IPV4_DST: return setIpv4Addr(f, 16, value);
    case OFPXMT_OFB_TCP_SRC: return setL4Port(f, 6, 0, value);
    case OFPXMT_OFB_TCP_DST: return setL4Port(f, 6, 2, value);
    case OFPXMT_OFB_UDP_SRC: return setL4Port(f, 17, 0, value);
    case OFPXMT_OFB_UDP_DST: return setL4Port(f, 17, 2, value);
    default: return false;
  }
}

function setNwTtl(f: FrameView, ttl: (old: number) => number): boolean {
  const ip = ipv4Ofs(f);
  if (ip >= 0) {
    const w = rd16(f.buf, ip + 8); // ttl | proto
    ipv4Write16(f.buf, ip, 8, (ttl(w >>> 8) << 8) | (w & 0xff));
    return true;
  }
  const ip6 = ipv6Ofs(f);
  if (ip6 < 0) return false;
  f.buf[ip6 + 7] = ttl(f.buf[ip6 + 7]!);
  return true;
}

export const basicRewriter: FrameRewriter = {
  apply(op, f) {
    const b = f.buf;
    switch (op.op) {
      case 'set_field':
        return setField(f, op.field, op.value);
      case 'push_vlan': {
        if (f.start < 4) return false;
        // OF1.3.5 §7.2.5: the new outer tag copies VID/PCP from the existing outer tag.
        const tci = isTpid(rd16(b, f.start + 12)) ? rd16(b, f.start + 14) : 0;
        b.copyWithin(f.start - 4, f.start, f.start + 12);
        f.start -= 4;
        f.len += 4;
        wr16(b, f.start + 12, op.ethertype);
        wr16(b, f.start + 14, tci);
        return true;
      }
      case 'pop_vlan':
        if (f.len < 18 || !isTpid(rd16(b, f.start + 12))) return false;
        b.copyWithin(f.start + 4, f.start, f.start + 12);
        f.start += 4;
        f.len -= 4;
        return true;
      case 'dec_nw_ttl':
        return setNwTtl(f, (t) => t - 1);
      case 'set_nw_ttl':
        return setNwTtl(f, () => op.ttl & 0xff);
      default:
        return false; // MPLS, PBB, copy-TTL: see the header comment
    }
  },
  dscp(f) {
    const ip = ipv4Ofs(f);
    if (ip >= 0) return f.buf[ip + 1]! >>> 2;
    const ip6 = ipv6Ofs(f);
    return ip6 >= 0 ? (rd16(f.buf, ip6) >>> 6) & 0x3f : -1;
  },
  setDscp(f, dscp) {
    setTos(f, (t) => ((dscp & 0x3f) << 2) | (t & 3));
  },
  nwTtl(f) {
    const ip = ipv4Ofs(f);
    if (ip >= 0) return f.buf[ip + 8]!;
    const ip6 = ipv6Ofs(f);
    return ip6 >= 0 ? f.buf[ip6 + 7]! : -1;
  },
  mplsTtl() {
    return -1;
  },
};
