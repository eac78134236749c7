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
 *  - field id not one of the OXM_FIELD_COUNT known → OFPBMC_BAD_FIELD
 *    (the 40 basic fields and the NXM_1 tun_src / tun_dst, packet/oxm.ts)
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
 *
 * Speed (once per flow-mod): compileMatchInto writes into the caller's arrays and
 * allocates nothing on success; compileMatch is the allocating wrapper.
 */
import { KEY_WORDS, OFPVID_PRESENT, W_PRESENT } from '../packet/flow-key.js';
import {
  OFPBMC_BAD_FIELD, OFPBMC_BAD_LEN, OFPBMC_BAD_MASK, OFPBMC_BAD_PREREQ, OFPBMC_BAD_VALUE,
  OFPBMC_BAD_WILDCARDS, OFPBMC_DUP_FIELD, OFPET_BAD_MATCH, ofError, type OFError,
} from './errors.js';
import {
  OFPXMT_OFB_VLAN_VID, OXM_FIELD_COUNT, OXM_FIELDS, fieldFullMask, readFieldWords, writeFieldWords,
  type OxmFieldInfo,
} from '../packet/oxm.js';
import type { Match, OxmField } from './types.js';

export interface CompiledMatch {
  readonly value: Uint32Array;
  readonly mask: Uint32Array;
}

/**
 * Per-call scratch of compileMatchInto, indexed by field id: the TLV's value and its
 * effective mask (null = wildcarded). An entry is meaningful only while its field's bit is
 * set in the call's seen bitmask, so nothing is cleared between calls. compileMatchInto is
 * not re-entrant (it calls nothing that compiles a match), so one module-level scratch is
 * enough and a flow-mod allocates nothing here.
 */
const slotValue: Uint8Array[] = new Array<Uint8Array>(OXM_FIELD_COUNT).fill(new Uint8Array(0));
const slotMask: (Uint8Array | null)[] = new Array<Uint8Array | null>(OXM_FIELD_COUNT).fill(null);

const FULL_MASKS: readonly Uint8Array[] = OXM_FIELDS.map(fieldFullMask);

/**
 * Fields wider than 6 bytes (metadata, tunnel_id, ipv6_*, nd_target) are whole 32-bit key
 * words, most significant first: they are copied word by word. The others fit in a double
 * exactly (≤ 48 bits) and are split over their segments arithmetically. Either way the
 * result is what oxm.ts writeFieldWords gives (test/unit/match.test.ts checks every field),
 * without its bit-by-bit loop.
 */
const WORD_ALIGNED: readonly boolean[] = OXM_FIELDS.map((f) =>
  f.bytes > 6 && f.bytes === 4 * f.segments.length && f.segments.every((sg) => sg.width === 32 && sg.shift === 0));

const bad = (code: number, msg: string): OFError => ofError(OFPET_BAD_MATCH, code, msg);

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function isFull(b: Uint8Array, full: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== full[i]) return false;
  return true;
}

/** Big-endian bytes → number; only used for fields of at most 6 bytes (exact in a double). */
function bytesToNumber(b: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < b.length; i++) v = v * 256 + b[i]!;
  return v;
}

/** Writes a field's big-endian bytes into its key segments, keeping the words' other bits. */
function putField(info: OxmFieldInfo, bytes: Uint8Array, out: Uint32Array): void {
  const segs = info.segments;
  if (WORD_ALIGNED[info.id] === true) {
    for (let s = 0; s < segs.length; s++) {
      const o = 4 * s;
      out[segs[s]!.word] = ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>> 0;
    }
    return;
  }
  if (info.bytes > 6) {
    writeFieldWords(info, bytes, out); // no such field in OF1.3; kept for safety
    return;
  }
  let v = bytesToNumber(bytes);
  for (let s = segs.length - 1; s >= 0; s--) {
    const sg = segs[s]!;
    const span = 2 ** sg.width;
    const part = v % span;
    v = (v - part) / span;
    const fieldMask = sg.width === 32 ? 0xffffffff : ((1 << sg.width) - 1) << sg.shift;
    out[sg.word] = ((out[sg.word]! & ~fieldMask) | ((part << sg.shift) & fieldMask)) >>> 0;
  }
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
  return mask === full ? mask : isZero(mask) ? null : mask;
}

/** True when field `id` is in this call's seen bitmask (ids 0..31 in lo, 32..63 in hi). */
const seenHas = (lo: number, hi: number, id: number): boolean =>
  (id < 32 ? (lo >>> id) & 1 : (hi >>> (id - 32)) & 1) !== 0;

function prereqFailure(info: OxmFieldInfo, why: string): OFError {
  return bad(OFPBMC_BAD_PREREQ, `${info.name} needs ${OXM_FIELDS[info.prereq!.field]!.name}${why}`);
}

/** Checks §7.2.3.6 prerequisites of a present field against the other present fields. */
function checkPrereq(info: OxmFieldInfo, lo: number, hi: number): OFError | null {
  const pre = info.prereq;
  if (pre === null) return null;
  const otherMask = seenHas(lo, hi, pre.field) ? slotMask[pre.field]! : null;
  if (otherMask === null) return prereqFailure(info, ' in the match');
  const otherValue = slotValue[pre.field]!;
  if (pre.vlanPresent === true) {
    const v = bytesToNumber(otherValue);
    const m = bytesToNumber(otherMask);
    return (v & m & OFPVID_PRESENT) !== 0 ? null : prereqFailure(info, ' with OFPVID_PRESENT set in value and mask');
  }
  if (pre.values.length === 0) return null;
  const v = bytesToNumber(otherValue);
  if (!isFull(otherMask, FULL_MASKS[pre.field]!) || !pre.values.includes(v)) {
    return prereqFailure(info, '=' + pre.values.map((x) => '0x' + x.toString(16)).join(' or '));
  }
  return null;
}

/**
 * Validates an OXM match (OF1.3.5 §7.2.3) and compiles it into the caller's `value` and
 * `mask` (KEY_WORDS long, overwritten entirely). Returns null, or the error (then the
 * arrays hold garbage). Allocates nothing on success: for callers that copy what they keep
 * (the classifier does).
 */
export function compileMatchInto(match: Match, value: Uint32Array, mask: Uint32Array): OFError | null {
  let lo = 0, hi = 0;
  for (let i = 0; i < match.length; i++) {
    const tlv = match[i]!;
    const id = tlv.field;
    if (!Number.isInteger(id) || id < 0 || id >= OXM_FIELD_COUNT) {
      return bad(OFPBMC_BAD_FIELD, `unknown OXM field ${id}`);
    }
    const info = OXM_FIELDS[id]!;
    if (seenHas(lo, hi, id)) return bad(OFPBMC_DUP_FIELD, `${info.name} appears twice`);
    const m = checkTlv(info, tlv);
    if (m !== null && !(m instanceof Uint8Array)) return m;
    if (id < 32) lo |= 1 << id;
    else hi |= 1 << (id - 32);
    slotValue[id] = tlv.value;
    slotMask[id] = m;
  }
  value.fill(0);
  mask.fill(0);
  let present = 0;
  for (let id = 0; id < OXM_FIELD_COUNT; id++) {
    if (!seenHas(lo, hi, id)) continue;
    const m = slotMask[id]!;
    if (m === null) continue;
    const info = OXM_FIELDS[id]!;
    const err = checkPrereq(info, lo, hi);
    if (err !== null) return err;
    putField(info, slotValue[id]!, value);
    putField(info, m, mask);
    present |= info.presence;
  }
  mask[W_PRESENT] = (mask[W_PRESENT]! | present) >>> 0;
  for (let w = 0; w < KEY_WORDS; w++) value[w] = (value[w]! & mask[w]!) >>> 0;
  value[W_PRESENT] = mask[W_PRESENT]!;
  return null;
}

/** Validates and compiles an OXM match (OF1.3.5 §7.2.3) into fresh arrays. Errors are
 * returned, not thrown. */
export function compileMatch(match: Match): CompiledMatch | OFError {
  const value = new Uint32Array(KEY_WORDS);
  const mask = new Uint32Array(KEY_WORDS);
  const err = compileMatchInto(match, value, mask);
  return err !== null ? err : { value, mask };
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
