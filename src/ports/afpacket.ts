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
 *  - 4 MiB socket buffers; kernel drops (PACKET_STATISTICS) are reported as rxDropped.
 *  - Link state: the interface must exist here and be IFF_UP|IFF_RUNNING; a deleted
 *    interface fails the port (ENETDOWN) instead of throwing.
 */
import { NativePort } from './native-port.js';
import type { NativeHandle, NativeIO, PacketOpenOptions } from './native.js';
import { DEFAULT_MAX_BURST } from './port.js';

interface AfPacketOptions extends PacketOpenOptions {
  maxBurst?: number;
}

export class AfPacketPort extends NativePort {
  readonly ifname: string;

  constructor(ifname: string, readonly options: AfPacketOptions = {}) {
    super(ifname, 'afpacket', options.vnetHdr ?? true, options.maxBurst ?? DEFAULT_MAX_BURST);
    this.ifname = ifname;
  }

  protected openHandle(io: NativeIO): NativeHandle {
    const { maxBurst: _ignored, ...opts } = this.options;
    return io.packetOpen(this.ifname, { ringVersion: 2, ...opts, vnetHdr: this.vnet });
  }

  override linkUp(): boolean {
    return super.linkUp() && this.io!.isUp(this.ifname);
  }
}
