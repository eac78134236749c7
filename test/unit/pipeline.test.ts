import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import * as E from '../../src/pipeline/errors.js';
import { isOFError } from '../../src/pipeline/errors.js';
import type { Op } from '../../src/pipeline/decision.js';
import { W_ETH_TYPE_VLAN, W_METADATA_LO, W_NW_DST } from '../../src/packet/flow-key.js';
import {
  OFPFC_DELETE, OFPFC_MODIFY, OFPFF_SEND_FLOW_REM, OFPP_CONTROLLER, OFPR_ACTION, OFPR_ACTION_SET, OFPR_NO_MATCH,
  OFPRR_DELETE, OFPRR_HARD_TIMEOUT, OFPRR_IDLE_TIMEOUT, OFPTT_ALL,
} from '../../src/pipeline/types.js';
import { apply, fm, goto, keyOf, out, oxm, setField, tcpKey, write } from './pipeline-helpers.js';

const newPipeline = (nTables = 4) => new Pipeline({ nTables, portExists: (p) => p >= 1 && p <= 8, portLive: () => true });
const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
const kinds = (ops: readonly Op[]): string[] => ops.map((o) => (o.op === 'output' ? `output:${o.port}` : o.op));

describe('Pipeline: tables and instructions', () => {
  it('table miss without a table-miss entry drops; a flow-mod is visible to the very next decide()', () => {
    const p = newPipeline();
    const k = tcpKey(1, 0x0a000001, 0x0a000002);
    const d0 = p.decide(k, 0);
    expect([d0.ops, d0.rules, d0.tablesVisited, d0.matched]).toEqual([[], [], [0], [false]]);
    const g0 = p.generation;
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [apply(out(2))] }), 0));
    expect(p.generation).toBeGreaterThan(g0);
    expect(kinds(p.decide(k, 0).ops)).toEqual(['output:2']);
    ok(p.flowMod(fm({ command: OFPFC_DELETE, tableId: OFPTT_ALL }), 0));
    expect(p.decide(k, 0).ops).toEqual([]);
  });

  it('packet-in reason: NO_MATCH from the table-miss entry, ACTION from a normal entry', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ priority: 0, cookie: 7n, instructions: [apply(out(OFPP_CONTROLLER, 128))] }), 0));
    ok(p.flowMod(fm({ priority: 10, cookie: 9n, match: [oxm('in_port', 3)], instructions: [apply(out(OFPP_CONTROLLER, 64))] }), 0));
    const miss = p.decide(keyOf(1, {}), 0).ops[0]!;
    const hit = p.decide(keyOf(3, {}), 0).ops[0]!;
    expect(miss).toEqual({ op: 'output', port: OFPP_CONTROLLER, maxLen: 128, reason: OFPR_NO_MATCH, tableId: 0, cookie: 7n });
    expect(hit).toEqual({ op: 'output', port: OFPP_CONTROLLER, maxLen: 64, reason: OFPR_ACTION, tableId: 0, cookie: 9n });
    // priority 0 with a match is not a table-miss entry
    const q = newPipeline();
    ok(q.flowMod(fm({ priority: 0, match: [oxm('in_port', 1)], instructions: [apply(out(OFPP_CONTROLLER))] }), 0));
    expect(q.decide(keyOf(1, {}), 0).ops[0]).toMatchObject({ reason: OFPR_ACTION });
  });

  it('apply-actions rewrite the key that later tables match; write-actions run at the end', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({
      match: [oxm('eth_type', 0x0800)],
      instructions: [apply(setField('ipv4_dst', 0x0a0000fe), out(5)), write(out(3)), goto(1)],
    }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('eth_type', 0x0800), oxm('ipv4_dst', 0x0a0000fe)], instructions: [write(out(4))] }), 0));
    ok(p.flowMod(fm({ tableId: 1, priority: 1, instructions: [] }), 0));
    const k = tcpKey(1, 0x0a000001, 0x0a000002);
    const d = p.decide(k, 0);
    expect(kinds(d.ops)).toEqual(['set_field', 'output:5', 'output:4']);
    expect(d.tablesVisited).toEqual([0, 1]);
    expect(d.rules.map((r) => r.tableId)).toEqual([0, 1]);
    expect(k.words[W_NW_DST]).toBe(0x0a000002); // the caller's key is untouched
  });

  it('instruction order within a table: meter, apply, clear, write, metadata, goto', () => {
    const p = newPipeline();
    ok(p.meterMod({ command: 0, meterId: 1, flags: 2, bands: [{ type: 'drop', rate: 10, burstSize: 0 }] }, 0));
    ok(p.flowMod(fm({ instructions: [write(out(6)), goto(1)] }), 0));
    ok(p.flowMod(fm({
      tableId: 1,
      instructions: [goto(2), write(out(2)), { type: 'clear_actions' }, apply(out(1)), { type: 'meter', meterId: 1 }],
    }), 0));
    ok(p.flowMod(fm({ tableId: 2, instructions: [] }), 0));
    const d = p.decide(keyOf(1, {}), 0, { trace: true });
    // The set written in table 0 (output 6) is cleared before table 1 writes output 2.
    expect(kinds(d.ops)).toEqual(['meter', 'output:1', 'output:2']);
    expect(d.trace![1]!.instructions).toEqual(['meter', 'apply_actions', 'clear_actions', 'write_actions', 'goto_table']);
    expect(d.trace![1]!.meters).toEqual([1]);
    expect(d.trace!.map((s) => s.actionSet.length)).toEqual([1, 1, 1]);
  });

  it('write_metadata with a mask, then match metadata in table 1', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ instructions: [{ type: 'write_metadata', metadata: 0xabcd_0000_0000_1234n, mask: 0xffff_0000_0000_00ffn }, goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('metadata', 0xabcd_0000_0000_0034n, 0xffff_0000_0000_ffffn)], instructions: [apply(out(7))] }), 0));
    const d = p.decide(keyOf(1, {}), 0);
    expect(kinds(d.ops)).toEqual(['output:7']);
  });

  it('action set runs in §5.10 order: write [output, push_vlan, set vlan_vid] tags before output', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({
      instructions: [write(out(2), setField('vlan_vid', 0x1000 | 42), { type: 'push_vlan', ethertype: 0x8100 })],
    }), 0));
    const d = p.decide(keyOf(1, { eth_type: 0x0806 }), 0);
    expect(d.ops).toEqual([
      { op: 'push_vlan', ethertype: 0x8100 },
      { op: 'set_field', field: 6, value: new Uint8Array([0x10, 42]) },
      { op: 'output', port: 2, maxLen: 0, reason: OFPR_ACTION_SET, tableId: 0, cookie: 0xffffffffffffffffn }, // from the action set: no cookie (§7.4.1)
    ]);
  });

  it('apply push_vlan + set_field is visible to the next table as vlan_vid', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ instructions: [apply({ type: 'push_vlan', ethertype: 0x8100 }, setField('vlan_vid', 0x1000 | 42)), goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('vlan_vid', 0x1000 | 42)], instructions: [apply({ type: 'pop_vlan' }, out(3))] }), 0));
    ok(p.flowMod(fm({ tableId: 1, priority: 1, instructions: [apply(out(4))] }), 0));
    const d = p.decide(keyOf(1, {}), 0);
    expect(kinds(d.ops)).toEqual(['push_vlan', 'set_field', 'pop_vlan', 'output:3']);
    expect(d.cacheable).toBe(true);
  });

  it('flow-mod errors: match, instructions, actions, bad table', () => {
    const p = newPipeline();
    const code = (r: unknown) => (isOFError(r) ? [r.type, r.code] : null);
    expect(code(p.flowMod(fm({ match: [oxm('tcp_dst', 80)] }), 0))).toEqual([E.OFPET_BAD_MATCH, E.OFPBMC_BAD_PREREQ]);
    expect(code(p.flowMod(fm({ instructions: [goto(4)] }), 0))).toEqual([E.OFPET_BAD_INSTRUCTION, E.OFPBIC_BAD_TABLE_ID]);
    expect(code(p.flowMod(fm({ tableId: 2, instructions: [goto(1)] }), 0))).toEqual([E.OFPET_BAD_INSTRUCTION, E.OFPBIC_BAD_TABLE_ID]);
    expect(code(p.flowMod(fm({ tableId: 4 }), 0))).toEqual([E.OFPET_FLOW_MOD_FAILED, E.OFPFMFC_BAD_TABLE_ID]);
    expect(code(p.flowMod(fm({ tableId: OFPTT_ALL }), 0))).toEqual([E.OFPET_FLOW_MOD_FAILED, E.OFPFMFC_BAD_TABLE_ID]);
    expect(code(p.flowMod(fm({ match: [oxm('eth_type', 0x0800)], instructions: [apply(setField('tcp_dst', 1))] }), 0)))
      .toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_MATCH_INCONSISTENT]);
    expect(code(p.flowMod(fm({ instructions: [{ type: 'meter', meterId: 3 }] }), 0))).toEqual([E.OFPET_METER_MOD_FAILED, E.OFPMMFC_UNKNOWN_METER]);
    expect(code(p.flowMod(fm({ instructions: [apply({ type: 'group', groupId: 3 })] }), 0))).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_OUT_GROUP]);
    expect(p.table(0).size).toBe(0);
  });

  it('modify replaces instructions; delete returns removed rules with OFPRR_DELETE', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], flags: OFPFF_SEND_FLOW_REM, instructions: [apply(out(2))] }), 0));
    ok(p.flowMod(fm({ command: OFPFC_MODIFY, match: [oxm('in_port', 1)], instructions: [apply(out(3))] }), 0));
    expect(kinds(p.decide(keyOf(1, {}), 0).ops)).toEqual(['output:3']);
    const r = p.flowMod(fm({ command: OFPFC_DELETE, tableId: OFPTT_ALL }), 0);
    expect(isOFError(r) ? null : r.removed.map((x) => x.reason)).toEqual([OFPRR_DELETE]);
  });

  it('expire removes timed-out entries and bumps the generation; account refreshes idle timers', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], idleTimeout: 10, instructions: [apply(out(2))] }), 0));
    ok(p.flowMod(fm({ match: [oxm('in_port', 2)], hardTimeout: 5, instructions: [apply(out(1))] }), 0));
    const d = p.decide(keyOf(1, {}), 0);
    p.account(d, 1, 100, 8000);
    const g = p.generation;
    expect(p.expire(6000).map((x) => x.reason)).toEqual([OFPRR_HARD_TIMEOUT]);
    expect(p.generation).toBeGreaterThan(g);
    expect(p.expire(17_000)).toEqual([]);
    expect(p.expire(18_000).map((x) => x.reason)).toEqual([OFPRR_IDLE_TIMEOUT]);
  });

  it('account() sets rule, table counters exactly; decide() changes none', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ instructions: [goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('in_port', 1)], instructions: [apply(out(2))] }), 0));
    const hit = p.decide(keyOf(1, {}), 0);
    const miss = p.decide(keyOf(2, {}), 0);
    expect(p.tableCounters(0)).toEqual({ lookupCount: 0, matchedCount: 0 });
    p.account(hit, 3, 300, 10);
    p.account(miss, 2, 128, 20);
    expect(p.tableCounters(0)).toEqual({ lookupCount: 5, matchedCount: 5 });
    expect(p.tableCounters(1)).toEqual({ lookupCount: 5, matchedCount: 3 });
    expect(hit.rules.map((r) => [r.packetCount, r.byteCount, r.lastUsedAt])).toEqual([[5, 428, 20], [3, 300, 10]]);
  });

  it('trace names each table, the rule or the miss, and the action set', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ priority: 5, cookie: 0x11n, instructions: [write(out(2)), goto(2)] }), 0));
    const d = p.decide(keyOf(1, {}), 0, { trace: true });
    expect(d.trace).toEqual([
      { tableId: 0, rule: { priority: 5, cookie: 0x11n, match: [] }, instructions: ['write_actions', 'goto_table'], actionSet: [out(2)], groups: [], meters: [] },
      { tableId: 2, rule: null, instructions: [], actionSet: [], groups: [], meters: [] },
    ]);
    expect(d.ops).toEqual([]); // the miss in table 2 drops: the action set is discarded
    expect(p.decide(keyOf(1, {}), 0).trace).toBeUndefined();
  });

  it('pop_mpls to IPv4 makes the decision uncacheable', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('eth_type', 0x8847)], instructions: [apply({ type: 'pop_mpls', ethertype: 0x0800 }, out(2))] }), 0));
    const d = p.decide(keyOf(1, { eth_type: 0x8847, mpls_label: 100, mpls_bos: 1 }), 0);
    expect(kinds(d.ops)).toEqual(['pop_mpls', 'output:2']);
    expect(d.cacheable).toBe(false);
    const k = keyOf(1, {});
    ok(p.flowMod(fm({ instructions: [apply({ type: 'push_mpls', ethertype: 0x8847 }), goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('eth_type', 0x8847), oxm('mpls_bos', 1)], instructions: [apply(out(6))] }), 0));
    const d2 = p.decide(k, 0);
    expect(kinds(d2.ops)).toEqual(['push_mpls', 'output:6']);
    expect(d2.cacheable).toBe(true);
    expect(k.words[W_ETH_TYPE_VLAN]! >>> 16).toBe(0);
    expect(k.words[W_METADATA_LO]).toBe(0);
  });
});
