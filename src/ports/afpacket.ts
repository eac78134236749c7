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
 *  - Receive ring: DEFAULT_RING_BYTES (64 MiB: 64 blocks of 1 MiB) of 2 KiB slots, one MTU
 *    frame each: 32,768 frames, ~100 ms of a 300 kpps flood, so a switch that waits for a
 *    CPU does not drop (bench/README.md "Sluice's rx_dropped"). A larger frame (a GSO
 *    super-frame of up to 64 KiB, with the vnet header) is queued whole on the socket and
 *    read into a spill area after the ring (native/src/afpacket.c, rx.c), so slots need not
 *    be sized for it. The ring is mapped into the process and counts in its RSS, so many
 *    quiet ports (a Mininet fabric: 256k) take a smaller one: `ring=SIZE` on the port spec,
 *    or `sluice start --ring-size SIZE` for every AF_PACKET port without one. SIZE is a
 *    power of two from 256 KiB (128 frames) up; ringGeometry says how many frames fit.
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
/** A ring slot (native/src/afpacket.c FRAME_SIZE): one MTU frame; larger frames take the copy path. */
export const RING_FRAME_BYTES = 2048;

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
 * 1 MiB as the native default; below, two blocks of bytes/2. Slots are RING_FRAME_BYTES
 * whatever the size (V2 and V3), so a ring holds bytes / 2,048 frames: 256 KiB = 128,
 * 512 KiB = 256, 64 MiB = 32,768.
 */
export function ringGeometry(bytes: number): { blockSize: number; blockCount: number } {
  if (bytes >= 2 * MIB) return { blockSize: MIB, blockCount: bytes / MIB };
  return { blockSize: bytes / 2, blockCount: 2 };
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
    const geometry = ringBytes === undefined ? {} : ringGeometry(ringBytes);
    return [this.ifname, { ringVersion: 2, ...geometry, ...opts, vnetHdr: this.vnet }];
  }

  override linkUp(): boolean {
    return super.linkUp() && this.io!.isUp(this.ifname);
  }
}
