/**
 * Validation of a flow entry's instruction set (OF1.3.5 §5.9, §7.2.4) and of the actions
 * inside it against the entry's match (§6.4 flow-mod errors).
 *
 * Invariants
 *  - An instruction set holds at most one instruction of each type (§5.9). OF1.3 has no
 *    "duplicate instruction" code (OFPBIC_DUP_INST came with OF1.4), so a duplicate is
 *    reported as OFPBIC_UNSUP_INST.
 *  - Actions are checked in the order they will run: apply-actions in list order from the
 *    match's shape; write-actions in action-set order (§5.10) from the shape left by
 *    apply-actions, which is what the packet looks like when this entry's contributions
 *    to the set execute.
 *  - goto-table only moves forward (§5.1) and stays inside the configured tables.
 *  - A meter instruction must name an existing meter: OFPMMFC_UNKNOWN_METER (§7.3.4.4).
 */
import { ActionSet } from './action-set.js';
import { validateActions, type ActionContext } from './actions.js';
import {
  OFPBIC_BAD_EXPERIMENTER, OFPBIC_BAD_TABLE_ID, OFPBIC_UNSUP_INST, OFPET_BAD_INSTRUCTION,
  OFPET_METER_MOD_FAILED, OFPMMFC_UNKNOWN_METER, ofError, type OFError,
} from './errors.js';
import { cloneShape, shapeFromMatch } from './shape.js';
import { OFPTT_MAX, type Action, type Instruction, type InstructionType, type Match } from './types.js';

export interface InstructionContext extends ActionContext {
  /** The table the flow entry goes into. */
  readonly tableId: number;
  /** Number of tables (OF tables 0..nTables-1). */
  readonly nTables: number;
  meterExists(meterId: number): boolean;
}

/** One bit per instruction type, for the §5.9 "at most one of each" check. */
const TYPE_BIT: Readonly<Record<InstructionType, number>> = {
  goto_table: 1, write_metadata: 2, write_actions: 4, apply_actions: 8, clear_actions: 16,
  meter: 32, experimenter: 64,
};

const badInst = (code: number, msg: string): OFError => ofError(OFPET_BAD_INSTRUCTION, code, msg);

export function validateInstructions(
  insts: readonly Instruction[], match: Match, ctx: InstructionContext,
): OFError | null {
  // A bitmask of the types seen and a direct pick of the action lists: this runs once per
  // flow-mod, so no Set/Map per call.
  let seen = 0;
  let apply: readonly Action[] | null = null;
  let write: readonly Action[] | null = null;
  for (const i of insts) {
    const bit = TYPE_BIT[i.type];
    if ((seen & bit) !== 0) return badInst(OFPBIC_UNSUP_INST, `duplicate ${i.type} instruction`);
    seen |= bit;
    if (i.type === 'apply_actions') apply = i.actions;
    else if (i.type === 'write_actions') write = i.actions;
  }
  const shape = shapeFromMatch(match);

  for (const i of insts) {
    switch (i.type) {
      case 'goto_table':
        if (i.tableId <= ctx.tableId || i.tableId > OFPTT_MAX || i.tableId >= ctx.nTables) {
          return badInst(OFPBIC_BAD_TABLE_ID, `goto_table ${i.tableId} from table ${ctx.tableId}`);
        }
        break;
      case 'meter':
        if (!ctx.meterExists(i.meterId)) {
          return ofError(OFPET_METER_MOD_FAILED, OFPMMFC_UNKNOWN_METER, `meter ${i.meterId} does not exist`);
        }
        break;
      case 'experimenter':
        return badInst(OFPBIC_BAD_EXPERIMENTER, `experimenter instruction 0x${i.experimenter.toString(16)} is not supported`);
      default:
        break; // write_metadata: all 64 bits are writable; actions are checked below
    }
  }
  if (apply !== null) {
    const e = validateActions(apply, ctx, shape);
    if (e !== null) return e;
  }
  if (write !== null) {
    const ordered = ActionSet.EMPTY.write(write).list();
    const e = validateActions(ordered, ctx, cloneShape(shape));
    if (e !== null) return e;
  }
  return null;
}

/** Every group id the instructions send to (apply or write), for ref counts and for
 * removing the entry when the group is deleted (§6.5). */
export function groupsReferenced(insts: readonly Instruction[]): number[] {
  const ids: number[] = [];
  for (const i of insts) {
    if (i.type !== 'apply_actions' && i.type !== 'write_actions') continue;
    for (const a of i.actions) if (a.type === 'group' && !ids.includes(a.groupId)) ids.push(a.groupId);
  }
  return ids;
}

/** True when the instructions send to a group or use a meter (ref counts, §6.5, §6.6);
 * allocation free, so that the common rule without either costs nothing to count. */
export function referencesGroupOrMeter(insts: readonly Instruction[]): boolean {
  for (const i of insts) {
    if (i.type === 'meter') return true;
    if (i.type !== 'apply_actions' && i.type !== 'write_actions') continue;
    for (const a of i.actions) if (a.type === 'group' || a.type === 'meter') return true;
  }
  return false;
}

/** Every meter the instructions use: the meter instruction (OF1.3, 1.4) and the meter
 * actions of apply / write (OF1.5), each id once. */
export function metersReferenced(insts: readonly Instruction[]): number[] {
  const ids: number[] = [];
  for (const i of insts) {
    if (i.type === 'meter') { if (!ids.includes(i.meterId)) ids.push(i.meterId); continue; }
    if (i.type !== 'apply_actions' && i.type !== 'write_actions') continue;
    for (const a of i.actions) if (a.type === 'meter' && !ids.includes(a.meterId)) ids.push(a.meterId);
  }
  return ids;
}

// ---- Sharing identical instruction lists
//
// A controller installing many rules usually gives them the same instructions (100,000
// rules with "apply_actions output:1"). The table keeps one deep-frozen copy per distinct
// list instead of one per rule: less memory, and far fewer objects for the GC to promote.
// Invariants: two lists share a copy only when their keys are equal, and the key spells
// out every field of every instruction and action, so shared lists are deep-equal;
// shared lists are frozen (set_field value bytes cannot be frozen: nothing writes them,
// as the Instruction types are readonly throughout). The cache is bounded: when full it
// is emptied, which only ends sharing for lists seen before, never changes a rule.

const INTERN_MAX = 4096;
const interned = new Map<string, readonly Instruction[]>();
/** [apply_actions [output port max_len]] by port * 2^16 + max_len (exact in a double). */
const internedOutput = new Map<number, readonly Instruction[]>();

const hexBytes = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
};

/** The key of an action, or null for an action that is not shared (experimenter). */
function actionKey(a: Action): string | null {
  switch (a.type) {
    case 'output': return `o${a.port}/${a.maxLen}`;
    case 'group': return `g${a.groupId}`;
    case 'meter': return `m${a.meterId}`;
    case 'copy_field': return `c${a.src}/${a.srcOffset}/${a.dst}/${a.dstOffset}/${a.nBits}`;
    case 'set_queue': return `q${a.queueId}`;
    case 'set_mpls_ttl': case 'set_nw_ttl': return `${a.type}${a.ttl}`;
    case 'push_vlan': case 'push_mpls': case 'pop_mpls': case 'push_pbb': return `${a.type}${a.ethertype}`;
    case 'set_field': {
      const f = a.field;
      return `f${f.field}=${hexBytes(f.value)}${f.mask !== undefined ? '/' + hexBytes(f.mask) : ''}`;
    }
    case 'experimenter': return null;
    default: return a.type; // the actions without arguments
  }
}

function actionsKey(actions: readonly Action[]): string | null {
  let k = '[';
  for (const a of actions) {
    const ak = actionKey(a);
    if (ak === null) return null;
    k += ak + ',';
  }
  return k + ']';
}

function instructionsKey(insts: readonly Instruction[]): string | null {
  let k = '';
  for (const i of insts) {
    switch (i.type) {
      case 'goto_table': k += `G${i.tableId};`; break;
      case 'write_metadata': k += `M${i.metadata}/${i.mask};`; break;
      case 'apply_actions': case 'write_actions': {
        const ak = actionsKey(i.actions);
        if (ak === null) return null;
        k += (i.type === 'apply_actions' ? 'A' : 'W') + ak + ';';
        break;
      }
      case 'clear_actions': k += 'C;'; break;
      case 'meter': k += `m${i.meterId};`; break;
      case 'experimenter': return null;
    }
  }
  return k;
}

/** A deep copy of an action, sharing nothing with the caller's objects. */
function copyAction(a: Action): Action {
  if (a.type !== 'set_field') return Object.freeze({ ...a });
  const f = a.field;
  const field = f.mask !== undefined
    ? { field: f.field, value: f.value.slice(), mask: f.mask.slice() }
    : { field: f.field, value: f.value.slice() };
  return Object.freeze({ type: 'set_field', field: Object.freeze(field) });
}

/** A deep, frozen copy of an instruction list (experimenter-free, see instructionsKey). */
function frozenCopy(insts: readonly Instruction[]): readonly Instruction[] {
  return Object.freeze(insts.map((i): Instruction => {
    if (i.type === 'apply_actions' || i.type === 'write_actions') {
      return Object.freeze({ type: i.type, actions: Object.freeze(i.actions.map(copyAction)) });
    }
    return Object.freeze({ ...i });
  }));
}

/**
 * The shared, frozen instruction list deep-equal to `insts`. Call it after validation, so
 * that only lists that will be installed enter the cache. The shared list is a copy: the
 * caller's objects are neither kept nor frozen.
 */
export function internInstructions(insts: readonly Instruction[]): readonly Instruction[] {
  // Fast path for the most common list, "apply_actions output:port max_len", keyed by a
  // number (no key string per flow-mod).
  if (insts.length === 1) {
    const i = insts[0]!;
    if (i.type === 'apply_actions' && i.actions.length === 1) {
      const a = i.actions[0]!;
      if (a.type === 'output') {
        const nkey = a.port * 0x10000 + a.maxLen;
        const hit = internedOutput.get(nkey);
        if (hit !== undefined) return hit;
        if (internedOutput.size >= INTERN_MAX) internedOutput.clear();
        const shared = frozenCopy(insts);
        internedOutput.set(nkey, shared);
        return shared;
      }
    }
  }
  const key = instructionsKey(insts);
  if (key === null) return insts;
  const hit = interned.get(key);
  if (hit !== undefined) return hit;
  if (interned.size >= INTERN_MAX) interned.clear();
  const shared = frozenCopy(insts);
  interned.set(key, shared);
  return shared;
}
