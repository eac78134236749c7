/**
 * Typed access to the C addon (native/). Loaded lazily, once, so that code and tests
 * that never touch a real port (memory ports, the pipeline) run without a built addon.
 * The handle is an opaque external; every call is one crossing (see native/src/*.c for
 * the contracts: rx.c for frame ownership, tx.c for vnet handling, poll.c for readiness,
 * tunnel.c / tunnel_tx.c for the tunnel underlay).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

export interface PacketOpenOptions {
  ringVersion?: 2 | 3;
  vnetHdr?: boolean;
  /** ring block size, a power of two (default 1 MiB) */
  blockSize?: number;
  blockCount?: number;
  /** ring slot size (default 2,048: an MTU frame; a larger V2 frame is received whole
   * through the socket queue and the spill area, native/src/afpacket.c) */
  frameSize?: number;
  /** V3 block retire timeout in ms (default 1) */
  blockTimeoutMs?: number;
  rcvbuf?: number;
  sndbuf?: number;
  promisc?: boolean;
  fanoutGroup?: number;
  /** PACKET_FANOUT_* mode (0 = hash) */
  fanoutMode?: number;
}

/**
 * Underlay sockets of an overlay tunnel port (IPv4; the kernel routes the outer packets).
 * 'udp' (VXLAN, Geneve): a UDP socket bound to localAddr:port receives; a pool of UDP
 * sockets bound to localAddr (one per source port, `srcPorts`) sends GSO super-frames with
 * UDP_SEGMENT, and a raw IPPROTO_UDP socket sends the other packets with the same per-flow
 * source port.
 * 'gre': one raw IPPROTO_GRE (47) socket both ways.
 */
interface TunnelOpenOptions {
  proto: 'udp' | 'gre';
  /** dotted IPv4 to bind (outer source); '0.0.0.0' = any. Not on this host: throws EADDRNOTAVAIL. */
  localAddr: string;
  /** 'udp' only, required: the listen port and every packet's destination port (e.g. 4789, 6081) */
  port?: number;
  /** receive socket buffer, bytes (default 4 MiB; SO_RCVBUFFORCE when root) */
  rcvbuf?: number;
  /** send socket buffer, bytes (default 4 MiB) */
  sndbuf?: number;
  /** don't-fragment (default true): too-big packets fail with EMSGSIZE (txTooBig); false: the kernel fragments */
  df?: boolean;
  /** outer TTL (default 64) */
  ttl?: number;
  /** default outer TOS (default 0); per-packet TOS in tunnelTxBurst's meta overrides it */
  tos?: number;
}

/** Size of a tunnelRxBurst slot: floor(buf.length / max), at least this many bytes. */
const TUNNEL_MIN_SLOT = 2048;
/** u32 words per packet in tunnelRxBurst / tunnelTxBurst `meta`. */
const TUNNEL_META_WORDS = 4;

interface NativeStats {
  rx: number;
  rxBytes: number;
  rxDropped: number;
  rxTruncated: number;
  /** AF_PACKET V2: frames larger than a ring slot (GSO super-frames) received whole through
   * the socket queue (native/src/rx.c); also counted in rx */
  rxCopied: number;
  tx: number;
  txBytes: number;
  txDropped: number;
  txErrors: number;
  txSegmented: number;
  /** tunnels: packets refused with EMSGSIZE (also counted in txErrors) */
  txTooBig: number;
  /** vnet outputs: GSO super-frames built from consecutive TCP segments (userspace GRO,
   * native/src/tx.c), and the input frames merged into them; tx still counts input frames */
  txGroFrames: number;
  txGroSegments: number;
  lastErrno: number;
}

interface NativeInfo {
  fd: number;
  ifname: string;
  kind: 'tap' | 'afpacket' | 'tunnel';
  vnetHdr: boolean;
  closed: boolean;
  ifindex: number;
  ringVersion: number;
  blockSize: number;
  blockCount: number;
  frameSize: number;
  frameCount: number;
  bufferBytes: number;
  /** AF_PACKET V2: the spill area after the ring, part of bufferBytes (native/src/rx.c) */
  spillBytes: number;
  /** tunnel handles only */
  proto?: 'udp' | 'gre';
  localAddr?: string;
  port?: number;
  txFd?: number;
  /** udp tunnels: the send pool's source ports; a flow uses srcPorts[meta port % length] */
  srcPorts?: number[];
  df?: boolean;
  ttl?: number;
  tos?: number;
  rcvbuf?: number;
  sndbuf?: number;
}

export interface NativeIO {
  /** multiQueue: IFF_MULTI_QUEUE, this fd is one queue of the device (native/src/tap.c) */
  tapOpen(name: string, opts?: { vnetHdr?: boolean; slotCount?: number; multiQueue?: boolean }): NativeHandle;
  packetOpen(ifname: string, opts?: PacketOpenOptions): NativeHandle;
  /** packetOpen of each entry, run in parallel (native/src/afpacket.c); null where one failed. */
  packetOpenMany(list: [string, PacketOpenOptions][]): (NativeHandle | null)[];
  /** From now on defer (true) AF_PACKET socket closes, or not (false: closes the deferred ones). */
  closesDeferred(on: boolean): void;
  /** Closes the deferred sockets now, in parallel (native/src/handle.c); returns how many. */
  closesFlush(): number;
  rxBuffer(h: NativeHandle): ArrayBuffer;
  rxBurst(h: NativeHandle, max: number, offs: Uint32Array, lens: Uint32Array): number;
  /** With `alt`: frame i is read from alt (vnet prefix per altPrefix) when sel[i] === 1. */
  txBurst(
    h: NativeHandle, buf: Uint8Array, offs: Uint32Array, lens: Uint32Array, n: number, vnetPrefix: boolean,
    alt?: Uint8Array, altPrefix?: boolean, sel?: Uint8Array,
  ): number;
  pollStart(h: NativeHandle, cb: (err: number) => void): void;
  pollStop(h: NativeHandle): void;
  stats(h: NativeHandle): NativeStats;
  info(h: NativeHandle): NativeInfo;
  close(h: NativeHandle): void;
  ifIndex(name: string): number;
  isUp(name: string): boolean;
  setUp(name: string, up: boolean): void;
  /** Opens a tunnel's underlay sockets (throws on bad options or a failed socket call). */
  tunnelOpen(opts: TunnelOpenOptions): NativeHandle;
  /**
   * One recvmmsg into `buf`, split into slots of floor(buf.length / max) bytes (at least
   * TUNNEL_MIN_SLOT; a smaller buf receives fewer datagrams). Datagram i is
   * buf[offs[i] .. +lens[i]), starting AFTER the outer UDP (udp) or IPv4 (gre) header, at
   * the VXLAN / Geneve / GRE header. meta[4i..4i+3] = outer source IPv4, outer destination
   * IPv4 (host-order u32), UDP source port (0 for gre), (tos << 8) | ttl. Datagrams larger
   * than a slot are dropped and counted (rxTruncated). Returns n >= 0, or -errno.
   */
  tunnelRxBurst(
    h: NativeHandle, max: number, buf: Uint8Array, offs: Uint32Array, lens: Uint32Array, meta: Uint32Array,
  ): number;
  /**
   * Sends n packets: ['udp': UDP source port srcPorts[meta[4i+2] % srcPorts.length],
   * destination the open port] + hdr[hdrOffs[i] .. +hdrLens[i]) (the VXLAN / Geneve / GRE
   * header, sent as is) + the inner frame, taken from frames (or from alt when sel[i] === 1)
   * exactly as txBurst does, with a virtio_net_hdr before it when vnetPrefix / altPrefix.
   * Plain packets go with one sendmmsg per up to 256 (udp: UDP checksum 0). GSO super-frames
   * are segmented and partial checksums completed in C, each segment with the same hdr
   * bytes; for udp the segments leave in one UDP_SEGMENT send on the flow's pool socket
   * (the kernel's UDP checksum). meta[4i] = outer destination IPv4 (host-order u32,
   * non-zero), meta[4i+2] = the flow's source-port value (0 for gre), meta[4i+3] = TOS
   * (0 = the socket's default). Returns the number of packets sent
   * completely, or -errno (closed handle); per-packet failures are counted in stats().
   */
  tunnelTxBurst(
    h: NativeHandle, hdr: Uint8Array, hdrOffs: Uint32Array, hdrLens: Uint32Array,
    frames: Uint8Array, offs: Uint32Array, lens: Uint32Array, n: number, vnetPrefix: boolean, meta: Uint32Array,
    alt?: Uint8Array, altPrefix?: boolean, sel?: Uint8Array,
  ): number;
}

const ADDON = 'native/build/Release/sluice_io.node';
let cached: NativeIO | undefined;

/** Loads the addon: $SLUICE_NATIVE, else native/build next to src/ or dist/src/. */
export function nativeIO(): NativeIO {
  if (cached) return cached;
  const candidates = [
    process.env.SLUICE_NATIVE,
    fileURLToPath(new URL(`../../${ADDON}`, import.meta.url)),
    fileURLToPath(new URL(`../../../${ADDON}`, import.meta.url)),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`sluice native addon not built (looked for ${candidates.join(', ')}): run node-gyp rebuild in native/`);
  }
  cached = createRequire(import.meta.url)(found) as NativeIO;
  return cached;
}

/** True when the addon is present (tests use it to skip with a clear message). */
export function nativeAvailable(): boolean {
  try {
    nativeIO();
    return true;
  } catch {
    return false;
  }
}
