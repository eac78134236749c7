/*
 * Receive bursts on TAP and AF_PACKET handles (tap.c and afpacket.c open them and set up
 * the receive area; a tunnel handle receives with tunnelRxBurst, tunnel.c):
 * rxBurst(handle, max, offs: Uint32Array, lens: Uint32Array) -> n | -errno.
 *
 * One crossing per burst. Frame i of the burst is rxBuffer(handle)[offs[i] .. +lens[i]);
 * with vnetHdr its virtio_net_hdr is the SL_VNET_LEN bytes just before offs[i]. -EBADF
 * after close.
 *
 * Ownership contract: a burst's frames belong to JS until the NEXT rxBurst on the handle
 * (or close), so JS may read, rewrite in place and transmit them until then, and must not
 * keep views across calls.
 *  - TAP: one read(2) per frame into slots 0, 1, ... (one frame per slot) until EAGAIN,
 *    so the next burst overwrites them. A frame no longer than its virtio_net_hdr is
 *    dropped and counted; a hard error on the first read is returned as -errno (EBADFD
 *    once the device has been deleted).
 *  - AF_PACKET: the ring frames (V2) or blocks (V3) holding a burst's frames are returned
 *    to the kernel at the start of the next rxBurst. A caller that drains until rxBurst
 *    returns 0 leaves nothing held, which is also what makes poll(2) report "not
 *    readable" again (the kernel's poll looks at the last frame it filled). A V2 frame
 *    larger than a slot (a GSO super-frame) comes whole from the socket queue into the
 *    spill area after the ring (spill_frame: one recvmsg each, no allocation), in its
 *    slot's place, so frames keep their order; a burst ends early when the spill is full
 *    (rxCopied counts these frames). A socket error (ENETDOWN) that such a recvmsg reads
 *    in the frame's stead is returned as -errno by the first burst that finds nothing
 *    more, as the poll would have reported it. Each accepted
 *    frame: outgoing copies are filtered if the kernel could not (PACKET_IGNORE_OUTGOING
 *    missing); truncated frames (snaplen < len: larger than a slot while the socket queue
 *    was full, or larger than the whole spill) are dropped and counted; a VLAN tag the
 *    kernel moved into metadata is written back into the frame using the reserved
 *    headroom, shifting the MAC addresses (and the vnet header) 4 bytes left and moving
 *    csum_start accordingly, so the switch sees the frame as it was on the wire.
 */
#include "rx.h"
#include "args.h"
#include "errors.h"
#include "handle.h"
#include <errno.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static inline uint32_t load_acq(volatile uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void store_rel(volatile uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* Reads up to `max` frames. Returns the count, or -errno if the first read failed hard
 * (EBADFD once the device has been deleted). EAGAIN ends the burst. */
static int tap_rx(sl_handle *h, uint32_t max, uint32_t *offs, uint32_t *lens) {
  uint32_t n = 0, skip = h->vnet ? SL_VNET_LEN : 0;
  if (max > h->slot_nr) max = h->slot_nr;
  while (n < max) {
    uint8_t *slot = h->rx_area + (size_t)n * h->slot_size;
    ssize_t r = read(h->fd, slot, h->slot_size);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      h->last_error = errno;
      return n ? (int)n : -errno;
    }
    if ((uint32_t)r <= skip) { h->rx_dropped++; continue; }
    offs[n] = (uint32_t)(slot - h->rx_area) + skip;
    lens[n] = (uint32_t)r - skip;
    h->rx_packets++;
    h->rx_bytes += lens[n];
    n++;
  }
  return (int)n;
}

/* A VLAN tag the kernel moved into metadata goes back into the frame, using headroom
 * before it (never below `floor`): the MAC addresses (and the vnet header) move 4 bytes
 * left and csum_start follows. Returns the frame's new start; *len grows by 4. */
static uint8_t *vlan_restore(sl_handle *h, uint8_t *frame, const uint8_t *floor, uint32_t *len, uint32_t status,
                             uint16_t tci, uint16_t tpid) {
  if (!(status & TP_STATUS_VLAN_VALID)) return frame;
  uint32_t pre = h->vnet ? SL_VNET_LEN : 0;
  uint8_t *from = frame - pre;
  if (from - 4 < floor) return frame;
  memmove(from - 4, from, pre + 12);
  frame -= 4;
  uint16_t t = (status & TP_STATUS_VLAN_TPID_VALID) && tpid ? tpid : 0x8100;
  frame[12] = (uint8_t)(t >> 8);
  frame[13] = (uint8_t)t;
  frame[14] = (uint8_t)(tci >> 8);
  frame[15] = (uint8_t)tci;
  *len += 4;
  if (pre) {
    struct virtio_net_hdr *vh = (struct virtio_net_hdr *)(frame - pre);
    if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) vh->csum_start = (uint16_t)(vh->csum_start + 4);
    if (vh->hdr_len) vh->hdr_len = (uint16_t)(vh->hdr_len + 4);
  }
  return frame;
}

/* Accepts one frame; returns true when it was recorded at index n. */
static bool accept_frame(sl_handle *h, uint8_t *base, uint32_t hdrlen, uint32_t status, uint32_t mac, uint32_t snaplen,
                         uint32_t len, uint16_t tci, uint16_t tpid, uint32_t *off, uint32_t *flen) {
  struct sockaddr_ll *sll = (struct sockaddr_ll *)(base + hdrlen);
  if (h->drop_outgoing && sll->sll_pkttype == PACKET_OUTGOING) return false;
  if (snaplen < len) {
    h->rx_truncated++;
    h->rx_dropped++;
    return false;
  }
  uint8_t *frame = vlan_restore(h, base + mac, (uint8_t *)(sll + 1), &snaplen, status, tci, tpid);
  *off = (uint32_t)(frame - h->rx_area);
  *flen = snaplen;
  h->rx_packets++;
  h->rx_bytes += snaplen;
  return true;
}

/*
 * A V2 slot flagged TP_STATUS_COPY holds the head of a frame larger than a slot; the whole
 * frame is the next skb on the socket's receive queue (afpacket.c, PACKET_COPY_THRESH).
 * It is read with recvmsg — virtio-net header first, as in the ring — into the spill area
 * after the ring: [SL_RX_HEADROOM][vnet hdr][frame], 64-byte aligned, frames of one burst
 * one after the other. Returns 1 when recorded, 0 when consumed and dropped (counted), -1
 * when the spill has no room left in this burst: the slot stays unread for the next.
 */
#define SPILL_ALIGN 64u
static int spill_frame(sl_handle *h, struct tpacket2_hdr *t, uint32_t *off, uint32_t *flen) {
  const uint32_t pre = h->vnet ? SL_VNET_LEN : 0;
  uint32_t at = h->spill_used;
  size_t need = (size_t)SL_RX_HEADROOM + pre + t->tp_len;
  bool fits = at + need <= h->spill_len;
  if (!fits && at) return -1;
  struct sockaddr_ll *sll = (struct sockaddr_ll *)((uint8_t *)t + TPACKET_ALIGN(sizeof(struct tpacket2_hdr)));
  bool outgoing = h->drop_outgoing && sll->sll_pkttype == PACKET_OUTGOING;
  uint8_t *dst = h->spill + at + SL_RX_HEADROOM;
  /* a frame we drop anyway (own transmission, or larger than the whole spill) is still
   * taken off the queue, or every later TP_STATUS_COPY slot would get the wrong frame */
  struct iovec iov = {dst, outgoing || !fits ? 0 : pre + t->tp_len};
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ssize_t r = recvmsg(h->fd, &m, MSG_DONTWAIT | MSG_TRUNC);
  if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
    /* a pending socket error (ENETDOWN when the link goes down) is returned, and cleared,
     * before any queued frame: keep it for rxBurst to report (v2_rx), then take the frame */
    h->sock_err = errno;
    h->last_error = errno;
    r = recvmsg(h->fd, &m, MSG_DONTWAIT | MSG_TRUNC);
  }
  if (r < 0) { /* no queued frame for the slot: cannot happen while the kernel keeps its order */
    h->last_error = errno;
    h->rx_dropped++;
    return 0;
  }
  if (outgoing) return 0;
  if (!fits || (size_t)r > iov.iov_len || (uint32_t)r <= pre) {
    h->rx_truncated++;
    h->rx_dropped++;
    return 0;
  }
  uint32_t len = (uint32_t)r - pre;
  uint8_t *frame = vlan_restore(h, dst + pre, h->spill + at, &len, t->tp_status, t->tp_vlan_tci, t->tp_vlan_tpid);
  h->spill_used = (at + SL_RX_HEADROOM + (uint32_t)r + SPILL_ALIGN - 1) & ~(SPILL_ALIGN - 1);
  *off = (uint32_t)(frame - h->rx_area);
  *flen = len;
  h->rx_packets++;
  h->rx_copied++;
  h->rx_bytes += len;
  return 1;
}

static inline uint8_t *v2_frame(sl_handle *h, uint32_t i) {
  return h->rx_area + (size_t)(i / h->frames_per_block) * h->block_size + (size_t)(i % h->frames_per_block) * h->frame_size;
}

static int v2_rx(sl_handle *h, uint32_t max, uint32_t *offs, uint32_t *lens) {
  const uint32_t hdrlen = TPACKET_ALIGN(sizeof(struct tpacket2_hdr));
  while (h->v2_release != h->v2_next) {
    store_rel(&((struct tpacket2_hdr *)v2_frame(h, h->v2_release))->tp_status, TP_STATUS_KERNEL);
    h->v2_release = (h->v2_release + 1) % h->frame_nr;
  }
  uint32_t n = 0, seen = 0;
  h->spill_used = 0; /* the previous burst's spilled frames are released with its slots */
  while (n < max && seen + 1 < h->frame_nr) { /* never let next wrap onto release */
    struct tpacket2_hdr *t = (struct tpacket2_hdr *)v2_frame(h, h->v2_next);
    uint32_t st = load_acq(&t->tp_status);
    if (!(st & TP_STATUS_USER)) break;
    if (st & TP_STATUS_COPY) {
      int r = spill_frame(h, t, &offs[n], &lens[n]);
      if (r < 0) break; /* spill full: the rest in the next burst */
      h->v2_next = (h->v2_next + 1) % h->frame_nr;
      seen++;
      n += (uint32_t)r;
      continue;
    }
    h->v2_next = (h->v2_next + 1) % h->frame_nr;
    seen++;
    if (accept_frame(h, (uint8_t *)t, hdrlen, st, t->tp_mac, t->tp_snaplen, t->tp_len, t->tp_vlan_tci, t->tp_vlan_tpid,
                     &offs[n], &lens[n]))
      n++;
  }
  if (!n && h->sock_err) { /* a socket error spill_frame read in its stead: the poll would have said it */
    int e = h->sock_err;
    h->sock_err = 0;
    return -e;
  }
  return (int)n;
}

static inline struct tpacket_block_desc *v3_block(sl_handle *h, uint32_t b) {
  return (struct tpacket_block_desc *)(h->rx_area + (size_t)b * h->block_size);
}

static int v3_rx(sl_handle *h, uint32_t max, uint32_t *offs, uint32_t *lens) {
  const uint32_t hdrlen = TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
  while (h->v3_release != h->v3_block) {
    store_rel(&v3_block(h, h->v3_release)->hdr.bh1.block_status, TP_STATUS_KERNEL);
    h->v3_release = (h->v3_release + 1) % h->block_nr;
  }
  uint32_t n = 0, consumed = 0;
  while (n < max) {
    if (!h->v3_in_block) {
      if (consumed + 1 >= h->block_nr) break; /* never let the cursor wrap onto release */
      struct tpacket_block_desc *b = v3_block(h, h->v3_block);
      if (!(load_acq(&b->hdr.bh1.block_status) & TP_STATUS_USER)) break;
      h->v3_in_block = true;
      h->v3_left = b->hdr.bh1.num_pkts;
      h->v3_pkt = (uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
    }
    if (h->v3_left > 0) {
      struct tpacket3_hdr *t = (struct tpacket3_hdr *)h->v3_pkt;
      h->v3_left--;
      h->v3_pkt += t->tp_next_offset;
      if (accept_frame(h, (uint8_t *)t, hdrlen, t->tp_status, t->tp_mac, t->tp_snaplen, t->tp_len, t->hv1.tp_vlan_tci,
                       t->hv1.tp_vlan_tpid, &offs[n], &lens[n]))
        n++;
    }
    if (h->v3_left == 0) { /* block consumed: released at the next call */
      h->v3_in_block = false;
      h->v3_block = (h->v3_block + 1) % h->block_nr;
      consumed++;
    }
  }
  return (int)n;
}

static int ring_rx(sl_handle *h, uint32_t max, uint32_t *offs, uint32_t *lens) {
  return h->ring_version == 3 ? v3_rx(h, max, offs, lens) : v2_rx(h, max, offs, lens);
}

/* True when the ring holds an unread frame (used to tell a real wake-up from an error). */
bool sl_ring_ready(sl_handle *h) {
  if (h->kind != SL_PACKET || !h->rx_area) return false;
  if (h->ring_version == 3) {
    if (h->v3_in_block) return h->v3_left > 0;
    return load_acq(&v3_block(h, h->v3_block)->hdr.bh1.block_status) & TP_STATUS_USER;
  }
  return load_acq(&((struct tpacket2_hdr *)v2_frame(h, h->v2_next))->tp_status) & TP_STATUS_USER;
}

napi_value sl_rx_burst(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], res;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return sl_throw(env, "rxBurst(handle, max, offs, lens)");
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  if (h->kind == SL_TUNNEL) {
    napi_throw_type_error(env, NULL, "rxBurst: a tunnel handle receives with tunnelRxBurst");
    return NULL;
  }
  uint32_t max = 0, *offs, *lens;
  size_t no, nl;
  napi_get_value_uint32(env, argv[1], &max);
  if (!sl_typed(env, argv[2], napi_uint32_array, (void **)&offs, &no) || !sl_typed(env, argv[3], napi_uint32_array, (void **)&lens, &nl)) {
    napi_throw_type_error(env, NULL, "rxBurst: offs and lens must be Uint32Array");
    return NULL;
  }
  if (max > no) max = (uint32_t)no;
  if (max > nl) max = (uint32_t)nl;
  int n;
  if (h->closed) n = -EBADF;
  else n = h->kind == SL_TAP ? tap_rx(h, max, offs, lens) : ring_rx(h, max, offs, lens);
  napi_create_int32(env, n, &res);
  return res;
}
