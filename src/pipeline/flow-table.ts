/**
 * One OpenFlow flow table: flow-mod semantics of OF1.3.5 §6.4 over the classifier.
 *
 * Invariants
 *  - At most one rule per (match, priority): ADD of an identical pair replaces the old rule
 *    (new duration; counters copied unless OFPFF_RESET_COUNTS; no flow-removed for it).
 *  - `generation` increases on every change that can alter forwarding or what a cached
 *    decision refers to (add, modify, delete, expiry); the flow cache compares it.
 *  - Time is passed in (ms); nothing reads a clock. Rules with an idle or hard timeout sit
 *    in a lazy min-heap by earliest possible expiry; rules without timeouts cost nothing
 *    at expiry time.
 *  - Instructions arrive already validated (instructions.ts); this module only stores them.
 *  - Rules leaving the table (delete, expiry, replacement) get their match saved first
 *    (rule.source becomes a DetachedMatch), so the caller can still build flow-removed
 *    from them.
 *  - A table that never held a rule has no classifier (`store` null): a bridge has 255
 *    tables and most stay empty, and a classifier's arrays cost ~5 KiB (1.3 MiB per
 *    bridge, measured; a 64-switch fabric has 64 bridges). Reads of an empty table
 *    (lookup, select, size) answer without making one; the first add makes it.
 */
import { KEY_WORDS } from '../packet/flow-key.js';
import { Classifier } from './classifier.js';
import {
  OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND, OFPFMFC_OVERLAP, OFPFMFC_TABLE_FULL, isOFError,
  ofError, type OFError,
} from './errors.js';
import { compileMatch, compileMatchInto, decompileMatch, type CompiledMatch } from './match.js';
import { DetachedMatch, Rule, cookieMatches, ruleOutputsTo, ruleSendsToGroup } from './rule.js';
import { TimeoutHeap } from './timeout-heap.js';
import {
  OFPFC_ADD, OFPFC_DELETE, OFPFC_DELETE_STRICT, OFPFC_MODIFY, OFPFC_MODIFY_STRICT,
  OFPFF_CHECK_OVERLAP, OFPFF_RESET_COUNTS, OFPG_ANY, OFPP_ANY, OFPRR_HARD_TIMEOUT,
  OFPRR_IDLE_TIMEOUT, type FlowMod, type Instruction, type Match,
} from './types.js';

interface FlowTableOptions {
  /** Capacity; an ADD of a new rule beyond it fails with OFPFMFC_TABLE_FULL. */
  readonly maxRules?: number;
}

export const DEFAULT_MAX_RULES = 1_000_000;

export interface RemovedRule {
  readonly rule: Rule;
  /** OFPRR_* (§7.4.2). */
  readonly reason: number;
}

/** Which rules a MODIFY / DELETE / flow-stats request is about (§6.4, §7.3.5.2). */
interface FlowSelector {
  readonly match: Match;
  readonly strict: boolean;
  /** Only used when strict. */
  readonly priority: number;
  readonly cookie: bigint;
  readonly cookieMask: bigint;
  /** OFPP_ANY = no filter. */
  readonly outPort: number;
  /** OFPG_ANY = no filter. */
  readonly outGroup: number;
}

type FlowModOutcome =
  | { readonly command: 'add'; readonly rule: Rule; readonly replaced: Rule | null }
  | { readonly command: 'modify'; readonly rules: readonly Rule[] }
  | { readonly command: 'delete'; readonly removed: readonly Rule[] };

const flowModFailed = (code: number, msg: string): OFError => ofError(OFPET_FLOW_MOD_FAILED, code, msg);

const SCRATCH_VALUE = new Uint32Array(KEY_WORDS);
const SCRATCH_MASK = new Uint32Array(KEY_WORDS);
const ADD_VALUE = new Uint32Array(KEY_WORDS);
const ADD_MASK = new Uint32Array(KEY_WORDS);

export class FlowTable {
  readonly maxRules: number;
  generation = 0;
  /** The classifier, made by the first rule (module comment); `cls` makes it. */
  private store: Classifier<Rule> | null = null;
  private readonly timeouts = new TimeoutHeap<Rule>();
  // Scratch shared by every table (one thread runs them; none is kept across calls).
  private readonly scratchValue = SCRATCH_VALUE;
  private readonly scratchMask = SCRATCH_MASK;
  /** add()'s compiled match; separate from matchOf()'s scratch, which detach() uses. */
  private readonly addValue = ADD_VALUE;
  private readonly addMask = ADD_MASK;

  constructor(readonly tableId: number, opts: FlowTableOptions = {}) {
    this.maxRules = opts.maxRules ?? DEFAULT_MAX_RULES;
  }

  private get cls(): Classifier<Rule> {
    return (this.store ??= new Classifier<Rule>());
  }

  get size(): number {
    return this.store === null ? 0 : this.store.size;
  }

  rules(): IterableIterator<Rule> {
    return this.store === null ? ([] as Rule[]).values() : this.store[Symbol.iterator]();
  }

  /** Dispatches a flow-mod on its command. out_port/out_group only filter deletes (§6.4). */
  apply(fm: FlowMod, nowMs: number): FlowModOutcome | OFError {
    switch (fm.command) {
      case OFPFC_ADD: {
        const r = this.add(fm, nowMs);
        return isOFError(r) ? r : { command: 'add', rule: r.rule, replaced: r.replaced };
      }
      case OFPFC_MODIFY:
      case OFPFC_MODIFY_STRICT: {
        const r = this.modify(fm, fm.command === OFPFC_MODIFY_STRICT);
        return isOFError(r) ? r : { command: 'modify', rules: r };
      }
      case OFPFC_DELETE:
      case OFPFC_DELETE_STRICT: {
        const r = this.delete(fm, fm.command === OFPFC_DELETE_STRICT);
        return isOFError(r) ? r : { command: 'delete', removed: r };
      }
      default:
        return flowModFailed(OFPFMFC_BAD_COMMAND, `unknown flow-mod command ${fm.command}`);
    }
  }

  /** OFPFC_ADD (§6.4). */
  add(fm: FlowMod, nowMs: number): { rule: Rule; replaced: Rule | null } | OFError {
    const err = compileMatchInto(fm.match, this.addValue, this.addMask);
    if (err !== null) return err;
    return this.addCompiled(fm, this.addValue, this.addMask, nowMs);
  }

  /**
   * OFPFC_ADD with fm.match already compiled (and so validated) into (value, mask) by the
   * caller, which saves compiling it twice. The arrays are only read, never kept (the
   * classifier copies), so they may be the caller's scratch. `instructions` (default
   * fm.instructions) lets the caller store a shared list deep-equal to fm's.
   */
  addCompiled(
    fm: FlowMod, value: Uint32Array, mask: Uint32Array, nowMs: number,
    instructions: readonly Instruction[] = fm.instructions,
  ): { rule: Rule; replaced: Rule | null } | OFError {
    if ((fm.flags & OFPFF_CHECK_OVERLAP) !== 0) {
      const other = this.cls.findOverlap(value, mask, fm.priority);
      if (other !== null) {
        return flowModFailed(OFPFMFC_OVERLAP, `overlaps a rule of priority ${fm.priority} in table ${this.tableId}`);
      }
    }
    const old = this.cls.findStrict(value, mask, fm.priority);
    if (old === null && this.cls.size >= this.maxRules) {
      return flowModFailed(OFPFMFC_TABLE_FULL, `table ${this.tableId} is full (${this.maxRules} rules)`);
    }
    const rule = new Rule(
      this, fm.priority, fm.cookie, fm.flags, fm.idleTimeout, fm.hardTimeout,
      instructions, nowMs,
    );
    if (fm.importance !== undefined && fm.importance !== 0) rule.importance = fm.importance;
    if (old !== null) {
      // "that entry, including its duration, must be cleared ... If the OFPFF_RESET_COUNTS
      // flag is set, the flow entry counters must be cleared, otherwise they should be
      // copied from the replaced flow entry." No flow-removed for it.
      if ((fm.flags & OFPFF_RESET_COUNTS) === 0) {
        rule.packetCount = old.packetCount;
        rule.byteCount = old.byteCount;
      }
      this.detach(old);
    }
    this.cls.insert(rule, value, mask);
    this.armTimeout(rule);
    this.generation++;
    return { rule, replaced: old };
  }

  /**
   * OFPFC_MODIFY / _STRICT (§6.4): replaces the instructions of the selected rules; cookie,
   * timeouts, flags, counters and duration stay, counters are cleared on RESET_COUNTS.
   * Matching nothing is not an error and changes nothing. Returns the modified rules.
   */
  modify(fm: FlowMod, strict: boolean): Rule[] | OFError {
    const sel = this.select({ ...fm, strict, outPort: OFPP_ANY, outGroup: OFPG_ANY });
    if (isOFError(sel)) return sel;
    for (const r of sel) {
      r.instructions = fm.instructions;
      if ((fm.flags & OFPFF_RESET_COUNTS) !== 0) {
        r.packetCount = 0;
        r.byteCount = 0;
      }
    }
    if (sel.length > 0) this.generation++;
    return sel;
  }

  /**
   * OFPFC_DELETE / _STRICT (§6.4), with cookie, out_port and out_group filters. Returns the
   * removed rules; the caller sends flow-removed (reason OFPRR_DELETE) for those with
   * OFPFF_SEND_FLOW_REM.
   */
  delete(fm: FlowMod, strict: boolean): Rule[] | OFError {
    const sel = this.select({ ...fm, strict });
    if (isOFError(sel)) return sel;
    for (const r of sel) this.detach(r);
    if (sel.length > 0) this.generation++;
    return sel;
  }

  /** Rules a request selects, in classifier order (also used for flow stats, §7.3.5.2). */
  select(s: FlowSelector): Rule[] | OFError {
    const cm = compileMatch(s.match);
    if (isOFError(cm)) return cm;
    if (this.store === null) return [];
    const out: Rule[] = [];
    const keep = (r: Rule): void => {
      if (s.cookieMask !== 0n && !cookieMatches(r, s.cookie, s.cookieMask)) return;
      if (s.outPort !== OFPP_ANY && !ruleOutputsTo(r, s.outPort)) return;
      if (s.outGroup !== OFPG_ANY && !ruleSendsToGroup(r, s.outGroup)) return;
      out.push(r);
    };
    if (s.strict) {
      const r = this.cls.findStrict(cm.value, cm.mask, s.priority);
      if (r !== null) keep(r);
    } else {
      this.cls.forEachCovered(cm.value, cm.mask, keep);
    }
    return out;
  }

  /** The highest-priority rule matching the FlowKey words, or null. Touches no counter. */
  lookup(key: Uint32Array): Rule | null {
    return this.store === null ? null : this.store.lookup(key);
  }

  /** Counts traffic on a rule and refreshes its idle timer (§5.5, §5.8). */
  account(rule: Rule, packets: number, bytes: number, nowMs: number): void {
    rule.packetCount += packets;
    rule.byteCount += bytes;
    if (nowMs > rule.lastUsedAt) rule.lastUsedAt = nowMs;
  }

  /** Removes the rules whose idle or hard timeout has passed at nowMs (§5.5). */
  expire(nowMs: number): RemovedRule[] {
    const out: RemovedRule[] = [];
    while (this.timeouts.peekDeadline() <= nowMs) {
      const r = this.timeouts.pop()!;
      if (!r.installed || r.source !== this) continue; // deleted or replaced meanwhile
      const hardAt = r.hardTimeout > 0 ? r.createdAt + r.hardTimeout * 1000 : Infinity;
      const idleAt = r.idleTimeout > 0 ? r.lastUsedAt + r.idleTimeout * 1000 : Infinity;
      const due = Math.min(hardAt, idleAt);
      if (due > nowMs) {
        this.timeouts.push(due, r); // used since it was queued: wait again
        continue;
      }
      this.detach(r);
      out.push({ rule: r, reason: hardAt <= idleAt ? OFPRR_HARD_TIMEOUT : OFPRR_IDLE_TIMEOUT });
    }
    if (out.length > 0) this.generation++;
    return out;
  }

  /** The earliest time (ms) at which expire() may remove something, or null. */
  nextExpiry(): number | null {
    const d = this.timeouts.peekDeadline();
    return d === Infinity ? null : d;
  }

  /** Removes one rule (e.g. OFPRR_GROUP_DELETE when its group goes away). */
  removeRule(rule: Rule): boolean {
    if (!rule.installed || rule.source !== this) return false;
    this.detach(rule);
    this.generation++;
    return true;
  }

  /** Rebuilds the canonical OXM list of an installed rule from the classifier's words. */
  matchOf(rule: Rule): Match {
    if (!rule.installed) return rule.source === this ? [] : rule.match;
    this.cls.matchWords(rule, this.scratchValue, this.scratchMask);
    return decompileMatch(this.scratchValue, this.scratchMask);
  }

  /** The rule's compiled match (fresh arrays), e.g. for tracing. */
  compiledMatchOf(rule: Rule): CompiledMatch {
    const value = new Uint32Array(KEY_WORDS), mask = new Uint32Array(KEY_WORDS);
    this.cls.matchWords(rule, value, mask);
    return { value, mask };
  }

  /** The table-miss flow entry: priority 0 and every field wildcarded (§5.4). */
  isTableMiss(rule: Rule): boolean {
    if (rule.priority !== 0) return false;
    if (!rule.installed) return rule.match.length === 0;
    return this.cls.maskWordCount(rule) === 0;
  }

  private armTimeout(rule: Rule): void {
    if (rule.idleTimeout === 0 && rule.hardTimeout === 0) return;
    const hardAt = rule.hardTimeout > 0 ? rule.createdAt + rule.hardTimeout * 1000 : Infinity;
    const idleAt = rule.idleTimeout > 0 ? rule.lastUsedAt + rule.idleTimeout * 1000 : Infinity;
    this.timeouts.push(Math.min(hardAt, idleAt), rule);
  }

  private detach(rule: Rule): void {
    const match = this.matchOf(rule);
    this.cls.remove(rule);
    rule.source = new DetachedMatch(this.tableId, match);
  }
}
