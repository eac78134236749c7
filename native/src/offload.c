/*
 * Software offload fallback: what a NIC would do for a frame carrying a virtio_net_hdr
 * when the output cannot take the header (TAP without IFF_VNET_HDR, AF_PACKET without
 * PACKET_VNET_HDR: tx.c; a tunnel's underlay: tunnel_tx.c).
 *
 *  - GSO_NONE + NEEDS_CSUM: the L4 checksum field already holds the pseudo-header sum
 *    (virtio 1.2 §5.1.6.2); summing [csum_start, end of IP payload) including that field
 *    and storing the complement completes it (UDP: 0 becomes 0xffff, RFC 768).
 *  - GSO_TCPV4 / GSO_TCPV6: split the payload into gso_size pieces; per segment: IPv4
 *    total length, id = id0 + i (as Linux's GSO does) and header checksum; IPv6 payload
 *    length; TCP seq = seq0 + i*mss; FIN/PSH only on the last segment, CWR only on the
 *    first (RFC 3168 §6.1.2); full TCP checksum with the pseudo-header (RFC 793, RFC 8200 §8.1).
 *  - GSO_UDP_L4 (USO): same split with each segment's UDP length and checksum.
 * The input frame is never modified (it may also be sent to ports that take the header).
 * A segment is handed to the caller's `emit` in two parts: its headers, rewritten in the
 * handle's scratch area, and its payload, pointed to in place in the input frame (no
 * copy; the caller gathers both with iovecs). The checksum-only case copies the frame to
 * scratch and has no second part. Scratch is taken with the caller's `flush`, which sends
 * what the caller has queued when the area is full; this file knows no sender.
 * Checksums: csum.c. A split frame counts one tx_segmented.
 * Returns 0, or -1 for a malformed frame (counted as a tx error by the caller).
 */
#include "offload.h"
#include "csum.h"
#include <arpa/inet.h>
#include <string.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* virtio 1.2: UDP segmentation (USO) */
#endif

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static inline void put16n(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); } /* a host-order checksum */

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* Offset of the L3 header after Ethernet and any 802.1Q/802.1ad tags; 0 if truncated. */
static uint32_t l3_offset(const uint8_t *f, uint32_t len, uint16_t *type) {
  uint32_t off = 12;
  if (len < 14) return 0;
  uint16_t t = be16(f + 12);
  while (t == 0x8100 || t == 0x88a8) {
    off += 4;
    if (off + 2 > len) return 0;
    t = be16(f + off);
  }
  *type = t;
  return off + 2;
}

static int csum_only(sl_handle *h, uint32_t src, const struct virtio_net_hdr *vh, const uint8_t *f, uint32_t len, sl_emit_fn emit,
                     sl_flush_fn flush) {
  uint32_t cs = vh->csum_start, at = cs + vh->csum_offset;
  if (at + 2 > len) return -1;
  uint16_t type = 0;
  uint32_t l3 = l3_offset(f, len, &type), end = len;
  /* Stop at the end of the IP packet: Ethernet padding is not part of the checksum. */
  if (l3 && type == 0x0800 && l3 + 4 <= len && l3 + be16(f + l3 + 2) < end) end = l3 + be16(f + l3 + 2);
  if (l3 && type == 0x86dd && l3 + 6 <= len && l3 + 40 + be16(f + l3 + 4) < end) end = l3 + 40 + be16(f + l3 + 4);
  if (end <= at) return -1;
  uint8_t *p = sl_scratch_take(h, len, flush);
  if (!p) return -1;
  memcpy(p, f, len);
  uint16_t c = (uint16_t)~sl_csum_fold(sl_csum_add(p + cs, end - cs, 0));
  if (c == 0 && vh->csum_offset == 6) c = 0xffff; /* UDP: 0 means "no checksum" */
  put16n(p + at, c);
  return emit(h, src, p, len, NULL, 0);
}

/* Pseudo-header sum in host byte order (RFC 793 §3.1, RFC 8200 §8.1); l4len < 64 KiB. */
static uint64_t pseudo(const uint8_t *p, uint32_t l3, bool v6, uint8_t proto, uint32_t l4len) {
  uint64_t s = v6 ? sl_csum_add(p + l3 + 8, 32, 0) : sl_csum_add(p + l3 + 12, 8, 0);
  return s + htons(proto) + htons((uint16_t)l4len);
}

int sl_sw_offload(sl_handle *h, uint32_t src, const struct virtio_net_hdr *vh, const uint8_t *f, uint32_t len, sl_emit_fn emit,
                  sl_flush_fn flush) {
  uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
  if (gso == VIRTIO_NET_HDR_GSO_NONE) return csum_only(h, src, vh, f, len, emit, flush);
  if (gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6 && gso != VIRTIO_NET_HDR_GSO_UDP_L4) return -1;

  uint16_t type = 0;
  uint32_t l3 = l3_offset(f, len, &type);
  if (!l3 || l3 + 40 > len) return -1;
  bool v6 = (f[l3] >> 4) == 6;
  if (v6 ? type != 0x86dd : (type != 0x0800 || (f[l3] >> 4) != 4)) return -1;
  bool tcp = gso != VIRTIO_NET_HDR_GSO_UDP_L4;
  uint32_t l4 = (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ? vh->csum_start : l3 + (v6 ? 40 : (uint32_t)(f[l3] & 15) * 4);
  if (l4 + (tcp ? 20 : 8) > len) return -1;
  uint32_t thl = tcp ? (uint32_t)(f[l4 + 12] >> 4) * 4 : 8;
  uint32_t hdrs = l4 + thl, mss = vh->gso_size;
  if (thl < 8 || hdrs > len || mss == 0) return -1;
  uint32_t payload = len - hdrs, nseg = payload ? (payload + mss - 1) / mss : 1;
  uint32_t seq0 = tcp ? be32(f + l4 + 4) : 0, id0 = v6 ? 0 : be16(f + l3 + 4);
  uint8_t flags0 = tcp ? f[l4 + 13] : 0, proto = tcp ? 6 : 17;

  for (uint32_t s = 0; s < nseg; s++) {
    uint32_t chunk = payload - s * mss < mss ? payload - s * mss : mss, flen = hdrs + chunk, l4len = flen - l4;
    const uint8_t *data = f + hdrs + s * mss;
    uint8_t *p = sl_scratch_take(h, hdrs, flush);
    if (!p) return -1;
    memcpy(p, f, hdrs);
    if (v6) {
      put16(p + l3 + 4, flen - l3 - 40);
    } else {
      uint32_t ihl = (uint32_t)(p[l3] & 15) * 4;
      put16(p + l3 + 2, flen - l3);
      put16(p + l3 + 4, (id0 + s) & 0xffff);
      put16(p + l3 + 10, 0);
      put16n(p + l3 + 10, (uint16_t)~sl_csum_fold(sl_csum_add(p + l3, ihl, 0)));
    }
    uint32_t at;
    if (tcp) {
      uint8_t fl = flags0;
      if (s + 1 < nseg) fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
      if (s > 0) fl &= (uint8_t)~TCP_CWR;
      put32(p + l4 + 4, seq0 + s * mss);
      p[l4 + 13] = fl;
      at = l4 + 16;
    } else {
      put16(p + l4 + 4, l4len);
      at = l4 + 6;
    }
    put16(p + at, 0);
    /* the L4 header is an even number of bytes, so the payload's sum continues it */
    uint64_t sum = sl_csum_add(p + l4, thl, pseudo(p, l3, v6, proto, l4len));
    uint16_t c = (uint16_t)~sl_csum_fold(sl_csum_add(data, chunk, sum));
    if (c == 0 && !tcp) c = 0xffff;
    put16n(p + at, c);
    if (emit(h, src, p, hdrs, data, chunk) < 0) return -1;
  }
  h->tx_segmented++;
  return 0;
}
