// The same `ovs-ofctl` commands without -O (OpenFlow 1.0) against Sluice and against a
// private Open vSwitch (userspace datapath, started by ovs-netdev.sh's ovs_netdev_daemons in
// a namespace of the test run), and what they print compared line by line: dump-flows
// (without cookie, duration and OVS's idle_age, which its Nicira flow stats add),
// dump-aggregate, the refusals, mod-flows adding a missing rule, the actions line of show,
// a port's config after mod-port. Known differences are asserted as such: OVS reports
// n_tables:254 and QUEUE_STATS, Sluice n_tables:1 (a 1.0 controller sees table 0).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { Lab } from '../integration/ports-lab.js';
import { OfctlLab } from './ofctl-lab.js';

const need = needs('root', 'ip', 'sysctl', 'ovs-ofctl', 'ovs-vsctl', 'ovs-vswitchd', 'ovsdb-server', 'ovsdb-tool', 'ovs-appctl');
const run = promisify(execFile);
const OVS_NETDEV = new URL('./ovs-netdev.sh', import.meta.url).pathname;

const FLOWS = [
  'priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2',
  'tcp,nw_src=10.0.0.0/8,tp_dst=80,actions=mod_nw_tos:32,mod_tp_dst:8080,output:3',
  'arp,nw_dst=192.168.1.1,actions=mod_dl_src:02:00:00:00:00:09,enqueue:2:7',
  'priority=5,udp,dl_vlan=0xffff,actions=mod_vlan_vid:20,mod_vlan_pcp:3,output:1',
  'priority=7,icmp,icmp_type=8,dl_dst=02:00:00:00:00:01,actions=mod_nw_src:1.2.3.4,mod_dl_dst:02:00:00:00:00:02,controller:64',
  'priority=9,in_port=2,actions=drop',
];

/** dump-flows lines without what varies or is OVS's own (cookie, duration, idle_age), sorted. */
const flowLines = (out: string): string[] => out.split('\n').filter((l) => l.includes('table='))
  .map((l) => l.replace(/^\s*cookie=\S+ duration=\S+ /, '').replace(/ idle_age=\d+,/, '').trim()).sort();

need.describe('ovs-ofctl 1.0 prints the same for Sluice and for Open vSwitch', () => {
  const lab = new Lab();
  const sluice = new OfctlLab('br13', { failMode: 'secure', dpid: 0xd1n, ports: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ovs10-'));
  const ovsTarget = `unix:${dir}/run/br0.mgmt`;
  const bash = (script: string) => run('bash', ['-c', `. ${OVS_NETDEV}; ${script}`], { timeout: 60_000 });

  /** `ovs-ofctl VERB ARGS` (no -O) against both: [sluice, ovs]; a failure prints FAILED first. */
  async function both(verb: string, ...args: string[]): Promise<[string, string]> {
    const ovs = async (): Promise<string> => {
      try {
        const r = await run('ovs-ofctl', [verb, ovsTarget, ...args], { timeout: 10_000 });
        return r.stdout + r.stderr;
      } catch (e) {
        const x = e as { stdout?: string; stderr?: string };
        return `FAILED ${x.stdout ?? ''}${x.stderr ?? ''}`;
      }
    };
    return [await sluice.ofctl10(verb, ...args), await ovs()];
  }

  beforeAll(async () => {
    const ns = await lab.netns('ovs');
    await bash(
      `ovs_netdev_daemons ${ns} ${dir} && export OVS_RUNDIR=${dir}/run && ` +
        'ovs-vsctl --timeout=20 add-br br0 -- set bridge br0 datapath_type=netdev fail_mode=secure ' +
        '-- add-port br0 p1 -- set interface p1 type=internal ofport_request=1 ' +
        '-- add-port br0 p2 -- set interface p2 type=internal ofport_request=2 ' +
        '-- add-port br0 p3 -- set interface p3 type=internal ofport_request=3',
    );
    for (let i = 0; i < 50; i++) {
      if ((await run('ovs-ofctl', ['show', ovsTarget]).catch(() => null)) !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await sluice.start();
  }, 90_000);
  afterAll(async () => {
    sluice.stop();
    await bash(`ovs_netdev_stop ${dir}`).catch(() => undefined);
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add-flow in 1.0 syntax, then dump-flows: the same rules, printed the same', async () => {
    for (const f of FLOWS) expect(await both('add-flow', f)).toEqual(['', '']);
    const [s, o] = await both('dump-flows');
    expect(flowLines(s)).toHaveLength(FLOWS.length);
    expect(flowLines(s)).toEqual(flowLines(o));
    const [su, ou] = await both('dump-flows', 'udp');
    expect(flowLines(su)).toEqual(flowLines(ou));
  });

  it('dump-aggregate: the same counts (OVS answers with its Nicira form)', async () => {
    const [s, o] = await both('dump-aggregate');
    const body = (x: string) => x.replace(/^\w+ reply \(xid=0x\w+\): /, '').trim();
    expect(body(s)).toBe(`packet_count=0 byte_count=0 flow_count=${FLOWS.length}`);
    expect(body(s)).toBe(body(o));
  });

  it('a check_overlap flow that overlaps: both refuse it with OFPFMFC_OVERLAP', async () => {
    const [s, o] = await both('add-flow', 'check_overlap,priority=9,ip,actions=output:1');
    const first = (x: string) => x.split('\n')[0]!.replace(/xid=0x\w+/, 'xid');
    expect(first(s)).toBe('FAILED OFPT_ERROR (xid): OFPFMFC_OVERLAP');
    expect(first(s)).toBe(first(o));
  });

  it('mod-flows of a missing rule adds it (1.0 §4.6); del-flows with a filter removes the same', async () => {
    expect(await both('mod-flows', 'priority=4,in_port=3,actions=output:1')).toEqual(['', '']);
    expect(await both('del-flows', 'udp')).toEqual(['', '']);
    const [s, o] = await both('dump-flows');
    expect(flowLines(s)).toHaveLength(FLOWS.length);
    expect(flowLines(s)).toEqual(flowLines(o));
  });

  it('show: the same actions line; table count and queue stats differ by design', async () => {
    const [s, o] = await both('show');
    const line = (x: string, re: RegExp) => x.split('\n').find((l) => re.test(l));
    expect(line(s, /^actions:/)).toBe(line(o, /^actions:/));
    expect(line(s, /^n_tables/)).toBe('n_tables:1, n_buffers:256');
    expect(line(o, /^n_tables/)).toMatch(/^n_tables:254,/);
    expect(line(s, /^capabilities/)).toBe('capabilities: FLOW_STATS TABLE_STATS PORT_STATS ARP_MATCH_IP');
    expect(line(o, /^capabilities/)).toBe('capabilities: FLOW_STATS TABLE_STATS PORT_STATS QUEUE_STATS ARP_MATCH_IP');
  });

  it('mod-port no-flood: both report NO_FLOOD in the port config', async () => {
    expect(await both('mod-port', 'p2', 'no-flood')).toEqual(['', '']);
    const [s, o] = await both('show');
    const config = (x: string) => /\n 2\(p2\): addr:\S+\n\s+config:\s+([^\n]*)/.exec(x)?.[1];
    expect(config(s)).toBe('NO_FLOOD');
    expect(config(o)).toContain('NO_FLOOD'); // OVS's internal port is also PORT_DOWN (not up in its namespace)
  });

  it('dump-ports and queue-stats print the same shape', async () => {
    const [s, o] = await both('dump-ports', '1');
    const shape = (x: string) => x.replace(/xid=0x\w+/, 'xid').replace(/=\d+|=\?/g, '=N');
    expect(shape(s)).toBe(shape(o));
    const [sq, oq] = await both('queue-stats');
    expect(sq.replace(/xid=0x\w+/, '')).toBe(oq.replace(/xid=0x\w+/, ''));
  });
});
