/**
 * ofp_match and OXM TLVs on the wire (OF1.3.5 §7.2.3).
 *
 *   ofp_match:  type(16)=OFPMT_OXM  length(16)  oxm_fields[length-4]  pad to 8 bytes
 *   OXM TLV:    class(16) | field(7) | hasmask(1) | length(8)   value[len or len/2] mask[len/2]
 *
 * Invariants
 *  - `length` counts the 4-byte ofp_match header and the TLVs, not the trailing padding;
 *    the padding is always written (zeros) and always skipped on decode.
 *  - A TLV is representable as an OxmField when Sluice knows its (class, field): the 40
 *    basic fields of class OFPXMC_OPENFLOW_BASIC (0x8000) and OpenFlow 1.5's 42..44
 *    (tcp_flags, actset_output, packet_type: the 1.3 and 1.4 codecs refuse them after
 *    decoding, of15/version-gate.ts), whose id is their field number,
 *    and Open vSwitch's NXM_NX_TUN_IPV4_SRC / _DST (class OFPXMC_NXM_1 = 0x0001, fields 31
 *    and 32, as `ovs-ofctl -O OpenFlow13` and os-ken encode tun_src / tun_dst), which get
 *    the ids 40 / 41 (packet/oxm.ts oxmIdFromWire). Any other (class, field) — another
 *    class, or a basic field number Sluice does not know — is refused here with
 *    OFPBMC_BAD_FIELD in a match (§7.2.3.2) and OFPBAC_BAD_SET_TYPE in a set-field.
 *  - Value sizes are NOT checked here: a wrong payload size is passed through, and the
 *    pipeline's match compiler answers with the precise code (BAD_LEN, BAD_WILDCARDS...).
 *    The codec only rejects what it cannot frame: truncation (BAD_LEN), an odd payload with
 *    hasmask set (BAD_LEN), a match type other than OXM (BAD_TYPE).
 *  - Errors are the protocol model (pipeline/errors.ts): every decoder here returns
 *    `X | OFError`, already in the error space of where the TLV was read (match or
 *    set-field), so callers pass it up unchanged.
 */
import {
  OFPXMC_OPENFLOW_BASIC, OXM_BASIC_FIELD_COUNT, OXM_FIELD_COUNT, OXM_FIELDS, oxmIdFromWire,
} from '../packet/oxm.js';
import {
  OFPBAC_BAD_SET_LEN, OFPBAC_BAD_SET_TYPE, OFPBMC_BAD_FIELD, OFPBMC_BAD_LEN, OFPBMC_BAD_TYPE,
  OFPET_BAD_ACTION, OFPET_BAD_MATCH, isOFError, ofError, type OFError,
} from '../pipeline/errors.js';
import type { Match, OxmField } from '../pipeline/types.js';
import { OFPMT_OXM, pad8 } from './constants.js';
import type { Reader, Writer } from './wire.js';

const badMatch = (code: number, msg: string): OFError => ofError(OFPET_BAD_MATCH, code, msg);

/** An OXM TLV header split into its parts. */
interface OxmHeaderParts {
  readonly oxmClass: number;
  readonly field: number;
  readonly hasMask: boolean;
  readonly length: number;
}

function splitOxmHeader(h: number): OxmHeaderParts {
  return { oxmClass: h >>> 16, field: (h >>> 9) & 0x7f, hasMask: (h & 0x100) !== 0, length: h & 0xff };
}

/** The 32-bit header of the TLV carrying `f`: its field's wire class and number (an id
 * Sluice does not know is written as a basic field number). */
function oxmTlvHeader(f: OxmField): number {
  const len = f.value.length + (f.mask?.length ?? 0);
  const info = f.field >= OXM_BASIC_FIELD_COUNT && f.field < OXM_FIELD_COUNT ? OXM_FIELDS[f.field]! : undefined;
  const cls = info === undefined ? OFPXMC_OPENFLOW_BASIC : info.oxmClass;
  const num = info === undefined ? f.field : info.oxmField;
  return ((cls << 16) | ((num & 0x7f) << 9) | (f.mask ? 0x100 : 0) | (len & 0xff)) >>> 0;
}

/** "class 0x8000 field 45", for errors about a TLV Sluice does not know. */
function oxmWireName(h: OxmHeaderParts): string {
  return `OXM class 0x${h.oxmClass.toString(16)} field ${h.field}`;
}

export function encodeOxmTlv(w: Writer, f: OxmField): void {
  w.u32(oxmTlvHeader(f));
  w.bytes(f.value);
  if (f.mask) w.bytes(f.mask);
}

/** Where a TLV is read decides the error space of a refusal (§7.2.3.2 vs. §7.2.5). */
type OxmContext = 'match' | 'set_field';

/** A TLV Sluice cannot take, as the OFError its context answers with. */
function refuseTlv(ctx: OxmContext, h: OxmHeaderParts | null): OFError {
  if (ctx === 'match') {
    return h === null
      ? badMatch(OFPBMC_BAD_LEN, 'OXM TLV truncated or odd masked length')
      : badMatch(OFPBMC_BAD_FIELD, `${oxmWireName(h)} is not supported`);
  }
  return h === null
    ? ofError(OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN, 'set_field: OXM TLV does not fit the action')
    : ofError(OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE, `set_field: ${oxmWireName(h)} is not supported`);
}

/**
 * Reads one TLV: the field, or the OFError of `ctx` when the TLV is truncated (fewer bytes
 * than its header says, an odd masked length) or well framed but not a field Sluice knows
 * (see the module comment).
 */
export function decodeOxmTlv(r: Reader, ctx: OxmContext): OxmField | OFError {
  if (r.left < 4) return refuseTlv(ctx, null);
  // The header is taken apart inline: no OxmHeaderParts object for the common basic class.
  const h = r.u32();
  const length = h & 0xff;
  if (r.left < length) return refuseTlv(ctx, null);
  let field = (h >>> 9) & 0x7f;
  if (h >>> 16 !== OFPXMC_OPENFLOW_BASIC || field >= OXM_BASIC_FIELD_COUNT) {
    field = oxmIdFromWire(h >>> 16, field);
    if (field < 0) {
      r.skip(length);
      return refuseTlv(ctx, splitOxmHeader(h));
    }
  }
  if ((h & 0x100) !== 0) {
    if ((length & 1) !== 0) return refuseTlv(ctx, null);
    const half = length >> 1;
    return { field, value: r.bytes(half), mask: r.bytes(half) };
  }
  return { field, value: r.bytes(length) };
}

export function encodeMatch(w: Writer, m: Match): void {
  const start = w.pos;
  w.u16(OFPMT_OXM);
  w.u16(0);
  for (const f of m) encodeOxmTlv(w, f);
  w.patch16(start + 2, w.pos - start);
  w.align8(start);
}

/** Decodes an ofp_match at r.pos and moves past its padding. */
export function decodeMatch(r: Reader): Match | OFError {
  if (r.left < 4) return badMatch(OFPBMC_BAD_LEN, 'ofp_match truncated');
  const type = r.u16();
  const length = r.u16();
  if (type !== OFPMT_OXM) return badMatch(OFPBMC_BAD_TYPE, `match type ${type} is not OFPMT_OXM`);
  if (length < 4 || pad8(length) - 4 > r.left) {
    return badMatch(OFPBMC_BAD_LEN, `ofp_match length ${length} does not fit`);
  }
  // The TLVs are read by bounding this reader to them (r.end) rather than through r.sub():
  // same bounds, no Reader/DataView per match.
  const outerEnd = r.end;
  const tlvEnd = r.pos + length - 4;
  r.end = tlvEnd;
  const fields: OxmField[] = [];
  while (r.left > 0) {
    const f = decodeOxmTlv(r, 'match');
    if (isOFError(f)) {
      r.end = outerEnd;
      return f;
    }
    fields.push(f);
  }
  r.end = outerEnd;
  r.pos = tlvEnd;
  r.skip(pad8(length) - length);
  return fields;
}
