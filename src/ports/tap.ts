/**
 * TAP port (`tap:NAME`): creates a TAP device owned by this port; close() removes it (the
 * device is not persistent, it lives exactly as long as the fd). The device may be moved
 * to another namespace or handed to a VM after open() and keeps working.
 *
 * vnetHdr (default on) sets IFF_VNET_HDR and TUNSETOFFLOAD so the kernel gives us TSO
 * super-frames and partial checksums instead of segmenting for us (native/src/tap.c).
 * Link state is the kernel's, as OVS reports its LOCAL port's from the netdev: while the
 * device is in our namespace, up means IFF_UP and IFF_RUNNING (`ip link set br0 down`
 * takes the port's link down, and port-status says so). A device moved to another
 * namespace (a VM's, a container's) cannot be seen by name here: its link is then that of
 * our fd, and a deleted device shows up as a failed read (EBADFD), not as a lookup.
 */
import { NativePort } from './native-port.js';
import type { NativeHandle, NativeIO } from './native.js';
import { DEFAULT_MAX_BURST } from './port.js';

interface TapOptions {
  vnetHdr?: boolean;
  /** set the device administratively up in our namespace at open (default true) */
  up?: boolean;
  maxBurst?: number;
  /** one queue of a multi-queue device (IFF_MULTI_QUEUE): each datapath worker opens its
   * own queue of the same TAP (datapath/workers/replica.ts) */
  multiQueue?: boolean;
}

export class TapPort extends NativePort {
  /** The kernel's name for the device (differs from the request for patterns like "tap%d"). */
  ifname: string;
  /** The device's ifindex at open (0 when unknown): tells "down here" from "moved away". */
  private ifindex = 0;

  constructor(name: string, readonly options: TapOptions = {}) {
    super(name, 'tap', options.vnetHdr ?? true, options.maxBurst ?? DEFAULT_MAX_BURST);
    this.ifname = name;
  }

  protected openHandle(io: NativeIO): NativeHandle {
    const h = io.tapOpen(this.name, { vnetHdr: this.vnet, slotCount: this.maxBurst, ...(this.options.multiQueue ? { multiQueue: true } : {}) });
    const info = io.info(h);
    this.ifname = info.ifname;
    this.ifindex = info.ifindex;
    if (this.options.up ?? true) {
      try {
        io.setUp(this.ifname, true);
      } catch (e) {
        io.close(h);
        throw e;
      }
    }
    return h;
  }

  override linkUp(): boolean {
    if (!super.linkUp()) return false;
    const io = this.io!;
    if (io.isUp(this.ifname)) return true;
    // Not up by name: down here, or not here at all (moved to another namespace).
    return this.ifindex === 0 || io.ifIndex(this.ifname) !== this.ifindex;
  }
}
