/**
 * Lab helpers for the datapath integration tests, on top of ports-lab.ts (namespaces, veth,
 * ping, iperf): the real `sluice start` as a child process, and namespaces with IPv6 off.
 *
 * Invariants
 *  - The daemon runs from source (node --import tsx src/cli/main.ts), so the test exercises
 *    exactly the tree under test; its stderr lines are collected for assertions.
 *  - Every daemon started here is tracked and killed by `killAll()` (afterAll), even when a
 *    test failed half way; its LOCAL TAP is named with the lab prefix so Lab.cleanup finds it.
 *  - Namespaces made by `quietNetns` have IPv6 disabled, so no router solicitations or DAD
 *    frames are flooded: counters then count only the traffic a test sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectLines } from './child-lines.js';
import { fileURLToPath } from 'node:url';
import { ctlRequest } from '../../src/control/ctl-client.js';
import { Lab, sh } from './ports-lab.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

interface PortCounters {
  ofport: number;
  link: string;
  rx_packets: number;
  rx_bytes: number;
  tx_packets: number;
  tx_bytes: number;
  rx_dropped: number;
  tx_dropped: number;
  tx_errors: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Daemon {
  readonly lines: string[] = [];
  exitCode: number | null = null;
  private readonly exited: Promise<number>;

  constructor(readonly child: ChildProcess) {
    collectLines(child, this.lines);
    this.exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve((this.exitCode = code ?? (sig ? 128 : 1)))));
  }

  /** Waits for a line matching re; throws with the output so far if the daemon exits or time runs out. */
  async waitFor(re: RegExp, timeoutMs = 20_000, from = 0): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find((l) => re.test(l));
      if (hit) return hit;
      if (this.exitCode !== null || Date.now() > end) {
        throw new Error(`no line matching ${re} (exit ${this.exitCode}); output:\n${this.lines.join('\n')}`);
      }
      await sleep(25);
    }
  }

  /** Per-port counters by port name, via SIGUSR1 (the daemon logs one stats line per port). */
  async stats(): Promise<Map<string, PortCounters>> {
    const from = this.lines.length;
    this.child.kill('SIGUSR1');
    await this.waitFor(/stats flow-cache /, 5000, from);
    const out = new Map<string, PortCounters>();
    for (const l of this.lines.slice(from)) {
      const m = /stats port (\S+) (.*)$/.exec(l);
      if (!m) continue;
      const kv = Object.fromEntries(m[2]!.split(' ').map((p) => p.split('=') as [string, string]));
      const num = (k: string) => Number(kv[k]);
      out.set(m[1]!, {
        ofport: num('ofport'), link: kv.link ?? '', rx_packets: num('rx_packets'), rx_bytes: num('rx_bytes'),
        tx_packets: num('tx_packets'), tx_bytes: num('tx_bytes'), rx_dropped: num('rx_dropped'),
        tx_dropped: num('tx_dropped'), tx_errors: num('tx_errors'),
      });
    }
    return out;
  }

  /** SIGTERM and wait; returns the exit code. */
  async stop(timeoutMs = 10_000): Promise<number> {
    if (this.exitCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  wait(): Promise<number> {
    return this.exited;
  }
}

const running = new Set<Daemon>();

/** Spawns `sluice <args>` (no waiting). `start` without --rundir gets a fresh temp rundir:
 * the daemon's control socket RUNDIR/sluice.ctl admits one daemon per rundir, and tests
 * run side by side (and must never touch /run/sluice). With `netns`, it runs in that
 * network namespace. */
export function sluice(args: string[], netns?: string): Daemon {
  if (args[0] === 'start' && !args.includes('--rundir')) args = [...args, '--rundir', mkdtempSync(join(tmpdir(), 'sluice-rd-'))];
  const child = netns === undefined
    ? spawn(process.execPath, [...CLI, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    // inside a namespace: a "host" of an overlay test (ip execs node, so signals reach it)
    : spawn('ip', ['netns', 'exec', netns, process.execPath, ...CLI, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const d = new Daemon(child);
  running.add(d);
  void d.wait().then(() => running.delete(d));
  return d;
}

/** Spawns `sluice start <args>` and waits for "bridge started". */
export async function startSluice(args: string[]): Promise<Daemon> {
  const d = sluice(['start', ...args]);
  const line = await d.waitFor(/bridge started/, 30_000);
  // the LOCAL TAP (named after the bridge) lives in this namespace: stop its IPv6 chatter
  // being flooded to the ports
  const br = / (\S+): bridge started/.exec(line)?.[1];
  if (br) await sh(`sysctl -qw net.ipv6.conf.${br}.disable_ipv6=1`);
  return d;
}

export async function killAll(): Promise<void> {
  await Promise.all([...running].map((d) => d.stop(3000)));
}

/** A namespace with IPv6 off (no multicast chatter through the switch). */
export async function quietNetns(lab: Lab, suffix: string): Promise<string> {
  const ns = await lab.netns(suffix);
  await sh(`ip netns exec ${ns} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`);
  return ns;
}

/** MAC address of dev in ns. */
export async function macOf(ns: string, dev: string): Promise<string> {
  const out = await sh(`ip -n ${ns} -o link show ${dev}`);
  return /link\/ether ([0-9a-f:]{17})/.exec(out)![1]!;
}

export { Lab, sh };

/** A control-socket request's result (as the CLI verbs send them); a refusal or no daemon throws. */
export async function ctl(rundir: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<unknown> {
  const r = await ctlRequest(rundir, cmd, args, timeoutMs);
  if (r instanceof Error) throw r;
  return r.result;
}
