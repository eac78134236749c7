/**
 * The counters of a bridge's datapath workers (threaded-bridge.ts), as each worker reports
 * them and as the control thread sums them: OpenFlow's flow, table, group, meter and port
 * statistics, the drops by reason, the flow cache's and busy poller's figures.
 *
 * Invariants
 *  - Every replica holds the same rules, groups and meters in the same order (they apply the
 *    control thread's mods in its order, and tables, groups and meters iterate in insertion
 *    order), so counters travel as flat arrays by position, with the counts of what they
 *    walked to check it: a count that differs from the control thread's is a mismatch, never
 *    silently misassigned.
 *  - Times cross threads on the epoch clock (each thread's performance.now() has its own
 *    origin): a rule's last use is the latest over the workers.
 */
import type { Pipeline } from '../../pipeline/pipeline.js';
import type { PortStats } from '../../ports/port.js';
import type { Bridge } from '../bridge.js';

const PORT_FIELDS = ['rxPackets', 'rxBytes', 'rxDropped', 'txPackets', 'txBytes', 'txDropped', 'txErrors'] as const;

export interface ReplicaCounters {
  /** per rule in table order: packets, bytes, last use (epoch ms) */
  rules: Float64Array;
  /** rules per table, to check the positions line up */
  ruleCounts: Uint32Array;
  /** per table: lookups, matches */
  tables: Float64Array;
  /** per group: packets, bytes, then per bucket packets, bytes */
  groups: Float64Array;
  /** per meter: packets in, bytes in, then per band packets, bytes */
  meters: Float64Array;
  ports: Map<number, PortStats>;
  drops: Record<string, number>;
  cache: { hits: number; misses: number; entries: number; uncacheable: number };
  busyPoll: { turns: number; frames: number };
  /** frames each worker read from the ports, by worker (a sum keeps them apart) */
  perWorker: number[];
}

/** One replica's counters now. */
export function takeCounters(b: Bridge): ReplicaCounters {
  const pl = b.pipeline;
  const rules: number[] = [];
  const ruleCounts = new Uint32Array(pl.nTables);
  const tables = new Float64Array(pl.nTables * 2);
  for (let t = 0; t < pl.nTables; t++) {
    const table = pl.table(t);
    ruleCounts[t] = table.size;
    if (table.size !== 0) for (const r of table.rules()) rules.push(r.packetCount, r.byteCount, r.lastUsedAt + performance.timeOrigin);
    const c = pl.tableCounters(t);
    tables[2 * t] = c.lookupCount;
    tables[2 * t + 1] = c.matchedCount;
  }
  const groups: number[] = [];
  for (const g of pl.groups.all()) {
    groups.push(g.packetCount, g.byteCount);
    for (const k of g.buckets) groups.push(k.packetCount, k.byteCount);
  }
  const meters: number[] = [];
  for (const m of pl.meters.all()) {
    meters.push(m.packetInCount, m.byteInCount);
    for (const band of m.bands) meters.push(band.packetCount, band.byteCount);
  }
  const ports = new Map<number, PortStats>();
  for (const p of b.ports()) ports.set(p.ofport, p.stats);
  return {
    rules: Float64Array.from(rules), ruleCounts, tables, groups: Float64Array.from(groups), meters: Float64Array.from(meters),
    ports, drops: b.counters().drops, cache: b.cacheStats(), busyPoll: b.busyPollStats(), perWorker: [b.receivedFrames()],
  };
}

const addInto = (into: Float64Array, from: Float64Array): void => {
  for (let i = 0; i < into.length; i++) into[i] = into[i]! + from[i]!;
};

/** The sum of the workers' counters; null when they do not line up (a replica behind). */
export function sumCounters(all: readonly ReplicaCounters[]): ReplicaCounters | null {
  const first = all[0]!;
  const sum: ReplicaCounters = {
    rules: new Float64Array(first.rules.length), ruleCounts: first.ruleCounts, tables: new Float64Array(first.tables.length),
    groups: new Float64Array(first.groups.length), meters: new Float64Array(first.meters.length), ports: new Map(), drops: {},
    cache: { hits: 0, misses: 0, entries: 0, uncacheable: 0 }, busyPoll: { turns: 0, frames: 0 }, perWorker: [],
  };
  for (const c of all) {
    if (c.rules.length !== sum.rules.length || c.groups.length !== sum.groups.length || c.meters.length !== sum.meters.length) return null;
    for (let i = 0; i < c.rules.length; i += 3) {
      sum.rules[i] = sum.rules[i]! + c.rules[i]!;
      sum.rules[i + 1] = sum.rules[i + 1]! + c.rules[i + 1]!;
      sum.rules[i + 2] = Math.max(sum.rules[i + 2]!, c.rules[i + 2]!);
    }
    addInto(sum.tables, c.tables);
    addInto(sum.groups, c.groups);
    addInto(sum.meters, c.meters);
    for (const [ofport, s] of c.ports) {
      const into = sum.ports.get(ofport);
      if (into === undefined) sum.ports.set(ofport, { ...s });
      else for (const f of PORT_FIELDS) into[f] += s[f];
    }
    for (const [k, v] of Object.entries(c.drops)) sum.drops[k] = (sum.drops[k] ?? 0) + v;
    sum.cache.hits += c.cache.hits;
    sum.cache.misses += c.cache.misses;
    sum.cache.entries += c.cache.entries;
    sum.cache.uncacheable += c.cache.uncacheable;
    sum.busyPoll.turns += c.busyPoll.turns;
    sum.busyPoll.frames += c.busyPoll.frames;
    sum.perWorker.push(...c.perWorker);
  }
  return sum;
}

/**
 * Writes summed counters into the control thread's pipeline (whose own datapath forwards
 * nothing). Returns false, changing nothing, when its tables, groups or meters do not line
 * up with the sum (it changed after the workers were asked).
 */
export function applyCounters(pl: Pipeline, c: ReplicaCounters): boolean {
  let groupWords = 0;
  for (const g of pl.groups.all()) groupWords += 2 + 2 * g.buckets.length;
  let meterWords = 0;
  for (const m of pl.meters.all()) meterWords += 2 + 2 * m.bands.length;
  if (groupWords !== c.groups.length || meterWords !== c.meters.length) return false;
  for (let t = 0; t < pl.nTables; t++) if (pl.table(t).size !== c.ruleCounts[t]) return false;
  let i = 0;
  for (let t = 0; t < pl.nTables; t++) {
    const table = pl.table(t);
    if (table.size !== 0) {
      for (const r of table.rules()) {
        r.packetCount = c.rules[i]!;
        r.byteCount = c.rules[i + 1]!;
        r.lastUsedAt = Math.max(r.createdAt, c.rules[i + 2]! - performance.timeOrigin);
        i += 3;
      }
    }
    pl.setTableCounters(t, c.tables[2 * t]!, c.tables[2 * t + 1]!);
  }
  i = 0;
  for (const g of pl.groups.all()) {
    g.packetCount = c.groups[i++]!;
    g.byteCount = c.groups[i++]!;
    for (const k of g.buckets) {
      k.packetCount = c.groups[i++]!;
      k.byteCount = c.groups[i++]!;
    }
  }
  i = 0;
  for (const m of pl.meters.all()) {
    m.packetInCount = c.meters[i++]!;
    m.byteInCount = c.meters[i++]!;
    for (const band of m.bands) {
      band.packetCount = c.meters[i++]!;
      band.byteCount = c.meters[i++]!;
    }
  }
  return true;
}
