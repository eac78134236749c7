// Real traffic between two network namespaces through the real `sluice start` on a bridge
// started with `--protocols OpenFlow15`, its rules installed by `ovs-ofctl -O OpenFlow15`:
//  - tcp_flags=+syn+ack matches the SYN-ACK of a TCP handshake and nothing else (its rule
//    counts exactly one packet per connection; the other segments take a lower rule);
//  - actset_output: a table-0 rule writes output:2 into the action set, and table 1 lets
//    the packet go only when actset_output=2 (its miss clears the set): ping passes;
//    with the set's output changed to IN_PORT, it stops;
//  - `sluice trace` shows the packet's tcp_flags and the actset_output each table sees;
//  - a 1.4-only ovs-ofctl is refused on a listener that offers only 1.5.
// Namespaces carry the test run's prefix and are removed in afterAll, on failure too.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { killAll, Lab, quietNetns, sh, sluice, startSluice } from '../integration/datapath-lab.js';
import { ping } from '../integration/ports-lab.js';
import { ovsOfctl } from './ofctl-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl', 'ovs-ofctl', 'python3');

async function pingsWithin(ns: string, dst: string, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) if ((await ping(ns, dst, 1)).ok) return true;
  return false;
}

/** dump-flows lines without cookie, duration and idle_age (OXS idle_time: they vary), sorted. */
const flowLines = (out: string): string[] =>
  out.split('\n').filter((l) => l.includes('table=')).map((l) => l.replace(/^\s*cookie=\S+ duration=\S+ /, '').replace(/ idle_age=\d+,/, '').trim()).sort();

need.describe('OpenFlow 1.5 matches from ovs-ofctl on real traffic: tcp_flags and actset_output', () => {
  const lab = new Lab();
  const ns = { A: '', B: '' };
  const port = 20000 + Math.floor(Math.random() * 20000);
  const target = `tcp:127.0.0.1:${port}`;
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-of15rd-'));
  const ofctl = (flags: string[], verb: string, ...args: string[]) => ovsOfctl(flags, target, verb, ...args);
  const of15 = (verb: string, ...args: string[]) => ofctl(['-O', 'OpenFlow15'], verb, ...args);

  /** One TCP connection from A to B's port 8080 (a listener in B accepts it and closes). */
  async function tcpConnect(): Promise<void> {
    const server = sh(`ip netns exec ${ns.B} timeout 10 python3 -c "import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('10.88.0.2', 8080)); s.listen(1)
print('ready', flush=True); c, _ = s.accept(); c.recv(16); c.close()"`, 15_000);
    await new Promise((r) => setTimeout(r, 500)); // the listener binds
    await sh(`ip netns exec ${ns.A} timeout 10 python3 -c "import socket
s = socket.create_connection(('10.88.0.2', 8080), timeout=5); s.sendall(b'x'); s.recv(16); s.close()"`, 15_000);
    await server;
  }

  beforeAll(async () => {
    ns.A = await quietNetns(lab, 'A');
    ns.B = await quietNetns(lab, 'B');
    await lab.veth(ns.A, 'eth0', lab.name('ao'), '10.88.0.1/24');
    await lab.veth(ns.B, 'eth0', lab.name('bo'), '10.88.0.2/24');
    await startSluice([
      '--bridge', lab.name('br'), '--fail-mode', 'secure', '--port', `${lab.name('ao')}@ofport=1`,
      '--port', `${lab.name('bo')}@ofport=2`, '--listen', `ptcp:${port}:127.0.0.1`, '--protocols', 'OpenFlow15',
      '--rundir', rundir,
    ]);
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(rundir, { recursive: true, force: true });
  });

  it('tcp_flags=+syn+ack counts exactly the SYN-ACK of each connection', { timeout: 60_000 }, async () => {
    for (const f of [
      'priority=10,arp,actions=flood', 'priority=10,in_port=1,ip,actions=output:2', 'priority=10,in_port=2,ip,actions=output:1',
      'priority=20,in_port=2,tcp,tcp_flags=+syn+ack,actions=output:1', 'priority=20,in_port=1,tcp,tcp_flags=+syn-ack,actions=output:2',
    ]) expect(await of15('add-flow', f)).toBe('');
    expect(await pingsWithin(ns.A, '10.88.0.2')).toBe(true);
    await tcpConnect();
    await tcpConnect();
    const lines = flowLines(await of15('dump-flows'));
    // two connections: two SYN-ACKs from B, two SYNs (SYN without ACK) from A
    expect(lines).toContainEqual(expect.stringMatching(/^table=0, n_packets=2, n_bytes=\d+, priority=20,tcp,in_port=2,tcp_flags=\+syn\+ack actions=output:1$/));
    expect(lines).toContainEqual(expect.stringMatching(/^table=0, n_packets=2, n_bytes=\d+, priority=20,tcp,in_port=1,tcp_flags=\+syn-ack actions=output:2$/));
    // the other segments (ACKs, data, FINs) took the plain IP rules
    const rest = lines.find((l) => l.includes('priority=10,ip,in_port=2'))!;
    expect(Number(/n_packets=(\d+)/.exec(rest)![1])).toBeGreaterThanOrEqual(4);
    expect(await of15('del-flows')).toBe('');
  });

  it('actset_output: table 1 forwards only what table 0 put output:2 in the action set for', { timeout: 60_000 }, async () => {
    for (const f of [
      'priority=10,arp,actions=flood', 'priority=10,in_port=2,ip,actions=output:1',
      'priority=10,in_port=1,ip,actions=write_actions(output:2),goto_table:1',
      'table=1,priority=10,actset_output=2,actions=drop', // no instruction: the action set (output:2) runs
      'table=1,priority=1,actions=clear_actions',
    ]) expect(await of15('add-flow', f)).toBe('');
    expect(await pingsWithin(ns.A, '10.88.0.2')).toBe(true);
    const lines = flowLines(await of15('dump-flows', 'table=1'));
    expect(lines.find((l) => l.includes('actset_output=2'))).toMatch(/n_packets=[1-9]/);
    // the action set's output becomes IN_PORT: actset_output=2 no longer matches, table 1's miss clears the set
    expect(await of15('mod-flows', 'in_port=1,ip,actions=write_actions(output:IN_PORT),goto_table:1')).toBe('');
    expect((await ping(ns.A, '10.88.0.2', 2)).ok).toBe(false);
    expect(await of15('del-flows')).toBe('');
  });

  it('trace shows the 1.5 fields: tcp_flags of the packet, actset_output at each table', async () => {
    expect(await of15('add-flow', 'priority=10,in_port=1,tcp,actions=write_actions(output:2),goto_table:1')).toBe('');
    expect(await of15('add-flow', 'table=1,priority=10,actset_output=2,tcp,tcp_flags=+syn,actions=drop')).toBe('');
    const d = sluice(['trace', '--rundir', rundir, lab.name('br'), 'in_port=1,tcp,nw_src=10.88.0.1,nw_dst=10.88.0.2,tcp_dst=80,tcp_flags=syn']);
    expect(await new Promise<number>((resolve) => d.child.on('exit', (c) => resolve(c ?? 1)))).toBe(0);
    const out = d.lines.join('\n');
    expect(out).toMatch(/^Flow: .*tcp_flags=syn/m);
    expect(out).toMatch(/action set: output:2 \(actset_output=2\)/);
    expect(out).toMatch(/priority 10 actset_output=2,tcp,tcp_flags=\+syn|actset_output=2,tcp,tcp_flags=\+syn/);
    expect(await of15('del-flows')).toBe('');
  });

  it('--protocols OpenFlow15 alone: a 1.4-only ovs-ofctl is refused on that listener', async () => {
    expect(await ofctl(['-O', 'OpenFlow14'], 'show')).toMatch(/FAILED .*version negotiation failed/s);
  });
});
