/*
 * cfwd — the benchmark's reference forwarder (bench:e2e row "cfwd"; not part of Sluice):
 * the ceiling for "userspace over AF_PACKET on this kernel", for one thread.
 *
 *   cfwd [-2|-3] [-Q] [-b BATCH] IF_A IF_B
 *
 * Every frame received on IF_A is sent on IF_B and back, unchanged: no parsing, no
 * lookup, no copy. One AF_PACKET socket per port, with an mmap'd receive ring
 * (TPACKET_V2 by default, as Sluice's ports; -3 for V3) and transmission with sendmmsg
 * on the other port's socket, gathering the frames straight from the receive ring. One
 * thread drains both rings in turn and sleeps in poll(2) only when both are empty, like
 * Sluice's event loop.
 *
 * Settings, each measured in bench:e2e (bench/README.md "The C reference forwarder"):
 *  - ring: 16 blocks of 1 MiB, as Sluice's default ring memory; V2 frames of 2 KiB (no
 *    virtio-net header, so no 64 KiB GSO frames to hold: 8,192 slots, where Sluice's
 *    69,904-byte frames give 240); V3 packs frames into blocks and hands over a block
 *    when it is full or after a 1 ms timeout (so ~1 ms per hop at low rates);
 *  - PACKET_QDISC_BYPASS (off with -Q): the send goes straight to veth's xmit, no qdisc;
 *  - 4 MiB socket buffers (SO_RCVBUFFORCE / SO_SNDBUFFORCE, root);
 *  - PACKET_IGNORE_OUTGOING: a socket does not read back what the other one sends.
 * No virtio-net header: GSO super-frames and partial checksums are not handled, so TCP
 * through cfwd needs the hosts' checksum offload off (LAB-NOTES "Offloads").
 *
 * A full socket (EAGAIN/ENOBUFS) drops the rest of that batch, counted; the frames are
 * handed back to the kernel after their sendmmsg returns, so the kernel never overwrites
 * a frame that is still being sent. On SIGINT/SIGTERM it prints its counters (frames
 * received and sent per port, send drops, and the kernel's socket drops from
 * PACKET_STATISTICS) on stderr and exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#define BLOCK_SIZE (1u << 20)
#define BLOCK_NR 16u
#define V2_FRAME 2048u
#define V3_TIMEOUT_MS 1u
#define SOCK_BUF (4 << 20)
#define MAX_BATCH 256u

typedef struct port {
  const char *name;
  int fd;
  uint8_t *ring;
  uint32_t next;          /* V2: next frame to read; V3: next block to read */
  uint32_t frame_nr;      /* V2 frames in the ring */
  uint64_t rx, tx, tx_dropped;
} port;

static int version = 2, qdisc_bypass = 1;
static uint32_t batch = 64;
static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what, const char *ifname) {
  fprintf(stderr, "cfwd: %s %s: %s\n", what, ifname, strerror(errno));
  exit(1);
}

static void opt(int fd, int level, int name, int val, const char *what, const char *ifname) {
  if (setsockopt(fd, level, name, &val, sizeof val) < 0) die(what, ifname);
}

/* Opens `p->name` as in the top comment. The socket has protocol 0 until the ring exists,
 * so nothing is queued before it is bound (packet(7) setup order). */
static void port_open(port *p) {
  unsigned ifindex = if_nametoindex(p->name);
  if (!ifindex) die("if_nametoindex", p->name);
  p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (p->fd < 0) die("socket(AF_PACKET)", p->name);
  opt(p->fd, SOL_PACKET, PACKET_VERSION, version == 3 ? TPACKET_V3 : TPACKET_V2, "PACKET_VERSION", p->name);
  opt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING", p->name);
  if (qdisc_bypass) opt(p->fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS", p->name);
  opt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, SOCK_BUF, "SO_RCVBUFFORCE", p->name);
  opt(p->fd, SOL_SOCKET, SO_SNDBUFFORCE, SOCK_BUF, "SO_SNDBUFFORCE", p->name);
  struct tpacket_req3 r; /* a tpacket_req followed by the V3-only fields */
  memset(&r, 0, sizeof r);
  r.tp_block_size = BLOCK_SIZE;
  r.tp_block_nr = BLOCK_NR;
  r.tp_frame_size = V2_FRAME;
  r.tp_frame_nr = BLOCK_SIZE / V2_FRAME * BLOCK_NR;
  r.tp_retire_blk_tov = V3_TIMEOUT_MS;
  socklen_t rlen = version == 3 ? sizeof r : sizeof(struct tpacket_req);
  if (setsockopt(p->fd, SOL_PACKET, PACKET_RX_RING, &r, rlen) < 0) die("PACKET_RX_RING", p->name);
  p->frame_nr = r.tp_frame_nr;
  p->ring = mmap(NULL, (size_t)BLOCK_SIZE * BLOCK_NR, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, p->fd, 0);
  if (p->ring == MAP_FAILED) die("mmap", p->name);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = (int)ifindex;
  if (bind(p->fd, (struct sockaddr *)&sll, sizeof sll) < 0) die("bind", p->name);
  struct packet_mreq mr;
  memset(&mr, 0, sizeof mr);
  mr.mr_ifindex = (int)ifindex;
  mr.mr_type = PACKET_MR_PROMISC;
  if (setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) die("PACKET_MR_PROMISC", p->name);
}

/* The outgoing batch: iovecs point into the input port's ring. */
static struct mmsghdr msgs[MAX_BATCH];
static struct iovec iovs[MAX_BATCH];

static void queue(uint32_t k, void *frame, uint32_t len) {
  iovs[k].iov_base = frame;
  iovs[k].iov_len = len;
  memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
  msgs[k].msg_hdr.msg_iov = &iovs[k];
  msgs[k].msg_hdr.msg_iovlen = 1;
}

/* Sends msgs[0..n) on `out` (bound to its interface: no address needed). */
static void send_batch(port *out, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    int r = sendmmsg(out->fd, &msgs[i], n - i, MSG_DONTWAIT);
    if (r > 0) {
      i += (uint32_t)r;
      out->tx += (uint32_t)r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && errno != EAGAIN && errno != ENOBUFS) {
      out->tx_dropped++; /* this message is refused: skip it */
      i++;
    } else {
      out->tx_dropped += n - i; /* socket full: drop the rest, never wait */
      break;
    }
  }
}

/* V2: up to `batch` ready frames, sent, then handed back. Returns frames moved. */
static uint32_t fwd_v2(port *in, port *out) {
  uint32_t n = 0, first = in->next;
  while (n < batch) {
    struct tpacket2_hdr *t = (struct tpacket2_hdr *)(in->ring + (size_t)in->next * V2_FRAME);
    if (!(__atomic_load_n(&t->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
    queue(n++, (uint8_t *)t + t->tp_mac, t->tp_snaplen);
    in->next = (in->next + 1) % in->frame_nr;
  }
  if (!n) return 0;
  send_batch(out, n);
  for (uint32_t k = 0; k < n; k++) {
    struct tpacket2_hdr *t = (struct tpacket2_hdr *)(in->ring + (size_t)((first + k) % in->frame_nr) * V2_FRAME);
    __atomic_store_n(&t->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  }
  in->rx += n;
  return n;
}

/* V3: one ready block, sent in batches, then handed back. Returns frames moved. */
static uint32_t fwd_v3(port *in, port *out) {
  struct tpacket_block_desc *b = (struct tpacket_block_desc *)(in->ring + (size_t)in->next * BLOCK_SIZE);
  if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) return 0;
  uint32_t left = b->hdr.bh1.num_pkts, total = left, n = 0;
  uint8_t *pkt = (uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
  while (left--) {
    struct tpacket3_hdr *t = (struct tpacket3_hdr *)pkt;
    queue(n++, pkt + t->tp_mac, t->tp_snaplen);
    pkt += t->tp_next_offset;
    if (n == batch || !left) {
      send_batch(out, n);
      n = 0;
    }
  }
  __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  in->next = (in->next + 1) % BLOCK_NR;
  in->rx += total;
  return total;
}

static void report(port *p) {
  struct tpacket_stats_v3 st; /* starts like tpacket_stats; read (and reset) by the kernel */
  socklen_t l = version == 3 ? sizeof st : sizeof(struct tpacket_stats);
  memset(&st, 0, sizeof st);
  getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &l);
  fprintf(stderr, "cfwd: port %s rx %llu tx %llu tx_dropped %llu socket drops %u\n", p->name, (unsigned long long)p->rx,
          (unsigned long long)p->tx, (unsigned long long)p->tx_dropped, st.tp_drops);
}

int main(int argc, char **argv) {
  int c;
  while ((c = getopt(argc, argv, "23Qb:")) != -1) {
    if (c == '2' || c == '3') version = c - '0';
    else if (c == 'Q') qdisc_bypass = 0;
    else if (c == 'b' && atoi(optarg) > 0 && atoi(optarg) <= (int)MAX_BATCH) batch = (uint32_t)atoi(optarg);
    else {
      fprintf(stderr, "usage: cfwd [-2|-3] [-Q] [-b BATCH (1..%u)] IF_A IF_B\n", MAX_BATCH);
      return 2;
    }
  }
  if (argc - optind != 2) {
    fprintf(stderr, "usage: cfwd [-2|-3] [-Q] [-b BATCH] IF_A IF_B\n");
    return 2;
  }
  port ports[2] = {{.name = argv[optind]}, {.name = argv[optind + 1]}};
  port_open(&ports[0]);
  port_open(&ports[1]);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  struct pollfd pfd[2] = {{.fd = ports[0].fd, .events = POLLIN}, {.fd = ports[1].fd, .events = POLLIN}};
  fprintf(stderr, "cfwd: %s <-> %s, TPACKET_V%d, batch %u, qdisc bypass %s\n", ports[0].name, ports[1].name, version, batch,
          qdisc_bypass ? "on" : "off");
  while (!stop) {
    uint32_t moved = version == 3 ? fwd_v3(&ports[0], &ports[1]) + fwd_v3(&ports[1], &ports[0])
                                  : fwd_v2(&ports[0], &ports[1]) + fwd_v2(&ports[1], &ports[0]);
    if (!moved) poll(pfd, 2, 1000); /* both rings empty: sleep until one has a frame */
  }
  report(&ports[0]);
  report(&ports[1]);
  return 0;
}
