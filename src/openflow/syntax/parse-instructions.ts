/**
 * The `actions=` part of a flow → OF1.3 instructions (OF1.3.5 §7.2.4).
 *
 * ovs-ofctl writes instructions and apply-actions in one list: `meter:N`, `clear_actions`,
 * `write_actions(...)`, `write_metadata:V[/M]` and `goto_table:N` are instructions,
 * anything else is an action of the single Apply-Actions instruction. Like ovs-ofctl we
 * demand the order in which OF1.3.5 §5.9 executes instructions (meter, apply actions,
 * clear, write, metadata, goto), so that the text reads as what happens, and each
 * instruction at most once. The result lists instructions in that same order.
 */
import type { Action, Instruction } from '../../pipeline/types.js';
import { isParseError, parseError, type ParseError } from './errors.js';
import { VlanTracker, dropNotAlone, isInstructionName, parseAction, parseActionList, type ActionContext } from './parse-actions.js';
import { keyValue, splitTopLevel, type KeyValue } from './tokens.js';
import { parseUint } from './values.js';

const RANK: Readonly<Record<string, number>> = {
  meter: 0, apply_actions: 1, clear_actions: 2, write_actions: 3, write_metadata: 4, goto_table: 5,
};

/** Parses a whole `actions=` value that starts at `column`. */
export function parseInstructions(text: string, column: number, ctx: ActionContext): Instruction[] | ParseError {
  const toks = splitTopLevel(text, column, false);
  if (!Array.isArray(toks)) return parseError('unbalanced parentheses in actions', text, toks.unbalanced);
  const alone = dropNotAlone(toks);
  if (alone) return alone;
  const apply: Action[] = [];
  const others: Instruction[] = [];
  let lastRank = -1;
  let lastName = '';
  const vlan = new VlanTracker(ctx);
  for (const tok of toks) {
    const kv = keyValue(tok, true);
    const isInstr = isInstructionName(kv.key);
    const r = isInstr ? parseInstruction(kv, ctx) : parseAction(kv, ctx);
    if (isParseError(r)) return r;
    if (r === null) continue;
    const name = 'instruction' in r ? r.instruction.type : 'apply_actions';
    const rank = RANK[name]!;
    if (rank < lastRank || (rank === lastRank && isInstr)) {
      return parseError(rank === lastRank
        ? `${name} given twice`
        : `invalid instruction order: ${name} must appear before ${lastName} (OF1.3.5 §5.9 order: meter, apply actions, clear_actions, write_actions, write_metadata, goto_table)`, tok.text, tok.column);
    }
    lastRank = rank;
    lastName = name;
    if ('instruction' in r) others.push(r.instruction);
    else {
      const push = vlan.before(kv.key);
      if (push) apply.push(push);
      vlan.after(r);
      apply.push(r);
    }
  }
  const out: Instruction[] = [];
  const meter = others.filter((i) => i.type === 'meter');
  out.push(...meter);
  if (apply.length > 0) out.push({ type: 'apply_actions', actions: apply });
  out.push(...others.filter((i) => i.type !== 'meter'));
  return out;
}


function parseInstruction(kv: KeyValue, ctx: ActionContext): { instruction: Instruction } | ParseError {
  const key = kv.key.toLowerCase();
  const bad = () => parseError(`bad value for ${key}: "${kv.value ?? ''}"`, kv.value ?? key, kv.valueColumn);
  if (key === 'clear_actions' && kv.value === undefined) return { instruction: { type: 'clear_actions' } };
  if (key === 'meter') {
    const v = kv.value === undefined ? undefined : parseUint(kv.value, 32);
    return v === undefined ? bad() : { instruction: { type: 'meter', meterId: Number(v) } };
  }
  if (key === 'goto_table') {
    const v = kv.value === undefined ? undefined : parseUint(kv.value, 8);
    return v === undefined || v === 255n ? bad() : { instruction: { type: 'goto_table', tableId: Number(v) } };
  }
  if (key === 'write_metadata') {
    const [vt, mt] = (kv.value ?? '').split('/');
    const v = parseUint(vt ?? '', 64);
    const m = mt === undefined ? 0xffffffffffffffffn : parseUint(mt, 64);
    return v === undefined || m === undefined ? bad() : { instruction: { type: 'write_metadata', metadata: v & m, mask: m } };
  }
  if (key.startsWith('write_actions(') && key.endsWith(')') && kv.value === undefined) {
    const inner = kv.key.slice(kv.key.indexOf('(') + 1, -1);
    const list = parseActionList(inner, kv.column + kv.key.indexOf('(') + 1, ctx);
    return isParseError(list) ? list : { instruction: { type: 'write_actions', actions: list } };
  }
  return parseError(`bad instruction "${kv.key}${kv.value !== undefined ? ':' + kv.value : ''}"`, kv.key, kv.column);
}
