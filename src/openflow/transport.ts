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
 *  - ssl/pssl authenticate both ends against the CA file (--ssl-ca). A peer certificate
 *    the CA did not sign, or one out of its validity dates, is refused, and the report
 *    says which, in words and with OpenSSL's code (tlsRefusal).
 */
import { SluiceError } from '../ports/errors.js';
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { OFConnection, type ConnectionOptions } from './connection.js';
import { formatTarget, type Target } from './target.js';

/** TLS material: file paths (PEM). ssl targets need all three (mutual authentication). */
interface TlsFiles { readonly key: string; readonly cert: string; readonly ca: string }

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

/** Why a TLS handshake was refused, for an operator: what to fix, then OpenSSL's code
 * (`code`, as Node reports it; `message`: its text, when there is more to it). */
function tlsRefusal(code: string, message = code): string {
  const what: Readonly<Record<string, string>> = {
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by the CA of --ssl-ca',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by the CA of --ssl-ca',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed, not signed by the CA of --ssl-ca',
    SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a CA other than --ssl-ca',
    CERT_SIGNATURE_FAILURE: 'its certificate signature does not verify against --ssl-ca',
    CERT_HAS_EXPIRED: 'its certificate has expired',
    CERT_NOT_YET_VALID: 'its certificate is not valid yet (check the clocks)',
    NO_PEER_CERTIFICATE: 'it sent no certificate (mutual authentication is required)',
  };
  const known = what[code];
  if (known !== undefined) return `TLS peer refused: ${known} (${code})`;
  // the far end refused ours: OpenSSL reports its alert
  const alert = /alert (?:number \d+|[a-z ]+)/i.exec(message)?.[0];
  if (alert !== undefined && /^ERR_SSL_/.test(code)) return `TLS refused by the peer (${alert}): check our --ssl-cert against its CA (${code})`;
  return `TLS handshake failed: ${message}${code !== '' ? ` (${code})` : ''}`;
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
    let refused: string | null = null; // a TLS handshake failure, said in words
    s.on('error', (e: Error & { code?: string }) => {
      if (this.target.kind === 'ssl' && !(s as tls.TLSSocket).authorized && refused === null) refused = tlsRefusal(e.code ?? '', e.message);
    }); // otherwise reported through the connection's 'close'
    const c = new OFConnection(s, { ...this.opts, name: formatTarget(this.target) });
    this.conn = c;
    c.on('ready', () => { this.backoff = this.opts.backoffMinMs ?? 1000; });
    c.on('close', (reason) => {
      if (this.conn === c) this.conn = null;
      if (this.closed) return;
      this.opts.onError?.(`${formatTarget(this.target)}: ${refused ?? reason}; retrying in ${this.backoff} ms`);
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

/** Binds `server` to the unix socket `path` with mode 0600: only its owner (root, for the
 * daemon) may connect, whatever the directory allows. The umask is narrowed around
 * listen(), inside which Node binds synchronously, so the socket never exists with a wider
 * mode. Used for every unix socket the daemon serves (punix: targets, the control socket). */
export function listenOwnerOnly(server: Server, path: string, onListening: () => void): void {
  const old = process.umask(0o177);
  try {
    server.listen(path, onListening);
  } finally {
    process.umask(old);
  }
}

/** Creates the run directory (sockets, pid files) as 0700 when it does not exist; an
 * existing one is left as it is (it may be shared, e.g. /tmp: the sockets' own 0600 guards them). */
export function makeRundir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
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
      // Node's own rejectUnauthorized would drop an unverified client without a word: the
      // verification result is checked here instead, before the stream carries anything.
      const refused = (s: tls.TLSSocket, why: string) => opts.onError?.(`${name} ← ${s.remoteAddress ?? '?'}:${s.remotePort ?? ''}: ${why}`);
      server = tls.createServer({ ...o, requestCert: true, rejectUnauthorized: false }, (s: tls.TLSSocket) => {
        if (s.authorized) {
          accept(s);
          return;
        }
        // without a certificate Node reports UNABLE_TO_GET_ISSUER_CERT: say what happened
        refused(s, tlsRefusal(Object.keys(s.getPeerCertificate()).length === 0 ? 'NO_PEER_CERTIFICATE' : String(s.authorizationError)));
        s.destroy();
      });
      server.on('tlsClientError', (e: Error & { code?: string }, s: tls.TLSSocket) => refused(s, tlsRefusal(e.code ?? '', e.message)));
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
      if (target.kind === 'punix') listenOwnerOnly(server, target.path, () => resolve(null));
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
