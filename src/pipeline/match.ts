/**
 * Match compilation: an OXM list (OF1.3.5 §7.2.3) ⇄ a (value, mask) pair of FlowKey words.
 *
 * Invariants of a CompiledMatch
 *  - `value` and `mask` are KEY_WORDS long and `value & mask === value` word by word.
 *  - Every field that takes part in the match also sets its presence bit (OxmFieldInfo
 *    .presence) in W_PRESENT of both value and mask, so a rule on a field never matches a
 *    frame that lacks that header, even when the wanted value is 0.
 *  - A field given with an all-zero mask is wildcarded: it contributes nothing (§7.2.3.5:
 *    "An all-zero-bits oxm_mask is equivalent to omitting the OXM TLV entirely"), and so
 *    it does not satisfy other fields' prerequisites either.
 *  - decompileMatch(compileMatch(m)) is the canonical form of m: fields in id order, mask
 *    omitted when it is all ones, wildcarded fields dropped. Rules do not keep their OXM
 *    list; dumps rebuild it from the words.
 *
 * Error choices (OFPET_BAD_MATCH codes), in the order they are checked per TLV:
 *  - field id not one of the 40 basic fields      → OFPBMC_BAD_FIELD
 *  - the same field twice                          → OFPBMC_DUP_FIELD
 *  - value or mask length not the field's size     → OFPBMC_BAD_LEN
 *  - a mask on a field that cannot be masked        → OFPBMC_BAD_WILDCARDS
 *  - value bits beyond the field's width            → OFPBMC_BAD_VALUE
 *    (e.g. vlan_vid 0x2000, vid bits without OFPVID_PRESENT when the mask covers it)
 *  - mask bits beyond the field's width             → OFPBMC_BAD_MASK
 *  - value has a 1-bit where its mask has a 0-bit   → OFPBMC_BAD_WILDCARDS (§7.2.3.5; the
 *    same choice Open vSwitch makes)
 *  - after all TLVs: a prerequisite (§7.2.3.6, Table 12) not present with an exact
 *    mask and an allowed value                      → OFPBMC_BAD_PREREQ
 * Prerequisites may appear anywhere in the list (§7.2.3.6 allows a relaxed ordering).
 */
import { KEY_WORDS, OFPVID_PRESENT, W_PRESENT } from '../packet/flow-key.js';
import {
  OFPBMC_BAD_FIELD, OFPBMC_BAD_LEN, OFPBMC_BAD_MASK, OFPBMC_BAD_PREREQ, OFPBMC_BAD_VALUE,
  OFPBMC_BAD_WILDCARDS, OFPBMC_DUP_FIELD, OFPET_BAD_MATCH, ofError, type OFError,
} from './errors.js';
import {
  OFPXMT_OFB_VLAN_VID, OXM_FIELD_COUNT, OXM_FIELDS, fieldFullMask, readFieldWords, writeFieldWords,
  type OxmFieldInfo,
} from './oxm.js';
import type { Match, OxmField } from './types.js';

export interface CompiledMatch {
  readonly value: Uint32Array;
  readonly mask: Uint32Array;
}

/** Per-field effective (value, mask) after per-TLV checks; mask null = field absent. */
interface FieldSlot {
  value: Uint8Array;
  mask: Uint8Array | null;
}

const FULL_MASKS: readonly Uint8Array[] = OXM_FIELDS.map(fieldFullMask);

const bad = (code: number, msg: string): OFError => ofError(OFPET_BAD_MATCH, code, msg);

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function isFull(b: Uint8Array, full: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== full[i]) return false;
  return true;
}

/** Big-endian bytes → number; only used for fields of at most 4 bytes. */
function bytesToNumber(b: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < b.length; i++) v = v * 256 + b[i]!;
  return v;
}

/** Validates one TLV on its own; returns its effective mask (null = wildcarded). */
function checkTlv(info: OxmFieldInfo, tlv: OxmField): Uint8Array | null | OFError {
  const full = FULL_MASKS[info.id]!;
  if (tlv.value.length !== info.bytes) {
    return bad(OFPBMC_BAD_LEN, `${info.name}: value is ${tlv.value.length} bytes, expected ${info.bytes}`);
  }
  if (tlv.mask !== undefined && tlv.mask.length !== info.bytes) {
    return bad(OFPBMC_BAD_LEN, `${info.name}: mask is ${tlv.mask.length} bytes, expected ${info.bytes}`);
  }
  if (tlv.mask !== undefined && !info.maskable) {
    return bad(OFPBMC_BAD_WILDCARDS, `${info.name} cannot be masked`);
  }
  for (let i = 0; i < info.bytes; i++) {
    if ((tlv.value[i]! & ~full[i]!) !== 0) {
      return bad(OFPBMC_BAD_VALUE, `${info.name}: value has bits beyond the field's ${info.bits} bits`);
    }
  }
  const mask = tlv.mask ?? full;
  for (let i = 0; i < info.bytes; i++) {
    if ((mask[i]! & ~full[i]!) !== 0) {
      return bad(OFPBMC_BAD_MASK, `${info.name}: mask has bits beyond the field's ${info.bits} bits`);
    }
    if ((tlv.value[i]! & ~mask[i]!) !== 0) {
      return bad(OFPBMC_BAD_WILDCARDS, `${info.name}: value has 1-bits where the mask has 0-bits`);
    }
  }
  if (info.id === OFPXMT_OFB_VLAN_VID) {
    // OF1.3.5 §7.2.3.8 Table 13: a VID without OFPVID_PRESENT, where the mask says the
    // tag must be absent, can never match; reject it rather than install a dead rule.
    const v = bytesToNumber(tlv.value);
    const m = bytesToNumber(mask);
    if ((m & OFPVID_PRESENT) !== 0 && (v & OFPVID_PRESENT) === 0 && (v & 0x0fff) !== 0) {
      return bad(OFPBMC_BAD_VALUE, `vlan_vid 0x${v.toString(16)} lacks OFPVID_PRESENT`);
    }
  }
  return isZero(mask) ? null : mask;
}

/** Checks §7.2.3.6 prerequisites of a present field against the other present fields. */
function checkPrereq(info: OxmFieldInfo, slots: (FieldSlot | undefined)[]): OFError | null {
  const pre = info.prereq;
  if (pre === null) return null;
  const other = slots[pre.field];
  const preInfo = OXM_FIELDS[pre.field]!;
  const fail = (why: string) => bad(OFPBMC_BAD_PREREQ, `${info.name} needs ${preInfo.name}${why}`);
  if (other === undefined || other.mask === null) return fail(' in the match');
  if (pre.vlanPresent === true) {
    const v = bytesToNumber(other.value);
    const m = bytesToNumber(other.mask);
    return (v & m & OFPVID_PRESENT) !== 0 ? null : fail(' with OFPVID_PRESENT set in value and mask');
  }
  if (pre.values.length === 0) return null;
  const v = bytesToNumber(other.value);
  const wanted = pre.values.map((x) => '0x' + x.toString(16)).join(' or ');
  if (!isFull(other.mask, FULL_MASKS[pre.field]!) || !pre.values.includes(v)) return fail(`=${wanted}`);
  return null;
}

/** Validates and compiles an OXM match (OF1.3.5 §7.2.3). Errors are returned, not thrown. */
export function compileMatch(match: Match): CompiledMatch | OFError {
  const slots: (FieldSlot | undefined)[] = new Array(OXM_FIELD_COUNT);
  for (const tlv of match) {
    if (!Number.isInteger(tlv.field) || tlv.field < 0 || tlv.field >= OXM_FIELD_COUNT) {
      return bad(OFPBMC_BAD_FIELD, `unknown OXM field ${tlv.field}`);
    }
    const info = OXM_FIELDS[tlv.field]!;
    if (slots[tlv.field] !== undefined) return bad(OFPBMC_DUP_FIELD, `${info.name} appears twice`);
    const mask = checkTlv(info, tlv);
    if (mask !== null && !(mask instanceof Uint8Array)) return mask;
    slots[tlv.field] = { value: tlv.value, mask };
  }
  const value = new Uint32Array(KEY_WORDS);
  const mask = new Uint32Array(KEY_WORDS);
  for (let id = 0; id < OXM_FIELD_COUNT; id++) {
    const slot = slots[id];
    if (slot === undefined || slot.mask === null) continue;
    const info = OXM_FIELDS[id]!;
    const err = checkPrereq(info, slots);
    if (err !== null) return err;
    writeFieldWords(info, slot.value, value);
    writeFieldWords(info, slot.mask, mask);
    mask[W_PRESENT] = (mask[W_PRESENT]! | info.presence) >>> 0;
  }
  for (let w = 0; w < KEY_WORDS; w++) value[w] = (value[w]! & mask[w]!) >>> 0;
  value[W_PRESENT] = mask[W_PRESENT]!;
  return { value, mask };
}

/**
 * Rebuilds the canonical OXM list of a compiled match. The presence bits in the mask say
 * which of the fields that share words (ipv4_* vs arp_spa/tpa, tcp vs udp vs sctp vs
 * icmp, arp_sha/tha vs nd_sll/tll) the words belong to.
 */
export function decompileMatch(value: Uint32Array, mask: Uint32Array): Match {
  const out: OxmField[] = [];
  const present = mask[W_PRESENT]!;
  for (const info of OXM_FIELDS) {
    if (info.presence !== 0 && (present & info.presence) === 0) continue;
    const m = readFieldWords(info, mask);
    if (isZero(m)) continue;
    const v = readFieldWords(info, value);
    for (let i = 0; i < v.length; i++) v[i]! &= m[i]!;
    out.push(isFull(m, FULL_MASKS[info.id]!) ? { field: info.id, value: v } : { field: info.id, value: v, mask: m });
  }
  return out;
}

/** True when every bit `inner` cares about, `outer` cares about too (inner ⊆ outer). */
export function maskIsSubset(inner: Uint32Array, outer: Uint32Array): boolean {
  for (let w = 0; w < KEY_WORDS; w++) if ((inner[w]! & ~outer[w]!) !== 0) return false;
  return true;
}
