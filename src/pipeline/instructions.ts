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
import { OFPTT_MAX, type Instruction, type InstructionType, type Match } from './types.js';

export interface InstructionContext extends ActionContext {
  /** The table the flow entry goes into. */
  readonly tableId: number;
  /** Number of tables (OF tables 0..nTables-1). */
  readonly nTables: number;
  meterExists(meterId: number): boolean;
}

const badInst = (code: number, msg: string): OFError => ofError(OFPET_BAD_INSTRUCTION, code, msg);

export function validateInstructions(
  insts: readonly Instruction[], match: Match, ctx: InstructionContext,
): OFError | null {
  const seen = new Set<InstructionType>();
  for (const i of insts) {
    if (seen.has(i.type)) return badInst(OFPBIC_UNSUP_INST, `duplicate ${i.type} instruction`);
    seen.add(i.type);
  }
  const byType = new Map(insts.map((i) => [i.type, i] as const));
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
  const apply = byType.get('apply_actions');
  if (apply?.type === 'apply_actions') {
    const e = validateActions(apply.actions, ctx, shape);
    if (e !== null) return e;
  }
  const write = byType.get('write_actions');
  if (write?.type === 'write_actions') {
    const ordered = ActionSet.EMPTY.write(write.actions).list();
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

/** The meter the instructions use, or -1. */
export function meterReferenced(insts: readonly Instruction[]): number {
  for (const i of insts) if (i.type === 'meter') return i.meterId;
  return -1;
}
