/**
 * Formatting: literal expected text (as ovs-ofctl prints it, checked against the real tool
 * in test/interop/flow-syntax-ovs.test.ts) and parse → format → parse round trips over
 * every sample flow, group and meter.
 */
import { describe, expect, it } from 'vitest';
import {
  formatDuration, formatFlow, formatFlowMod, formatGroup, formatInstructions, formatMatch, formatMeter, isParseError,
  parseFlow, parseGroup, parseMeter, type ParseError,
} from '../../src/openflow/syntax/index.js';
import { formatIPv6, parseIPv6 } from '../../src/openflow/syntax/values.js';
import type { FlowMod } from '../../src/pipeline/types.js';
import { FLOWS, GROUPS, METERS } from './flow-syntax-samples.js';

const ok = <T>(r: T | ParseError): T => {
  if (isParseError(r)) throw new Error(r.message);
  return r;
};
const add = (text: string): FlowMod => ok(parseFlow(text, { command: 'add' }));
const entry = (fm: FlowMod) => ({
  cookie: fm.cookie, durationSec: 1, durationNsec: 234_000_000, tableId: fm.tableId, packetCount: 0n, byteCount: 0,
  idleTimeout: fm.idleTimeout, hardTimeout: fm.hardTimeout, priority: fm.priority, flags: fm.flags,
  match: fm.match, instructions: fm.instructions,
});

describe('formatFlow (dump-flows line)', () => {
  it('prints the issue example exactly', () => {
    expect(formatFlow(entry(add('priority=100,ip,nw_dst=10.0.0.0/8,actions=output:2'))))
      .toBe(' cookie=0x0, duration=1.234s, table=0, n_packets=0, n_bytes=0, priority=100,ip,nw_dst=10.0.0.0/8 actions=output:2');
  });
  it('prints timeouts, flags and ages before the match; no space for an empty match', () => {
    const fm = add('cookie=0x1f,table=2,idle_timeout=10,hard_timeout=20,send_flow_rem,no_byte_counts,actions=drop');
    expect(formatFlow({ ...entry(fm), idleAgeSec: 3, hardAgeSec: 4 }))
      .toBe(' cookie=0x1f, duration=1.234s, table=2, n_packets=0, n_bytes=0, idle_timeout=10, hard_timeout=20, send_flow_rem no_byte_counts idle_age=3, hard_age=4, actions=drop');
  });
  it('durations as ovs-ofctl: whole, milliseconds, or exact nanoseconds', () => {
    expect([formatDuration(5, 0), formatDuration(1, 234_000_000), formatDuration(12, 34), formatDuration(0, 500)])
      .toEqual(['5s', '1.234s', '12.000000034s', '0.0000005s']);
  });
});

describe('formatMatch and formatInstructions', () => {
  const m = (text: string) => { const fm = add(text); return formatMatch(fm.match, fm.priority); };
  it('shorthands and ovs-ofctl field order', () => {
    expect(m('nw_proto=6,dl_type=0x0800,actions=drop')).toBe('tcp');
    expect(m('ip,nw_proto=47,actions=drop')).toBe('ip,nw_proto=47');
    expect(m('ipv6,nw_proto=17,nw_tos=4,actions=drop')).toBe('udp6,nw_tos=4');
    expect(m('arp,arp_tha=00:00:00:00:00:01,arp_op=1,arp_spa=10.0.0.1,actions=drop')).toBe('arp,arp_spa=10.0.0.1,arp_op=1,arp_tha=00:00:00:00:00:01');
    expect(m('tcp,tcp_dst=80,in_port=1,dl_dst=00:11:22:00:00:00/ff:ff:ff:00:00:00,nw_dst=10.0.0.0/8,priority=1000,actions=drop'))
      .toBe('priority=1000,tcp,in_port=1,dl_dst=00:11:22:00:00:00/ff:ff:ff:00:00:00,nw_dst=10.0.0.0/8,tp_dst=80');
    expect(m('dl_type=0x88cc,actions=drop')).toBe('dl_type=0x88cc');
    expect(m('actions=drop')).toBe('');
  });
  it('VLAN in the TCI view of ovs-ofctl', () => {
    expect(m('dl_vlan=10,dl_vlan_pcp=3,actions=drop')).toBe('dl_vlan=10,dl_vlan_pcp=3');
    expect(m('vlan_pcp=2,actions=drop')).toBe('dl_vlan_pcp=2');
    expect(m('vlan_vid=10,actions=drop')).toBe('vlan_tci=0x000a/0x1fff');
    expect(m('vlan_vid=0x1000/0x1000,actions=drop')).toBe('vlan_tci=0x1000/0x1000');
    expect(m('dl_vlan=0xffff,actions=drop')).toBe('vlan_tci=0x0000/0x1fff');
  });
  it('hex identifiers, IPv6 text and labels, non-prefix masks', () => {
    expect(m('tun_id=0x5/0xff,metadata=16,actions=drop')).toBe('tun_id=0x5/0xff,metadata=0x10');
    expect(m('ipv6,ipv6_src=2001:DB8:0:0:0:0:0:1,ipv6_dst=fe80::/ffff::,ipv6_label=5,actions=drop'))
      .toBe('ipv6,ipv6_src=2001:db8::1,ipv6_dst=fe80::/16,ipv6_label=0x00005');
    expect(m('ip,nw_src=1.2.3.4/0.255.0.255,actions=drop')).toBe('ip,nw_src=0.2.0.4/0.255.0.255');
    expect(m('dl_type=0x88e7,pbb_isid=0x10,actions=drop')).toBe('dl_type=0x88e7,pbb_isid=0x10');
  });
  it('instructions: drop for none, full write_metadata mask omitted', () => {
    expect(formatInstructions([])).toBe('drop');
    expect(formatInstructions([{ type: 'goto_table', tableId: 2 }, { type: 'write_metadata', metadata: 1n, mask: 0xffffffffffffffffn }, { type: 'meter', meterId: 3 }]))
      .toBe('meter:3,write_metadata:0x1,goto_table:2');
    expect(formatInstructions(add('actions=output:CONTROLLER,in_port,mod_nw_ttl:3,set_mpls_ttl:4,copy_ttl_in').instructions))
      .toBe('CONTROLLER:65535,IN_PORT,mod_nw_ttl:3,set_mpls_ttl(4),copy_ttl_in');
  });
});

describe('groups and meters', () => {
  it('formatGroup and formatMeter literal text', () => {
    expect(formatGroup(ok(parseGroup('group_id=1,type=select,bucket=weight:10,output:1,bucket=output:2', { command: 'add' }))))
      .toBe('group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=actions=output:2');
    expect(formatMeter(ok(parseMeter('meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100', { command: 'add' }))))
      .toBe('meter=1 kbps burst stats bands=\ntype=drop rate=1000 burst_size=100');
  });
});

describe('round trips', () => {
  for (const text of FLOWS) {
    it(`flow: ${text}`, () => {
      const fm = add(text);
      expect(add(formatFlowMod(fm))).toEqual(fm);
      // A dump-flows line reads back as the same rule.
      const again = add(formatFlow(entry(fm)));
      expect(again).toEqual(fm);
    });
  }
  it('delete with cookie mask, out_port and out_group', () => {
    const fm = ok(parseFlow('cookie=0x10/0xf0,out_port=2,out_group=3,table=4,tcp,tp_dst=22', { command: 'delete_strict' }));
    expect(ok(parseFlow(formatFlowMod(fm), { command: 'delete_strict' }))).toEqual(fm);
  });
  for (const text of GROUPS) {
    it(`group: ${text}`, () => {
      const g = ok(parseGroup(text, { command: 'add' }));
      expect(ok(parseGroup(formatGroup(g), { command: 'add' }))).toEqual(g);
    });
  }
  for (const text of METERS) {
    it(`meter: ${text}`, () => {
      const mm = ok(parseMeter(text, { command: 'add' }));
      expect(ok(parseMeter(formatMeter(mm), { command: 'add' }))).toEqual(mm);
    });
  }
});

describe('IPv6 text (RFC 4291 §2.2, RFC 5952)', () => {
  it('parses compressed, full and dotted-quad forms, refuses malformed ones', () => {
    expect([...parseIPv6('::ffff:1.2.3.4')!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect([...parseIPv6('1:2:3:4:5:6:7:8')!]).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7::8']) expect(parseIPv6(bad)).toBeUndefined();
  });
  it('prints the longest zero run compressed, a lone zero group not', () => {
    expect(formatIPv6(parseIPv6('2001:db8:0:0:1:0:0:0')!)).toBe('2001:db8:0:0:1::');
    expect(formatIPv6(parseIPv6('1:0:2:3:4:5:6:7')!)).toBe('1:0:2:3:4:5:6:7');
    expect(formatIPv6(new Uint8Array(16))).toBe('::');
  });
});
