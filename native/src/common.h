/*
 * Sluice packet I/O addon — shared declarations.
 *
 * One `sl_handle` per open port (a TAP fd, an AF_PACKET socket, or a tunnel's underlay
 * sockets: see tunnel.c). Invariants:
 *  - `rx_area` is the memory frames are received into and is exposed to JS once, as an
 *    external ArrayBuffer (no per-frame copy): the mmap'd TPACKET ring for AF_PACKET, an
 *    anonymous mapping of fixed slots for TAP. rxBurst returns offsets into it.
 *  - Frames returned by one rxBurst stay owned by JS until the NEXT rxBurst (or close) on
 *    the same handle; only then are their ring frames/blocks handed back to the kernel.
 *  - When `vnet` is set, every received frame is preceded by a struct virtio_net_hdr
 *    (SL_VNET_LEN bytes) at offset-SL_VNET_LEN, and every transmitted frame carries one.
 *  - Memory is freed when the last of its owners lets go (refcount): the JS external,
 *    the external ArrayBuffer and the libuv poll handle each hold one reference, so no
 *    JS view can ever point at unmapped memory; close() detaches the ArrayBuffer first.
 *  - Nothing here aborts the process: errors become JS exceptions at open time, and
 *    negative errno values / counters on the per-burst paths.
 */
#ifndef SLUICE_COMMON_H
#define SLUICE_COMMON_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* virtio 1.2: UDP segmentation (USO) */
#endif

#define SL_VNET_LEN ((uint32_t)sizeof(struct virtio_net_hdr)) /* 10 bytes */
#define SL_TX_BATCH 64            /* frames per sendmmsg call */
#define SL_SCRATCH (256u * 1024u) /* software segmentation output, >= one 64 KiB GSO frame */
#define SL_GRO_MAX_SEGS 64        /* segments per userspace-GRO super-frame (tx.c, gro.c) */
#define SL_GRO_IOV 1024           /* iovecs for super-frames per sendmmsg batch */

#define SL_TUN_RX_MAX 256   /* datagrams per tunnelRxBurst (one recvmmsg) */
#define SL_TUN_TX_BATCH 256 /* packets per sendmmsg on a tunnel handle */
#define SL_TUN_IOV 4        /* per message: UDP header, tunnel header, frame or segment headers, payload */
#define SL_TUN_CTL 128      /* receive control buffer per datagram (pktinfo, tos, ttl, ovfl) */
#define SL_TUN_POOL 16      /* UDP send sockets per udp tunnel: one source port each (tunnel.c) */
#define SL_TUN_GSO_SEGS 64  /* datagrams per UDP_SEGMENT send (the kernel's UDP_MAX_SEGMENTS >= 64) */

enum sl_kind { SL_TAP = 1, SL_PACKET = 2, SL_TUNNEL = 3 };

/* Underlay state of a tunnel handle (tunnel.c, tunnel_tx.c); allocated at open. The
 * receive arrays are re-pointed at the caller's buffer on every burst; the transmit
 * arrays hold one burst's messages (per message: UDP header, destination, TOS cmsg). */
typedef struct sl_tunnel {
  bool udp;          /* 'udp' (VXLAN, Geneve) or 'gre' */
  int tx_fd;         /* raw send socket: own fd for udp, == handle fd for gre */
  uint32_t local;    /* bound address, network order (0 = any) */
  uint16_t port;     /* UDP destination / listen port, host order */
  uint8_t ttl, tos;
  bool df;
  uint32_t rcvbuf, sndbuf;
  uint32_t rx_ovfl;  /* SO_RXQ_OVFL: datagrams the kernel dropped (socket full), cumulative */

  struct mmsghdr rmsg[SL_TUN_RX_MAX];
  struct iovec riov[SL_TUN_RX_MAX];
  struct sockaddr_in rname[SL_TUN_RX_MAX];
  union { struct cmsghdr align; uint8_t b[SL_TUN_CTL]; } rctl[SL_TUN_RX_MAX];

  struct mmsghdr tmsg[SL_TUN_TX_BATCH];
  struct iovec tiov[SL_TUN_TX_BATCH * SL_TUN_IOV];
  struct sockaddr_in tdst[SL_TUN_TX_BATCH];
  uint8_t tudp[SL_TUN_TX_BATCH][8];
  union { struct cmsghdr align; uint8_t b[CMSG_SPACE(sizeof(int))]; } tctl[SL_TUN_TX_BATCH];
  uint32_t tsrc[SL_TUN_TX_BATCH]; /* input packet index of each message */
  uint32_t nmsg;
  /* udp: the pool of ordinary UDP send sockets (bound to local, distinct kernel-chosen
   * source ports, never read: drop-all filter) that carry UDP GSO sends; a flow's source
   * port is pool_port[hash % SL_TUN_POOL] for all its packets (tunnel_tx.c) */
  int pool_fd[SL_TUN_POOL];
  uint16_t pool_port[SL_TUN_POOL];
  /* one UDP_SEGMENT send being built: per datagram tunnel header, segment headers, payload */
  struct iovec giov[SL_TUN_GSO_SEGS * 3];
  uint32_t gn, giovn, gsize, gtotal, gbytes;
  bool gshort; /* the last datagram added is shorter than gsize: it must end the send */
  union { struct cmsghdr align; uint8_t b[CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(int))]; } gctl;
  /* the packet being encapsulated, for the segment emitter */
  const uint8_t *cur_hdr;
  uint32_t cur_hlen, cur_dst, cur_pool, cur_src;
  uint16_t cur_sport;
  uint8_t cur_tos;
} sl_tunnel;

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

  /* AF_PACKET ring geometry */
  int ring_version; /* 2 or 3; 0 for TAP */
  uint32_t block_size, block_nr, frame_size, frame_nr, frames_per_block;
  bool drop_outgoing; /* kernel lacks PACKET_IGNORE_OUTGOING: filter PACKET_OUTGOING ourselves */
  /* TPACKET_V2 cursor: next frame to read, first frame not yet released */
  uint32_t v2_next, v2_release;
  /* TPACKET_V3 cursor: current block, packets left in it, next packet; first unreleased block */
  uint32_t v3_block, v3_left, v3_release;
  uint8_t *v3_pkt;
  bool v3_in_block;

  /* TAP slots */
  uint32_t slot_size, slot_nr;

  /* transmit batch */
  struct mmsghdr msgs[SL_TX_BATCH];
  struct iovec iov[SL_TX_BATCH * 2];
  uint32_t msg_src[SL_TX_BATCH]; /* input frame index each message came from (the first, merged) */
  uint32_t msg_cnt[SL_TX_BATCH]; /* input frames in the message: 1, or the segments of a super-frame */
  uint32_t msg_extra[SL_TX_BATCH]; /* bytes the inputs had beyond the message (repeated headers) */
  struct iovec giov[SL_GRO_IOV];  /* super-frames: header + one iovec per segment payload */
  uint32_t giov_used;
  uint32_t nmsg;
  uint8_t *scratch;
  size_t scratch_used;
  uint32_t tx_failed_last; /* last input index counted as failed in this burst, +1 */
  uint32_t tx_failed;      /* input frames failed in this burst */

  /* counters */
  uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, tx_errors, tx_dropped;
  uint64_t rx_truncated, tx_segmented, tx_too_big;
  uint64_t tx_gro_frames, tx_gro_segments; /* super-frames built (tx.c), input frames in them */
  int last_error; /* last errno seen on the data path (0 if none) */

  sl_tunnel *tun; /* SL_TUNNEL only */

  /* readiness */
  uv_poll_t poll;
  bool poll_init, polling;
  napi_ref poll_cb;
  napi_async_context poll_ctx;
  napi_env env;

  int refs;
} sl_handle;

/* handle.c */
sl_handle *sl_handle_new(napi_env env, enum sl_kind kind);
void sl_handle_unref(sl_handle *h);
napi_value sl_handle_wrap(napi_env env, sl_handle *h);
sl_handle *sl_handle_arg(napi_env env, napi_value v); /* NULL + pending exception on error */
napi_value sl_rx_buffer(napi_env env, napi_callback_info info);
napi_value sl_close(napi_env env, napi_callback_info info);
napi_value sl_info(napi_env env, napi_callback_info info);
void sl_handle_release_io(napi_env env, sl_handle *h);

/* errors.c */
napi_value sl_throw_errno(napi_env env, const char *call, const char *ifname, int err, const char *cap);
napi_value sl_throw(napi_env env, const char *msg);
napi_value sl_throw_msg_errno(napi_env env, const char *msg, int err); /* Error with .code/.errno */
const char *sl_errno_name(int err);
bool sl_opt_u32(napi_env env, napi_value obj, const char *key, uint32_t *out);
/* v is a typed array of type `want`: its data and element count. */
bool sl_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len);
bool sl_opt_bool(napi_env env, napi_value obj, const char *key, bool *out);
bool sl_arg_string(napi_env env, napi_value v, char *out, size_t cap);

/* tap.c / afpacket.c */
napi_value sl_tap_open(napi_env env, napi_callback_info info);
napi_value sl_afpacket_open(napi_env env, napi_callback_info info);
int sl_tap_rx(sl_handle *h, uint32_t max, uint32_t *offs, uint32_t *lens);
int sl_ring_rx(sl_handle *h, uint32_t max, uint32_t *offs, uint32_t *lens);
bool sl_ring_ready(sl_handle *h);

/* rx.c / tx.c */
napi_value sl_rx_burst(napi_env env, napi_callback_info info);
napi_value sl_tx_burst(napi_env env, napi_callback_info info);
void sl_tx_mark_failed(sl_handle *h, uint32_t src); /* counts input frame src as failed once */

/* tunnel.c / tunnel_tx.c: underlay I/O for overlay tunnel ports */
napi_value sl_tunnel_open(napi_env env, napi_callback_info info);
napi_value sl_tunnel_rx_burst(napi_env env, napi_callback_info info);
napi_value sl_tunnel_tx_burst(napi_env env, napi_callback_info info);
void sl_tunnel_flush(sl_handle *h);
void sl_tunnel_release(sl_handle *h); /* closes the send socket (release_io) */
void sl_tunnel_info(napi_env env, sl_handle *h, napi_value o);

/* offload.c: software fallback for GSO / partial checksums */
/* A segment is emitted as headers (in scratch) + payload (in place; NULL, 0 when none). */
typedef int (*sl_emit_fn)(sl_handle *h, uint32_t src, uint8_t *hdr, uint32_t hlen, const uint8_t *payload, uint32_t plen);
int sl_sw_offload(sl_handle *h, uint32_t src, const struct virtio_net_hdr *vh, const uint8_t *frame,
                  uint32_t len, sl_emit_fn emit);
uint8_t *sl_scratch_take(sl_handle *h, uint32_t len);

/* gro.c: which consecutive TCP segments may leave as one GSO super-frame (tx.c) */
typedef struct sl_gro_seg {
  uint32_t l3, l4, hdrs, payload; /* offsets in the frame; hdrs = end of the TCP header */
  uint32_t seq;
  uint16_t id;                    /* IPv4 identification (0 for IPv6) */
  bool v6, psh, csum_ok;
} sl_gro_seg;
bool sl_gro_parse(const uint8_t *f, uint32_t len, sl_gro_seg *s); /* a verified candidate */
bool sl_gro_follows(const uint8_t *a, const sl_gro_seg *sa, const uint8_t *b, const sl_gro_seg *sb, int *fixed_id);
uint64_t sl_gro_pseudo(const uint8_t *f, const sl_gro_seg *s, uint32_t l4len); /* host order, unfolded */
uint64_t sl_csum_add(const uint8_t *p, uint32_t len, uint64_t acc);            /* host order, unfolded */
uint16_t sl_csum_fold(uint64_t s);

/* poll.c / link.c */
napi_value sl_poll_start(napi_env env, napi_callback_info info);
napi_value sl_poll_stop(napi_env env, napi_callback_info info);
void sl_poll_close(sl_handle *h);
napi_value sl_if_index(napi_env env, napi_callback_info info);
napi_value sl_is_up(napi_env env, napi_callback_info info);
napi_value sl_set_up(napi_env env, napi_callback_info info);
napi_value sl_stats(napi_env env, napi_callback_info info);
int sl_ifindex_of(const char *name); /* -errno on failure */

#endif
