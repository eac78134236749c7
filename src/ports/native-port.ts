/**
 * What AF_PACKET and TAP ports share: a native handle, its receive memory exposed once as
 * `burst.buf`, burst calls that cross into C once per burst, readiness from libuv.
 *
 * Invariants
 *  - `burst.buf` is created at open() and is the same Uint8Array for the port's lifetime;
 *    after close() it is detached (length 0), so stale views read nothing instead of
 *    freed memory.
 *  - A failed data-path call (-errno) marks the port failed: linkUp() turns false,
 *    polling stops, and further bursts return the same -errno. Nothing here throws after
 *    open(), and an exception from the readable callback cannot reach the native poll.
 */
import { DEFAULT_MAX_BURST, emptyBatch, type FrameBatch, type Port, type PortKind, type PortStats } from './port.js';
import { nativeIO, type NativeHandle, type NativeIO } from './native.js';

const EBADF = 9;

export abstract class NativePort implements Port {
  ofport = 0;
  readonly burst: FrameBatch;
  protected handle: NativeHandle | null = null;
  protected io: NativeIO | null = null;
  /** 0 while healthy, else the negative errno that failed the port */
  failure = 0;
  private readable: (() => void) | null = null;
  private final: PortStats | null = null;

  protected constructor(
    readonly name: string,
    readonly kind: PortKind,
    readonly vnet: boolean,
    readonly maxBurst = DEFAULT_MAX_BURST,
  ) {
    this.burst = emptyBatch(maxBurst);
    this.burst.vnet = vnet;
  }

  protected abstract openHandle(io: NativeIO): NativeHandle;

  open(): void {
    if (this.handle) return;
    const io = nativeIO();
    this.adopt(io, this.openHandle(io));
  }

  /** Makes `h` this port's open handle (open() without opening: openTogether, open-many.ts). */
  adopt(io: NativeIO, h: NativeHandle): void {
    if (this.handle) throw new Error(`port ${this.name} is already open`);
    this.io = io;
    this.handle = h;
    this.failure = 0;
    this.final = null;
    this.burst.buf = new Uint8Array(io.rxBuffer(h));
    this.burst.count = 0;
  }

  rxBurst(max = this.maxBurst): number {
    const h = this.handle;
    if (!h || this.failure) return this.failure || -EBADF;
    const n = this.io!.rxBurst(h, max < this.maxBurst ? max : this.maxBurst, this.burst.offs, this.burst.lens);
    if (n < 0) {
      this.fail(n);
      this.burst.count = 0;
      return n;
    }
    this.burst.count = n;
    return n;
  }

  txBurst(b: FrameBatch): number {
    const h = this.handle;
    if (!h || this.failure) return this.failure || -EBADF;
    if (b.count === 0) return 0;
    // One crossing either way; a batch with a second source (FrameBatch.alt) sends its
    // unmodified frames straight from that receive memory (native/src/tx.c).
    const n = b.alt && b.sel
      ? this.io!.txBurst(h, b.buf, b.offs, b.lens, b.count, b.vnet, b.alt, b.altVnet === true, b.sel)
      : this.io!.txBurst(h, b.buf, b.offs, b.lens, b.count, b.vnet);
    if (n < 0) this.fail(n);
    return n;
  }

  /** True between open() (or adopt()) and close(). */
  get opened(): boolean {
    return this.handle !== null;
  }

  linkUp(): boolean {
    return this.handle !== null && this.failure === 0;
  }

  onReadable(cb: (() => void) | null): void {
    this.readable = cb;
    const h = this.handle;
    if (!h || this.failure) return;
    if (cb) this.io!.pollStart(h, (err) => this.wake(err));
    else this.io!.pollStop(h);
  }

  stats(): PortStats {
    if (!this.handle) return this.final ?? zeroStats();
    const s = this.io!.stats(this.handle);
    return {
      rxPackets: s.rx,
      rxBytes: s.rxBytes,
      rxDropped: s.rxDropped,
      txPackets: s.tx,
      txBytes: s.txBytes,
      txDropped: s.txDropped,
      txErrors: s.txErrors,
    };
  }

  /** All native counters (adds rxTruncated, txSegmented, lastErrno); undefined when closed. */
  nativeStats(): ReturnType<NativeIO['stats']> | undefined {
    return this.handle ? this.io!.stats(this.handle) : undefined;
  }

  /** Native details (ring geometry, fd, kernel name); undefined when closed. */
  info(): ReturnType<NativeIO['info']> | undefined {
    return this.handle ? this.io!.info(this.handle) : undefined;
  }

  close(): void {
    const h = this.handle;
    if (!h) return;
    this.final = this.stats();
    this.handle = null;
    this.readable = null;
    this.burst.count = 0;
    this.io!.close(h); // detaches burst.buf, unmaps the ring, closes the fd
  }

  protected fail(err: number): void {
    if (this.failure) return;
    this.failure = err;
    if (this.handle) this.io!.pollStop(this.handle);
  }

  private wake(err: number): void {
    if (err < 0) this.fail(err);
    const cb = this.readable;
    if (!cb) return;
    try {
      cb();
    } catch (e) {
      // A bug in the datapath's callback must not unwind into the native poll.
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

export function zeroStats(): PortStats {
  return { rxPackets: 0, rxBytes: 0, rxDropped: 0, txPackets: 0, txBytes: 0, txDropped: 0, txErrors: 0 };
}
