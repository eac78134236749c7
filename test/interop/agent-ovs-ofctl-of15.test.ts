// Open vSwitch's `ovs-ofctl -O OpenFlow15` against a Sluice bridge (memory ports) on ptcp,
// the bridge started with OpenFlow 1.5 among its protocols (as by default):
// show, add-flow / dump-flows (OXS flow stats as OVS prints them) with tcp_flags,
// actset_output, packet_type and copy-field (`move:`), dump-aggregate (OXS), del-flows,
// meters (the meter action), groups (bucket ids, weights), the 1.5 packet-out with a
// match, bundles, flow monitors, insert-buckets / remove-buckets, and what is refused: packet types
// other than Ethernet, eviction. Traffic through these flows is
// checked on memory ports here and through veths in of15-namespaces.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import type { MemoryPort } from '../../src/ports/memory.js';
import { OfctlLab } from './ofctl-lab.js';

const need = needs('ovs-ofctl');

/** dump-flows lines without cookie, duration and idle_age (OXS idle_time: they vary), sorted. */
const flowLines = (out: string): string[] =>
  out.split('\n').filter((l) => l.includes('table=')).map((l) => l.replace(/^\s*cookie=\S+ duration=\S+ /, '').replace(/ idle_age=\d+,/, '').trim()).sort();

const hexFrame = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
/** An IPv4/TCP frame from 0a:..:01 to 0a:..:02 with the given TCP flags (byte 13 of the TCP header). */
function tcpFrame(flags: number): Uint8Array {
  const f = hexFrame(`0a0000000002 0a0000000001 0800
    45000028 0001 0000 4006 0000 0a000001 0a000002
    1f90 0050 00000001 00000000 50 ${flags.toString(16).padStart(2, '0')} 2000 0000 0000`);
  return f;
}

need.describe('ovs-ofctl -O OpenFlow15 against Sluice', () => {
  const lab = new OfctlLab('br15', { failMode: 'secure', dpid: 0xa15n, ports: 3, versions: [1, 4, 5, 6] });
  const of15 = (verb: string, ...args: string[]) => lab.ofctl15(verb, ...args);
  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  const sent = async (port: number, frames: Uint8Array[]): Promise<number[]> => {
    const [p] = lab.pairs[port - 1] as [MemoryPort, MemoryPort];
    for (const f of frames) p.inject(f);
    await new Promise((r) => setTimeout(r, 100));
    return lab.pairs.map(([, h]) => h.rxBurst());
  };

  it('show: the 1.5 features reply and port description', async () => {
    const out = await of15('show');
    expect(out).toMatch(/^OFPT_FEATURES_REPLY \(OF1\.5\) \(xid=0x\w+\): dpid:0000000000000a15\n/);
    expect(out).toContain('OFPST_PORT_DESC reply (OF1.5)');
    expect(out).toMatch(/ 3\(p3\): addr:[0-9a-f:]{17}\n\s+config:\s+0\n\s+state:\s+LIVE/);
    expect(out).toContain('OFPT_GET_CONFIG_REPLY (OF1.5)');
  });

  it('a 1.5 peer is refused by a bridge whose protocols leave 1.5 out (OpenFlow10,OpenFlow13,OpenFlow14)', async () => {
    const lab14 = new OfctlLab('br14', { failMode: 'secure', dpid: 0xa14n, ports: 1, versions: [1, 4, 5] });
    await lab14.start();
    try {
      expect(await lab14.ofctl15('show')).toMatch(/^FAILED .*(version negotiation failed|Protocol error|connection)/is);
    } finally {
      lab14.stop();
    }
  });

  it('add-flow / dump-flows: tcp_flags, actset_output and copy-field, with OXS stats counted by traffic', async () => {
    expect(await of15('add-flow', 'priority=5,tcp,tcp_flags=+syn+ack,actions=output:2')).toBe('');
    expect(await of15('add-flow', 'priority=4,in_port=1,actions=write_actions(output:3),goto_table:1')).toBe('');
    expect(await of15('add-flow', 'table=1,priority=6,actset_output=3,tcp,actions=clear_actions,write_actions(output:2)')).toBe('');
    expect(await of15('add-flow', 'table=1,priority=1,actions=drop')).toBe('');
    expect(flowLines(await of15('dump-flows'))).toEqual([
      'table=0, n_packets=0, n_bytes=0, priority=4,in_port=1 actions=write_actions(output:3),goto_table:1',
      'table=0, n_packets=0, n_bytes=0, priority=5,tcp,tcp_flags=+syn+ack actions=output:2',
      'table=1, n_packets=0, n_bytes=0, priority=1 actions=drop',
      'table=1, n_packets=0, n_bytes=0, priority=6,actset_output=3,tcp actions=clear_actions,write_actions(output:2)',
    ]);
    // a SYN-ACK (0x12) takes the tcp_flags rule; a SYN (0x02) and an ACK (0x10) do not: in
    // table 1 the action set's output is 3, so actset_output=3 sends them to 2 instead
    expect(await sent(1, [tcpFrame(0x12)])).toEqual([0, 1, 0]);
    expect(await sent(1, [tcpFrame(0x02), tcpFrame(0x10)])).toEqual([0, 2, 0]);
    const out = await of15('dump-flows');
    expect(out).toMatch(/^OFPST_FLOW reply \(OF1\.5\)/);
    expect(out).toMatch(/ n_bytes=54, idle_age=0, priority=5,tcp,tcp_flags=\+syn\+ack /); // OXS idle_time
    expect(flowLines(out)).toEqual([
      'table=0, n_packets=1, n_bytes=54, priority=5,tcp,tcp_flags=+syn+ack actions=output:2',
      'table=0, n_packets=2, n_bytes=108, priority=4,in_port=1 actions=write_actions(output:3),goto_table:1',
      'table=1, n_packets=0, n_bytes=0, priority=1 actions=drop',
      'table=1, n_packets=2, n_bytes=108, priority=6,actset_output=3,tcp actions=clear_actions,write_actions(output:2)',
    ].sort());
    expect(await of15('dump-aggregate')).toMatch(/^OFPST_AGGREGATE reply \(OF1\.5\) \(xid=0x\w+\): packet_count=5 byte_count=270 flow_count=4/);
    expect(await of15('dump-aggregate', 'table=1')).toMatch(/packet_count=2 byte_count=108 flow_count=2/);
    // copy-field (OVS's move): eth_src copied onto eth_dst, then out of port 3
    expect(await of15('del-flows')).toBe('');
    expect(await of15('add-flow', 'priority=7,in_port=2,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],output:3')).toBe('');
    expect(flowLines(await of15('dump-flows'))).toEqual(['table=0, n_packets=0, n_bytes=0, priority=7,in_port=2 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],output:3']);
    const [p2] = lab.pairs[1] as [MemoryPort, MemoryPort];
    const [, h3] = lab.pairs[2] as [MemoryPort, MemoryPort];
    p2.inject(tcpFrame(0x10));
    await new Promise((r) => setTimeout(r, 100));
    expect(h3.rxBurst()).toBe(1);
    const o = h3.burst.offs[0]!;
    expect(Buffer.from(h3.burst.buf.subarray(o, o + 12)).toString('hex')).toBe('0a00000000010a0000000001');
    expect(await of15('del-flows')).toBe('');
    expect(flowLines(await of15('dump-flows'))).toEqual([]);
  });

  it('importance (1.4 and 1.5 flow-mods) is kept and shown by dump-flows in 1.5 and 1.4, not in 1.3', async () => {
    expect(await of15('add-flow', 'priority=5,importance=7,in_port=1,actions=output:2')).toBe('');
    expect(await lab.ofctl14('add-flow', 'priority=6,importance=9,in_port=2,actions=output:1')).toBe('');
    const want = ['table=0, n_packets=0, n_bytes=0, importance=7, priority=5,in_port=1 actions=output:2', 'table=0, n_packets=0, n_bytes=0, importance=9, priority=6,in_port=2 actions=output:1'];
    expect(flowLines(await of15('dump-flows'))).toEqual(want);
    expect(flowLines(await lab.ofctl14('dump-flows'))).toEqual(want);
    expect(flowLines(await lab.ofctl('dump-flows'))).toEqual(want.map((l) => l.replace(/importance=\d+, /, '')));
    expect(await of15('del-flows')).toBe('');
  });

  it('packet_type: Ethernet (0,0) is taken, any other type is OFPBMC_BAD_VALUE', async () => {
    expect(await of15('add-flow', 'priority=8,packet_type=(0,0),actions=drop')).toBe('');
    expect(await of15('add-flow', 'priority=8,packet_type=(1,0x800),actions=drop')).toMatch(/^FAILED OFPT_ERROR \(OF1\.5\) \(xid=0x\w+\): OFPBMC_BAD_VALUE/);
    expect(await of15('del-flows')).toBe('');
  });

  it('meters: add-meter, the meter action (meter:1 in 1.5), dump-meters, meter-stats, meter-features', async () => {
    expect(await of15('add-meter', 'meter=1,pktps,band=type=drop,rate=10')).toBe('');
    expect(await of15('add-flow', 'priority=3,in_port=3,actions=meter:1,output:1')).toBe('');
    expect(flowLines(await of15('dump-flows'))).toEqual(['table=0, n_packets=0, n_bytes=0, priority=3,in_port=3 actions=meter:1,output:1']);
    expect(await of15('dump-meters')).toMatch(/OFPST_METER_CONFIG reply \(OF1\.5\) \(xid=0x\w+\):\nmeter=1 pktps bands=\ntype=drop rate=10/);
    expect(await sent(3, [tcpFrame(0x10)])).toEqual([1, 0, 0]);
    expect(await of15('meter-stats')).toMatch(/meter:1 flow_count:1 packet_in_count:1 byte_in_count:54 /);
    expect(await of15('meter-features')).toMatch(/OFPST_METER_FEATURES reply \(OF1\.5\)[^\n]*\nmax_meter:4294901760 max_bands:16/);
    // deleting the meter removes the flow that uses it
    expect(await of15('del-meter', 'meter=1')).toBe('');
    expect(flowLines(await of15('dump-flows'))).toEqual([]);
  });

  it('groups: bucket ids (given or by position), weights, stats; insert-buckets and remove-buckets', async () => {
    expect(await of15('add-group', 'group_id=1,type=select,bucket=weight:5,output:1,bucket=weight:6,output:2')).toBe('');
    expect(await of15('add-group', 'group_id=2,type=all,bucket=bucket_id:7,output:1,bucket=bucket_id:3,output:2')).toBe('');
    expect(await of15('add-group', 'group_id=4,type=all,bucket=bucket_id:7,output:1,bucket=bucket_id:7,output:2')).toMatch(/^FAILED OFPT_ERROR \(OF1\.5\) \(xid=0x\w+\): OFPGMFC_BUCKET_EXISTS/);
    const groups = await of15('dump-groups');
    expect(groups).toContain('group_id=1,type=select,bucket=bucket_id:0,weight:5,actions=output:1,bucket=bucket_id:1,weight:6,actions=output:2');
    expect(groups).toContain('group_id=2,type=all,bucket=bucket_id:7,actions=output:1,bucket=bucket_id:3,actions=output:2');
    expect(await of15('add-flow', 'priority=2,in_port=3,actions=group:2')).toBe('');
    expect(await sent(3, [tcpFrame(0x10)])).toEqual([1, 1, 0]);
    expect(await of15('dump-group-stats')).toMatch(/group_id=2,duration=[\d.]+s,ref_count=1,packet_count=1,byte_count=54,bucket0:packet_count=1,byte_count=54,bucket1:packet_count=1,byte_count=54/);
    // insert after bucket 7, then at the front; the kept buckets keep their counters
    expect(await of15('insert-buckets', 'group_id=2,command_bucket_id=7,bucket=bucket_id:5,output:2')).toBe('');
    expect(await of15('insert-buckets', 'group_id=2,command_bucket_id=first,bucket=bucket_id:9,output:3')).toBe('');
    expect(await of15('dump-groups')).toContain('group_id=2,type=all,bucket=bucket_id:9,actions=output:3,bucket=bucket_id:7,actions=output:1,bucket=bucket_id:5,actions=output:2,bucket=bucket_id:3,actions=output:2');
    expect(await of15('dump-group-stats')).toMatch(/group_id=2,[^\n]*bucket0:packet_count=0,byte_count=0,bucket1:packet_count=1,byte_count=54,bucket2:packet_count=0,byte_count=0,bucket3:packet_count=1,byte_count=54/);
    expect(await of15('insert-buckets', 'group_id=2,command_bucket_id=8,bucket=bucket_id:6,output:3')).toMatch(/^FAILED OFPT_ERROR \(OF1\.5\) \(xid=0x\w+\): OFPGMFC_UNKNOWN_BUCKET/);
    expect(await of15('insert-buckets', 'group_id=2,command_bucket_id=last,bucket=bucket_id:5,output:3')).toMatch(/^FAILED OFPT_ERROR \(OF1\.5\) \(xid=0x\w+\): OFPGMFC_BUCKET_EXISTS/);
    expect(await of15('remove-buckets', 'group_id=2,command_bucket_id=9')).toBe('');
    expect(await of15('remove-buckets', 'group_id=2,command_bucket_id=last')).toBe('');
    expect(await of15('dump-groups')).toContain('group_id=2,type=all,bucket=bucket_id:7,actions=output:1,bucket=bucket_id:5,actions=output:2\n');
    expect(await sent(3, [tcpFrame(0x10)])).toEqual([1, 1, 0]);
    expect(await of15('remove-buckets', 'group_id=2,command_bucket_id=all')).toBe('');
    expect(await of15('dump-groups')).toContain('group_id=2,type=all\n');
    expect(await of15('del-groups')).toBe('');
    expect(flowLines(await of15('dump-flows'))).toEqual([]); // the flow to group 2 went with it
    expect(await of15('dump-groups')).toMatch(/^OFPST_GROUP_DESC reply \(OF1\.5\) \(xid=0x\w+\):\n$/);
  });

  it('packet-out with a 1.5 match: in_port, and metadata seen by the tables', async () => {
    expect(await of15('packet-out', 'in_port=1 packet=ffffffffffff0a0b0c0d0e0f0806 actions=output:2')).toBe('');
    expect(await sent(1, [])).toEqual([0, 1, 0]);
    expect(await of15('add-flow', 'priority=9,metadata=0x5,actions=output:3')).toBe('');
    expect(await of15('packet-out', 'in_port=CONTROLLER,metadata=0x5 packet=ffffffffffff0a0b0c0d0e0f0806 actions=table')).toBe('');
    expect(await sent(1, [])).toEqual([0, 0, 1]);
    expect(await of15('del-flows')).toBe('');
  });

  it('monitor watch: (flow monitors in 1.5): adds and deletes made by another connection, with the meter action as 1.5 says it', { timeout: 30_000 }, async () => {
    const { spawn } = await import('node:child_process');
    expect(await of15('add-meter', 'meter=2,pktps,band=type=drop,rate=10')).toBe('');
    const mon = spawn('ovs-ofctl', ['-O', 'OpenFlow15', `--unixctl=${lab.rundir}/monitor15.ctl`, 'monitor', lab.target, 'watch:']);
    let out = '';
    mon.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    mon.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const until = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(re);
    };
    try {
      await until(/OFPST_FLOW_MONITOR reply \(OF1\.5\)/);
      expect(await of15('add-flow', 'table=1,priority=5,in_port=1,actions=meter:2,output:2')).toBe('');
      await until(/OFPST_FLOW_MONITOR reply \(OF1\.5\) \(xid=0x0\):\n event=ADDED table=1 cookie=0 in_port=1 actions=meter:2,output:2/);
      expect(await of15('del-flows', 'table=1')).toBe('');
      await until(/event=DELETED reason=delete table=1 cookie=0 in_port=1 actions=meter:2,output:2/);
    } finally {
      mon.kill();
    }
    expect(await of15('del-meter', 'meter=2')).toBe('');
  });

  it('--bundle add-flows: all or nothing; dump-tables, dump-ports, dump-table-features, queue-get-config', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-of15-'));
    try {
      writeFileSync(join(dir, 'bad.txt'), 'priority=10,in_port=1,actions=output:2\npriority=10,in_port=2,actions=output:99\n');
      const bad = await of15('add-flows', '--bundle', join(dir, 'bad.txt'));
      expect(bad).toContain('OFPBAC_BAD_OUT_PORT');
      expect(bad).toContain('OFPBFC_MSG_FAILED');
      expect(flowLines(await of15('dump-flows'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await of15('dump-tables')).toMatch(/^OFPST_TABLE reply \(OF1\.5\)/);
    expect(await of15('dump-ports')).toMatch(/^OFPST_PORT reply \(OF1\.5\) \(xid=0x\w+\): 3 ports/);
    const tf = await of15('dump-table-features');
    expect(tf).toContain('instructions: apply_actions clear_actions write_actions write_metadata goto_table');
    expect(tf).toMatch(/arbitrary mask: [^\n]*tcp_flags/);
    expect(tf).toMatch(/exact match or wildcard: packet_type [^\n]*actset_output/);
    expect(await of15('queue-get-config', '1')).toMatch(/^OFPST_QUEUE_DESC reply \(OF1\.5\)/);
    expect(await of15('mod-table', '0', 'evict')).toMatch(/OFPTMFC_BAD_CONFIG/);
  });
});
