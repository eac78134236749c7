/*
 * What a handle tells JS about itself: info(handle) (kind, fds, geometry; a tunnel adds
 * its own fields) and stats(handle) (counters).
 *
 * stats(): the kernel's PACKET_STATISTICS counters reset on every read, so an AF_PACKET
 * handle's drops are accumulated into rx_dropped here. They are the only record of frames
 * the socket dropped because the ring was full; interface counters do not show them
 * (LAB-NOTES). A tunnel's rxDropped adds the kernel's count of datagrams dropped on a
 * full socket (SO_RXQ_OVFL, tunnel.c). Counters are doubles in JS: exact up to 2^53.
 */
#include "info.h"
#include "handle.h"
#include "tunnel.h"
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <string.h>

static void set_u32(napi_env env, napi_value o, const char *k, uint32_t v) {
  napi_value x;
  napi_create_uint32(env, v, &x);
  napi_set_named_property(env, o, k, x);
}

static void set_prop(napi_env env, napi_value o, const char *k, napi_value v) { napi_set_named_property(env, o, k, v); }

/* info()'s tunnel fields: proto, localAddr, port, txFd, srcPorts (udp: the send pool's
 * source ports), df, ttl, tos, rcvbuf, sndbuf. */
static void tunnel_info(napi_env env, sl_handle *h, napi_value o) {
  sl_tunnel *t = h->tun;
  char a[INET_ADDRSTRLEN] = "";
  struct in_addr in = {t->local};
  inet_ntop(AF_INET, &in, a, sizeof a);
  napi_value v;
  napi_create_string_utf8(env, t->udp ? "udp" : "gre", NAPI_AUTO_LENGTH, &v);
  set_prop(env, o, "proto", v);
  napi_create_string_utf8(env, a, NAPI_AUTO_LENGTH, &v);
  set_prop(env, o, "localAddr", v);
  napi_create_uint32(env, t->port, &v);
  set_prop(env, o, "port", v);
  napi_create_int32(env, t->tx_fd, &v);
  set_prop(env, o, "txFd", v);
  napi_create_array_with_length(env, t->udp ? SL_TUN_POOL : 0, &v);
  for (uint32_t k = 0; t->udp && k < SL_TUN_POOL; k++) {
    napi_value e;
    napi_create_uint32(env, t->pool_port[k], &e);
    napi_set_element(env, v, k, e);
  }
  set_prop(env, o, "srcPorts", v);
  napi_get_boolean(env, t->df, &v);
  set_prop(env, o, "df", v);
  napi_create_uint32(env, t->ttl, &v);
  set_prop(env, o, "ttl", v);
  napi_create_uint32(env, t->tos, &v);
  set_prop(env, o, "tos", v);
  napi_create_uint32(env, t->rcvbuf, &v);
  set_prop(env, o, "rcvbuf", v);
  napi_create_uint32(env, t->sndbuf, &v);
  set_prop(env, o, "sndbuf", v);
}

/* info(handle) -> { fd, ifname, kind, vnetHdr, closed, ifindex, ringVersion, blockSize,
 * blockCount, frameSize, frameCount, bufferBytes, spillBytes } (TAP: frameSize/frameCount are its
 * slots), + a tunnel's own fields (tunnel_info) */
napi_value sl_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o, s, b;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  napi_create_object(env, &o);
  napi_create_int32(env, h->fd, &s);
  napi_set_named_property(env, o, "fd", s);
  napi_create_string_utf8(env, h->ifname, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "ifname", s);
  napi_create_string_utf8(env, h->kind == SL_TAP ? "tap" : h->kind == SL_TUNNEL ? "tunnel" : "afpacket", NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "kind", s);
  napi_get_boolean(env, h->vnet, &b);
  napi_set_named_property(env, o, "vnetHdr", b);
  napi_get_boolean(env, h->closed, &b);
  napi_set_named_property(env, o, "closed", b);
  set_u32(env, o, "ifindex", (uint32_t)h->ifindex);
  set_u32(env, o, "ringVersion", (uint32_t)h->ring_version);
  set_u32(env, o, "blockSize", h->block_size);
  set_u32(env, o, "blockCount", h->block_nr);
  set_u32(env, o, "frameSize", h->kind == SL_TAP ? h->slot_size : h->frame_size);
  set_u32(env, o, "frameCount", h->kind == SL_TAP ? h->slot_nr : h->frame_nr);
  set_u32(env, o, "bufferBytes", (uint32_t)h->rx_area_len);
  set_u32(env, o, "spillBytes", h->spill_len); /* AF_PACKET V2: the part of bufferBytes after the ring (rx.c) */
  if (h->kind == SL_TUNNEL) tunnel_info(env, h, o);
  return o;
}

static void set_num(napi_env env, napi_value o, const char *k, uint64_t v) {
  napi_value x;
  napi_create_double(env, (double)v, &x);
  napi_set_named_property(env, o, k, x);
}

napi_value sl_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  if (h->kind == SL_PACKET && !h->closed) {
    struct tpacket_stats_v3 st; /* V2 fills the first two fields only */
    socklen_t l = sizeof st;
    memset(&st, 0, sizeof st);
    if (getsockopt(h->fd, SOL_PACKET, PACKET_STATISTICS, &st, &l) == 0) h->rx_dropped += st.tp_drops;
  }
  napi_create_object(env, &o);
  set_num(env, o, "rx", h->rx_packets);
  set_num(env, o, "rxBytes", h->rx_bytes);
  /* tunnels: + datagrams the kernel dropped on a full socket (SO_RXQ_OVFL, tunnel.c) */
  set_num(env, o, "rxDropped", h->rx_dropped + (h->tun ? h->tun->rx_ovfl : 0));
  set_num(env, o, "rxTruncated", h->rx_truncated);
  set_num(env, o, "rxCopied", h->rx_copied); /* AF_PACKET V2: frames larger than a slot, received whole (rx.c) */
  set_num(env, o, "tx", h->tx_packets);
  set_num(env, o, "txBytes", h->tx_bytes);
  set_num(env, o, "txDropped", h->tx_dropped);
  set_num(env, o, "txErrors", h->tx_errors);
  set_num(env, o, "txSegmented", h->tx_segmented);
  set_num(env, o, "txTooBig", h->tx_too_big);
  /* userspace GRO (tx.c): super-frames sent as one packet, and the input frames in them */
  set_num(env, o, "txGroFrames", h->tx_gro_frames);
  set_num(env, o, "txGroSegments", h->tx_gro_segments);
  set_num(env, o, "lastErrno", (uint64_t)h->last_error);
  return o;
}
