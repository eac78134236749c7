/*
 * Transmit bursts: txBurst(handle, buf: Uint8Array, offs, lens, n, vnetPrefix
 *                           [, alt: Uint8Array, altPrefix, sel: Uint8Array]) -> accepted.
 *
 * Two sources (zero-copy forwarding): frame i is read from `alt` (with its own vnetPrefix
 * flag `altPrefix`) when sel[i] == 1, else from `buf`. The datapath passes the input
 * port's receive ring as `alt`, so unmodified frames go out straight from the ring and
 * only rewritten ones are staged in `buf`; frames keep their order in one batch.
 *
 * One crossing per burst; frames are gathered (no copy) into an mmsghdr batch and sent
 * with one sendmmsg per SL_TX_BATCH messages (AF_PACKET) or one writev each (TAP, which
 * has no batched write). Headers this file or offload.c builds live in the handle's
 * scratch area until flush() has sent the messages that point at them. `vnetPrefix` says each frame's virtio_net_hdr sits in the SL_VNET_LEN
 * bytes before offs[i] — the layout rxBurst produces — so a frame received with a header
 * goes out unchanged:
 *   output has vnet hdr, frame has one   -> sent as is (GSO/partial csum passes through);
 *   output has vnet hdr, frame has none  -> an all-zero header is prepended (plain frame),
 *                                           unless it joins a super-frame (GRO, below);
 *   output has none, frame has one       -> GSO frames are segmented and partial checksums
 *                                           completed in software (offload.c), else sent bare;
 *   neither                              -> sent bare.
 * Userspace GRO (output has a vnet hdr): consecutive frames that are plain TCP segments
 * of one flow — no header, or one with gso none and no NEEDS_CSUM — and that Linux's GRO
 * would merge (rules and checks in gro.c, each segment's TCP checksum verified first) go
 * out as ONE frame: a virtio_net_hdr with gso_type TCPV4/TCPV6, gso_size = the segments'
 * payload size, NEEDS_CSUM with the pseudo-header sum in the TCP checksum field, and the
 * IP length (and IPv4 header checksum) of the whole; the first segment's headers are
 * rewritten into the scratch area and every payload is gathered in place (no copy). The
 * receiving kernel then runs its stack once per super-frame, not once per segment.
 * Frames that are not merged go out exactly as above, and frames keep their order.
 * Never blocks, never spins: a full socket (EAGAIN/ENOBUFS) drops the rest of that
 * sendmmsg batch and counts tx_dropped; any other per-message error counts tx_errors and
 * skips the message, as does a frame outside its source or one offload.c finds malformed.
 * Counters count INPUT frames: a super-frame of k segments adds k to tx_packets (and the
 * bytes the k frames had, with a header each), or k to tx_dropped / tx_errors — though
 * the kernel sees one packet (tx_gro_frames / tx_gro_segments say how many were merged).
 * Returns how many input frames were sent without loss (all segments of a split frame);
 * -EBADF after close. A tunnel handle sends with tunnelTxBurst (tunnel_tx.c).
 */
#include "tx.h"
#include "args.h"
#include "csum.h"
#include "errors.h"
#include "gro.h"
#include "offload.h"
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static const struct virtio_net_hdr zero_vnet;

/* A message (and every input frame in it) failed: dropped (socket full) or an error. */
static void fail_msg(sl_handle *h, uint32_t i, bool dropped) {
  uint32_t cnt = h->msg_cnt[i], src = h->msg_src[i];
  if (dropped) h->tx_dropped += cnt;
  else h->tx_errors += cnt;
  for (uint32_t k = 0; k < cnt; k++) sl_tx_mark_failed(h, src + k);
}

/* Sends the queued messages (sendmmsg batches, or one writev each on TAP) and empties the
 * scratch area: the flush of this file's scratch takes. */
static void flush(sl_handle *h) {
  uint32_t i = 0;
  while (i < h->nmsg) {
    int r;
    if (h->kind == SL_PACKET) {
      r = sendmmsg(h->fd, &h->msgs[i], h->nmsg - i, MSG_DONTWAIT);
    } else {
      struct msghdr *m = &h->msgs[i].msg_hdr;
      ssize_t w = writev(h->fd, m->msg_iov, (int)m->msg_iovlen);
      if (w >= 0) h->msgs[i].msg_len = (unsigned)w;
      r = w < 0 ? -1 : 1;
    }
    if (r > 0) {
      for (int k = 0; k < r; k++) {
        h->tx_bytes += h->msg_bytes[i + k];
        h->tx_packets += h->msg_cnt[i + k];
      }
      i += (uint32_t)r;
      continue;
    }
    int e = errno;
    if (e == EINTR) continue;
    h->last_error = e;
    if (e == EAGAIN || e == ENOBUFS) {
      for (; i < h->nmsg; i++) fail_msg(h, i, true);
      break;
    }
    fail_msg(h, i, false);
    i++;
  }
  h->nmsg = 0;
  h->scratch_used = 0;
  h->giov_used = 0;
}

/* Queues one frame of up to two parts; sends when the batch is full (after adding, so a
 * frame built in scratch is never overwritten before it is sent). */
static void queue(sl_handle *h, uint32_t src, const void *a, uint32_t alen, const void *b, uint32_t blen) {
  uint32_t k = h->nmsg;
  struct iovec *iov = &h->iov[2 * k];
  struct msghdr *m = &h->msgs[k].msg_hdr;
  memset(m, 0, sizeof *m);
  iov[0].iov_base = (void *)a;
  iov[0].iov_len = alen;
  iov[1].iov_base = (void *)b;
  iov[1].iov_len = blen;
  m->msg_iov = iov;
  m->msg_iovlen = blen ? 2 : 1;
  h->msg_src[k] = src;
  h->msg_cnt[k] = 1;
  h->msg_bytes[k] = alen + blen - (h->vnet ? SL_VNET_LEN : 0); /* a vnet port's messages start with the header */
  if (++h->nmsg == SL_TX_BATCH) flush(h);
}

static int emit_plain(sl_handle *h, uint32_t src, uint8_t *hdr, uint32_t hlen, const uint8_t *payload, uint32_t plen) {
  queue(h, src, hdr, hlen, payload, plen);
  return 0;
}

/* The burst's two frame sources (see the top). */
typedef struct {
  uint8_t *buf, *alt, *sel;
  size_t blen, alen;
  bool buf_prefix, alt_prefix;
} tx_src;

/* Frame i of the burst; false when it lies (with its prefix) outside its source. */
static bool frame_at(const tx_src *S, const uint32_t *offs, const uint32_t *lens, uint32_t i, uint8_t **frame, uint32_t *len,
                     bool *prefix) {
  uint64_t off = offs[i], l = lens[i];
  const bool from_alt = S->sel != NULL && S->sel[i] == 1;
  size_t limit = from_alt ? S->alen : S->blen;
  *prefix = from_alt ? S->alt_prefix : S->buf_prefix;
  if (l == 0 || off + l > limit || (*prefix && off < SL_VNET_LEN)) return false;
  *frame = (from_alt ? S->alt : S->buf) + off;
  *len = (uint32_t)l;
  return true;
}

/* A received header that says nothing: no GSO, no partial checksum (DATA_VALID is fine). */
static bool plain_prefix(const uint8_t *frame) {
  struct virtio_net_hdr vh;
  memcpy(&vh, frame - SL_VNET_LEN, sizeof vh);
  return vh.gso_type == VIRTIO_NET_HDR_GSO_NONE && !(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

/* The last frame gro_run parsed and did not take: the next run starts with it, so its
 * checksum is verified once. */
typedef struct {
  uint32_t idx;
  bool ok;
  sl_gro_seg seg;
} gro_cache;

static bool parse_at(gro_cache *c, uint32_t i, const uint8_t *f, uint32_t len, sl_gro_seg *s) {
  if (c->idx == i) {
    *s = c->seg;
    return c->ok;
  }
  return sl_gro_parse(f, len, s);
}

static inline void put16n(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); } /* host-order value */

/* Queues segments[0..cnt) (input frames src..src+cnt-1) as one GSO super-frame: the first
 * segment's headers, rewritten in scratch behind a virtio_net_hdr, then each payload in place. */
static void queue_merged(sl_handle *h, uint32_t src, uint32_t cnt, uint8_t *const *frames, const sl_gro_seg *segs, uint32_t total) {
  const sl_gro_seg *s0 = &segs[0];
  const uint32_t hdrs = s0->hdrs, l3 = s0->l3, l4 = s0->l4;
  if (h->giov_used + 1 + cnt > SL_GRO_IOV) flush(h);
  uint8_t *p = sl_scratch_take(h, SL_VNET_LEN + hdrs, flush); /* may flush too: the iovecs are taken after */
  struct virtio_net_hdr vh;
  memset(&vh, 0, sizeof vh);
  vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  vh.gso_type = s0->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
  vh.hdr_len = (uint16_t)hdrs;
  vh.gso_size = (uint16_t)s0->payload;
  vh.csum_start = (uint16_t)l4;
  vh.csum_offset = 16;
  memcpy(p, &vh, sizeof vh);
  uint8_t *f = p + SL_VNET_LEN;
  memcpy(f, frames[0], hdrs);
  uint32_t l4len = hdrs - l4 + total;
  if (s0->v6) {
    put16n(f + l3 + 4, htons((uint16_t)(l4len)));
  } else {
    put16n(f + l3 + 2, htons((uint16_t)(l4 - l3 + l4len)));
    put16n(f + l3 + 10, 0);
    put16n(f + l3 + 10, (uint16_t)~sl_csum_fold(sl_csum_add(f + l3, 20, 0)));
  }
  f[l4 + 13] = frames[cnt - 1][l4 + 13]; /* ACK, or ACK|PSH from the last segment */
  put16n(f + l4 + 16, sl_csum_fold(sl_gro_pseudo(f, s0, l4len)));

  struct iovec *iov = &h->giov[h->giov_used];
  h->giov_used += 1 + cnt;
  iov[0].iov_base = p;
  iov[0].iov_len = SL_VNET_LEN + hdrs;
  for (uint32_t k = 0; k < cnt; k++) {
    iov[1 + k].iov_base = frames[k] + hdrs;
    iov[1 + k].iov_len = segs[k].payload;
  }
  uint32_t m = h->nmsg;
  struct msghdr *mh = &h->msgs[m].msg_hdr;
  memset(mh, 0, sizeof *mh);
  mh->msg_iov = iov;
  mh->msg_iovlen = 1 + cnt;
  h->msg_src[m] = src;
  h->msg_cnt[m] = cnt;
  h->msg_bytes[m] = cnt * hdrs + total; /* the input frames: each had its own headers */
  h->tx_gro_frames++;
  h->tx_gro_segments += cnt;
  if (++h->nmsg == SL_TX_BATCH) flush(h);
}

/* Tries to start a super-frame at frame i (already located: f, len). Returns how many
 * input frames it queued (>= 2), or 0 when frame i goes out on its own. */
static uint32_t gro_run(sl_handle *h, const tx_src *S, const uint32_t *offs, const uint32_t *lens, uint32_t i, uint32_t n, uint8_t *f,
                        uint32_t len, gro_cache *c) {
  sl_gro_seg segs[SL_GRO_MAX_SEGS];
  uint8_t *frames[SL_GRO_MAX_SEGS];
  if (i + 1 >= n || !parse_at(c, i, f, len, &segs[0]) || segs[0].psh) return 0;
  frames[0] = f;
  const uint32_t mss = segs[0].payload, ip_hdrs = segs[0].hdrs - segs[0].l3;
  uint32_t cnt = 1, total = mss;
  int fixed_id = -1;
  while (cnt < SL_GRO_MAX_SEGS && i + cnt < n) {
    const uint32_t j = i + cnt;
    const sl_gro_seg *prev = &segs[cnt - 1];
    if (prev->psh || prev->payload < mss) break; /* a short or PSH segment ends the run */
    uint8_t *g;
    uint32_t glen;
    bool gp;
    if (!frame_at(S, offs, lens, j, &g, &glen, &gp) || (gp && !plain_prefix(g))) break;
    sl_gro_seg *s = &segs[cnt];
    c->idx = j;
    c->ok = sl_gro_parse(g, glen, s);
    c->seg = *s;
    if (!c->ok || s->payload > mss || ip_hdrs + total + s->payload > 0xffff || !sl_gro_follows(frames[cnt - 1], prev, g, s, &fixed_id)) break;
    c->idx = UINT32_MAX; /* taken */
    frames[cnt++] = g;
    total += s->payload;
  }
  if (cnt < 2) return 0;
  queue_merged(h, i, cnt, frames, segs, total);
  return cnt;
}

napi_value sl_tx_burst(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9], res;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return sl_throw(env, "txBurst(handle, buf, offs, lens, n, vnetPrefix)");
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  if (h->kind == SL_TUNNEL) {
    napi_throw_type_error(env, NULL, "txBurst: a tunnel handle sends with tunnelTxBurst");
    return NULL;
  }
  uint8_t *buf;
  uint32_t *offs, *lens, n = 0;
  size_t blen, no, nl;
  if (!sl_typed(env, argv[1], napi_uint8_array, (void **)&buf, &blen) || !sl_typed(env, argv[2], napi_uint32_array, (void **)&offs, &no) ||
      !sl_typed(env, argv[3], napi_uint32_array, (void **)&lens, &nl)) {
    napi_throw_type_error(env, NULL, "txBurst: buf must be Uint8Array, offs and lens Uint32Array");
    return NULL;
  }
  napi_get_value_uint32(env, argv[4], &n);
  bool prefix = false;
  if (argc > 5) napi_get_value_bool(env, argv[5], &prefix);
  if (n > no) n = (uint32_t)no;
  if (n > nl) n = (uint32_t)nl;
  /* optional second source; absent/null/undefined = every frame is in buf */
  uint8_t *alt = NULL, *sel = NULL;
  size_t alen = 0, slen = 0;
  bool alt_prefix = false;
  if (argc > 8) {
    napi_valuetype t;
    napi_typeof(env, argv[6], &t);
    if (t != napi_undefined && t != napi_null) {
      if (!sl_typed(env, argv[6], napi_uint8_array, (void **)&alt, &alen) || !sl_typed(env, argv[8], napi_uint8_array, (void **)&sel, &slen)) {
        napi_throw_type_error(env, NULL, "txBurst: alt and sel must be Uint8Array");
        return NULL;
      }
      napi_get_value_bool(env, argv[7], &alt_prefix);
      if (n > slen) n = (uint32_t)slen;
    }
  }
  if (h->closed) {
    napi_create_int32(env, -EBADF, &res);
    return res;
  }
  h->tx_failed = 0;
  h->tx_failed_last = 0;
  tx_src S = {buf, alt, sel, blen, alen, prefix, alt_prefix};
  gro_cache c = {UINT32_MAX, false, {0}};
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *frame;
    uint32_t len;
    if (!frame_at(&S, offs, lens, i, &frame, &len, &prefix)) { /* out of bounds: never read past the source */
      h->tx_errors++;
      sl_tx_mark_failed(h, i);
      continue;
    }
    if (h->vnet) {
      if (!prefix || plain_prefix(frame)) {
        uint32_t used = gro_run(h, &S, offs, lens, i, n, frame, len, &c);
        if (used) {
          i += used - 1;
          continue;
        }
      }
      if (prefix) queue(h, i, frame - SL_VNET_LEN, len + SL_VNET_LEN, NULL, 0);
      else queue(h, i, &zero_vnet, SL_VNET_LEN, frame, len);
      continue;
    }
    if (prefix) {
      struct virtio_net_hdr vh;
      memcpy(&vh, frame - SL_VNET_LEN, sizeof vh);
      if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE || (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
        if (sl_sw_offload(h, i, &vh, frame, len, emit_plain, flush) < 0) {
          h->tx_errors++;
          sl_tx_mark_failed(h, i);
        }
        continue;
      }
    }
    queue(h, i, frame, len, NULL, 0);
  }
  if (h->nmsg) flush(h);
  napi_create_int32(env, (int32_t)(n - h->tx_failed), &res);
  return res;
}
