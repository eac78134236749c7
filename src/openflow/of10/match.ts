/**
 * The 40-byte OpenFlow 1.0 ofp_match (§5.2.3) ⇄ the internal match (a list of OXM fields,
 * pipeline/types.ts Match).
 *
 * Decoding follows 1.0's rules for fields that do not apply (§5.2.3, and as Open vSwitch
 * normalizes them): nw_* only with dl_type IPv4 (nw_proto, nw_src, nw_dst = ARP opcode,
 * spa, tpa with dl_type ARP), tp_* only with nw_proto TCP/UDP (ICMP type/code with ICMP);
 * fields that do not apply are ignored, never an error. dl_vlan = OFP_VLAN_NONE is "no
 * tag" (OXM vlan_vid = OFPVID_NONE); a dl_vlan_pcp with a wildcarded dl_vlan means "any
 * tag with this PCP" (vlan_vid=0x1000/0x1000). nw_src/nw_dst wildcard a count of low bits
 * (a CIDR prefix); ≥ 32 wildcards the whole address.
 *
 * Encoding is lossy where 1.0 cannot say what a 1.3 rule matches (IPv6, MPLS, metadata,
 * tunnel, partial Ethernet masks, non-prefix IPv4 masks, "any VLAN tag"): such a field is
 * left wildcarded — README "OpenFlow 1.0" documents what a 1.0 controller then sees.
 */
import {
  OFPXMT_OFB_ARP_OP, OFPXMT_OFB_ARP_SPA, OFPXMT_OFB_ARP_TPA, OFPXMT_OFB_ETH_DST, OFPXMT_OFB_ETH_SRC,
  OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_ICMPV4_CODE, OFPXMT_OFB_ICMPV4_TYPE, OFPXMT_OFB_IN_PORT, OFPXMT_OFB_IP_DSCP,
  OFPXMT_OFB_IP_PROTO, OFPXMT_OFB_IPV4_DST, OFPXMT_OFB_IPV4_SRC, OFPXMT_OFB_SCTP_DST, OFPXMT_OFB_SCTP_SRC,
  OFPXMT_OFB_TCP_DST, OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_UDP_DST, OFPXMT_OFB_UDP_SRC, OFPXMT_OFB_VLAN_PCP,
  OFPXMT_OFB_VLAN_VID,
} from '../../packet/oxm.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4 } from '../../packet/ethertype.js';
import { OFPVID_PRESENT } from '../../packet/flow-key.js';
import type { Match, OxmField } from '../../pipeline/types.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFP10_MATCH_LEN, OFP10_VLAN_NONE, OFPFW10_ALL, OFPFW10_DL_DST, OFPFW10_DL_SRC, OFPFW10_DL_TYPE, OFPFW10_DL_VLAN, OFPFW10_DL_VLAN_PCP,
  OFPFW10_IN_PORT, OFPFW10_NW_BITS_MASK, OFPFW10_NW_DST_SHIFT, OFPFW10_NW_PROTO, OFPFW10_NW_SRC_SHIFT, OFPFW10_NW_TOS,
  OFPFW10_TP_DST, OFPFW10_TP_SRC,
} from './constants.js';
import { OFP10_MATCH as M } from './layouts.js';
import { port16To32, port32To16 } from './ports.js';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** n big-endian bytes of v. */
export function beBytes(v: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = v;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = x & 0xff;
    x = Math.floor(x / 256);
  }
  return out;
}

/** A big-endian byte string (≤ 6 bytes) as a number. */
export function beNumber(b: Uint8Array): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

const field = (f: number, value: Uint8Array, mask?: Uint8Array): OxmField => (mask ? { field: f, value, mask } : { field: f, value });

/** An IPv4 field from a 1.0 address and its count of wildcarded low bits; null = all wild. */
function ipv4Field(f: number, addr: number, wildBits: number): OxmField | null {
  if (wildBits >= 32) return null;
  if (wildBits === 0) return field(f, beBytes(addr, 4));
  const mask = (0xffffffff << wildBits) >>> 0;
  return field(f, beBytes((addr & mask) >>> 0, 4), beBytes(mask, 4));
}

/** Reads an ofp_match at the Reader's position (the caller checked 40 bytes are there). */
export function decodeMatch10(r: Reader): Match {
  const at = r.pos;
  const wc = r.u32At(at, M.WILDCARDS);
  r.pos = at + OFP10_MATCH_LEN;
  const out: OxmField[] = [];
  const has = (bit: number): boolean => (wc & bit) === 0;
  if (has(OFPFW10_IN_PORT)) out.push(field(OFPXMT_OFB_IN_PORT, beBytes(port16To32(r.u16At(at, M.IN_PORT)), 4)));
  if (has(OFPFW10_DL_DST)) out.push(field(OFPXMT_OFB_ETH_DST, r.bytesAt(at, M.DL_DST)));
  if (has(OFPFW10_DL_SRC)) out.push(field(OFPXMT_OFB_ETH_SRC, r.bytesAt(at, M.DL_SRC)));
  const dlType = has(OFPFW10_DL_TYPE) ? r.u16At(at, M.DL_TYPE) : -1;
  if (dlType >= 0) out.push(field(OFPXMT_OFB_ETH_TYPE, beBytes(dlType, 2)));
  const vlan = has(OFPFW10_DL_VLAN) ? r.u16At(at, M.DL_VLAN) : -1;
  if (vlan === OFP10_VLAN_NONE) {
    out.push(field(OFPXMT_OFB_VLAN_VID, beBytes(0, 2)));
  } else {
    if (vlan >= 0) out.push(field(OFPXMT_OFB_VLAN_VID, beBytes((vlan & 0xfff) | OFPVID_PRESENT, 2)));
    if (has(OFPFW10_DL_VLAN_PCP)) {
      if (vlan < 0) out.push(field(OFPXMT_OFB_VLAN_VID, beBytes(OFPVID_PRESENT, 2), beBytes(OFPVID_PRESENT, 2)));
      out.push(field(OFPXMT_OFB_VLAN_PCP, new Uint8Array([r.u8At(at, M.DL_VLAN_PCP) & 7])));
    }
  }
  const proto = has(OFPFW10_NW_PROTO) ? r.u8At(at, M.NW_PROTO) : -1;
  const srcWild = (wc >>> OFPFW10_NW_SRC_SHIFT) & OFPFW10_NW_BITS_MASK;
  const dstWild = (wc >>> OFPFW10_NW_DST_SHIFT) & OFPFW10_NW_BITS_MASK;
  const nwSrc = r.u32At(at, M.NW_SRC);
  const nwDst = r.u32At(at, M.NW_DST);
  if (dlType === ETH_TYPE_IPV4) {
    if (has(OFPFW10_NW_TOS)) out.push(field(OFPXMT_OFB_IP_DSCP, new Uint8Array([r.u8At(at, M.NW_TOS) >> 2])));
    if (proto >= 0) out.push(field(OFPXMT_OFB_IP_PROTO, new Uint8Array([proto])));
    for (const f of [ipv4Field(OFPXMT_OFB_IPV4_SRC, nwSrc, srcWild), ipv4Field(OFPXMT_OFB_IPV4_DST, nwDst, dstWild)]) if (f) out.push(f);
    const l4 = proto === IPPROTO_TCP ? [OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST, 2]
      : proto === IPPROTO_UDP ? [OFPXMT_OFB_UDP_SRC, OFPXMT_OFB_UDP_DST, 2]
        : proto === IPPROTO_ICMP ? [OFPXMT_OFB_ICMPV4_TYPE, OFPXMT_OFB_ICMPV4_CODE, 1] : null;
    if (l4) {
      const [s, d, n] = l4 as [number, number, number];
      if (has(OFPFW10_TP_SRC)) out.push(field(s, beBytes(r.u16At(at, M.TP_SRC) & (n === 1 ? 0xff : 0xffff), n)));
      if (has(OFPFW10_TP_DST)) out.push(field(d, beBytes(r.u16At(at, M.TP_DST) & (n === 1 ? 0xff : 0xffff), n)));
    }
  } else if (dlType === ETH_TYPE_ARP) {
    if (proto >= 0) out.push(field(OFPXMT_OFB_ARP_OP, beBytes(proto, 2)));
    for (const f of [ipv4Field(OFPXMT_OFB_ARP_SPA, nwSrc, srcWild), ipv4Field(OFPXMT_OFB_ARP_TPA, nwDst, dstWild)]) if (f) out.push(f);
  }
  return out;
}

/** Leading one bits of a 32-bit mask (a non-prefix mask counts its leading ones). */
function prefixLen(mask: number): number {
  let n = 0;
  while (n < 32 && ((mask >>> (31 - n)) & 1) === 1) n++;
  return n;
}

const allOnes = (b: Uint8Array | undefined): boolean => b === undefined || b.every((x) => x === 0xff);

/** Writes `m` as an ofp_match (40 bytes), wildcarding what 1.0 cannot express. */
export function encodeMatch10(w: Writer, m: Match): void {
  const at = w.pos;
  w.zeros(OFP10_MATCH_LEN);
  let wc = OFPFW10_ALL;
  const set = (bit: number): void => { wc &= ~bit; };
  let srcWild = 32;
  let dstWild = 32;
  for (const f of m) {
    const v = beNumber(f.value.subarray(0, Math.min(6, f.value.length)));
    switch (f.field) {
      case OFPXMT_OFB_IN_PORT: set(OFPFW10_IN_PORT); w.u16At(at, M.IN_PORT, port32To16(v)); break;
      case OFPXMT_OFB_ETH_DST: if (allOnes(f.mask)) { set(OFPFW10_DL_DST); w.bytesAt(at, M.DL_DST, f.value); } break;
      case OFPXMT_OFB_ETH_SRC: if (allOnes(f.mask)) { set(OFPFW10_DL_SRC); w.bytesAt(at, M.DL_SRC, f.value); } break;
      case OFPXMT_OFB_ETH_TYPE: set(OFPFW10_DL_TYPE); w.u16At(at, M.DL_TYPE, v); break;
      case OFPXMT_OFB_VLAN_VID:
        if (!allOnes(f.mask)) break; // "any tag": no 1.0 form
        set(OFPFW10_DL_VLAN);
        w.u16At(at, M.DL_VLAN, (v & OFPVID_PRESENT) === 0 ? OFP10_VLAN_NONE : v & 0xfff);
        break;
      case OFPXMT_OFB_VLAN_PCP: set(OFPFW10_DL_VLAN_PCP); w.u8At(at, M.DL_VLAN_PCP, v); break;
      case OFPXMT_OFB_IP_DSCP: set(OFPFW10_NW_TOS); w.u8At(at, M.NW_TOS, (v << 2) & 0xfc); break;
      case OFPXMT_OFB_IP_PROTO: case OFPXMT_OFB_ARP_OP: set(OFPFW10_NW_PROTO); w.u8At(at, M.NW_PROTO, v & 0xff); break;
      case OFPXMT_OFB_IPV4_SRC: case OFPXMT_OFB_ARP_SPA:
        srcWild = 32 - (f.mask ? prefixLen(beNumber(f.mask)) : 32);
        w.u32At(at, M.NW_SRC, v);
        break;
      case OFPXMT_OFB_IPV4_DST: case OFPXMT_OFB_ARP_TPA:
        dstWild = 32 - (f.mask ? prefixLen(beNumber(f.mask)) : 32);
        w.u32At(at, M.NW_DST, v);
        break;
      case OFPXMT_OFB_TCP_SRC: case OFPXMT_OFB_UDP_SRC: case OFPXMT_OFB_SCTP_SRC: case OFPXMT_OFB_ICMPV4_TYPE:
        set(OFPFW10_TP_SRC); w.u16At(at, M.TP_SRC, v); break;
      case OFPXMT_OFB_TCP_DST: case OFPXMT_OFB_UDP_DST: case OFPXMT_OFB_SCTP_DST: case OFPXMT_OFB_ICMPV4_CODE:
        set(OFPFW10_TP_DST); w.u16At(at, M.TP_DST, v); break;
      default: break; // no 1.0 form: left wildcarded
    }
  }
  wc = (wc & ~(OFPFW10_NW_BITS_MASK << OFPFW10_NW_SRC_SHIFT) & ~(OFPFW10_NW_BITS_MASK << OFPFW10_NW_DST_SHIFT))
    | (srcWild << OFPFW10_NW_SRC_SHIFT) | (dstWild << OFPFW10_NW_DST_SHIFT);
  w.u32At(at, M.WILDCARDS, wc >>> 0);
}
