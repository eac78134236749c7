/**
 * Prefix tracking for the classifier, after Open vSwitch's (lib/classifier.c, "prefix
 * tracking"; by default on ip_dst and ip_src): for a tracked key word and each prefix
 * length L that some subtable's mask has on that word, keep the set of distinct values
 * (word & prefix(L)) of the entries of those subtables, each with the subtables that hold
 * it. A lookup asks once per (word, L) for the key's (word & prefix(L)); a subtable that
 * is not among the answer's subtables cannot match and is skipped without hashing the
 * key. A key that matches no rule's prefix costs one filter probe per distinct prefix
 * length instead of one probe per subtable; a key that does probes only the subtables
 * that hold its prefix.
 *
 *   PrefixSet       refcounted set of uint32 values: open addressing, linear probing,
 *                   table[3s] = value, table[3s+1] = count (0 = empty slot),
 *                   table[3s+2] = bits (1 << (subtable id & 31)) of the subtables
 *                   whose entries have the value; in front of it a blocked Bloom
 *                   filter (8 bits per slot, 2 bits per value in one 32-bit word)
 *                   that answers most absent values from one cache line
 *   PrefixIndex     sets[L] for L in 1..32 of one tracked word (null when unused), and
 *                   subtables[L]: how many subtables have prefix length L on the word
 *
 * A set is only worth asking when it stands for two or more subtables: for one subtable,
 * that subtable's own filter and table say at least as much, at about the same cost.
 *
 * Invariants
 *  - sets[L] holds value v with count c exactly when c entries (distinct masked values of
 *    a subtable) with prefix length L on the word have (value[word] & prefix(L)) == v.
 *  - v's subtable bits are a superset of the bits of the subtables holding v: bits are
 *    OR-ed in on every add and dropped only with v's last reference. Stale bits (a
 *    subtable that lost v, ids that alias mod 32, a reused id) only cost a probe; a
 *    missing bit would lose a match and cannot happen.
 *  - The filter has no false negatives; removals leave stale bits until the next rehash
 *    or until they outnumber the live values (then it is rebuilt). A false "maybe"
 *    (≈ 2%) costs one table probe.
 *  - Tables are at most half full; deletion shifts probe runs back (no tombstones), so
 *    lookups stop at the first empty slot. subtablesOf() allocates nothing.
 *  - Slots and filter bits come from fmix32(v) (src/packet/flow-key.ts): prefix values
 *    have zero low bits, so the low bits need mixing in.
 */
import { fmix32 } from '../packet/flow-key.js';

const MIN_SLOTS = 8;
/** Filter words = slots / 4 (8 bits per slot, ≥ 16 bits per value since slots ≥ 2 × values). */
const LOG2_SLOTS_PER_FILTER_WORD = 2;

/** The mask of the first `len` bits of a word (len 0..32). */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) | 0;
}

/** Prefix length of a word mask when it is a CIDR-style prefix (1..32), else 0. */
export function prefixLength(mask: number): number {
  const len = Math.clz32(~mask);
  return len > 0 && (mask | 0) === prefixMask(len) ? len : 0;
}

export class PrefixSet {
  private table = new Int32Array(3 * MIN_SLOTS);
  private cap1 = MIN_SLOTS - 1;
  private used = 0;
  private filter = new Int32Array(MIN_SLOTS >>> LOG2_SLOTS_PER_FILTER_WORD);
  /** 32 - log2(filter words): turns a hash's top bits into a filter word index. */
  private filterShift = 32 - (3 - LOG2_SLOTS_PER_FILTER_WORD);
  private staleBits = 0;

  get size(): number {
    return this.used;
  }

  /** False when no entry has this value; true when some entry may have it. Hot path. */
  mayHave(v: number): boolean {
    const h = fmix32(v);
    const bits = (1 << (h & 31)) | (1 << ((h >>> 5) & 31));
    return (this.filter[h >>> this.filterShift]! & bits) === bits;
  }

  /**
   * The subtable bits of v (see add), or 0 when no entry has it. Hot path: the filter
   * answers most absent values; a present one costs one table probe.
   */
  subtablesOf(v: number): number {
    const h = fmix32(v);
    const bits = (1 << (h & 31)) | (1 << ((h >>> 5) & 31));
    if ((this.filter[h >>> this.filterShift]! & bits) !== bits) return 0;
    const table = this.table, cap1 = this.cap1;
    for (let s = h & cap1; ; s = (s + 1) & cap1) {
      if (table[3 * s + 1] === 0) return 0;
      if (table[3 * s] === v) return table[3 * s + 2]!;
    }
  }

  /** True exactly when some entry has this value. */
  has(v: number): boolean {
    const table = this.table, cap1 = this.cap1;
    for (let s = fmix32(v) & cap1; ; s = (s + 1) & cap1) {
      if (table[3 * s + 1] === 0) return false;
      if (table[3 * s] === v) return true;
    }
  }

  /**
   * Adds one reference to v, from the subtable whose bit is subtableBit. The bits of a
   * value are only ever OR-ed in, and go when its last reference goes: they are a
   * superset of the subtables holding it (stale or shared bits only cost a probe).
   */
  add(v: number, subtableBit: number): void {
    v |= 0;
    const table = this.table, cap1 = this.cap1;
    let s = fmix32(v) & cap1;
    for (; table[3 * s + 1] !== 0; s = (s + 1) & cap1) {
      if (table[3 * s] === v) {
        table[3 * s + 1]!++;
        table[3 * s + 2]! |= subtableBit;
        return;
      }
    }
    if ((this.used + 1) * 2 > cap1 + 1) {
      this.rehash((cap1 + 1) * 2);
      this.add(v, subtableBit);
      return;
    }
    table[3 * s] = v;
    table[3 * s + 1] = 1;
    table[3 * s + 2] = subtableBit;
    this.used++;
    this.setFilterBit(fmix32(v));
  }

  /** Drops one reference to v (which must be present). */
  remove(v: number): void {
    v |= 0;
    const table = this.table, cap1 = this.cap1;
    let s = fmix32(v) & cap1;
    for (; ; s = (s + 1) & cap1) {
      if (table[3 * s + 1] === 0) throw new Error('PrefixSet.remove: value not present');
      if (table[3 * s] === v) break;
    }
    if (--table[3 * s + 1]! > 0) return;
    // Backward-shift deletion (as in classifier-subtable.ts).
    let hole = s;
    for (let j = (hole + 1) & cap1; table[3 * j + 1] !== 0; j = (j + 1) & cap1) {
      const home = fmix32(table[3 * j]!) & cap1;
      if (((j - home) & cap1) >= ((j - hole) & cap1)) {
        table[3 * hole] = table[3 * j]!;
        table[3 * hole + 1] = table[3 * j + 1]!;
        table[3 * hole + 2] = table[3 * j + 2]!;
        hole = j;
      }
    }
    table[3 * hole] = 0;
    table[3 * hole + 1] = 0;
    table[3 * hole + 2] = 0;
    this.used--;
    if (++this.staleBits > this.used) this.rebuildFilter();
  }

  private rehash(cap: number): void {
    const old = this.table;
    this.table = new Int32Array(3 * cap);
    this.cap1 = cap - 1;
    const table = this.table, cap1 = this.cap1;
    for (let i = 0; i < old.length; i += 3) {
      if (old[i + 1] === 0) continue;
      let s = fmix32(old[i]!) & cap1;
      while (table[3 * s + 1] !== 0) s = (s + 1) & cap1;
      table[3 * s] = old[i]!;
      table[3 * s + 1] = old[i + 1]!;
      table[3 * s + 2] = old[i + 2]!;
    }
    this.rebuildFilter();
  }

  private setFilterBit(h: number): void {
    this.filter[h >>> this.filterShift]! |= (1 << (h & 31)) | (1 << ((h >>> 5) & 31));
  }

  private rebuildFilter(): void {
    const slots = this.cap1 + 1;
    // slots ≥ MIN_SLOTS = 8, so there are ≥ 2 filter words and the shift stays < 32.
    this.filterShift = 32 - (31 - Math.clz32(slots) - LOG2_SLOTS_PER_FILTER_WORD);
    this.filter = new Int32Array(slots >>> LOG2_SLOTS_PER_FILTER_WORD);
    this.staleBits = 0;
    const table = this.table;
    for (let i = 0; i < table.length; i += 3) if (table[i + 1] !== 0) this.setFilterBit(fmix32(table[i]!));
  }
}

/** The prefix sets of one tracked key word, by prefix length. */
export class PrefixIndex {
  /** sets[len] for len 1..32; index 0 unused (a zero mask is never tracked). */
  readonly sets: (PrefixSet | null)[] = new Array<PrefixSet | null>(33).fill(null);
  /** subtables[len]: number of subtables whose mask has prefix length len on the word. */
  readonly subtables = new Int32Array(33);

  constructor(readonly word: number) {}

  add(len: number, value: number, subtableBit: number): void {
    (this.sets[len] ??= new PrefixSet()).add(value & prefixMask(len), subtableBit);
  }

  remove(len: number, value: number): void {
    const set = this.sets[len]!;
    set.remove(value & prefixMask(len));
    if (set.size === 0) this.sets[len] = null;
  }

  /** Exactly whether some entry of prefix length len agrees with keyWord on len bits. */
  has(len: number, keyWord: number): boolean {
    const set = this.sets[len];
    return set !== null && set !== undefined && set.has(keyWord & prefixMask(len));
  }

  clear(): void {
    this.sets.fill(null);
    this.subtables.fill(0);
  }
}
