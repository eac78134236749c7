import { describe, expect, it } from 'vitest';
import { GroupTable } from '../../src/pipeline/groups.js';
import { chooseBucket, groupLive, selectBucket } from '../../src/pipeline/group-buckets.js';
import * as E from '../../src/pipeline/errors.js';
import { isOFError, type OFError } from '../../src/pipeline/errors.js';
import { KEY_WORDS, W_L4, W_NW_DST, W_NW_SRC } from '../../src/packet/flow-key.js';
import {
  OFPGC_ADD, OFPGC_DELETE, OFPGC_MODIFY, OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT,
  OFPG_ALL, OFPG_ANY, OFPG_MAX, OFPP_ANY, type Action, type Bucket, type GroupMod,
} from '../../src/pipeline/types.js';

const out = (port: number): Action => ({ type: 'output', port, maxLen: 0 });
const bucket = (actions: Action[], weight = 0, watchPort = OFPP_ANY, watchGroup = OFPG_ANY): Bucket => ({ weight, watchPort, watchGroup, actions });
const gm = (command: number, groupId: number, type: number, buckets: Bucket[]): GroupMod => ({ command, type, groupId, buckets });
const newTable = () => new GroupTable({ portExists: (p) => p >= 1 && p <= 16 });
const code = (r: OFError | { deleted: number[] }) => (isOFError(r) ? [r.type, r.code] : null);
const GM = (c: number) => [E.OFPET_GROUP_MOD_FAILED, c];

describe('group-mod (OF1.3.5 §7.3.4.2)', () => {
  it('add, duplicate add, modify unknown, delete missing', () => {
    const t = newTable();
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_ALL, [bucket([out(1)]), bucket([out(2)])]), 0))).toBeNull();
    expect(t.get(1)!.buckets).toHaveLength(2);
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_ALL, []), 0))).toEqual(GM(E.OFPGMFC_GROUP_EXISTS));
    expect(code(t.apply(gm(OFPGC_MODIFY, 2, OFPGT_ALL, []), 0))).toEqual(GM(E.OFPGMFC_UNKNOWN_GROUP));
    expect(t.apply(gm(OFPGC_DELETE, 7, OFPGT_ALL, []), 0)).toEqual({ deleted: [] });
    expect(code(t.apply(gm(9, 3, OFPGT_ALL, []), 0))).toEqual(GM(E.OFPGMFC_BAD_COMMAND));
  });
  it('invalid ids, types, buckets, watches', () => {
    const t = newTable();
    expect(code(t.apply(gm(OFPGC_ADD, OFPG_MAX + 1, OFPGT_ALL, []), 0))).toEqual(GM(E.OFPGMFC_INVALID_GROUP));
    expect(code(t.apply(gm(OFPGC_ADD, 1, 7, []), 0))).toEqual(GM(E.OFPGMFC_BAD_TYPE));
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_INDIRECT, []), 0))).toEqual(GM(E.OFPGMFC_BAD_BUCKET));
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_INDIRECT, [bucket([out(1)]), bucket([out(2)])]), 0))).toEqual(GM(E.OFPGMFC_BAD_BUCKET));
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_FF, [bucket([out(1)])]), 0))).toEqual(GM(E.OFPGMFC_BAD_WATCH));
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_FF, [bucket([out(1)], 0, OFPP_ANY, 42)]), 0))).toEqual(GM(E.OFPGMFC_BAD_WATCH));
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_ALL, [bucket([out(99)])]), 0))).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_OUT_PORT]);
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_ALL, [bucket([{ type: 'group', groupId: 5 }])]), 0))).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_OUT_GROUP]);
    expect(t.size).toBe(0);
  });
  it('refuses loops, including self-reference and a cycle made by modify', () => {
    const t = newTable();
    expect(code(t.apply(gm(OFPGC_ADD, 1, OFPGT_ALL, [bucket([{ type: 'group', groupId: 1 }])]), 0))).toEqual(GM(E.OFPGMFC_LOOP));
    t.apply(gm(OFPGC_ADD, 3, OFPGT_ALL, [bucket([out(1)])]), 0);
    t.apply(gm(OFPGC_ADD, 2, OFPGT_INDIRECT, [bucket([{ type: 'group', groupId: 3 }])]), 0);
    t.apply(gm(OFPGC_ADD, 1, OFPGT_ALL, [bucket([{ type: 'group', groupId: 2 }])]), 0);
    expect(code(t.apply(gm(OFPGC_MODIFY, 3, OFPGT_ALL, [bucket([{ type: 'group', groupId: 1 }])]), 0))).toEqual(GM(E.OFPGMFC_LOOP));
    expect(t.get(3)!.buckets[0]!.actions).toEqual([out(1)]);
  });
  it('chained groups: ref counts, CHAINED_GROUP on delete, OFPG_ALL deletes all', () => {
    const t = newTable();
    t.apply(gm(OFPGC_ADD, 3, OFPGT_ALL, [bucket([out(1)])]), 0);
    t.apply(gm(OFPGC_ADD, 2, OFPGT_ALL, [bucket([{ type: 'group', groupId: 3 }]), bucket([{ type: 'group', groupId: 3 }])]), 0);
    expect(t.get(3)!.refCount).toBe(1);
    expect(code(t.apply(gm(OFPGC_DELETE, 3, 0, []), 0))).toEqual(GM(E.OFPGMFC_CHAINED_GROUP));
    expect(t.apply(gm(OFPGC_DELETE, 2, 0, []), 0)).toEqual({ deleted: [2] });
    expect(t.get(3)!.refCount).toBe(0);
    t.apply(gm(OFPGC_ADD, 2, OFPGT_ALL, [bucket([{ type: 'group', groupId: 3 }])]), 0);
    t.apply(gm(OFPGC_MODIFY, 2, OFPGT_ALL, [bucket([out(4)])]), 0);
    expect(t.get(3)!.refCount).toBe(0);
    const r = t.apply(gm(OFPGC_DELETE, OFPG_ALL, 0, []), 0);
    expect(isOFError(r) ? null : r.deleted.sort()).toEqual([2, 3]);
    expect(t.size).toBe(0);
  });
  it('modify keeps group counters and creation time, replaces type and buckets', () => {
    const t = newTable();
    t.apply(gm(OFPGC_ADD, 1, OFPGT_ALL, [bucket([out(1)])]), 100);
    t.get(1)!.packetCount = 5;
    t.apply(gm(OFPGC_MODIFY, 1, OFPGT_SELECT, [bucket([out(2)], 1)]), 200);
    const g = t.get(1)!;
    expect([g.type, g.packetCount, g.createdAt, g.durationMs(300), g.buckets[0]!.packetCount]).toEqual([OFPGT_SELECT, 5, 100, 200, 0]);
  });
});

describe('bucket choice (§5.6.1)', () => {
  const flow = (i: number) => {
    const w = new Uint32Array(KEY_WORDS);
    w[W_NW_SRC] = 0x0a000000 + i;
    w[W_NW_DST] = 0x0a000100 + (i * 7919) % 251;
    w[W_L4] = ((1024 + i) << 16) | 80;
    return w;
  };
  it('select follows weights over many flows and is stable per flow', () => {
    const t = newTable();
    t.apply(gm(OFPGC_ADD, 1, OFPGT_SELECT, [bucket([out(1)], 1), bucket([out(2)], 3), bucket([out(3)], 0)]), 0);
    const g = t.get(1)!;
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const b = selectBucket(g, flow(i))!;
      counts[g.buckets.indexOf(b)]!++;
      expect(selectBucket(g, flow(i))).toBe(b);
    }
    expect(counts[2]).toBe(0);
    expect(counts[0]! / 4000).toBeGreaterThan(0.2);
    expect(counts[0]! / 4000).toBeLessThan(0.3);
    expect(counts[1]! / 4000).toBeGreaterThan(0.7);
  });
  it('select ignores in_port and metadata (a flow stays on its bucket)', () => {
    const t = newTable();
    t.apply(gm(OFPGC_ADD, 1, OFPGT_SELECT, [bucket([out(1)], 1), bucket([out(2)], 1)]), 0);
    const g = t.get(1)!;
    for (let i = 0; i < 50; i++) {
      const a = flow(i);
      const b = flow(i);
      b[0] = 7; b[2] = 99; b[3] = 1;
      expect(selectBucket(g, a)).toBe(selectBucket(g, b));
    }
  });
  it('fast-failover takes the first live bucket, following watched groups', () => {
    const t = newTable();
    const live = new Set([1, 2, 3]);
    const portLive = (p: number) => live.has(p);
    t.apply(gm(OFPGC_ADD, 9, OFPGT_FF, [bucket([out(3)], 0, 3)]), 0);
    t.apply(gm(OFPGC_ADD, 1, OFPGT_FF, [bucket([out(1)], 0, 1), bucket([out(2)], 0, 2), bucket([out(4)], 0, OFPP_ANY, 9)]), 0);
    const g = t.get(1)!;
    const w = flow(0);
    expect(chooseBucket(g, w, t, portLive)).toBe(g.buckets[0]);
    live.delete(1);
    expect(chooseBucket(g, w, t, portLive)).toBe(g.buckets[1]);
    live.delete(2);
    expect(chooseBucket(g, w, t, portLive)).toBe(g.buckets[2]);
    live.delete(3);
    expect(groupLive(t.get(9)!, t, portLive)).toBe(false);
    expect(chooseBucket(g, w, t, portLive)).toBeNull();
    live.add(1);
    expect(chooseBucket(g, w, t, portLive)).toBe(g.buckets[0]);
  });
  it('indirect takes its bucket; all has no single choice', () => {
    const t = newTable();
    t.apply(gm(OFPGC_ADD, 1, OFPGT_INDIRECT, [bucket([out(5)])]), 0);
    t.apply(gm(OFPGC_ADD, 2, OFPGT_ALL, [bucket([out(5)])]), 0);
    expect(chooseBucket(t.get(1)!, flow(1), t, () => true)!.actions).toEqual([out(5)]);
    expect(chooseBucket(t.get(2)!, flow(1), t, () => true)).toBeNull();
  });
});
