/*
 * Tunnel underlay (IPv4): open and receive. Transmit is in tunnel_tx.c, info()'s tunnel
 * fields in info.c, the state they share in tunnel.h.
 *
 * The overlay headers that are tunnel-specific (VXLAN's 8 bytes, Geneve + options, GRE)
 * are built and parsed in TypeScript; this file only moves the outer packets, and the
 * kernel routes them.
 *
 * tunnelOpen({ proto: 'udp' | 'gre', localAddr: 'a.b.c.d' (may be 0.0.0.0), port?,
 *              rcvbuf? = 4 MiB, sndbuf? = 4 MiB, df? = true, ttl? = 64, tos? = 0 }) -> handle
 *  'udp' (VXLAN, Geneve): a receive socket, a raw send socket and a send pool.
 *    - receive: AF_INET SOCK_DGRAM bound to localAddr:port (port required), non-blocking,
 *      SO_RCVBUF(FORCE), IP_PKTINFO / IP_RECVTOS / IP_RECVTTL / SO_RXQ_OVFL. This is the
 *      handle's fd: pollStart watches it.
 *    - send: AF_INET SOCK_RAW IPPROTO_UDP without IP_HDRINCL (the kernel writes the IP
 *      header, we write the UDP header), so the UDP SOURCE port can be set per packet
 *      (the flow's pool port, below). Bound to localAddr when it is not 0.0.0.0
 *      so that is the outer source. A raw UDP socket would also get a copy of every UDP
 *      datagram the host receives; a drop-all BPF filter keeps its queue empty, and with a
 *      bound localAddr it is connected to that address, so the kernel does not even
 *      clone the underlay's datagrams for it (connect_self).
 *    - send pool: SL_TUN_POOL (16) ordinary AF_INET SOCK_DGRAM sockets bound to localAddr
 *      with kernel-chosen ephemeral ports (distinct), a drop-all BPF filter and the
 *      minimum SO_RCVBUF (never read). Their ports are the tunnel's only source ports: a
 *      flow uses srcPorts[flow value % SL_TUN_POOL] for all its packets, so it keeps one
 *      underlay path while flows spread over 16 ports (ECMP entropy, RFC 7348 §5). GSO
 *      super-frames leave through them with UDP_SEGMENT (tunnel_tx.c); the raw socket
 *      writes the same port into the UDP headers it builds.
 *  'gre': one AF_INET SOCK_RAW IPPROTO_GRE (47) socket, bound to localAddr when not
 *      0.0.0.0, for both directions. Received datagrams include the outer IPv4 header
 *      (raw(7)); it is parsed and skipped. On send the kernel writes the IP header.
 *  All send sockets: IP_MTU_DISCOVER = IP_PMTUDISC_DO when df (a packet larger than the
 *  path MTU fails with EMSGSIZE, counted as txTooBig), IP_PMTUDISC_DONT otherwise (the
 *  kernel fragments); IP_TTL = ttl; IP_TOS = tos (per-packet TOS overrides, tunnel_tx.c).
 *  Open errors throw an Error naming the call, the address and the errno (`.code`,
 *  `.errno`); EADDRNOTAVAIL says the address is not configured on this host.
 *
 * tunnelRxBurst(h, max, buf: Uint8Array, offs: Uint32Array, lens: Uint32Array,
 *               meta: Uint32Array) -> n >= 0 | -errno
 *  One recvmmsg(MSG_DONTWAIT) straight into the caller's `buf` (no copy), which is split
 *  into fixed slots: slot = floor(buf.length / max); when that is below 2048 the burst is
 *  limited to floor(buf.length / 2048) slots of 2048 bytes (buf.length < 2048: -EINVAL).
 *  max is also capped by SL_TUN_RX_MAX, offs.length, lens.length and meta.length / 4.
 *  Datagram i is buf[offs[i] .. +lens[i]): the bytes AFTER the outer UDP header (udp) or
 *  outer IPv4 header (gre), i.e. starting at the VXLAN / Geneve / GRE header.
 *  meta[4i+0] outer source IPv4, [4i+1] outer destination IPv4 (host-order u32; udp: the
 *  header's destination from IP_PKTINFO, else the bound address), [4i+2] UDP source port
 *  (0 for gre), [4i+3] (tos << 8) | ttl of the outer header.
 *  A datagram larger than its slot (MSG_TRUNC) or a malformed GRE datagram is skipped
 *  and counted (rxTruncated + rxDropped; malformed: rxDropped) — never handed to JS
 *  truncated. The kernel's count of datagrams dropped on a full socket (SO_RXQ_OVFL)
 *  is added to rxDropped. buf is JS memory and belongs to JS again when the call returns.
 */
#include "tunnel.h"
#include "args.h"
#include "errors.h"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUN_BUF (4u << 20)
#define TUN_MIN_SLOT 2048u

typedef struct {
  bool udp, df, has_port;
  uint32_t local, port, rcvbuf, sndbuf, ttl, tos;
  char addr[INET_ADDRSTRLEN];
} tun_opts;

static int sockopt(int fd, int level, int name, int val) { return setsockopt(fd, level, name, &val, sizeof val); }

/* Parses and checks the options; returns an error message or NULL. */
static const char *read_opts(napi_env env, napi_value o, tun_opts *p) {
  char proto[8] = "";
  napi_valuetype t;
  memset(p, 0, sizeof *p);
  p->rcvbuf = p->sndbuf = TUN_BUF;
  p->df = true;
  p->ttl = 64;
  if (!o || napi_typeof(env, o, &t) != napi_ok || t != napi_object) return "tunnelOpen: opts must be an object";
  if (!sl_opt_string(env, o, "proto", proto, sizeof proto) || (strcmp(proto, "udp") && strcmp(proto, "gre")))
    return "tunnelOpen: proto must be 'udp' or 'gre'";
  p->udp = proto[0] == 'u';
  struct in_addr a;
  if (!sl_opt_string(env, o, "localAddr", p->addr, sizeof p->addr) || inet_pton(AF_INET, p->addr, &a) != 1)
    return "tunnelOpen: localAddr must be a dotted IPv4 address (0.0.0.0 for any)";
  p->local = a.s_addr;
  p->has_port = sl_opt_u32(env, o, "port", &p->port);
  if (p->udp && (!p->has_port || p->port == 0 || p->port > 65535)) return "tunnelOpen: 'udp' needs port 1..65535";
  sl_opt_u32(env, o, "rcvbuf", &p->rcvbuf);
  sl_opt_u32(env, o, "sndbuf", &p->sndbuf);
  sl_opt_bool(env, o, "df", &p->df);
  sl_opt_u32(env, o, "ttl", &p->ttl);
  sl_opt_u32(env, o, "tos", &p->tos);
  if (p->ttl < 1 || p->ttl > 255) return "tunnelOpen: ttl must be 1..255";
  if (p->tos > 255) return "tunnelOpen: tos must be 0..255";
  if (p->rcvbuf > INT32_MAX / 2 || p->sndbuf > INT32_MAX / 2) return "tunnelOpen: rcvbuf/sndbuf too large";
  return NULL;
}

static napi_value fail(napi_env env, sl_handle *h, const char *call, const tun_opts *p, int err) {
  char msg[256], where[32];
  if (p->udp) snprintf(where, sizeof where, "%s:%u", p->addr, p->port);
  else snprintf(where, sizeof where, "%s", p->addr);
  if (err == EADDRNOTAVAIL)
    snprintf(msg, sizeof msg, "tunnelOpen: %s %s: local address %s is not configured on this host (EADDRNOTAVAIL)", call,
             where, p->addr);
  else if (err == EPERM || err == EACCES)
    snprintf(msg, sizeof msg, "tunnelOpen: %s %s: needs root or CAP_NET_RAW (%s)", call, where, sl_errno_name(err));
  else
    snprintf(msg, sizeof msg, "tunnelOpen: %s %s: %s (%s)", call, where, strerror(err), sl_errno_name(err));
  napi_value r = sl_throw_msg_errno(env, msg, err);
  sl_handle_release_io(NULL, h);
  sl_handle_unref(h);
  return r;
}

/* Send-path options shared by the raw UDP and GRE sockets. Returns the failing call. */
static const char *setup_send(int fd, const tun_opts *p) {
  if (sockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, (int)p->sndbuf) < 0 && sockopt(fd, SOL_SOCKET, SO_SNDBUF, (int)p->sndbuf) < 0)
    return "SO_SNDBUF";
  if (sockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, p->df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT) < 0) return "IP_MTU_DISCOVER";
  if (sockopt(fd, IPPROTO_IP, IP_TTL, (int)p->ttl) < 0) return "IP_TTL";
  if (p->tos && sockopt(fd, IPPROTO_IP, IP_TOS, (int)p->tos) < 0) return "IP_TOS";
  return NULL;
}

static void setup_recv(int fd, const tun_opts *p) {
  if (sockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, (int)p->rcvbuf) < 0) sockopt(fd, SOL_SOCKET, SO_RCVBUF, (int)p->rcvbuf);
  sockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, 1); /* best effort: only feeds rxDropped */
}

/* The kernel hands a raw IPPROTO_UDP socket a clone of every UDP datagram the host
 * receives (raw_v4_input), which the drop-all filter then frees: one clone, one filter
 * run per underlay datagram. A connected raw socket matches only datagrams from its peer,
 * so connected to its own (bound) address it matches none of the underlay's; sends still
 * name their destination. Best effort (the filter stays), and only with a bound address:
 * connecting an unbound socket would also pick its source address. */
static void connect_self(int fd, uint32_t addr) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = addr;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { /* keeps working unconnected */ }
}

static int bind_addr(int fd, uint32_t addr, uint16_t port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = addr;
  sa.sin_port = htons(port);
  return bind(fd, (struct sockaddr *)&sa, sizeof sa);
}

/* release_kind of a tunnel handle (handle.c calls it at close): the send sockets. */
static void release_sockets(sl_handle *h) {
  sl_tunnel *t = h->tun;
  if (t->tx_fd >= 0 && t->tx_fd != h->fd) close(t->tx_fd);
  t->tx_fd = -1;
  for (int k = 0; k < SL_TUN_POOL; k++) {
    if (t->pool_fd[k] >= 0) close(t->pool_fd[k]);
    t->pool_fd[k] = -1;
  }
}
napi_value sl_tunnel_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  tun_opts o;
  const char *bad = read_opts(env, argc ? argv[0] : NULL, &o);
  if (bad) {
    napi_throw_type_error(env, NULL, bad);
    return NULL;
  }
  sl_handle *h = sl_handle_new(env, SL_TUNNEL);
  sl_tunnel *t = h ? calloc(1, sizeof *t) : NULL;
  if (!t) {
    if (h) sl_handle_unref(h);
    return sl_throw(env, "tunnelOpen: out of memory");
  }
  h->tun = t;
  t->tx_fd = -1;
  for (int k = 0; k < SL_TUN_POOL; k++) t->pool_fd[k] = -1;
  h->release_kind = release_sockets;
  t->udp = o.udp;
  t->local = o.local;
  t->port = (uint16_t)o.port;
  t->ttl = (uint8_t)o.ttl;
  t->tos = (uint8_t)o.tos;
  t->df = o.df;
  t->rcvbuf = o.rcvbuf;
  t->sndbuf = o.sndbuf;
  const char *call;
  if (!o.udp) {
    h->fd = t->tx_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);
    if (h->fd < 0) return fail(env, h, "socket(SOCK_RAW, IPPROTO_GRE)", &o, errno);
    if (o.local && bind_addr(h->fd, o.local, 0) < 0) return fail(env, h, "bind", &o, errno);
    setup_recv(h->fd, &o);
    if ((call = setup_send(h->fd, &o))) return fail(env, h, call, &o, errno);
    return sl_handle_wrap(env, h);
  }
  h->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (h->fd < 0) return fail(env, h, "socket(SOCK_DGRAM)", &o, errno);
  if (bind_addr(h->fd, o.local, t->port) < 0) return fail(env, h, "bind", &o, errno);
  setup_recv(h->fd, &o);
  if (sockopt(h->fd, IPPROTO_IP, IP_PKTINFO, 1) < 0) return fail(env, h, "IP_PKTINFO", &o, errno);
  if (sockopt(h->fd, IPPROTO_IP, IP_RECVTOS, 1) < 0) return fail(env, h, "IP_RECVTOS", &o, errno);
  if (sockopt(h->fd, IPPROTO_IP, IP_RECVTTL, 1) < 0) return fail(env, h, "IP_RECVTTL", &o, errno);

  t->tx_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (t->tx_fd < 0) return fail(env, h, "socket(SOCK_RAW, IPPROTO_UDP)", &o, errno);
  struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
  struct sock_fprog prog = {1, &drop};
  if (setsockopt(t->tx_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) return fail(env, h, "SO_ATTACH_FILTER", &o, errno);
  sockopt(t->tx_fd, SOL_SOCKET, SO_RCVBUF, 0); /* the kernel's minimum */
  if (o.local && bind_addr(t->tx_fd, o.local, 0) < 0) return fail(env, h, "bind(raw)", &o, errno);
  if (o.local) connect_self(t->tx_fd, o.local);
  if ((call = setup_send(t->tx_fd, &o))) return fail(env, h, call, &o, errno);
  /* The send pool: SL_TUN_POOL ordinary UDP sockets bound to localAddr with kernel-chosen
   * (distinct) ephemeral ports. They carry UDP GSO (UDP_SEGMENT) sends; their ports are
   * the only source ports the tunnel uses (tunnel_tx.c). Never read: drop-all filter and
   * the minimum receive buffer (the receive socket is the one bound to `port`). */
  for (int k = 0; k < SL_TUN_POOL; k++) {
    int fd = t->pool_fd[k] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) return fail(env, h, "socket(SOCK_DGRAM) send pool", &o, errno);
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) return fail(env, h, "SO_ATTACH_FILTER(pool)", &o, errno);
    sockopt(fd, SOL_SOCKET, SO_RCVBUF, 0);
    if (bind_addr(fd, o.local, 0) < 0) return fail(env, h, "bind(pool)", &o, errno);
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) return fail(env, h, "getsockname(pool)", &o, errno);
    t->pool_port[k] = ntohs(sa.sin_port);
    if ((call = setup_send(fd, &o))) return fail(env, h, call, &o, errno);
  }
  return sl_handle_wrap(env, h);
}


/* Reads the control messages of one UDP datagram into meta[1] and meta[3]. */
static void udp_meta(sl_tunnel *t, struct msghdr *m, uint32_t *meta) {
  uint32_t tos = 0, ttl = 0;
  meta[1] = ntohl(t->local);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      meta[1] = ntohl(pi.ipi_addr.s_addr);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
      tos = *(uint8_t *)CMSG_DATA(c);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof v);
      ttl = (uint32_t)v & 0xff;
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
      memcpy(&t->rx_ovfl, CMSG_DATA(c), sizeof t->rx_ovfl);
    }
  }
  meta[3] = tos << 8 | ttl;
}

static void ovfl_only(sl_tunnel *t, struct msghdr *m) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) memcpy(&t->rx_ovfl, CMSG_DATA(c), sizeof t->rx_ovfl);
}

static int tunnel_rx(sl_handle *h, uint32_t max, uint8_t *buf, size_t blen, uint32_t *offs, uint32_t *lens, uint32_t *meta) {
  sl_tunnel *t = h->tun;
  if (max == 0) return 0;
  size_t slot = blen / max;
  if (slot < TUN_MIN_SLOT) {
    max = (uint32_t)(blen / TUN_MIN_SLOT);
    slot = TUN_MIN_SLOT;
    if (max == 0) return -EINVAL;
  }
  if (slot > 0xffffffffu / SL_TUN_RX_MAX) slot = 0xffffffffu / SL_TUN_RX_MAX; /* offsets stay u32 */
  for (uint32_t i = 0; i < max; i++) {
    struct msghdr *m = &t->rmsg[i].msg_hdr;
    t->riov[i].iov_base = buf + i * slot;
    t->riov[i].iov_len = slot;
    m->msg_name = &t->rname[i];
    m->msg_namelen = sizeof t->rname[i];
    m->msg_iov = &t->riov[i];
    m->msg_iovlen = 1;
    m->msg_control = t->rctl[i].b;
    m->msg_controllen = SL_TUN_CTL;
    m->msg_flags = 0;
  }
  int r;
  do r = recvmmsg(h->fd, t->rmsg, max, MSG_DONTWAIT, NULL);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EAGAIN) return 0;
    h->last_error = errno;
    return -errno;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < (uint32_t)r; i++) {
    struct msghdr *m = &t->rmsg[i].msg_hdr;
    uint32_t len = t->rmsg[i].msg_len, off = (uint32_t)(i * slot);
    uint32_t *md = &meta[4 * n];
    if (m->msg_flags & MSG_TRUNC) {
      ovfl_only(t, m);
      h->rx_truncated++;
      h->rx_dropped++;
      continue;
    }
    if (t->udp) {
      md[0] = ntohl(t->rname[i].sin_addr.s_addr);
      md[2] = ntohs(t->rname[i].sin_port);
      udp_meta(t, m, md);
    } else {
      const uint8_t *ip = buf + off;
      uint32_t ihl = len >= 20 ? (uint32_t)(ip[0] & 15) * 4 : 0;
      ovfl_only(t, m);
      if (ihl < 20 || (ip[0] >> 4) != 4 || len < ihl) { /* the kernel never sends this; be safe */
        h->rx_dropped++;
        continue;
      }
      md[0] = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
      md[1] = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
      md[2] = 0;
      md[3] = (uint32_t)ip[1] << 8 | ip[8];
      off += ihl;
      len -= ihl;
    }
    offs[n] = off;
    lens[n] = len;
    h->rx_packets++;
    h->rx_bytes += len;
    n++;
  }
  return (int)n;
}

napi_value sl_tunnel_rx_burst(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], res;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) return sl_throw(env, "tunnelRxBurst(handle, max, buf, offs, lens, meta)");
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  if (h->kind != SL_TUNNEL) {
    napi_throw_type_error(env, NULL, "tunnelRxBurst: not a tunnel handle");
    return NULL;
  }
  uint32_t max = 0, *offs, *lens, *meta;
  uint8_t *buf;
  size_t blen, no, nl, nm;
  napi_get_value_uint32(env, argv[1], &max);
  if (!sl_typed(env, argv[2], napi_uint8_array, (void **)&buf, &blen) || !sl_typed(env, argv[3], napi_uint32_array, (void **)&offs, &no) ||
      !sl_typed(env, argv[4], napi_uint32_array, (void **)&lens, &nl) || !sl_typed(env, argv[5], napi_uint32_array, (void **)&meta, &nm)) {
    napi_throw_type_error(env, NULL, "tunnelRxBurst: buf must be Uint8Array, offs, lens and meta Uint32Array");
    return NULL;
  }
  if (max > SL_TUN_RX_MAX) max = SL_TUN_RX_MAX;
  if (max > no) max = (uint32_t)no;
  if (max > nl) max = (uint32_t)nl;
  if (max > nm / 4) max = (uint32_t)(nm / 4);
  int n = h->closed ? -EBADF : tunnel_rx(h, max, buf, blen, offs, lens, meta);
  napi_create_int32(env, n, &res);
  return res;
}
