/**
 * Exact-match flow cache: FlowKey words → the compiled decision for that flow.
 *
 * Layout (capacity = WAYS × buckets, both powers of two):
 *
 *   bucket b = hash & (buckets-1), its slots are b*WAYS .. b*WAYS+WAYS-1 (WAYS = 8)
 *   tags   Uint32Array  [slot]                 the key's hash; the 8 ways of a bucket share
 *                                              one cache line
 *   slots  Uint32Array  [slot*SLOT_WORDS ...]  one 128-byte record per slot:
 *            +0 generation the entry was made under
 *            +1 index of its value in `values`
 *            +2 +3 which key words are not zero (bit i of the 64-bit map = word i)
 *            +4 ... the non-zero key words, in order (at most DATA_WORDS of them)
 *   values V[]          the distinct values of the current generation
 *
 * Why the key is stored compressed: a key is 38 words, most of them zero (a UDP/IPv4
 * packet has about ten non-zero words, three or four more when it came from a tunnel).
 * Stored whole, with the hashes, generations and values in arrays of their own, a hit
 * read six cache lines, and with 10,000 flows those were misses. Compressed, the
 * generation, value index and key of an IPv4 flow sit in the first 64 bytes of the
 * record: a hit costs the tag line and one record line. (The hash
 * inside the record instead of in `tags` saves the tag line for flows in a bucket's first
 * way but costs a line per way walked; measured, it was 5-15 % slower at 10,000 flows.)
 * (`npx tsx bench/datapath.bench.ts`, "datapath 10000 flows").
 *
 * Invariants
 *  - An entry is returned only when its generation equals the caller's current generation:
 *    any change to rules, groups, meters, ports or learned addresses bumps the generation,
 *    so a stale decision is never used (DESIGN.md: "a cache is never stale").
 *  - Equality is exact: every word of the key is compared (the map and the stored words
 *    rebuild the whole key); a hash collision is never a hit.
 *  - Lookup and insert allocate nothing, except that insert adds a value not seen before in
 *    this generation to `values`. `values` starts empty with each generation and is bounded
 *    (at 2 × capacity distinct values, `valueLimit`, the cache is emptied: that only costs misses).
 *  - Insertion prefers an empty or stale way, else replaces a way chosen by the hash's high
 *    bits (pseudo-random, no LRU bookkeeping). A key with more than DATA_WORDS non-zero
 *    words is not cached (insert returns false).
 *  - A one-entry "last hit" shortcut sits in front (VPP's trick): bursts of one flow skip
 *    the bucket walk.
 *  - The arrays are sized for the load, up to `capacity`: they start at INITIAL_ENTRIES
 *    (64 KiB of records) and grow four-fold, keeping the current generation's entries,
 *    when an insert finds its bucket full of live entries. A quiet bridge of a 64-switch
 *    fabric stays small; a busy one reaches `capacity` after a few thousand flows.
 */
import { KEY_WORDS } from '../packet/flow-key.js';

const FLOW_CACHE_WAYS = 8;
export const DEFAULT_FLOW_CACHE_ENTRIES = 65_536;
/** Entries the arrays start with (64 KiB of records), or `capacity` if smaller. */
const INITIAL_ENTRIES = 512;
const GROWTH = 4;

const SLOT_WORDS = 32;
const DATA_WORDS = SLOT_WORDS - 4;
const S_GEN = 0;
const S_VALUE = 1;
const S_MAP_LO = 2;
const S_MAP_HI = 3;
const S_DATA = 4;

export class FlowCache<V> {
  /** entries the arrays hold now (a power of two, <= capacity) */
  private size: number;
  private buckets: number;
  private tags: Uint32Array;
  private slots: Uint32Array;
  private readonly valueLimit: number;
  private values: V[] = [];
  private readonly valueIndex = new Map<V, number>();
  private valuesGen = 0;
  private lastSlot = -1;
  hits = 0;
  misses = 0;

  constructor(readonly capacity = DEFAULT_FLOW_CACHE_ENTRIES) {
    if (capacity < FLOW_CACHE_WAYS || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`flow cache capacity must be a power of two >= ${FLOW_CACHE_WAYS}, got ${capacity}`);
    }
    if (KEY_WORDS > 64) throw new RangeError('flow cache key map holds 64 words');
    this.size = Math.min(capacity, INITIAL_ENTRIES);
    this.buckets = this.size / FLOW_CACHE_WAYS;
    // Generation 0 is never current (the datapath starts at 1), so fresh slots are stale.
    this.tags = new Uint32Array(this.size);
    this.slots = new Uint32Array(this.size * SLOT_WORDS);
    this.valueLimit = 2 * capacity;
  }

  lookup(words: Uint32Array, hash: number, generation: number): V | undefined {
    // `values` holds one generation's values: under any other, no slot may be read.
    if (generation !== this.valuesGen) {
      this.misses++;
      return undefined;
    }
    const last = this.lastSlot;
    if (last >= 0 && this.tags[last] === hash && this.matches(last, words, generation)) {
      this.hits++;
      return this.values[this.slots[last * SLOT_WORDS + S_VALUE]!];
    }
    const base = (hash & (this.buckets - 1)) * FLOW_CACHE_WAYS;
    for (let w = 0; w < FLOW_CACHE_WAYS; w++) {
      const slot = base + w;
      if (this.tags[slot] === hash && this.matches(slot, words, generation)) {
        this.lastSlot = slot;
        this.hits++;
        return this.values[this.slots[slot * SLOT_WORDS + S_VALUE]!];
      }
    }
    this.misses++;
    return undefined;
  }

  /**
   * Reads, for each of the n hashes, the bucket's tags and the record whose tag matches,
   * and returns a value derived from them. It changes nothing: its only effect is that a
   * burst's lookups then find their memory in the CPU cache. Its loads do not depend on
   * each other, so the processor overlaps their misses, where a lookup right after the
   * previous packet's pays each miss in turn (VPP and OVS prefetch for the same reason).
   */
  touch(hashes: Uint32Array, n: number): number {
    const tags = this.tags;
    const mask = this.buckets - 1;
    let acc = 0;
    for (let i = 0; i < n; i++) acc ^= tags[(hashes[i]! & mask) * FLOW_CACHE_WAYS]!;
    for (let i = 0; i < n; i++) {
      const h = hashes[i]!;
      const base = (h & mask) * FLOW_CACHE_WAYS;
      for (let w = 0; w < FLOW_CACHE_WAYS; w++) {
        if (tags[base + w] === h) {
          acc ^= this.slots[(base + w) * SLOT_WORDS + S_GEN]!;
          break;
        }
      }
    }
    return acc;
  }

  /** Caches `value` for the key; false when the key has too many non-zero words to store. */
  insert(words: Uint32Array, hash: number, generation: number, value: V): boolean {
    let n = 0;
    for (let i = 0; i < KEY_WORDS; i++) if (words[i] !== 0) n++;
    if (n > DATA_WORDS) return false;
    const vi = this.valueSlot(value, generation);
    let slot = this.freeWay(hash, generation);
    if (slot < 0 && this.size < this.capacity) {
      this.grow();
      slot = this.freeWay(hash, generation);
    }
    if (slot < 0) slot = (hash & (this.buckets - 1)) * FLOW_CACHE_WAYS + ((hash >>> 29) & (FLOW_CACHE_WAYS - 1));
    const s = this.slots;
    const o = slot * SLOT_WORDS;
    let lo = 0;
    let hi = 0;
    let j = o + S_DATA;
    for (let i = 0; i < KEY_WORDS; i++) {
      const v = words[i]!;
      if (v === 0) continue;
      if (i < 32) lo |= 1 << i;
      else hi |= 1 << (i - 32);
      s[j++] = v;
    }
    s[o + S_GEN] = generation;
    s[o + S_VALUE] = vi;
    s[o + S_MAP_LO] = lo;
    s[o + S_MAP_HI] = hi;
    this.tags[slot] = hash;
    this.lastSlot = slot;
    return true;
  }

  /** Number of entries valid under `generation` (a full scan: for stats, not the fast path). */
  entries(generation: number): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (this.slots[i * SLOT_WORDS + S_GEN] === generation) n++;
    return n;
  }

  /** Entries the arrays hold now (they grow with the load up to `capacity`). */
  get allocated(): number {
    return this.size;
  }

  /** Drops every entry and the references they hold. */
  clear(): void {
    for (let i = 0; i < this.size; i++) this.slots[i * SLOT_WORDS + S_GEN] = 0;
    this.forgetValues();
  }

  /** A way of the hash's bucket that holds no entry of `generation`, or -1. */
  private freeWay(hash: number, generation: number): number {
    const base = (hash & (this.buckets - 1)) * FLOW_CACHE_WAYS;
    for (let w = 0; w < FLOW_CACHE_WAYS; w++) {
      if (this.slots[(base + w) * SLOT_WORDS + S_GEN] !== generation) return base + w;
    }
    return -1;
  }

  /** Grows the arrays GROWTH-fold (at most to capacity), moving the entries of the
   * current generation (the only ones that can still be hit) to their new buckets. */
  private grow(): void {
    const oldTags = this.tags;
    const oldSlots = this.slots;
    const oldSize = this.size;
    this.size = Math.min(this.capacity, this.size * GROWTH);
    this.buckets = this.size / FLOW_CACHE_WAYS;
    this.tags = new Uint32Array(this.size);
    this.slots = new Uint32Array(this.size * SLOT_WORDS);
    this.lastSlot = -1;
    const gen = this.valuesGen;
    for (let i = 0; i < oldSize; i++) {
      const o = i * SLOT_WORDS;
      if (gen === 0 || oldSlots[o + S_GEN] !== gen) continue;
      const slot = this.freeWay(oldTags[i]!, gen);
      if (slot < 0) continue; // cannot happen: the new bucket has GROWTH times the room
      this.slots.set(oldSlots.subarray(o, o + SLOT_WORDS), slot * SLOT_WORDS);
      this.tags[slot] = oldTags[i]!;
    }
  }

  private forgetValues(): void {
    this.values = [];
    this.valueIndex.clear();
    this.lastSlot = -1;
  }

  private valueSlot(value: V, generation: number): number {
    if (generation !== this.valuesGen) {
      // Entries of older generations are never read again: their values can go.
      this.forgetValues();
      this.valuesGen = generation;
    } else if (this.values.length >= this.valueLimit) {
      this.clear();
    }
    let vi = this.valueIndex.get(value);
    if (vi === undefined) {
      vi = this.values.length;
      this.values.push(value);
      this.valueIndex.set(value, vi);
    }
    return vi;
  }

  /** The slot holds exactly `words`, made under `generation`. */
  private matches(slot: number, words: Uint32Array, generation: number): boolean {
    const s = this.slots;
    const o = slot * SLOT_WORDS;
    if (s[o + S_GEN] !== generation) return false;
    let map = s[o + S_MAP_LO]!;
    let j = o + S_DATA;
    const n = KEY_WORDS;
    for (let i = 0; i < n; i++) {
      if (i === 32) map = s[o + S_MAP_HI]!;
      const w = words[i]!;
      if ((map & 1) !== 0) {
        if (w !== s[j++]) return false;
      } else if (w !== 0) return false;
      map >>>= 1;
    }
    return true;
  }
}
