/**
 * The bodies of the bundle messages (OF1.4.1 §7.3.9), shared by their two wire forms:
 * OpenFlow 1.4's OFPT_BUNDLE_CONTROL / OFPT_BUNDLE_ADD_MESSAGE, and the ONF extension
 * EXT-230 that carries the same bodies in OpenFlow 1.3 experimenter messages (ONF
 * experimenter id, exp_type 2300 / 2301), which `ovs-ofctl -O OpenFlow13 --bundle` uses.
 *
 * `base` is where the structure's 8-byte ofp_header sits in `buf`, as the layouts count
 * it: 0 for 1.4; 8 for the extension, whose experimenter and exp_type words push the
 * body 8 bytes further. The bundled message is decoded by the caller's version decoder
 * (1.4 in 1.4, 1.3 in the extension).
 *
 * Invariants: as decode.ts of each version (never throws, the spec's error for bad input):
 * a body shorter than the fixed part → OFPBRC_BAD_LEN; a bundled message whose length
 * runs past the message → OFPBFC_MSG_BAD_LEN; a hello or a bundle message inside →
 * OFPBFC_MSG_UNSUP; any property → OFPET_BAD_PROPERTY (none is defined but experimenter's).
 */
import {
  OFPBFC_MSG_BAD_LEN, OFPBFC_MSG_UNSUP, OFPBPC_BAD_EXPERIMENTER, OFPBPC_BAD_TYPE, OFPBRC_BAD_LEN, OFPET_BAD_PROPERTY,
  OFPET_BAD_REQUEST, OFPET_BUNDLE_FAILED, isOFError, ofError, type OFError,
} from '../../pipeline/errors.js';
import { OFP_HEADER_LEN, OFPT_EXPERIMENTER, OFPT_HELLO } from '../constants.js';
import type { BundleAddMessage, BundleControl, OFMessage } from '../message-types.js';
import { Reader, type Writer } from '../wire.js';
import { OFP14_BUNDLE_ADD_LEN, OFP14_BUNDLE_CTRL_LEN, OFPT14_BUNDLE_ADD_MESSAGE, OFPT14_BUNDLE_CONTROL } from './constants.js';
import { OFP14_BUNDLE_ADD as BA, OFP14_BUNDLE_CTRL as BC } from './layouts.js';
import { readProps } from './properties.js';

/** ONF's experimenter id and the EXT-230 exp_types (ONF TS-025 / OVS onf-ext). */
export const ONF_EXPERIMENTER_ID = 0x4f4e4600;
export const ONFT_BUNDLE_CONTROL = 2300;
export const ONFT_BUNDLE_ADD_MESSAGE = 2301;
/** EXT-230 in 1.3: a bundle error is an experimenter error of ONF with exp_type 2300 + code. */
export const ONFERR_BUNDLE_BASE = 2300;

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);
const noProps = (t: number): OFError => ofError(OFPET_BAD_PROPERTY, t === 0xffff ? OFPBPC_BAD_EXPERIMENTER : OFPBPC_BAD_TYPE, `bundle property ${t}`);

export function decodeBundleControl(buf: Uint8Array, base: number, xid: number): BundleControl | OFError {
  if (buf.length < base + OFP14_BUNDLE_CTRL_LEN) return badLen(`bundle-control of ${buf.length} bytes`);
  const r = Reader.of(buf);
  r.pos = base + OFP14_BUNDLE_CTRL_LEN;
  const e = readProps(r, 'bundle-control', noProps);
  if (e !== null) return e;
  return { type: 'bundle_control', xid, bundleId: r.u32At(base, BC.BUNDLE_ID), ctrlType: r.u16At(base, BC.TYPE), flags: r.u16At(base, BC.FLAGS) };
}

export function decodeBundleAdd(
  buf: Uint8Array, base: number, xid: number, decodeInner: (b: Uint8Array) => OFMessage | OFError,
): BundleAddMessage | OFError {
  const at = base + OFP14_BUNDLE_ADD_LEN;
  if (buf.length < at + OFP_HEADER_LEN) return badLen(`bundle-add of ${buf.length} bytes`);
  const r = Reader.of(buf);
  const innerLen = r.u16At(at, [2, 4]);
  if (innerLen < OFP_HEADER_LEN || at + innerLen > buf.length) {
    return ofError(OFPET_BUNDLE_FAILED, OFPBFC_MSG_BAD_LEN, `bundled message length ${innerLen} in ${buf.length} bytes`);
  }
  const raw = buf.slice(at, at + innerLen);
  r.pos = at + innerLen;
  r.skip(Math.min((8 - (innerLen & 7)) & 7, r.left)); // OF1.4.1 §7.3.9.2: properties start 8-aligned
  const e = readProps(r, 'bundle-add', noProps);
  if (e !== null) return e;
  const t = raw[1]!;
  if (t === OFPT_HELLO || t === OFPT14_BUNDLE_ADD_MESSAGE || t === OFPT14_BUNDLE_CONTROL || t === OFPT_EXPERIMENTER) {
    return ofError(OFPET_BUNDLE_FAILED, OFPBFC_MSG_UNSUP, `message type ${t} cannot be bundled`);
  }
  const message = decodeInner(raw);
  if (isOFError(message)) return message;
  return { type: 'bundle_add_message', xid, bundleId: r.u32At(base, BA.BUNDLE_ID), flags: r.u16At(base, BA.FLAGS), message, raw };
}

/** Writes a bundle body after its header(s); `w.pos - base` must be the header's length. */
export function encodeBundleBody(w: Writer, m: BundleControl | BundleAddMessage, base: number, encodeInner: (m: OFMessage) => Uint8Array | null): void {
  if (m.type === 'bundle_control') {
    w.zeros(OFP14_BUNDLE_CTRL_LEN - OFP_HEADER_LEN);
    w.u32At(base, BC.BUNDLE_ID, m.bundleId); w.u16At(base, BC.TYPE, m.ctrlType); w.u16At(base, BC.FLAGS, m.flags);
    return;
  }
  w.zeros(OFP14_BUNDLE_ADD_LEN - OFP_HEADER_LEN);
  w.u32At(base, BA.BUNDLE_ID, m.bundleId); w.u16At(base, BA.FLAGS, m.flags);
  w.bytes(m.raw.length > 0 ? m.raw : (encodeInner(m.message) ?? new Uint8Array(0)));
}
