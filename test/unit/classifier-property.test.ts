import { describe, expect, it } from 'vitest';
import { KEY_WORDS } from '../../src/packet/flow-key.js';
import { Classifier, type ClassifierRule } from '../../src/pipeline/classifier.js';

/** mulberry32: small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
