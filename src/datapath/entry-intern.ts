/**
 * Sharing of flow-cache entries between flows that got the same decision.
 *
 * Why: with 10,000 concurrent flows that all match the same rules (one NORMAL flow, or one
 * output rule), each flow used to get its own Decision: its own ops, rules, tables and
 * matched arrays. A hit then chased a dozen pointers into objects no other flow touches,
 * most of them cache misses, and a 64-byte packet cost about four times what it costs with
 * one flow. Interned, the 10,000 cache slots point at one entry that stays in the CPU's
 * cache (`npx tsx bench/datapath.bench.ts`, "datapath 10000 flows").
 *
 * Two entries are interchangeable when everything a hit reads from them is the same:
 * the same rule, group, bucket and meter objects (by identity), the same tables visited
 * and matched, the same ops (compared by value, objects in them by identity), and the
 * same learned source address (NORMAL refreshes it on hits). The signature below spells
 * exactly that out; it is computed on the slow path only.
 *
 * Invariants
 *  - Only entries made under one datapath generation are shared: the table is emptied
 *    when the generation changes, so it holds no rule or port that the pipeline dropped.
 *  - Bounded: at most MAX_SHARED signatures; past that the table starts again empty
 *    (entries already in the flow cache keep working, they are just not shared further).
 */
import type { Decision, Op } from '../pipeline/decision.js';
import type { Rule } from '../pipeline/rule.js';
import type { LearnRef } from './normal.js';

/** A flow-cache entry: the flow's Decision, and where NORMAL keeps its learned source
 * (LearnRef, refreshed on hits). The datapath (datapath.ts) caches these per flow. */
export interface CacheEntry extends LearnRef {
  readonly d: Decision<Rule>;
}

const MAX_SHARED = 65_536;

export class EntryInterner {
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly shared = new Map<string, CacheEntry>();
  private generation = -1;

  /** The entry to cache for `e`: an equal one made earlier under `generation`, or `e`. */
  intern(e: CacheEntry, generation: number): CacheEntry {
    if (generation !== this.generation || this.shared.size >= MAX_SHARED) {
      this.shared.clear();
      this.generation = generation;
    }
    const sig = this.signature(e);
    const old = this.shared.get(sig);
    if (old !== undefined) return old;
    this.shared.set(sig, e);
    return e;
  }

  /** Number of distinct entries shared now (tests, stats). */
  get size(): number {
    return this.shared.size;
  }

  private id(o: object | null): number {
    if (o === null) return 0;
    let n = this.ids.get(o);
    if (n === undefined) {
      n = this.nextId++;
      this.ids.set(o, n);
    }
    return n;
  }

  private signature(e: CacheEntry): string {
    const d: Decision = e.d;
    const parts: (string | number)[] = [this.id(e.macRef), d.cacheable ? 1 : 0, '|r'];
    for (const r of d.rules) parts.push(this.id(r));
    parts.push('|g');
    for (const g of d.groups) parts.push(this.id(g));
    parts.push('|b');
    for (const b of d.buckets) parts.push(this.id(b));
    parts.push('|m');
    for (const m of d.meters) parts.push(this.id(m));
    parts.push('|t');
    for (let i = 0; i < d.tablesVisited.length; i++) parts.push(d.tablesVisited[i]! * 2 + (d.matched[i] ? 1 : 0));
    parts.push('|o', this.ops(d.ops));
    return parts.join(',');
  }

  private ops(ops: readonly Op[]): string {
    return JSON.stringify(ops, (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (v instanceof Uint8Array) return `bytes:${Array.from(v).join('.')}`;
      // Objects that are not plain data (meters) are compared by identity.
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype) {
        return `obj#${this.id(v)}`;
      }
      return v;
    });
  }
}
