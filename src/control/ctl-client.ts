/**
 * The CLI side of the control socket (protocol in ctl-protocol.ts): `ctlRequest(rundir,
 * cmd, args)` sends one request and resolves with the daemon's result.
 *
 * Invariants: nothing rejects; every failure resolves to a SluiceError (ports/errors.ts)
 * whose message is one line for the operator: the daemon's own error text unchanged (code
 * 'refused'), or no daemon ("no sluice daemon is running (no socket
 * /run/sluice/sluice.ctl); start one with `sluice start`"), a refused or dropped
 * connection, a timeout (code 'unreachable'). A success resolves to `{ result }`.
 */
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SluiceError } from '../ports/errors.js';
import { CTL_SOCKET, type CtlResponse } from './ctl-protocol.js';

/** The daemon's result, or why there is none. */
export type CtlReply = { readonly result: unknown } | SluiceError;

export const ctlPath = (rundir: string): string => join(rundir, CTL_SOCKET);

export function ctlRequest(rundir: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<CtlReply> {
  const path = ctlPath(rundir);
  return new Promise((resolve) => {
    const sock = createConnection(path);
    let buf = '';
    let settled = false;
    const finish = (r: CtlReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish(new SluiceError('unreachable', `the sluice daemon at ${path} did not answer "${cmd}" within ${timeoutMs / 1000} s`)), timeoutMs);
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
        return finish(new SluiceError('unreachable', `the sluice daemon at ${path} sent a reply that is not JSON`));
      }
      if (r.ok) finish({ result: r.result });
      else finish(new SluiceError('refused', r.error));
    });
    sock.on('end', () => finish(new SluiceError('unreachable', `the sluice daemon at ${path} closed the connection without answering "${cmd}"`)));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
        finish(new SluiceError('unreachable', `no sluice daemon is running (no ${e.code === 'ENOENT' ? 'socket' : 'listener on'} ${path}); start one with \`sluice start\`${rundir === '/run/sluice' ? '' : ` --rundir ${rundir}`}`));
      } else if (e.code === 'EACCES') {
        finish(new SluiceError('unreachable', `permission denied on ${path}: run as root (or as the user that started the daemon)`));
      } else finish(new SluiceError('unreachable', `cannot reach the sluice daemon at ${path}: ${e.message}`));
    });
  });
}
