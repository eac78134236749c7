/**
 * A tunnel port (`vxlan:`, `geneve:`, `gre:`; options in tunnel-spec.ts): Ethernet frames
 * in and out of an overlay whose outer packets the kernel routes.
 *
 *   txBurst: per frame, the tunnel header (tunnel-wire.ts) into `hdr`, the outer
 *            destination, UDP source port and TOS into `meta`; ONE native call sends
 *            [UDP header][tunnel header][inner frame] per frame (GSO frames segmented
 *            first) with sendmmsg
 *   rxBurst: the frames the shared endpoint (tunnel-endpoint.ts) decapsulated for this
 *            port, with [tunnel_id, tun_src, tun_dst] per frame in burst.tun
 *
 * Invariants
 *  - Flow-based ports read the packet's tun_dst and tunnel_id at output (batch.tun); a
 *    frame whose tun_dst is 0 on a remote_ip=flow port cannot be sent and is counted in
 *    txErrors (OVS drops it the same way).
 *  - Two buffers alternate as `burst.buf`: the endpoint fills `pending` while the datapath
 *    reads `current`; rxBurst swaps them. A full pending buffer drops (rxDropped).
 *  - Nothing is allocated per frame.
 */
import { copyBytes } from './copy-bytes.js';
import { nativeIO, type NativeIO } from './native.js';
import { DEFAULT_MAX_BURST, emptyBatch, TUN_STRIDE, type FrameBatch, type Port, type PortStats } from './port.js';
import { TunnelEndpoint, type TunnelReceiver } from './tunnel-endpoint.js';
import { outerTos, type TunnelConfig } from './tunnel-spec.js';
import { encodeGeneve, encodeGre, encodeVxlan, udpSourcePort } from './tunnel-wire.js';

const EBADF = 9;
const SLOT = 9216;
const HDR_ROOM = 16;

class RxArea {
  readonly buf: Uint8Array;
  readonly offs: Uint32Array;
  readonly lens: Uint32Array;
  readonly tun: Uint32Array;
  count = 0;
  constructor(slots: number) {
    this.buf = new Uint8Array(slots * SLOT);
    this.offs = new Uint32Array(slots);
    this.lens = new Uint32Array(slots);
    this.tun = new Uint32Array(slots * TUN_STRIDE);
  }
}

export class TunnelPort implements Port, TunnelReceiver {
  ofport = 0;
  readonly vnet = false;
  readonly burst: FrameBatch;
  private endpoint: TunnelEndpoint | null = null;
  private io: NativeIO | null = null;
  private current: RxArea;
  private pending: RxArea;
  private readable: (() => void) | null = null;
  private readonly hdr: Uint8Array;
  private readonly hdrOffs: Uint32Array;
  private readonly hdrLens: Uint32Array;
  private readonly meta: Uint32Array;
  private readonly counters: PortStats = { rxPackets: 0, rxBytes: 0, rxDropped: 0, txPackets: 0, txBytes: 0, txDropped: 0, txErrors: 0 };

  constructor(readonly config: TunnelConfig, readonly maxBurst = DEFAULT_MAX_BURST) {
    this.burst = emptyBatch(maxBurst);
    this.current = new RxArea(maxBurst);
    this.pending = new RxArea(maxBurst);
    this.hdr = new Uint8Array(maxBurst * HDR_ROOM);
    this.hdrOffs = new Uint32Array(maxBurst);
    this.hdrLens = new Uint32Array(maxBurst);
    this.meta = new Uint32Array(maxBurst * 4);
    for (let i = 0; i < maxBurst; i++) this.hdrOffs[i] = i * HDR_ROOM;
  }

  get name(): string {
    return this.config.name;
  }

  get kind(): 'vxlan' | 'geneve' | 'gre' {
    return this.config.proto;
  }

  get tunnel(): TunnelConfig {
    return this.config;
  }

  open(): void {
    if (this.endpoint) return;
    this.io = nativeIO();
    this.endpoint = TunnelEndpoint.attach(this.config, this);
  }

  // ---- receive (TunnelReceiver: called by the endpoint)

  deliver(src: Uint8Array, off: number, len: number, key: number, outerSrc: number, outerDst: number): void {
    const a = this.pending;
    if (a.count >= a.offs.length || len > SLOT) {
      this.counters.rxDropped++;
      return;
    }
    const i = a.count++;
    const at = i * SLOT + (off & 3); // same alignment mod 4: copyBytes moves words
    copyBytes(a.buf, at, src, off, len);
    a.offs[i] = at;
    a.lens[i] = len;
    const t = i * TUN_STRIDE;
    a.tun[t] = 0;
    a.tun[t + 1] = this.config.nvgre ? key >>> 8 : key;
    a.tun[t + 2] = outerSrc;
    a.tun[t + 3] = outerDst;
  }

  pendingCount(): number {
    return this.pending.count;
  }

  wake(): void {
    this.readable?.();
  }

  rxBurst(max = this.maxBurst): number {
    const ep = this.endpoint;
    if (ep === null) return -EBADF;
    if (this.pending.count === 0) {
      const r = ep.pump();
      if (r < 0) return r;
    }
    const a = this.pending;
    this.pending = this.current;
    this.pending.count = 0;
    this.current = a;
    // (max below the pending count cannot happen: pending holds at most maxBurst frames,
    // and the datapath asks for min(its burst, maxBurst); a smaller max still gets all.)
    const n = a.count;
    const b = this.burst;
    b.buf = a.buf;
    b.tun = a.tun;
    for (let i = 0; i < n; i++) {
      b.offs[i] = a.offs[i]!;
      b.lens[i] = a.lens[i]!;
      this.counters.rxBytes += a.lens[i]!;
    }
    b.count = n;
    this.counters.rxPackets += n;
    return n;
  }

  // ---- transmit

  txBurst(batch: FrameBatch): number {
    const io = this.io;
    const ep = this.endpoint;
    if (io === null || ep === null) return -EBADF;
    const c = this.config;
    const n = batch.count;
    const tun = batch.tun ?? null;
    let k = 0; // frames kept (a flow-based frame without a remote is skipped)
    for (let i = 0; i < n; i++) {
      const t = i * TUN_STRIDE;
      const dst = c.remote ?? (tun === null ? 0 : tun[t + 2]!);
      if (dst === 0) {
        this.counters.txErrors++;
        continue;
      }
      const key = c.key === null ? (tun === null ? 0 : tun[t + 1]!) : c.key === 'none' ? -1 : c.key;
      const flow = tun === null ? 0 : tun[t + 3]!;
      const hash = flow >>> 8;
      const h = k * HDR_ROOM;
      this.hdrOffs[k] = h;
      this.hdrLens[k] = c.proto === 'vxlan' ? encodeVxlan(this.hdr, h, key & 0xffffff)
        : c.proto === 'geneve' ? encodeGeneve(this.hdr, h, key & 0xffffff)
        : encodeGre(this.hdr, h, key < 0 ? null : c.nvgre ? (((key & 0xffffff) << 8) | (hash & 0xff)) >>> 0 : key >>> 0);
      const m = k * 4;
      this.meta[m] = dst;
      this.meta[m + 1] = 0;
      this.meta[m + 2] = c.proto === 'gre' ? 0 : udpSourcePort(hash);
      this.meta[m + 3] = outerTos(c.tos, flow & 0xff);
      if (k !== i) this.compact(batch, i, k);
      k++;
    }
    if (k === 0) return 0;
    const r = io.tunnelTxBurst(ep.handle, this.hdr, this.hdrOffs, this.hdrLens, batch.buf, batch.offs, batch.lens, k,
      batch.vnet, this.meta, batch.alt ?? undefined, batch.altVnet ?? false, batch.sel);
    if (r < 0) {
      this.counters.txErrors += k;
      return r;
    }
    this.counters.txPackets += r;
    for (let i = 0; i < r; i++) this.counters.txBytes += batch.lens[i]!;
    if (r < k) this.counters.txDropped += k - r;
    return r;
  }

  /** Moves frame i of a transmit batch to slot k < i (a skipped frame left a hole). */
  private compact(b: FrameBatch, i: number, k: number): void {
    b.offs[k] = b.offs[i]!;
    b.lens[k] = b.lens[i]!;
    if (b.sel !== undefined) b.sel[k] = b.sel[i]!;
  }

  close(): void {
    if (this.endpoint === null) return;
    this.endpoint.detach(this);
    this.endpoint = null;
    this.readable = null;
  }

  stats(): PortStats {
    return { ...this.counters };
  }

  linkUp(): boolean {
    return this.endpoint !== null;
  }

  onReadable(cb: (() => void) | null): void {
    this.readable = cb;
  }
}
