// Traffic between two network namespaces through the real `sluice start`, its rules
// installed by `ovs-ofctl` speaking OpenFlow 1.0 (no -O) over ptcp, on a bridge started
// with `--protocols OpenFlow10`: secure mode forwards nothing until the 1.0 flows are in;
// then ping passes and the 1.0 dump-flows / dump-ports count it; after a 1.0 del-flows it
// stops again. The same listener refuses a 1.3-only ovs-ofctl (the protocols flag).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { needs } from '../tools.js';
import { killAll, Lab, quietNetns, startSluice } from '../integration/datapath-lab.js';
import { ping } from '../integration/ports-lab.js';
import { ovsOfctl } from './ofctl-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl', 'ovs-ofctl');
const run = promisify(execFile);

/** Pings until one passes or `ms` is over: after a failed ARP (the tests before), the
 * kernel reports the neighbour unreachable for a few seconds without asking again. */
async function pingsWithin(ns: string, dst: string, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) if ((await ping(ns, dst, 1)).ok) return true;
  return false;
}

need.describe('OpenFlow 1.0 flows from ovs-ofctl forward real traffic', () => {
  const lab = new Lab();
  const ns = { A: '', B: '' };
  const port = 20000 + Math.floor(Math.random() * 20000);
  const target = `tcp:127.0.0.1:${port}`;
  const ofctl = (verb: string, ...args: string[]) => ovsOfctl([], target, verb, ...args);

  beforeAll(async () => {
    ns.A = await quietNetns(lab, 'A');
    ns.B = await quietNetns(lab, 'B');
    await lab.veth(ns.A, 'eth0', lab.name('ao'), '10.86.0.1/24');
    await lab.veth(ns.B, 'eth0', lab.name('bo'), '10.86.0.2/24');
    await startSluice([
      '--bridge', lab.name('br'), '--fail-mode', 'secure', '--port', `${lab.name('ao')}@ofport=1`,
      '--port', `${lab.name('bo')}@ofport=2`, '--listen', `ptcp:${port}:127.0.0.1`, '--protocols', 'OpenFlow10',
    ]);
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  it('nothing passes before the 1.0 flows are installed', async () => {
    expect((await ping(ns.A, '10.86.0.2', 1)).ok).toBe(false);
  });

  it('in_port=1 → output:2 and back, added in 1.0: ping passes and the counters show it', { timeout: 30_000 }, async () => {
    expect(await ofctl('add-flow', 'priority=10,in_port=1,actions=output:2')).toBe('');
    expect(await ofctl('add-flow', 'priority=10,in_port=2,actions=output:1')).toBe('');
    expect(await pingsWithin(ns.A, '10.86.0.2')).toBe(true);
    expect((await ping(ns.A, '10.86.0.2', 3)).ok).toBe(true);
    const flows = await ofctl('dump-flows');
    for (const l of flows.split('\n').filter((x) => x.includes('in_port='))) {
      expect(Number(/n_packets=(\d+)/.exec(l)![1])).toBeGreaterThanOrEqual(3);
    }
    expect(await ofctl('dump-ports', '1')).toMatch(/port {2}1: rx pkts=[1-9]/);
  });

  it('a 1.0 rewrite (mod_nw_tos) on the way; the flow counts it', async () => {
    expect(await ofctl('add-flow', 'priority=20,icmp,in_port=1,nw_dst=10.86.0.2,actions=mod_nw_tos:32,output:2')).toBe('');
    expect((await ping(ns.A, '10.86.0.2', 2)).ok).toBe(true);
    expect(await ofctl('dump-flows', 'icmp')).toMatch(/n_packets=[2-9].*actions=mod_nw_tos:32,output:2/);
  });

  it('a 1.0 del-flows stops the traffic again', async () => {
    expect(await ofctl('del-flows')).toBe('');
    expect((await ping(ns.A, '10.86.0.2', 1)).ok).toBe(false);
  });

  it('--protocols OpenFlow10: a 1.3-only ovs-ofctl is refused on that listener', async () => {
    const r = await run('ovs-ofctl', ['-O', 'OpenFlow13', 'show', target], { timeout: 10_000 }).catch((e: { stderr?: string }) => ({ stdout: '', stderr: `FAILED ${e.stderr ?? ''}` }));
    expect(r.stderr).toMatch(/FAILED .*version negotiation failed/s);
  });
});
