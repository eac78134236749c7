/**
 * One subtable of the tuple-space classifier: every rule in it has the same mask, so a
 * lookup is one hash probe of (key & mask). It stores "entries" — distinct masked values —
 * and leaves the rules hanging off each entry to the Classifier (see classifier.ts).
 *
 * Layout (n = number of key words the mask touches, in increasing word order):
 *
 *   words[i], wmask[i]      which key word, and its mask, for i < n
 *   entry record e, at data[e*stride ..], stride = n + 2, so a hit reads one record:
 *     [0 .. n-1]  masked value (only the touched words, as int32 bit patterns)
 *     [n]         head: first rule id of e's chain when in use (>= 0); a free entry
 *                 holds -2 - nextFreeEntry (always < 0)
 *     [n+1]       priority of the head rule (what lookup compares)
 *   table[2s], table[2s+1]  open-addressing slot s (linear probing): entry id (-1 = empty)
 *                           and the full 32-bit hash of that entry's value, side by side
 *                           so that a probe touches one cache line
 *   filter                  a 1-hash Bloom filter over the entries' hashes (bit index =
 *                           the hash's top bits), FILTER_BITS_PER_SLOT bits per slot
 *
 * Invariants
 *  - An entry is in `table` exactly when it is in use (head >= 0); values are unique.
 *  - The table is at most half full (a miss — the common case, since most subtables
 *    do not hold the packet — then costs ~2.5 slot checks); deletion shifts later
 *    probe-run members back (no tombstones), so a miss stops at the first empty slot.
 *  - find() reads the key in place and allocates nothing; only the n touched words are
 *    hashed and compared.
 *  - The filter never has a false negative: every entry's bit is set. Deletions leave
 *    stale bits; the filter is rebuilt when they outnumber the live entries, and on every
 *    rehash. Why: a lookup probes most subtables in vain, and the filter (≤ 2 bytes per
 *    entry, cache resident) answers most of those misses without touching the table.
 */
import { KEY_WORDS, W_NW_DST, W_NW_SRC, fmix32 } from '../packet/flow-key.js';
import { prefixLength, prefixMask } from './classifier-prefix.js';

const MIN_SLOTS = 8;
const EMPTY = -1;
/** Slots ≥ 2 × entries, so this gives ≥ 8 filter bits per entry: ≤ 12% false positives. */
const FILTER_BITS_PER_SLOT = 4;
const LOG2_FILTER_BITS_PER_SLOT = 2;

/** murmur3-style mixing of one word into a running hash (finished with fmix32). */
function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export class Subtable {
  /** The full mask (KEY_WORDS words). */
  readonly mask: Uint32Array;
  readonly words: Int32Array;
  readonly wmask: Uint32Array;
  readonly n: number;
  readonly stride: number;
  private data: Int32Array;
  /** Highest entry index ever used + 1: scans run over [0, entryEnd). */
  entryEnd = 0;
  private freeEntry = -1;
  private table: Int32Array;
  /** Number of slots - 1 (slots are a power of two). */
  private cap1 = MIN_SLOTS - 1;
  private used = 0;
  private filter: Int32Array;
  /** 32 - log2(filter bits): the shift that turns a hash into a filter bit index. */
  private filterShift = 0;
  private staleBits = 0;
  /** Number of rules (maintained by the Classifier). */
  ruleCount = 0;
  /** Highest priority of any rule here (maintained by the Classifier). */
  maxPriority = -1;
  /** Rules per priority, to recompute maxPriority on removal without a scan of rules. */
  readonly prioCounts = new Map<number, number>();
  /**
   * Prefix length of the mask on W_NW_DST / W_NW_SRC (0: the word is not a tracked
   * prefix here) and that prefix's mask; see classifier-prefix.ts.
   */
  readonly dstPrefixLen: number;
  readonly dstPrefixMask: number;
  readonly srcPrefixLen: number;
  readonly srcPrefixMask: number;

  constructor(mask: Uint32Array, readonly id: number) {
    this.mask = Uint32Array.from(mask);
    const ws: number[] = [];
    for (let w = 0; w < KEY_WORDS; w++) if (mask[w] !== 0) ws.push(w);
    this.n = ws.length;
    this.words = Int32Array.from(ws);
    this.wmask = Uint32Array.from(ws.map((w) => mask[w]!));
    this.stride = this.n + 2;
    this.data = new Int32Array(4 * this.stride);
    this.table = new Int32Array(2 * MIN_SLOTS).fill(EMPTY);
    this.filter = this.newFilter(MIN_SLOTS);
    this.dstPrefixLen = prefixLength(mask[W_NW_DST]!);
    this.dstPrefixMask = prefixMask(this.dstPrefixLen);
    this.srcPrefixLen = prefixLength(mask[W_NW_SRC]!);
    this.srcPrefixMask = prefixMask(this.srcPrefixLen);
  }

  get entryCount(): number {
    return this.used;
  }

  /** Hash of (key & mask) over the touched words; `key` is a full FlowKey word array. */
  hashKey(key: Uint32Array): number {
    const words = this.words, wmask = this.wmask;
    let h = this.n;
    for (let i = 0; i < this.n; i++) h = mixWord(h, key[words[i]!]! & wmask[i]!);
    return fmix32(h);
  }

  private hashEntry(e: number): number {
    const data = this.data, base = e * this.stride;
    let h = this.n;
    for (let i = 0; i < this.n; i++) h = mixWord(h, data[base + i]!);
    return fmix32(h);
  }

  /** The entry whose value equals key & mask, or -1. Allocation free (hot path). */
  find(key: Uint32Array): number {
    const h = this.hashKey(key);
    const bit = h >>> this.filterShift;
    if ((this.filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    const table = this.table, cap1 = this.cap1;
    const n = this.n, words = this.words, wmask = this.wmask, data = this.data, stride = this.stride;
    for (let s = h & cap1; ; s = (s + 1) & cap1) {
      const e = table[2 * s]!;
      if (e === EMPTY) return -1;
      if (table[2 * s + 1] !== h) continue;
      const base = e * stride;
      let i = 0;
      while (i < n && data[base + i] === (key[words[i]!]! & wmask[i]!)) i++;
      if (i === n) return e;
    }
  }

  /** Adds a new entry for value (already masked, full key layout); caller checked find() < 0. */
  add(value: Uint32Array, head: number, headPriority: number): number {
    let e = this.freeEntry;
    if (e >= 0) {
      this.freeEntry = -2 - this.head(e);
    } else {
      e = this.entryEnd++;
      if ((e + 1) * this.stride > this.data.length) this.growEntries();
    }
    const base = e * this.stride;
    for (let i = 0; i < this.n; i++) this.data[base + i] = value[this.words[i]!]! & this.wmask[i]!;
    this.setHead(e, head, headPriority);
    if ((this.used + 1) * 2 > this.cap1 + 1) this.rehash((this.cap1 + 1) * 2);
    const h = this.hashEntry(e);
    this.place(e, h);
    this.setFilterBit(h);
    this.used++;
    return e;
  }

  /** Removes entry e (its chain must already be empty). */
  delete(e: number): void {
    const h = this.hashEntry(e);
    const table = this.table, cap1 = this.cap1;
    let s = h & cap1;
    while (table[2 * s] !== e) s = (s + 1) & cap1;
    // Backward-shift deletion: pull later members of the probe run into the hole when
    // their home slot is not strictly after the hole (cyclically).
    let hole = s;
    for (let j = (hole + 1) & cap1; table[2 * j] !== EMPTY; j = (j + 1) & cap1) {
      const home = table[2 * j + 1]! & cap1;
      if (((j - home) & cap1) >= ((j - hole) & cap1)) {
        table[2 * hole] = table[2 * j]!;
        table[2 * hole + 1] = table[2 * j + 1]!;
        hole = j;
      }
    }
    table[2 * hole] = EMPTY;
    this.used--;
    if (++this.staleBits > this.used) this.rebuildFilter();
    this.data[e * this.stride + this.n] = -2 - this.freeEntry;
    this.freeEntry = e;
  }

  /** First rule id of entry e's chain (>= 0 when e is in use). */
  head(e: number): number {
    return this.data[e * this.stride + this.n]!;
  }

  headPriority(e: number): number {
    return this.data[e * this.stride + this.n + 1]!;
  }

  setHead(e: number, rule: number, priority: number): void {
    const at = e * this.stride + this.n;
    this.data[at] = rule;
    this.data[at + 1] = priority;
  }

  /** Writes entry e's value into `out` (full key layout) at the touched words. */
  readValue(e: number, out: Uint32Array): void {
    const base = e * this.stride;
    for (let i = 0; i < this.n; i++) out[this.words[i]!] = this.data[base + i]! >>> 0;
  }

  /** Entry e's masked value on key word w (0 when the mask does not touch w). */
  valueAt(e: number, w: number): number {
    const base = e * this.stride;
    for (let i = 0; i < this.n; i++) if (this.words[i] === w) return this.data[base + i]!;
    return 0;
  }

  /** (entryValue & mask) == value, where mask ⊆ this.mask and value = value & mask. */
  entryCoveredBy(e: number, value: Uint32Array, mask: Uint32Array): boolean {
    const base = e * this.stride;
    for (let i = 0; i < this.n; i++) {
      const w = this.words[i]!;
      if (((this.data[base + i]! & mask[w]!) >>> 0) !== value[w]) return false;
    }
    return true;
  }

  /** Some key can match both entry e and (value, mask): (v1 ^ v2) & m1 & m2 == 0. */
  entryOverlaps(e: number, value: Uint32Array, mask: Uint32Array): boolean {
    const base = e * this.stride;
    for (let i = 0; i < this.n; i++) {
      const w = this.words[i]!;
      if (((this.data[base + i]! ^ value[w]!) & this.wmask[i]! & mask[w]!) !== 0) return false;
    }
    return true;
  }

  sameMask(mask: Uint32Array): boolean {
    for (let w = 0; w < KEY_WORDS; w++) if (this.mask[w] !== mask[w]) return false;
    return true;
  }

  private place(e: number, h: number): void {
    const table = this.table, cap1 = this.cap1;
    let s = h & cap1;
    while (table[2 * s] !== EMPTY) s = (s + 1) & cap1;
    table[2 * s] = e;
    table[2 * s + 1] = h;
  }

  private rehash(cap: number): void {
    const old = this.table;
    this.table = new Int32Array(2 * cap).fill(EMPTY);
    this.cap1 = cap - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] !== EMPTY) this.place(old[s]!, old[s + 1]!);
    }
    this.rebuildFilter();
  }

  private newFilter(slots: number): Int32Array {
    // bits = slots × FILTER_BITS_PER_SLOT, a power of two ≥ 32.
    this.filterShift = 32 - (31 - Math.clz32(slots) + LOG2_FILTER_BITS_PER_SLOT);
    return new Int32Array(Math.max(1, (slots * FILTER_BITS_PER_SLOT) >>> 5));
  }

  private setFilterBit(h: number): void {
    const bit = h >>> this.filterShift;
    this.filter[bit >>> 5]! |= 1 << (bit & 31);
  }

  private rebuildFilter(): void {
    this.filter = this.newFilter(this.cap1 + 1);
    this.staleBits = 0;
    const table = this.table;
    for (let s = 0; s < table.length; s += 2) {
      if (table[s] !== EMPTY) this.setFilterBit(table[s + 1]!);
    }
  }

  private growEntries(): void {
    const data = new Int32Array(this.data.length * 2);
    data.set(this.data);
    this.data = data;
  }
}
