/**
 * Internet checksum (RFC 1071), pseudo-header sums (RFC 768/793 for IPv4, RFC 8200 §8.1
 * for IPv6), incremental update (RFC 1624) and SCTP's CRC32c (RFC 9260 Appendix A).
 *
 * Conventions
 *  - A "sum" is the 16-bit one's complement sum, folded, NOT complemented; a "checksum" is
 *    the complemented sum as stored in a header.
 *  - Offsets are absolute in the buffer; sums over a range start at an even offset of the
 *    checksummed area (a trailing odd byte is padded with zero, RFC 1071).
 *  - Incremental update, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), where m and m' may be
 *    the sums of whole changed regions (one's complement addition is associative), so one
 *    update covers any number of changed 16-bit words.
 *  - UDP (RFC 768): a checksum of 0 means "none" and stays 0 across rewrites; a computed 0
 *    is sent as 0xffff. Over IPv6 the checksum is mandatory (RFC 8200 §8.1) except where
 *    RFC 6936 lets a tunnel endpoint accept 0 (Linux: UDP_NO_CHECK6_RX, vxlan/geneve
 *    udp6zerocsumrx; other receivers drop it). A rewrite keeps the sender's 0 there too:
 *    updating it as if it were a checksum would give a value no receiver accepts, while 0
 *    is still accepted by exactly the receivers that accepted the original.
 *  - Nothing allocates; the CRC32c table is built once at module load.
 */
import { rd16, wr16 } from './bytes.js';

/** Folds a 32-bit accumulator of 16-bit words into a 16-bit one's complement sum. */
export function fold(acc: number): number {
  let x = acc;
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return x;
}

/** One's complement sum of `len` bytes at `ofs`, added to `initial` (a sum). */
export function onesSum(b: Uint8Array, ofs: number, len: number, initial = 0): number {
  let acc = initial;
  const end = ofs + (len & ~1);
  let i = ofs;
  for (; i < end; i += 2) {
    acc += (b[i]! << 8) | b[i + 1]!;
    if (acc > 0x7fffffff) acc = fold(acc); // keep the accumulator a small integer
  }
  if ((len & 1) !== 0) acc += b[i]! << 8;
  return fold(acc);
}

/** Internet checksum (complemented) of a range, with an optional initial sum. */
export function internetChecksum(b: Uint8Array, ofs: number, len: number, initial = 0): number {
  return ~onesSum(b, ofs, len, initial) & 0xffff;
}

/** Sum of the IPv4 pseudo-header: src, dst (at l3+12, l3+16), zero, protocol, L4 length. */
export function pseudoSumV4(b: Uint8Array, l3: number, proto: number, l4Len: number): number {
  return onesSum(b, l3 + 12, 8, proto + l4Len);
}

/** Sum of the IPv6 pseudo-header: src, dst (at l3+8, l3+24), L4 length, next header. */
export function pseudoSumV6(b: Uint8Array, l3: number, nextHeader: number, l4Len: number): number {
  return onesSum(b, l3 + 8, 32, fold(nextHeader + (l4Len >>> 16) + (l4Len & 0xffff)));
}

/** RFC 1624 eqn. 3: checksum `hc` after a region whose sum was `oldSum` now sums `newSum`. */
export function csumUpdate(hc: number, oldSum: number, newSum: number): number {
  return ~fold((~hc & 0xffff) + (~oldSum & 0xffff) + newSum) & 0xffff;
}

/** `hc` after one 16-bit word changed from `oldWord` to `newWord`. */
export function csumUpdate16(hc: number, oldWord: number, newWord: number): number {
  return csumUpdate(hc, oldWord & 0xffff, newWord & 0xffff);
}

/** `hc` after one 32-bit value changed (e.g. an IPv4 address). */
export function csumUpdate32(hc: number, oldVal: number, newVal: number): number {
  return csumUpdate(hc, fold((oldVal >>> 16) + (oldVal & 0xffff)), fold((newVal >>> 16) + (newVal & 0xffff)));
}

/** Updates the checksum stored at `csumOfs` for a change from oldSum to newSum. */
export function patchChecksum(b: Uint8Array, csumOfs: number, oldSum: number, newSum: number): void {
  wr16(b, csumOfs, csumUpdate(rd16(b, csumOfs), oldSum, newSum));
}

/**
 * The same for a UDP checksum: a stored 0 ("no checksum") is left alone, and a result of
 * 0 is written as 0xffff (RFC 768), over IPv4 and IPv6 alike (see the module comment).
 */
export function patchUdpChecksum(b: Uint8Array, csumOfs: number, oldSum: number, newSum: number): void {
  const hc = rd16(b, csumOfs);
  if (hc === 0) return;
  const n = csumUpdate(hc, oldSum, newSum);
  wr16(b, csumOfs, n === 0 ? 0xffff : n);
}

// CRC32c (Castagnoli, reflected polynomial 0x82F63B78), table driven.
const CRC32C = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC32C[n] = c >>> 0;
}

/** CRC32c of a range (the standard value: crc32c("123456789") = 0xe3069283). */
export function crc32c(b: Uint8Array, ofs: number, len: number): number {
  let c = 0xffffffff;
  for (let i = ofs, end = ofs + len; i < end; i++) c = CRC32C[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Recomputes an SCTP packet's checksum in place (RFC 9260 §6.8: CRC32c over the whole
 * packet with the checksum field zero; the value is stored least significant byte first,
 * which is how the reflected CRC's bytes come out).
 */
export function fixSctpChecksum(b: Uint8Array, l4: number, l4Len: number): void {
  b[l4 + 8] = 0;
  b[l4 + 9] = 0;
  b[l4 + 10] = 0;
  b[l4 + 11] = 0;
  const c = crc32c(b, l4, l4Len);
  b[l4 + 8] = c;
  b[l4 + 9] = c >>> 8;
  b[l4 + 10] = c >>> 16;
  b[l4 + 11] = c >>> 24;
}
