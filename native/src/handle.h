/*
 * The handle: one `sl_handle` per open port (a TAP fd, an AF_PACKET socket, or a tunnel's
 * underlay sockets) and its lifetime. Every other file of the addon works on one; this
 * one knows no port kind's code. Invariants:
 *  - `rx_area` is the memory frames are received into and is exposed to JS once, as an
 *    external ArrayBuffer (no per-frame copy): the mmap'd TPACKET ring for AF_PACKET, an
 *    anonymous mapping of fixed slots for TAP. rxBurst returns offsets into it (rx.c).
 *    A tunnel handle has none: it receives into the caller's buffer (tunnel.c).
 *  - Frames returned by one rxBurst stay owned by JS until the NEXT rxBurst (or close) on
 *    the same handle; only then are their ring frames/blocks handed back to the kernel.
 *  - When `vnet` is set, every received frame is preceded by a struct virtio_net_hdr
 *    (SL_VNET_LEN bytes) at offset-SL_VNET_LEN, and every transmitted frame carries one.
 *  - Memory is freed when the last of its owners lets go (`refs`): the JS external, the
 *    external ArrayBuffer and the libuv poll handle each hold one reference, so no JS
 *    view can ever point at unmapped memory; close() detaches the ArrayBuffer first.
 *  - The scratch area holds headers that queued transmit messages point at: it is only
 *    reused after those messages are sent (sl_scratch_take's `flush`).
 *  - Nothing here aborts the process: errors become JS exceptions at open time, and
 *    negative errno values / counters on the per-burst paths.
 * What a kind opens beyond `fd` (a tunnel's send sockets) is closed through
 * `release_kind`, set by its opener; a tunnel's state (`tun`, tunnel.h) is opaque here.
 */
#ifndef SLUICE_HANDLE_H
#define SLUICE_HANDLE_H

#include <node_api.h> /* NAPI_VERSION=8 comes from binding.gyp */
#include <uv.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <linux/virtio_net.h>
#include <net/if.h>

#define SL_VNET_LEN ((uint32_t)sizeof(struct virtio_net_hdr)) /* 10 bytes */
#define SL_TX_BATCH 64            /* frames per sendmmsg call (tx.c) */
#define SL_SCRATCH (256u * 1024u) /* software segmentation output, >= one 64 KiB GSO frame */
#define SL_GRO_IOV 1024           /* iovecs for super-frames per sendmmsg batch (tx.c) */
/* AF_PACKET V2 spill area (afpacket.c maps it right after the ring, rx.c fills it): frames
 * larger than a ring slot (GSO super-frames) are read whole from the socket queue into it.
 * Four 64 KiB frames and their headroom per burst; a burst ends early when it is full. */
#define SL_SPILL (272u * 1024u)
#define SL_RX_HEADROOM 16u /* PACKET_RESERVE: room to re-insert a stripped VLAN tag (rx.c) */

enum sl_kind { SL_TAP = 1, SL_PACKET = 2, SL_TUNNEL = 3 };

struct sl_tunnel; /* tunnel.h */

typedef struct sl_handle {
  enum sl_kind kind;
  int fd;
  bool closed;
  bool vnet;
  char ifname[IF_NAMESIZE];
  int ifindex;

  /* receive area exposed to JS */
  uint8_t *rx_area;
  size_t rx_area_len;
  napi_ref rx_ab; /* weak ref to the external ArrayBuffer, for detaching on close */

  /* AF_PACKET ring geometry (set up by afpacket.c, read by rx.c) */
  int ring_version; /* 2 or 3; 0 for TAP */
  uint32_t block_size, block_nr, frame_size, frame_nr, frames_per_block;
  bool drop_outgoing; /* kernel lacks PACKET_IGNORE_OUTGOING: filter PACKET_OUTGOING ourselves */
  /* V2: rx_area = ring (block_size * block_nr) + spill (spill_len, SL_SPILL; 0 for V3) */
  uint8_t *spill;
  uint32_t spill_len, spill_used; /* spill_used: bytes taken by the current burst */
  int sock_err; /* a socket error the spill's recvmsg consumed, for rxBurst to return (rx.c) */
  /* TPACKET_V2 cursor: next frame to read, first frame not yet released */
  uint32_t v2_next, v2_release;
  /* TPACKET_V3 cursor: current block, packets left in it, next packet; first unreleased block */
  uint32_t v3_block, v3_left, v3_release;
  uint8_t *v3_pkt;
  bool v3_in_block;

  /* TAP slots (set up by tap.c, read by rx.c) */
  uint32_t slot_size, slot_nr;

  /* transmit batch (tx.c) */
  struct mmsghdr msgs[SL_TX_BATCH];
  struct iovec iov[SL_TX_BATCH * 2];
  uint32_t msg_src[SL_TX_BATCH]; /* input frame index each message came from (the first, merged) */
  uint32_t msg_cnt[SL_TX_BATCH]; /* input frames in the message: 1, or the segments of a super-frame */
  uint32_t msg_bytes[SL_TX_BATCH]; /* the frame bytes a message carries (tx_bytes): no virtio_net_hdr, a super-frame's inputs whole */
  struct iovec giov[SL_GRO_IOV];  /* super-frames: header + one iovec per segment payload */
  uint32_t giov_used;
  uint32_t nmsg;
  uint8_t *scratch; /* SL_SCRATCH bytes: headers built for queued messages (tx.c, tunnel_tx.c, offload.c) */
  size_t scratch_used;
  uint32_t tx_failed_last; /* last input index counted as failed in this burst, +1 */
  uint32_t tx_failed;      /* input frames failed in this burst */

  /* counters */
  uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, tx_errors, tx_dropped;
  uint64_t rx_truncated, tx_segmented, tx_too_big;
  uint64_t rx_copied; /* frames larger than a ring slot received whole via the socket queue (rx.c) */
  uint64_t tx_gro_frames, tx_gro_segments; /* super-frames built (tx.c), input frames in them */
  int last_error; /* last errno seen on the data path (0 if none) */

  struct sl_tunnel *tun;                /* SL_TUNNEL only (tunnel.h); freed with the handle */
  void (*release_kind)(struct sl_handle *h); /* closes what the opener added beyond fd; may be NULL */

  /* readiness (poll.c starts and stops it; release_io closes it) */
  uv_poll_t poll;
  bool poll_init, polling;
  napi_ref poll_cb;
  napi_async_context poll_ctx;
  napi_env env;

  int refs;
} sl_handle;

sl_handle *sl_handle_new(napi_env env, enum sl_kind kind); /* one reference: the JS external to come */
void sl_handle_unref(sl_handle *h);
napi_value sl_handle_wrap(napi_env env, sl_handle *h);     /* the JS external; releases h on failure */
sl_handle *sl_handle_arg(napi_env env, napi_value v);      /* NULL + pending exception on error */
void sl_handle_release_io(napi_env env, sl_handle *h);     /* close(): once; env may be NULL */

/* rxBuffer(handle), close(handle) */
napi_value sl_rx_buffer(napi_env env, napi_callback_info info);
napi_value sl_close(napi_env env, napi_callback_info info);
/* closesDeferred(on), closesFlush(): AF_PACKET closes collected and run in parallel (handle.c) */
napi_value sl_closes_deferred(napi_env env, napi_callback_info info);
napi_value sl_closes_flush(napi_env env, napi_callback_info info);

/* Sends what a burst has queued on h, then empties the scratch area. */
typedef void (*sl_flush_fn)(sl_handle *h);

/* `len` bytes of scratch, or NULL when len exceeds the area. When the area is full, the
 * caller's `flush` first sends the queued messages whose headers live there. */
static inline uint8_t *sl_scratch_take(sl_handle *h, uint32_t len, sl_flush_fn flush) {
  if (len > SL_SCRATCH) return NULL;
  if (h->scratch_used + len > SL_SCRATCH) flush(h);
  uint8_t *p = h->scratch + h->scratch_used;
  h->scratch_used += len;
  return p;
}

/* Counts input frame `src` of the current transmit burst as failed, once: messages are
 * in input order, so a frame whose segments fail one by one counts one. */
static inline void sl_tx_mark_failed(sl_handle *h, uint32_t src) {
  if (h->tx_failed_last == src + 1) return;
  h->tx_failed_last = src + 1;
  h->tx_failed++;
}

#endif
