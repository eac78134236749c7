/**
 * Per-port transmit staging: frames queued during a burst, sent with ONE txBurst at its end.
 *
 *   arena  [hdr|frame 0 ....][hdr|frame 1 ..][hdr|frame 2 .......]  free ...
 *           ^offs[0]-HDR       ^offs[1]-HDR                         ^used
 *
 * Every frame gets VNET_HDR_LEN bytes of room before it, written only when the batch is a
 * vnet batch (`batch.vnet`: the bridge has a port that speaks virtio_net_hdr, so GSO frames
 * must keep their header until the output port completes them in software if it must).
 *
 * Invariants
 *  - Nothing is allocated per frame: the arena and the offs/lens arrays are reused. The
 *    arena is sized for the port's load: it starts at INITIAL_ARENA (a quiet port of a
 *    64-switch fabric copies a few small frames a second) and doubles, keeping what is
 *    queued, when a burst fills it, up to FULL_ARENA (a busy port: 64 rewritten frames
 *    of 1,500 bytes and more); from there a full arena is flushed instead. A frame bigger
 *    than the arena grows it to the next power of two that holds it.
 *  - When a frame does not fit (arena or slots full), the queue is flushed first, so a
 *    frame is never dropped for lack of staging room; normally that never happens within
 *    one burst and the port sees exactly one txBurst per burst.
 *  - Rewritten frames (work buffers, packet-out data) are copied in, each placed at its
 *    source's alignment mod 4 (up to 3 bytes of padding) so the copy moves 32-bit words.
 *  - Unmodified frames are queued by reference (pushRef, zero copy): `batch.sel[i] = 1`
 *    says frame i is in `batch.alt`, the receive memory of the burst being forwarded,
 *    which stays valid until the next rxBurst on that port. The burst loop flushes every
 *    queue before that, and a queue holds references into ONE receive buffer at a time
 *    (a reference into another one flushes first), so a reference never outlives its
 *    frame. Order is kept: copies and references share one batch, in arrival order.
 */
import { TUN_STRIDE, type FrameBatch } from '../ports/port.js';
import { copyBytes } from '../ports/copy-bytes.js';
import { VNET_HDR_LEN, vnetShift } from '../ports/vnet.js';

/** First arena: 8 KiB (five full-size frames). */
const INITIAL_ARENA = 1 << 13;
/** Largest arena reached by growing on a full burst: 128 KiB. */
const FULL_ARENA = 1 << 17;

export class TxQueue {
  readonly batch: FrameBatch;
  private readonly sel: Uint8Array;
  private used = 0;
  /** frames queued by reference into batch.alt since the last reset */
  private refs = 0;

  constructor(readonly slots: number, private readonly flushFn: () => void, vnet = false) {
    this.sel = new Uint8Array(slots);
    this.batch = {
      buf: new Uint8Array(INITIAL_ARENA), offs: new Uint32Array(slots), lens: new Uint32Array(slots), count: 0, vnet,
      alt: null, altVnet: false, sel: this.sel,
    };
  }

  get count(): number {
    return this.batch.count;
  }

  /** Gives the batch per-frame tunnel metadata (batch.tun), for a tunnel port's queue. */
  enableTunnel(): void {
    this.batch.tun = new Uint32Array(this.slots * TUN_STRIDE);
  }

  /** Records the tunnel metadata of the frame queued last (see FrameBatch.tun). */
  tagLast(idHi: number, idLo: number, dst: number, flowTos: number): void {
    const t = this.batch.tun!;
    const o = (this.batch.count - 1) * TUN_STRIDE;
    t[o] = idHi;
    t[o + 1] = idLo;
    t[o + 2] = dst;
    t[o + 3] = flowTos;
  }

  /** Empties the queue after the owner sent it. */
  reset(): void {
    this.batch.count = 0;
    this.used = 0;
    this.refs = 0;
    this.batch.alt = null; // a copy-only batch crosses with no second source
  }

  /** Queues src[start, start+len) by reference, no copy (see the module comment): `src`
   * is the receive memory of the current burst, `vnet` whether its frames have a
   * virtio_net_hdr before them. */
  pushRef(src: Uint8Array, vnet: boolean, start: number, len: number): void {
    const b = this.batch;
    if (b.count >= this.slots || (this.refs > 0 && b.alt !== src)) this.flushFn();
    b.alt = src;
    b.altVnet = vnet;
    const i = b.count++;
    b.offs[i] = start;
    b.lens[i] = len;
    this.sel[i] = 1;
    this.refs++;
  }

  /** Reserves room for a frame of `len` bytes at an offset ≡ `align` (mod 4), so that
   * copyBytes can move it 32 bits at a time; returns its offset in batch.buf. */
  private reserve(len: number, align: number): number {
    const need = VNET_HDR_LEN + len + 3;
    if (this.batch.count < this.slots && this.used + need > this.batch.buf.length && this.batch.buf.length < FULL_ARENA) {
      this.grow(this.used + need); // busier than the arena so far: keep the queue, grow
    }
    if (this.batch.count >= this.slots || this.used + need > this.batch.buf.length) {
      if (this.batch.count > 0) this.flushFn();
      if (need > this.batch.buf.length) {
        let n = this.batch.buf.length;
        while (n < need) n *= 2;
        this.batch.buf = new Uint8Array(n);
      }
    }
    const off = this.used + VNET_HDR_LEN + ((align - this.used - VNET_HDR_LEN) & 3);
    const i = this.batch.count++;
    this.batch.offs[i] = off;
    this.batch.lens[i] = len;
    this.sel[i] = 0;
    this.used = off + len;
    return off;
  }

  /** Doubles the arena (up to FULL_ARENA, or more if `need` is more), keeping its bytes. */
  private grow(need: number): void {
    let n = this.batch.buf.length * 2;
    while (n < need && n < FULL_ARENA) n *= 2;
    const buf = new Uint8Array(n);
    buf.set(this.batch.buf.subarray(0, this.used));
    this.batch.buf = buf;
  }

  private header(off: number, vh: Uint8Array | null, delta: number): void {
    if (!this.batch.vnet) return;
    const b = this.batch.buf;
    const h = off - VNET_HDR_LEN;
    if (vh === null) b.fill(0, h, off);
    else {
      for (let i = 0; i < VNET_HDR_LEN; i++) b[h + i] = vh[i]!;
      if (delta !== 0) vnetShift(b, off, delta);
    }
  }

  /** Queues buf[start, start+len) as it is. `vh`: the frame's virtio_net_hdr, or null. */
  push(buf: Uint8Array, start: number, len: number, vh: Uint8Array | null): void {
    const off = this.reserve(len, (buf.byteOffset + start) & 3);
    copyBytes(this.batch.buf, off, buf, start, len);
    this.header(off, vh, 0);
  }

  /** Queues the frame with its outer VLAN tag replaced (NORMAL output to an access or
   * trunk port): `outVid` < 0 = untagged, else a 0x8100 tag with that VID and the PCP of
   * the frame's current tag (0 if untagged). `tagged`: the frame has an outer tag now. */
  pushWithVlan(buf: Uint8Array, start: number, len: number, vh: Uint8Array | null, tagged: boolean, outVid: number): void {
    const rest = start + (tagged ? 16 : 12);
    const restLen = len - (tagged ? 16 : 12);
    const newLen = 12 + (outVid >= 0 ? 4 : 0) + restLen;
    const off = this.reserve(newLen, (buf.byteOffset + rest - (outVid >= 0 ? 16 : 12)) & 3);
    const b = this.batch.buf;
    copyBytes(b, off, buf, start, 12);
    let o = off + 12;
    if (outVid >= 0) {
      const pcp = tagged ? buf[start + 14]! & 0xe0 : 0;
      b[o] = 0x81;
      b[o + 1] = 0x00;
      b[o + 2] = pcp | ((outVid >>> 8) & 0x0f);
      b[o + 3] = outVid & 0xff;
      o += 4;
    }
    copyBytes(b, o, buf, rest, restLen);
    this.header(off, vh, newLen - len);
  }
}
