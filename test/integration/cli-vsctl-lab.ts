/**
 * Helpers for the vsctl / patch integration tests: names with the "sa" prefix (this
 * engineer's share of the machine's namespaces and links), one CLI verb run to completion,
 * and a do-nothing OpenFlow controller that only says HELLO (enough for is_connected).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CLI, Lab } from './datapath-lab.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A Lab whose names (namespaces, links, bridges) start with "sa" + 5 hex digits. */
export class SaLab extends Lab {
  override readonly prefix = 'sa' + randomBytes(3).toString('hex').slice(0, 5);
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sluice ARGS --rundir RUNDIR` to completion. */
export function vsctl(rundir: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, ...args, '--rundir', rundir], { cwd: root, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP listener that answers every connection with an OF1.3 HELLO and ignores the rest. */
export async function helloController(): Promise<{ port: number; close(): void }> {
  const HELLO = Buffer.from([0x04, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01]);
  const server: Server = createServer((s) => {
    s.on('error', () => {});
    s.write(HELLO);
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { port, close: () => server.close() };
}
