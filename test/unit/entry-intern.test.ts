import { describe, expect, it } from 'vitest';
import { EntryInterner, type CacheEntry } from '../../src/datapath/entry-intern.js';
import type { Decision, Op } from '../../src/pipeline/decision.js';
import type { Rule } from '../../src/pipeline/rule.js';

const ruleA = { tableId: 0 } as unknown as Rule;
const ruleB = { tableId: 0 } as unknown as Rule;

function entry(ops: Op[], rules: Rule[] = [ruleA], macRef: CacheEntry['macRef'] = null): CacheEntry {
  const d: Decision<Rule> = {
    ops, rules, groups: [], buckets: [], meters: [], tablesVisited: [0], matched: [true], cacheable: true, generation: 1,
  };
  return { d, macRef };
}

const out = (port: number): Op => ({ op: 'output', port, maxLen: 0, reason: 1, tableId: 0, cookie: 0n });

describe('sharing of equal flow-cache entries', () => {
  it('returns the first entry for an equal decision, and a different one otherwise', () => {
    const i = new EntryInterner();
    const first = entry([out(2)]);
    expect(i.intern(first, 5)).toBe(first);
    expect(i.intern(entry([out(2)]), 5)).toBe(first);
    const other = entry([out(3)]);
    expect(i.intern(other, 5)).toBe(other);
    expect(i.intern(entry([out(2)], [ruleB]), 5)).not.toBe(first); // another rule object
    const set = entry([{ op: 'set_field', field: 3, value: new Uint8Array([1, 2]) }, out(2)]);
    expect(i.intern(set, 5)).toBe(set);
    expect(i.intern(entry([{ op: 'set_field', field: 3, value: new Uint8Array([1, 3]) }, out(2)]), 5)).not.toBe(set);
    expect(i.intern(entry([out(2)], [ruleA], { vlan: 0, mac: 1, port: 1, seenAt: 0 }), 5)).not.toBe(first); // another learned source
    expect(i.size).toBe(6);
  });

  it('shares nothing across generations', () => {
    const i = new EntryInterner();
    const a = entry([out(2)]);
    i.intern(a, 1);
    const b = entry([out(2)]);
    expect(i.intern(b, 2)).toBe(b);
    expect(i.size).toBe(1);
  });

  it('tells ops apart by cookie, metadata and nested branches', () => {
    const i = new EntryInterner();
    const a = entry([{ op: 'output', port: 0xfffffffd, maxLen: 128, reason: 1, tableId: 0, cookie: 1n, metadata: 5n }]);
    i.intern(a, 1);
    expect(i.intern(entry([{ op: 'output', port: 0xfffffffd, maxLen: 128, reason: 1, tableId: 0, cookie: 1n, metadata: 6n }]), 1)).not.toBe(a);
    const br = entry([{ op: 'branch', ops: [out(1)] }, out(2)]);
    i.intern(br, 1);
    expect(i.intern(entry([{ op: 'branch', ops: [out(3)] }, out(2)]), 1)).not.toBe(br);
    expect(i.intern(entry([{ op: 'branch', ops: [out(1)] }, out(2)]), 1)).toBe(br);
  });
});
