/**
 * Byte streams for OpenFlow targets (target.ts): active connections that retry with
 * exponential backoff, and passive listeners. Each stream becomes an OFConnection handed
 * to `onConnection`; what happens on it is the agent's business.
 *
 * Invariants
 *  - Active: at most one live connection per target. After a failed attempt or a lost
 *    connection the next attempt waits backoff = 1 s, 2 s, 4 s, 8 s, 8 s … (OVS's rconn
 *    schedule); a connection that completed the hello exchange resets it to 1 s.
 *  - Passive: ptcp/pssl bind the address the target names (127.0.0.1 by default);
 *    punix removes a stale socket file before listening and its own file on close.
 *  - close() stops retrying/listening and closes what is open; timers are unref'd, so
 *    a target never keeps the process alive by itself. Nothing throws after start();
 *    failures are reported through `onError` with the target named.
 */
import { SluiceError } from '../ports/errors.js';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { OFConnection, type ConnectionOptions } from './connection.js';
import { formatTarget, type Target } from './target.js';

/** TLS material: file paths (PEM). ssl targets need all three (mutual authentication). */
export interface TlsFiles { readonly key: string; readonly cert: string; readonly ca: string }

export interface TransportOptions extends ConnectionOptions {
  readonly tls?: TlsFiles;
  /** Backoff bounds for active targets (default 1000 → 8000 ms). */
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  readonly onError?: (msg: string) => void;
}

function tlsOptions(t: Target, files: TlsFiles | undefined): tls.SecureContextOptions | SluiceError {
  if (!files) return new SluiceError('bad_config', `${formatTarget(t)}: ssl needs key, cert and CA files`);
  try {
    return { key: readFileSync(files.key), cert: readFileSync(files.cert), ca: readFileSync(files.ca) };
  } catch (e) {
    return new SluiceError('bad_config', `${formatTarget(t)}: cannot read TLS files: ${(e as Error).message}`);
  }
}

export interface Endpoint { close(): void; readonly target: Target }

/** An active target (tcp/ssl/unix) that keeps reconnecting until closed. */
export class ActiveEndpoint implements Endpoint {
  private conn: OFConnection | null = null;
  private timer: NodeJS.Timeout | null = null;
  private backoff: number;
  private closed = false;

  constructor(
    readonly target: Target,
    private readonly opts: TransportOptions,
    private readonly onConnection: (c: OFConnection) => void,
  ) {
    this.backoff = opts.backoffMinMs ?? 1000;
    this.connect();
  }

  get connection(): OFConnection | null {
    return this.conn;
  }

  private open(): Duplex | SluiceError {
    const t = this.target;
    switch (t.kind) {
      case 'tcp': return createConnection({ host: t.host, port: t.port });
      case 'unix': return createConnection({ path: t.path });
      case 'ssl': {
        const o = tlsOptions(t, this.opts.tls);
        if (o instanceof Error) return o;
        return tls.connect({ host: t.host, port: t.port, ...o, rejectUnauthorized: true, checkServerIdentity: () => undefined });
      }
      default: return new SluiceError('bad_config', `${formatTarget(t)} is a passive target`);
    }
  }

  private connect(): void {
    if (this.closed) return;
    const s = this.open();
    if (s instanceof Error) {
      this.opts.onError?.(s.message);
      return; // a configuration error: retrying will not fix it
    }
    s.on('error', () => {}); // reported through the connection's 'close'
    const c = new OFConnection(s, { ...this.opts, name: formatTarget(this.target) });
    this.conn = c;
    c.on('ready', () => { this.backoff = this.opts.backoffMinMs ?? 1000; });
    c.on('close', (reason) => {
      if (this.conn === c) this.conn = null;
      if (this.closed) return;
      this.opts.onError?.(`${formatTarget(this.target)}: ${reason}; retrying in ${this.backoff} ms`);
      this.timer = setTimeout(() => { this.timer = null; this.connect(); }, this.backoff);
      this.timer.unref();
      this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs ?? 8000);
    });
    this.onConnection(c);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.conn?.close('target removed');
  }
}

/** A passive target (ptcp/pssl/punix): every accepted stream becomes a connection. */
export class PassiveEndpoint implements Endpoint {
  private readonly server: Server;
  private readonly conns = new Set<OFConnection>();

  private constructor(readonly target: Target, server: Server) {
    this.server = server;
  }

  /** Starts listening; resolves once bound (or with a SluiceError naming the target). */
  static async listen(target: Target, opts: TransportOptions, onConnection: (c: OFConnection) => void): Promise<PassiveEndpoint | SluiceError> {
    const name = formatTarget(target);
    let server: Server;
    const accept = (s: Socket | tls.TLSSocket): void => {
      s.on('error', () => {});
      const c = new OFConnection(s, { ...opts, name: `${name} ← ${s.remoteAddress ?? 'local'}:${s.remotePort ?? ''}` });
      ep.conns.add(c);
      c.on('close', () => ep.conns.delete(c));
      onConnection(c);
    };
    if (target.kind === 'pssl') {
      const o = tlsOptions(target, opts.tls);
      if (o instanceof Error) return o;
      server = tls.createServer({ ...o, requestCert: true, rejectUnauthorized: true }, accept);
    } else if (target.kind === 'ptcp' || target.kind === 'punix') {
      server = createServer(accept);
    } else {
      return new SluiceError('bad_config', `${name} is an active target`);
    }
    const ep = new PassiveEndpoint(target, server);
    if (target.kind === 'punix' && existsSync(target.path)) {
      try { unlinkSync(target.path); } catch (e) { return new SluiceError('bad_config', `${name}: cannot remove stale socket: ${(e as Error).message}`); }
    }
    const err = await new Promise<SluiceError | null>((resolve) => {
      server.once('error', (e) => resolve(new SluiceError('bad_config', `${name}: cannot listen: ${e.message}`)));
      if (target.kind === 'punix') server.listen(target.path, () => resolve(null));
      else server.listen(target.port, target.host, () => resolve(null));
    });
    if (err) return err;
    return ep;
  }

  /** The bound TCP port (useful with ptcp:0). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  close(): void {
    this.server.close();
    for (const c of [...this.conns]) c.close('listener closed');
    if (this.target.kind === 'punix') {
      try { unlinkSync(this.target.path); } catch { /* already gone */ }
    }
  }
}
