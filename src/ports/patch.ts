/**
 * Patch ports: two ports on two bridges of the same process, wired back to back
 * (Open vSwitch's `type=patch options:peer=PEER`). Spec: `patch:NAME,peer=PEER`.
 *
 *   bridge A                          bridge B
 *   [patch NAME] ──txBurst──► rx queue of [patch PEER]
 *                ◄── rx queue ──txBurst──
 *
 * Built on MemoryPort (a ring of fixed slots per receive side; a frame is copied once,
 * on transmit, into the peer's ring). The port carries a virtio_net_hdr like a veth, so a
 * GSO super-frame crosses a patch whole instead of being segmented; slots are sized for
 * one (64 KiB), pages of a slot are only touched by frames that big.
 *
 * Invariants
 *  - linkUp() is true only while the port is open AND connected to its peer. Who connects
 *    is the owner of both bridges (the daemon): connect() when both ends exist, in either
 *    order, disconnect() when one goes; the surviving end goes down (its bridge reports
 *    port-status), and its transmit counts drops, never throws.
 *  - connect() only pairs ports that name each other (NAME ↔ peer=PEER).
 */
import { SluiceError } from './errors.js';
import { MemoryPort } from './memory.js';
import type { FrameBatch, Port, PortStats } from './port.js';

/** Largest frame a patch carries: a GSO super-frame (64 KiB) plus its Ethernet/VLAN header. */
const PATCH_FRAME_SIZE = 65536 + 64;
/** Receive ring slots: two default bursts in flight. */
const PATCH_SLOTS = 128;

export class PatchPort implements Port {
  readonly kind = 'patch' as const;
  ofport = 0;
  private readonly mem: MemoryPort;
  private other: PatchPort | null = null;

  constructor(readonly name: string, readonly peerName: string) {
    this.mem = new MemoryPort(name, { vnet: true, frameSize: PATCH_FRAME_SIZE, slots: PATCH_SLOTS });
    this.mem.setLink(false); // down until connected
  }

  get vnet(): boolean {
    return this.mem.vnet;
  }

  get maxBurst(): number {
    return this.mem.maxBurst;
  }

  get burst(): FrameBatch {
    return this.mem.burst;
  }

  /** The patch port this one is wired to, or null. */
  get peer(): PatchPort | null {
    return this.other;
  }

  /** Wires a and b together; a SluiceError when they do not name each other. */
  static connect(a: PatchPort, b: PatchPort): SluiceError | null {
    if (a.peerName !== b.name || b.peerName !== a.name) {
      return new SluiceError('bad_config', `patch ports ${a.name} (peer=${a.peerName}) and ${b.name} (peer=${b.peerName}) do not name each other`);
    }
    if (a.other || b.other) return new SluiceError('refused', `patch port ${a.other ? a.name : b.name} is already connected`);
    a.other = b;
    b.other = a;
    a.mem.peer = b.mem;
    b.mem.peer = a.mem;
    a.mem.setLink(true);
    b.mem.setLink(true);
    return null;
  }

  /** Unwires this port and its peer; both links go down. */
  disconnect(): void {
    const o = this.other;
    if (!o) return;
    this.other = null;
    o.other = null;
    this.mem.peer = null;
    o.mem.peer = null;
    this.mem.setLink(false);
    o.mem.setLink(false);
  }

  open(): void {
    this.mem.open();
  }

  close(): void {
    this.mem.close();
  }

  linkUp(): boolean {
    return this.mem.linkUp();
  }

  rxBurst(max?: number): number {
    return this.mem.rxBurst(max);
  }

  txBurst(b: FrameBatch): number {
    return this.mem.txBurst(b);
  }

  stats(): PortStats {
    return this.mem.stats();
  }

  onReadable(cb: (() => void) | null): void {
    this.mem.onReadable(cb);
  }
}
