/*
 * Tunnel underlay (IPv4) of overlay ports: open and receive in tunnel.c, transmit in
 * tunnel_tx.c. This header is what the two share: the state a tunnel handle carries
 * (`h->tun`), allocated at open and freed with the handle. The receive arrays are
 * re-pointed at the caller's buffer on every burst; the transmit arrays hold one burst's
 * messages (per message: UDP header, destination, TOS cmsg).
 */
#ifndef SLUICE_TUNNEL_H
#define SLUICE_TUNNEL_H

#include "handle.h"
#include <netinet/in.h>

#define SL_TUN_RX_MAX 256   /* datagrams per tunnelRxBurst (one recvmmsg) */
#define SL_TUN_TX_BATCH 256 /* packets per sendmmsg on a tunnel handle */
#define SL_TUN_IOV 4        /* per message: UDP header, tunnel header, frame or segment headers, payload */
#define SL_TUN_CTL 128      /* receive control buffer per datagram (pktinfo, tos, ttl, ovfl) */
#define SL_TUN_POOL 16      /* UDP send sockets per udp tunnel: one source port each */
#define SL_TUN_GSO_SEGS 64  /* datagrams per UDP_SEGMENT send (the kernel's UDP_MAX_SEGMENTS >= 64) */

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
  uint32_t gn, giovn, gsize, gtotal;
  bool gshort; /* the last datagram added is shorter than gsize: it must end the send */
  union { struct cmsghdr align; uint8_t b[CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(int))]; } gctl;
  /* the packet being encapsulated, for the segment emitter */
  const uint8_t *cur_hdr;
  uint32_t cur_hlen, cur_dst, cur_pool, cur_src;
  uint16_t cur_sport;
  uint8_t cur_tos;
} sl_tunnel;

/* tunnelOpen(opts), tunnelRxBurst(...): contracts at the top of tunnel.c */
napi_value sl_tunnel_open(napi_env env, napi_callback_info info);
napi_value sl_tunnel_rx_burst(napi_env env, napi_callback_info info);

#endif
