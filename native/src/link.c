/*
 * Link helpers and counters: ifIndex(name), isUp(name), setUp(name, up), stats(handle).
 *
 * Link state comes from SIOCGIFFLAGS in the caller's namespace: a port is up when the
 * interface exists, is administratively up (IFF_UP) and has carrier (IFF_RUNNING) —
 * what OpenFlow reports as OFPPC_PORT_DOWN / OFPPS_LINK_DOWN (OF1.3.5 §7.2.1).
 * A missing interface is "down" (ifIndex 0), never an exception: link polling must not throw.
 *
 * stats(): the kernel's PACKET_STATISTICS counters reset on every read, so drops are
 * accumulated here. They are the only record of frames the socket dropped because the
 * ring was full; interface counters do not show them (LAB-NOTES).
 */
#include "common.h"
#include <errno.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  memset(ifr->ifr_name, 0, sizeof ifr->ifr_name);
  strncpy(ifr->ifr_name, name, IF_NAMESIZE - 1);
  int r = ioctl(s, req, ifr) < 0 ? -errno : 0;
  close(s);
  return r;
}

int sl_ifindex_of(const char *name) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  int r = ifreq_ioctl(name, SIOCGIFINDEX, &ifr);
  return r < 0 ? r : ifr.ifr_ifindex;
}

static bool name_arg(napi_env env, napi_callback_info info, char *name, bool *flag) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !sl_arg_string(env, argv[0], name, IF_NAMESIZE)) return false;
  if (flag && argc > 1) napi_get_value_bool(env, argv[1], flag);
  return true;
}

napi_value sl_if_index(napi_env env, napi_callback_info info) {
  char name[IF_NAMESIZE];
  if (!name_arg(env, info, name, NULL)) return NULL;
  int r = sl_ifindex_of(name);
  napi_value v;
  napi_create_int32(env, r < 0 ? 0 : r, &v);
  return v;
}

napi_value sl_is_up(napi_env env, napi_callback_info info) {
  char name[IF_NAMESIZE];
  if (!name_arg(env, info, name, NULL)) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  bool up = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
  napi_value v;
  napi_get_boolean(env, up, &v);
  return v;
}

napi_value sl_set_up(napi_env env, napi_callback_info info) {
  char name[IF_NAMESIZE];
  bool up = true;
  if (!name_arg(env, info, name, &up)) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  int r = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);
  if (r < 0) return sl_throw_errno(env, "SIOCGIFFLAGS", name, -r, "CAP_NET_ADMIN");
  if (up) ifr.ifr_flags |= IFF_UP;
  else ifr.ifr_flags &= ~IFF_UP;
  r = ifreq_ioctl(name, SIOCSIFFLAGS, &ifr);
  if (r < 0) return sl_throw_errno(env, "SIOCSIFFLAGS", name, -r, "CAP_NET_ADMIN");
  return NULL;
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
