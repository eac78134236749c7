// Open vSwitch's `ovs-ofctl` with NO -O flag — it then speaks OpenFlow 1.0 only — against a
// Sluice bridge (memory ports) on ptcp: show, add-flow in 1.0 syntax, dump-flows,
// del-flows, dump-ports, dump-tables, dump-aggregate, mod-port, packet-out, errors with
// 1.0 numbers; what a 1.0 controller sees of rules a 1.3 controller wrote in other tables;
// a 1.0 and a 1.3 controller on the same bridge at once, each getting its async messages
// in its own version; `protocols` narrowing what a bridge offers. Where a 1.0 encoding of
// ours has no ovs-ofctl command that reads it (flow-removed, packet-in, port-status), it
// is checked with `ovs-ofctl ofp-print`, an independent decoder.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { OFConnection } from '../../src/openflow/connection.js';
import { encodeMessage10 } from '../../src/openflow/of10/encode.js';
import { OFPPC_PORT_DOWN } from '../../src/pipeline/types.js';
import { socketPair, TestController } from '../unit/agent-helpers.js';
import { sampleMessages10 } from '../unit/openflow10-samples.js';
import { OfctlLab } from './ofctl-lab.js';

const need = needs('ovs-ofctl');
const run = promisify(execFile);

/** dump-flows lines without cookie/duration (which vary), sorted. */
const flowLines = (out: string): string[] =>
  out.split('\n').filter((l) => l.includes('table=')).map((l) => l.replace(/^\s*cookie=\S+ duration=\S+ /, '').trim()).sort();

need.describe('ovs-ofctl (no -O: OpenFlow 1.0) against Sluice', () => {
  const lab = new OfctlLab('br10', { failMode: 'secure', dpid: 0xa10n, ports: 3 });
  const of10 = (verb: string, ...args: string[]) => lab.ofctl10(verb, ...args);
  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  it('show: 1.0 features reply with its ofp_phy_port list, and the switch config', async () => {
    const out = await of10('show');
    expect(out).toMatch(/^OFPT_FEATURES_REPLY \(xid=0x\w+\): dpid:0000000000000a10\n/);
    expect(out).toContain('n_tables:1, n_buffers:256');
    expect(out).toContain('capabilities: FLOW_STATS TABLE_STATS PORT_STATS ARP_MATCH_IP');
    expect(out).toContain('actions: output enqueue set_vlan_vid set_vlan_pcp strip_vlan mod_dl_src mod_dl_dst mod_nw_src mod_nw_dst mod_nw_tos mod_tp_src mod_tp_dst');
    for (const p of [1, 2, 3]) expect(out).toMatch(new RegExp(` ${p}\\(p${p}\\): addr:[0-9a-f:]{17}\\n\\s+config:\\s+0\\n\\s+state:\\s+0`));
    expect(out).toContain('OFPT_GET_CONFIG_REPLY');
    expect(out).toContain('frags=normal miss_send_len=128');
  });

  it('add-flow in 1.0 syntax; dump-flows prints each rule back as ovs-ofctl wrote it', async () => {
    const flows = [
      'priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2',
      'tcp,nw_src=10.0.0.0/8,tp_dst=80,actions=mod_nw_tos:32,mod_tp_dst:8080,output:3',
      'arp,nw_dst=192.168.1.1,actions=mod_dl_src:02:00:00:00:00:09,enqueue:2:7',
      'priority=5,udp,dl_vlan=0xffff,actions=mod_vlan_vid:20,mod_vlan_pcp:3,output:1',
      'priority=7,icmp,icmp_type=8,dl_dst=02:00:00:00:00:01,actions=mod_nw_src:1.2.3.4,mod_dl_dst:02:00:00:00:00:02,controller:64',
    ];
    for (const f of flows) expect(await of10('add-flow', f)).toBe('');
    expect(flowLines(await of10('dump-flows'))).toEqual([
      'table=0, n_packets=0, n_bytes=0, arp,arp_tpa=192.168.1.1 actions=mod_dl_src:02:00:00:00:00:09,enqueue:2:7',
      'table=0, n_packets=0, n_bytes=0, priority=100,in_port=1,dl_vlan=10 actions=strip_vlan,output:2',
      'table=0, n_packets=0, n_bytes=0, priority=5,udp,vlan_tci=0x0000 actions=mod_vlan_vid:20,mod_vlan_pcp:3,output:1',
      'table=0, n_packets=0, n_bytes=0, priority=7,icmp,dl_dst=02:00:00:00:00:01,icmp_type=8 actions=mod_nw_src:1.2.3.4,mod_dl_dst:02:00:00:00:00:02,CONTROLLER:64',
      'table=0, n_packets=0, n_bytes=0, tcp,nw_src=10.0.0.0/8,tp_dst=80 actions=mod_nw_tos:32,mod_tp_dst:8080,output:3',
    ]);
    // the same rules through a 1.3 connection: one internal model
    const thirteen = flowLines(await lab.ofctl('dump-flows'));
    expect(thirteen).toHaveLength(5);
    expect(thirteen.join('\n')).toContain('arp,arp_tpa=192.168.1.1 actions=set_field:02:00:00:00:00:09->eth_src,set_queue:7,output:2');
    expect(flowLines(await of10('dump-flows', 'udp'))).toHaveLength(1);
  });

  it('dump-aggregate and dump-tables count table 0; del-flows with a filter, then all', async () => {
    expect(await of10('dump-aggregate')).toMatch(/OFPST_AGGREGATE reply \(xid=0x\w+\): packet_count=0 byte_count=0 flow_count=5/);
    const tables = await of10('dump-tables');
    expect(tables).toContain('table 0 ("classifier"):\n    active=5, lookup=0, matched=0');
    expect(tables).not.toContain('table 1');
    // 1.0 §4.6: a modify that matches nothing adds the rule
    expect(await of10('mod-flows', 'priority=4,in_port=3,actions=output:1')).toBe('');
    expect(flowLines(await of10('dump-flows', 'in_port=3'))).toEqual(['table=0, n_packets=0, n_bytes=0, priority=4,in_port=3 actions=output:1']);
    expect(await of10('mod-flows', 'in_port=3,actions=output:2')).toBe('');
    expect(flowLines(await of10('dump-flows', 'in_port=3'))).toEqual(['table=0, n_packets=0, n_bytes=0, priority=4,in_port=3 actions=output:2']);
    expect(await of10('del-flows', 'in_port=3')).toBe('');
    expect(await of10('del-flows', 'udp')).toBe('');
    expect(flowLines(await of10('dump-flows'))).toHaveLength(4);
    expect(await of10('del-flows')).toBe('');
    expect(flowLines(await of10('dump-flows'))).toEqual([]);
  });

  it('refusals come back with 1.0 error numbers, which ovs-ofctl names', async () => {
    await of10('add-flow', 'priority=9,in_port=2,actions=drop');
    expect(await of10('add-flow', 'check_overlap,priority=9,in_port=2,actions=output:1')).toMatch(/^FAILED OFPT_ERROR \(xid=0x\w+\): OFPFMFC_OVERLAP/);
    expect(await of10('add-flow', 'priority=1,actions=mod_tp_dst:1,output:1')).toMatch(/^FAILED OFPT_ERROR \(xid=0x\w+\): OFPBAC_BAD_ARGUMENT/);
    expect(await of10('dump-flows', 'table=1')).toMatch(/OFPT_ERROR \(xid=0x\w+\): OFPBRC_EPERM/);
    await of10('del-flows');
  });

  it('a 1.0 controller sees table 0 only: rules of other tables are invisible, goto/write-actions are left out', async () => {
    expect(await lab.ofctl('add-flow', 'table=1,priority=3,ipv6,actions=output:1')).toBe('');
    expect(await lab.ofctl('add-flow', 'table=0,priority=3,ip,actions=write_actions(output:2),goto_table:1')).toBe('');
    expect(flowLines(await of10('dump-flows'))).toEqual(['table=0, n_packets=0, n_bytes=0, priority=3,ip actions=output:2']);
    expect(await of10('dump-aggregate')).toContain('flow_count=1');
    expect(await of10('del-flows')).toBe(''); // deletes in table 0 only
    expect(flowLines(await lab.ofctl('dump-flows'))).toEqual(['table=1, n_packets=0, n_bytes=0, priority=3,ipv6 actions=output:1']);
    await lab.ofctl('del-flows');
  });

  it('dump-ports (all, one), packet-out, dump-desc, queue-stats', async () => {
    const arp = 'ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002';
    expect(await of10('packet-out', `in_port=1 packet=${arp} actions=output:2`)).toBe('');
    expect(lab.pairs[1]![1].rxBurst()).toBe(1);
    const all = await of10('dump-ports');
    expect(all).toMatch(/OFPST_PORT reply \(xid=0x\w+\): 3 ports/);
    expect(all).toMatch(/port {2}2: rx pkts=0, bytes=0, drop=0, errs=\?, frame=\?, over=\?, crc=\?\n\s+tx pkts=1, bytes=42, drop=0, errs=0, coll=\?/);
    expect(await of10('dump-ports', '3')).toMatch(/1 ports\n {2}port {2}3: rx pkts=0/);
    expect(await of10('dump-desc')).toContain('DP Description: br10');
    expect(await of10('queue-stats')).toMatch(/OFPST_QUEUE reply \(xid=0x\w+\): 0 queues/);
    // Open vSwitch's 1.0 port-desc stats (type 13)
    expect(await of10('dump-ports-desc')).toMatch(/^OFPST_PORT_DESC reply \(xid=0x\w+\):\n 1\(p1\): addr:[0-9a-f:]{17}\n\s+config:\s+0\n[\s\S]* 3\(p3\): addr/);
  });

  it('mod-port down / up / no-flood: show prints the config back', async () => {
    expect(await of10('mod-port', 'p2', 'down')).toBe('');
    expect(await of10('mod-port', 'p3', 'no-flood')).toBe('');
    const out = await of10('show');
    expect(out).toMatch(/ 2\(p2\): addr:[0-9a-f:]{17}\n\s+config:\s+PORT_DOWN\n/);
    expect(out).toMatch(/ 3\(p3\): addr:[0-9a-f:]{17}\n\s+config:\s+NO_FLOOD\n/);
    expect(await of10('mod-port', 'p2', 'up')).toBe('');
    expect(await of10('mod-port', 'p3', 'flood')).toBe('');
    expect(await of10('show')).not.toMatch(/PORT_DOWN|NO_FLOOD/);
  });

  it('ovs-ofctl monitor (1.0: asks for async messages with miss_send_len) prints port-status and packet-in', async () => {
    const mon = spawn('ovs-ofctl', [`--unixctl=${lab.rundir}/monitor.ctl`, 'monitor', lab.target, '128']);
    let out = '';
    mon.stdout.on('data', (d: Buffer) => (out += d.toString()));
    mon.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 400)); // hello and set-config
      expect(await of10('mod-port', 'p2', 'down')).toBe('');
      expect(await of10('add-flow', 'priority=1,actions=controller')).toBe('');
      const frame = new Uint8Array(60);
      frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x08, 0x06]);
      lab.pairs[0]![0].inject(frame);
      lab.bridge.poll();
      const end = Date.now() + 3000;
      while (!out.includes('OFPT_PACKET_IN') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    } finally {
      mon.kill();
      await of10('mod-port', 'p2', 'up');
      await of10('del-flows');
    }
    expect(out).toMatch(/OFPT_PORT_STATUS \(xid=0x0\): MOD: 2\(p2\): addr:[0-9a-f:]{17}\n\s+config:\s+PORT_DOWN/);
    expect(out).toContain('OFPT_PACKET_IN (xid=0x0): total_len=60 in_port=1 (via action) data_len=60 (unbuffered)');
  });

  it('our 1.0 flow-removed, packet-in, port-status and flow stats read back with ovs-ofctl ofp-print', async () => {
    const print = async (type: string) => {
      const m = sampleMessages10().find((x) => x.type === type)!;
      const r = await run('ovs-ofctl', ['ofp-print', Buffer.from(encodeMessage10(m)!).toString('hex')]);
      return r.stdout;
    };
    expect(await print('flow_removed')).toMatch(/^OFPT_FLOW_REMOVED \(xid=0x0\): priority=100,tcp,in_port=1,dl_vlan=10,dl_vlan_pcp=3,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=10.0.0.0\/8,nw_dst=192.168.1.7,nw_tos=184,tp_src=12345,tp_dst=80 reason=delete cookie:0x1234 duration7.000005s idle10 pkts3 bytes180/);
    expect(await print('packet_in')).toMatch(/^OFPT_PACKET_IN \(xid=0x0\): total_len=60 in_port=2 \(via action\) data_len=14 buffer=0x00000101/);
    expect(await print('port_status')).toMatch(/^OFPT_PORT_STATUS \(xid=0x0\): MOD: 3\(p3\): addr:02:00:00:00:00:03\n\s+config:\s+PORT_DOWN\n\s+state:\s+LINK_DOWN\n\s+current:\s+10GB-FD COPPER/);
  });
});

need.describe('a 1.0 and a 1.3 controller on one bridge at once', () => {
  const lab = new OfctlLab('br11', { failMode: 'secure', dpid: 0xb1n, ports: 2 });
  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  async function controller(version: 1 | 4): Promise<TestController> {
    const [c, s] = await socketPair();
    lab.svc.agent.attach(new OFConnection(s, { probeIntervalMs: 0, name: `test-of${version}` }), true);
    const ctl = new TestController(c, { version });
    await ctl.handshake();
    return ctl;
  }

  it('each negotiates its own version and gets port-status and packet-in in it', async () => {
    const c10 = await controller(1);
    const c13 = await controller(4);
    expect(lab.svc.agent.connected.map((s) => s.conn.version).sort()).toEqual([1, 4]);
    expect(lab.bridge.portMod(1, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN)).toBeNull();
    // each controller's TestController decodes with its own version's codec: a message in
    // the other version would not decode, and next() would not find it
    const p10 = await c10.next('port_status');
    const p13 = await c13.next('port_status');
    expect([p10.port.portNo, p10.port.config & 1, p13.port.portNo, p13.port.config & 1]).toEqual([1, 1, 1, 1]);
    // one rule through each controller, both in table 0; a frame on port 2 reaches both as packet-in
    c10.send({
      type: 'flow_mod', xid: 5, cookie: 0n, cookieMask: 0n, tableId: 0, command: 0, idleTimeout: 0, hardTimeout: 0,
      priority: 1, bufferId: 0xffffffff, outPort: 0xffffffff, outGroup: 0xffffffff, flags: 0, match: [],
      instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: 0xfffffffd, maxLen: 0xffff }] }],
    });
    await c10.barrier();
    const frame = new Uint8Array(60);
    frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x08, 0x06]);
    lab.pairs[1]![0].inject(frame); // p2 receives it
    lab.bridge.poll();
    const pi10 = await c10.next('packet_in');
    const pi13 = await c13.next('packet_in');
    expect([pi10.data.length, pi13.data.length]).toEqual([60, 60]);
    expect(pi10.match).toEqual(pi13.match.filter((f) => f.field === 0));
    // the 1.3 controller reads the rule the 1.0 one wrote
    c13.send({ type: 'multipart_request', xid: 9, flags: 0, body: { kind: 'aggregate', tableId: 0xff, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: [] } });
    const agg = await c13.next('multipart_reply');
    expect(agg.body).toMatchObject({ kind: 'aggregate', flowCount: 1, packetCount: 1n });
    c10.sock.destroy();
    c13.sock.destroy();
  });
});

need.describe('protocols: what a bridge offers', () => {
  const lab = new OfctlLab('br12', { failMode: 'secure', dpid: 0xc1n, ports: 1, versions: [4] });
  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  it('protocols=OpenFlow13: ovs-ofctl without -O fails the version negotiation, -O OpenFlow13 works', async () => {
    expect(await lab.ofctl10('show')).toMatch(/^FAILED .*version negotiation failed/s);
    expect(await lab.ofctl('show')).toContain('OFPT_FEATURES_REPLY (OF1.3)');
  });

  it('the mgmt socket offers every version (the sluice verbs speak 1.3, ovs-ofctl 1.0)', async () => {
    const out = await run('ovs-ofctl', ['show', `unix:${lab.rundir}/br12.mgmt`]);
    expect(out.stdout).toContain('OFPT_FEATURES_REPLY (xid=');
  });
});
