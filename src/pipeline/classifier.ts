/**
 * Tuple-space search classifier (DESIGN.md "pipeline/"): one hash table ("subtable", see
 * classifier-subtable.ts) per distinct mask; a lookup probes subtables in order of the
 * highest priority they hold and stops early once no later subtable can beat the best hit.
 *
 * Rules are referenced by a small integer id (stored in the rule's `clsId`). Per-rule state
 * lives in typed arrays indexed by id, so a rule costs a few dozen bytes here, and the rule
 * object itself keeps only scalars (memory target: ≤ 300 bytes per rule at 1M rules):
 *
 *   rules[id]   the rule object          prio[id]  its priority
 *   sub[id]     its subtable id          seq[id]   insertion sequence number
 *   entry[id]   its entry in the subtable (the distinct masked value it hangs off)
 *   next[id]    next rule of the same entry's chain; for free ids, the free list link
 *
 * Invariants
 *  - Each entry's chain is sorted by priority descending, then by insertion order, so the
 *    chain head is the entry's best rule.
 *  - `order` holds the non-empty subtables sorted by maxPriority descending (ties by
 *    subtable id); every subtable's maxPriority is exactly the highest priority in it.
 *  - Ties: OF1.3.5 §5.3 leaves the choice among equal-priority matches undefined. Sluice
 *    makes it deterministic: the earliest inserted rule wins. Lookup therefore stops only
 *    when a subtable's maxPriority is strictly below the best hit so far.
 *  - Prefix tracking (classifier-prefix.ts, as OVS does on ip_dst/ip_src): for W_NW_DST
 *    and W_NW_SRC, `dstPrefixes` / `srcPrefixes` hold every entry's value under its
 *    subtable's prefix length on that word. lookup() asks each (word, length) at most once
 *    per key and skips every subtable whose prefix is absent or does not list it (bit
 *    id & 31): a key that matches no destination costs one filter probe, not one per
 *    subtable, and one that does probes only the subtables holding its prefix. Only
 *    prefixes shared by two or more subtables are asked (`subtables[len]` counts them).
 *  - lookup() allocates nothing. Control-path scans (forEachCovered, findOverlap) visit
 *    only subtables that can qualify, and callbacks must not modify the classifier.
 */
import { hashKeyWords, W_NW_DST, W_NW_SRC } from '../packet/flow-key.js';
import { PrefixIndex } from './classifier-prefix.js';
import { Subtable } from './classifier-subtable.js';
import { maskIsSubset } from './match.js';

/** What the classifier needs from a rule: its priority, and a slot for its id. */
export interface ClassifierRule {
  readonly priority: number;
  /** Set by the classifier: the rule's id while inserted, -1 otherwise. */
  clsId: number;
}

const INITIAL_IDS = 16;

export class Classifier<R extends ClassifierRule> {
  private rules: (R | undefined)[] = [];
  private prio = new Int32Array(INITIAL_IDS);
  private sub = new Int32Array(INITIAL_IDS);
  private entry = new Int32Array(INITIAL_IDS);
  private next = new Int32Array(INITIAL_IDS);
  private seq = new Float64Array(INITIAL_IDS);
  private idEnd = 0;
  private freeId = -1;
  private nextSeq = 0;
  private count = 0;
  private subById: (Subtable | undefined)[] = [];
  private freeSubIds: number[] = [];
  /** Subtables by hashKeyWords(mask); a bucket rarely holds more than one. */
  private byMask = new Map<number, Subtable[]>();
  private order: Subtable[] = [];
  private lastSub: Subtable | null = null;
  private readonly dstPrefixes = new PrefixIndex(W_NW_DST);
  private readonly srcPrefixes = new PrefixIndex(W_NW_SRC);
  /** lookup() scratch: subtable bits of the key's prefix per length (valid once asked). */
  private readonly dstBits = new Int32Array(33);
  private readonly srcBits = new Int32Array(33);

  get size(): number {
    return this.count;
  }

  get subtableCount(): number {
    return this.order.length;
  }

  /** Inserts rule with an already-masked value. Duplicates are allowed (see FlowTable). */
  insert(rule: R, value: Uint32Array, mask: Uint32Array): void {
    if (rule.clsId >= 0) throw new Error('rule is already in a classifier');
    const st = this.subtableFor(mask, true)!;
    const id = this.allocId();
    const p = rule.priority;
    this.rules[id] = rule;
    this.prio[id] = p;
    this.seq[id] = this.nextSeq++;
    this.sub[id] = st.id;
    rule.clsId = id;
    const e = st.find(value);
    if (e < 0) {
      this.entry[id] = st.add(value, id, p);
      this.next[id] = -1;
      if (st.dstPrefixLen !== 0) this.dstPrefixes.add(st.dstPrefixLen, value[W_NW_DST]!, 1 << (st.id & 31));
      if (st.srcPrefixLen !== 0) this.srcPrefixes.add(st.srcPrefixLen, value[W_NW_SRC]!, 1 << (st.id & 31));
    } else {
      this.entry[id] = e;
      this.linkInto(st, e, id, p);
    }
    this.count++;
    st.ruleCount++;
    st.prioCounts.set(p, (st.prioCounts.get(p) ?? 0) + 1);
    if (p > st.maxPriority) {
      st.maxPriority = p;
      this.sortOrder();
    }
  }

  remove(rule: R): void {
    const id = rule.clsId;
    if (id < 0 || this.rules[id] !== rule) return;
    const st = this.subById[this.sub[id]!]!;
    const e = this.entry[id]!;
    if (st.head(e) === id) {
      const nx = this.next[id]!;
      if (nx < 0) {
        if (st.dstPrefixLen !== 0) this.dstPrefixes.remove(st.dstPrefixLen, st.valueAt(e, W_NW_DST));
        if (st.srcPrefixLen !== 0) this.srcPrefixes.remove(st.srcPrefixLen, st.valueAt(e, W_NW_SRC));
        st.delete(e);
      } else st.setHead(e, nx, this.prio[nx]!);
    } else {
      let r = st.head(e);
      while (this.next[r] !== id) r = this.next[r]!;
      this.next[r] = this.next[id]!;
    }
    const p = this.prio[id]!;
    const left = st.prioCounts.get(p)! - 1;
    if (left > 0) st.prioCounts.set(p, left);
    else st.prioCounts.delete(p);
    st.ruleCount--;
    this.count--;
    this.rules[id] = undefined;
    this.next[id] = this.freeId;
    this.freeId = id;
    rule.clsId = -1;
    if (st.ruleCount === 0) this.dropSubtable(st);
    else if (left === 0 && p === st.maxPriority) {
      let max = -1;
      for (const q of st.prioCounts.keys()) if (q > max) max = q;
      st.maxPriority = max;
      this.sortOrder();
    }
  }

  /** The highest-priority rule matching the key (FlowKey words), or null. No allocation. */
  lookup(key: Uint32Array): R | null {
    const order = this.order;
    const dSets = this.dstPrefixes.sets, sSets = this.srcPrefixes.sets;
    const dSubs = this.dstPrefixes.subtables, sSubs = this.srcPrefixes.subtables;
    const kd = key[W_NW_DST]! | 0, ks = key[W_NW_SRC]! | 0;
    const dBits = this.dstBits, sBits = this.srcBits;
    // Bit (len - 1) of dAsked: dBits[len] holds the answer for this key (likewise src).
    let dAsked = 0, sAsked = 0;
    let best = -1, bestPrio = -1;
    for (let i = 0; i < order.length; i++) {
      const st = order[i]!;
      if (st.maxPriority < bestPrio) break;
      const stBit = 1 << (st.id & 31);
      const dl = st.dstPrefixLen;
      // A prefix shared by one subtable only is left to that subtable's own filter.
      if (dl !== 0 && dSubs[dl]! > 1) {
        const bit = 1 << (dl - 1);
        if ((dAsked & bit) === 0) {
          dAsked |= bit;
          const set = dSets[dl];
          dBits[dl] = set != null ? set.subtablesOf(kd & st.dstPrefixMask) : 0;
        }
        if ((dBits[dl]! & stBit) === 0) continue;
      }
      const sl = st.srcPrefixLen;
      if (sl !== 0 && sSubs[sl]! > 1) {
        const bit = 1 << (sl - 1);
        if ((sAsked & bit) === 0) {
          sAsked |= bit;
          const set = sSets[sl];
          sBits[sl] = set != null ? set.subtablesOf(ks & st.srcPrefixMask) : 0;
        }
        if ((sBits[sl]! & stBit) === 0) continue;
      }
      const e = st.find(key);
      if (e < 0) continue;
      const p = st.headPriority(e);
      // seq is read only on ties: one memory access fewer on the common path.
      if (p > bestPrio || (p === bestPrio && this.seq[st.head(e)]! < this.seq[best]!)) {
        best = st.head(e);
        bestPrio = p;
      }
    }
    return best < 0 ? null : this.rules[best]!;
  }

  /** The earliest-inserted rule with exactly this (masked value, mask, priority), or null. */
  findStrict(value: Uint32Array, mask: Uint32Array, priority: number): R | null {
    const st = this.subtableFor(mask, false);
    if (st === null || !st.prioCounts.has(priority)) return null;
    const e = st.find(value);
    if (e < 0) return null;
    for (let r = st.head(e); r >= 0; r = this.next[r]!) {
      if (this.prio[r] === priority) return this.rules[r]!;
    }
    return null;
  }

  /**
   * Calls cb for every rule whose match is equal to or more specific than (value, mask):
   * its mask covers `mask` and its value agrees with `value` on `mask` (OF1.3.5 §6.4,
   * non-strict MODIFY/DELETE). Order: subtable order, then entry, then chain.
   */
  forEachCovered(value: Uint32Array, mask: Uint32Array, cb: (rule: R) => void): void {
    for (const st of this.order) {
      if (!maskIsSubset(mask, st.mask)) continue;
      for (let e = 0; e < st.entryEnd; e++) {
        if (st.head(e) < 0 || !st.entryCoveredBy(e, value, mask)) continue;
        for (let r = st.head(e); r >= 0; r = this.next[r]!) cb(this.rules[r]!);
      }
    }
  }

  /** A rule of this priority that some packet could match together with (value, mask). */
  findOverlap(value: Uint32Array, mask: Uint32Array, priority: number): R | null {
    for (const st of this.order) {
      if (!st.prioCounts.has(priority)) continue;
      for (let e = 0; e < st.entryEnd; e++) {
        if (st.head(e) < 0 || !st.entryOverlaps(e, value, mask)) continue;
        for (let r = st.head(e); r >= 0; r = this.next[r]!) {
          if (this.prio[r] === priority) return this.rules[r]!;
        }
      }
    }
    return null;
  }

  /** Writes the rule's full (value, mask) words into the given KEY_WORDS arrays. */
  matchWords(rule: R, outValue: Uint32Array, outMask: Uint32Array): void {
    const id = rule.clsId;
    if (id < 0 || this.rules[id] !== rule) throw new Error('rule is not in this classifier');
    const st = this.subById[this.sub[id]!]!;
    outMask.set(st.mask);
    outValue.fill(0);
    st.readValue(this.entry[id]!, outValue);
  }

  /** Number of non-zero mask words of the rule's subtable (0 = matches everything). */
  maskWordCount(rule: R): number {
    return this.subById[this.sub[rule.clsId]!]!.n;
  }

  *[Symbol.iterator](): IterableIterator<R> {
    for (let id = 0; id < this.idEnd; id++) {
      const r = this.rules[id];
      if (r !== undefined) yield r;
    }
  }

  clear(): void {
    for (const r of this) r.clsId = -1;
    this.rules = [];
    this.idEnd = 0;
    this.freeId = -1;
    this.count = 0;
    this.subById = [];
    this.freeSubIds = [];
    this.byMask.clear();
    this.order = [];
    this.lastSub = null;
    this.dstPrefixes.clear();
    this.srcPrefixes.clear();
  }

  private subtableFor(mask: Uint32Array, create: boolean): Subtable | null {
    const last = this.lastSub;
    if (last !== null && last.sameMask(mask)) return last;
    const h = hashKeyWords(mask);
    const bucket = this.byMask.get(h);
    if (bucket !== undefined) {
      for (const st of bucket) {
        if (st.sameMask(mask)) return (this.lastSub = st);
      }
    }
    if (!create) return null;
    const id = this.freeSubIds.pop() ?? this.subById.length;
    const st = new Subtable(mask, id);
    this.subById[id] = st;
    if (bucket === undefined) this.byMask.set(h, [st]);
    else bucket.push(st);
    this.order.push(st); // maxPriority -1 sorts last until its first rule arrives
    this.dstPrefixes.subtables[st.dstPrefixLen]!++;
    this.srcPrefixes.subtables[st.srcPrefixLen]!++;
    return (this.lastSub = st);
  }

  private dropSubtable(st: Subtable): void {
    const h = hashKeyWords(st.mask);
    const bucket = this.byMask.get(h)!;
    bucket.splice(bucket.indexOf(st), 1);
    if (bucket.length === 0) this.byMask.delete(h);
    this.order.splice(this.order.indexOf(st), 1);
    this.subById[st.id] = undefined;
    this.freeSubIds.push(st.id);
    this.dstPrefixes.subtables[st.dstPrefixLen]!--;
    this.srcPrefixes.subtables[st.srcPrefixLen]!--;
    if (this.lastSub === st) this.lastSub = null;
  }

  private sortOrder(): void {
    this.order.sort((a, b) => b.maxPriority - a.maxPriority || a.id - b.id);
  }

  /** Links id into entry e's chain after every rule of priority >= p (insertion order). */
  private linkInto(st: Subtable, e: number, id: number, p: number): void {
    let prev = -1;
    let r = st.head(e);
    while (r >= 0 && this.prio[r]! >= p) {
      prev = r;
      r = this.next[r]!;
    }
    this.next[id] = r;
    if (prev < 0) st.setHead(e, id, p);
    else this.next[prev] = id;
  }

  private allocId(): number {
    const f = this.freeId;
    if (f >= 0) {
      this.freeId = this.next[f]!;
      return f;
    }
    const id = this.idEnd++;
    if (id >= this.prio.length) this.growIds(this.prio.length * 2);
    return id;
  }

  private growIds(cap: number): void {
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.prio = grow(this.prio, (n) => new Int32Array(n));
    this.sub = grow(this.sub, (n) => new Int32Array(n));
    this.entry = grow(this.entry, (n) => new Int32Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.seq = grow(this.seq, (n) => new Float64Array(n));
  }
}
