/**
 * Instructions on the wire (OF1.3.5 §7.2.4): type(16) len(16), len a multiple of 8.
 *
 *   goto_table       8: table_id(8) pad(3)
 *   write_metadata  24: pad(4) metadata(64) metadata_mask(64)
 *   write/apply_actions 8+: pad(4) actions
 *   clear_actions    8: pad(4)
 *   meter            8: meter_id(32)
 *   experimenter     8+: experimenter(32) data
 *
 * Invariants: an unknown type is OFPBIC_UNKNOWN_INST; a len that is < 8, not a multiple
 * of 8, past the list, or not its type's fixed size is OFPBIC_BAD_LEN. Errors inside an
 * action list keep their OFPET_BAD_ACTION code. Duplicates and semantics are the pipeline's.
 */
import {
  OFPBIC_BAD_LEN, OFPBIC_UNKNOWN_INST, OFPET_BAD_INSTRUCTION, ofError, type OFError,
} from '../pipeline/errors.js';
import { OFPIT, type Instruction, type InstructionType } from '../pipeline/types.js';
import { decodeActions, encodeActions } from './actions-codec.js';
import type { Reader, Writer } from './wire.js';

const badInst = (code: number, msg: string): OFError => ofError(OFPET_BAD_INSTRUCTION, code, msg);

const TYPE_OF_NUMBER = new Map<number, InstructionType>(
  (Object.entries(OFPIT) as [InstructionType, number][]).map(([name, num]) => [num, name]),
);

const FIXED_LEN: Partial<Record<InstructionType, number>> = {
  goto_table: 8, write_metadata: 24, clear_actions: 8, meter: 8,
};

function encodeInstruction(w: Writer, i: Instruction): void {
  const start = w.pos;
  w.u16(OFPIT[i.type]);
  w.u16(0);
  switch (i.type) {
    case 'goto_table': w.u8(i.tableId); w.zeros(3); break;
    case 'write_metadata': w.zeros(4); w.u64(i.metadata); w.u64(i.mask); break;
    case 'write_actions': case 'apply_actions': w.zeros(4); encodeActions(w, i.actions); break;
    case 'clear_actions': w.zeros(4); break;
    case 'meter': w.u32(i.meterId); break;
    case 'experimenter': w.u32(i.experimenter); w.bytes(i.data); break;
  }
  w.align8(start);
  w.patch16(start + 2, w.pos - start);
}

export function encodeInstructions(w: Writer, list: readonly Instruction[]): void {
  for (const i of list) encodeInstruction(w, i);
}

function decodeBody(type: InstructionType, r: Reader): Instruction | OFError {
  switch (type) {
    case 'goto_table': return { type, tableId: r.u8() };
    case 'write_metadata': { r.skip(4); const metadata = r.u64(); return { type, metadata, mask: r.u64() }; }
    case 'write_actions': case 'apply_actions': {
      r.skip(4);
      const actions = decodeActions(r);
      return 'ofError' in actions ? actions : { type, actions };
    }
    case 'clear_actions': return { type };
    case 'meter': return { type, meterId: r.u32() };
    case 'experimenter': { const experimenter = r.u32(); return { type, experimenter, data: r.bytes(r.left) }; }
  }
}

/** Decodes an instruction list spanning exactly the reader's remaining bytes. */
export function decodeInstructions(r: Reader): Instruction[] | OFError {
  const out: Instruction[] = [];
  while (r.left > 0) {
    if (r.left < 4) return badInst(OFPBIC_BAD_LEN, `${r.left} trailing bytes after instructions`);
    const num = r.u16();
    const len = r.u16();
    const type = TYPE_OF_NUMBER.get(num);
    if (type === undefined) return badInst(OFPBIC_UNKNOWN_INST, `unknown instruction type ${num}`);
    if (len < 8 || (len & 7) !== 0 || len - 4 > r.left) {
      return badInst(OFPBIC_BAD_LEN, `instruction ${type}: bad length ${len}`);
    }
    const fixed = FIXED_LEN[type];
    if (fixed !== undefined && len !== fixed) {
      return badInst(OFPBIC_BAD_LEN, `instruction ${type}: length ${len}, expected ${fixed}`);
    }
    // Bound this reader to the instruction (as r.sub() would, without a Reader per call).
    const outerEnd = r.end;
    const bodyEnd = r.pos + len - 4;
    r.end = bodyEnd;
    const i = decodeBody(type, r);
    r.end = outerEnd;
    r.pos = bodyEnd;
    if ('ofError' in i) return i;
    out.push(i);
  }
  return out;
}
