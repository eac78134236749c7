/**
 * The port interface: what the datapath's burst loop sees of every port kind.
 *
 *   rxBurst(max) ──► port.burst  { buf, offs[], lens[], count, vnet }   (views, no copies)
 *   txBurst(batch)               { buf, offs[], lens[], count, vnet }   (one crossing)
 *
 * Invariants
 *  - Zero copy on receive: `burst.buf` is the port's receive memory (for AF_PACKET the
 *    kernel's mmap'd ring); frame i is buf[offs[i] .. offs[i]+lens[i]). The frames, and the
 *    `burst` object's contents, are valid until the NEXT rxBurst() or close() on the same
 *    port, then the memory goes back to the kernel. Keep nothing across calls; rewrite in
 *    place and transmit within the same burst.
 *  - A burst is a FrameBatch, so a received burst can be handed straight to another
 *    port's txBurst (forwarding without copying); a transmit batch may also mix its
 *    staged frames with frames still in a receive buffer (`alt`/`sel`, one crossing).
 *  - `vnet` batches carry a virtio_net_hdr (VNET_HDR_LEN bytes) just before each frame
 *    (see vnet.ts). That is how GSO super-frames and partial checksums from veth/TAP pass
 *    through at full speed with offloads on; a port without the header completes them in
 *    software on transmit.
 *  - Errors on the data path are values: rxBurst/txBurst return a negative errno (e.g.
 *    the interface was deleted) and the port reports linkUp() === false. They never throw.
 *    open() throws an Error with a message naming the problem (configuration time).
 *  - An idle port costs nothing: onReadable(cb) arms an event-loop poll (no timers, no
 *    threads); cb is also called when the port fails, so the drain loop sees the error.
 */
import type { TunnelConfig } from './tunnel-spec.js';

export type PortKind = 'afpacket' | 'tap' | 'pcap' | 'memory' | 'patch' | 'vxlan' | 'geneve' | 'gre';

/** Frames in one buffer, with per-frame offsets and lengths. */
export interface FrameBatch {
  buf: Uint8Array;
  offs: Uint32Array;
  lens: Uint32Array;
  count: number;
  /** true: each frame is preceded by a virtio_net_hdr at offs[i] - VNET_HDR_LEN. */
  vnet: boolean;
  /** Transmit only, optional second source (zero-copy forwarding): when sel[i] === 1,
   * frame i is alt[offs[i] .. offs[i]+lens[i]) and has a header before it iff altVnet.
   * The datapath points `alt` at the input port's receive memory for unmodified frames;
   * every port's txBurst must honour it (frameSource() below). */
  alt?: Uint8Array | null;
  altVnet?: boolean;
  sel?: Uint8Array;
  /** Tunnel metadata, TUN_STRIDE words per frame (tunnel ports only; null elsewhere).
   * Receive: [tunnel_id hi, tunnel_id lo, tun_src, tun_dst] of the outer packet.
   * Transmit: [tunnel_id hi, tunnel_id lo, tun_dst, flow hash << 8 | inner IP TOS], the
   * packet's values at output, for ports with key=flow / remote_ip=flow, tos=inherit and
   * the UDP source port / NVGRE FlowID (tunnel-port.ts). */
  tun?: Uint32Array | null;
}

export const TUN_STRIDE = 4;

/** Counters named after ofp_port_stats (OF1.3.5 §7.3.5.6). */
export interface PortStats {
  rxPackets: number;
  rxBytes: number;
  /** frames the kernel or the port dropped on receive (full ring, truncated frames) */
  rxDropped: number;
  /** frames the bridge sent, each counted once: TCP segments a vnet output merged into one
   * GSO super-frame (userspace GRO, native/src/tx.c) count one each, though the kernel's
   * own interface counters see one packet (software segmentation, the other way, counts
   * each segment it sends on AF_PACKET/TAP ports) */
  txPackets: number;
  txBytes: number;
  /** frames dropped because the output was full (EAGAIN/ENOBUFS): never retried, never spun on */
  txDropped: number;
  txErrors: number;
}

/**
 * One port as a bridge reports it (ofp_port, OF1.3.5 §7.2.1, plus its counters): what the
 * datapath's Bridge returns and emits with 'port-status', and what the OpenFlow agent
 * (openflow/bridge-surface.ts) and the daemon read. Defined here, below both.
 */
export interface BridgePortInfo {
  ofport: number;
  name: string;
  kind: string;
  hwAddr: Uint8Array /* 6 */;
  linkUp: boolean;
  config: number /* OFPPC_* bits */;
  state: number /* OFPPS_* bits */;
  currSpeedKbps: number;
  stats: PortStats;
  /** when the bridge added the port, on its clock (ms): OFPMP_PORT_STATS duration counts from it */
  addedMs: number;
  /** a tunnel port's configuration (remote, key, outer header options) */
  tunnel?: TunnelConfig;
}

export interface Port {
  readonly name: string;
  readonly kind: PortKind;
  /** OpenFlow port number, assigned by the bridge. */
  ofport: number;
  /** Receive batches carry virtio_net_hdr and transmit accepts them without segmenting. */
  readonly vnet: boolean;
  /** The last receive burst; contents valid until the next rxBurst()/close(). */
  readonly burst: FrameBatch;
  /** Largest `max` rxBurst honours (size of burst.offs). */
  readonly maxBurst: number;

  open(): void;
  /** Receives up to `max` frames into `burst`. Returns burst.count, or -errno if the port failed. */
  rxBurst(max?: number): number;
  /** Sends batch.count frames. Returns how many were sent, or -errno if the port is closed/failed. */
  txBurst(batch: FrameBatch): number;
  close(): void;
  stats(): PortStats;
  linkUp(): boolean;
  /** Calls cb when frames may be ready or the port failed; null stops watching. */
  onReadable(cb: (() => void) | null): void;
  /** A tunnel port's configuration (what its output encapsulates with); absent elsewhere. */
  readonly tunnel?: TunnelConfig;
}

export const DEFAULT_MAX_BURST = 64;

export function emptyBatch(max: number): FrameBatch {
  return { buf: new Uint8Array(0), offs: new Uint32Array(max), lens: new Uint32Array(max), count: 0, vnet: false };
}

/** The buffer frame i of a transmit batch is in (see FrameBatch.alt). */
export function frameBuf(b: FrameBatch, i: number): Uint8Array {
  return b.alt && b.sel !== undefined && b.sel[i] === 1 ? b.alt : b.buf;
}

/** Whether frame i of a transmit batch has a virtio_net_hdr before it. */
export function frameVnet(b: FrameBatch, i: number): boolean {
  return b.alt && b.sel !== undefined && b.sel[i] === 1 ? b.altVnet === true : b.vnet;
}
