/**
 * TTL actions (OF1.3.5 §5.12 Table 6 / §7.2.5): dec/set IP TTL, dec/set MPLS TTL, copy
 * TTL outwards/inwards. In place, same length; IPv4 header checksum fixed incrementally.
 *
 * Invariants
 *  - dec_nw_ttl / dec_mpls_ttl return false — and leave the frame unchanged — when the TTL
 *    is 0 or 1: decrementing would give an invalid TTL (OF1.3.5 §5.12: the caller sends a
 *    packet-in with OFPR_INVALID_TTL if the port config asks for it, else drops). They
 *    return true otherwise, including when the frame has no such header (a no-op).
 *  - copy_ttl_out: next-to-outermost → outermost; copy_ttl_in: the reverse. Supported
 *    pairs: MPLS → MPLS (the next label) and MPLS ↔ IP (when the top label is bottom of
 *    stack, the payload's version nibble says IPv4 or IPv6). Other pairs are a no-op and
 *    return false. The IP header under MPLS is not in the key, so nothing in the key
 *    changes; M_NW_TTL is kept in step for the IP header the key describes.
 */
import { rd16 } from './bytes.js';
import { patchChecksum } from './checksum.js';
import { type FlowKey, M_FRAME_LEN, M_L3_OFS, M_MPLS_OFS, M_NW_TTL, P_IPV4, P_IPV6, P_MPLS } from './flow-key.js';

/** Sets the TTL of the IPv4 header at absolute `l3`, fixing its checksum (RFC 1624). */
function setIpv4TtlAt(b: Uint8Array, l3: number, ttl: number): void {
  const old = rd16(b, l3 + 8); // ttl | protocol
  b[l3 + 8] = ttl;
  patchChecksum(b, l3 + 10, old, rd16(b, l3 + 8));
}

export function decNwTtl(buf: Uint8Array, start: number, _len: number, key: FlowKey): boolean {
  const v4 = key.has(P_IPV4);
  if (!v4 && !key.has(P_IPV6)) return true;
  const l3 = start + key.meta[M_L3_OFS]!;
  const ttl = buf[l3 + (v4 ? 8 : 7)]!;
  if (ttl <= 1) return false;
  if (v4) setIpv4TtlAt(buf, l3, ttl - 1);
  else buf[l3 + 7] = ttl - 1;
  key.meta[M_NW_TTL] = ttl - 1;
  return true;
}

/** Returns false when the frame has no IP header. */
export function setNwTtl(buf: Uint8Array, start: number, _len: number, key: FlowKey, ttl: number): boolean {
  const v4 = key.has(P_IPV4);
  if (!v4 && !key.has(P_IPV6)) return false;
  const l3 = start + key.meta[M_L3_OFS]!;
  if (v4) setIpv4TtlAt(buf, l3, ttl & 0xff);
  else buf[l3 + 7] = ttl & 0xff;
  key.meta[M_NW_TTL] = ttl & 0xff;
  return true;
}

export function decMplsTtl(buf: Uint8Array, start: number, _len: number, key: FlowKey): boolean {
  if (!key.has(P_MPLS)) return true;
  const o = start + key.meta[M_MPLS_OFS]! + 3;
  const ttl = buf[o]!;
  if (ttl <= 1) return false;
  buf[o] = ttl - 1;
  return true;
}

/** Returns false when the frame has no MPLS label. */
export function setMplsTtl(buf: Uint8Array, start: number, _len: number, key: FlowKey, ttl: number): boolean {
  if (!key.has(P_MPLS)) return false;
  buf[start + key.meta[M_MPLS_OFS]! + 3] = ttl & 0xff;
  return true;
}

/**
 * Where the TTL of the header under the top MPLS label is: 1 next label, 4 IPv4, 6 IPv6
 * (in `innerKind`), at absolute offset returned; -1 when there is none in the frame.
 */
let innerKind = 0;
function innerTtlOfs(buf: Uint8Array, start: number, key: FlowKey): number {
  if (!key.has(P_MPLS)) return -1;
  const top = start + key.meta[M_MPLS_OFS]!;
  const end = start + key.meta[M_FRAME_LEN]!;
  const next = top + 4;
  if ((buf[top + 2]! & 1) === 0) {
    innerKind = 1;
    return next + 4 <= end ? next + 3 : -1;
  }
  const version = next < end ? buf[next]! >>> 4 : 0;
  innerKind = version;
  if (version === 4) return next + 20 <= end ? next + 8 : -1;
  if (version === 6) return next + 40 <= end ? next + 7 : -1;
  return -1;
}

export function copyTtlOut(buf: Uint8Array, start: number, _len: number, key: FlowKey): boolean {
  const inner = innerTtlOfs(buf, start, key);
  if (inner < 0) return false;
  buf[start + key.meta[M_MPLS_OFS]! + 3] = buf[inner]!;
  return true;
}

export function copyTtlIn(buf: Uint8Array, start: number, _len: number, key: FlowKey): boolean {
  const inner = innerTtlOfs(buf, start, key);
  if (inner < 0) return false;
  const ttl = buf[start + key.meta[M_MPLS_OFS]! + 3]!;
  if (innerKind === 4) setIpv4TtlAt(buf, inner - 8, ttl);
  else buf[inner] = ttl;
  return true;
}
