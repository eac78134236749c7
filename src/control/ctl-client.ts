/**
 * The CLI side of the control socket (protocol in ctl-protocol.ts): `ctlRequest(rundir,
 * cmd, args)` sends one request and resolves with the daemon's result.
 *
 * Invariants: every failure rejects with a CtlError whose message is one line for the
 * operator: no daemon ("no sluice daemon is running (no socket /run/sluice/sluice.ctl);
 * start one with `sluice start`"), a refused or dropped connection, a timeout, or the
 * daemon's own error text unchanged.
 */
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { CTL_SOCKET, type CtlResponse } from './ctl-protocol.js';

export class CtlError extends Error {}

export const ctlPath = (rundir: string): string => join(rundir, CTL_SOCKET);

export function ctlRequest(rundir: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<unknown> {
  const path = ctlPath(rundir);
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    let settled = false;
    const finish = (err: Error | null, v?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(v);
    };
    const timer = setTimeout(() => finish(new CtlError(`the sluice daemon at ${path} did not answer "${cmd}" within ${timeoutMs / 1000} s`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify({ cmd, args }, (_k, v: unknown) => (typeof v === 'bigint' ? '0x' + v.toString(16) : v)) + '\n'));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let r: CtlResponse;
      try {
        r = JSON.parse(buf.slice(0, nl)) as CtlResponse;
      } catch {
        return finish(new CtlError(`the sluice daemon at ${path} sent a reply that is not JSON`));
      }
      if (r.ok) finish(null, r.result);
      else finish(new CtlError(r.error));
    });
    sock.on('end', () => finish(new CtlError(`the sluice daemon at ${path} closed the connection without answering "${cmd}"`)));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
        finish(new CtlError(`no sluice daemon is running (no ${e.code === 'ENOENT' ? 'socket' : 'listener on'} ${path}); start one with \`sluice start\`${rundir === '/run/sluice' ? '' : ` --rundir ${rundir}`}`));
      } else if (e.code === 'EACCES') {
        finish(new CtlError(`permission denied on ${path}: run as root (or as the user that started the daemon)`));
      } else finish(new CtlError(`cannot reach the sluice daemon at ${path}: ${e.message}`));
    });
  });
}
