/**
 * `npm run demo` (as root): two namespaces talk through Sluice.
 *
 *   ns <p>a [<p>a1 10.199.0.1] ── <p>a0 ┐                    ┌ <p>b0 ── [<p>b1 10.199.0.2] ns <p>b
 *                                       └ sluice start (standalone: NORMAL, a learning switch) ┘
 *
 * Steps: check the prerequisites (root, ip, ping, the native addon) and say what is missing
 * in one line; create the namespaces and veths; start the real CLI as a child process and
 * wait for its "bridge started" line; ping both ways; stop it with SIGTERM, which makes it
 * log the per-port counters; print them; remove everything.
 *
 * Invariants
 *  - Everything created is named with one run-specific prefix (`sd` + pid), and cleanup runs
 *    on every exit path: success, failure, and Ctrl-C / SIGTERM of the demo itself.
 *  - Exit 0 only when both pings succeeded and the daemon stopped cleanly.
 *  - The CLI runs from source through tsx (a dev dependency), so no build step can be stale.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../src/ports/native.js';
import { packageOf } from '../test/tools-file.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = `sd${process.pid}`;
const ns = { a: `${prefix}a`, b: `${prefix}b` };
const ip = { a: '10.199.0.1', b: '10.199.0.2' };
const bridge = `${prefix}br`;

const say = (s: string) => process.stdout.write(`demo: ${s}\n`);
const sh = async (cmd: string, timeoutMs = 20_000) => (await run('sh', ['-c', cmd], { timeout: timeoutMs })).stdout;

function die(line: string): never {
  process.stderr.write(`sluice demo: ${line}\n`);
  process.exit(1);
}

async function prerequisites(): Promise<void> {
  if (process.platform !== 'linux') die('needs Linux (network namespaces, veth, AF_PACKET)');
  if (process.getuid?.() !== 0) die('needs root to create namespaces and veths: run `sudo npm run demo`');
  const missing: string[] = [];
  for (const bin of ['ip', 'ping']) {
    await sh(`command -v ${bin}`).catch(() => missing.push(`${bin} (apt-get install ${packageOf(bin)})`));
  }
  if (missing.length) die(`missing ${missing.join(' and ')}`);
  if (!nativeAvailable()) die('the native addon is not built: run `npm install` (needs make, a C compiler and python3)');
}

let daemon: ChildProcess | null = null;
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
  for (const n of [ns.a, ns.b]) await sh(`ip netns del ${n}`).catch(() => undefined);
  for (const l of [`${prefix}a0`, `${prefix}b0`, bridge]) await sh(`ip link del ${l} 2>/dev/null`).catch(() => undefined);
}

async function topology(): Promise<void> {
  for (const side of ['a', 'b'] as const) {
    const n = ns[side];
    await sh(
      `ip netns add ${n} && ip -n ${n} link set lo up && ` +
        `ip link add ${prefix}${side}0 type veth peer name ${prefix}${side}1 netns ${n} && ` +
        `sysctl -qw net.ipv6.conf.${prefix}${side}0.disable_ipv6=1 && ip link set ${prefix}${side}0 up && ` +
        `ip -n ${n} addr add ${ip[side]}/24 dev ${prefix}${side}1 && ip -n ${n} link set ${prefix}${side}1 up`,
    );
  }
}

/** Starts `sluice start` and resolves when it logs "bridge started"; rejects if it exits first. */
function startSluice(lines: string[]): Promise<void> {
  // A private rundir: the demo must not collide with a daemon already running on /run/sluice.
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
  process.on('exit', () => rmSync(rundir, { recursive: true, force: true }));
  const args = ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'start', '--bridge', bridge, '--fail-mode', 'standalone', '--port', `${prefix}a0`, '--port', `${prefix}b0`, '--rundir', rundir];
  say(`starting: sluice ${args.slice(3).join(' ')}`);
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
  daemon = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sluice did not report "bridge started" within 30 s')), 30_000);
    let partial = '';
    child.stderr.on('data', (d: Buffer) => {
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const l of parts) {
        lines.push(l);
        process.stdout.write(`  sluice | ${l}\n`);
        if (l.includes('bridge started')) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`sluice exited (${sig ?? `code ${code}`}) before it was ready`));
    });
  });
}

async function ping(from: 'a' | 'b', to: 'a' | 'b'): Promise<boolean> {
  try {
    const out = await sh(`ip netns exec ${ns[from]} ping -c 3 -i 0.3 -W 2 ${ip[to]}`);
    say(`ping ${ns[from]} → ${ip[to]}: ${/\d+ received/.exec(out)?.[0] ?? 'ok'}, rtt ${/= ([\d./]+) ms/.exec(out)?.[1] ?? '?'} ms (min/avg/max/mdev)`);
    return true;
  } catch (e) {
    say(`ping ${ns[from]} → ${ip[to]}: FAILED ${(e as { stdout?: string }).stdout?.trim().split('\n').pop() ?? ''}`);
    return false;
  }
}

/** SIGTERM: the daemon logs the counters and stops; resolves with its exit code. */
function stopSluice(): Promise<number> {
  const child = daemon!;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code ?? 1);
    });
    child.kill('SIGTERM');
  });
}

async function main(): Promise<number> {
  await prerequisites();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      say(`${sig}: cleaning up`);
      void cleanup().then(() => process.exit(130));
    });
  }
  const lines: string[] = [];
  try {
    say(`creating namespaces ${ns.a}, ${ns.b} and veths (prefix ${prefix})`);
    await topology();
    await startSluice(lines);
    const ab = await ping('a', 'b');
    const ba = await ping('b', 'a');
    const code = await stopSluice();
    say('what crossed the switch:');
    for (const l of lines) if (/stats port /.test(l)) process.stdout.write(`  ${l.replace(/^.*stats port /, '')}\n`);
    const ok = ab && ba && code === 0;
    say(ok ? 'OK: both namespaces reached each other through Sluice' : `FAILED (pings ${ab ? 'ok' : 'failed'}/${ba ? 'ok' : 'failed'}, sluice exit ${code})`);
    return ok ? 0 : 1;
  } catch (e) {
    say(`FAILED: ${(e as Error).message}`);
    return 1;
  } finally {
    await cleanup();
    say('removed namespaces and veths');
  }
}

process.exitCode = await main();
