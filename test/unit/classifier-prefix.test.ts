import { describe, expect, it } from 'vitest';
import { PrefixIndex, PrefixSet, prefixLength, prefixMask } from '../../src/pipeline/classifier-prefix.js';

describe('prefixLength / prefixMask', () => {
  it('recognises CIDR masks only', () => {
    expect(prefixLength(0)).toBe(0);
    expect(prefixLength(0xffffffff)).toBe(32);
    expect(prefixLength(0x80000000)).toBe(1);
    expect(prefixLength(0xffffff00)).toBe(24);
    expect(prefixLength(0xff00ff00)).toBe(0);
    expect(prefixLength(0x0000ffff)).toBe(0);
    expect(prefixLength(0x7fffffff)).toBe(0);
    for (let len = 1; len <= 32; len++) expect(prefixLength(prefixMask(len))).toBe(len);
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(8) >>> 0).toBe(0xff000000);
  });
});

describe('PrefixSet', () => {
  it('counts references and never answers "absent" for a present value', () => {
    const s = new PrefixSet();
    const vals: number[] = [];
    for (let i = 0; i < 3000; i++) vals.push(Math.imul(i + 1, 0x9e3779b1) & 0xffff0000);
    for (const v of vals) s.add(v, 1);
    for (const v of vals) s.add(v, 4); // second reference to each (duplicates collapse too)
    const distinct = new Set(vals.map((v) => v | 0));
    expect(s.size).toBe(distinct.size);
    for (const v of vals) {
      expect(s.has(v)).toBe(true);
      expect(s.mayHave(v)).toBe(true);
      expect(s.subtablesOf(v)).toBe(5); // the bits of both references
    }
    // Absent values: exact answer false; the filter says "maybe" only rarely.
    let maybes = 0;
    for (let i = 0; i < 4000; i++) {
      const v = (Math.imul(i + 77777, 0x2545f491) | 1) | 0; // odd: never in vals (low bits 0)
      expect(s.has(v)).toBe(false);
      expect(s.subtablesOf(v)).toBe(0);
      if (s.mayHave(v)) maybes++;
    }
    expect(maybes).toBeLessThan(400);
    // Dropping one reference keeps every value; dropping the second removes it.
    for (const v of vals) s.remove(v);
    for (const v of vals) expect(s.has(v)).toBe(true);
    const counts = new Map<number, number>();
    for (const v of vals) counts.set(v | 0, (counts.get(v | 0) ?? 0) + 1);
    let left = distinct.size;
    for (const [v, c] of counts) {
      for (let k = 0; k < c; k++) s.remove(v);
      left--;
      expect(s.has(v)).toBe(false);
      expect(s.size).toBe(left);
      if (left % 500 === 0) for (const [w] of counts) if (s.has(w)) expect(s.mayHave(w)).toBe(true);
    }
    expect(s.size).toBe(0);
  });

  it('keeps probe runs intact across backward-shift deletes (colliding low bits)', () => {
    const s = new PrefixSet();
    // Values differing only in high bits, added and removed in an interleaved order.
    const vals = Array.from({ length: 200 }, (_, i) => (i << 24) | 0);
    vals.forEach((v, i) => s.add(v, 1 << (i & 31)));
    for (let i = 0; i < vals.length; i += 3) s.remove(vals[i]!);
    vals.forEach((v, i) => expect(s.has(v)).toBe(i % 3 !== 0));
    // Bits move with their values during backward shifts.
    vals.forEach((v, i) => expect(s.subtablesOf(v)).toBe(i % 3 !== 0 ? 1 << (i & 31) : 0));
    vals.forEach((v, i) => { if (i % 3 !== 0) expect(s.mayHave(v)).toBe(true); });
  });
});

describe('PrefixIndex', () => {
  it('answers per prefix length on the masked word and frees empty lengths', () => {
    const x = new PrefixIndex(10);
    x.add(24, 0x0a0b0c0d, 2);
    x.add(32, 0x0a0b0c0d, 2);
    expect(x.has(24, 0x0a0b0cff)).toBe(true);
    expect(x.has(24, 0x0a0b0dff)).toBe(false);
    expect(x.has(32, 0x0a0b0c0d)).toBe(true);
    expect(x.has(32, 0x0a0b0c0e)).toBe(false);
    expect(x.has(16, 0x0a0b0c0d)).toBe(false);
    x.remove(24, 0x0a0b0cee); // same /24 value
    expect(x.sets[24]).toBeNull();
    expect(x.has(24, 0x0a0b0c0d)).toBe(false);
    x.clear();
    expect(x.has(32, 0x0a0b0c0d)).toBe(false);
  });
});

describe('PrefixSet edge cases', () => {
  it('holds the value 0 and refuses to remove what is absent', () => {
    const s = new PrefixSet();
    expect(s.has(0)).toBe(false);
    s.add(0, 1 << 31);
    expect(s.has(0)).toBe(true);
    expect(s.subtablesOf(0)).toBe(1 << 31);
    expect(s.mayHave(0)).toBe(true);
    expect(() => s.remove(5)).toThrow(/not present/);
    s.remove(0);
    expect(s.has(0)).toBe(false);
    expect(() => s.remove(0)).toThrow(/not present/);
  });
});
