/**
 * The daemon side of the control socket (protocol in ctl-protocol.ts).
 *
 * Handlers are plain functions keyed by command name; one may return a value, a promise,
 * or an Error (sent as {"ok":false}). Requests are served one at a time in arrival order
 * (a queue), so two `sluice add-port` runs never interleave their config writes.
 *
 * Invariants: a stale socket file left by a killed daemon is replaced, but a live one
 * (another daemon answering on it) is not: listen() fails naming the path. close() removes
 * the socket file. The socket is 0600 and a run directory it creates is 0700: only root
 * (the daemon's user) drives the daemon.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { listenOwnerOnly, makeRundir } from '../openflow/transport.js';
import { MAX_REQUEST_BYTES, type CtlRequest, type CtlResponse } from './ctl-protocol.js';

export type CtlHandler = (args: Record<string, unknown>) => unknown;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class CtlServer {
  private server: Server | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string, private readonly handlers: Readonly<Record<string, CtlHandler>>) {}

  async listen(): Promise<void> {
    makeRundir(dirname(this.path));
    if (existsSync(this.path)) {
      if (await answers(this.path)) throw new Error(`another sluice daemon is running on ${this.path}`);
      unlinkSync(this.path);
    }
    const server = createServer((sock) => this.serve(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      listenOwnerOnly(server, this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {}); // accept errors after listen: keep serving
    this.server = server;
  }

  close(): void {
    this.server?.close();
    this.server = null;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  /** Runs one request through the handlers (also used by tests without a socket). */
  async dispatch(req: unknown): Promise<CtlResponse> {
    if (!isObj(req) || typeof req.cmd !== 'string') return { ok: false, error: 'bad request: expected {"cmd": ..., "args": {...}}' };
    const { cmd, args } = req as unknown as CtlRequest;
    const h = Object.hasOwn(this.handlers, cmd) ? this.handlers[cmd] : undefined;
    if (!h) return { ok: false, error: `unknown command "${cmd}" (this daemon knows: ${Object.keys(this.handlers).join(', ')})` };
    if (args !== undefined && !isObj(args)) return { ok: false, error: 'bad request: "args" must be an object' };
    try {
      const r = await h(args ?? {});
      return r instanceof Error ? { ok: false, error: r.message } : { ok: true, result: r ?? null };
    } catch (e) {
      return { ok: false, error: `internal error in ${cmd}: ${(e as Error).message}` };
    }
  }

  private serve(sock: Socket): void {
    let buf = '';
    let done = false;
    sock.setEncoding('utf8');
    sock.on('error', () => {});
    const reply = (r: CtlResponse) => {
      if (!sock.destroyed) sock.end(JSON.stringify(r, bigintAsString) + '\n');
    };
    sock.on('data', (chunk: string) => {
      if (done) return;
      buf += chunk;
      if (buf.length > MAX_REQUEST_BYTES) {
        done = true;
        reply({ ok: false, error: `request larger than ${MAX_REQUEST_BYTES} bytes` });
        return;
      }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      done = true;
      let req: unknown;
      try {
        req = JSON.parse(buf.slice(0, nl));
      } catch {
        reply({ ok: false, error: 'bad request: not a JSON line' });
        return;
      }
      this.queue = this.queue.then(async () => reply(await this.dispatch(req)));
    });
  }
}

const bigintAsString = (_k: string, v: unknown) => (typeof v === 'bigint' ? '0x' + v.toString(16) : v);

/** True when something accepts connections on the unix socket `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}
