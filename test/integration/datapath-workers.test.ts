/**
 * `--workers 2` (issue #14 §3) the way a user runs it: the real daemon, AF_PACKET ports in
 * namespaces read by two datapath threads through PACKET_FANOUT, a TAP port as a
 * multi-queue device, rules from ovs-ofctl and from a controller over TCP. Required:
 *   - many flows spread over both workers (sluice show's per-worker frames), each frame
 *     forwarded once;
 *   - counters are the sums over workers: flow n_packets equals what was sent, exactly;
 *   - after ovs-ofctl's barrier, the next packet on any worker follows the new rule;
 *   - NORMAL: an address learned on one worker is known on the other (no flooding to a
 *     third port);
 *   - packet-ins reach the controller from every worker, packet-outs leave;
 *   - a port the workers cannot share is refused with one line.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { TestController } from '../unit/agent-helpers.js';
import { OFPP_CONTROLLER, OFP_NO_BUFFER, flowMod } from '../../src/pipeline/types.js';
import { Lab, killAll, quietNetns, sh, sluice, startSluice } from './datapath-lab.js';
import { ping } from './ports-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'ovs-ofctl', 'sysctl', 'python3', 'tcpdump', 'timeout');

const mac = async (ns: string, dev: string) => (await sh(`ip netns exec ${ns} cat /sys/class/net/${dev}/address`)).trim();

/** Sends `count` UDP datagrams from ns to dst:9, source ports sport0..sport0+flows-1 in
 * turn, in bursts of `burst` with a 10 ms pause (no ring overflows on 2 shared cores). */
const sendUdp = (ns: string, dst: string, count: number, flows: number, sport0 = 20000, burst = 50) => sh(
  `ip netns exec ${ns} python3 -c "
import socket, time
socks = []
for i in range(${flows}):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('', ${sport0} + i)); socks.append(s)
for i in range(${count}):
    socks[i % ${flows}].sendto(b'x' * 32, ('${dst}', 9))
    if i % ${burst} == ${burst - 1}: time.sleep(0.01)
"`, 60_000);

/** Counts UDP datagrams to port 9 in ns until `seconds` pass (a socket, so no ICMP unreachable
 * goes back). Resolves with the count. */
const countUdp = (ns: string, seconds: number) => sh(
  `ip netns exec ${ns} python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('', 9)); s.settimeout(0.2)
n = 0; end = time.time() + ${seconds}
while time.time() < end:
    try: s.recv(2048); n += 1
    except socket.timeout: pass
print(n)
"`, (seconds + 10) * 1000).then((o) => Number(o.trim()));

async function workerFrames(dir: string): Promise<number[]> {
  const show = sluice(['show', '--rundir', dir]);
  await show.wait();
  const out = show.lines.join('\n');
  const m = /datapath_workers: (\d+) \(rx frames ([\d /]+)\)/.exec(out);
  if (!m) throw new Error(`no datapath_workers line in:\n${out}`);
  return m[2]!.split(' / ').map(Number);
}

const nPackets = (flows: string, match: string): number => {
  const line = flows.split('\n').find((l) => l.includes(match));
  if (line === undefined) throw new Error(`no flow with ${match} in:\n${flows}`);
  return Number(/n_packets=(\d+)/.exec(line)![1]);
};

need.describe('two datapath workers, explicit rules', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workers-'));
  const br = lab.name('br');
  const tap = lab.name('tv');
  const mgmt = `unix:${dir}/${br}.mgmt`;
  const ofctl = (args: string) => sh(`ovs-ofctl -O OpenFlow13 ${args}`);
  let a = '';
  let b = '';
  let v = '';

  beforeAll(async () => {
    a = await quietNetns(lab, 'a');
    b = await quietNetns(lab, 'b');
    v = await quietNetns(lab, 'v');
    await lab.veth(a, 'eth0', lab.name('ao'), '10.83.0.1/24');
    await lab.veth(b, 'eth0', lab.name('bo'), '10.83.0.2/24');
    await startSluice(['--bridge', br, '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`,
      '--port', `tap:${tap}@ofport=3`, '--fail-mode', 'secure', '--workers', '2', '--rundir', dir]);
    await sh(`ip link set ${tap} netns ${v} && ip netns exec ${v} sysctl -qw net.ipv6.conf.${tap}.disable_ipv6=1 && ` +
      `ip -n ${v} addr add 10.83.0.3/24 dev ${tap} && ip -n ${v} link set ${tap} up`);
    // static neighbours: only what a test sends crosses the switch
    await sh(`ip -n ${a} neigh replace 10.83.0.2 lladdr ${await mac(b, 'eth0')} dev eth0 nud permanent`);
    await sh(`ip -n ${a} neigh replace 10.83.0.3 lladdr ${await mac(v, tap)} dev eth0 nud permanent`);
    await sh(`ip -n ${v} neigh replace 10.83.0.1 lladdr ${await mac(a, 'eth0')} dev ${tap} nud permanent`);
    await ofctl(`add-flow ${mgmt} 'priority=10,udp,in_port=1,actions=output:2'`);
    await ofctl(`add-flow ${mgmt} 'priority=10,icmp,in_port=1,actions=output:3'`);
    await ofctl(`add-flow ${mgmt} 'priority=10,in_port=3,actions=output:1'`);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  need.it('spreads flows over both workers and counts every frame once', async () => {
    const before = await workerFrames(dir);
    expect(before).toHaveLength(2);
    const got = countUdp(b, 8);
    await new Promise((r) => setTimeout(r, 500));
    await sendUdp(a, '10.83.0.2', 3000, 200);
    expect(await got).toBe(3000);
    const after = await workerFrames(dir);
    const moved = after.map((n, i) => n - before[i]!);
    // 200 flows hashed over two sockets: both get a share, together exactly what was sent
    expect(moved[0]).toBeGreaterThan(300);
    expect(moved[1]).toBeGreaterThan(300);
    expect(moved[0]! + moved[1]!).toBe(3000);
    const flows = await ofctl(`dump-flows ${mgmt}`);
    expect(nPackets(flows, 'udp,in_port=1')).toBe(3000);
    const ports = await ofctl(`dump-ports ${mgmt} 2`);
    expect(Number(/tx pkts=(\d+)/.exec(ports)![1])).toBe(3000);
  }, 60_000);

  need.it('reaches a TAP port (one queue per worker) both ways', async () => {
    const p = await ping(a, '10.83.0.3', 5);
    expect(p.ok).toBe(true);
    expect(nPackets(await ofctl(`dump-flows ${mgmt}`), 'icmp,in_port=1')).toBe(5);
  }, 30_000);

  need.it('after the barrier every worker follows the new rule', async () => {
    // ovs-ofctl add-flow waits for its barrier reply
    await ofctl(`add-flow ${mgmt} 'priority=200,udp,in_port=1,actions=drop'`);
    const got = countUdp(b, 6);
    await new Promise((r) => setTimeout(r, 300));
    await sendUdp(a, '10.83.0.2', 1000, 200, 20000);
    expect(await got).toBe(0);
    const flows = await ofctl(`dump-flows ${mgmt}`);
    expect(nPackets(flows, 'priority=200')).toBe(1000);
    expect(nPackets(flows, 'priority=10,udp,in_port=1')).toBe(3000);
  }, 60_000);

  need.it('commits an OpenFlow 1.4 bundle on every worker at once', async () => {
    await sh(`ovs-ofctl -O OpenFlow14 --bundle add-flow ${mgmt} 'priority=300,udp,in_port=1,actions=output:2'`);
    const got = countUdp(b, 6);
    await new Promise((r) => setTimeout(r, 300));
    await sendUdp(a, '10.83.0.2', 1000, 200, 21000);
    expect(await got).toBe(1000);
    expect(nPackets(await ofctl(`dump-flows ${mgmt}`), 'priority=300')).toBe(1000);
  }, 60_000);
});

need.describe('two datapath workers, NORMAL and a controller', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workers-n-'));
  const br = lab.name('br');
  let a = '';
  let b = '';
  let c = '';

  beforeAll(async () => {
    a = await quietNetns(lab, 'a');
    b = await quietNetns(lab, 'b');
    c = await quietNetns(lab, 'c');
    await lab.veth(a, 'eth0', lab.name('ao'), '10.84.0.1/24');
    await lab.veth(b, 'eth0', lab.name('bo'), '10.84.0.2/24');
    await lab.veth(c, 'eth0', lab.name('co'), '10.84.0.3/24');
    await startSluice(['--bridge', br, '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`,
      '--port', `${lab.name('co')}@ofport=3`, '--fail-mode', 'standalone', '--workers', '2', '--rundir', dir]);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  need.it('shares learned addresses: flows on either worker go to the learned port only', async () => {
    // b sends one frame (static neighbours: no ARP), so one worker learns b; then a's 200
    // flows to b spread over both workers
    await sh(`ip -n ${a} neigh replace 10.84.0.2 lladdr ${await mac(b, 'eth0')} dev eth0 nud permanent`);
    await sh(`ip -n ${b} neigh replace 10.84.0.1 lladdr ${await mac(a, 'eth0')} dev eth0 nud permanent`);
    await sendUdp(b, '10.84.0.1', 1, 1, 40000);
    await new Promise((r) => setTimeout(r, 300));
    const cap = sh(`ip netns exec ${c} timeout 8 tcpdump -l -n -i eth0 'udp and dst host 10.84.0.2' 2>/dev/null | grep -c UDP; true`, 30_000);
    const got = countUdp(b, 6);
    const before = await workerFrames(dir);
    await new Promise((r) => setTimeout(r, 800));
    await sendUdp(a, '10.84.0.2', 2000, 200);
    expect(await got).toBe(2000);
    const moved = (await workerFrames(dir)).map((n, i) => n - before[i]!);
    expect(Math.min(...moved)).toBeGreaterThan(200); // both workers forwarded a's flows
    expect(Number((await cap).trim())).toBe(0); // and none was flooded to c
  }, 60_000);

  need.it('passes packet-ins from every worker to a controller, and packet-outs out', async () => {
    let ctl: TestController | undefined;
    const server: Server = createServer((sock: Socket) => { ctl = new TestController(sock, { answerEchoes: true }); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const set = sluice(['set-controller', br, `tcp:127.0.0.1:${port}`, '--rundir', dir]);
      expect(await set.wait()).toBe(0);
      const deadline = Date.now() + 10_000;
      while (ctl === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await ctl!.handshake();
      // everything to the controller (the controller's flow-mod and barrier)
      ctl!.send({ type: 'flow_mod', xid: ctl!.nextXid(), ...flowMod({ priority: 1000, match: [], instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: 0xffff }] }] }) });
      await ctl!.barrier();
      ctl!.drain();
      await sendUdp(a, '10.84.0.2', 200, 100, 30000, 2); // 200/s: under each worker's share of the packet-in limit
      await ctl!.until(() => ctl!.received.filter((r) => r.msg?.type === 'packet_in').length >= 200, 10_000);
      const pins = ctl!.drain().filter((r) => r.msg?.type === 'packet_in');
      expect(pins.length).toBe(200);
      // a packet-out of one of them reaches c
      const pi = pins[0]!.msg as Extract<NonNullable<typeof pins[0]['msg']>, { type: 'packet_in' }>;
      const cap = sh(`ip netns exec ${c} timeout 5 tcpdump -l -n -c 1 -i eth0 'udp and dst host 10.84.0.2' 2>/dev/null | grep -c UDP; true`, 20_000);
      await new Promise((r) => setTimeout(r, 1000));
      ctl!.send({ type: 'packet_out', xid: ctl!.nextXid(), bufferId: OFP_NO_BUFFER, inPort: OFPP_CONTROLLER, actions: [{ type: 'output', port: 3, maxLen: 0 }], data: pi.data });
      expect(Number((await cap).trim())).toBe(1);
    } finally {
      ctl?.sock.destroy();
      server.close();
    }
  }, 60_000);
});

need.describe('--workers and ports the workers cannot share', () => {
  need.it('refuses a tunnel port with one line naming it', async () => {
    const lab = new Lab();
    const d = sluice(['start', '--bridge', lab.name('br'), '--port', 'vxlan:vx0,remote_ip=192.0.2.2,local_ip=127.0.0.1,key=5', '--workers', '2']);
    expect(await d.wait()).not.toBe(0);
    const errs = d.lines.filter((l) => /error|vx0/.test(l));
    expect(errs.some((l) => /port vx0 is a vxlan port: datapath workers \(--workers 2\).*use --workers 1/.test(l))).toBe(true);
  }, 30_000);
});
