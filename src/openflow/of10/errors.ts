/**
 * The internal error model (OFError, pipeline/errors.ts: OF1.3 type/code numbers) ⇄ the
 * OpenFlow 1.0 error numbers (§5.4.4), at the codec boundary: every layer above keeps
 * one error model, and a 1.0 peer gets 1.0 numbers.
 *
 * Invariants
 *  - HELLO_FAILED, BAD_REQUEST 0..8, BAD_ACTION 0..8 and QUEUE_OP_FAILED have the same
 *    codes in both versions (1.3 renamed BAD_STAT → BAD_MULTIPART, BAD_VENDOR →
 *    BAD_EXPERIMENTER, without renumbering); FLOW_MOD_FAILED and PORT_MOD_FAILED codes are
 *    translated by name.
 *  - A 1.3 error with no 1.0 counterpart becomes the nearest 1.0 one: the action errors
 *    1.3 added → BAD_ACTION/BAD_ARGUMENT (BAD_SET_TYPE → BAD_TYPE, BAD_SET_LEN → BAD_LEN),
 *    BAD_MATCH/BAD_LEN → BAD_REQUEST/BAD_LEN, everything else (match prerequisites, table
 *    ids, roles, port config bits, switch config) → BAD_REQUEST/EPERM. Open vSwitch sends
 *    Nicira vendor errors in these cases; a plain 1.0 controller could not read those.
 */
import {
  OFPBAC_BAD_LEN, OFPBAC_BAD_SET_LEN, OFPBAC_BAD_SET_TYPE, OFPBAC_BAD_TYPE, OFPBMC_BAD_LEN, OFPET_BAD_ACTION,
  OFPET_BAD_MATCH, OFPET_BAD_REQUEST, OFPET_FLOW_MOD_FAILED, OFPET_HELLO_FAILED, OFPET_PORT_MOD_FAILED,
  OFPET_QUEUE_OP_FAILED, OFPFMFC_BAD_COMMAND, OFPFMFC_BAD_FLAGS, OFPFMFC_BAD_TIMEOUT, OFPFMFC_EPERM,
  OFPFMFC_OVERLAP, OFPFMFC_TABLE_FULL, OFPPMFC_BAD_HW_ADDR, OFPPMFC_BAD_PORT,
} from '../../pipeline/errors.js';
import {
  OFPBAC10_BAD_ARGUMENT, OFPBRC10_BAD_LEN, OFPBRC10_EPERM, OFPET10_BAD_ACTION, OFPET10_BAD_REQUEST,
  OFPET10_FLOW_MOD_FAILED, OFPET10_HELLO_FAILED, OFPET10_PORT_MOD_FAILED, OFPET10_QUEUE_OP_FAILED,
  OFPFMFC10_ALL_TABLES_FULL, OFPFMFC10_BAD_COMMAND, OFPFMFC10_BAD_EMERG_TIMEOUT, OFPFMFC10_EPERM,
  OFPFMFC10_OVERLAP, OFPFMFC10_UNSUPPORTED,
} from './constants.js';

type Pair = readonly [type: number, code: number];
const EPERM: Pair = [OFPET10_BAD_REQUEST, OFPBRC10_EPERM];

const FLOW_MOD: Readonly<Record<number, number>> = {
  [OFPFMFC_TABLE_FULL]: OFPFMFC10_ALL_TABLES_FULL, [OFPFMFC_OVERLAP]: OFPFMFC10_OVERLAP,
  [OFPFMFC_EPERM]: OFPFMFC10_EPERM, [OFPFMFC_BAD_TIMEOUT]: OFPFMFC10_BAD_EMERG_TIMEOUT,
  [OFPFMFC_BAD_COMMAND]: OFPFMFC10_BAD_COMMAND, [OFPFMFC_BAD_FLAGS]: OFPFMFC10_UNSUPPORTED,
};

/** The 1.0 type/code for an internal (1.3-numbered) error. */
export function error13To10(type: number, code: number): Pair {
  switch (type) {
    case OFPET_HELLO_FAILED: return [OFPET10_HELLO_FAILED, code <= 1 ? code : 0];
    case OFPET_BAD_REQUEST: return code <= 8 ? [OFPET10_BAD_REQUEST, code] : EPERM;
    case OFPET_BAD_ACTION:
      if (code <= 8) return [OFPET10_BAD_ACTION, code];
      if (code === OFPBAC_BAD_SET_TYPE) return [OFPET10_BAD_ACTION, OFPBAC_BAD_TYPE];
      if (code === OFPBAC_BAD_SET_LEN) return [OFPET10_BAD_ACTION, OFPBAC_BAD_LEN];
      return [OFPET10_BAD_ACTION, OFPBAC10_BAD_ARGUMENT];
    case OFPET_BAD_MATCH: return code === OFPBMC_BAD_LEN ? [OFPET10_BAD_REQUEST, OFPBRC10_BAD_LEN] : EPERM;
    case OFPET_FLOW_MOD_FAILED: return [OFPET10_FLOW_MOD_FAILED, FLOW_MOD[code] ?? OFPFMFC10_EPERM];
    case OFPET_PORT_MOD_FAILED:
      return code === OFPPMFC_BAD_PORT || code === OFPPMFC_BAD_HW_ADDR ? [OFPET10_PORT_MOD_FAILED, code] : EPERM;
    case OFPET_QUEUE_OP_FAILED: return [OFPET10_QUEUE_OP_FAILED, code];
    default: return EPERM;
  }
}

const TYPE_10_TO_13: Readonly<Record<number, number>> = {
  [OFPET10_HELLO_FAILED]: OFPET_HELLO_FAILED, [OFPET10_BAD_REQUEST]: OFPET_BAD_REQUEST,
  [OFPET10_BAD_ACTION]: OFPET_BAD_ACTION, [OFPET10_FLOW_MOD_FAILED]: OFPET_FLOW_MOD_FAILED,
  [OFPET10_PORT_MOD_FAILED]: OFPET_PORT_MOD_FAILED, [OFPET10_QUEUE_OP_FAILED]: OFPET_QUEUE_OP_FAILED,
};
const FLOW_MOD_10_TO_13 = new Map(Object.entries(FLOW_MOD).map(([k, v]) => [v, Number(k)]));

/** An error a 1.0 peer sent, in internal numbers (for logs); unknown types are kept. */
export function error10To13(type: number, code: number): Pair {
  const t = TYPE_10_TO_13[type];
  if (t === undefined) return [type, code];
  return [t, t === OFPET_FLOW_MOD_FAILED ? FLOW_MOD_10_TO_13.get(code) ?? code : code];
}
