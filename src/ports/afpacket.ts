/**
 * AF_PACKET port: any Linux interface (veth, physical NIC, bridge port) read through an
 * mmap'd TPACKET ring and written with sendmmsg (native/src/afpacket.c, rx.c, tx.c).
 *
 * Defaults and why:
 *  - vnetHdr on: veth and virtio hand over GSO super-frames with partial checksums; with
 *    the header they pass through untouched and TCP runs at full speed with the hosts'
 *    default offloads on. Users never have to turn offloads off.
 *  - TPACKET_V2: wakes per frame (tens of µs per hop when idle) and still batches under
 *    load; V3 adds ≥ 1 ms per hop at low rates (block timeout). See bench/io.md.
 *  - Receive ring: DEFAULT_RING_BYTES (64 MiB: 64 blocks of 1 MiB, room for 960 frames of up
 *    to 64 KiB: ~3 ms of a 300 kpps flood, so a switch that waits for a CPU does not drop;
 *    bench/README.md "Sluice's rx_dropped"). The ring is mapped into the process and counts
 *    in its RSS, so many quiet ports (a Mininet fabric) take a smaller one: `ring=SIZE` on
 *    the port spec, or `sluice start --ring-size SIZE` for every AF_PACKET port without
 *    one. SIZE is a power of two from 256 KiB up; ringGeometry says how many frames fit.
 *  - 4 MiB socket buffers; kernel drops (PACKET_STATISTICS) are reported as rxDropped.
 *  - Link state: the interface must exist here and be IFF_UP|IFF_RUNNING; a deleted
 *    interface fails the port (ENETDOWN) instead of throwing.
 */
import { NativePort } from './native-port.js';
import type { NativeHandle, NativeIO, PacketOpenOptions } from './native.js';
import { DEFAULT_MAX_BURST } from './port.js';

interface AfPacketOptions extends PacketOpenOptions {
  maxBurst?: number;
  /** receive ring bytes (ringGeometry); default DEFAULT_RING_BYTES */
  ringBytes?: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;
/** The native default geometry (native/src/afpacket.c RING_BLOCKS): 64 blocks of 1 MiB. */
export const DEFAULT_RING_BYTES = 64 * MIB;
const MIN_RING_BYTES = 256 * KIB;
const MAX_RING_BYTES = 1024 * MIB;
/** A V2 frame with the virtio-net header holds a 64 KiB GSO frame: 1 MiB / 15, 16-aligned. */
const V2_VNET_FRAME = 69_904;

/** "512k", "16m", "1g", "262144" → bytes, when a power of two in MIN..MAX_RING_BYTES. */
export function parseRingSize(text: string): number | undefined {
  const m = /^(\d{1,10})([kmg]?)$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * ({ '': 1, k: KIB, m: MIB, g: 1024 * MIB }[m[2]!.toLowerCase()] ?? 1);
  return n >= MIN_RING_BYTES && n <= MAX_RING_BYTES && (n & (n - 1)) === 0 ? n : undefined;
}

export const RING_SIZE_EXPECTED = 'expected a power of two from 256k to 1g (bytes; suffixes k, m, g)';

/**
 * The ring's geometry for `bytes` (a power of two, parseRingSize): from 2 MiB up, blocks of
 * 1 MiB as the native default; below, two blocks of bytes/2, and with the virtio-net header
 * (V2) frames as small as still hold a 64 KiB GSO frame: 256 KiB = 2 frames of 128 KiB,
 * 512 KiB = 2 × 3 frames of 87,376, 1 MiB = 2 × 7 of 74,896, 16 MiB = 16 × 15 of 69,904.
 */
export function ringGeometry(bytes: number, vnet: boolean, version: 2 | 3): { blockSize: number; blockCount: number; frameSize?: number } {
  if (bytes >= 2 * MIB) return { blockSize: MIB, blockCount: bytes / MIB };
  const blockSize = bytes / 2;
  if (version === 3 || !vnet) return { blockSize, blockCount: 2 };
  const perBlock = Math.floor(blockSize / V2_VNET_FRAME);
  return { blockSize, blockCount: 2, frameSize: Math.floor(blockSize / perBlock / 16) * 16 };
}

export class AfPacketPort extends NativePort {
  readonly ifname: string;

  constructor(ifname: string, readonly options: AfPacketOptions = {}) {
    super(ifname, 'afpacket', options.vnetHdr ?? true, options.maxBurst ?? DEFAULT_MAX_BURST);
    this.ifname = ifname;
  }

  protected openHandle(io: NativeIO): NativeHandle {
    return io.packetOpen(...this.openArgs());
  }

  /** packetOpen's arguments for this port (also packetOpenMany's, open-many.ts). */
  openArgs(): [string, PacketOpenOptions] {
    const { maxBurst: _ignored, ringBytes, ...opts } = this.options;
    const geometry = ringBytes === undefined ? {} : ringGeometry(ringBytes, this.vnet, opts.ringVersion ?? 2);
    return [this.ifname, { ringVersion: 2, ...geometry, ...opts, vnetHdr: this.vnet }];
  }

  override linkUp(): boolean {
    return super.linkUp() && this.io!.isUp(this.ifname);
  }
}
