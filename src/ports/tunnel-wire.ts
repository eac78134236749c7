/**
 * The tunnel headers Sluice writes and reads between the outer UDP/IP header (written and
 * removed by the kernel and the addon) and the inner Ethernet frame:
 *
 *   VXLAN (RFC 7348 §5), after UDP:        Geneve (RFC 8926 §3.4), after UDP:
 *    0      1      2      3                 0          1         2      3
 *   |I=0x08| reserved (0)       |          |Ver|OptLen|O|C|rsvd| Protocol Type 0x6558 |
 *   | VNI (24 bits)      | rsvd |          | VNI (24 bits)              | reserved      |
 *                                          | options: OptLen × 4 bytes                  |
 *   GRE (RFC 2784, key and sequence RFC 2890), after IPv4 protocol 47:
 *   |C| |K|S| reserved0 | Ver | Protocol Type 0x6558 (Transparent Ethernet Bridging) |
 *   [ checksum | reserved1 ]  if C      [ key ]  if K      [ sequence number ]  if S
 *   NVGRE (RFC 7637 §3.2) is GRE with K set and the key = VSID (24 bits) << 8 | FlowID.
 *
 * Invariants
 *  - encode* write into a caller's buffer and return the header length; decode* read in
 *    place and return a header length > 0, or a negative DropReason. Nothing allocates.
 *  - Receive is strict where Linux is: VXLAN without the I flag or with other flags set,
 *    Geneve of another version, another protocol or with critical options (C: a switch
 *    that does not know an option must drop, RFC 8926 §3.5.1), GRE of another version
 *    or protocol, or with routing present (R, RFC 2784 deprecated it): dropped by reason.
 */
import { ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_VLAN, ETH_TYPE_VLAN_8021AD } from '../packet/ethertype.js';

export type TunnelProto = 'vxlan' | 'geneve' | 'gre';

export const VXLAN_PORT = 4789; // IANA, RFC 7348 §5
export const GENEVE_PORT = 6081; // IANA, RFC 8926 §3.3
export const ETH_P_TEB = 0x6558; // Transparent Ethernet Bridging
const VXLAN_HLEN = 8;
const GENEVE_BASE_HLEN = 8;

const VXLAN_FLAG_I = 0x08;
const GENEVE_C = 0x40;
const GRE_C = 0x80;
const GRE_R = 0x40;
const GRE_K = 0x20;
const GRE_S = 0x10;

/** Why a received tunnel packet was dropped (negative: returned by decode and demux). */
export const DropReason = {
  Short: -1,
  BadFlags: -2,
  BadVersion: -3,
  BadProtocol: -4,
  CriticalOption: -5,
  NoPort: -6,
  /** the outer header says Congestion Experienced, the inner packet is not ECN-capable:
   * RFC 6040 §4.2 drops it (the congestion signal could not be passed on) */
  EcnNotEct: -7,
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

export const DROP_REASON_NAMES = ['short_header', 'bad_flags', 'bad_version', 'bad_protocol', 'critical_option', 'no_port', 'ecn_ce_not_ect'] as const;
export type DropReasonName = (typeof DROP_REASON_NAMES)[number];
export const dropReasonName = (r: number): DropReasonName => DROP_REASON_NAMES[-r - 1]!;

export function encodeVxlan(b: Uint8Array, off: number, vni: number): number {
  b[off] = VXLAN_FLAG_I;
  b[off + 1] = 0;
  b[off + 2] = 0;
  b[off + 3] = 0;
  b[off + 4] = (vni >>> 16) & 0xff;
  b[off + 5] = (vni >>> 8) & 0xff;
  b[off + 6] = vni & 0xff;
  b[off + 7] = 0;
  return VXLAN_HLEN;
}

/** Geneve header without options, or with `opts` (a multiple of 4 bytes, ≤ 252). */
export function encodeGeneve(b: Uint8Array, off: number, vni: number, opts?: Uint8Array): number {
  const olen = opts === undefined ? 0 : opts.length;
  b[off] = (olen >>> 2) & 0x3f; // version 0
  b[off + 1] = 0; // O = 0 (not OAM), C = 0 (no critical options of ours)
  b[off + 2] = ETH_P_TEB >>> 8;
  b[off + 3] = ETH_P_TEB & 0xff;
  b[off + 4] = (vni >>> 16) & 0xff;
  b[off + 5] = (vni >>> 8) & 0xff;
  b[off + 6] = vni & 0xff;
  b[off + 7] = 0;
  for (let i = 0; i < olen; i++) b[off + 8 + i] = opts![i]!;
  return GENEVE_BASE_HLEN + olen;
}

/** GRE with the K bit when `key` is not null (RFC 2890 §2.1). */
export function encodeGre(b: Uint8Array, off: number, key: number | null): number {
  b[off] = key === null ? 0 : GRE_K;
  b[off + 1] = 0; // version 0
  b[off + 2] = ETH_P_TEB >>> 8;
  b[off + 3] = ETH_P_TEB & 0xff;
  if (key === null) return 4;
  b[off + 4] = (key >>> 24) & 0xff;
  b[off + 5] = (key >>> 16) & 0xff;
  b[off + 6] = (key >>> 8) & 0xff;
  b[off + 7] = key & 0xff;
  return 8;
}

/** What decode found: the key (VNI or GRE key; -1 = GRE without key) and, for Geneve,
 * where the options are. One instance per endpoint, overwritten per packet. */
export class TunnelHeader {
  key = 0;
  hasKey = false;
  optOff = 0;
  optLen = 0;
}

export function decodeVxlan(b: Uint8Array, off: number, len: number, h: TunnelHeader): number {
  if (len < VXLAN_HLEN) return DropReason.Short;
  // Linux (vxlan_rcv) drops what it does not understand: I must be set, nothing else.
  if (b[off] !== VXLAN_FLAG_I || b[off + 1] !== 0 || b[off + 2] !== 0 || b[off + 3] !== 0) return DropReason.BadFlags;
  h.key = (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!;
  h.hasKey = true;
  h.optOff = 0;
  h.optLen = 0;
  return VXLAN_HLEN;
}

export function decodeGeneve(b: Uint8Array, off: number, len: number, h: TunnelHeader): number {
  if (len < GENEVE_BASE_HLEN) return DropReason.Short;
  if (b[off]! >>> 6 !== 0) return DropReason.BadVersion;
  const optLen = (b[off]! & 0x3f) << 2;
  if (len < GENEVE_BASE_HLEN + optLen) return DropReason.Short;
  if (((b[off + 2]! << 8) | b[off + 3]!) !== ETH_P_TEB) return DropReason.BadProtocol;
  if ((b[off + 1]! & GENEVE_C) !== 0) return DropReason.CriticalOption;
  h.key = (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!;
  h.hasKey = true;
  h.optOff = off + GENEVE_BASE_HLEN;
  h.optLen = optLen;
  return GENEVE_BASE_HLEN + optLen;
}

export function decodeGre(b: Uint8Array, off: number, len: number, h: TunnelHeader): number {
  if (len < 4) return DropReason.Short;
  const f = b[off]!;
  if ((b[off + 1]! & 0x07) !== 0) return DropReason.BadVersion;
  if ((f & GRE_R) !== 0 || (f & 0x0f) !== 0 || (b[off + 1]! & 0xf8) !== 0) return DropReason.BadFlags;
  if (((b[off + 2]! << 8) | b[off + 3]!) !== ETH_P_TEB) return DropReason.BadProtocol;
  let hl = 4 + ((f & GRE_C) !== 0 ? 4 : 0);
  h.hasKey = (f & GRE_K) !== 0;
  if (h.hasKey) {
    if (len < hl + 4) return DropReason.Short;
    h.key = ((b[off + hl]! << 24) | (b[off + hl + 1]! << 16) | (b[off + hl + 2]! << 8) | b[off + hl + 3]!) >>> 0;
    hl += 4;
  } else h.key = 0;
  if ((f & GRE_S) !== 0) hl += 4;
  if (len < hl) return DropReason.Short;
  h.optOff = 0;
  h.optLen = 0;
  return hl;
}

export function decodeTunnel(proto: TunnelProto, b: Uint8Array, off: number, len: number, h: TunnelHeader): number {
  return proto === 'vxlan' ? decodeVxlan(b, off, len, h) : proto === 'geneve' ? decodeGeneve(b, off, len, h) : decodeGre(b, off, len, h);
}

const ECN_ECT1 = 1;
const ECN_ECT0 = 2;
const ECN_CE = 3;

/** RFC 6040 §4.2 (normal mode) at decapsulation: the outer ECN field is combined into the
 * inner IPv4/IPv6 header of the frame at b[off..off+len) (one VLAN tag allowed), in place:
 * outer CE marks an ECT inner packet CE, outer ECT(1) turns inner ECT(0) into ECT(1); an
 * inner Not-ECT packet under an outer CE is to be dropped (DropReason.EcnNotEct). The IPv4
 * header checksum is updated incrementally (RFC 1624). Returns 0 or the drop reason. */
export function decapEcn(b: Uint8Array, off: number, len: number, outerTos: number): number {
  const outer = outerTos & 3;
  if (outer !== ECN_CE && outer !== ECN_ECT1) return 0;
  let et = off + 12;
  let type = (b[et]! << 8) | b[et + 1]!;
  if (type === ETH_TYPE_VLAN || type === ETH_TYPE_VLAN_8021AD) {
    et += 4;
    type = (b[et]! << 8) | b[et + 1]!;
  }
  const ip = et + 2;
  const end = off + len;
  let inner: number;
  if (type === ETH_TYPE_IPV4 && ip + 20 <= end) inner = b[ip + 1]! & 3;
  else if (type === ETH_TYPE_IPV6 && ip + 40 <= end) inner = (b[ip + 1]! >>> 4) & 3;
  else return 0; // not IP: no ECN field to carry the mark
  let ecn = inner;
  if (outer === ECN_CE) {
    if (inner === 0) return DropReason.EcnNotEct;
    ecn = ECN_CE;
  } else if (inner === ECN_ECT0) ecn = ECN_ECT1;
  if (ecn === inner) return 0;
  if (type === ETH_TYPE_IPV6) {
    b[ip + 1] = (b[ip + 1]! & 0xcf) | (ecn << 4);
    return 0;
  }
  const before = (b[ip]! << 8) | b[ip + 1]!;
  b[ip + 1] = (b[ip + 1]! & 0xfc) | ecn;
  const after = (b[ip]! << 8) | b[ip + 1]!;
  // HC' = ~(~HC + ~m + m'), one's complement sums of 16-bit words
  let sum = (~((b[ip + 10]! << 8) | b[ip + 11]!) & 0xffff) + (~before & 0xffff) + after;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  const hc = ~sum & 0xffff;
  b[ip + 10] = hc >>> 8;
  b[ip + 11] = hc & 0xff;
  return 0;
}

/** The source-port value of an inner flow, in the ephemeral range 49152–65535 (RFC 7348
 * §5, RFC 8926 §3.3), from a hash of the flow so that the underlay's ECMP spreads flows
 * while one flow keeps its path. The addon sends from the bound pool socket this value
 * selects (srcPorts[value % pool size], native.ts tunnelTxBurst), so the port on the wire
 * is that socket's. */
export function udpSourcePort(flowHash: number): number {
  return 49152 + ((flowHash ^ (flowHash >>> 16)) & 0x3fff);
}

/** IPv4 dotted quad → host-order u32, or -1 when it is not one. */
export function parseIpv4(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return -1;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return -1;
    v = v * 256 + o;
  }
  return v;
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
