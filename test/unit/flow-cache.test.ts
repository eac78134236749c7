import { describe, expect, it } from 'vitest';
import { FlowCache } from '../../src/datapath/flow-cache.js';
import { FlowKey, KEY_WORDS, W_PRESENT, W_TUN_DST, W_TUN_SRC, hashKeyWords, setTunnelMeta } from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';

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

  it('starts small and grows with the flows, keeping its entries, up to its capacity', () => {
    const c = new FlowCache<number>(65_536);
    expect(c.allocated).toBe(512);
    for (let i = 0; i < 5000; i++) {
      const k = key(i);
      expect(c.insert(k, hashKeyWords(k), 3, i)).toBe(true);
    }
    expect(c.allocated).toBeGreaterThanOrEqual(8192);
    expect(c.allocated).toBeLessThanOrEqual(32_768);
    // every flow inserted since the last growth still hits; none gives another's value
    let hits = 0;
    for (let i = 0; i < 5000; i++) {
      const k = key(i);
      const v = c.lookup(k, hashKeyWords(k), 3);
      if (v !== undefined) {
        expect(v).toBe(i);
        hits++;
      }
    }
    expect(hits).toBe(c.entries(3));
    expect(hits).toBeGreaterThan(4900);
    const small = new FlowCache<number>(1024);
    for (let i = 0; i < 5000; i++) small.insert(key(i), hashKeyWords(key(i)), 1, i);
    expect(small.allocated).toBe(1024); // never past its capacity
  });

  it('never confuses two keys that collide on the hash', () => {
    const c = new FlowCache<number>(8);
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
    expect(hits).toBeGreaterThanOrEqual(24); // 32 flows in 32 buckets x 8 ways: nearly all stay
  });

  it('tells keys apart in every word, including the last ones and zero against non-zero', () => {
    const c = new FlowCache<number>(64);
    const base = key(5);
    c.insert(base, 7, 1, -1);
    for (let i = 0; i < KEY_WORDS; i++) {
      for (const v of [0, 1, 0x80000000]) {
        if (base[i] === v) continue;
        const k = base.slice();
        k[i] = v;
        expect(c.lookup(k, 7, 1)).toBeUndefined(); // same hash on purpose: only the words differ
      }
    }
    expect(c.lookup(base.slice(), 7, 1)).toBe(-1);
    // a key whose only non-zero words are the two past bit 31 of the map
    const high = new Uint32Array(KEY_WORDS);
    high[KEY_WORDS - 1] = 9;
    high[KEY_WORDS - 2] = 3;
    expect(c.insert(high, 7, 1, 33)).toBe(true);
    expect(c.lookup(high, 7, 1)).toBe(33);
    expect(c.lookup(base, 7, 1)).toBe(-1);
  });

  it('does not cache a key with more non-zero words than a record holds', () => {
    const c = new FlowCache<number>(64);
    const full = new Uint32Array(KEY_WORDS).fill(1);
    expect(c.insert(full, 1, 1, 1)).toBe(false);
    expect(c.lookup(full, 1, 1)).toBeUndefined();
    expect(c.entries(1)).toBe(0);
  });

  it('keeps one copy of a value shared by many keys, and forgets values of older generations', () => {
    const c = new FlowCache<{ n: number }>(1024);
    const shared = { n: 1 };
    for (let i = 0; i < 500; i++) {
      const k = key(i);
      c.insert(k, hashKeyWords(k), 3, shared);
    }
    let same = 0;
    for (let i = 0; i < 500; i++) {
      const k = key(i);
      if (c.lookup(k, hashKeyWords(k), 3) === shared) same++;
    }
    expect(same).toBeGreaterThan(490); // a few may have been evicted by a full bucket
    const k = key(1);
    c.insert(k, hashKeyWords(k), 4, { n: 2 });
    expect(c.lookup(k, hashKeyWords(k), 4)).toEqual({ n: 2 });
    expect(c.lookup(key(2), hashKeyWords(key(2)), 3)).toBeUndefined(); // generation 3's values are gone
    expect(c.entries(4)).toBe(1);
  });

  it('touch() reads a burst ahead and changes nothing', () => {
    const c = new FlowCache<number>(256);
    const hashes = new Uint32Array(64);
    for (let i = 0; i < 64; i++) {
      const k = key(i);
      hashes[i] = hashKeyWords(k);
      if (i % 2 === 0) c.insert(k, hashes[i]!, 1, i);
    }
    const before = { hits: c.hits, misses: c.misses, entries: c.entries(1) };
    c.touch(hashes, 64);
    expect({ hits: c.hits, misses: c.misses, entries: c.entries(1) }).toEqual(before);
    for (let i = 0; i < 64; i++) expect(c.lookup(key(i), hashes[i]!, 1)).toBe(i % 2 === 0 ? i : undefined);
  });

  it('refuses a capacity that is not a power of two', () => {
    expect(() => new FlowCache(100)).toThrow(/power of two/);
  });

  it('tells apart keys that differ only in tun_src (words past 32 of the compressed map)', () => {
    // A UDP/IPv4 frame from a tunnel: tun_src / tun_dst sit in words 32 / 33 (the map's
    // high half), next to W_PRESENT with P_TUNNEL.
    const frame = Uint8Array.from(Buffer.from(
      '0200000000020200000000010800' + '4500001c000000004011f9cd0a0000010a000002' + '003500350008ffff', 'hex'));
    const a = new FlowKey();
    const b = new FlowKey();
    parseFrame(frame, 0, frame.length, 1, a);
    parseFrame(frame, 0, frame.length, 1, b);
    setTunnelMeta(a, 0, 42, 0xc0a80001, 0xc0a80002);
    setTunnelMeta(b, 0, 42, 0xc0a80003, 0xc0a80002);
    expect(W_TUN_SRC).toBeGreaterThanOrEqual(32);
    expect(a.words[W_TUN_DST]).toBe(b.words[W_TUN_DST]);
    expect(a.words[W_PRESENT]).toBe(b.words[W_PRESENT]);
    const c = new FlowCache<string>(64);
    // Same hash on purpose: only the exact compare may tell them apart.
    c.insert(a.words, 7, 1, 'from 192.168.0.1');
    expect(c.lookup(b.words, 7, 1)).toBeUndefined();
    c.insert(b.words, 7, 1, 'from 192.168.0.3');
    expect(c.lookup(a.words, 7, 1)).toBe('from 192.168.0.1');
    expect(c.lookup(b.words, 7, 1)).toBe('from 192.168.0.3');
    expect(hashKeyWords(a.words)).not.toBe(hashKeyWords(b.words));
    // And a key without tunnel metadata is a third flow.
    const plain = new FlowKey();
    parseFrame(frame, 0, frame.length, 1, plain);
    expect(c.lookup(plain.words, 7, 1)).toBeUndefined();
  });
});
