// The agent behind a real Bridge (memory ports), driven by Open vSwitch's ovs-ofctl over
// ptcp:127.0.0.1:<random port>; assertions are on what ovs-ofctl prints.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { MemoryPort } from '../../src/ports/memory.js';
import { OfctlLab } from './ofctl-lab.js';
import { OFPP_CONTROLLER, OFPR_NO_MATCH, OFP_NO_BUFFER, flowMod } from '../../src/pipeline/types.js';
import { TestController } from '../unit/agent-helpers.js';

const need = needs('ovs-ofctl');

// ARP request 10.0.0.1 → 10.0.0.2 from 02:00:00:00:00:01 (42 bytes).
const ARP = 'ffffffffffff0200000000010806000108000604000102000000000100000000ffffffffffff0a000001';
const hexBytes = (h: string) => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));

need.describe('ovs-ofctl -O OpenFlow13 against Sluice', () => {
  const lab = new OfctlLab('br-ofctl', { failMode: 'standalone', dpid: 0xabcdn, ports: 2 });
  const [[p1, h1], [p2, h2]] = lab.pairs as [[MemoryPort, MemoryPort], [MemoryPort, MemoryPort]];
  const ofctl = (verb: string, ...args: string[]) => lab.ofctl(verb, ...args);
  const flows = async (...filter: string[]) => (await ofctl('dump-flows', ...filter)).split('\n').filter((l) => l.includes('cookie='));

  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  it('show: features, ports, config', async () => {
    const out = await ofctl('show');
    expect(out).toContain('OFPT_FEATURES_REPLY (OF1.3)');
    expect(out).toContain('dpid:000000000000abcd');
    expect(out).toContain('n_tables:255, n_buffers:256');
    expect(out).toContain('capabilities: FLOW_STATS TABLE_STATS PORT_STATS GROUP_STATS');
    expect(out).toMatch(/ 1\(p1\): addr:/);
    expect(out).toMatch(/ 2\(p2\): addr:/);
    expect(out).toContain('frags=normal miss_send_len=128');
  });

  it('the bridge also answers on punix:<rundir>/<bridge>.mgmt, as OVS does', async () => {
    expect(await lab.ofctlAt(`unix:${join(lab.rundir, 'br-ofctl.mgmt')}`, 'show')).toContain('dpid:000000000000abcd');
  });

  it('dump-desc, dump-tables, dump-ports-desc', async () => {
    const desc = await ofctl('dump-desc');
    expect(desc).toContain('Manufacturer: Sluice project');
    expect(desc).toContain('DP Description: br-ofctl');
    const tables = await ofctl('dump-tables');
    expect(tables).toMatch(/table 0:\s+active=1, lookup=\d+, matched=\d+/);
    expect(tables).toContain('tables 2...254: ditto');
    const pd = await ofctl('dump-ports-desc');
    expect(pd).toMatch(/1\(p1\): addr:..:..:..:..:..:..\n\s+config:\s+0\n\s+state:\s+LIVE/);
  });

  it('the standalone NORMAL flow is a real flow', async () => {
    expect(await flows()).toEqual([expect.stringMatching(/table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL$/)]);
  });

  it('add-flow with L2–L4 matches and several instructions; dump-flows shows them back', async () => {
    for (const f of [
      'table=0,priority=100,in_port=1,tcp,nw_src=10.0.0.0/24,tp_dst=80,actions=set_field:10.0.0.9->ip_dst,output:2',
      'table=0,priority=90,in_port=2,dl_src=02:00:00:00:00:01,dl_vlan=10,actions=pop_vlan,goto_table:1',
      'table=1,priority=5,cookie=0x42,arp,actions=write_actions(output:1),write_metadata:0x5/0xff',
      'table=0,priority=80,udp,tp_src=53,actions=controller:100',
    ]) expect(await ofctl('add-flow', f)).toBe('');
    const all = await flows();
    expect(all).toHaveLength(5);
    expect(all.join('\n')).toMatch(/priority=100,tcp,in_port=1,nw_src=10\.0\.0\.0\/24,tp_dst=80 actions=set_field:10\.0\.0\.9->ip_dst,output:2/);
    expect(all.join('\n')).toMatch(/priority=90,in_port=2,dl_vlan=10,dl_src=02:00:00:00:00:01 actions=pop_vlan,goto_table:1/);
    expect(all.join('\n')).toMatch(/cookie=0x42, .*table=1, .*priority=5,arp actions=write_actions\(output:1\),write_metadata:0x5\/0xff/);
    expect(all.join('\n')).toMatch(/priority=80,udp,tp_src=53 actions=CONTROLLER:100/);
    expect(await flows('table=1')).toHaveLength(1);
  });

  it('mod-flows and del-flows with filters', async () => {
    expect(await ofctl('mod-flows', 'table=1,cookie=0x42/-1,actions=output:2')).toBe('');
    expect(await flows('cookie=0x42/-1')).toEqual([expect.stringMatching(/priority=5,arp actions=output:2$/)]);
    expect(await ofctl('del-flows', 'table=0,in_port=1')).toBe('');
    const left = (await flows()).join('\n');
    expect(left).not.toContain('tp_dst=80');
    expect(left).toContain('priority=90,in_port=2');
    expect(await ofctl('del-flows', '--strict', 'table=0,priority=80,udp,tp_src=53')).toBe('');
    expect((await flows()).join('\n')).not.toContain('tp_src=53');
  });

  it('a flow the switch refuses comes back as the spec error', async () => {
    const out = await ofctl('add-flow', 'actions=output:99');
    expect(out).toContain('OFPT_ERROR (OF1.3)');
    expect(out).toContain('OFPBAC_BAD_OUT_PORT');
  });

  it('add-group / dump-groups / dump-group-stats', async () => {
    expect(await ofctl('add-group', 'group_id=1,type=all,bucket=output:1,bucket=output:2')).toBe('');
    expect(await ofctl('add-group', 'group_id=2,type=select,bucket=weight:10,output:1,bucket=weight:20,output:2')).toBe('');
    const g = await ofctl('dump-groups');
    expect(g).toContain('group_id=1,type=all,bucket=actions=output:1,bucket=actions=output:2');
    expect(g).toContain('group_id=2,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,actions=output:2');
    expect(await ofctl('add-flow', 'priority=50,in_port=2,actions=group:1')).toBe('');
    expect(await ofctl('dump-group-stats')).toMatch(/group_id=1,duration=[\d.]+s,ref_count=1,packet_count=0/);
  });

  it('add-meter / dump-meters / meter-stats', async () => {
    expect(await ofctl('add-meter', 'meter=1,kbps,burst,band=type=drop,rate=1000,burst_size=100')).toBe('');
    expect(await ofctl('dump-meters')).toMatch(/meter=1 kbps burst bands=\s*type=drop rate=1000 burst_size=100/);
    expect(await ofctl('meter-stats')).toMatch(/meter:1 flow_count:0 packet_in_count:0/);
  });

  it('packet-out reaches the port; dump-ports counts it', async () => {
    expect(await ofctl('packet-out', 'controller', 'output:1', ARP)).toBe('');
    expect(h1.rxBurst()).toBe(1);
    expect(h1.burst.lens[0]).toBe(42);
    expect(await ofctl('dump-ports', '1')).toMatch(/port {2}1: rx pkts=0, bytes=0[\s\S]*tx pkts=1, bytes=42/);
  });

  it('a real packet through the tables updates flow counters (table-miss → NORMAL floods)', async () => {
    p2.inject(hexBytes(ARP.replace(/^ffffffffffff0200000000010806/, 'ffffffffffff02000000000a0806')));
    lab.bridge.poll();
    await new Promise((r) => setTimeout(r, 20));
    const f = (await flows()).find((l) => l.includes('priority=50,in_port=2'));
    expect(f).toMatch(/n_packets=1, n_bytes=42/);
    expect(await ofctl('dump-group-stats')).toMatch(/group_id=1,.*packet_count=1,byte_count=42/);
  });

  it('packet-in from the real datapath reaches a controller connection, buffered', async () => {
    const sock = createConnection({ host: '127.0.0.1', port: lab.ptcpPort() });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const ctl = new TestController(sock);
    await ctl.handshake();
    // service connections get no async messages until they ask (as in OVS)
    ctl.send({ type: 'set_async', xid: 1, packetInMask: [3, 0], portStatusMask: [7, 7], flowRemovedMask: [15, 0] });
    ctl.send({ type: 'set_config', xid: 2, flags: 0, missSendLen: 20 });
    ctl.send({ type: 'flow_mod', xid: 3, ...flowMod({ tableId: 0, priority: 0, command: 3, match: [], instructions: [] }) });
    ctl.send({ type: 'flow_mod', xid: 4, ...flowMod({ priority: 0, instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: 0xffff }] }] }) });
    ctl.send({ type: 'barrier_request', xid: 5 });
    await ctl.next('barrier_reply');
    p1.inject(hexBytes(ARP));
    lab.bridge.poll();
    const pi = await ctl.next('packet_in');
    expect(pi.reason).toBe(OFPR_NO_MATCH);
    expect(pi.totalLen).toBe(42);
    expect(pi.data.length).toBe(20); // table-miss: miss_send_len
    expect(pi.bufferId).not.toBe(OFP_NO_BUFFER);
    expect(pi.match).toEqual([{ field: 0, value: Uint8Array.of(0, 0, 0, 1) }]);
    ctl.send({ type: 'packet_out', xid: 6, bufferId: pi.bufferId, inPort: 1, actions: [{ type: 'output', port: 2, maxLen: 0 }], data: new Uint8Array(0) });
    ctl.send({ type: 'barrier_request', xid: 7 });
    await ctl.next('barrier_reply');
    expect(h2.rxBurst()).toBe(1);
    expect(h2.burst.lens[0]).toBe(42);
    sock.destroy();
  });
});
