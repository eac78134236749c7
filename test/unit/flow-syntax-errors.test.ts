/**
 * Every refusal of the flow, group and meter parsers: the message names the offending
 * token and what was expected, and the column points at that token (1-based).
 */
import { describe, expect, it } from 'vitest';
import { isParseError, parseFlow, parseGroup, parseMeter, type FlowCommand } from '../../src/openflow/syntax/index.js';

type Case = readonly [text: string, message: string, token: string, column: number, command?: FlowCommand, strict?: boolean];

const FLOW_ERRORS: readonly Case[] = [
  // the example of the issue: the column of the bad value
  ['priority=100,ip,nw_dst=10.0.0.300,actions=drop', 'bad value for nw_dst: "10.0.0.300" (at column 24)', '10.0.0.300', 24],
  ['ip,nw_dts=10.0.0.1,actions=drop', 'unknown match field "nw_dts" (did you mean "nw_dst"?)', 'nw_dts', 4],
  ['tpc,actions=drop', 'unknown match field or keyword "tpc" (did you mean "tcp"?)', 'tpc', 1],
  ['priorty=5,actions=drop', 'unknown match field "priorty" (did you mean "priority"?)', 'priorty', 1],
  ['ip=1,actions=drop', 'ip takes no value', 'ip', 1],
  ['send_flow_rem=1,actions=drop', 'send_flow_rem takes no value', 'send_flow_rem', 1],
  ['ip,priority,actions=drop', 'priority needs a value', 'priority', 4],
  ['ip,nw_dst=,actions=drop', 'missing value for nw_dst', 'nw_dst', 4],
  ['table=256,actions=drop', 'bad value for table: "256"', '256', 7],
  ['table=255,actions=drop', 'bad value for table: "255"', '255', 7],
  ['priority=70000,actions=drop', 'bad value for priority: "70000"', '70000', 10],
  ['idle_timeout=-1,actions=drop', 'bad value for idle_timeout: "-1"', '-1', 14],
  ['hard_timeout=x,actions=drop', 'bad value for hard_timeout: "x"', 'x', 14],
  ['cookie=0x10/0xff,actions=drop', 'a new flow cannot have a cookie mask for cookie', '0x10/0xff', 8],
  ['cookie=zz,actions=drop', 'bad value for cookie: "zz"', 'zz', 8],
  ['out_port=1,actions=drop', 'out_port only applies to modify and delete', 'out_port', 1],
  ['out_port=nowhere', 'bad value for out_port: "nowhere"', 'nowhere', 10, 'delete'],
  ['out_group=x', 'bad value for out_group: "x"', 'x', 11, 'delete'],
  ['importance=3,actions=drop', 'importance is OpenFlow 1.4, not available in OpenFlow 1.3', 'importance', 1],
  ['ip,actions=drop', 'a delete takes no actions', 'actions', 4, 'delete'],
  ['ip,nw_dst=10.0.0.1', 'missing actions= (use actions=drop for a flow that drops)', 'ip,nw_dst=10.0.0.1', 19],
  ['dl_vlan=4096,actions=drop', 'bad value for dl_vlan: "4096"', '4096', 9],
  ['dl_vlan_pcp=8,actions=drop', 'bad value for dl_vlan_pcp: "8"', '8', 13],
  ['vlan_tci=0x3005/0x3fff,actions=drop', 'vlan_pcp cannot be partly masked in OpenFlow 1.3, bad value for vlan_tci', '0x3005/0x3fff', 10],
  ['vlan_tci=0x10000,actions=drop', 'bad value for vlan_tci: "0x10000"', '0x10000', 10],
  ['ip,nw_tos=41,actions=drop', 'ECN bits set in value for nw_tos: "41"', '41', 11, 'add', true],
  ['nw_tos=x,actions=drop', 'bad value for nw_tos: "x"', 'x', 8],
  ['ip,tp_dst=80,actions=drop', 'tp_dst needs an L4 protocol in the match', 'tp_dst', 4],
  ['tcp,tcp_dst=80/0xff,actions=drop', 'this field cannot be masked for tcp_dst', '80/0xff', 13],
  ['ip,nw_dst=10.0.0.0/33,actions=drop', 'bad prefix length for nw_dst', '10.0.0.0/33', 11],
  ['ip,nw_dst=10.0.0.0/255.0.0.x,actions=drop', 'bad mask for nw_dst', '10.0.0.0/255.0.0.x', 11],
  ['vlan_vid=1/0xffff,actions=drop', 'bad mask for vlan_vid: "1/0xffff"', '1/0xffff', 10],
  ['ip,nw_proto=6,nw_proto=17,actions=drop', 'conflicting values for ip_proto: "nw_proto=17"', 'nw_proto', 15, 'add', true],
  ['tcp_dst=80,actions=drop', 'tcp_dst needs ip_proto=6 in the match', 'tcp_dst', 1],
  ['udp,tcp_dst=80,actions=drop', 'tcp_dst needs ip_proto=6, but the match has ip_proto=17', 'tcp_dst', 5],
  ['nw_dst=10.0.0.1,actions=drop', 'ipv4_dst needs eth_type=0x0800 in the match', 'ipv4_dst', 1],
  ['dl_vlan=0xffff,dl_vlan_pcp=1,actions=drop', 'vlan_pcp needs a VLAN tag in the match', 'vlan_pcp', 16],
  ['ipv6,nd_target=::1,actions=drop', 'ipv6_nd_target needs icmpv6_type=135 or 136 in the match', 'ipv6_nd_target', 6],
  ['rarp,arp_spa=1.2.3.4,actions=drop', 'arp_spa needs eth_type=0x0806, but the match has eth_type=0x8035', 'arp_spa', 6],
  ['ipv6,ipv6_src=1::2::3,actions=drop', 'bad value for ipv6_src: "1::2::3"', '1::2::3', 15],
  // actions
  ['actions=output:1,(', 'unbalanced parentheses in actions', 'output:1,(', 18],
  ['actions=outptu:1', 'unknown action "outptu" (did you mean "output"?)', 'outptu', 9],
  ['actions=load:1->NXM_OF_IN_PORT[]', 'load is an Open vSwitch NXM extension: use set_field:VALUE->FIELD', 'load', 9],
  ['actions=move:NXM_OF_IN_PORT[]->NXM_NX_REG0[]', 'move is an Open vSwitch NXM extension', 'move', 9],
  ['actions=resubmit(,2)', 'resubmit is an Open vSwitch extension, not OpenFlow: use goto_table:N', 'resubmit(,2)', 9],
  ['actions=resubmit:2', 'resubmit is an Open vSwitch extension', 'resubmit', 9],
  ['actions=learn(table=1)', 'learn is an Open vSwitch extension, not OpenFlow 1.3', 'learn(table=1)', 9],
  ['actions=ct(commit)', 'ct is an Open vSwitch extension, not OpenFlow 1.3', 'ct(commit)', 9],
  ['actions=enqueue:1:2', 'enqueue is OpenFlow 1.0: use set_queue:Q,output:P', 'enqueue', 9],
  // Nicira's NXAST_SET_TUNNEL(64): OF1.3 writes tunnel_id with set-field
  ['actions=set_tunnel:5,output:1', 'set_tunnel is a Nicira extension action; use set_field:5->tun_id', 'set_tunnel', 9],
  ['actions=output:1,set_tunnel64:0x1234567890', 'set_tunnel64 is a Nicira extension action; use set_field:0x1234567890->tun_id', 'set_tunnel64', 18],
  ['actions=write_actions(set_tunnel)', 'set_tunnel is a Nicira extension action; use set_field:V->tun_id', 'set_tunnel', 23],
  ['tun_src=1.2.3.256,actions=drop', 'bad value for tun_src: "1.2.3.256"', '1.2.3.256', 9],
  ['tun_dst=10.0.0.0/33,actions=drop', 'bad prefix length for tun_dst', '10.0.0.0/33', 9],
  ['actions=set_field:1.2.3.4/24->tun_dst', 'set_field takes no mask in OpenFlow 1.3: "1.2.3.4/24"', '1.2.3.4/24', 19],
  ['actions=output:nowhere', 'bad port for output: "nowhere"', 'nowhere', 16],
  // found by the fuzzer: output:ANY parsed, then printed as "ANY", which does not parse back
  ['actions=output:ANY', 'output to ANY: ANY (0xffffffff) wildcards a port in requests, no packet can go to it', 'ANY', 16],
  ['actions=4294967295', 'output to ANY: ANY (0xffffffff) wildcards a port in requests, no packet can go to it', '4294967295', 9],
  // found by the fuzzer: a newline in a token made a two-line message
  ['actions=outp\nut:1', 'unknown action "outp\\x0aut" (did you mean "output"?)', 'outp\nut', 9],
  ['actions=push_vlan:0x10000', 'bad value for push_vlan: "0x10000"', '0x10000', 19],
  ['actions=set_queue', 'missing value for set_queue', 'set_queue', 9],
  ['ip,actions=mod_tp_src:1', 'mod_tp_src needs an L4 protocol in the match', 'mod_tp_src', 12],
  ['actions=set_field:1', 'set_field needs VALUE->FIELD: "1"', '1', 19],
  ['actions=set_field:1->nw_dts', 'unknown field "nw_dts"', 'nw_dts', 22],
  ['actions=set_field:1->in_port', 'in_port cannot be set by set_field (OF1.3.5 §7.2.5)', 'in_port', 22],
  ['actions=set_field:1/1->vlan_pcp', 'set_field takes no mask in OpenFlow 1.3: "1/1"', '1/1', 19],
  ['actions=set_field:9->vlan_pcp', 'bad value for vlan_pcp: "9"', '9', 19],
  ['actions=set_field:1->tp_src', 'tp_src needs an L4 protocol in the match', 'tp_src', 22],
  ['actions=controller:x', 'bad max_len for controller: "x"', 'x', 20],
  ['actions=controller(reason=no_match)', 'only controller(max_len=N) is OpenFlow 1.3', 'controller(reason=no_match)', 9],
  ['actions=set_mpls_ttl(300)', 'bad value for set_mpls_ttl: "set_mpls_ttl(300)"', 'set_mpls_ttl(300)', 9],
  ['actions=output:1,meter:2', 'invalid instruction order: meter must appear before apply_actions', 'meter:2', 18],
  ['actions=goto_table:1,goto_table:2', 'goto_table given twice', 'goto_table:2', 22],
  ['actions=write_actions(goto_table:1)', 'goto_table is an instruction, not allowed inside an action list', 'goto_table', 23],
  ['actions=write_actions(write_actions(output:1))', 'write_actions is an instruction, not allowed inside an action list', 'write_actions(output:1)', 23],
  ['actions=drop,output:1', '"drop" must not be accompanied by any other action or instruction', 'drop', 9],
  ['actions=clear_actions:1', 'bad instruction "clear_actions:1"', 'clear_actions', 9],
  ['actions=write_actions(outptu:1)', 'unknown action "outptu" (did you mean "output"?)', 'outptu', 23],
  ['actions=meter:x', 'bad value for meter: "x"', 'x', 15],
  ['actions=goto_table:255', 'bad value for goto_table: "255"', '255', 20],
  ['actions=write_metadata:1/x', 'bad value for write_metadata: "1/x"', '1/x', 24],
];

describe('parseFlow errors', () => {
  for (const [text, message, token, column, command = 'add', strict = false] of FLOW_ERRORS) {
    it(`${text} → ${message}`, () => {
      const r = parseFlow(text, { command, strict });
      expect(isParseError(r)).toBe(true);
      if (!isParseError(r)) return;
      expect(r.message).toContain(message);
      expect(r.message).toMatch(/\(at column \d+\)$/);
      expect({ token: r.token, column: r.column }).toEqual({ token, column });
    });
  }
});

describe('parseGroup errors', () => {
  const cases: readonly (readonly [string, string, number, ('add' | 'delete')?])[] = [
    ['type=all,bucket=output:1', 'missing group_id=', 1],
    ['group_id=x,type=all', 'bad value for group_id: "x"', 10],
    ['group_id=1,type=selct,bucket=output:1', 'unknown group type "selct" (did you mean "select"?)', 17],
    ['group_id=1,typ=all', 'unknown group keyword "typ" (did you mean "type"?)', 12],
    ['group_id=1,bucket=output:1', 'a group delete takes no buckets', 12, 'delete'],
    ['group_id=1,type=select,bucket=weight:x,output:1', 'bad value for weight: "x"', 38],
    ['group_id=1,type=ff,bucket=watch_port:nowhere,output:1', 'bad value for watch_port: "nowhere"', 38],
    ['group_id=1,type=all,bucket=outptu:1', 'unknown action "outptu" (did you mean "output"?)', 28],
    ['group_id=1,type=all,bucket=actions=meter:1', 'meter is an instruction, not allowed inside an action list', 36],
  ];
  for (const [text, message, column, command = 'add'] of cases) {
    it(`${text} → ${message}`, () => {
      const r = parseGroup(text, { command });
      expect(isParseError(r) && r.message).toContain(message);
      expect(isParseError(r) && r.column).toBe(column);
    });
  }
});

describe('parseMeter errors', () => {
  const cases: readonly (readonly [string, string, number])[] = [
    ['kbps,bands=type=drop,rate=1', 'missing meter=', 1],
    ['meter=x,bands=type=drop,rate=1', 'bad value for meter: "x"', 7],
    ['meter=1,kbsp,bands=type=drop,rate=1', 'unknown meter keyword "kbsp" (did you mean "kbps"?)', 9],
    ['meter=1,bands=type=dorp,rate=1', 'unknown band type "dorp" (did you mean "drop"?)', 20],
    ['meter=1,bands=rate=1', 'a band starts with type=: "bands=rate=1"', 9],
    ['meter=1,bands=type=drop,rate=x', 'bad value for rate: "x"', 30],
    ['meter=1,bands=type=drop,rate=1,colour=red', 'unknown band keyword "colour"', 32],
    ['meter=1,kbps', 'a meter needs bands=type=...,rate=N', 13],
    ['meter=1,bands=type=drop,burst_size=5', 'band type=drop needs rate=', 15],
  ];
  for (const [text, message, column] of cases) {
    it(`${text} → ${message}`, () => {
      const r = parseMeter(text, { command: 'add' });
      expect(isParseError(r) && r.message).toContain(message);
      expect(isParseError(r) && r.column).toBe(column);
    });
  }
});
