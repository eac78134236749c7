/**
 * Mininet (Debian's 2.3.0) with Sluice as its switch (src/mininet/sluice.py) under the
 * project's os-ken app (test/interop/osken-learning-app.py):
 *
 *   netns PREFIXmn:  osken-manager 127.0.0.1:6653 ── mn --switch sluice --topo tree,depth=2,fanout=2
 *                    (the Sluice daemon, s1..s3 and their veths, live here)
 *
 * Everything runs inside one network namespace this test creates (`ip netns exec`), so
 * Mininet's root-namespace side (the switches' interfaces, the daemon, the controller on
 * 127.0.0.1) is this namespace; the hosts get their own namespaces from mnexec as usual.
 *
 * Asserts: pingall 0 % dropped; TCLink's bandwidth limit holds (htb on the veths; this
 * kernel has no netem, so no delay=); dpctl
 * shows the app's flows; after `exit` nothing is left (links, rundir, processes). Then a
 * `mn` killed with SIGKILL leaves its daemon and interfaces, and plain `mn -c` removes them
 * all: no link but lo, no rundir, no process. `mn -c` runs with a private /tmp (it deletes
 * /tmp/*.log) and an empty OVS_RUNDIR (it deletes every OVS bridge it can reach).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { Child, stopAll, waitListening } from './openflow-capture.js';
import { Lab, sh } from './ports-lab.js';

// mn runs telnet (controller check), iperf, tc (ip's iproute2) and ping for its CLI commands
const need = needs('root', 'native', 'ip', 'sysctl', 'mn', 'mnexec', 'python3:mininet', 'mount', 'tc', 'ping', 'iperf', 'telnet', 'osken-manager', 'python3:os_ken', 'sh');
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SWITCH = join(REPO, 'src/mininet/sluice.py');
const APP = join(REPO, 'test/interop/osken-learning-app.py');

need.describe('Mininet with Sluice switches', () => {
  const lab = new Lab();
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-mn-test-'));
  const runroot = join(tmp, 'run');
  const noOvs = join(tmp, 'no-ovs');
  let ns = '';
  let osken: Child;
  const env = {
    ...process.env,
    SLUICE: `${process.execPath} --import tsx ${join(REPO, 'src/cli/main.ts')}`,
    SLUICE_MN_RUNROOT: runroot,
    SLUICE_MN_LOGDIR: tmp,
    OVS_RUNDIR: noOvs,
    PYTHONUNBUFFERED: '1',
  };
  const mnArgs = ['--custom', SWITCH, '--switch', 'sluice', '--controller', 'remote,ip=127.0.0.1,port=6653', '--topo', 'tree,depth=2,fanout=2'];

  /** mn in the namespace. With `script`: its CLI runs it (`source FILE`) and exits at the
   * end of stdin (a script typed on stdin line by line would lose characters to the hosts'
   * commands, which the CLI feeds from stdin); without: the CLI waits on an open stdin. */
  const mn = (args: string[], script?: string) => {
    const pre = join(tmp, 'script.mn');
    if (script !== undefined) writeFileSync(pre, script);
    const proc = spawn('ip', ['netns', 'exec', ns, 'mn', ...args], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
    if (script !== undefined) proc.stdin.end(`source ${pre}\n`);
    return new Child(proc);
  };
  /** `mn -c` as a user types it, /tmp private to it. */
  const mnClean = () => sh(`ip netns exec ${ns} sh -c 'mount -t tmpfs sluice-mn-c /tmp && exec mn -c' 2>&1`, 60_000);
  const links = async () => (await sh(`ip -n ${ns} -o link show`)).split('\n').filter((l) => l !== '').map((l) => l.split(': ')[1]!.split('@')[0]!);
  /** Processes whose command line names this test's runroot or a Mininet node. */
  const leftovers = () => {
    const out: string[] = [];
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        continue;
      }
      if (cmd.includes(runroot) || /mininet:/.test(cmd)) out.push(`${pid} ${cmd}`);
    }
    return out;
  };
  const rundirs = () => (existsSync(runroot) ? readdirSync(runroot) : []);

  beforeAll(async () => {
    ns = await lab.netns('mn');
    osken = Child.spawn('ip', ['netns', 'exec', ns, 'osken-manager', '--ofp-listen-host', '127.0.0.1', '--ofp-tcp-listen-port', '6653', APP], env);
    await sh(`ip netns exec ${ns} sh -c 'for i in $(seq 300); do (echo > /dev/tcp/127.0.0.1/6653) 2>/dev/null && exit 0; sleep 0.1; done; exit 1' || true`).catch(() => undefined);
    await osken.waitFor(/./, 30_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2000)); // os-ken listens a moment after its first line
  }, 60_000);

  afterAll(async () => {
    // whatever failed above: nothing of this test stays
    if (rundirs().length > 0 || leftovers().length > 0) await mnClean().catch(() => undefined);
    await osken?.stop().catch(() => undefined);
    await stopAll();
    await lab.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }, 90_000);

  it('pingall under os-ken: 0 % dropped; TCLink bandwidth on the path; dpctl shows the flows; nothing left at exit', async () => {
    const run = mn([...mnArgs, '--link', 'tc,bw=10', '--wait'], 'pingall\nh4 iperf -s &\nsh sleep 1\nh1 iperf -c h4 -t 3\ndpctl dump-flows\n');
    // (the CLI's own `iperf h1 h4` waits forever for iperf 2.1's server lines: a Mininet 2.3.0 limit)
    const code = await Promise.race([run.exited, new Promise<number>((r) => setTimeout(() => r(-1), 150_000))]);
    if (code === -1) await run.stop('SIGKILL');
    const out = run.lines.join('\n');
    expect(code, out).toBe(0);
    expect(out).toMatch(/\*\*\* Results: 0% dropped \(12\/12 received\)/);
    // h1 - s2 - s1 - s3 - h4, every link 10 Mbit/s: TCP through Sluice gets close to it, no more
    const iperf = /sec\s+[\d.]+ MBytes\s+([\d.]+) Mbits\/sec/.exec(out);
    expect(iperf, out).not.toBeNull();
    expect(Number(iperf![1]), out).toBeGreaterThan(5);
    expect(Number(iperf![1]), out).toBeLessThan(12);
    expect(out).toMatch(/priority=1,in_port=\d+,dl_src=.* actions=output:\d+/);
    expect(out).toMatch(/priority=0 actions=CONTROLLER:65535/);
    expect(osken.count(/SLUICE-FEATURES dpid=1$/), osken.lines.join('\n')).toBeGreaterThan(0);

    expect(await links()).toEqual(['lo']);
    expect(rundirs()).toEqual([]);
    expect(leftovers()).toEqual([]);
  }, 180_000);

  it('the Python API: Mininet(topo, switch=SluiceSwitch, controller=RemoteController), standalone switches too', async () => {
    const py = [
      'import sys',
      `sys.path.insert(0, ${JSON.stringify(join(REPO, 'src/mininet'))})`,
      'from functools import partial',
      'from mininet.net import Mininet',
      'from mininet.node import RemoteController',
      'from mininet.topolib import TreeTopo',
      'from sluice import SluiceSwitch',
      'for mode in ("secure", "standalone"):',
      '    net = Mininet(TreeTopo(depth=2, fanout=2), switch=partial(SluiceSwitch, failMode=mode, protocols="OpenFlow13"),',
      '                  controller=partial(RemoteController, ip="127.0.0.1", port=6653), waitConnected=True)',
      '    net.start()',
      '    print("LOSS %s %s" % (mode, net.pingAll()))',
      '    print("DPID %s" % net.switches[0].dpid)',
      '    net.stop()',
    ].join('\n');
    const run = Child.spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', py], env);
    const code = await Promise.race([run.exited, new Promise<number>((r) => setTimeout(() => r(-1), 120_000))]);
    if (code === -1) await run.stop('SIGKILL');
    const out = run.lines.join('\n');
    expect(code, out).toBe(0);
    expect(out).toMatch(/LOSS secure 0\.0\b/);
    expect(out).toMatch(/LOSS standalone 0\.0\b/);
    expect(out).toMatch(/DPID 0000000000000001/);
    expect(await links()).toEqual(['lo']);
    expect(rundirs()).toEqual([]);
    expect(leftovers()).toEqual([]);
  }, 150_000);

  it('mn -c removes what a killed mn left: daemon, rundir, interfaces, nodes', async () => {
    const run = mn(mnArgs);
    await run.waitFor(/\*\*\* Starting CLI:/, 90_000);
    const [dir] = rundirs();
    expect(dir).toMatch(/^mininet:/);
    const pid = Number(readFileSync(join(runroot, dir!, 'pid'), 'utf8'));
    // the daemon runs in the test's namespace, with its bridges' LOCAL TAPs and Mininet's veths
    expect(await sh(`readlink /proc/${pid}/ns/net`)).toBe(await sh(`ip netns exec ${ns} readlink /proc/self/ns/net`));
    expect(await links()).toEqual(expect.arrayContaining(['s1', 's2', 's3', 's1-eth1', 's2-eth3']));
    await run.stop('SIGKILL');
    expect(leftovers().length).toBeGreaterThan(0);

    const clean = await mnClean();
    expect(clean).toMatch(/Cleanup complete/);
    for (let i = 0; i < 50 && (rundirs().length > 0 || leftovers().length > 0); i++) await new Promise((r) => setTimeout(r, 100));
    expect(leftovers()).toEqual([]);
    expect(rundirs()).toEqual([]);
    expect(await links()).toEqual(['lo']);
  }, 180_000);
});
