/**
 * The underlay socket that tunnel ports share: one per (protocol, local address, UDP
 * port) in the process, opened by the first port that needs it and closed with the last.
 *
 *   kernel ──► socket ──► pump(): one native burst, decap, demux by (remote, key) ──┐
 *                                                                                   ▼
 *       TunnelPort A: pending [f0 f3 ...]   TunnelPort B: pending [f1 ...]   (copies)
 *       rxBurst(): pending ⇄ current, returns the count; callbacks of ports with
 *       pending frames are called after each pump
 *
 * Invariants
 *  - A datagram reaches at most one port: the most specific match of its outer source
 *    and key (fixed remote and key, then remote_ip=flow, then key=flow, then both flow),
 *    as Open vSwitch's tunnel port lookup does. No match, or a header that does not
 *    decode, is dropped and counted under its reason (`drops`), never delivered.
 *  - Delivery copies the inner frame into the port's pending buffer, so a port's current
 *    burst stays valid until that port's next rxBurst whatever the other ports receive.
 *  - The per-packet work allocates nothing: headers decode into one reused TunnelHeader.
 */
import { nativeIO, type NativeHandle, type NativeIO } from './native.js';
import {
  decapEcn, decodeTunnel, DROP_REASON_NAMES, DropReason, dropReasonName, formatIpv4, TunnelHeader, type DropReasonName, type TunnelProto,
} from './tunnel-wire.js';
import type { TunnelConfig } from './tunnel-spec.js';

/** What a port offers to the endpoint (tunnel-port.ts implements it). */
export interface TunnelReceiver {
  readonly config: TunnelConfig;
  /** Copies a decapsulated frame into the port's pending buffer (a full one drops it and
   * counts it in the port's rxDropped). */
  deliver(src: Uint8Array, off: number, len: number, key: number, outerSrc: number, outerDst: number): void;
  pendingCount(): number;
  wake(): void;
}

const RX_BURST = 64;
const RX_SLOT = 9216; // a jumbo underlay datagram
const registry = new Map<string, TunnelEndpoint>();

export class TunnelEndpoint {
  readonly drops: Record<DropReasonName, number> = Object.fromEntries(DROP_REASON_NAMES.map((n) => [n, 0])) as Record<DropReasonName, number>;
  private readonly ports: TunnelReceiver[] = [];
  private readonly io: NativeIO;
  readonly handle: NativeHandle;
  private readonly rxBuf = new Uint8Array(RX_BURST * RX_SLOT);
  private readonly offs = new Uint32Array(RX_BURST);
  private readonly lens = new Uint32Array(RX_BURST);
  private readonly meta = new Uint32Array(RX_BURST * 4);
  private readonly hdr = new TunnelHeader();
  private polling = false;
  private wakeScheduled = false;

  private constructor(
    readonly key: string,
    readonly proto: TunnelProto,
    readonly local: number,
    readonly port: number,
    readonly ttl: number,
    readonly df: boolean,
  ) {
    this.io = nativeIO();
    this.handle = this.io.tunnelOpen({
      proto: proto === 'gre' ? 'gre' : 'udp',
      localAddr: formatIpv4(local),
      port: proto === 'gre' ? 0 : port,
      ttl,
      df,
    });
  }

  /** The endpoint for `c`, opened on first use; throws (configuration time) when the
   * socket cannot be opened or another port of the endpoint wants other socket options. */
  static attach(c: TunnelConfig, r: TunnelReceiver): TunnelEndpoint {
    const port = c.proto === 'gre' ? 0 : c.dstPort;
    const key = `${c.proto}/${c.local}/${port}`;
    let ep = registry.get(key);
    if (ep === undefined) {
      ep = TunnelEndpoint.open(key, c, port);
      registry.set(key, ep);
    } else if (ep.ttl !== c.ttl || ep.df !== c.df) {
      throw new Error(`ttl=${c.ttl},df=${c.df} differs from the other ${c.proto} ports on this local_ip and port (ttl=${ep.ttl},df=${ep.df}); one underlay socket has one ttl and df`);
    }
    for (const o of ep.ports) {
      if (o.config.remote === c.remote && o.config.key === c.key) {
        throw new Error(`port ${o.config.name} already takes remote_ip and key ${describe(c)} on this socket`);
      }
    }
    ep.ports.push(r);
    ep.startPolling();
    return ep;
  }

  /** Opens the endpoint's socket; the errors a user can fix name the port option to change. */
  private static open(key: string, c: TunnelConfig, port: number): TunnelEndpoint {
    try {
      return new TunnelEndpoint(key, c.proto, c.local, port, c.ttl, c.df);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EADDRNOTAVAIL') {
        throw new Error(`local_ip ${formatIpv4(c.local)} is not an address of this host (add it with ip addr, or leave local_ip out)`);
      }
      if (code === 'EADDRINUSE') {
        const where = `${formatIpv4(c.local)}${c.proto === 'gre' ? '' : `:${port}`}`;
        throw new Error(`${c.proto} ${where} is already bound by another program (another switch or a kernel ${c.proto} device?); choose another local_ip or dst_port`);
      }
      throw e;
    }
  }

  detach(r: TunnelReceiver): void {
    const i = this.ports.indexOf(r);
    if (i >= 0) this.ports.splice(i, 1);
    if (this.ports.length > 0) return;
    registry.delete(this.key);
    if (this.polling) this.io.pollStop(this.handle);
    this.polling = false;
    this.io.close(this.handle);
  }

  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    this.io.pollStart(this.handle, () => this.onReadable());
  }

  private onReadable(): void {
    this.read();
    this.wakePorts();
  }

  private wakePorts(): void {
    this.wakeScheduled = false;
    for (let i = 0; i < this.ports.length; i++) {
      const p = this.ports[i]!;
      if (p.pendingCount() > 0) p.wake();
    }
  }

  /** A port's rxBurst found nothing pending: reads one burst (read()). Ports other than the
   * caller that received frames are woken on the next turn of the event loop. */
  pump(): number {
    const n = this.read();
    if (n > 0 && !this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(() => this.wakePorts());
    }
    return n;
  }

  /** Reads one burst from the socket and hands each datagram to its port. Returns how many
   * datagrams were read (0: nothing waiting), or a negative errno. */
  private read(): number {
    const n = this.io.tunnelRxBurst(this.handle, RX_BURST, this.rxBuf, this.offs, this.lens, this.meta);
    if (n <= 0) return n;
    const b = this.rxBuf;
    const h = this.hdr;
    for (let i = 0; i < n; i++) {
      const off = this.offs[i]!;
      const len = this.lens[i]!;
      const hl = decodeTunnel(this.proto, b, off, len, h);
      if (hl < 0) {
        this.drops[dropReasonName(hl)]++;
        continue;
      }
      const src = this.meta[i * 4]!;
      const dst = this.meta[i * 4 + 1]!;
      const r = this.match(src, h.hasKey ? h.key : -1);
      if (r === null) {
        this.drops[dropReasonName(DropReason.NoPort)]++;
        continue;
      }
      if (len - hl < 14) {
        this.drops[dropReasonName(DropReason.Short)]++;
        continue;
      }
      const ecn = decapEcn(b, off + hl, len - hl, this.meta[i * 4 + 3]! >>> 8);
      if (ecn < 0) {
        this.drops[dropReasonName(ecn)]++;
        continue;
      }
      r.deliver(b, off + hl, len - hl, h.hasKey ? h.key : 0, src, dst);
    }
    return n;
  }

  /** The most specific port for (outer source, key); key -1 = GRE without a key. */
  private match(src: number, key: number): TunnelReceiver | null {
    let best: TunnelReceiver | null = null;
    let bestRank = 4;
    for (let i = 0; i < this.ports.length; i++) {
      const p = this.ports[i]!;
      const c = p.config;
      const keyOk = c.key === null ? key >= 0 : c.key === 'none' ? key < 0 : c.key === (c.nvgre ? key >>> 8 : key);
      const remoteOk = c.remote === null || c.remote === src;
      if (!keyOk || !remoteOk) continue;
      const rank = (c.remote === null ? 1 : 0) + (c.key === null ? 2 : 0);
      if (rank < bestRank) {
        best = p;
        bestRank = rank;
      }
    }
    return best;
  }

  /** Drops by reason; `truncated` (a datagram larger than a receive slot) is counted by
   * the addon, which drops it before it reaches here. */
  dropCounts(): Record<DropReasonName | 'truncated', number> {
    return { ...this.drops, truncated: this.io.stats(this.handle).rxTruncated };
  }

  /** `vxlan 172.31.0.1:4789`, as the stats line and metrics name it. */
  get label(): string {
    return `${this.proto} ${formatIpv4(this.local)}${this.proto === 'gre' ? '' : `:${this.port}`}`;
  }
}

/** The open endpoints of this process (stats: drops by reason). */
export function tunnelEndpoints(): TunnelEndpoint[] {
  return [...registry.values()];
}

function describe(c: TunnelConfig): string {
  const ip = c.remote === null ? 'flow' : formatIpv4(c.remote);
  return `${ip}/${c.key === null ? 'flow' : c.key}`;
}
