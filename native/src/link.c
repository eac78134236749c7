/*
 * Link helpers: ifIndex(name), isUp(name), setUp(name, up), and sl_ifindex_of for the
 * openers (tap.c, afpacket.c).
 *
 * Link state comes from SIOCGIFFLAGS in the caller's namespace: a port is up when the
 * interface exists, is administratively up (IFF_UP) and has carrier (IFF_RUNNING) —
 * what OpenFlow reports as OFPPC_PORT_DOWN / OFPPS_LINK_DOWN (OF1.3.5 §7.2.1).
 * A missing interface is "down" (ifIndex 0), never an exception: link polling must not
 * throw. setUp throws (it changes the link: a missing interface or right is the caller's
 * to hear about).
 */
#include "link.h"
#include "args.h"
#include "errors.h"
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* One socket per thread for the interface ioctls, opened on first use and kept: every
 * port's link is polled once a second, and a socket + close around each ioctl was two of
 * every three syscalls of an idle daemon with hundreds of ports. (The daemon never changes
 * namespace, so the socket's namespace stays the caller's.) */
static _Thread_local int ioctl_fd = -1;

/* Runs on the env's own thread when it ends (a datapath worker's exit), so no thread leaves
 * its socket behind. */
static void close_ioctl_fd(void *unused) {
  (void)unused;
  if (ioctl_fd >= 0) close(ioctl_fd);
  ioctl_fd = -1;
}

void sl_link_init(napi_env env) { napi_add_env_cleanup_hook(env, close_ioctl_fd, NULL); }

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr) {
  if (ioctl_fd < 0) {
    ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ioctl_fd < 0) ioctl_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ioctl_fd < 0) return -errno;
  }
  memset(ifr->ifr_name, 0, sizeof ifr->ifr_name);
  strncpy(ifr->ifr_name, name, IF_NAMESIZE - 1);
  return ioctl(ioctl_fd, req, ifr) < 0 ? -errno : 0;
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
