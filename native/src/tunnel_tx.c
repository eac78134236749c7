/*
 * Tunnel underlay transmit (IPv4): tunnelTxBurst. Open and receive are in tunnel.c.
 *
 * tunnelTxBurst(h, hdr: Uint8Array, hdrOffs: Uint32Array, hdrLens: Uint32Array,
 *               frames: Uint8Array, offs: Uint32Array, lens: Uint32Array, n, vnetPrefix,
 *               meta: Uint32Array[, alt: Uint8Array, altPrefix, sel: Uint8Array]) -> sent | -errno
 *
 * Packet i on the wire (the kernel adds the outer IPv4 header and routes it):
 *   'udp': [UDP header: src = the send pool's port srcPorts[meta[4i+2] % SL_TUN_POOL]
 *           (tunnel.c: SL_TUN_POOL bound UDP sockets), dst = the port given at open,
 *           length, checksum 0 — allowed for IPv4 (RFC 7348 §5, RFC 8926 §3.3; Linux's
 *           vxlan sends 0 too)] + hdr[hdrOffs[i] .. +hdrLens[i]) + inner frame; sent
 *           through the raw socket (sendmmsg), except GSO super-frames, below
 *   'gre': hdr[hdrOffs[i] .. +hdrLens[i]) (the GRE header) + inner frame
 * The header bytes are the caller's (TypeScript builds VXLAN / Geneve / GRE headers) and
 * are sent as they are. meta: [4i+0] outer destination IPv4 (host-order u32, must not be
 * 0), [4i+1] unused (0), [4i+2] the flow's value that picks its UDP source port (above;
 * ignored for gre), [4i+3] TOS: non-zero is sent as a per-packet IP_TOS cmsg, 0 keeps the
 * socket's default (the `tos` given at open).
 *
 * Inner frames mirror txBurst's sources (tx.c): frame i is frames[offs[i] .. +lens[i]),
 * or alt[...] when sel[i] === 1, and vnetPrefix / altPrefix say a virtio_net_hdr sits in
 * the SL_VNET_LEN (10) bytes before it. A frame with a header and gso_type != NONE is
 * segmented in software (offload.c) and each segment is encapsulated with the same hdr
 * bytes: its rewritten headers come from the handle's scratch and its payload straight
 * from the frame (no copy); a NEEDS_CSUM frame gets its checksum completed in scratch.
 * 'udp' GSO super-frames (UDP GSO): the encapsulated segments are laid out as ONE UDP
 * payload of equal-size datagrams (the last may be shorter) and sent with one sendmsg
 * on the flow's pool socket with a UDP_SEGMENT cmsg (per-datagram size) and IP_TOS when
 * meta[4i+3] != 0; up to SL_TUN_GSO_SEGS datagrams and 64 KiB per send. The kernel
 * segments late and writes each datagram's UDP header with a real checksum (non-zero;
 * allowed, receivers verify it). The pending raw messages are sent first (burst order).
 * When the kernel refuses the GSO send (EINVAL: a datagram over the path MTU with df or
 * over the device MTU; EMSGSIZE), the datagrams go one by one through the raw socket, so
 * df / too-big outcomes and counters are exactly those of the raw path. Every other
 * frame is gathered by iovec straight from JS memory (no copy); hdr is referenced the
 * same way: JS memory cannot move during this synchronous call.
 *
 * Raw messages are batched: one sendmmsg per SL_TUN_TX_BATCH messages, and before each
 * UDP GSO send and whenever segmentation fills the scratch area (flush()). A
 * failed message is counted and sending continues with the next one: EMSGSIZE (larger
 * than the path MTU with df, or than 64 KiB) -> txErrors + txTooBig; EAGAIN / ENOBUFS
 * (socket full) -> the rest of that sendmmsg batch is dropped and counted in txDropped,
 * never retried or spun on; anything else (ENETUNREACH, ...) -> txErrors. Out-of-bounds
 * offsets and destination 0 are txErrors. Returns how many input packets were sent
 * completely (all segments of a split frame); -EBADF after close. Never throws for
 * data-path errors (only for arguments of the wrong type).
 */
#include "tunnel_tx.h"
#include "args.h"
#include "errors.h"
#include "offload.h"
#include "tunnel.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>

#define UDP_HDR 8u

static inline void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* Sends the queued raw messages (sendmmsg batches) and empties the scratch area: the
 * flush of this file's scratch takes (sl_scratch_take, offload.c). */
static void flush(sl_handle *h) {
  sl_tunnel *t = h->tun;
  uint32_t i = 0;
  while (i < t->nmsg) {
    int r = sendmmsg(t->tx_fd, &t->tmsg[i], t->nmsg - i, MSG_DONTWAIT);
    if (r > 0) {
      for (int k = 0; k < r; k++) h->tx_bytes += t->tmsg[i + k].msg_len;
      h->tx_packets += (uint64_t)r;
      i += (uint32_t)r;
      continue;
    }
    int e = r == 0 ? EIO : errno;
    if (e == EINTR) continue;
    h->last_error = e;
    if (e == EAGAIN || e == ENOBUFS) {
      for (; i < t->nmsg; i++) {
        h->tx_dropped++;
        sl_tx_mark_failed(h, t->tsrc[i]);
      }
      break;
    }
    h->tx_errors++;
    if (e == EMSGSIZE) h->tx_too_big++;
    sl_tx_mark_failed(h, t->tsrc[i]);
    i++;
  }
  t->nmsg = 0;
  h->scratch_used = 0;
}

static void fail(sl_handle *h, uint32_t src, bool too_big) {
  h->tx_errors++;
  if (too_big) h->tx_too_big++;
  sl_tx_mark_failed(h, src);
}

/* Queues the current packet's headers + `frame` (+ `rest`: a segment's payload after its
 * headers in scratch); sends when the batch is full (after adding, so a segment built in
 * scratch is never overwritten before it is sent). */
static void queue(sl_handle *h, uint32_t src, const uint8_t *frame, uint32_t flen, const uint8_t *rest, uint32_t rlen) {
  sl_tunnel *t = h->tun;
  uint32_t k = t->nmsg, niov = 0;
  struct iovec *iov = &t->tiov[SL_TUN_IOV * k];
  struct msghdr *m = &t->tmsg[k].msg_hdr;
  if (t->udp) {
    uint32_t ulen = UDP_HDR + t->cur_hlen + flen + rlen;
    if (ulen > 0xffff) { /* would not fit the UDP length field (the kernel refuses it anyway) */
      fail(h, src, true);
      return;
    }
    uint8_t *u = t->tudp[k];
    put16(u, t->cur_sport);
    put16(u + 2, t->port);
    put16(u + 4, ulen);
    put16(u + 6, 0);
    iov[niov++] = (struct iovec){u, UDP_HDR};
  }
  if (t->cur_hlen) iov[niov++] = (struct iovec){(void *)t->cur_hdr, t->cur_hlen};
  iov[niov++] = (struct iovec){(void *)frame, flen};
  if (rlen) iov[niov++] = (struct iovec){(void *)rest, rlen};
  memset(m, 0, sizeof *m);
  struct sockaddr_in *d = &t->tdst[k];
  d->sin_family = AF_INET;
  d->sin_port = 0;
  d->sin_addr.s_addr = htonl(t->cur_dst);
  m->msg_name = d;
  m->msg_namelen = sizeof *d;
  m->msg_iov = iov;
  m->msg_iovlen = niov;
  if (t->cur_tos) {
    struct cmsghdr *c = (struct cmsghdr *)t->tctl[k].b;
    int tos = t->cur_tos;
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_TOS;
    c->cmsg_len = CMSG_LEN(sizeof tos);
    memcpy(CMSG_DATA(c), &tos, sizeof tos);
    m->msg_control = c;
    m->msg_controllen = CMSG_SPACE(sizeof tos);
  }
  t->tsrc[k] = src;
  if (++t->nmsg == SL_TUN_TX_BATCH) flush(h);
}

static int emit_segment(sl_handle *h, uint32_t src, uint8_t *hdr, uint32_t hlen, const uint8_t *payload, uint32_t plen) {
  queue(h, src, hdr, hlen, payload, plen);
  return 0;
}

/* ---- UDP GSO: the segments of one super-frame leave as one UDP_SEGMENT send ----
 * The group's UDP payload is [tunnel header + segment headers + payload slice] per
 * datagram, all of t->gsize bytes but the last; the kernel writes one UDP header per
 * datagram (with its checksum: non-zero, allowed by RFC 7348 §5 / RFC 8926 §3.3) when it
 * segments the send late, as it does for its own vxlan device. */
#define IP_MAX_UDP_PAYLOAD (0xffffu - 20u - UDP_HDR)

/* Sends the group one datagram at a time through the raw socket (sendmmsg): the kernel
 * refused the GSO send (EINVAL: a datagram larger than the path MTU with df, or than the
 * device MTU; EMSGSIZE), so each datagram gets today's exact outcome: EMSGSIZE -> txTooBig
 * per datagram with df, IP fragmentation without. */
static void gso_fallback(sl_handle *h) {
  sl_tunnel *t = h->tun;
  for (uint32_t k = 0; k < t->gn; k++) {
    struct iovec *v = &t->giov[3 * k];
    /* queue() writes the tunnel header itself: skip ours (v[0]) */
    queue(h, t->cur_src, v[1].iov_base, (uint32_t)v[1].iov_len, v[2].iov_base, (uint32_t)v[2].iov_len);
  }
  if (t->nmsg) flush(h);
}

static void gso_send(sl_handle *h) {
  sl_tunnel *t = h->tun;
  if (!t->gn) return;
  struct sockaddr_in d;
  memset(&d, 0, sizeof d);
  d.sin_family = AF_INET;
  d.sin_port = htons(t->port);
  d.sin_addr.s_addr = htonl(t->cur_dst);
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_name = &d;
  m.msg_namelen = sizeof d;
  m.msg_iov = t->giov;
  m.msg_iovlen = t->giovn;
  struct cmsghdr *c = (struct cmsghdr *)t->gctl.b;
  size_t cl = 0;
  if (t->gn > 1) {
    uint16_t gs = (uint16_t)t->gsize;
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof gs);
    memcpy(CMSG_DATA(c), &gs, sizeof gs);
    cl += CMSG_SPACE(sizeof gs);
  }
  if (t->cur_tos) {
    struct cmsghdr *c2 = (struct cmsghdr *)(t->gctl.b + cl);
    int tos = t->cur_tos;
    c2->cmsg_level = IPPROTO_IP;
    c2->cmsg_type = IP_TOS;
    c2->cmsg_len = CMSG_LEN(sizeof tos);
    memcpy(CMSG_DATA(c2), &tos, sizeof tos);
    cl += CMSG_SPACE(sizeof tos);
  }
  if (cl) {
    m.msg_control = t->gctl.b;
    m.msg_controllen = cl;
  }
  ssize_t r;
  do r = sendmsg(t->pool_fd[t->cur_pool], &m, MSG_DONTWAIT);
  while (r < 0 && errno == EINTR);
  if (r >= 0) {
    h->tx_packets += t->gn;
    h->tx_bytes += (uint64_t)r + (uint64_t)UDP_HDR * t->gn;
  } else {
    int e = errno;
    h->last_error = e;
    if (e == EINVAL || e == EMSGSIZE) {
      gso_fallback(h);
    } else if (e == EAGAIN || e == ENOBUFS) {
      h->tx_dropped += t->gn;
      sl_tx_mark_failed(h, t->cur_src);
    } else {
      h->tx_errors += t->gn;
      sl_tx_mark_failed(h, t->cur_src);
    }
  }
  t->gn = t->giovn = t->gsize = t->gtotal = 0;
  t->gshort = false;
}

/* Segment emitter of the GSO path: appends one datagram to the group, sending the group
 * first when this datagram cannot join it (count, 64 KiB, or a size change). The headers
 * stay in scratch until the group is sent (the group never fills the 256 KiB scratch:
 * at most 64 segments' headers). */
static int emit_gso(sl_handle *h, uint32_t src, uint8_t *hdr, uint32_t hlen, const uint8_t *payload, uint32_t plen) {
  sl_tunnel *t = h->tun;
  (void)src;
  uint32_t len = t->cur_hlen + hlen + plen;
  if (len > IP_MAX_UDP_PAYLOAD) { /* cannot be sent at all */
    fail(h, src, true);
    return 0;
  }
  if (t->gn && (t->gn == SL_TUN_GSO_SEGS || t->gshort || len > t->gsize || t->gtotal + len > IP_MAX_UDP_PAYLOAD)) {
    gso_send(h);
    /* scratch holds nothing else now: this segment's headers go to its start, so
     * segmenting a long frame never runs out of scratch (nor flushes under us) */
    memmove(h->scratch, hdr, hlen);
    hdr = h->scratch;
    h->scratch_used = hlen;
  }
  if (!t->gn) t->gsize = len;
  struct iovec *v = &t->giov[3 * t->gn];
  v[0] = (struct iovec){(void *)t->cur_hdr, t->cur_hlen};
  v[1] = (struct iovec){hdr, hlen};
  v[2] = (struct iovec){(void *)payload, plen};
  t->gn++;
  t->giovn += 3;
  t->gtotal += len;
  t->gshort = len < t->gsize;
  return 0;
}

#define ARGS "tunnelTxBurst(handle, hdr, hdrOffs, hdrLens, frames, offs, lens, n, vnetPrefix, meta[, alt, altPrefix, sel])"

napi_value sl_tunnel_tx_burst(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13], res;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 10) return sl_throw(env, ARGS);
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  if (h->kind != SL_TUNNEL) {
    napi_throw_type_error(env, NULL, "tunnelTxBurst: not a tunnel handle");
    return NULL;
  }
  uint8_t *hdr, *buf, *alt = NULL, *sel = NULL;
  uint32_t *hoffs, *hlens, *offs, *lens, *meta, n = 0;
  size_t hdrlen, nho, nhl, blen, no, nl, nm, alen = 0, slen = 0;
  if (!sl_typed(env, argv[1], napi_uint8_array, (void **)&hdr, &hdrlen) || !sl_typed(env, argv[2], napi_uint32_array, (void **)&hoffs, &nho) ||
      !sl_typed(env, argv[3], napi_uint32_array, (void **)&hlens, &nhl) || !sl_typed(env, argv[4], napi_uint8_array, (void **)&buf, &blen) ||
      !sl_typed(env, argv[5], napi_uint32_array, (void **)&offs, &no) || !sl_typed(env, argv[6], napi_uint32_array, (void **)&lens, &nl) ||
      !sl_typed(env, argv[9], napi_uint32_array, (void **)&meta, &nm)) {
    napi_throw_type_error(env, NULL, "tunnelTxBurst: hdr and frames must be Uint8Array; hdrOffs, hdrLens, offs, lens, meta Uint32Array");
    return NULL;
  }
  napi_get_value_uint32(env, argv[7], &n);
  bool buf_prefix = false, alt_prefix = false;
  napi_get_value_bool(env, argv[8], &buf_prefix);
  size_t cap = no < nl ? no : nl;
  if (nho < cap) cap = nho;
  if (nhl < cap) cap = nhl;
  if (nm / 4 < cap) cap = nm / 4;
  if (argc > 12) { /* optional second source, as txBurst */
    napi_valuetype t;
    napi_typeof(env, argv[10], &t);
    if (t != napi_undefined && t != napi_null) {
      if (!sl_typed(env, argv[10], napi_uint8_array, (void **)&alt, &alen) || !sl_typed(env, argv[12], napi_uint8_array, (void **)&sel, &slen)) {
        napi_throw_type_error(env, NULL, "tunnelTxBurst: alt and sel must be Uint8Array");
        return NULL;
      }
      napi_get_value_bool(env, argv[11], &alt_prefix);
      if (slen < cap) cap = slen;
    }
  }
  if (n > cap) n = (uint32_t)cap;
  if (h->closed) {
    napi_create_int32(env, -EBADF, &res);
    return res;
  }
  sl_tunnel *t = h->tun;
  h->tx_failed = 0;
  h->tx_failed_last = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t off = offs[i], len = lens[i], hoff = hoffs[i], hlen = hlens[i];
    const bool from_alt = sel != NULL && sel[i] == 1;
    const bool prefix = from_alt ? alt_prefix : buf_prefix;
    uint8_t *base = from_alt ? alt : buf;
    size_t limit = from_alt ? alen : blen;
    if (len == 0 || off + len > limit || (prefix && off < SL_VNET_LEN) || hoff + hlen > hdrlen || meta[4 * i] == 0) {
      fail(h, i, false); /* never read past a source; never send to 0.0.0.0 */
      continue;
    }
    uint8_t *frame = base + off;
    t->cur_hdr = hdr + hoff;
    t->cur_hlen = (uint32_t)hlen;
    t->cur_dst = meta[4 * i];
    /* udp: the flow's source port is one of the pool's, the same for all its packets
     * (small ones through the raw socket, super-frames through UDP GSO on that pool
     * socket), so one flow keeps one underlay path; different flows spread over
     * SL_TUN_POOL ports, the ECMP / RSS entropy of RFC 7348 §5 (coarser than a port per
     * flow hash, but a hash-based ECMP only needs distinct ports across flows). */
    t->cur_pool = meta[4 * i + 2] % SL_TUN_POOL;
    t->cur_sport = t->udp ? t->pool_port[t->cur_pool] : 0;
    t->cur_tos = (uint8_t)meta[4 * i + 3];
    t->cur_src = i;
    if (prefix) {
      struct virtio_net_hdr vh;
      memcpy(&vh, frame - SL_VNET_LEN, sizeof vh);
      if (t->udp && vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        if (t->nmsg) flush(h); /* keeps the order of the burst; empties scratch */
        h->scratch_used = 0;
        int r = sl_sw_offload(h, i, &vh, frame, (uint32_t)len, emit_gso, flush);
        if (r < 0) {
          t->gn = t->giovn = t->gsize = t->gtotal = 0; /* a malformed frame sends nothing */
          t->gshort = false;
          h->scratch_used = 0;
          fail(h, i, false);
        } else {
          gso_send(h);
        }
        h->scratch_used = 0;
        continue;
      }
      if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE || (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
        if (sl_sw_offload(h, i, &vh, frame, (uint32_t)len, emit_segment, flush) < 0) fail(h, i, false);
        continue;
      }
    }
    queue(h, i, frame, (uint32_t)len, NULL, 0);
  }
  if (t->nmsg) flush(h);
  h->scratch_used = 0;
  napi_create_int32(env, (int32_t)(n - h->tx_failed), &res);
  return res;
}
