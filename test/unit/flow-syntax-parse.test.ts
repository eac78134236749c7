/**
 * parseFlow / parseGroup / parseMeter against literal expected values: the bytes and
 * numbers come from the spec (OF1.3.5 §7.2.3.7/8) and from what ovs-ofctl encodes for the
 * same text (see test/interop/flow-syntax-ovs.test.ts), not from our own formatter.
 */
import { describe, expect, it } from 'vitest';
import { isParseError, parseFlow, parseGroup, parseMeter, type ParseError } from '../../src/openflow/syntax/index.js';
import type { FlowMod, GroupMod, MeterMod } from '../../src/pipeline/types.js';
import {
  OFPCML_NO_BUFFER, OFPFC_DELETE, OFPFC_MODIFY_STRICT, OFPFF_CHECK_OVERLAP, OFPFF_SEND_FLOW_REM, OFPG_ANY, OFPGT_FF,
  OFPGT_SELECT, OFPMF_BURST, OFPMF_KBPS, OFPMF_PKTPS, OFPP_ANY, OFPP_CONTROLLER, OFPP_LOCAL, OFPP_NORMAL, OFPTT_ALL,
} from '../../src/pipeline/types.js';

const ok = <T>(r: T | ParseError): T => {
  if (isParseError(r)) throw new Error(r.message);
  return r;
};
const add = (text: string, strict = false): FlowMod => ok(parseFlow(text, { command: 'add', strict }));
const fields = (fm: FlowMod) => fm.match.map((f) => ({ field: f.field, value: [...f.value], ...(f.mask ? { mask: [...f.mask] } : {}) }));

describe('parseFlow: flow fields', () => {
  it('reads priority, table, cookie, timeouts and flags', () => {
    const fm = add('table=3,priority=100,cookie=0x1234,idle_timeout=30,hard_timeout=300,send_flow_rem,check_overlap,actions=drop');
    expect(fm).toMatchObject({ tableId: 3, priority: 100, cookie: 0x1234n, cookieMask: 0n, idleTimeout: 30, hardTimeout: 300 });
    expect(fm.flags).toBe(OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP);
    expect(fm.instructions).toEqual([]);
  });
  it('uses ovs-ofctl defaults', () => {
    const fm = add('actions=drop');
    expect(fm).toMatchObject({ priority: 0x8000, tableId: 0, outPort: OFPP_ANY, outGroup: OFPG_ANY, match: [] });
  });
  it('delete: all tables, cookie mask, out_port and out_group, no actions', () => {
    const fm = ok(parseFlow('cookie=0x1f/0xf0,out_port=LOCAL,out_group=7,ip', { command: 'delete' }));
    expect(fm).toMatchObject({ command: OFPFC_DELETE, tableId: OFPTT_ALL, cookie: 0x10n, cookieMask: 0xf0n, outPort: OFPP_LOCAL, outGroup: 7 });
    expect(fm.instructions).toEqual([]);
    // -1 is ovs-ofctl's way to write the all-ones mask
    expect(ok(parseFlow('cookie=0x1f/-1,ip', { command: 'delete' }))).toMatchObject({ cookie: 0x1fn, cookieMask: 0xffffffffffffffffn });
  });
  it('modify_strict keeps its command', () => {
    expect(ok(parseFlow('ip,actions=drop', { command: 'modify_strict' })).command).toBe(OFPFC_MODIFY_STRICT);
  });
  it('ignores the statistics of a pasted dump-flows line', () => {
    const fm = add(' cookie=0x5, duration=1.234s, table=2, n_packets=7, n_bytes=700, idle_age=3, priority=9,ip actions=output:2');
    expect(fm).toMatchObject({ cookie: 5n, tableId: 2, priority: 9 });
    expect(fields(fm)).toEqual([{ field: 5, value: [8, 0] }]);
  });
});

describe('parseFlow: match fields', () => {
  it('ip + CIDR prefix', () => {
    expect(fields(add('ip,nw_dst=10.0.0.0/8,actions=drop'))).toEqual([
      { field: 5, value: [0x08, 0x00] }, { field: 12, value: [10, 0, 0, 0], mask: [255, 0, 0, 0] },
    ]);
  });
  it('dotted mask, value ANDed with the mask (OF1.3.5 §7.2.3.5)', () => {
    expect(fields(add('ip,nw_src=1.2.3.4/0.255.0.255,actions=drop'))[1]).toEqual({ field: 11, value: [0, 2, 0, 4], mask: [0, 255, 0, 255] });
  });
  it('a /32 mask is exact and a /0 mask drops the field', () => {
    expect(fields(add('ip,nw_src=1.2.3.4/32,nw_dst=5.6.7.8/0,actions=drop'))).toEqual([
      { field: 5, value: [8, 0] }, { field: 11, value: [1, 2, 3, 4] },
    ]);
  });
  it('shorthands add eth_type and ip_proto, sorted by OXM id', () => {
    expect(fields(add('tcp6,tp_dst=443,actions=drop'))).toEqual([
      { field: 5, value: [0x86, 0xdd] }, { field: 10, value: [6] }, { field: 14, value: [1, 187] },
    ]);
    expect(fields(add('sctp,tp_src=5,actions=drop')).map((f) => f.field)).toEqual([5, 10, 17]);
    expect(fields(add('udp,udp_dst=53,actions=drop')).map((f) => f.field)).toEqual([5, 10, 16]);
    expect(fields(add('mplsm,actions=drop'))).toEqual([{ field: 5, value: [0x88, 0x48] }]);
  });
  it('icmp_type means icmpv4_type under icmp and icmpv6_type under icmp6', () => {
    expect(fields(add('icmp,icmp_type=8,actions=drop'))[2]).toEqual({ field: 19, value: [8] });
    expect(fields(add('icmp6,icmp_type=135,nd_target=fe80::1,actions=drop')).slice(2)).toEqual([
      { field: 29, value: [135] }, { field: 31, value: [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
    ]);
  });
  it('nw_src and nw_proto mean arp_spa and arp_op under arp', () => {
    expect(fields(add('arp,nw_src=10.0.0.1,nw_proto=2,actions=drop'))).toEqual([
      { field: 5, value: [8, 6] }, { field: 21, value: [0, 2] }, { field: 22, value: [10, 0, 0, 1] },
    ]);
  });
  it('VLAN: dl_vlan sets OFPVID_PRESENT, 0xffff is "no tag", a PCP implies a tag (OF1.3.5 §7.2.3.8)', () => {
    expect(fields(add('dl_vlan=10,actions=drop'))).toEqual([{ field: 6, value: [0x10, 0x0a] }]);
    expect(fields(add('dl_vlan=0xffff,actions=drop'))).toEqual([{ field: 6, value: [0, 0] }]);
    expect(fields(add('vlan_vid=10,actions=drop'))).toEqual([{ field: 6, value: [0, 10] }]);
    expect(fields(add('dl_vlan_pcp=5,actions=drop'))).toEqual([{ field: 6, value: [0x10, 0], mask: [0x10, 0] }, { field: 7, value: [5] }]);
    expect(fields(add('vlan_tci=0x1005,actions=drop'))).toEqual([{ field: 6, value: [0x10, 5] }, { field: 7, value: [0] }]);
    expect(fields(add('vlan_tci=0x1000/0x1000,actions=drop'))).toEqual([{ field: 6, value: [0x10, 0], mask: [0x10, 0] }]);
  });
  it('nw_tos is the ToS byte (dscp << 2); ip_dscp and nw_ecn are direct', () => {
    expect(fields(add('ip,nw_tos=40,nw_ecn=2,actions=drop')).slice(1)).toEqual([{ field: 8, value: [10] }, { field: 9, value: [2] }]);
    expect(fields(add('ip,ip_dscp=63,actions=drop'))[1]).toEqual({ field: 8, value: [63] });
  });
  it('MAC masks, IPv6 prefixes and labels, metadata, tun_id, MPLS, PBB', () => {
    expect(fields(add('dl_src=00:11:22:33:44:55/ff:ff:ff:00:00:00,actions=drop'))).toEqual([
      { field: 4, value: [0, 0x11, 0x22, 0, 0, 0], mask: [255, 255, 255, 0, 0, 0] },
    ]);
    const v6 = fields(add('ipv6,ipv6_src=2001:db8::/32,ipv6_label=0x12345,actions=drop'));
    expect(v6[1]).toEqual({ field: 26, value: [0x20, 1, 0x0d, 0xb8, ...new Array(12).fill(0)], mask: [255, 255, 255, 255, ...new Array(12).fill(0)] });
    expect(v6[2]).toEqual({ field: 28, value: [0, 1, 0x23, 0x45] });
    expect(fields(add('metadata=0x10/0xf0,tun_id=5,actions=drop'))).toEqual([
      { field: 2, value: [0, 0, 0, 0, 0, 0, 0, 0x10], mask: [0, 0, 0, 0, 0, 0, 0, 0xf0] },
      { field: 38, value: [0, 0, 0, 0, 0, 0, 0, 5] },
    ]);
    expect(fields(add('mpls,mpls_label=5,mpls_tc=2,mpls_bos=1,actions=drop')).slice(1)).toEqual([
      { field: 34, value: [0, 0, 0, 5] }, { field: 35, value: [2] }, { field: 36, value: [1] },
    ]);
    expect(fields(add('dl_type=0x88e7,pbb_isid=0x123456,actions=drop'))[1]).toEqual({ field: 37, value: [0x12, 0x34, 0x56] });
  });
  it('in_port by number or reserved name', () => {
    expect(fields(add('in_port=LOCAL,actions=drop'))).toEqual([{ field: 0, value: [0xff, 0xff, 0xff, 0xfe] }]);
    expect(fields(add('in_port=7,actions=drop'))).toEqual([{ field: 0, value: [0, 0, 0, 7] }]);
  });
  it('a repeated field: last wins (ovs-ofctl), unless strict and different', () => {
    expect(fields(add('ip,nw_proto=6,nw_proto=17,actions=drop'))[1]).toEqual({ field: 10, value: [17] });
    expect(fields(add('ip,dl_type=0x0800,actions=drop', true))).toEqual([{ field: 5, value: [8, 0] }]);
  });
});

describe('parseFlow: actions and instructions', () => {
  const instr = (text: string) => add(text).instructions;
  it('outputs: numbers, reserved names, controller max_len', () => {
    expect(instr('actions=2,output:3,normal,output:CONTROLLER,controller,controller:100,controller(max_len=200)')).toEqual([{
      type: 'apply_actions', actions: [
        { type: 'output', port: 2, maxLen: 0 }, { type: 'output', port: 3, maxLen: 0 }, { type: 'output', port: OFPP_NORMAL, maxLen: 0 },
        { type: 'output', port: OFPP_CONTROLLER, maxLen: OFPCML_NO_BUFFER }, { type: 'output', port: OFPP_CONTROLLER, maxLen: OFPCML_NO_BUFFER },
        { type: 'output', port: OFPP_CONTROLLER, maxLen: 100 }, { type: 'output', port: OFPP_CONTROLLER, maxLen: 200 },
      ],
    }]);
  });
  it('OF1.0 mod_* actions become set-field as ovs-ofctl -O OpenFlow13 encodes them', () => {
    // untagged match: ovs-ofctl pushes a tag before mod_vlan_vid ("push_vlan_if_needed")
    const [apply] = instr('tcp,actions=mod_vlan_vid:20,mod_vlan_pcp:2,mod_nw_tos:16,mod_tp_dst:81,mod_dl_src:00:11:22:33:44:55');
    expect(apply).toEqual({ type: 'apply_actions', actions: [
      { type: 'push_vlan', ethertype: 0x8100 },
      { type: 'set_field', field: { field: 6, value: Uint8Array.from([0x10, 0x14]) } },
      { type: 'set_field', field: { field: 7, value: Uint8Array.from([2]) } },
      { type: 'set_field', field: { field: 8, value: Uint8Array.from([4]) } },
      { type: 'set_field', field: { field: 14, value: Uint8Array.from([0, 81]) } },
      { type: 'set_field', field: { field: 4, value: Uint8Array.from([0, 0x11, 0x22, 0x33, 0x44, 0x55]) } },
    ] });
  });
  it('mod_tp_src follows the match protocol', () => {
    const act = (t: string) => (add(t).instructions[0] as unknown as { actions: { field: { field: number } }[] }).actions[0]!.field.field;
    expect(act('udp,actions=mod_tp_src:1')).toBe(15);
    expect(act('sctp6,actions=mod_tp_src:1')).toBe(17);
  });
  it('tag and TTL actions', () => {
    expect(instr('actions=push_vlan:0x8100,strip_vlan,pop_vlan,push_mpls:0x8847,pop_mpls:0x0800,dec_ttl,mod_nw_ttl:9,set_mpls_ttl:5,set_mpls_ttl(6),dec_mpls_ttl,copy_ttl_in,copy_ttl_out,set_queue:3,group:4')[0])
      .toEqual({ type: 'apply_actions', actions: [
        { type: 'push_vlan', ethertype: 0x8100 }, { type: 'pop_vlan' }, { type: 'pop_vlan' }, { type: 'push_mpls', ethertype: 0x8847 },
        { type: 'pop_mpls', ethertype: 0x0800 }, { type: 'dec_nw_ttl' }, { type: 'set_nw_ttl', ttl: 9 }, { type: 'set_mpls_ttl', ttl: 5 },
        { type: 'set_mpls_ttl', ttl: 6 }, { type: 'dec_mpls_ttl' }, { type: 'copy_ttl_in' }, { type: 'copy_ttl_out' },
        { type: 'set_queue', queueId: 3 }, { type: 'group', groupId: 4 },
      ] });
  });
  it('instructions in OF1.3.5 §5.9 order', () => {
    expect(instr('actions=meter:1,output:1,clear_actions,write_actions(output:2,group:3),write_metadata:0x5,goto_table:9')).toEqual([
      { type: 'meter', meterId: 1 },
      { type: 'apply_actions', actions: [{ type: 'output', port: 1, maxLen: 0 }] },
      { type: 'clear_actions' },
      { type: 'write_actions', actions: [{ type: 'output', port: 2, maxLen: 0 }, { type: 'group', groupId: 3 }] },
      { type: 'write_metadata', metadata: 5n, mask: 0xffffffffffffffffn },
      { type: 'goto_table', tableId: 9 },
    ]);
    expect(instr('actions=write_metadata:0x1f/0xf0')).toEqual([{ type: 'write_metadata', metadata: 0x10n, mask: 0xf0n }]);
  });
  it('set_field with OXM and Open vSwitch names', () => {
    const [apply] = instr('ip,actions=set_field:1.2.3.4->nw_src,set_field:10->ip_dscp,set_field:5->tun_id');
    expect(apply).toEqual({ type: 'apply_actions', actions: [
      { type: 'set_field', field: { field: 11, value: Uint8Array.from([1, 2, 3, 4]) } },
      { type: 'set_field', field: { field: 8, value: Uint8Array.from([10]) } },
      { type: 'set_field', field: { field: 38, value: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 5]) } },
    ] });
  });
});

describe('parseGroup and parseMeter', () => {
  it('select group with weights (default weight 1)', () => {
    const g: GroupMod = ok(parseGroup('group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=output:2', { command: 'add' }));
    expect(g).toEqual({ command: 0, type: OFPGT_SELECT, groupId: 1, buckets: [
      { weight: 10, watchPort: OFPP_ANY, watchGroup: OFPG_ANY, actions: [{ type: 'output', port: 1, maxLen: 0 }] },
      { weight: 1, watchPort: OFPP_ANY, watchGroup: OFPG_ANY, actions: [{ type: 'output', port: 2, maxLen: 0 }] },
    ] });
  });
  it('fast-failover watch port and group; delete without buckets', () => {
    const g = ok(parseGroup('group_id=3,type=ff,bucket=watch_port:1,watch_group:5,actions=output:1', { command: 'modify' }));
    expect(g).toMatchObject({ command: 1, type: OFPGT_FF, buckets: [{ weight: 0, watchPort: 1, watchGroup: 5 }] });
    expect(ok(parseGroup('group_id=all', { command: 'delete' }))).toEqual({ command: 2, type: 0, groupId: 0xfffffffc, buckets: [] });
  });
  it('meters: flags, bands, kbps by default, dump-meters layout accepted', () => {
    const m: MeterMod = ok(parseMeter('meter=1,burst,bands=type=drop,rate=1000,burst_size=100,type=dscp_remark,rate=2000,prec_level=1', { command: 'add' }));
    expect(m).toEqual({ command: 0, flags: OFPMF_KBPS | OFPMF_BURST, meterId: 1, bands: [
      { type: 'drop', rate: 1000, burstSize: 100 }, { type: 'dscp_remark', rate: 2000, burstSize: 0, precLevel: 1 },
    ] });
    expect(ok(parseMeter('meter=2 pktps bands=\ntype=drop rate=10', { command: 'modify' })))
      .toEqual({ command: 1, flags: OFPMF_PKTPS, meterId: 2, bands: [{ type: 'drop', rate: 10, burstSize: 0 }] });
  });
});
