/**
 * A minimal OpenFlow 1.3 controller for the benchmark: it listens on TCP, the switch under
 * test connects to it (OVS: `ovs-vsctl set-controller`, Sluice: its controller target), and
 * it speaks through Sluice's codec (encodeMessage / decodeMessage / MessageFramer).
 *
 * What it does on its own: hello (OF1.3 only, §6.3.1), echo replies (§6.3.2, so that the
 * switch's inactivity probe never drops us mid-run). Everything else goes to the caller:
 * replies by xid (`request`), packet-ins to `onPacketIn` (called with the arrival time,
 * taken before decoding), errors are counted and the last one kept.
 *
 * Invariant: one switch connection at a time; a second one replaces the first (a
 * reconnecting switch), and pending requests of the old one are rejected.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, MessageFramer, type OFMessage, type PacketIn } from '../../src/openflow/index.js';
import { isOFError } from '../../src/pipeline/errors.js';

type Waiter = { resolve: (m: OFMessage) => void; reject: (e: Error) => void };

export class BenchController {
  private server: Server | null = null;
  private sock: Socket | null = null;
  private waiters = new Map<number, Waiter>();
  private onReady: (() => void) | null = null;
  private ready = false;
  errors = 0;
  lastError = '';
  onPacketIn: ((pi: PacketIn, arrivedNs: bigint) => void) | null = null;

  async listen(port: number): Promise<void> {
    this.server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
  }

  /** Resolves once a switch has connected and answered a barrier (hello done). */
  waitForSwitch(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.onReady = null; reject(new Error(`no switch connected within ${timeoutMs} ms`)); }, timeoutMs);
      this.onReady = () => { clearTimeout(t); resolve(); };
    });
  }

  /** Writes raw bytes; returns false when the socket buffer is full (wait for drain()). */
  write(bytes: Uint8Array): boolean {
    if (!this.sock) throw new Error('no switch connected');
    return this.sock.write(bytes);
  }

  drain(): Promise<void> {
    return new Promise((resolve) => this.sock!.once('drain', resolve));
  }

  /** Sends a message and resolves with the reply carrying its xid. */
  request(bytes: Uint8Array, xid: number, timeoutMs = 60_000): Promise<OFMessage> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.waiters.delete(xid); reject(new Error(`xid ${xid}: no reply in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.set(xid, {
        resolve: (m) => { clearTimeout(t); resolve(m); },
        reject: (e) => { clearTimeout(t); reject(e); },
      });
      this.write(bytes);
    });
  }

  /** Drops the switch connection (the switch is being stopped). */
  disconnect(): void {
    this.sock?.destroy();
    this.sock = null;
    this.ready = false;
  }

  close(): void {
    this.disconnect();
    this.server?.close();
    this.server = null;
  }

  private accept(s: Socket): void {
    this.disconnect();
    for (const w of this.waiters.values()) w.reject(new Error('switch reconnected'));
    this.waiters.clear();
    this.sock = s;
    s.setNoDelay(true);
    const framer = new MessageFramer();
    s.on('error', () => undefined); // a stopped switch resets the connection: not our failure
    s.on('close', () => { if (this.sock === s) { this.sock = null; this.ready = false; } });
    s.on('data', (chunk: Buffer) => {
      const arrived = process.hrtime.bigint();
      const r = framer.push(chunk);
      for (const raw of r.messages) this.handle(raw, arrived);
      if (!r.ok) s.destroy();
    });
    s.write(encodeMessage({ type: 'hello', xid: 0, versions: [4] }));
    void this.request(encodeMessage({ type: 'barrier_request', xid: 0x7fff0000 }), 0x7fff0000, 10_000)
      .then(() => {
        if (this.sock !== s) return;
        this.ready = true;
        const cb = this.onReady;
        this.onReady = null;
        cb?.();
      }, () => undefined);
  }

  private handle(raw: Uint8Array, arrived: bigint): void {
    const d = decodeMessage(raw);
    if (isOFError(d)) { this.errors++; this.lastError = `undecodable message from switch: ${d.message}`; return; }
    const m = d;
    switch (m.type) {
      case 'hello': return;
      case 'echo_request': this.sock?.write(encodeMessage({ type: 'echo_reply', xid: m.xid, data: m.data })); return;
      case 'packet_in': this.onPacketIn?.(m, arrived); return;
      case 'error':
        this.errors++;
        this.lastError = `error type ${m.errType} code ${m.code} (xid ${m.xid})`;
        break;
      default:
        break;
    }
    const w = this.waiters.get(m.xid);
    if (w && m.type !== 'error') { this.waiters.delete(m.xid); w.resolve(m); }
  }
}
