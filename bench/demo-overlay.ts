/**
 * `npm run demo:overlay` (as root): two hosts, each running Sluice, carry two tenants over
 * one VXLAN underlay; each tenant reaches its own peer and nothing of the other tenant.
 *
 *   host <p>h1 (172.31.71.1)                                  host <p>h2 (172.31.71.2)
 *   sluice: bridge <p>A [tap <p>ta1, vxlan key 100] ═══ underlay veth ═══ bridge <p>A [tap <p>ta2, vxlan key 100]
 *           bridge <p>B [tap <p>tb1, vxlan key 200]                       bridge <p>B [tap <p>tb2, vxlan key 200]
 *     VM <p>a1: <p>ta1 10.60.0.1                                VM <p>a2: <p>ta2 10.60.0.2
 *     VM <p>b1: <p>tb1 10.60.0.11                               VM <p>b2: <p>tb2 10.60.0.12
 *
 * The "VMs" are namespaces on TAP ports that Sluice creates (`tap:NAME`): once the daemon is
 * up, each TAP is moved into its VM namespace and addressed there (MTU 1450: VXLAN adds 50
 * bytes on a 1500 underlay), as a hypervisor would hand a TAP to a VM. Both tenants share
 * one subnet, so "cannot reach" is a real check: tenant A's ARP for a tenant-B address
 * would be answered if a frame leaked; the demo asserts the ping fails AND a capture on
 * the tenant-B VMs holds no frame from tenant A (while it does hold tenant B's own).
 *
 * Steps: check prerequisites (one line for what is missing); build the hosts and the
 * underlay; start one Sluice daemon per host with a config of two bridges (one per tenant);
 * move the TAPs into the VMs; ping within each tenant; try across tenants with a capture
 * running; stop the daemons (SIGTERM: they log their counters) and print the tunnel ports'.
 *
 * Invariants
 *  - Everything created is named with one run-specific prefix (`so` + pid) and is removed
 *    on every exit path: success, failure, and Ctrl-C / SIGTERM of the demo itself.
 *  - Exit 0 only when every ping within a tenant succeeded, every ping across tenants
 *    failed with nothing captured, and both daemons stopped cleanly.
 *  - The topology helpers are the overlay tests' (test/integration/overlay-lab.ts; no test
 *    framework there), so the demo shows what the tests assert.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeAvailable } from '../src/ports/native.js';
import { packageOf } from '../test/tools-file.js';
import { Lab, killAll, macOf, sh, sluice, type Daemon } from '../test/integration/datapath-lab.js';
import { twoHosts, vmOnTap } from '../test/integration/overlay-lab.js';

const prefix = `so${process.pid}`;
const lab = new Lab(prefix);
const say = (s: string) => process.stdout.write(`demo: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const work = mkdtempSync(join(tmpdir(), 'sluice-demo-overlay-'));

/** Tenant → VNI and per-host VM address. */
const TENANTS = {
  A: { vni: 100, addr: ['10.60.0.1', '10.60.0.2'] },
  B: { vni: 200, addr: ['10.60.0.11', '10.60.0.12'] },
} as const;
type Tenant = keyof typeof TENANTS;
const tap = (t: Tenant, host: 1 | 2) => lab.name(`t${t.toLowerCase()}${host}`);
const vmName = (t: Tenant, host: 1 | 2) => lab.name(`${t.toLowerCase()}${host}`);

function die(line: string): never {
  process.stderr.write(`sluice demo:overlay: ${line}\n`);
  process.exit(1);
}

async function prerequisites(): Promise<void> {
  if (process.platform !== 'linux') die('needs Linux (network namespaces, veth, TAP)');
  if (process.getuid?.() !== 0) die('needs root to create namespaces and TAPs: run `sudo npm run demo:overlay`');
  const missing: string[] = [];
  for (const bin of ['ip', 'ping', 'sysctl', 'ethtool', 'tcpdump']) {
    await sh(`command -v ${bin}`).catch(() => missing.push(`${bin} (apt-get install ${packageOf(bin)})`));
  }
  if (missing.length) die(`missing ${missing.join(', ')}`);
  if (!nativeAvailable()) die('the native addon is not built: run `npm install` (needs make, a C compiler and python3)');
}

let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await killAll();
  await lab.cleanup();
  rmSync(work, { recursive: true, force: true });
}

/** Prints the daemon's lines from `from` on, indented under its host; returns the new end. */
function echo(d: Daemon, host: string, from: number, only?: RegExp): number {
  for (const l of d.lines.slice(from)) if (!only || only.test(l)) process.stdout.write(`  ${host} sluice | ${l}\n`);
  return d.lines.length;
}

/** One daemon in `host`: a bridge per tenant, each with the tenant's TAP and VXLAN port. */
async function startHost(n: 1 | 2, host: string, local: string, remote: string): Promise<Daemon> {
  const bridges = (Object.keys(TENANTS) as Tenant[]).map((t) => ({
    name: lab.name(t),
    failMode: 'standalone',
    ports: [`tap:${tap(t, n)}`, `vxlan:vx${t.toLowerCase()},remote_ip=${remote},local_ip=${local},key=${TENANTS[t].vni}`],
  }));
  const config = join(work, `h${n}.json`);
  writeFileSync(config, JSON.stringify({ bridges }, null, 2) + '\n');
  say(`host ${host}: sluice start --config ${config}, with`);
  for (const b of bridges) say(`    bridge ${b.name}: ${b.ports.join('  ')}`);
  const d = sluice(['start', '--config', config, '--rundir', mkdtempSync(join(work, 'run-'))], host);
  for (const b of bridges) await d.waitFor(new RegExp(`${b.name}: bridge started`), 30_000);
  echo(d, host, 0);
  for (const b of bridges) await sh(`ip netns exec ${host} sysctl -qw net.ipv6.conf.${b.name}.disable_ipv6=1`);
  return d;
}

/** Moves the TAP Sluice made in `host` into the VM namespace and addresses it there. */
async function attachVm(t: Tenant, n: 1 | 2, host: string): Promise<string> {
  const dev = tap(t, n);
  const addr = TENANTS[t].addr[n - 1]!;
  const vm = await vmOnTap(lab, host, t.toLowerCase() + n, dev, `${addr}/24`, 1450);
  say(`VM ${vm}: TAP ${dev} moved in from ${host}, ${addr}/24, MTU 1450 (tenant ${t}, VNI ${TENANTS[t].vni})`);
  return vm;
}

async function ping(vm: string, dst: string, count = 3): Promise<boolean> {
  try {
    const out = await sh(`ip netns exec ${vm} ping -c ${count} -i 0.3 -W 1 ${dst}`);
    say(`ping ${vm} → ${dst}: ${/\d+ received/.exec(out)?.[0] ?? 'ok'}, rtt ${/= ([\d./]+) ms/.exec(out)?.[1] ?? '?'} ms (min/avg/max/mdev)`);
    return true;
  } catch (e) {
    say(`ping ${vm} → ${dst}: no reply (${(e as { stdout?: string }).stdout?.match(/\d+ packets transmitted, \d+ received/)?.[0] ?? 'failed'})`);
    return false;
  }
}

/** Tenant A pings both tenant-B addresses while tcpdump listens on the tenant-B VMs and
 * tenant B talks to itself (so an empty capture means "nothing of A", not "no capture").
 * True when A got no reply and the captures hold B's frames and none of A's. */
async function isolation(): Promise<boolean> {
  const [a1, b1, b2] = [vmName('A', 1), vmName('B', 1), vmName('B', 2)];
  const macA = await macOf(a1, tap('A', 1));
  const caps = [[b1, tap('B', 1)], [b2, tap('B', 2)]].map(([vm, dev]) => ({ vm: vm!, file: join(work, `${vm}.pcap`), dev: dev! }));
  say(`capturing on ${caps.map((c) => `${c.vm}:${c.dev}`).join(' and ')}; tenant A (${a1}, MAC ${macA}) tries tenant B's addresses`);
  const running = caps.map((c) => sh(`ip netns exec ${c.vm} timeout 7 tcpdump -i ${c.dev} -w ${c.file} -U 2>/dev/null; true`, 15_000));
  await sleep(800);
  const [toB1, toB2, bOwn] = await Promise.all([
    ping(a1, TENANTS.B.addr[0]),
    ping(a1, TENANTS.B.addr[1]),
    sleep(200).then(() => ping(b1, TENANTS.B.addr[1], 2)),
  ]);
  await Promise.all(running);
  let ok = !toB1 && !toB2 && bOwn;
  for (const c of caps) {
    const frames = (await sh(`tcpdump -e -nn -r ${c.file} 2>/dev/null`)).split('\n').filter(Boolean);
    const fromA = frames.filter((l) => l.includes(macA)).length;
    say(`capture on ${c.vm}: ${frames.length} frames, ${fromA} of them from tenant A`);
    if (fromA !== 0 || frames.length === 0) ok = false;
  }
  return ok;
}

async function main(): Promise<number> {
  await prerequisites();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      say(`${sig}: cleaning up`);
      void cleanup().then(() => process.exit(130));
    });
  }
  try {
    say(`creating hosts ${lab.name('h1')} and ${lab.name('h2')} joined by an underlay veth (prefix ${prefix})`);
    const h = await twoHosts(lab, 71);
    const d1 = await startHost(1, h.h1, h.u1, h.u2);
    const d2 = await startHost(2, h.h2, h.u2, h.u1);
    for (const t of ['A', 'B'] as const) {
      await attachVm(t, 1, h.h1);
      await attachVm(t, 2, h.h2);
    }
    say('each tenant reaches its own peer across the overlay:');
    const own = [
      await ping(vmName('A', 1), TENANTS.A.addr[1]),
      await ping(vmName('A', 2), TENANTS.A.addr[0]),
      await ping(vmName('B', 1), TENANTS.B.addr[1]),
      await ping(vmName('B', 2), TENANTS.B.addr[0]),
    ].every(Boolean);
    say('tenant A cannot reach tenant B (same subnet, other VNI):');
    const isolated = await isolation();
    say('stopping the daemons; their tunnel and TAP ports counted:');
    const from = [d1.lines.length, d2.lines.length];
    const codes = [await d1.stop(), await d2.stop()];
    echo(d1, h.h1, from[0]!, /stats (port|tunnel) /);
    echo(d2, h.h2, from[1]!, /stats (port|tunnel) /);
    const ok = own && isolated && codes.every((c) => c === 0);
    say(ok
      ? 'OK: each tenant reached its peer over VXLAN, and tenant A reached nothing of tenant B'
      : `FAILED (own-tenant pings ${own ? 'ok' : 'failed'}, isolation ${isolated ? 'held' : 'BROKEN'}, sluice exits ${codes.join('/')})`);
    return ok ? 0 : 1;
  } catch (e) {
    say(`FAILED: ${(e as Error).message}`);
    return 1;
  } finally {
    await cleanup();
    say('removed namespaces, TAPs and daemons');
  }
}

process.exitCode = await main();
