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
 * with one sendmmsg per SL_TX_BATCH frames (AF_PACKET) or one writev each (TAP, which has
 * no batched write). `vnetPrefix` says each frame's virtio_net_hdr sits in the SL_VNET_LEN
 * bytes before offs[i] — the layout rxBurst produces — so a frame received with a header
 * goes out unchanged:
 *   output has vnet hdr, frame has one   -> sent as is (GSO/partial csum passes through);
 *   output has vnet hdr, frame has none  -> an all-zero header is prepended (plain frame);
 *   output has none, frame has one       -> GSO frames are segmented and partial checksums
 *                                           completed in software (offload.c), else sent bare;
 *   neither                              -> sent bare.
 * Never blocks, never spins: a full socket (EAGAIN/ENOBUFS) drops the rest of the burst
 * and counts tx_dropped; any other per-frame error counts tx_errors and skips the frame.
 * Returns how many input frames were sent without loss (all segments of a split frame).
 */
#include "common.h"
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static const struct virtio_net_hdr zero_vnet;

void sl_tx_mark_failed(sl_handle *h, uint32_t src) {
  if (h->tx_failed_last == src + 1) return; /* messages are in input order: dedupe */
  h->tx_failed_last = src + 1;
  h->tx_failed++;
}

static void flush(sl_handle *h) {
  if (h->kind == SL_TUNNEL) { /* sl_scratch_take during tunnel segmentation */
    sl_tunnel_flush(h);
    return;
  }
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
      for (int k = 0; k < r; k++) h->tx_bytes += h->msgs[i + k].msg_len;
      h->tx_packets += (uint64_t)r;
      i += (uint32_t)r;
      continue;
    }
    int e = errno;
    if (e == EINTR) continue;
    h->last_error = e;
    if (e == EAGAIN || e == ENOBUFS) {
      for (; i < h->nmsg; i++) {
        h->tx_dropped++;
        sl_tx_mark_failed(h, h->msg_src[i]);
      }
      break;
    }
    h->tx_errors++;
    sl_tx_mark_failed(h, h->msg_src[i]);
    i++;
  }
  h->nmsg = 0;
  h->scratch_used = 0;
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
  if (++h->nmsg == SL_TX_BATCH) flush(h);
}

uint8_t *sl_scratch_take(sl_handle *h, uint32_t len) {
  if (len > SL_SCRATCH) return NULL;
  if (h->scratch_used + len > SL_SCRATCH) flush(h);
  uint8_t *p = h->scratch + h->scratch_used;
  h->scratch_used += len;
  return p;
}

static int emit_plain(sl_handle *h, uint32_t src, uint8_t *frame, uint32_t len) {
  queue(h, src, frame, len, NULL, 0);
  return 0;
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
  const bool buf_prefix = prefix;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t off = offs[i], len = lens[i];
    const bool from_alt = sel != NULL && sel[i] == 1;
    uint8_t *base = from_alt ? alt : buf;
    size_t limit = from_alt ? alen : blen;
    prefix = from_alt ? alt_prefix : buf_prefix;
    if (len == 0 || off + len > limit || (prefix && off < SL_VNET_LEN)) { /* out of bounds: never read past the source */
      h->tx_errors++;
      sl_tx_mark_failed(h, i);
      continue;
    }
    uint8_t *frame = base + off;
    if (h->vnet) {
      if (prefix) queue(h, i, frame - SL_VNET_LEN, (uint32_t)len + SL_VNET_LEN, NULL, 0);
      else queue(h, i, &zero_vnet, SL_VNET_LEN, frame, (uint32_t)len);
      continue;
    }
    if (prefix) {
      struct virtio_net_hdr vh;
      memcpy(&vh, frame - SL_VNET_LEN, sizeof vh);
      if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE || (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
        if (sl_sw_offload(h, i, &vh, frame, (uint32_t)len, emit_plain) < 0) {
          h->tx_errors++;
          sl_tx_mark_failed(h, i);
        }
        continue;
      }
    }
    queue(h, i, frame, (uint32_t)len, NULL, 0);
  }
  if (h->nmsg) flush(h);
  napi_create_int32(env, (int32_t)(n - h->tx_failed), &res);
  return res;
}
