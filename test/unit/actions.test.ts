import { describe, expect, it } from 'vitest';
import { validateActions, type ActionContext } from '../../src/pipeline/actions.js';
import { ActionSet } from '../../src/pipeline/action-set.js';
import { validateInstructions, type InstructionContext } from '../../src/pipeline/instructions.js';
import * as E from '../../src/pipeline/errors.js';
import { OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IP_PROTO, OFPXMT_OFB_VLAN_VID, oxmFieldByName } from '../../src/packet/oxm.js';
import { lenientShape, shapeFromMatch } from '../../src/pipeline/shape.js';
import {
  OFPCML_MAX, OFPCML_NO_BUFFER, OFPP_ALL, OFPP_ANY, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_IN_PORT,
  OFPP_LOCAL, OFPP_MAX, OFPP_NORMAL, OFPP_TABLE, type Action, type Instruction, type Match, type OxmField,
} from '../../src/pipeline/types.js';

const ctx: ActionContext = { portExists: (p) => p >= 1 && p <= 8, groupExists: (g) => g === 1 };
const ictx: InstructionContext = { ...ctx, tableId: 0, nTables: 4, meterExists: (m) => m === 5 };

const u16 = (v: number) => new Uint8Array([v >> 8, v & 0xff]);
const sf = (name: string, value: Uint8Array, mask?: Uint8Array): Action => {
  const field: OxmField = mask ? { field: oxmFieldByName(name)!.id, value, mask } : { field: oxmFieldByName(name)!.id, value };
  return { type: 'set_field', field };
};
const ETH_IP: Match = [{ field: OFPXMT_OFB_ETH_TYPE, value: u16(0x0800) }];
const TCP: Match = [...ETH_IP, { field: OFPXMT_OFB_IP_PROTO, value: new Uint8Array([6]) }];
const VLAN: Match = [{ field: OFPXMT_OFB_VLAN_VID, value: u16(0x1000 | 10) }];
const MPLS: Match = [{ field: OFPXMT_OFB_ETH_TYPE, value: u16(0x8847) }];

function check(actions: Action[], match: Match = []): [number, number] | null {
  const e = validateActions(actions, ctx, shapeFromMatch(match));
  return e === null ? null : [e.type, e.code];
}
const BAC = (code: number): [number, number] => [E.OFPET_BAD_ACTION, code];

describe('action validation (OF1.3.5 §7.2.5)', () => {
  it('output: port 0, OFPP_ANY, unknown and non-existent ports are BAD_OUT_PORT', () => {
    for (const port of [0, OFPP_ANY, OFPP_MAX + 1, 0xfffffff7, 9, OFPP_TABLE]) {
      expect(check([{ type: 'output', port, maxLen: 0 }])).toEqual(BAC(E.OFPBAC_BAD_OUT_PORT));
    }
  });
  it('output: existing ports and reserved ports are valid; TABLE only in packet-out', () => {
    for (const port of [1, 8, OFPP_IN_PORT, OFPP_NORMAL, OFPP_FLOOD, OFPP_ALL, OFPP_CONTROLLER, OFPP_LOCAL]) {
      expect(check([{ type: 'output', port, maxLen: 128 }])).toBeNull();
    }
    expect(validateActions([{ type: 'output', port: OFPP_TABLE, maxLen: 0 }], { ...ctx, packetOut: true }, lenientShape())).toBeNull();
  });
  it('output CONTROLLER: max_len above OFPCML_MAX unless NO_BUFFER is BAD_ARGUMENT', () => {
    expect(check([{ type: 'output', port: OFPP_CONTROLLER, maxLen: OFPCML_MAX }])).toBeNull();
    expect(check([{ type: 'output', port: OFPP_CONTROLLER, maxLen: OFPCML_NO_BUFFER }])).toBeNull();
    expect(check([{ type: 'output', port: OFPP_CONTROLLER, maxLen: OFPCML_MAX + 1 }])).toEqual(BAC(E.OFPBAC_BAD_ARGUMENT));
  });
  it('group: missing group is BAD_OUT_GROUP', () => {
    expect(check([{ type: 'group', groupId: 1 }])).toBeNull();
    expect(check([{ type: 'group', groupId: 2 }])).toEqual(BAC(E.OFPBAC_BAD_OUT_GROUP));
  });
  it('set_field: type, length, mask and value errors', () => {
    expect(check([sf('in_port', new Uint8Array(4))])).toEqual(BAC(E.OFPBAC_BAD_SET_TYPE));
    expect(check([sf('metadata', new Uint8Array(8))])).toEqual(BAC(E.OFPBAC_BAD_SET_TYPE));
    expect(check([{ type: 'set_field', field: { field: 77, value: new Uint8Array(2) } }])).toEqual(BAC(E.OFPBAC_BAD_SET_TYPE));
    expect(check([sf('eth_dst', new Uint8Array(4))])).toEqual(BAC(E.OFPBAC_BAD_SET_LEN));
    expect(check([sf('eth_dst', new Uint8Array(6), new Uint8Array(6).fill(0xff))])).toEqual(BAC(E.OFPBAC_BAD_SET_ARGUMENT));
    expect(check([sf('ip_dscp', new Uint8Array([64])), ], ETH_IP)).toEqual(BAC(E.OFPBAC_BAD_SET_ARGUMENT));
    expect(check([sf('ip_dscp', new Uint8Array([63]))], ETH_IP)).toBeNull();
    expect(check([sf('eth_dst', new Uint8Array(6))])).toBeNull();
  });
  it('set_field: prerequisites must be guaranteed by the match (MATCH_INCONSISTENT)', () => {
    expect(check([sf('tcp_dst', u16(80))], ETH_IP)).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([sf('tcp_dst', u16(80))], TCP)).toBeNull();
    expect(check([sf('udp_dst', u16(80))], TCP)).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([sf('ipv4_dst', new Uint8Array(4))], [])).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([sf('vlan_vid', u16(0x1005))], [])).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([sf('vlan_vid', u16(0x1005))], VLAN)).toBeNull();
    expect(check([sf('vlan_pcp', new Uint8Array([3]))], VLAN)).toBeNull();
  });
  it('tracks the packet through push/pop like OVS', () => {
    expect(check([{ type: 'push_vlan', ethertype: 0x8100 }, sf('vlan_vid', u16(0x1005))])).toBeNull();
    expect(check([{ type: 'pop_vlan' }])).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([{ type: 'pop_vlan' }], VLAN)).toBeNull();
    expect(check([{ type: 'pop_vlan' }, { type: 'pop_vlan' }], VLAN)).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([{ type: 'pop_mpls', ethertype: 0x0800 }])).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([{ type: 'pop_mpls', ethertype: 0x0800 }, sf('ipv4_dst', new Uint8Array(4))], MPLS)).toBeNull();
    expect(check([{ type: 'pop_mpls', ethertype: 0x0800 }, { type: 'dec_nw_ttl' }], MPLS)).toBeNull();
    expect(check([{ type: 'push_mpls', ethertype: 0x8847 }, { type: 'set_mpls_ttl', ttl: 9 }], ETH_IP)).toBeNull();
    expect(check([{ type: 'push_mpls', ethertype: 0x8847 }, { type: 'dec_nw_ttl' }], ETH_IP)).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([{ type: 'dec_mpls_ttl' }], ETH_IP)).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([{ type: 'dec_nw_ttl' }], [])).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(check([{ type: 'push_pbb', ethertype: 0x88e7 }, sf('pbb_isid', new Uint8Array([0, 0, 7]))])).toBeNull();
    expect(check([{ type: 'pop_pbb' }])).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
  });
  it('push ethertypes are checked (BAD_ARGUMENT)', () => {
    expect(check([{ type: 'push_vlan', ethertype: 0x88a8 }])).toBeNull();
    expect(check([{ type: 'push_vlan', ethertype: 0x0800 }])).toEqual(BAC(E.OFPBAC_BAD_ARGUMENT));
    expect(check([{ type: 'push_mpls', ethertype: 0x8848 }])).toBeNull();
    expect(check([{ type: 'push_mpls', ethertype: 0x8100 }])).toEqual(BAC(E.OFPBAC_BAD_ARGUMENT));
    expect(check([{ type: 'push_pbb', ethertype: 0x8100 }])).toEqual(BAC(E.OFPBAC_BAD_ARGUMENT));
  });
  it('set_queue is fine, experimenter is BAD_EXPERIMENTER', () => {
    expect(check([{ type: 'set_queue', queueId: 3 }])).toBeNull();
    expect(check([{ type: 'experimenter', experimenter: 0x2320, data: new Uint8Array() }])).toEqual(BAC(E.OFPBAC_BAD_EXPERIMENTER));
  });
});

describe('action set (OF1.3.5 §5.10)', () => {
  it('executes in spec order whatever the write order', () => {
    const s = ActionSet.EMPTY.write([
      { type: 'output', port: 2, maxLen: 0 },
      sf('vlan_vid', u16(0x1007)),
      { type: 'set_queue', queueId: 1 },
      { type: 'push_vlan', ethertype: 0x8100 },
      { type: 'dec_nw_ttl' },
      { type: 'copy_ttl_out' },
      { type: 'push_mpls', ethertype: 0x8847 },
      { type: 'pop_vlan' },
      { type: 'copy_ttl_in' },
      { type: 'push_pbb', ethertype: 0x88e7 },
    ]);
    expect(s.list().map((a) => a.type)).toEqual([
      'copy_ttl_in', 'pop_vlan', 'push_mpls', 'push_pbb', 'push_vlan', 'copy_ttl_out', 'dec_nw_ttl',
      'set_field', 'set_queue', 'output',
    ]);
  });
  it('keeps one action per type and one set_field per field: the later one replaces', () => {
    const s = ActionSet.EMPTY
      .write([{ type: 'output', port: 1, maxLen: 0 }, sf('eth_dst', new Uint8Array(6).fill(1))])
      .write([{ type: 'output', port: 3, maxLen: 0 }, sf('eth_src', new Uint8Array(6).fill(2))])
      .write([sf('eth_dst', new Uint8Array(6).fill(9))]);
    const acts = s.list();
    expect(acts.filter((a) => a.type === 'output')).toEqual([{ type: 'output', port: 3, maxLen: 0 }]);
    const sets = acts.filter((a) => a.type === 'set_field');
    expect(sets).toHaveLength(2);
    expect(sets.map((a) => (a.type === 'set_field' ? a.field.value[0] : -1)).sort()).toEqual([2, 9]);
  });
  it('within one write_actions, a duplicate type keeps the last', () => {
    const s = ActionSet.EMPTY.write([{ type: 'output', port: 1, maxLen: 0 }, { type: 'output', port: 4, maxLen: 0 }]);
    expect(s.list()).toEqual([{ type: 'output', port: 4, maxLen: 0 }]);
  });
  it('output is ignored when a group is present; clear empties; immutable', () => {
    const a = ActionSet.EMPTY.write([{ type: 'output', port: 1, maxLen: 0 }]);
    const b = a.write([{ type: 'group', groupId: 1 }]);
    expect(a.toExecute().map((x) => x.type)).toEqual(['output']);
    expect(b.toExecute().map((x) => x.type)).toEqual(['group']);
    expect(b.list().map((x) => x.type)).toEqual(['group', 'output']);
    expect(b.clear().size).toBe(0);
    expect(a.size).toBe(1);
  });
});

describe('instruction validation (OF1.3.5 §5.9, §7.2.4)', () => {
  const v = (insts: Instruction[], match: Match = [], c: InstructionContext = ictx) => {
    const e = validateInstructions(insts, match, c);
    return e === null ? null : [e.type, e.code];
  };
  it('duplicate instruction types are UNSUP_INST', () => {
    expect(v([{ type: 'clear_actions' }, { type: 'clear_actions' }])).toEqual([E.OFPET_BAD_INSTRUCTION, E.OFPBIC_UNSUP_INST]);
  });
  it('goto_table must move forward and stay within the tables', () => {
    expect(v([{ type: 'goto_table', tableId: 1 }])).toBeNull();
    expect(v([{ type: 'goto_table', tableId: 3 }])).toBeNull();
    const bad = [E.OFPET_BAD_INSTRUCTION, E.OFPBIC_BAD_TABLE_ID];
    expect(v([{ type: 'goto_table', tableId: 4 }])).toEqual(bad);
    expect(v([{ type: 'goto_table', tableId: 0 }])).toEqual(bad);
    expect(v([{ type: 'goto_table', tableId: 2 }], [], { ...ictx, tableId: 2 })).toEqual(bad);
    expect(v([{ type: 'goto_table', tableId: 255 }], [], { ...ictx, nTables: 255 })).toEqual(bad);
    expect(v([{ type: 'goto_table', tableId: 254 }], [], { ...ictx, nTables: 255 })).toBeNull();
  });
  it('meter must exist (OFPMMFC_UNKNOWN_METER)', () => {
    expect(v([{ type: 'meter', meterId: 5 }])).toBeNull();
    expect(v([{ type: 'meter', meterId: 6 }])).toEqual([E.OFPET_METER_MOD_FAILED, E.OFPMMFC_UNKNOWN_METER]);
  });
  it('write_metadata with any mask is fine; experimenter is BAD_EXPERIMENTER', () => {
    expect(v([{ type: 'write_metadata', metadata: 0xffn << 56n, mask: 0xffffffffffffffffn }])).toBeNull();
    expect(v([{ type: 'experimenter', experimenter: 1, data: new Uint8Array() }])).toEqual([E.OFPET_BAD_INSTRUCTION, E.OFPBIC_BAD_EXPERIMENTER]);
  });
  it('actions are checked against the match: apply in list order, write in set order', () => {
    expect(v([{ type: 'apply_actions', actions: [sf('tcp_src', u16(1))] }], ETH_IP)).toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    expect(v([{ type: 'apply_actions', actions: [sf('vlan_vid', u16(0x1002)), { type: 'push_vlan', ethertype: 0x8100 }] }]))
      .toEqual(BAC(E.OFPBAC_MATCH_INCONSISTENT));
    // In an action set, push_vlan runs before set_field whatever the order written.
    expect(v([{ type: 'write_actions', actions: [{ type: 'output', port: 2, maxLen: 0 }, sf('vlan_vid', u16(0x1002)), { type: 'push_vlan', ethertype: 0x8100 }] }])).toBeNull();
    expect(v([{ type: 'write_actions', actions: [{ type: 'output', port: 99, maxLen: 0 }] }])).toEqual(BAC(E.OFPBAC_BAD_OUT_PORT));
  });
});
