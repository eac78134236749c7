/**
 * Helpers for the controller interop tests: a free TCP port, a capture of one TCP port on
 * loopback (dumpcap), and tshark's verdict on it with the OpenFlow dissector.
 *
 * Invariants
 *  - `startCapture` resolves only once dumpcap reports it is capturing, so nothing the
 *    test sends afterwards is missed; `stopCapture` lets the last block arrive, then ends
 *    it with SIGINT (dumpcap closes the file); safe to call twice or after a failure.
 *  - Every child started here is tracked and killed by `stopAll()` (afterAll).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { sh } from './ports-lab.js';
import { collectLines } from './child-lines.js';

/** A TCP port that was free a moment ago on 127.0.0.1 (bind 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitListening(port: number, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const tryOnce = () => new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
  while (!(await tryOnce())) {
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const children = new Set<ChildProcess>();

/** A child process whose stdout+stderr lines are collected. */
export class Child {
  readonly lines: string[] = [];
  exitCode: number | null = null;
  readonly exited: Promise<number>;

  constructor(readonly proc: ChildProcess) {
    children.add(proc);
    collectLines(proc, this.lines);
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code, sig) => {
        children.delete(proc);
        resolve((this.exitCode = code ?? (sig ? 128 : 1)));
      }),
    );
  }

  static spawn(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Child {
    return new Child(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env }));
  }

  count(re: RegExp): number {
    return this.lines.filter((l) => re.test(l)).length;
  }

  async waitFor(re: RegExp, timeoutMs = 20_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (this.exitCode !== null || Date.now() > end) {
        throw new Error(`no line matching ${re} (exit ${this.exitCode}); output:\n${this.lines.slice(-40).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<number> {
    if (this.exitCode === null) this.proc.kill(sig);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

export async function stopAll(): Promise<void> {
  for (const p of [...children]) p.kill('SIGKILL');
}

/** dumpcap on lo, TCP port `port`, into `file`. */
export async function startCapture(port: number, file: string): Promise<Child> {
  const c = Child.spawn('dumpcap', ['-q', '-i', 'lo', '-f', `tcp port ${port}`, '-w', file]);
  await c.waitFor(/Capturing on/, 10_000);
  return c;
}

/** libpcap hands packets over in blocks (TPACKET_V3, up to ~1 s late) and dumpcap does not
 * drain the ring on SIGINT: wait out one block timeout first, or the tail of the capture is lost. */
const CAPTURE_SETTLE_MS = 1500;

export async function stopCapture(c: Child): Promise<void> {
  if (c.exitCode !== null) return;
  await new Promise((r) => setTimeout(r, CAPTURE_SETTLE_MS));
  await c.stop('SIGINT');
}

/** tshark's findings on `file` with tcp.port==port dissected as OpenFlow. */
export async function dissect(file: string, port: number): Promise<{ problems: string; count: (filter: string) => Promise<number> }> {
  // stdout only: tshark warns on stderr when run as root; a bad filter still fails (exit != 0)
  const tshark = (filter: string) => sh(`tshark -n -r ${file} -d tcp.port==${port},openflow -Y '${filter}'`, 20_000);
  const problems = (await tshark('_ws.malformed || _ws.expert.severity >= error')).trim();
  const count = async (filter: string) => (await tshark(filter)).split('\n').filter((l) => l.trim() !== '').length;
  return { problems, count };
}
