import { describe, expect, it } from 'vitest';
import { KEY_WORDS } from '../../src/packet/flow-key.js';
import { Classifier, type ClassifierRule } from '../../src/pipeline/classifier.js';
import { mulberry32 } from './prng.js';

const prng = mulberry32;

class R implements ClassifierRule {
  clsId = -1;
  constructor(readonly id: number, readonly priority: number, readonly value: Uint32Array, readonly mask: Uint32Array) {}
}

// A few words with few distinct values, so rules overlap, share masks and tie often.
const WORDS = [0, 7, 10, 11, 33];
const MASK_CHOICES = [0, 0xffffffff, 0xffff0000, 0x0000ffff, 0xff00ff00, 0x3];

function matches(r: R, k: Uint32Array): boolean {
  for (let w = 0; w < KEY_WORDS; w++) if (((k[w]! & r.mask[w]!) >>> 0) !== r.value[w]) return false;
  return true;
}

describe('Classifier vs. linear scan (seeded property test)', () => {
  it('returns exactly the brute-force rule for 300 random rule sets × 30 packets', () => {
    const rnd = prng(0x5eed);
    const int = (n: number) => Math.floor(rnd() * n);
    const smallVal = () => [0, 1, 2, 0xffffffff, 0x00010001, 0xff00ff00][int(6)]!;
    let checked = 0, hits = 0;
    for (let set = 0; set < 300; set++) {
      const c = new Classifier<R>();
      let live: R[] = []; // in insertion order: earliest first
      // A few masks per set so subtables are shared.
      const masks: Uint32Array[] = [];
      for (let i = 0, n = 1 + int(5); i < n; i++) {
        const m = new Uint32Array(KEY_WORDS);
        for (const w of WORDS) if (rnd() < 0.5) m[w] = MASK_CHOICES[int(MASK_CHOICES.length)]!;
        masks.push(m);
      }
      const ops = 5 + int(40);
      for (let op = 0; op < ops; op++) {
        if (live.length > 0 && rnd() < 0.3) {
          const victim = live[int(live.length)]!;
          c.remove(victim);
          live = live.filter((r) => r !== victim);
          continue;
        }
        const mask = masks[int(masks.length)]!;
        const value = new Uint32Array(KEY_WORDS);
        for (const w of WORDS) value[w] = (smallVal() & mask[w]!) >>> 0;
        const r = new R(op, int(4) * 10, value, mask);
        c.insert(r, value, mask);
        live.push(r);
      }
      expect(c.size).toBe(live.length);
      for (let p = 0; p < 30; p++) {
        const k = new Uint32Array(KEY_WORDS);
        const base = live.length > 0 && rnd() < 0.7 ? live[int(live.length)]!.value : null;
        for (const w of WORDS) k[w] = base !== null && rnd() < 0.8 ? base[w]! | (rnd() < 0.2 ? smallVal() : 0) : smallVal();
        let want: R | null = null;
        for (const r of live) if (matches(r, k) && (want === null || r.priority > want.priority)) want = r;
        expect(c.lookup(k)).toBe(want);
        checked++;
        if (want !== null) hits++;
      }
      // Strict find, covered and overlap agree with brute force as well.
      if (live.length > 0) {
        const t = live[int(live.length)]!;
        const strict = live.find((r) => r.priority === t.priority && sameWords(r.value, t.value) && sameWords(r.mask, t.mask));
        expect(c.findStrict(t.value, t.mask, t.priority)).toBe(strict);
        const cov: R[] = [];
        c.forEachCovered(t.value, t.mask, (r) => cov.push(r));
        const wantCov = live.filter((r) => covers(t, r));
        expect(new Set(cov)).toEqual(new Set(wantCov));
        expect(cov.length).toBe(wantCov.length);
        const ov = c.findOverlap(t.value, t.mask, t.priority);
        expect(ov).not.toBeNull();
        expect(ov!.priority).toBe(t.priority);
        expect(overlaps(ov!, t)).toBe(true);
      }
    }
    expect(checked).toBe(9000);
    expect(hits).toBeGreaterThan(3000); // the generator really exercises matches
  });
});

describe('Classifier vs. linear scan with many prefix lengths (prefix tracking)', () => {
  // Words 9/10 are W_NW_SRC/W_NW_DST, whose prefixes the classifier tracks; word 8 and
  // word 0 vary the rest of the mask so that several subtables share one prefix length.
  const pm = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
  it('returns exactly the brute-force rule for 150 rule sets × 60 packets', () => {
    const rnd = prng(0xbeef);
    const int = (n: number) => Math.floor(rnd() * n);
    // Few distinct addresses so prefixes of different lengths agree on their first bits.
    const addr = () => [0x0a000000, 0x0a0a0000, 0x0a0a0a0a, 0x0a0a0a0b, 0x0b000000, 0x8a0a0a0a][int(6)]! >>> 0;
    let checked = 0, hits = 0, skippedSome = 0;
    for (let set = 0; set < 150; set++) {
      const c = new Classifier<R>();
      let live: R[] = [];
      const masks: Uint32Array[] = [];
      // Every fifth set has more than 32 masks: subtable bits (id & 31) then alias.
      const many = set % 5 === 0;
      for (let i = 0, n = many ? 33 + int(12) : 2 + int(10); i < n; i++) {
        const m = new Uint32Array(KEY_WORDS);
        if (many) m[0] = i + 1; // distinct masks even when the rest repeats
        if (rnd() < 0.8) m[10] = pm([0, 1, 7, 8, 16, 24, 31, 32][int(8)]!);
        if (rnd() < 0.6) m[9] = pm(int(33));
        if (rnd() < 0.3) m[9] = 0xff00ff00; // not a prefix: untracked
        if (rnd() < 0.4) m[8] = [0xffffffff, 0xff][int(2)]!;
        if (rnd() < 0.3) m[0] = 0xffffffff;
        masks.push(m);
      }
      const ops = many ? 200 + int(100) : 10 + int(60);
      for (let op = 0; op < ops; op++) {
        if (live.length > 0 && rnd() < 0.25) {
          const victim = live[int(live.length)]!;
          c.remove(victim);
          live = live.filter((r) => r !== victim);
          continue;
        }
        const mask = masks[int(masks.length)]!;
        const value = new Uint32Array(KEY_WORDS);
        value[10] = (addr() & mask[10]!) >>> 0;
        value[9] = (addr() & mask[9]!) >>> 0;
        value[8] = (int(3) & mask[8]!) >>> 0;
        value[0] = ((many ? int(4) : int(2)) & mask[0]!) >>> 0;
        const r = new R(op, int(6) * 10, value, mask);
        c.insert(r, value, mask);
        live.push(r);
      }
      expect(c.size).toBe(live.length);
      for (let p = 0; p < 60; p++) {
        const k = new Uint32Array(KEY_WORDS);
        const base = live.length > 0 && rnd() < 0.6 ? live[int(live.length)]!.value : null;
        const noise = () => (rnd() < 0.5 ? 0 : 1 << int(32));
        k[10] = ((base !== null ? base[10]! : addr()) ^ noise()) >>> 0;
        k[9] = ((base !== null ? base[9]! : addr()) ^ noise()) >>> 0;
        k[8] = base !== null && rnd() < 0.8 ? base[8]! : int(3);
        k[0] = base !== null && rnd() < 0.8 ? base[0]! : many ? int(4) : int(2);
        let want: R | null = null;
        for (const r of live) if (matches(r, k) && (want === null || r.priority > want.priority)) want = r;
        expect(c.lookup(k)).toBe(want);
        checked++;
        if (want !== null) hits++;
        // Some key fails a prefix shared by two subtables: the skip path is exercised.
        const dstLens = new Map<number, number>();
        for (const m of masks) dstLens.set(m[10]!, (dstLens.get(m[10]!) ?? 0) + 1);
        if (want === null && [...dstLens.values()].some((n) => n > 1)) skippedSome++;
      }
    }
    expect(checked).toBe(9000);
    expect(hits).toBeGreaterThan(2000);
    expect(skippedSome).toBeGreaterThan(500);
  });
});

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  for (let w = 0; w < KEY_WORDS; w++) if (a[w] !== b[w]) return false;
  return true;
}

/** r is equal to or more specific than t. */
function covers(t: R, r: R): boolean {
  for (let w = 0; w < KEY_WORDS; w++) {
    if ((t.mask[w]! & ~r.mask[w]!) !== 0) return false;
    if (((r.value[w]! & t.mask[w]!) >>> 0) !== t.value[w]) return false;
  }
  return true;
}

function overlaps(a: R, b: R): boolean {
  for (let w = 0; w < KEY_WORDS; w++) if (((a.value[w]! ^ b.value[w]!) & a.mask[w]! & b.mask[w]!) !== 0) return false;
  return true;
}
