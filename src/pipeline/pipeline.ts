/**
 * Pipeline — the OpenFlow switch's tables, groups and meters behind one object, answering
 * the datapath's question "what happens to this FlowKey now" (decide) and the agent's
 * flow-mod / group-mod / meter-mod (OF1.3.5 §5, §6.4–6.6).
 *
 * Invariants
 *  - Barrier semantics: a mod is fully applied when its method returns; the very next
 *    decide() sees it. Nothing is deferred.
 *  - `generation` increases on every accepted change to tables, groups or meters, on every
 *    expiry that removed something, and on bumpGeneration() (port changes: liveness and
 *    FLOOD/ALL sets). A Decision is valid for the generation it carries.
 *  - References are counted exactly: group ref_count (rules + groups forwarding to it) and
 *    meter flow_count follow every add, replace, modify, delete and expiry.
 *  - Deleting a group removes the flow entries that forward to it (§6.5, reason
 *    OFPRR_GROUP_DELETE); deleting a meter removes the flow entries that use it (§6.6;
 *    reason OFPRR_METER_DELETE of OF1.4, which the agent tells a 1.3 or 1.0 connection as
 *    OFPRR_DELETE, as 1.3 has no such reason).
 *  - Counters change only in account() (rules, groups, buckets, tables) and in Meter.apply
 *    (meters). decide() and packetOutDecision() change nothing.
 *  - A rule's packet / byte counter is not kept when its flow-mod set OFPFF_NO_PKT_COUNTS /
 *    OFPFF_NO_BYT_COUNTS (§7.3.4.1): it stays 0, and reportedCounts() reports it as
 *    all ones, the spec's "not available" (§5.8). Its idle timer runs as usual.
 */
import { FlowKey, KEY_WORDS, W_METADATA_HI, W_METADATA_LO } from '../packet/flow-key.js';
import { parseFrame } from '../packet/parse.js';
import { validateActions } from './actions.js';
import { decide, decidePacketOut, type DecideEnv } from './decide.js';
import type { Decision, Op } from './decision.js';
import {
  OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID, isOFError, ofError, type OFError,
} from './errors.js';
import { FlowTable, type RemovedRule } from './flow-table.js';
import { GroupTable, type Group } from './groups.js';
import {
  groupsReferenced, internInstructions, metersReferenced, referencesGroupOrMeter, validateInstructions,
  type InstructionContext,
} from './instructions.js';
import { compileMatchInto } from './match.js';
import { MeterTable, type Meter } from './meters.js';
import type { Rule } from './rule.js';
import {
  OFPFC_ADD, OFPFC_DELETE, OFPFC_DELETE_STRICT, OFPFF_CHECK_OVERLAP, OFPFF_NO_BYT_COUNTS, OFPFF_NO_PKT_COUNTS, OFPRR_DELETE, OFPRR_GROUP_DELETE, OFPRR_METER_DELETE, OFPTT_ALL,
  OFPTT_MAX, type Action, type FlowMod, type Instruction, type GroupMod, type MeterMod,
} from './types.js';

export type { RemovedRule } from './flow-table.js';

interface PipelineOptions {
  /** Number of tables, OF tables 0..nTables-1 (default 255, the most OF1.3 allows). */
  readonly nTables?: number;
  readonly maxRulesPerTable?: number;
  portExists(port: number): boolean;
  portLive(port: number): boolean;
  /** For decisions after pop_mpls / pop_pbb: rewrite a copy of the frame with `ops` and
   * parse it into `out`. The datapath's executor provides it (src/datapath/run-ops.ts
   * Reparser; the pipeline cannot import it). It runs only when decide() is given the
   * frame and this is set; otherwise such decisions lose the inner headers' fields. They
   * are marked uncacheable either way. */
  reparse?(frame: Uint8Array, ops: readonly Op[], inPort: number, out: FlowKey): boolean;
}

interface DecideCallOptions {
  readonly frame?: Uint8Array;
  readonly trace?: boolean;
}

/** Table statistics of OF1.3.5 §7.3.5.4 that the table itself does not keep. */
interface TableCounters {
  lookupCount: number;
  matchedCount: number;
}

export type ModResult = OFError | { removed: RemovedRule[] };

/** The fields of a copied rule that trialCopy does not take from the rule. */
const TRIAL_FLOW_MOD: FlowMod = {
  cookie: 0n, cookieMask: 0n, tableId: 0, command: OFPFC_ADD, idleTimeout: 0, hardTimeout: 0, priority: 0,
  bufferId: 0xffffffff, outPort: 0xffffffff, outGroup: 0xffffffff, flags: 0, match: [], instructions: [],
};

export class Pipeline {
  readonly nTables: number;
  readonly groups: GroupTable;
  readonly meters = new MeterTable();
  private readonly tables: FlowTable[] = [];
  private readonly counters: TableCounters[] = [];
  private readonly env: DecideEnv<Rule>;
  private gen = 0;
  /** The instructions each installed rule was counted with (for exact uncounting). */
  private readonly countedInstructions = new WeakMap<Rule, readonly Instruction[]>();
  /** flowMod's compiled match (the table copies what it keeps), and its instruction
   * context, made once: a flow-mod allocates no closures (the control path's hot loop). */
  private readonly fmValue = new Uint32Array(KEY_WORDS);
  private readonly fmMask = new Uint32Array(KEY_WORDS);
  private readonly instCtx: { -readonly [K in keyof InstructionContext]: InstructionContext[K] };

  constructor(private readonly opts: PipelineOptions) {
    this.nTables = Math.min(opts.nTables ?? OFPTT_MAX + 1, OFPTT_MAX + 1);
    const maxRules = opts.maxRulesPerTable;
    for (let i = 0; i < this.nTables; i++) {
      this.tables.push(new FlowTable(i, maxRules !== undefined ? { maxRules } : {}));
      this.counters.push({ lookupCount: 0, matchedCount: 0 });
    }
    this.groups = new GroupTable({ portExists: (p) => opts.portExists(p) });
    this.instCtx = {
      tableId: 0, nTables: this.nTables,
      portExists: (p) => this.opts.portExists(p),
      groupExists: (g) => this.groups.has(g),
      meterExists: (m) => this.meters.has(m),
    };
    const self = this;
    this.env = {
      lookup: (t, words) => this.tables[t]!.lookup(words),
      isTableMiss: (r) => this.tables[r.tableId]!.isTableMiss(r),
      groups: this.groups,
      meters: this.meters,
      portLive: (p) => opts.portLive(p),
      get generation() { return self.gen; },
      ...(opts.reparse !== undefined ? { reparse: opts.reparse } : {}),
    };
  }

  get generation(): number {
    return this.gen;
  }

  /** Called by the datapath when ports change (liveness for fast-failover, FLOOD sets). */
  bumpGeneration(): void {
    this.gen++;
  }

  table(tableId: number): FlowTable {
    return this.tables[tableId]!;
  }

  tableCounters(tableId: number): Readonly<TableCounters> {
    return this.counters[tableId]!;
  }

  /** Sets a table's lookup and match counts (the control thread of a bridge with datapath
   * workers writes their sums here: datapath/workers/counters.ts). */
  setTableCounters(tableId: number, lookups: number, matches: number): void {
    const c = this.counters[tableId]!;
    c.lookupCount = lookups;
    c.matchedCount = matches;
  }

  group(groupId: number): Group | undefined {
    return this.groups.get(groupId);
  }

  meter(meterId: number): Meter | undefined {
    return this.meters.get(meterId);
  }

  // ---- flow-mod (§6.4)

  flowMod(fm: FlowMod, nowMs: number): ModResult {
    const isDelete = fm.command === OFPFC_DELETE || fm.command === OFPFC_DELETE_STRICT;
    if (isDelete && fm.tableId === OFPTT_ALL) {
      const removed: RemovedRule[] = [];
      for (const t of this.tables) {
        const r = t.delete(fm, fm.command === OFPFC_DELETE_STRICT);
        if (isOFError(r)) return r;
        for (const rule of r) removed.push({ rule, reason: OFPRR_DELETE });
      }
      return this.afterRemoval(removed);
    }
    if (fm.tableId >= this.nTables) {
      return ofError(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID, `table ${fm.tableId} does not exist (${this.nTables} tables)`);
    }
    const table = this.tables[fm.tableId]!;
    if (!isDelete) {
      const cm = compileMatchInto(fm.match, this.fmValue, this.fmMask);
      if (cm !== null) return cm;
      this.instCtx.tableId = fm.tableId;
      const e = validateInstructions(fm.instructions, fm.match, this.instCtx);
      if (e !== null) return e;
      if (fm.command === OFPFC_ADD) {
        // The match is compiled already: the table need not compile it again.
        // Rules with deep-equal instructions share one frozen list (instructions.ts).
        const r = table.addCompiled(fm, this.fmValue, this.fmMask, nowMs, internInstructions(fm.instructions));
        if (isOFError(r)) return r;
        return this.afterAdd(r.rule, r.replaced);
      }
    }
    const out = table.apply(fm, nowMs);
    if (isOFError(out)) return out;
    switch (out.command) {
      case 'add':
        return this.afterAdd(out.rule, out.replaced);
      case 'modify':
        for (const r of out.rules) {
          this.uncount(r);
          this.count(r);
        }
        if (out.rules.length > 0) this.gen++;
        return { removed: [] };
      case 'delete':
        return this.afterRemoval(out.removed.map((rule) => ({ rule, reason: OFPRR_DELETE })));
    }
  }

  private afterAdd(rule: Rule, replaced: Rule | null): ModResult {
    // A replaced entry gets no flow-removed (§6.4), only its references go.
    if (replaced) this.uncount(replaced);
    this.count(rule);
    this.gen++;
    return { removed: [] };
  }

  /** Validates a packet-out's actions (§7.3.7): as for flow entries, plus OFPP_TABLE. */
  checkPacketOut(actions: readonly Action[]): OFError | null {
    return validateActions(actions, {
      portExists: (p) => this.opts.portExists(p),
      groupExists: (g) => this.groups.has(g),
      packetOut: true,
    }, { ethType: -1, ipProto: -1, icmpv6Type: -1, vlan: false, lenient: true });
  }

  // ---- group-mod (§6.5)

  groupMod(gm: GroupMod, nowMs: number): ModResult {
    const r = this.groups.apply(gm, nowMs);
    if (isOFError(r)) return r;
    this.gen++;
    if (r.deleted.length === 0) return { removed: [] };
    const gone = new Set(r.deleted);
    const removed = this.removeWhere((rule) => groupsReferenced(rule.instructions).some((g) => gone.has(g)), OFPRR_GROUP_DELETE);
    return { removed };
  }

  // ---- meter-mod (§6.6)

  meterMod(mm: MeterMod, nowMs: number): ModResult {
    const r = this.meters.apply(mm, nowMs);
    if (isOFError(r)) return r;
    this.gen++;
    if (r.deleted.length === 0) return { removed: [] };
    const gone = new Set(r.deleted);
    return { removed: this.removeWhere((rule) => metersReferenced(rule.instructions).some((m) => gone.has(m)), OFPRR_METER_DELETE) };
  }

  // ---- bundles (OF1.4.1 §6.8)

  /**
   * A private copy of the tables, groups and meters to try a bundle's mods on before any
   * of them touches this pipeline: if every mod succeeds on the copy, the same mods in the
   * same order succeed here too (nothing in between: the agent is sequential). The copy has
   * new Rule, Group and Meter objects (reference counts recounted), shares only immutable
   * values (instructions, buckets' actions, bands), is attached to no datapath and is
   * dropped after the trial. `tables` limits the copy to the tables the bundle's flow-mods
   * name (no mod's success depends on the rules of another table: goto_table checks only
   * the table count; groups and meters are always copied). Cost: one classifier insert per
   * rule copied.
   */
  trialCopy(tables: ReadonlySet<number> | 'all' = 'all'): Pipeline {
    const p = new Pipeline(this.opts);
    p.groups.loadFrom(this.groups);
    p.meters.loadFrom(this.meters);
    for (let t = 0; t < this.nTables; t++) {
      const src = this.tables[t]!;
      if (src.size === 0 || (tables !== 'all' && !tables.has(t))) continue;
      const dst = p.tables[t]!;
      for (const r of src.rules()) {
        const cm = src.compiledMatchOf(r);
        const fm = { ...TRIAL_FLOW_MOD, priority: r.priority, cookie: r.cookie, flags: r.flags & ~OFPFF_CHECK_OVERLAP, idleTimeout: r.idleTimeout, hardTimeout: r.hardTimeout, importance: r.importance };
        const added = dst.addCompiled(fm, cm.value, cm.mask, r.createdAt, r.instructions);
        if (!isOFError(added)) p.count(added.rule);
      }
    }
    return p;
  }

  // ---- datapath

  decide(key: FlowKey, _nowMs: number, opts: DecideCallOptions = {}): Decision<Rule> {
    return decide(this.env, key, opts);
  }

  /**
   * The Decision for a packet-out (§7.3.7) of `frame` with `actions` (checked first with
   * checkPacketOut): the frame is parsed with in_port = `inPort` (the packet-out's
   * in_port, often OFPP_CONTROLLER), and an output to OFPP_TABLE runs the tables on the
   * packet as it is at that point. Run it with the executor using the same `inPort`; pass
   * it to account() so that the rules it matched count the packet.
   */
  packetOutDecision(frame: Uint8Array, inPort: number, actions: readonly Action[], opts: { trace?: boolean; metadata?: bigint } = {}): Decision<Rule> {
    const key = new FlowKey();
    parseFrame(frame, 0, frame.length, inPort, key);
    // OF1.5 §7.3.7: the packet-out's match may set metadata, a pipeline field
    if (opts.metadata !== undefined && opts.metadata !== 0n) {
      key.words[W_METADATA_HI] = Number(opts.metadata >> 32n) >>> 0;
      key.words[W_METADATA_LO] = Number(opts.metadata & 0xffffffffn) >>> 0;
    }
    return decidePacketOut(this.env, key, actions, { ...(opts.trace !== undefined ? { trace: opts.trace } : {}), frame });
  }

  /** Counts `packets` / `bytes` handled by `d` (§5.8): rules (and their idle timers),
   * groups and buckets, table lookups and matches. Meters count themselves. */
  account(d: Decision<Rule>, packets: number, bytes: number, nowMs: number): void {
    for (const r of d.rules) {
      // §7.3.4.1: a counter the flow-mod asked not to keep stays 0 here (reportedCounts()
      // turns it into "not available"); the idle timer is refreshed regardless (§5.5).
      const f = r.flags;
      this.tables[r.tableId]!.account(r, (f & OFPFF_NO_PKT_COUNTS) !== 0 ? 0 : packets, (f & OFPFF_NO_BYT_COUNTS) !== 0 ? 0 : bytes, nowMs);
    }
    for (const g of d.groups) {
      g.packetCount += packets;
      g.byteCount += bytes;
    }
    for (const b of d.buckets) {
      b.packetCount += packets;
      b.byteCount += bytes;
    }
    for (let i = 0; i < d.tablesVisited.length; i++) {
      const c = this.counters[d.tablesVisited[i]!]!;
      c.lookupCount += packets;
      if (d.matched[i]) c.matchedCount += packets;
    }
  }

  /** Removes entries whose idle or hard timeout passed (§5.5). */
  expire(nowMs: number): RemovedRule[] {
    const removed: RemovedRule[] = [];
    for (const t of this.tables) for (const x of t.expire(nowMs)) removed.push(x);
    return this.afterRemoval(removed).removed;
  }

  // ---- reference counting

  private count(r: Rule): void {
    // A rule without groups and meters has nothing to count, and uncount() of a rule not
    // in countedInstructions does nothing: the same result without a WeakMap entry per rule.
    if (!referencesGroupOrMeter(r.instructions)) return;
    for (const id of groupsReferenced(r.instructions)) {
      const g = this.groups.get(id);
      if (g) g.ruleRefs++;
    }
    for (const id of metersReferenced(r.instructions)) {
      const m = this.meters.get(id);
      if (m) m.flowCount++;
    }
    this.countedInstructions.set(r, r.instructions);
  }

  /** Undoes count(r) for the instructions r had when it was counted. */
  private uncount(r: Rule): void {
    const insts = this.countedInstructions.get(r);
    if (!insts) return;
    this.countedInstructions.delete(r);
    for (const id of groupsReferenced(insts)) {
      const g = this.groups.get(id);
      if (g && g.ruleRefs > 0) g.ruleRefs--;
    }
    for (const id of metersReferenced(insts)) {
      const m = this.meters.get(id);
      if (m && m.flowCount > 0) m.flowCount--;
    }
  }

  private afterRemoval(removed: RemovedRule[]): { removed: RemovedRule[] } {
    for (const x of removed) this.uncount(x.rule);
    if (removed.length > 0) this.gen++;
    return { removed };
  }

  private removeWhere(pred: (r: Rule) => boolean, reason: number): RemovedRule[] {
    const removed: RemovedRule[] = [];
    for (const t of this.tables) {
      const victims: Rule[] = [];
      for (const r of t.rules()) if (pred(r)) victims.push(r);
      for (const r of victims) if (t.removeRule(r)) removed.push({ rule: r, reason });
    }
    return this.afterRemoval(removed).removed;
  }
}

/** OF1.3.5 §5.8: a counter the switch does not keep is reported as all ones. */
export const COUNTER_NOT_AVAILABLE = 0xffff_ffff_ffff_ffffn;

/**
 * A flow entry's packet and byte counts as flow stats and flow-removed report them
 * (§7.3.5.2, §7.4.2). With OFPFF_NO_PKT_COUNTS / OFPFF_NO_BYT_COUNTS (§7.3.4.1) Sluice
 * does not keep that counter, and §7.3.4.1 says an unkept counter is unavailable and set
 * to the maximum field value (§5.8): UINT64_MAX, as Open vSwitch reports it.
 */
export function reportedCounts(r: Rule): { packetCount: bigint; byteCount: bigint } {
  return {
    packetCount: (r.flags & OFPFF_NO_PKT_COUNTS) !== 0 ? COUNTER_NOT_AVAILABLE : BigInt(r.packetCount),
    byteCount: (r.flags & OFPFF_NO_BYT_COUNTS) !== 0 ? COUNTER_NOT_AVAILABLE : BigInt(r.byteCount),
  };
}
