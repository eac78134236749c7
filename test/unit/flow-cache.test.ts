import { describe, expect, it } from 'vitest';
import { FlowCache } from '../../src/datapath/flow-cache.js';
import { KEY_WORDS, hashKeyWords } from '../../src/packet/flow-key.js';

function key(i: number): Uint32Array {
  const k = new Uint32Array(KEY_WORDS);
  k[0] = i % 7;
  k[10] = i;
  k[11] = (i * 2654435761) >>> 0;
  return k;
}

describe('exact-match flow cache', () => {
  it('returns what was inserted for the same key and generation only', () => {
    const c = new FlowCache<string>(64);
    const k = key(1);
    const h = hashKeyWords(k);
    c.insert(k, h, 1, 'one');
    expect(c.lookup(k, h, 1)).toBe('one');
    expect(c.lookup(k, h, 2)).toBeUndefined(); // a newer generation makes it stale
    const other = key(2);
    expect(c.lookup(other, hashKeyWords(other), 1)).toBeUndefined();
    expect(c.hits).toBe(1);
    expect(c.misses).toBe(2);
  });

  it('never confuses two keys that collide on the hash', () => {
    const c = new FlowCache<number>(4);
    const a = key(10);
    const b = key(11);
    c.insert(a, 42, 1, 10);
    expect(c.lookup(b, 42, 1)).toBeUndefined();
    c.insert(b, 42, 1, 11);
    expect(c.lookup(a, 42, 1)).toBe(10);
    expect(c.lookup(b, 42, 1)).toBe(11);
  });

  it('stays correct when flows outnumber it, and a small working set hits again afterwards', () => {
    const c = new FlowCache<number>(256);
    const visit = (i: number): boolean => {
      const k = key(i);
      const h = hashKeyWords(k);
      const v = c.lookup(k, h, 7);
      if (v === undefined) {
        c.insert(k, h, 7, i);
        return false;
      }
      expect(v).toBe(i);
      return true;
    };
    for (let round = 0; round < 2; round++) for (let i = 0; i < 5000; i++) visit(i);
    expect(c.entries(7)).toBeLessThanOrEqual(256);
    for (let i = 0; i < 32; i++) visit(100_000 + i);
    let hits = 0;
    for (let i = 0; i < 32; i++) if (visit(100_000 + i)) hits++;
    expect(hits).toBeGreaterThanOrEqual(24); // 32 flows in 64 buckets x 4 ways: nearly all stay
  });

  it('refuses a capacity that is not a power of two', () => {
    expect(() => new FlowCache(100)).toThrow(/power of two/);
  });
});
