/**
 * Actions on the wire (OF1.3.5 §7.2.5): every action starts with type(16) len(16), and
 * len is the whole action including padding, a multiple of 8.
 *
 *   output         16: port(32) max_len(16) pad(6)
 *   no-argument     8: pad(4)                (copy_ttl_out/in, dec_mpls_ttl, pop_vlan, dec_nw_ttl, pop_pbb)
 *   ttl             8: ttl(8) pad(3)         (set_mpls_ttl, set_nw_ttl)
 *   ethertype       8: ethertype(16) pad(2)  (push_vlan, push_mpls, pop_mpls, push_pbb)
 *   32-bit argument 8: id(32)                (set_queue, group)
 *   set_field      pad8(4 + OXM TLV)
 *   copy_field     24: n_bits(16) src_offset(16) dst_offset(16) pad(2) src oxm id(32) dst oxm id(32) pad(4)   (OF1.5)
 *   meter           8: meter_id(32)          (OF1.5)
 *   experimenter   8+: experimenter(32) data
 *
 * Invariants: a list decodes only if every action's len is ≥ 8, a multiple of 8, fits the
 * list and equals its type's fixed size (OFPBAC_BAD_LEN otherwise); an unknown type is
 * OFPBAC_BAD_TYPE. Set-field TLVs of a class other than basic are OFPBAC_BAD_SET_TYPE, a
 * TLV not fitting its action is OFPBAC_BAD_SET_LEN; a copy-field OXM id Sluice does not
 * know is OFPBAC_BAD_ARGUMENT. Semantics (ports, groups exist, ...) are the pipeline's
 * business. copy_field and meter are OpenFlow 1.5's: this codec reads them in any
 * version, and the 1.3 and 1.4 codecs refuse them after decoding (of15/version-gate.ts).
 */
import {
  OFPBAC_BAD_ARGUMENT, OFPBAC_BAD_LEN, OFPBAC_BAD_TYPE, OFPET_BAD_ACTION, isOFError, ofError, type OFError,
} from '../pipeline/errors.js';
import { OFPAT, type Action, type ActionType } from '../pipeline/types.js';
import { pad8 } from './constants.js';
import { OXM_FIELD_COUNT, OXM_FIELDS, oxmIdFromWire } from '../packet/oxm.js';
import { decodeOxmTlv, encodeOxmTlv } from './oxm-codec.js';
import type { Reader, Writer } from './wire.js';

const badAction = (code: number, msg: string): OFError => ofError(OFPET_BAD_ACTION, code, msg);

const TYPE_OF_NUMBER = new Map<number, ActionType>(
  (Object.entries(OFPAT) as [ActionType, number][]).map(([name, num]) => [num, name]),
);

/** Fixed wire sizes; set_field and experimenter are variable (checked separately). */
const FIXED_LEN: Partial<Record<ActionType, number>> = {
  output: 16, copy_ttl_out: 8, copy_ttl_in: 8, set_mpls_ttl: 8, dec_mpls_ttl: 8, push_vlan: 8,
  pop_vlan: 8, push_mpls: 8, pop_mpls: 8, set_queue: 8, group: 8, set_nw_ttl: 8, dec_nw_ttl: 8,
  push_pbb: 8, pop_pbb: 8, copy_field: 24, meter: 8,
};

/** The OXM id (a TLV header without payload, OF1.5.1 §7.2.3.1) of field `id`. */
function oxmId(id: number): number {
  const info = id >= 0 && id < OXM_FIELD_COUNT ? OXM_FIELDS[id]! : undefined;
  if (info === undefined) return ((0x8000 << 16) | ((id & 0x7f) << 9)) >>> 0;
  return ((info.oxmClass << 16) | (info.oxmField << 9) | info.bytes) >>> 0;
}

/** The field id of an OXM id, or -1 (an unknown class or field, or a mask bit). */
function fieldOfOxmId(h: number): number {
  if ((h & 0x100) !== 0) return -1;
  return oxmIdFromWire(h >>> 16, (h >>> 9) & 0x7f);
}

function encodeAction(w: Writer, a: Action): void {
  const start = w.pos;
  w.u16(OFPAT[a.type]);
  w.u16(0);
  switch (a.type) {
    case 'output': w.u32(a.port); w.u16(a.maxLen); w.zeros(6); break;
    case 'set_mpls_ttl': case 'set_nw_ttl': w.u8(a.ttl); w.zeros(3); break;
    case 'push_vlan': case 'push_mpls': case 'pop_mpls': case 'push_pbb': w.u16(a.ethertype); w.zeros(2); break;
    case 'set_queue': w.u32(a.queueId); break;
    case 'group': w.u32(a.groupId); break;
    case 'set_field': encodeOxmTlv(w, a.field); break;
    case 'copy_field': w.u16(a.nBits); w.u16(a.srcOffset); w.u16(a.dstOffset); w.zeros(2); w.u32(oxmId(a.src)); w.u32(oxmId(a.dst)); break;
    case 'meter': w.u32(a.meterId); break;
    case 'experimenter': w.u32(a.experimenter); w.bytes(a.data); break;
    default: w.zeros(4); // the no-argument actions: ofp_action_generic's pad
  }
  w.align8(start);
  w.patch16(start + 2, w.pos - start);
}

export function encodeActions(w: Writer, actions: readonly Action[]): void {
  for (const a of actions) encodeAction(w, a);
}

/** Decodes one action whose header (type, len) is already validated; r spans len - 4 bytes. */
function decodeBody(type: ActionType, r: Reader, len: number): Action | OFError {
  switch (type) {
    case 'output': { const port = r.u32(); return { type, port, maxLen: r.u16() }; }
    case 'set_mpls_ttl': case 'set_nw_ttl': return { type, ttl: r.u8() };
    case 'push_vlan': case 'push_mpls': case 'pop_mpls': case 'push_pbb': return { type, ethertype: r.u16() };
    case 'set_queue': return { type, queueId: r.u32() };
    case 'group': return { type, groupId: r.u32() };
    case 'set_field': {
      const f = decodeOxmTlv(r, 'set_field');
      return isOFError(f) ? f : { type, field: f };
    }
    case 'copy_field': {
      const nBits = r.u16(); const srcOffset = r.u16(); const dstOffset = r.u16(); r.skip(2);
      const sh = r.u32(); const dh = r.u32();
      const src = fieldOfOxmId(sh); const dst = fieldOfOxmId(dh);
      if (src < 0 || dst < 0) {
        return badAction(OFPBAC_BAD_ARGUMENT, `copy_field: OXM id 0x${(src < 0 ? sh : dh).toString(16)} is not a field Sluice knows`);
      }
      return { type, nBits, srcOffset, dstOffset, src, dst };
    }
    case 'meter': return { type, meterId: r.u32() };
    case 'experimenter': {
      if (len < 8) return badAction(OFPBAC_BAD_LEN, 'experimenter action shorter than 8 bytes');
      const experimenter = r.u32();
      return { type, experimenter, data: r.bytes(r.left) };
    }
    default: return { type }; // no-argument actions
  }
}

/** Decodes an action list spanning exactly the reader's remaining bytes. */
export function decodeActions(r: Reader): Action[] | OFError {
  const out: Action[] = [];
  while (r.left > 0) {
    if (r.left < 4) return badAction(OFPBAC_BAD_LEN, `${r.left} trailing bytes after actions`);
    const num = r.u16();
    const len = r.u16();
    const type = TYPE_OF_NUMBER.get(num);
    if (type === undefined) return badAction(OFPBAC_BAD_TYPE, `unknown action type ${num}`);
    if (len < 8 || (len & 7) !== 0 || len - 4 > r.left) {
      return badAction(OFPBAC_BAD_LEN, `action ${type}: bad length ${len}`);
    }
    const fixed = FIXED_LEN[type];
    if (fixed !== undefined && len !== fixed) {
      return badAction(OFPBAC_BAD_LEN, `action ${type}: length ${len}, expected ${fixed}`);
    }
    // Bound this reader to the action (as r.sub() would, without a Reader per call).
    const outerEnd = r.end;
    const bodyEnd = r.pos + len - 4;
    r.end = bodyEnd;
    const a = decodeBody(type, r, len);
    r.end = outerEnd;
    r.pos = bodyEnd;
    if ('ofError' in a) return a;
    out.push(a);
  }
  return out;
}

/** Wire length of an action list (for callers that must write actions_len first). */
export function actionsWireLength(actions: readonly Action[]): number {
  let n = 0;
  for (const a of actions) {
    if (a.type === 'set_field') n += pad8(8 + a.field.value.length + (a.field.mask?.length ?? 0));
    else if (a.type === 'experimenter') n += pad8(8 + a.data.length);
    else n += FIXED_LEN[a.type]!;
  }
  return n;
}
