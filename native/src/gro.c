/*
 * Userspace GRO for outputs that take a virtio_net_hdr: which consecutive frames of a
 * transmit burst may leave as ONE TCP super-frame (tx.c builds and sends it).
 *
 * Why: a tunnel endpoint receives an overlay TCP stream as separate ~MTU-sized segments
 * (each a UDP datagram); handing them to a veth/TAP one by one makes the kernel run its
 * whole receive path (and the peer's TCP) once per segment. A vnet output can take a GSO
 * frame instead, as Linux's own GRO would have built it (net/ipv4/tcp_offload.c
 * tcp_gro_receive, inet_gro_receive, ipv6_gro_receive).
 *
 * Invariants:
 *  - A frame is a candidate only when it is plain: Ethernet (+ at most one 802.1Q tag),
 *    IPv4 without options and not fragmented (header checksum valid) or IPv6 without
 *    extension headers, TCP, the frame ending exactly where the IP packet ends (no
 *    padding), a non-empty payload, flags ACK or ACK|PSH only, and a TCP checksum that
 *    verifies over the pseudo-header (RFC 793 §3.1, RFC 8200 §8.1). The tunnel's outer UDP
 *    checksum is 0, so this is the only integrity check the segment ever gets: the super-
 *    frame goes out with a partial checksum (NEEDS_CSUM) that the receiving stack trusts.
 *    A segment that fails it is never merged and goes out as it came (to be dropped by
 *    the receiver as before).
 *  - `b` follows `a` (sl_gro_follows) when they are the same flow in the same state:
 *    identical L2 header (MACs, tag, ethertype), IPv4 TOS/TTL/DF/addresses or IPv6
 *    version/class/flow label/hop limit/addresses, ports, ack, window, urgent pointer,
 *    data offset and options bytes; b's seq = a's seq + a's payload length; IPv4 id of b
 *    = id of a + 1 (or, with DF, equal throughout the run: `fixed`).
 *  - Run shape (checked by the caller, tx.c): every segment carries the first one's
 *    payload size (gso_size) except the last, which may be smaller; PSH only on the last;
 *    at most SL_GRO_MAX_SEGS segments and 65,535 bytes of IP packet.
 *  - Nothing here writes to a frame; the frames stay valid JS/ring memory for the call.
 *
 * Checksums are summed in host byte order (csum.c).
 */
#include "gro.h"
#include "csum.h"
#include <arpa/inet.h>
#include <string.h>

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

#define TCP_ACK 0x10
#define TCP_PSH 0x08

/* Pseudo-header sum in host byte order (addresses as they sit in the header). */
uint64_t sl_gro_pseudo(const uint8_t *f, const sl_gro_seg *s, uint32_t l4len) {
  const uint8_t *ip = f + s->l3;
  uint64_t acc = s->v6 ? sl_csum_add(ip + 8, 32, 0) : sl_csum_add(ip + 12, 8, 0);
  return acc + htons(IPPROTO_TCP) + htons((uint16_t)l4len); /* l4len <= 65535: callers check */
}

bool sl_gro_parse(const uint8_t *f, uint32_t len, sl_gro_seg *s) {
  if (len < 14 + 20 + 20) return false;
  uint32_t l3 = 14;
  uint16_t type = be16(f + 12);
  if (type == 0x8100) {
    type = be16(f + 16);
    l3 = 18;
  }
  const uint8_t *ip = f + l3;
  uint32_t l4, end;
  if (type == 0x0800) {
    if (ip[0] != 0x45 || ip[9] != IPPROTO_TCP) return false;     /* IPv4, no options, TCP */
    if ((be16(ip + 6) & 0x3fff) != 0) return false;              /* not a fragment (MF, offset) */
    end = l3 + be16(ip + 2);
    l4 = l3 + 20;
    if (sl_csum_fold(sl_csum_add(ip, 20, 0)) != 0xffff) return false; /* header checksum */
    s->v6 = false;
  } else if (type == 0x86dd) {
    if (len < l3 + 40 + 20 || (ip[0] >> 4) != 6 || ip[6] != IPPROTO_TCP) return false; /* no extension headers */
    end = l3 + 40 + be16(ip + 4);
    l4 = l3 + 40;
    s->v6 = true;
  } else {
    return false;
  }
  if (end != len || l4 + 20 > end) return false; /* exactly one IP packet, no padding */
  const uint8_t *th = f + l4;
  uint32_t thl = (uint32_t)(th[12] >> 4) * 4;
  if (thl < 20 || l4 + thl >= end) return false; /* header fits, payload not empty */
  uint8_t flags = th[13];
  if ((flags & (uint8_t)~TCP_PSH) != TCP_ACK || (th[12] & 0x0f) != 0) return false; /* ACK [+PSH], no AE/NS bit */
  s->l3 = l3;
  s->l4 = l4;
  s->hdrs = l4 + thl;
  s->payload = end - s->hdrs;
  s->seq = be32(th + 4);
  s->id = s->v6 ? 0 : be16(ip + 4);
  s->psh = (flags & TCP_PSH) != 0;
  /* the whole segment sums to 0xffff with its pseudo-header when the checksum is right */
  uint32_t l4len = end - l4;
  s->csum_ok = sl_csum_fold(sl_csum_add(th, l4len, sl_gro_pseudo(f, s, l4len))) == 0xffff;
  return s->csum_ok;
}

bool sl_gro_follows(const uint8_t *a, const sl_gro_seg *sa, const uint8_t *b, const sl_gro_seg *sb, int *fixed_id) {
  if (sa->l3 != sb->l3 || sa->v6 != sb->v6 || sa->hdrs != sb->hdrs) return false;
  if (memcmp(a, b, sa->l3) != 0) return false; /* MACs, VLAN tag, ethertype */
  const uint8_t *ia = a + sa->l3, *ib = b + sb->l3;
  if (sa->v6) {
    /* version, traffic class, flow label (0..3); next header, hop limit (6..7); addresses */
    if (memcmp(ia, ib, 4) != 0 || memcmp(ia + 6, ib + 6, 34) != 0) return false;
  } else {
    /* version/IHL, TOS (0..1); flags (6..7: DF, never MF/offset here); TTL, protocol (8..9); addresses */
    if (memcmp(ia, ib, 2) != 0 || memcmp(ia + 6, ib + 6, 4) != 0 || memcmp(ia + 12, ib + 12, 8) != 0) return false;
    uint16_t step = (uint16_t)(sb->id - sa->id);
    bool df = (ia[6] & 0x40) != 0;
    int mode = step == 1 ? 0 : (step == 0 && df) ? 1 : -1; /* 0: incrementing, 1: fixed */
    if (mode < 0 || (*fixed_id >= 0 && *fixed_id != mode)) return false;
    *fixed_id = mode;
  }
  const uint8_t *ta = a + sa->l4, *tb = b + sb->l4;
  /* ports (0..3); ack, data offset (8..12); window (14..15); urgent pointer and options (18..) */
  if (memcmp(ta, tb, 4) != 0 || memcmp(ta + 8, tb + 8, 5) != 0 || memcmp(ta + 14, tb + 14, 2) != 0 ||
      memcmp(ta + 18, tb + 18, sa->hdrs - sa->l4 - 18) != 0)
    return false;
  return sb->seq == sa->seq + sa->payload;
}
