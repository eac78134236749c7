/**
 * The one primitive every in-place field rewrite goes through: write bytes into a frame
 * and fix every checksum that covers them, incrementally (RFC 1624), from the parsed key.
 *
 * Invariants
 *  - Checksums are updated from the sum of the 16-bit words around the changed bytes,
 *    taken before and after the write; words are aligned on the frame start, which is
 *    also alignment for the IP header and the L4 header (both start at even offsets).
 *  - IPv4 header checksum: when the bytes are inside the IPv4 header.
 *  - TCP / UDP / ICMPv6 checksum: when the bytes are inside the L4 header or are the IP
 *    addresses of the pseudo-header. ICMPv4 has no pseudo-header. UDP keeps RFC 768's
 *    "0 = no checksum" (checksum.ts). A later fragment carries no L4 header, and the key
 *    has no L4 presence bit for it, so nothing is touched.
 *  - The pseudo-header's protocol number is not where the IP header keeps it (IPv6: the
 *    high byte of a word, maybe in an extension header), so a change of ip_proto updates
 *    the L4 checksum through patchPseudoProto, not through patchBytes's word sums.
 *  - SCTP uses CRC32c, which is not incremental: recomputed over the whole packet.
 *  - Known limit: with an IPv6 routing header whose segments left > 0, the pseudo-header
 *    uses the final destination (RFC 8200 §8.1), which a rewrite of ipv6_dst does not
 *    change; Sluice still updates the L4 checksum then (rare; noted, not handled).
 */
import { rd16 } from './bytes.js';
import { fixSctpChecksum, onesSum, patchChecksum, patchUdpChecksum } from './checksum.js';
import {
  type FlowKey, M_L3_OFS, M_L4_OFS, P_ICMPV4, P_ICMPV6, P_IPV4, P_IPV6, P_SCTP, P_TCP, P_UDP,
} from './flow-key.js';

/** Scratch for values built from bit fields; reused, the hot path allocates nothing. */
export const scratch = new Uint8Array(16);

/** End (absolute) of the IP datagram, from the IP header's own length field. */
export function ipEnd(b: Uint8Array, s: number, key: FlowKey): number {
  const l3 = s + key.meta[M_L3_OFS]!;
  return key.has(P_IPV4) ? l3 + rd16(b, l3 + 2) : l3 + 40 + rd16(b, l3 + 4);
}

/**
 * Copies `n` bytes of `src` (from `srcOfs`) to the frame at absolute offset `o`, then
 * fixes the checksums that cover them. `s` is the frame start.
 */
export function patchBytes(b: Uint8Array, s: number, key: FlowKey, o: number, src: Uint8Array, srcOfs: number, n: number): void {
  const a0 = s + ((o - s) & ~1);
  const a1 = s + ((o + n - s + 1) & ~1);
  const oldSum = onesSum(b, a0, a1 - a0);
  for (let i = 0; i < n; i++) b[o + i] = src[srcOfs + i]!;
  const newSum = onesSum(b, a0, a1 - a0);
  const l3Rel = key.meta[M_L3_OFS]!;
  const l4Rel = key.meta[M_L4_OFS]!;
  const v4 = key.has(P_IPV4);
  let inPseudo = false;
  if (l3Rel >= 0 && (v4 || key.has(P_IPV6))) {
    const l3 = s + l3Rel;
    if (v4) {
      const ihl = (b[l3]! & 0xf) * 4;
      if (o >= l3 && o < l3 + ihl) patchChecksum(b, l3 + 10, oldSum, newSum);
      inPseudo = o >= l3 + 12 && o < l3 + 20;
    } else {
      inPseudo = o >= l3 + 8 && o < l3 + 40;
    }
  }
  const inL4 = l4Rel >= 0 && o >= s + l4Rel;
  if (!inL4 && !inPseudo) return;
  const l4 = s + l4Rel;
  if (key.has(P_TCP)) patchChecksum(b, l4 + 16, oldSum, newSum);
  else if (key.has(P_UDP)) patchUdpChecksum(b, l4 + 6, oldSum, newSum);
  else if (key.has(P_ICMPV6)) patchChecksum(b, l4 + 2, oldSum, newSum);
  else if (inL4 && key.has(P_ICMPV4)) patchChecksum(b, l4 + 2, oldSum, newSum);
  else if (inL4 && key.has(P_SCTP)) fixSctpChecksum(b, l4, ipEnd(b, s, key) - l4);
}

/**
 * The L4 checksum after the pseudo-header's protocol number changed from `oldProto` to
 * `newProto` (set_field ip_proto; RFC 793 §3.1, RFC 768, RFC 8200 §8.1, RFC 4443 §2.3).
 * The L4 header keeps the layout the key describes (P_TCP, P_UDP, P_ICMPV6), and its
 * checksum becomes the one a receiver computes over the pseudo-header with the new
 * number. ICMPv4 and SCTP have no pseudo-header: nothing to do.
 */
export function patchPseudoProto(b: Uint8Array, s: number, key: FlowKey, oldProto: number, newProto: number): void {
  const l4Rel = key.meta[M_L4_OFS]!;
  if (l4Rel < 0) return;
  const l4 = s + l4Rel;
  if (key.has(P_TCP)) patchChecksum(b, l4 + 16, oldProto, newProto);
  else if (key.has(P_UDP)) patchUdpChecksum(b, l4 + 6, oldProto, newProto);
  else if (key.has(P_ICMPV6)) patchChecksum(b, l4 + 2, oldProto, newProto);
}
