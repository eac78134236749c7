/**
 * `sluice trace` on the daemon side (runTrace) against a real Bridge with memory ports and
 * a multi-table pipeline: the exact text for goto_table / write_actions / write_metadata,
 * select and all groups, a meter, a table miss to the controller, drops, NORMAL, FLOOD;
 * a trace changes no counter; bad arguments give errors naming what is wrong.
 */
import { describe, it, expect } from 'vitest';
import { isParseError, parseFlow, parseGroup, parseMeter, type ParseError } from '../../src/openflow/syntax/index.js';
import { runTrace } from '../../src/control/trace.js';
import { isOFError } from '../../src/pipeline/errors.js';
import type { ModResult } from '../../src/pipeline/pipeline.js';
import type { Bridge } from '../../src/datapath/bridge.js';
import { ipFrame, MAC, rig, type Rig } from './datapath-helpers.js';

function must<T>(x: T): Exclude<T, ParseError> {
  if (isParseError(x)) throw new Error(x.message);
  return x as Exclude<T, ParseError>;
}
function applied(r: ModResult): void {
  if (isOFError(r)) throw new Error(r.message);
}
function flows(b: Bridge, ...texts: string[]): void {
  for (const t of texts) applied(b.flowMod(must(parseFlow(t, { command: 'add' }))));
}
function text(b: Bridge, args: Record<string, unknown>): string {
  const r = runTrace(b, args);
  if (r instanceof Error) throw r;
  return r.text;
}
const TCP80 = 'in_port=1,tcp,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=10.1.0.1,nw_dst=10.0.0.2,tp_dst=80';
const FLOW80 = 'Flow: tcp,in_port=1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=10.1.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,tp_src=0,tp_dst=80,tcp_flags=0';

/** A three-table pipeline: tag and classify in 0, meter and group in 1, default in 2. */
function pipelineRig(): Rig {
  const r = rig(3);
  const b = r.bridge;
  applied(b.meterMod(must(parseMeter('meter=3,kbps,bands=type=drop,rate=1000', { command: 'add' }))));
  applied(b.groupMod(must(parseGroup('group_id=5,type=select,bucket=output:2,bucket=output:3', { command: 'add' }))));
  applied(b.groupMod(must(parseGroup('group_id=6,type=all,bucket=output:2,bucket=output:3', { command: 'add' }))));
  flows(b,
    'table=0,priority=100,cookie=0x5,ip,nw_dst=10.0.0.0/8,actions=push_vlan:0x8100,set_field:4106->vlan_vid,write_actions(output:2),write_metadata:0x5/0xff,goto_table:1',
    'table=1,priority=10,metadata=0x5/0xff,dl_vlan=10,tcp,actions=meter:3,pop_vlan,group:5,goto_table:2',
    'table=1,priority=5,metadata=0x5/0xff,udp,actions=group:6,clear_actions',
    'table=2,priority=0,actions=drop',
  );
  return r;
}

describe('runTrace: the text, table by table', () => {
  it('goto_table, write_actions, write_metadata, a meter and a select group', () => {
    const { bridge } = pipelineRig();
    expect(text(bridge, { bridge: 'br0', flow: TCP80 })).toBe([
      FLOW80,
      '',
      'table 0: priority=100,ip,nw_dst=10.0.0.0/8, cookie=0x5',
      '    apply_actions: push_vlan:0x8100,set_field:4106->vlan_vid',
      '        packet now: dl_vlan=10,dl_vlan_pcp=0',
      '    write_actions: output:2',
      '    write_metadata: 0x5/0xff → metadata=0x5',
      '    action set: output:2 (actset_output=2)',
      '    goto_table: 1',
      'table 1: priority=10,tcp,metadata=0x5/0xff,dl_vlan=10',
      '    meter:3 (drop above 1000 kbps; whether a band applies depends on the rate at run time)',
      '    apply_actions: pop_vlan,group:5',
      '        packet now: no VLAN tag',
      // the select hash of this packet picks bucket 2 (deterministic: same key, same bucket)
      '    group 5 (select): bucket 2 of 2 chosen',
      '        bucket 2: output:3',
      '    goto_table: 2',
      'table 2: priority=0 (table-miss entry)',
      '    end of pipeline, action set executed: output:2',
      '',
      'Final: 2 outputs',
      '    output to port 3 (p3), unless meter 3 drops it',
      '    output to port 2 (p2), unless meter 3 drops it',
      '',
    ].join('\n'));
  });

  it('clear_actions and an all group at the end of the pipeline', () => {
    const { bridge } = pipelineRig();
    const t = text(bridge, { bridge: 'br0', flow: 'in_port=2,udp,nw_dst=10.9.9.9,tp_dst=53' });
    expect(t.split('\n').slice(2)).toEqual([
      'table 0: priority=100,ip,nw_dst=10.0.0.0/8, cookie=0x5',
      '    apply_actions: push_vlan:0x8100,set_field:4106->vlan_vid',
      '        packet now: dl_vlan=10,dl_vlan_pcp=0',
      '    write_actions: output:2',
      '    write_metadata: 0x5/0xff → metadata=0x5',
      '    action set: output:2 (actset_output=2)',
      '    goto_table: 1',
      'table 1: priority=5,udp,metadata=0x5/0xff',
      '    apply_actions: group:6',
      '    group 6 (all): all 2 buckets, each on its own copy of the packet',
      '        bucket 1: output:2',
      '        bucket 2: output:3',
      '    clear_actions',
      '    end of pipeline, action set empty',
      '',
      'Final: 2 outputs',
      '    not sent: port 2 (p2) is the in_port (that needs output:IN_PORT)',
      '    output to port 3 (p3)',
      '',
    ]);
  });

  it('a table miss: to the controller through the table-miss entry, or dropped without one', () => {
    const { bridge } = pipelineRig();
    // 10.1.0.1 → 192.168.0.1 misses table 0, which has no table-miss entry
    const miss = 'in_port=1,udp,nw_dst=192.168.0.1';
    expect(text(bridge, { bridge: 'br0', flow: miss }).split('\n').slice(2)).toEqual([
      'table 0: no match, no table-miss entry → drop',
      '',
      'Final: dropped: no match in table 0 and no table-miss entry (OF1.3.5 §5.4)',
      '',
    ]);
    flows(bridge, 'table=0,priority=0,actions=CONTROLLER:65535');
    expect(text(bridge, { bridge: 'br0', flow: miss }).split('\n').slice(2)).toEqual([
      'table 0: priority=0 (table-miss entry)',
      '    apply_actions: CONTROLLER:65535',
      '',
      'Final: to controller (reason no_match, whole packet)',
      '',
    ]);
    flows(bridge, 'table=0,priority=1,arp,actions=CONTROLLER:128');
    expect(text(bridge, { bridge: 'br0', flow: 'in_port=3,arp,arp_op=1' }).split('\n').slice(-2)).toEqual([
      'Final: to controller (reason action, first 128 bytes)', '',
    ]);
  });

  it('a rule without actions ends the pipeline: dropped, and says where', () => {
    const { bridge } = pipelineRig();
    flows(bridge, 'table=0,priority=200,icmp,actions=drop');
    expect(text(bridge, { bridge: 'br0', flow: 'in_port=1,icmp,icmp_type=8' }).split('\n').slice(2)).toEqual([
      'table 0: priority=200,icmp',
      '',
      'Final: dropped: the pipeline ended in table 0 without an output action',
      '',
    ]);
  });

  it('NORMAL names the learned port; FLOOD lists the ports; IN_PORT is the in_port', () => {
    const r = rig(3, { failMode: 'standalone' });
    // host 2 speaks first: NORMAL learns its address on port 2
    r.send(2, ipFrame({ src: MAC(2), dst: MAC(1) }));
    const t = text(r.bridge, { bridge: 'br0', flow: 'in_port=1,ip,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02' });
    expect(t.split('\n').slice(2)).toEqual([
      'table 0: priority=0 (table-miss entry)',
      '    apply_actions: NORMAL',
      '',
      'Final: NORMAL (learning switch): 02:00:00:00:00:02 on VLAN 0 was learned on port 2 (p2) → output there',
      '',
    ]);
    expect(text(r.bridge, { bridge: 'br0', flow: 'in_port=1,ip,dl_dst=02:00:00:00:00:09' }).split('\n').at(-2))
      .toBe('Final: NORMAL (learning switch): 02:00:00:00:00:09 on VLAN 0 is not learned → flooded to port 2 (p2), port 3 (p3)');
    flows(r.bridge, 'priority=10,udp,actions=FLOOD', 'priority=10,tcp,actions=IN_PORT');
    expect(text(r.bridge, { bridge: 'br0', flow: 'in_port=2,udp' }).split('\n').at(-2)).toBe('Final: FLOOD: output to port 1 (p1), port 3 (p3)');
    expect(text(r.bridge, { bridge: 'br0', flow: 'in_port=2,tcp' }).split('\n').at(-2)).toBe('Final: output to the in_port, port 2 (p2)');
  });

  it('NORMAL with access and trunk ports: the in_port\'s VLAN, the ports that carry it, the tags added', () => {
    // p1 access VLAN 10, p2 access VLAN 20, p3 trunk 10,20, p4 access VLAN 10
    const r = rig(4, { failMode: 'standalone' }, [
      { vlanMode: 'access', tag: 10 }, { vlanMode: 'access', tag: 20 }, { vlanMode: 'trunk', trunks: [10, 20] }, { vlanMode: 'access', tag: 10 },
    ]);
    const last = (flow: string) => text(r.bridge, { bridge: 'br0', flow }).split('\n').at(-2);
    expect(last('in_port=1,ip,dl_dst=02:00:00:00:00:09'))
      .toBe('Final: NORMAL (learning switch): 02:00:00:00:00:09 on VLAN 10 is not learned → flooded to port 3 (p3) tagged 10, port 4 (p4)');
    expect(last('in_port=3,dl_vlan=30,ip,dl_dst=02:00:00:00:00:09'))
      .toBe('Final: NORMAL (learning switch): 02:00:00:00:00:09: dropped, the in_port does not carry the packet\'s VLAN');
    r.send(4, ipFrame({ src: MAC(4), dst: MAC(1) })); // learned on p4 in VLAN 10
    expect(last('in_port=3,dl_vlan=10,ip,dl_dst=02:00:00:00:00:04'))
      .toBe('Final: NORMAL (learning switch): 02:00:00:00:00:04 on VLAN 10 was learned on port 4 (p4) → output there');
    expect(last('in_port=2,ip,dl_dst=02:00:00:00:00:04')) // same MAC, VLAN 20: not learned there
      .toBe('Final: NORMAL (learning switch): 02:00:00:00:00:04 on VLAN 20 is not learned → flooded to port 3 (p3) tagged 20');
    r.clock.t += 301_000; // past the 300 s aging
    expect(last('in_port=3,dl_vlan=10,ip,dl_dst=02:00:00:00:00:04')).toMatch(/on VLAN 10 is not learned → flooded/);
  });

  it('--hex gives the same trace as the flow that describes the same bytes; in_port by name', () => {
    const { bridge } = pipelineRig();
    const frame = ipFrame({ proto: 6, srcIp: 0x0a010001, dstIp: 0x0a000002, sport: 0, dport: 80, payload: 0 });
    const byHex = text(bridge, { bridge: 'br0', hex: Buffer.from(frame).toString('hex'), inPort: 'p1' });
    // ipFrame's segment has ACK set: tcp_flags (OF1.5's match field) is part of the flow
    expect(byHex.split('\n')[0]).toBe(FLOW80.replace('tcp_flags=0', 'tcp_flags=ack'));
    expect(byHex).toBe(text(bridge, { bridge: 'br0', flow: `${TCP80},tcp_flags=ack` }));
    const two = text(bridge, { bridge: 'br0', frames: [Buffer.from(frame).toString('hex'), Buffer.from(frame).toString('hex')], inPort: 1 });
    expect(two).toBe(byHex + '\n' + byHex);
  });
});

describe('runTrace: details', () => {
  it('a group in the action set wins over its output (§5.10); a pktps meter; a truncated frame is flagged', () => {
    const r = rig(3);
    const b = r.bridge;
    applied(b.meterMod(must(parseMeter('meter=4,pktps,bands=type=dscp_remark,rate=10,prec_level=1', { command: 'add' }))));
    applied(b.groupMod(must(parseGroup('group_id=7,type=indirect,bucket=output:3', { command: 'add' }))));
    flows(b, 'priority=10,udp,actions=meter:4,write_actions(output:2,group:7)');
    expect(text(b, { flow: 'in_port=1,udp' }).split('\n').slice(2)).toEqual([
      'table 0: priority=10,udp',
      '    meter:4 (dscp_remark by 1 above 10 pktps; whether a band applies depends on the rate at run time)',
      '    write_actions: output:2,group:7',
      '    end of pipeline, action set executed: group:7,output:2 (output ignored: the set has a group)',
      '    group 7 (indirect): its one bucket',
      '        bucket 1: output:3',
      '',
      'Final: output to port 3 (p3), unless meter 4 drops it',
      '',
    ]);
    // Ethernet + IPv4 ethertype + 6 bytes of an IPv4 header: cut short
    const t = text(b, { hex: '020000000002020000000001' + '0800' + '450000280000', inPort: 1 });
    expect(t.split('\n').slice(0, 3)).toEqual([
      'Flow: ip,in_port=1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02',
      '(the frame is truncated or malformed: the datapath drops it and counts it as malformed; below, the tables on the headers before the bad one)',
      '',
    ]);
  });
});

describe('runTrace changes nothing', () => {
  it('rule, group, bucket, meter, table, port, cache and MAC counters stay as they were', () => {
    const r = pipelineRig();
    const b = r.bridge;
    flows(b, 'table=0,priority=1,actions=NORMAL');
    const snapshot = () => JSON.stringify({
      rules: [0, 1, 2].map((t) => [...b.pipeline.table(t).rules()].map((x) => [x.packetCount, x.byteCount, x.lastUsedAt])),
      tables: [0, 1, 2].map((t) => b.pipeline.tableCounters(t)),
      groups: [5, 6].map((g) => { const x = b.pipeline.group(g)!; return [x.packetCount, x.byteCount, x.buckets.map((k) => k.packetCount)]; }),
      meter: b.pipeline.meter(3)!.bands.map((k) => JSON.stringify(k)),
      ports: b.ports().map((p) => p.stats),
      cache: b.cacheStats(),
      dp: b.counters(),
      mac: b.macTable().size,
    });
    // some real traffic first, so that the counters are not all zero
    r.send(1, ipFrame({ proto: 6, dstIp: 0x0a000002, dport: 80 }));
    r.send(2, ipFrame({ src: MAC(7), dstIp: 0xc0a80001 }));
    const before = snapshot();
    expect(before).toMatch(/"lookupCount":[1-9]/);
    for (const flow of [TCP80, 'in_port=2,udp,nw_dst=10.1.1.1', 'in_port=3,ip,dl_src=02:00:00:00:00:33,nw_dst=192.168.1.1']) {
      expect(runTrace(b, { bridge: 'br0', flow })).not.toBeInstanceOf(Error);
    }
    expect(snapshot()).toBe(before);
  });
});

describe('runTrace errors', () => {
  it('names the bad in_port and lists the ports; refuses conflicting or missing input', () => {
    const { bridge } = pipelineRig();
    const msg = (args: Record<string, unknown>) => (runTrace(bridge, args) as Error).message;
    expect(msg({ flow: 'in_port=9,ip' })).toBe('in_port 9: no such port on bridge br0 (ports: 1 p1, 2 p2, 3 p3)');
    expect(msg({ flow: 'in_port=eth7,ip' })).toBe('in_port eth7: no such port on bridge br0 (ports: 1 p1, 2 p2, 3 p3)');
    expect(msg({ flow: 'ip' })).toBe('which port does the packet come in on? Give in_port=N in the flow or --in-port N (ports: 1 p1, 2 p2, 3 p3)');
    expect(msg({ flow: 'in_port=1,ip', inPort: 'p2' })).toBe('the flow says in_port=1 but --in-port says p2');
    expect(msg({ flow: 'ip', hex: '00' })).toBe('trace needs exactly one of a flow, --hex or --pcap');
    expect(msg({ hex: 'abc', inPort: 1 })).toBe('--hex: odd number of hex digits (3)');
    expect(msg({ flow: 'in_port=1,ip,nw_dst=10.0.0.0/8' })).toBe('flow "in_port=1,ip,nw_dst=10.0.0.0/8": nw_dst=10.0.0.0/8 is masked: a trace packet needs one exact value for each field (at column 14)');
  });
});
