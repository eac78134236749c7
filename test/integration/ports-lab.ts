/**
 * Lab helpers for the port integration tests: namespaces, veths, async shell, and a
 * tiny forwarding loop (port 1 rx → port 2 tx and back, no pipeline).
 *
 * Everything created here is named with one random prefix (`slt` + 5 hex digits) and is
 * removed by `cleanup()` — namespaces (which takes their veth ends along) and any
 * root-namespace link with the prefix — so afterAll can tidy up even after a failure.
 * Commands run asynchronously: the forwarding loop lives on this process's event loop,
 * so a synchronous exec would stall it and the traffic with it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Port } from '../../src/ports/port.js';

const run = promisify(execFile);

export const isRoot = (): boolean => process.getuid?.() === 0;

export async function sh(cmd: string, timeoutMs = 20_000): Promise<string> {
  const { stdout } = await run('sh', ['-c', cmd], { timeout: timeoutMs, maxBuffer: 8 << 20 });
  return stdout;
}

export class Lab {
  private readonly namespaces: string[] = [];

  /** `prefix` (default `slt` + 5 random hex digits) starts every name; a script such as
   * bench/demo-overlay.ts passes its own (e.g. with its pid). */
  constructor(readonly prefix = 'slt' + randomBytes(3).toString('hex').slice(0, 5)) {}

  name(suffix: string): string {
    return this.prefix + suffix; // <= 15 bytes: 8 + suffix
  }

  async netns(suffix: string): Promise<string> {
    const ns = this.name(suffix);
    await sh(`ip netns add ${ns} && ip -n ${ns} link set lo up`);
    this.namespaces.push(ns);
    return ns;
  }

  /** veth pair: `inner` goes into ns with addr (CIDR), `outer` stays here, up, no IPv6 chatter. */
  async veth(ns: string, inner: string, outer: string, addr: string): Promise<void> {
    await sh(
      `ip link add ${outer} type veth peer name ${inner} netns ${ns} && ` +
        `sysctl -qw net.ipv6.conf.${outer}.disable_ipv6=1 && ip link set ${outer} up && ` +
        `ip -n ${ns} addr add ${addr} dev ${inner} && ip -n ${ns} link set ${inner} up`,
    );
  }

  /** A veth pair `a` ⇄ `b` here (names with the lab prefix), both up, no IPv6 chatter. */
  async pair(a: string, b: string): Promise<[string, string]> {
    const x = this.name(a);
    const y = this.name(b);
    await sh(
      `ip link add ${x} type veth peer name ${y} && sysctl -qw net.ipv6.conf.${x}.disable_ipv6=1 ` +
        `net.ipv6.conf.${y}.disable_ipv6=1 && ip link set ${x} up && ip link set ${y} up`,
    );
    return [x, y];
  }

  async cleanup(): Promise<void> {
    for (const ns of this.namespaces) await sh(`ip netns del ${ns}`).catch(() => undefined);
    const links = await sh(`ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1`).catch(() => '');
    for (const l of links.split('\n')) if (l.startsWith(this.prefix)) await sh(`ip link del ${l}`).catch(() => undefined);
  }
}

/** Forwards everything between two ports from their readable callbacks. */
export function forward(p1: Port, p2: Port): () => void {
  const drain = (from: Port, to: Port) => () => {
    for (let i = 0; i < 1024; i++) {
      const n = from.rxBurst();
      if (n <= 0) return;
      to.txBurst(from.burst);
    }
    setImmediate(drain(from, to)); // still busy: yield to the loop, then continue
  };
  p1.onReadable(drain(p1, p2));
  p2.onReadable(drain(p2, p1));
  return () => {
    p1.onReadable(null);
    p2.onReadable(null);
  };
}

export async function ping(ns: string, dst: string, count = 3, waitS = 2): Promise<{ ok: boolean; avgMs: number }> {
  try {
    const out = await sh(`ip netns exec ${ns} ping -c ${count} -i 0.2 -W ${waitS} ${dst}`);
    const m = /= [\d.]+\/([\d.]+)\//.exec(out);
    return { ok: true, avgMs: m ? Number(m[1]) : NaN };
  } catch {
    return { ok: false, avgMs: NaN };
  }
}

/** Starts tcpdump on `dev` in `ns`, writing `file` for at most `seconds` (and at most
 * `count` packets when given), filtered by `filter` ('' = everything); resolves once the
 * capture has had 0.8 s to start, to a function that waits for it to end. */
export async function startCapture(ns: string, dev: string, file: string, filter: string, seconds: number, count?: number): Promise<() => Promise<void>> {
  const cap = sh(
    `ip netns exec ${ns} timeout ${seconds} tcpdump -i ${dev} -w ${file} -U${count === undefined ? '' : ` -c ${count}`}` +
      `${filter === '' ? '' : ` '${filter}'`} 2>/dev/null; true`,
    (seconds + 6) * 1000,
  );
  await new Promise((r) => setTimeout(r, 800));
  return async () => void (await cap);
}

/** Captures (startCapture) around `during()`, and waits for the capture to end. */
export async function captureDuring(
  ns: string, dev: string, file: string, filter: string, seconds: number, during: () => Promise<unknown>, count?: number,
): Promise<void> {
  const done = await startCapture(ns, dev, file, filter, seconds, count);
  await during();
  await done();
}

/** iperf3 TCP from ns `client` to `serverAddr` in ns `server`; returns Gbit/s received. */
export async function iperf(client: string, server: string, serverAddr: string, seconds = 2): Promise<number> {
  // `timeout` inside the command: killing `sh` alone would leave iperf3 running.
  const limit = seconds + 10;
  const srv = sh(`ip netns exec ${server} timeout ${limit} iperf3 -s -1 -B ${serverAddr}`, (limit + 5) * 1000);
  srv.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  const out = await sh(`ip netns exec ${client} timeout ${limit} iperf3 -c ${serverAddr} -t ${seconds} -J`, (limit + 5) * 1000);
  await srv.catch(() => undefined);
  const j = JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } };
  return j.end.sum_received.bits_per_second / 1e9;
}
