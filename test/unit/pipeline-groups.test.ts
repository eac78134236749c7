import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import * as E from '../../src/pipeline/errors.js';
import { isOFError } from '../../src/pipeline/errors.js';
import type { Op } from '../../src/pipeline/decision.js';
import {
  OFPGC_ADD, OFPGC_DELETE, OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT,
  OFPFC_MODIFY, OFPG_ALL, OFPMC_ADD, OFPMC_DELETE, OFPMF_PKTPS, OFPRR_DELETE, OFPRR_GROUP_DELETE, OFPRR_METER_DELETE,
  type Bucket,
} from '../../src/pipeline/types.js';
import { apply, bucket, fm, goto, keyOf, out, oxm, setField, tcpKey, write } from './pipeline-helpers.js';

const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
const kinds = (ops: readonly Op[]): unknown[] =>
  ops.map((o) => (o.op === 'output' ? `output:${o.port}` : o.op === 'branch' ? kinds(o.ops) : o.op));
const addGroup = (p: Pipeline, groupId: number, type: number, buckets: Bucket[]) =>
  ok(p.groupMod({ command: OFPGC_ADD, groupId, type, buckets }, 0));

function setup(live: Set<number> = new Set([1, 2, 3, 4, 5, 6, 7, 8])) {
  return new Pipeline({ nTables: 4, portExists: (p) => p >= 1 && p <= 8, portLive: (p) => live.has(p) });
}

describe('Pipeline: groups', () => {
  it('ALL: one branch per bucket, each on its own copy; apply continues on the original', () => {
    const p = setup();
    addGroup(p, 1, OFPGT_ALL, [bucket([setField('eth_dst', 1), out(2)]), bucket([out(3)])]);
    ok(p.flowMod(fm({ instructions: [apply({ type: 'group', groupId: 1 }, out(4))] }), 0));
    const d = p.decide(keyOf(1, {}), 0, { trace: true });
    expect(kinds(d.ops)).toEqual([['set_field', 'output:2'], ['output:3'], 'output:4']);
    expect(d.groups.map((g) => g.groupId)).toEqual([1]);
    expect(d.buckets).toHaveLength(2);
    expect(d.trace![0]!.groups).toEqual([{ groupId: 1, type: OFPGT_ALL, buckets: [0, 1] }]);
  });

  it('indirect and select buckets are inlined when last; chaining works', () => {
    const p = setup();
    addGroup(p, 3, OFPGT_INDIRECT, [bucket([out(5)])]);
    addGroup(p, 2, OFPGT_SELECT, [bucket([setField('eth_src', 9), { type: 'group', groupId: 3 }], 1)]);
    ok(p.flowMod(fm({ instructions: [write({ type: 'group', groupId: 2 }, out(7))] }), 0));
    const d = p.decide(keyOf(1, {}), 0);
    // output:7 is ignored because the set has a group (§5.10).
    expect(kinds(d.ops)).toEqual(['set_field', 'output:5']);
    expect(d.groups.map((g) => g.groupId)).toEqual([2, 3]);
  });

  it('select: stable per flow, spread over buckets by weight', () => {
    const p = setup();
    addGroup(p, 1, OFPGT_SELECT, [bucket([out(1)], 1), bucket([out(2)], 1), bucket([out(3)], 2)]);
    ok(p.flowMod(fm({ instructions: [apply({ type: 'group', groupId: 1 })] }), 0));
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 2000; i++) {
      const k = tcpKey(1, 0x0a000000 + i, 0x0a010000 + (i % 13), 1000 + i);
      const a = kinds(p.decide(k, 0).ops)[0];
      expect(kinds(p.decide(k, 0).ops)[0]).toBe(a);
      counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    expect(counts.get('output:3')! / 2000).toBeGreaterThan(0.43);
    expect(counts.get('output:3')! / 2000).toBeLessThan(0.57);
    expect(counts.get('output:1')! / 2000).toBeGreaterThan(0.19);
    expect(counts.get('output:2')! / 2000).toBeGreaterThan(0.19);
  });

  it('fast-failover switches when the watched port goes down, and the generation tells', () => {
    const live = new Set([1, 2, 3]);
    const p = setup(live);
    addGroup(p, 1, OFPGT_FF, [bucket([out(2)], 0, 2), bucket([out(3)], 0, 3)]);
    ok(p.flowMod(fm({ instructions: [apply({ type: 'group', groupId: 1 })] }), 0));
    const k = keyOf(1, {});
    const d1 = p.decide(k, 0);
    expect(kinds(d1.ops)).toEqual(['output:2']);
    live.delete(2);
    p.bumpGeneration(); // the datapath does this on port-status
    const d2 = p.decide(k, 0);
    expect(kinds(d2.ops)).toEqual(['output:3']);
    expect(d2.generation).toBeGreaterThan(d1.generation);
    live.delete(3);
    expect(p.decide(k, 0).ops).toEqual([]);
  });

  it('ref counts follow rules; deleting a group removes its rules (OFPRR_GROUP_DELETE)', () => {
    const p = setup();
    addGroup(p, 1, OFPGT_ALL, [bucket([out(2)])]);
    addGroup(p, 2, OFPGT_ALL, [bucket([{ type: 'group', groupId: 1 }])]);
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [apply({ type: 'group', groupId: 1 })] }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('in_port', 1)], instructions: [write({ type: 'group', groupId: 1 })] }), 0));
    ok(p.flowMod(fm({ match: [oxm('in_port', 2)], instructions: [apply(out(3))] }), 0));
    expect(p.group(1)!.refCount).toBe(3); // two rules + group 2
    expect(p.groupMod({ command: OFPGC_DELETE, groupId: 1, type: 0, buckets: [] }, 0))
      .toMatchObject({ type: E.OFPET_GROUP_MOD_FAILED, code: E.OFPGMFC_CHAINED_GROUP });
    ok(p.groupMod({ command: OFPGC_DELETE, groupId: 2, type: 0, buckets: [] }, 0));
    const r = p.groupMod({ command: OFPGC_DELETE, groupId: 1, type: 0, buckets: [] }, 0);
    expect(isOFError(r) ? null : r.removed.map((x) => [x.rule.tableId, x.reason])).toEqual([[0, OFPRR_GROUP_DELETE], [1, OFPRR_GROUP_DELETE]]);
    expect(p.table(0).size + p.table(1).size).toBe(1);
    // Re-adding the id starts a fresh group with no references.
    addGroup(p, 1, OFPGT_ALL, []);
    expect(p.group(1)!.refCount).toBe(0);
  });

  it('OFPG_ALL delete, modify moves references, group counters exact after account()', () => {
    const p = setup();
    addGroup(p, 1, OFPGT_ALL, [bucket([out(2)]), bucket([out(3)])]);
    addGroup(p, 2, OFPGT_INDIRECT, [bucket([out(4)])]);
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [apply({ type: 'group', groupId: 1 })] }), 0));
    ok(p.flowMod(fm({ command: OFPFC_MODIFY, match: [oxm('in_port', 1)], instructions: [apply({ type: 'group', groupId: 2 })] }), 0));
    expect([p.group(1)!.refCount, p.group(2)!.refCount]).toEqual([0, 1]);
    const d = p.decide(keyOf(1, {}), 0);
    p.account(d, 2, 200, 5);
    const g = p.group(2)!;
    expect([g.packetCount, g.byteCount, g.buckets[0]!.packetCount, g.buckets[0]!.byteCount]).toEqual([2, 200, 2, 200]);
    const r = p.groupMod({ command: OFPGC_DELETE, groupId: OFPG_ALL, type: 0, buckets: [] }, 0);
    expect(isOFError(r) ? null : r.removed.length).toBe(1);
    expect(p.groups.size).toBe(0);
  });
});

describe('Pipeline: meters', () => {
  it('meter op comes first; flow_count; deleting a meter removes its rules', () => {
    const p = setup();
    ok(p.meterMod({ command: OFPMC_ADD, meterId: 4, flags: OFPMF_PKTPS, bands: [{ type: 'drop', rate: 100, burstSize: 0 }] }, 0));
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [apply(out(2)), { type: 'meter', meterId: 4 }, goto(1)] }), 0));
    ok(p.flowMod(fm({ match: [oxm('in_port', 2)], instructions: [apply(out(3))] }), 0));
    const d = p.decide(keyOf(1, {}), 0);
    expect(kinds(d.ops)).toEqual(['meter', 'output:2']);
    expect(d.meters.map((m) => m.meterId)).toEqual([4]);
    expect(p.meter(4)!.flowCount).toBe(1);
    const r = p.meterMod({ command: OFPMC_DELETE, meterId: 4, flags: 0, bands: [] }, 0);
    expect(isOFError(r) ? null : r.removed.map((x) => x.reason)).toEqual([OFPRR_METER_DELETE]); // OF1.4's; 1.3 is told DELETE
    expect(p.table(0).size).toBe(1);
    expect(p.decide(keyOf(1, {}), 0).ops).toEqual([]);
  });
});
