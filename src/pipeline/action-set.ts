/**
 * The action set (OF1.3.5 §5.10): the actions a packet carries from table to table,
 * executed when the pipeline ends (no goto-table).
 *
 * Invariants
 *  - At most one action of each type; set-field at most one per field. Writing an action
 *    whose type (or set-field field) is already in the set replaces the former one
 *    (§5.10: "the later one overwrites the former").
 *  - Execution order is the spec's, whatever the order of writing:
 *      1 copy_ttl_in  2 pop (vlan, mpls, pbb)  3 push_mpls  4 push_pbb  5 push_vlan
 *      6 copy_ttl_out  7 dec TTL (mpls, nw)  8 set (set_field, set_mpls_ttl, set_nw_ttl)
 *      9 qos (meter, set_queue: OF1.5.1 §5.6 puts the meter action here)  10 group  11 output
 *    Actions in the same step (several pops, several sets) run in the order they were
 *    last written: the spec leaves that order open.
 *  - When a group action is present the output action is ignored (§5.10 "output").
 *  - Immutable: `write` and `clear` return a new set. The set is built on the slow path
 *    (decide()), where allocation is fine, and shared freely between decisions.
 */
import { OFPP_UNSET } from '../packet/oxm.js';
import type { Action, ActionType } from './types.js';

/** §5.10 execution step of each action type. */
const STEP: Readonly<Record<ActionType, number>> = {
  copy_ttl_in: 1,
  pop_vlan: 2, pop_mpls: 2, pop_pbb: 2,
  push_mpls: 3,
  push_pbb: 4,
  push_vlan: 5,
  copy_ttl_out: 6,
  dec_mpls_ttl: 7, dec_nw_ttl: 7,
  set_field: 8, set_mpls_ttl: 8, set_nw_ttl: 8,
  copy_field: 8,
  meter: 9, set_queue: 9,
  group: 10,
  output: 11,
  experimenter: 12, // refused by validation; ordered last for completeness
};

interface Entry {
  readonly key: string;
  readonly seq: number;
  readonly action: Action;
}

const keyOf = (a: Action): string => (a.type === 'set_field' ? `set_field:${a.field.field}` : a.type);

export class ActionSet {
  static readonly EMPTY = new ActionSet([], 0);

  private constructor(private readonly entries: readonly Entry[], private readonly nextSeq: number) {}

  get size(): number {
    return this.entries.length;
  }

  has(type: ActionType): boolean {
    return this.entries.some((e) => e.action.type === type);
  }

  /** The write-actions instruction (§5.9): merge `actions` into the set. */
  write(actions: readonly Action[]): ActionSet {
    if (actions.length === 0) return this;
    const byKey = new Map<string, Entry>();
    for (const e of this.entries) byKey.set(e.key, e);
    let seq = this.nextSeq;
    for (const a of actions) {
      const key = keyOf(a);
      byKey.delete(key);
      byKey.set(key, { key, seq: seq++, action: a });
    }
    const sorted = [...byKey.values()].sort((x, y) => STEP[x.action.type] - STEP[y.action.type] || x.seq - y.seq);
    return new ActionSet(sorted, seq);
  }

  /** The clear-actions instruction (§5.9). */
  clear(): ActionSet {
    return ActionSet.EMPTY;
  }

  /** Every action in the set, in execution order (for traces and stats). */
  list(): readonly Action[] {
    return this.entries.map((e) => e.action);
  }

  /** actset_output (OF1.5.1 §7.2.3.7): the port of the set's output action, or OFPP_UNSET
   * (0xfffffff7) when it has none. */
  outputPort(): number {
    for (const e of this.entries) if (e.action.type === 'output') return e.action.port;
    return OFPP_UNSET;
  }

  /** What the set does when the pipeline ends: execution order, output dropped when a
   * group is present (§5.10). */
  toExecute(): readonly Action[] {
    const hasGroup = this.has('group');
    const out: Action[] = [];
    for (const e of this.entries) if (!(hasGroup && e.action.type === 'output')) out.push(e.action);
    return out;
  }
}
