/**
 * A flow entry (OF1.3.5 §5.2): priority, cookie, flags, timeouts, instructions, counters.
 *
 * Invariants
 *  - The match is not stored on the rule: while the rule is in a table, `source` is that
 *    table and `match` is rebuilt from the classifier's words (decompileMatch); when the
 *    table removes the rule it replaces `source` with a DetachedMatch holding the match,
 *    so flow-removed messages built later still have it.
 *  - Only scalars and shared references live here (the instructions array is, through
 *    Pipeline.flowMod, one frozen list shared by every rule with deep-equal instructions,
 *    see instructions.ts internInstructions; never mutate it, replace it): every field
 *    costs 8 bytes per rule, and the budget
 *    is ≤ 300 bytes per rule at 1M rules, classifier included.
 *  - Times are milliseconds on the caller's clock (nothing here reads a clock); timeouts
 *    are seconds as on the wire; 0 means "no timeout" (§5.5).
 */
import type { ClassifierRule } from './classifier.js';
import type { Instruction, Match } from './types.js';

/** Whatever can give a rule's match and table: its FlowTable, or a DetachedMatch. */
interface RuleMatchSource {
  readonly tableId: number;
  matchOf(rule: Rule): Match;
}

/** The match of a rule that has left its table, saved at removal. */
export class DetachedMatch implements RuleMatchSource {
  constructor(readonly tableId: number, readonly match: Match) {}
  matchOf(): Match {
    return this.match;
  }
}

export class Rule implements ClassifierRule {
  clsId = -1;
  packetCount = 0;
  byteCount = 0;
  lastUsedAt: number;
  /** OF1.4+ importance of the flow-mod that added it (0 from 1.3 and 1.0). */
  importance = 0;

  constructor(
    public source: RuleMatchSource,
    readonly priority: number,
    public cookie: bigint,
    public flags: number,
    public idleTimeout: number,
    public hardTimeout: number,
    public instructions: readonly Instruction[],
    public createdAt: number,
  ) {
    this.lastUsedAt = createdAt;
  }

  get tableId(): number {
    return this.source.tableId;
  }

  get match(): Match {
    return this.source.matchOf(this);
  }

  /** True while the rule is installed in a table. */
  get installed(): boolean {
    return this.clsId >= 0;
  }
}

/** duration_sec / duration_nsec of flow stats and flow-removed (§7.3.5.2, §7.4.2). */
export function ruleDuration(rule: Rule, nowMs: number): { sec: number; nsec: number } {
  const ms = Math.max(0, nowMs - rule.createdAt);
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.floor((ms - sec * 1000) * 1e6) };
}

/** §6.4: (flow.cookie & cookie_mask) == (flow_mod.cookie & cookie_mask). */
export function cookieMatches(rule: Rule, cookie: bigint, cookieMask: bigint): boolean {
  return (rule.cookie & cookieMask) === (cookie & cookieMask);
}

/** §6.4 out_port filter: an output action to `port` in apply_actions or write_actions. */
export function ruleOutputsTo(rule: Rule, port: number): boolean {
  for (const ins of rule.instructions) {
    if (ins.type !== 'apply_actions' && ins.type !== 'write_actions') continue;
    for (const a of ins.actions) if (a.type === 'output' && a.port === port) return true;
  }
  return false;
}

/** §6.4 out_group filter: a group action to `groupId` in apply_actions or write_actions. */
export function ruleSendsToGroup(rule: Rule, groupId: number): boolean {
  for (const ins of rule.instructions) {
    if (ins.type !== 'apply_actions' && ins.type !== 'write_actions') continue;
    for (const a of ins.actions) if (a.type === 'group' && a.groupId === groupId) return true;
  }
  return false;
}
