/**
 * Exact-match flow cache: FlowKey words → the compiled decision for that flow.
 *
 * Layout (capacity = WAYS × buckets, both powers of two):
 *
 *   bucket b = hash & (buckets-1)
 *   slots    [b*WAYS ... b*WAYS+WAYS-1]
 *   keys     Uint32Array  slot*KEY_WORDS .. +KEY_WORDS   full key, compared word by word
 *   hashes   Uint32Array  slot                          cheap pre-check
 *   gens     Uint32Array  slot                          generation the entry was made under
 *   values   V[]          slot
 *
 * Invariants
 *  - An entry is returned only when its generation equals the caller's current generation:
 *    any change to rules, groups, meters, ports or learned addresses bumps the generation,
 *    so a stale decision is never used (DESIGN.md: "a cache is never stale").
 *  - Lookup and insert allocate nothing. Insertion prefers an empty or stale way, else
 *    replaces a way chosen by the hash's high bits (pseudo-random, no LRU bookkeeping).
 *  - A one-entry "last hit" shortcut sits in front (VPP's trick): bursts of one flow skip
 *    the bucket walk after one word-compare.
 */
import { KEY_WORDS } from '../packet/flow-key.js';

export const FLOW_CACHE_WAYS = 4;
export const DEFAULT_FLOW_CACHE_ENTRIES = 65_536;

export class FlowCache<V> {
  private readonly buckets: number;
  private readonly keys: Uint32Array;
  private readonly hashes: Uint32Array;
  private readonly gens: Uint32Array;
  private readonly values: (V | undefined)[];
  private lastSlot = -1;
  hits = 0;
  misses = 0;

  constructor(readonly capacity = DEFAULT_FLOW_CACHE_ENTRIES) {
    if (capacity < FLOW_CACHE_WAYS || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`flow cache capacity must be a power of two >= ${FLOW_CACHE_WAYS}, got ${capacity}`);
    }
    this.buckets = capacity / FLOW_CACHE_WAYS;
    this.keys = new Uint32Array(capacity * KEY_WORDS);
    this.hashes = new Uint32Array(capacity);
    // Generation 0 is never current (the datapath starts at 1), so fresh slots are stale.
    this.gens = new Uint32Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
  }

  lookup(words: Uint32Array, hash: number, generation: number): V | undefined {
    const last = this.lastSlot;
    if (last >= 0 && this.hashes[last] === hash && this.gens[last] === generation && this.sameKey(last, words)) {
      this.hits++;
      return this.values[last];
    }
    const base = (hash & (this.buckets - 1)) * FLOW_CACHE_WAYS;
    for (let w = 0; w < FLOW_CACHE_WAYS; w++) {
      const slot = base + w;
      if (this.hashes[slot] === hash && this.gens[slot] === generation && this.sameKey(slot, words)) {
        this.lastSlot = slot;
        this.hits++;
        return this.values[slot];
      }
    }
    this.misses++;
    return undefined;
  }

  insert(words: Uint32Array, hash: number, generation: number, value: V): void {
    const base = (hash & (this.buckets - 1)) * FLOW_CACHE_WAYS;
    let slot = base + ((hash >>> 28) & (FLOW_CACHE_WAYS - 1));
    for (let w = 0; w < FLOW_CACHE_WAYS; w++) {
      if (this.gens[base + w] !== generation) {
        slot = base + w;
        break;
      }
    }
    this.keys.set(words, slot * KEY_WORDS);
    this.hashes[slot] = hash;
    this.gens[slot] = generation;
    this.values[slot] = value;
    this.lastSlot = slot;
  }

  /** Number of entries valid under `generation` (a full scan: for stats, not the fast path). */
  entries(generation: number): number {
    let n = 0;
    for (let i = 0; i < this.capacity; i++) if (this.gens[i] === generation) n++;
    return n;
  }

  /** Drops every entry and the references they hold. */
  clear(): void {
    this.gens.fill(0);
    this.values.fill(undefined);
    this.lastSlot = -1;
  }

  private sameKey(slot: number, words: Uint32Array): boolean {
    const keys = this.keys;
    let o = slot * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++, o++) if (keys[o] !== words[i]) return false;
    return true;
  }
}
