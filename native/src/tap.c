/*
 * TAP devices: tapOpen(name, { vnetHdr? = false, slotCount? = 64 (1..1024) }) -> handle
 * (/dev/net/tun, IFF_TAP|IFF_NO_PI[|IFF_VNET_HDR]).
 *
 * The fd is non-blocking; the device is non-persistent, so it disappears when the fd is
 * closed, in whatever namespace it was moved to (`ip link set NAME netns X` keeps the fd
 * working: the fd belongs to us, the netdev to the namespace).
 *
 * With vnetHdr each read/write carries a 10-byte virtio_net_hdr, and TUNSETOFFLOAD tells
 * the kernel we accept partial checksums and TSO (and USO where the kernel has it)
 * super-frames, so TCP from a guest or namespace passes at full size. Without it the
 * kernel segments and checksums for us.
 *
 * Receive area: `slot_nr` slots of `slot_size` bytes (64 KiB + 1 KiB: a super-frame and
 * its header), an anonymous mapping exposed to JS by rxBuffer. rx.c reads into them;
 * tx.c writes to the fd.
 */
#include "tap.h"
#include "args.h"
#include "errors.h"
#include "handle.h"
#include "link.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

#define TAP_SLOT_SIZE (65536u + 1024u)
#define TAP_SLOT_NR 64u

/* tapOpen(name, { vnetHdr?: boolean, slotCount?: number, multiQueue?: boolean }) -> handle
 * multiQueue: IFF_MULTI_QUEUE, one queue of the device per fd (every opener of the name sets
 * it); the kernel spreads the frames the host sends over the queues by flow hash, each
 * queue takes writes. The device goes away with the last queue. */
napi_value sl_tap_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2] = {NULL, NULL};
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[IF_NAMESIZE];
  if (argc < 1 || !sl_arg_string(env, argv[0], name, sizeof name)) return NULL;
  bool vnet = false, mq = false;
  uint32_t slots = TAP_SLOT_NR;
  if (argc > 1) {
    sl_opt_bool(env, argv[1], "vnetHdr", &vnet);
    sl_opt_bool(env, argv[1], "multiQueue", &mq);
    sl_opt_u32(env, argv[1], "slotCount", &slots);
  }
  if (slots < 1 || slots > 1024) return sl_throw(env, "tapOpen: slotCount must be 1..1024");

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return sl_throw_errno(env, "open /dev/net/tun", NULL, errno, "CAP_NET_ADMIN");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0) | (mq ? IFF_MULTI_QUEUE : 0);
  memcpy(ifr.ifr_name, name, strlen(name));
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    return sl_throw_errno(env, "TUNSETIFF", name, e == ENODEV ? EIO : e, "CAP_NET_ADMIN");
  }
  if (vnet) {
    int sz = (int)SL_VNET_LEN;
    unsigned full = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0 ||
        (ioctl(fd, TUNSETOFFLOAD, full | TUN_F_USO4 | TUN_F_USO6) < 0 && ioctl(fd, TUNSETOFFLOAD, full) < 0)) {
      int e = errno;
      close(fd);
      return sl_throw_errno(env, "TUNSETOFFLOAD", name, e, "CAP_NET_ADMIN");
    }
  }
  size_t area = (size_t)slots * TAP_SLOT_SIZE;
  void *mem = mmap(NULL, area, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    int e = errno;
    close(fd);
    return sl_throw_errno(env, "mmap", name, e, NULL);
  }
  sl_handle *h = sl_handle_new(env, SL_TAP);
  if (!h) {
    munmap(mem, area);
    close(fd);
    return sl_throw(env, "tapOpen: out of memory");
  }
  h->fd = fd;
  h->vnet = vnet;
  snprintf(h->ifname, sizeof h->ifname, "%s", ifr.ifr_name);
  h->ifindex = sl_ifindex_of(h->ifname);
  if (h->ifindex < 0) h->ifindex = 0;
  h->rx_area = mem;
  h->rx_area_len = area;
  h->slot_size = TAP_SLOT_SIZE;
  h->slot_nr = slots;
  return sl_handle_wrap(env, h);
}
