/**
 * Counters agree for the same traffic (issue #13 §0): 100 ICMP echoes of 94-byte frames
 * from a namespace on an AF_PACKET port to a namespace on a TAP port (a virtio-net header
 * on every frame) and back, through two explicit flows. Read with ovs-ofctl as a
 * controller reads them: each port's rx/tx bytes and packets, each flow's n_bytes and
 * n_packets, and the table's lookups, must equal what was sent — no header counted
 * (the TAP's 10-byte virtio_net_hdr once went into tx_bytes). Also: a port's `duration`
 * counts from when the port was added, not from the first port-stats request.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { Lab, killAll, quietNetns, sh, startSluice } from './datapath-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'ovs-ofctl', 'sysctl');

const mac = async (ns: string, dev: string) => (await sh(`ip netns exec ${ns} cat /sys/class/net/${dev}/address`)).trim();

need.describe('port, flow and table counters for the same traffic', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-counters-'));
  const br = lab.name('br');
  const tap = lab.name('tv');
  const mgmt = `unix:${dir}/${br}.mgmt`;
  const ofctl = (args: string) => sh(`ovs-ofctl -O OpenFlow13 ${args}`);
  let a = '';
  let v = '';
  let addedAt = 0;

  beforeAll(async () => {
    a = await quietNetns(lab, 'a');
    v = await quietNetns(lab, 'v');
    await lab.veth(a, 'eth0', lab.name('ao'), '10.81.0.1/24');
    addedAt = Date.now();
    await startSluice(['--bridge', br, '--port', `${lab.name('ao')}@ofport=1`, '--port', `tap:${tap}@ofport=2`,
      '--fail-mode', 'secure', '--rundir', dir]);
    await sh(`ip link set ${tap} netns ${v} && ip netns exec ${v} sysctl -qw net.ipv6.conf.${tap}.disable_ipv6=1 && ` +
      `ip -n ${v} addr add 10.81.0.2/24 dev ${tap} && ip -n ${v} link set ${tap} up`);
    // static neighbours: no ARP, only the echoes cross
    await sh(`ip -n ${a} neigh replace 10.81.0.2 lladdr ${await mac(v, tap)} dev eth0 nud permanent`);
    await sh(`ip -n ${v} neigh replace 10.81.0.1 lladdr ${await mac(a, 'eth0')} dev ${tap} nud permanent`);
    await ofctl(`add-flow ${mgmt} 'in_port=1,actions=output:2'`);
    await ofctl(`add-flow ${mgmt} 'in_port=2,actions=output:1'`);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function read() {
    const ports = await ofctl(`dump-ports ${mgmt}`);
    const port = (n: number) => {
      const block = ports.split(/\n(?=\s*port\s)/).find((b) => new RegExp(`port\\s+"?${n}"?:`).test(b)) ?? '';
      const num = (re: RegExp) => Number(re.exec(block)?.[1] ?? NaN);
      return {
        rxPkts: num(/rx pkts=(\d+)/), rxBytes: num(/rx pkts=\d+, bytes=(\d+)/),
        txPkts: num(/tx pkts=(\d+)/), txBytes: num(/tx pkts=\d+, bytes=(\d+)/),
        duration: Number(/duration=([\d.]+)s/.exec(block)?.[1] ?? NaN),
      };
    };
    const flows = await ofctl(`dump-flows ${mgmt}`);
    const flow = (inPort: number) => {
      const line = flows.split('\n').find((l) => l.includes(`in_port=${inPort} `) || l.includes(`in_port=${inPort},`)) ?? '';
      return { pkts: Number(/n_packets=(\d+)/.exec(line)?.[1]), bytes: Number(/n_bytes=(\d+)/.exec(line)?.[1]) };
    };
    const tables = await ofctl(`dump-tables ${mgmt}`);
    const t0 = /table 0[^\n]*\n[^\n]*lookup=(\d+), matched=(\d+)/.exec(tables) ?? /0: active=\d+, lookup=(\d+), matched=(\d+)/.exec(tables);
    return { p1: port(1), p2: port(2), f1: flow(1), f2: flow(2), lookup: Number(t0?.[1]), matched: Number(t0?.[2]) };
  }

  need.it('a port\'s duration counts from when it was added', async () => {
    await new Promise((r) => setTimeout(r, 2200));
    const first = await read(); // the first port-stats request of this bridge
    const since = (Date.now() - addedAt) / 1000;
    expect(first.p1.duration).toBeGreaterThan(2);
    expect(first.p1.duration).toBeLessThanOrEqual(since + 0.5);
    expect(first.p2.duration).toBeGreaterThan(2);
  });

  need.it('100 echoes of 94-byte frames each way: every counter says 100 and 9,400', async () => {
    const before = await read();
    await sh(`ip netns exec ${a} ping -c 100 -i 0.01 -s 52 -q 10.81.0.2`, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const after = await read();
    const d = (f: (x: typeof before) => number) => f(after) - f(before);
    // a → v: in on port 1, out on port 2, by flow in_port=1
    expect([d((x) => x.p1.rxPkts), d((x) => x.p2.txPkts), d((x) => x.f1.pkts)]).toEqual([100, 100, 100]);
    expect([d((x) => x.p1.rxBytes), d((x) => x.p2.txBytes), d((x) => x.f1.bytes)]).toEqual([9400, 9400, 9400]);
    // v → a: the echo replies
    expect([d((x) => x.p2.rxPkts), d((x) => x.p1.txPkts), d((x) => x.f2.pkts)]).toEqual([100, 100, 100]);
    expect([d((x) => x.p2.rxBytes), d((x) => x.p1.txBytes), d((x) => x.f2.bytes)]).toEqual([9400, 9400, 9400]);
    // table 0 looked up each of the 200 packets and matched each
    expect([d((x) => x.lookup), d((x) => x.matched)]).toEqual([200, 200]);
  }, 60_000);
});
