/**
 * In-process ports for tests and benchmarks: `MemoryPort.pair(a, b)` gives two ports
 * wired back to back (a.txBurst → b.rxBurst and the reverse); inject() plays a frame
 * "from the wire" into a port's receive queue.
 *
 * Receive queue: a ring of fixed slots in one buffer (burst.buf), each slot with
 * VNET_HDR_LEN bytes of headroom so vnet batches keep their header:
 *
 *    rel ──── head ──── tail            slot i: [vnet hdr | frame ...........]
 *    held by   queued,   free             off = i*slotSize + VNET_HDR_LEN
 *    last burst unread
 *
 * Same contract as the native ports: frames of a burst stay valid until the next
 * rxBurst (only then does `rel` advance); a full queue drops (txDropped at the sender,
 * no blocking); no allocation per frame (frames are copied into slots). Memory ports
 * do not segment GSO frames: a vnet frame sent to a non-vnet memory port loses its header.
 */
import { DEFAULT_MAX_BURST, emptyBatch, frameBuf, frameVnet, type FrameBatch, type Port, type PortStats } from './port.js';
import { VNET_HDR_LEN } from './vnet.js';
import { zeroStats } from './native-port.js';

const EBADF = 9;
const ENETDOWN = 100;

interface MemoryPortOptions {
  slots?: number;
  /** largest frame, excluding the vnet header (default 2,048) */
  frameSize?: number;
  vnet?: boolean;
  maxBurst?: number;
}

export class MemoryPort implements Port {
  readonly kind = 'memory' as const;
  ofport = 0;
  readonly vnet: boolean;
  readonly maxBurst: number;
  readonly burst: FrameBatch;
  peer: MemoryPort | null = null;
  private readonly slots: number;
  private readonly slotSize: number;
  private readonly mem: Uint8Array;
  private readonly slotLen: Uint32Array;
  private rel = 0;
  private head = 0;
  private tail = 0;
  private opened = false;
  private up = true;
  private readable: (() => void) | null = null;
  private scheduled = false;
  private readonly counters: PortStats = zeroStats();

  constructor(readonly name: string, opts: MemoryPortOptions = {}) {
    this.slots = opts.slots ?? 256;
    this.slotSize = VNET_HDR_LEN + (opts.frameSize ?? 2048);
    this.vnet = opts.vnet ?? false;
    this.maxBurst = opts.maxBurst ?? DEFAULT_MAX_BURST;
    this.mem = new Uint8Array(this.slots * this.slotSize);
    this.slotLen = new Uint32Array(this.slots);
    this.burst = emptyBatch(this.maxBurst);
    this.burst.buf = this.mem;
    this.burst.vnet = this.vnet;
  }

  static pair(a: string, b: string, opts: MemoryPortOptions = {}): [MemoryPort, MemoryPort] {
    const pa = new MemoryPort(a, opts);
    const pb = new MemoryPort(b, opts);
    pa.peer = pb;
    pb.peer = pa;
    return [pa, pb];
  }

  open(): void {
    this.opened = true;
  }

  close(): void {
    this.opened = false;
    this.readable = null;
    this.rel = this.head = this.tail = 0;
    this.burst.count = 0;
  }

  /** Simulates carrier loss/return: while down, bursts return -ENETDOWN. */
  setLink(up: boolean): void {
    this.up = up;
    if (!up) this.notify();
  }

  linkUp(): boolean {
    return this.opened && this.up;
  }

  rxBurst(max = this.maxBurst): number {
    if (!this.opened) return -EBADF;
    if (!this.up) return -ENETDOWN;
    this.rel = this.head; // the previous burst's slots go back to the queue
    const lim = Math.min(max, this.maxBurst);
    let n = 0;
    while (n < lim && this.head !== this.tail) {
      const s = this.head % this.slots;
      this.burst.offs[n] = s * this.slotSize + VNET_HDR_LEN;
      this.burst.lens[n] = this.slotLen[s]!;
      this.counters.rxPackets++;
      this.counters.rxBytes += this.slotLen[s]!;
      this.head++;
      n++;
    }
    this.burst.count = n;
    return n;
  }

  txBurst(b: FrameBatch): number {
    if (!this.opened) return -EBADF;
    if (!this.up) return -ENETDOWN;
    const peer = this.peer;
    let sent = 0;
    for (let i = 0; i < b.count; i++) {
      const off = b.offs[i]!;
      const len = b.lens[i]!;
      if (!peer || !peer.linkUp()) {
        this.counters.txDropped++;
        continue;
      }
      const r = peer.enqueue(frameBuf(b, i), off, len, frameVnet(b, i)); // copies (two sources: FrameBatch.alt)
      if (r === 0) {
        sent++;
        this.counters.txPackets++;
        this.counters.txBytes += len;
      } else if (r === 1) this.counters.txDropped++;
      else this.counters.txErrors++;
    }
    return sent;
  }

  /** Queues a frame as if it arrived on the wire. Returns false when dropped. */
  inject(frame: Uint8Array, vnetHdr?: Uint8Array): boolean {
    if (!vnetHdr) return this.enqueue(frame, 0, frame.length, false) === 0;
    const tmp = new Uint8Array(VNET_HDR_LEN + frame.length);
    tmp.set(vnetHdr.subarray(0, VNET_HDR_LEN));
    tmp.set(frame, VNET_HDR_LEN);
    return this.enqueue(tmp, VNET_HDR_LEN, frame.length, true) === 0;
  }

  stats(): PortStats {
    return { ...this.counters };
  }

  onReadable(cb: (() => void) | null): void {
    this.readable = cb;
    if (cb && this.head !== this.tail) this.notify();
  }

  /** 0 queued, 1 queue full, 2 frame too large / invalid. */
  private enqueue(src: Uint8Array, off: number, len: number, srcVnet: boolean): number {
    if (!this.linkUp()) return 1;
    if (len === 0 || len > this.slotSize - VNET_HDR_LEN || off + len > src.length) return 2;
    if (this.tail - this.rel >= this.slots) {
      this.counters.rxDropped++;
      return 1;
    }
    const s = this.tail % this.slots;
    const at = s * this.slotSize + VNET_HDR_LEN;
    if (this.vnet) {
      if (srcVnet && off >= VNET_HDR_LEN) this.mem.set(src.subarray(off - VNET_HDR_LEN, off), at - VNET_HDR_LEN);
      else this.mem.fill(0, at - VNET_HDR_LEN, at);
    }
    this.mem.set(src.subarray(off, off + len), at);
    this.slotLen[s] = len;
    this.tail++;
    this.notify();
    return 0;
  }

  private notify(): void {
    if (!this.readable || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.readable?.();
    });
  }
}
