import { describe, expect, it } from 'vitest';
import { KEY_WORDS } from '../../src/packet/flow-key.js';
import { Classifier, type ClassifierRule } from '../../src/pipeline/classifier.js';

class R implements ClassifierRule {
  clsId = -1;
  constructor(readonly name: string, readonly priority: number) {}
}

/** A (value, mask) pair from sparse {word: [value, mask]}; the value is masked. */
function vm(spec: Record<number, [number, number]>): [Uint32Array, Uint32Array] {
  const v = new Uint32Array(KEY_WORDS), m = new Uint32Array(KEY_WORDS);
  for (const [w, [val, mask]] of Object.entries(spec)) {
    m[Number(w)] = mask;
    v[Number(w)] = (val & mask) >>> 0;
  }
  return [v, m];
}

function key(spec: Record<number, number>): Uint32Array {
  const k = new Uint32Array(KEY_WORDS);
  for (const [w, val] of Object.entries(spec)) k[Number(w)] = val;
  return k;
}

describe('Classifier', () => {
  it('finds the highest-priority match across subtables', () => {
    const c = new Classifier<R>();
    const low = new R('low', 1), mid = new R('mid', 10), high = new R('high', 100);
    c.insert(low, ...vm({}));
    c.insert(mid, ...vm({ 10: [0x0a000000, 0xff000000] }));
    c.insert(high, ...vm({ 10: [0x0a000001, 0xffffffff] }));
    expect(c.size).toBe(3);
    expect(c.subtableCount).toBe(3);
    expect(c.lookup(key({ 10: 0x0a000001 }))).toBe(high);
    expect(c.lookup(key({ 10: 0x0a000002 }))).toBe(mid);
    expect(c.lookup(key({ 10: 0x0b000001 }))).toBe(low);
    c.remove(high);
    expect(c.lookup(key({ 10: 0x0a000001 }))).toBe(mid);
    c.remove(low);
    expect(c.lookup(key({ 10: 0x0b000001 }))).toBeNull();
    expect(c.subtableCount).toBe(1);
    expect(high.clsId).toBe(-1);
  });

  it('keeps several priorities for one masked value, best first', () => {
    const c = new Classifier<R>();
    const a = new R('a', 5), b = new R('b', 50), d = new R('d', 20);
    for (const r of [a, b, d]) c.insert(r, ...vm({ 0: [7, 0xffffffff] }));
    expect(c.lookup(key({ 0: 7 }))).toBe(b);
    c.remove(b);
    expect(c.lookup(key({ 0: 7 }))).toBe(d);
    expect(c.findStrict(...vm({ 0: [7, 0xffffffff] }), 5)).toBe(a);
    expect(c.findStrict(...vm({ 0: [7, 0xffffffff] }), 50)).toBeNull();
  });

  it('breaks priority ties by insertion order, within and across subtables', () => {
    const c = new Classifier<R>();
    const first = new R('first', 10), second = new R('second', 10), third = new R('third', 10);
    c.insert(first, ...vm({ 1: [1, 0xff] }));
    c.insert(second, ...vm({ 0: [2, 0xff] }));
    c.insert(third, ...vm({ 1: [1, 0xff] }));
    expect(c.lookup(key({ 0: 2, 1: 1 }))).toBe(first);
    c.remove(first);
    expect(c.lookup(key({ 0: 2, 1: 1 }))).toBe(second);
    c.insert(first, ...vm({ 1: [1, 0xff] })); // re-inserted: now the latest
    expect(c.lookup(key({ 0: 2, 1: 1 }))).toBe(second);
    c.remove(second);
    expect(c.lookup(key({ 0: 2, 1: 1 }))).toBe(third);
  });

  it('lists covered rules for non-strict selection', () => {
    const c = new Classifier<R>();
    const all = new R('all', 1), net = new R('net', 2), host = new R('host', 3), other = new R('other', 4);
    c.insert(all, ...vm({}));
    c.insert(net, ...vm({ 10: [0x0a000000, 0xff000000] }));
    c.insert(host, ...vm({ 10: [0x0a000001, 0xffffffff], 0: [1, 0xffffffff] }));
    c.insert(other, ...vm({ 10: [0x0b000001, 0xffffffff] }));
    const covered = (spec: Record<number, [number, number]>): string[] => {
      const out: string[] = [];
      c.forEachCovered(...vm(spec), (r) => out.push(r.name));
      return out.sort();
    };
    expect(covered({})).toEqual(['all', 'host', 'net', 'other']);
    expect(covered({ 10: [0x0a000000, 0xff000000] })).toEqual(['host', 'net']);
    expect(covered({ 10: [0x0a000001, 0xffffffff] })).toEqual(['host']);
    expect(covered({ 0: [2, 0xffffffff] })).toEqual([]);
  });

  it('finds overlaps only at the same priority', () => {
    const c = new Classifier<R>();
    const net = new R('net', 7);
    c.insert(net, ...vm({ 10: [0x0a000000, 0xff000000] }));
    expect(c.findOverlap(...vm({ 0: [1, 0xffffffff] }), 7)).toBe(net); // disjoint fields overlap
    expect(c.findOverlap(...vm({ 10: [0x0a0a0000, 0xffff0000] }), 7)).toBe(net);
    expect(c.findOverlap(...vm({ 10: [0x0b000000, 0xff000000] }), 7)).toBeNull();
    expect(c.findOverlap(...vm({ 0: [1, 0xffffffff] }), 8)).toBeNull();
  });

  it('gives back the words of a rule and iterates its rules', () => {
    const c = new Classifier<R>();
    const r = new R('r', 1);
    const [v, m] = vm({ 7: [0x08000000, 0xffff0000], 33: [5, 5] });
    c.insert(r, v, m);
    const ov = new Uint32Array(KEY_WORDS).fill(9), om = new Uint32Array(KEY_WORDS);
    c.matchWords(r, ov, om);
    expect(Array.from(ov)).toEqual(Array.from(v));
    expect(Array.from(om)).toEqual(Array.from(m));
    expect([...c]).toEqual([r]);
    expect(() => c.insert(r, v, m)).toThrow();
  });

  it('survives growth and shrinking of one subtable (rehash, backward-shift delete)', () => {
    const c = new Classifier<R>();
    const rules: R[] = [];
    const mask = { 10: [0, 0xffffffff] as [number, number] };
    for (let i = 0; i < 5000; i++) {
      const r = new R(String(i), i % 7);
      rules.push(r);
      c.insert(r, ...vm({ 10: [i * 2654435761, mask[10][1]] }));
    }
    for (let i = 0; i < 5000; i += 2) c.remove(rules[i]!);
    for (let i = 0; i < 5000; i++) {
      const hit = c.lookup(key({ 10: (i * 2654435761) >>> 0 }));
      expect(hit).toBe(i % 2 === 0 ? null : rules[i]);
    }
    expect(c.size).toBe(2500);
    // Remove all but ten: stale filter bits now outnumber live entries, forcing rebuilds.
    for (let i = 21; i < 5000; i += 2) c.remove(rules[i]!);
    expect(c.size).toBe(10);
    for (let i = 0; i < 5000; i++) {
      const hit = c.lookup(key({ 10: (i * 2654435761) >>> 0 }));
      expect(hit).toBe(i % 2 === 1 && i < 21 ? rules[i] : null);
    }
    c.insert(rules[4000]!, ...vm({ 10: [4000 * 2654435761, 0xffffffff] }));
    expect(c.lookup(key({ 10: (4000 * 2654435761) >>> 0 }))).toBe(rules[4000]);
  });
  it('uses shared ipv4_dst/ipv4_src prefixes to skip subtables without losing matches', () => {
    const c = new Classifier<R>();
    // Three subtables share dst /24 (words 9 = W_NW_SRC, 10 = W_NW_DST); one has src /16.
    const a = new R('a', 30), b = new R('b', 20), d = new R('d', 10), any = new R('any', 1);
    c.insert(a, ...vm({ 10: [0x0a000100, 0xffffff00], 0: [1, 0xffffffff] }));
    c.insert(b, ...vm({ 10: [0x0a000200, 0xffffff00], 9: [0xc0a80000, 0xffff0000] }));
    c.insert(d, ...vm({ 10: [0x0a000300, 0xffffff00] }));
    c.insert(any, ...vm({}));
    expect(c.lookup(key({ 10: 0x0a000105, 0: 1 }))).toBe(a);
    expect(c.lookup(key({ 10: 0x0a000105, 0: 2 }))).toBe(any);
    expect(c.lookup(key({ 10: 0x0a000207, 9: 0xc0a80101 }))).toBe(b);
    expect(c.lookup(key({ 10: 0x0a000207, 9: 0xc0a90101 }))).toBe(any);
    expect(c.lookup(key({ 10: 0x0a0003ff }))).toBe(d);
    expect(c.lookup(key({ 10: 0x0b000305 }))).toBe(any); // no /24 has it: all three skipped
    c.remove(d);
    expect(c.lookup(key({ 10: 0x0a0003ff }))).toBe(any);
    c.insert(d, ...vm({ 10: [0x0a000300, 0xffffff00] }));
    expect(c.lookup(key({ 10: 0x0a0003ff }))).toBe(d);
    c.clear();
    c.insert(d, ...vm({ 10: [0x0a000300, 0xffffff00] }));
    expect(c.lookup(key({ 10: 0x0a0003ff }))).toBe(d);
    expect(c.lookup(key({ 10: 0x0a000105, 0: 1 }))).toBeNull();
  });
});
