/*
 * AF_PACKET sockets with an mmap'd receive ring (TPACKET_V2 or TPACKET_V3):
 * packetOpen(ifname, opts) -> handle. Receiving from the ring is in rx.c, sending
 * (sendmmsg on the same socket) in tx.c.
 *
 * opts, each optional: ringVersion (2), vnetHdr (false), blockSize (1 MiB, a power of two
 * >= 4096), blockCount (64, 2..4096), frameSize (2,048, a multiple of 16: an MTU frame;
 * larger V2 frames take the copy path below; V3 packs frames up to a block's size),
 * blockTimeoutMs (1, V3 only), rcvbuf / sndbuf (4 MiB), promisc (true), fanoutGroup +
 * fanoutMode (PACKET_FANOUT, none unless fanoutGroup is given).
 *
 * Setup order matters (Linux packet(7)): version, vnet header and reserve must be set
 * before the ring exists; the socket is created with protocol 0 so it receives nothing
 * until it is bound to the interface with ETH_P_ALL, after the ring is mapped.
 * PACKET_IGNORE_OUTGOING keeps our own transmissions out of the ring; a kernel without
 * it (< 4.20) gets `drop_outgoing`, and rx.c filters them instead.
 *
 * Geometry. A V2 slot holds one MTU frame (2,048 bytes: tpacket2 header, sockaddr_ll,
 * reserve, virtio-net header and up to 1,956 bytes of frame, so a 1,514-byte frame with
 * two VLAN tags fits), so a ring of N bytes holds N / 2,048 frames: 128 in 256 KiB, 32,768
 * in the 64 MiB default. A larger frame — with PACKET_VNET_HDR, veth hands over GSO
 * super-frames of up to 64 KiB — does not fit a slot. PACKET_COPY_THRESH makes the kernel
 * (tpacket_rcv) put it in the ring truncated, flagged TP_STATUS_COPY, and queue the whole
 * skb on the socket's ordinary receive queue (as long as the queue is below SO_RCVBUF;
 * beyond, the slot comes truncated without the flag and rx.c drops and counts it). Slot
 * and queue entry are taken under one lock, so the queue holds exactly the TP_STATUS_COPY
 * frames, in ring order; rx.c reads each with recvmsg (virtio-net header first) into the
 * spill area mapped right after the ring (SL_SPILL) and hands it on in the slot's place.
 * Before, a slot was sized for the super-frame (69,904 bytes = 1 MiB / 15), so 64 MiB held
 * 960 frames and a 512 KiB ring 6. The kernel allocates each ring block as 2^order pages,
 * so blocks are powers of two (1 MiB; 2 of size/2 for rings under 2 MiB), and 2,048-byte
 * slots waste nothing. V3 packs variable-size packets into the same blocks (no spill).
 *
 * Why V2 is the default: V3 wakes the reader only when a block fills or when the block
 * timeout (>= 1 ms) expires, so at low rates every hop costs ~1 ms (see LAB-NOTES and
 * bench/io.md). V2 wakes per frame, and still batches under load because a busy reader
 * finds many frames ready at each rxBurst. V3 stays available for capture-like ports.
 *
 * PACKET_RESERVE leaves 16 bytes of headroom before each frame so rx.c can re-insert a
 * VLAN tag the kernel stripped into metadata (TP_STATUS_VLAN_VALID) without copying the
 * frame.
 */
#include "afpacket.h"
#include "args.h"
#include "errors.h"
#include "handle.h"
#include "link.h"
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RING_BLOCK (1u << 20)
#define RING_BLOCKS 64u /* 32,768 V2 slots (960 when a slot held a GSO frame: bench/README.md, rx_dropped) */
#define FRAME_SIZE 2048u /* an MTU frame; larger ones take the copy path (V2) */
#define V3_TIMEOUT_MS 1u
#define SOCK_BUF (4u << 20)

#ifndef PACKET_COPY_THRESH
#define PACKET_COPY_THRESH 7
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

typedef struct {
  uint32_t version, block_size, block_nr, frame_size, timeout_ms, rcvbuf, sndbuf, fanout_group, fanout_mode;
  bool vnet, promisc, has_fanout;
} open_opts;

static void read_opts(napi_env env, napi_value o, open_opts *p) {
  p->version = 2;
  p->block_size = RING_BLOCK;
  p->block_nr = RING_BLOCKS;
  p->frame_size = 0;
  p->timeout_ms = V3_TIMEOUT_MS;
  p->rcvbuf = p->sndbuf = SOCK_BUF;
  p->vnet = false;
  p->promisc = true;
  if (!o) return;
  sl_opt_u32(env, o, "ringVersion", &p->version);
  sl_opt_u32(env, o, "blockSize", &p->block_size);
  sl_opt_u32(env, o, "blockCount", &p->block_nr);
  sl_opt_u32(env, o, "frameSize", &p->frame_size);
  sl_opt_u32(env, o, "blockTimeoutMs", &p->timeout_ms);
  sl_opt_u32(env, o, "rcvbuf", &p->rcvbuf);
  sl_opt_u32(env, o, "sndbuf", &p->sndbuf);
  sl_opt_bool(env, o, "vnetHdr", &p->vnet);
  sl_opt_bool(env, o, "promisc", &p->promisc);
  p->has_fanout = sl_opt_u32(env, o, "fanoutGroup", &p->fanout_group);
  sl_opt_u32(env, o, "fanoutMode", &p->fanout_mode);
}

static const char *check_geometry(open_opts *p) {
  if (p->version != 2 && p->version != 3) return "packetOpen: ringVersion must be 2 or 3";
  if (p->block_size < 4096 || (p->block_size & (p->block_size - 1))) return "packetOpen: blockSize must be a power of two >= 4096";
  if (p->block_nr < 2 || p->block_nr > 4096) return "packetOpen: blockCount must be 2..4096";
  if (!p->frame_size) p->frame_size = FRAME_SIZE;
  if (p->frame_size < 128 || p->frame_size % 16 || p->frame_size > p->block_size)
    return "packetOpen: frameSize must be a multiple of 16, >= 128 and <= blockSize";
  return NULL;
}

static int sockopt(int fd, int level, int name, int val) { return setsockopt(fd, level, name, &val, sizeof val); }

static int setup_ring(sl_handle *h, open_opts *p) {
  uint32_t fpb = p->block_size / p->frame_size;
  if (p->version == 3) {
    struct tpacket_req3 r;
    memset(&r, 0, sizeof r);
    r.tp_block_size = p->block_size;
    r.tp_block_nr = p->block_nr;
    r.tp_frame_size = p->frame_size;
    r.tp_frame_nr = fpb * p->block_nr;
    r.tp_retire_blk_tov = p->timeout_ms;
    if (setsockopt(h->fd, SOL_PACKET, PACKET_RX_RING, &r, sizeof r) < 0) return -1;
  } else {
    struct tpacket_req r;
    r.tp_block_size = p->block_size;
    r.tp_block_nr = p->block_nr;
    r.tp_frame_size = p->frame_size;
    r.tp_frame_nr = fpb * p->block_nr;
    if (setsockopt(h->fd, SOL_PACKET, PACKET_RX_RING, &r, sizeof r) < 0) return -1;
  }
  h->ring_version = (int)p->version;
  h->block_size = p->block_size;
  h->block_nr = p->block_nr;
  h->frame_size = p->frame_size;
  h->frames_per_block = fpb;
  h->frame_nr = fpb * p->block_nr;
  /* One mapping: the ring, then (V2) the spill area, so a spilled frame is an offset into
   * rxBuffer like any ring frame (rx.c, and tx.c's zero-copy `alt`). The spill's pages are
   * anonymous and only count in RSS once a frame larger than a slot has been received. */
  size_t ring_len = (size_t)p->block_size * p->block_nr;
  h->spill_len = p->version == 2 ? SL_SPILL : 0;
  h->rx_area_len = ring_len + h->spill_len;
  uint8_t *area = mmap(NULL, h->rx_area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (area == MAP_FAILED) return -1;
  void *m = mmap(area, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE | MAP_FIXED, h->fd, 0);
  if (m == MAP_FAILED) {
    int e = errno;
    munmap(area, h->rx_area_len);
    errno = e;
    return -1;
  }
  h->spill = h->spill_len ? area + ring_len : NULL;
  h->rx_area = m;
  return 0;
}

static napi_value fail(napi_env env, sl_handle *h, const char *call, int err) {
  napi_value r = sl_throw_errno(env, call, h->ifname, err, "CAP_NET_RAW");
  sl_handle_release_io(NULL, h);
  sl_handle_unref(h);
  return r;
}

/* The socket calls of an open, in order; no JS (a packetOpenMany thread runs it). Returns 0,
 * or an errno with *call naming the failed call. */
static int open_socket(sl_handle *h, open_opts *o, const char **call) {
  h->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (h->fd < 0) return *call = "socket(AF_PACKET)", errno;
  int ver = o->version == 3 ? TPACKET_V3 : TPACKET_V2;
  if (sockopt(h->fd, SOL_PACKET, PACKET_VERSION, ver) < 0) return *call = "PACKET_VERSION", errno;
  if (o->vnet && sockopt(h->fd, SOL_PACKET, PACKET_VNET_HDR, 1) < 0) return *call = "PACKET_VNET_HDR", errno;
  if (sockopt(h->fd, SOL_PACKET, PACKET_RESERVE, SL_RX_HEADROOM) < 0) return *call = "PACKET_RESERVE", errno;
  /* V2: a frame larger than a slot is also queued whole on the socket (TP_STATUS_COPY) */
  if (o->version == 2 && sockopt(h->fd, SOL_PACKET, PACKET_COPY_THRESH, 1) < 0) return *call = "PACKET_COPY_THRESH", errno;
  if (sockopt(h->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) < 0) h->drop_outgoing = true; /* kernel < 4.20 */
  /* Bigger socket buffers: the default 208 KiB drops under load (LAB-NOTES). FORCE needs
   * CAP_NET_ADMIN; fall back to the capped variant. */
  if (sockopt(h->fd, SOL_SOCKET, SO_RCVBUFFORCE, (int)o->rcvbuf) < 0) sockopt(h->fd, SOL_SOCKET, SO_RCVBUF, (int)o->rcvbuf);
  if (sockopt(h->fd, SOL_SOCKET, SO_SNDBUFFORCE, (int)o->sndbuf) < 0) sockopt(h->fd, SOL_SOCKET, SO_SNDBUF, (int)o->sndbuf);
  if (setup_ring(h, o) < 0) return *call = "PACKET_RX_RING", errno;

  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = h->ifindex;
  if (bind(h->fd, (struct sockaddr *)&sll, sizeof sll) < 0) return *call = "bind(AF_PACKET)", errno;
  if (o->promisc) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = h->ifindex;
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(h->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) return *call = "PACKET_MR_PROMISC", errno;
  }
  if (o->has_fanout) {
    int v = (int)((o->fanout_group & 0xffff) | ((o->fanout_mode & 0xffff) << 16));
    if (sockopt(h->fd, SOL_PACKET, PACKET_FANOUT, v) < 0) return *call = "PACKET_FANOUT", errno;
  }
  return 0;
}

/* A handle for argv-style (ifname, opts) with its options checked, not yet opened; NULL
 * with a pending exception when the arguments are wrong. */
static sl_handle *prepare(napi_env env, napi_value name_v, napi_value opts_v, open_opts *o) {
  char name[IF_NAMESIZE];
  if (!name_v || !sl_arg_string(env, name_v, name, sizeof name)) return NULL;
  read_opts(env, opts_v, o);
  const char *bad = check_geometry(o);
  if (bad) return sl_throw(env, bad), NULL;
  int ifindex = sl_ifindex_of(name);
  if (ifindex < 0) return sl_throw_errno(env, "SIOCGIFINDEX", name, -ifindex, "CAP_NET_RAW"), NULL;
  sl_handle *h = sl_handle_new(env, SL_PACKET);
  if (!h) return sl_throw(env, "packetOpen: out of memory"), NULL;
  snprintf(h->ifname, sizeof h->ifname, "%s", name);
  h->ifindex = ifindex;
  h->vnet = o->vnet;
  return h;
}

/* packetOpen(ifname, opts) -> handle: opts and defaults at the top. */
napi_value sl_afpacket_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2] = {NULL, NULL};
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  open_opts o;
  sl_handle *h = prepare(env, argc > 0 ? argv[0] : NULL, argc > 1 ? argv[1] : NULL, &o);
  if (!h) return NULL;
  const char *call = "";
  int err = open_socket(h, &o, &call);
  if (err) return fail(env, h, call, err);
  return sl_handle_wrap(env, h);
}

/*
 * packetOpenMany([[ifname, opts], ...]) -> [handle | null, ...]: the same opens, run on one
 * thread each and joined. Why: setting up a receive ring (and closing one) waits for an RCU
 * grace period in the kernel (packet_set_ring -> synchronize_net), 5-20 ms of sleep per
 * socket with no CPU used; one after the other, the 256 ports of a 64-switch Mininet fabric
 * took 3.6 s to open. Waits that overlap share grace periods. An entry that fails is null
 * (nothing is left open for it): packetOpen of the same entry then throws its error.
 */
#define OPEN_MANY_MAX 1024u

typedef struct {
  sl_handle *h;
  open_opts o;
  int err;
  pthread_t thread;
  bool started;
} open_job;

static void *open_job_run(void *arg) {
  open_job *j = arg;
  const char *call = "";
  j->err = open_socket(j->h, &j->o, &call);
  return NULL;
}

napi_value sl_afpacket_open_many(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL}, out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool is_array = false;
  uint32_t n = 0;
  if (argc < 1 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array) return sl_throw(env, "packetOpenMany: expected a list of [ifname, opts]");
  napi_get_array_length(env, argv[0], &n);
  if (n > OPEN_MANY_MAX) return sl_throw(env, "packetOpenMany: at most 1024 ports at once");
  open_job *jobs = calloc(n ? n : 1, sizeof *jobs);
  if (!jobs) return sl_throw(env, "packetOpenMany: out of memory");
  napi_create_array_with_length(env, n, &out);
  for (uint32_t i = 0; i < n; i++) {
    napi_value e, name = NULL, opts = NULL, exc;
    bool pending = false;
    napi_get_element(env, argv[0], i, &e);
    napi_get_element(env, e, 0, &name);
    napi_get_element(env, e, 1, &opts);
    napi_valuetype t = napi_undefined;
    if (opts) napi_typeof(env, opts, &t);
    jobs[i].h = prepare(env, name, t == napi_object ? opts : NULL, &jobs[i].o);
    napi_is_exception_pending(env, &pending);
    if (pending) napi_get_and_clear_last_exception(env, &exc); /* packetOpen reports it */
    if (jobs[i].h) jobs[i].started = pthread_create(&jobs[i].thread, NULL, open_job_run, &jobs[i]) == 0;
    if (jobs[i].h && !jobs[i].started) open_job_run(&jobs[i]); /* no thread: open here */
  }
  for (uint32_t i = 0; i < n; i++) {
    open_job *j = &jobs[i];
    napi_value v;
    if (j->started) pthread_join(j->thread, NULL);
    if (j->h && j->err) {
      sl_handle_release_io(NULL, j->h);
      sl_handle_unref(j->h);
      j->h = NULL;
    }
    if (j->h) v = sl_handle_wrap(env, j->h);
    else napi_get_null(env, &v);
    napi_set_element(env, out, i, v);
  }
  free(jobs);
  return out;
}
