/**
 * Names for the type/code pair of an OFPT_ERROR (OF1.3.5 §7.4.4), for messages like
 * `OFPBAC_BAD_OUT_PORT (bad_action, bad_out_port)`. The names are read off the constants
 * of src/pipeline/errors.ts (each type has its own code prefix), so they cannot drift
 * from what the switch sends.
 */
import * as E from '../../pipeline/errors.js';

/** enum ofp_error_type → the prefix of its codes' names (openflow.h). */
const CODE_PREFIX: Readonly<Record<number, string>> = {
  [E.OFPET_HELLO_FAILED]: 'OFPHFC_', [E.OFPET_BAD_REQUEST]: 'OFPBRC_', [E.OFPET_BAD_ACTION]: 'OFPBAC_',
  [E.OFPET_BAD_INSTRUCTION]: 'OFPBIC_', [E.OFPET_BAD_MATCH]: 'OFPBMC_', [E.OFPET_FLOW_MOD_FAILED]: 'OFPFMFC_',
  [E.OFPET_GROUP_MOD_FAILED]: 'OFPGMFC_', [E.OFPET_PORT_MOD_FAILED]: 'OFPPMFC_', [E.OFPET_TABLE_MOD_FAILED]: 'OFPTMFC_',
  [E.OFPET_QUEUE_OP_FAILED]: 'OFPQOFC_', [E.OFPET_SWITCH_CONFIG_FAILED]: 'OFPSCFC_',
  [E.OFPET_ROLE_REQUEST_FAILED]: 'OFPRRFC_', [E.OFPET_METER_MOD_FAILED]: 'OFPMMFC_',
  [E.OFPET_TABLE_FEATURES_FAILED]: 'OFPTFFC_',
};

const constants = Object.entries(E as Record<string, unknown>)
  .filter((kv): kv is [string, number] => typeof kv[1] === 'number');
const typeName = (type: number): string | undefined =>
  constants.find(([k, v]) => k.startsWith('OFPET_') && v === type)?.[0];
const codeName = (type: number, code: number): string | undefined => {
  const prefix = CODE_PREFIX[type];
  return prefix === undefined ? undefined : constants.find(([k, v]) => k.startsWith(prefix) && v === code)?.[0];
};

/** `OFPBAC_BAD_OUT_PORT (bad_action, bad_out_port)`; unknown numbers print as numbers. */
export function describeErrorCode(type: number, code: number): string {
  const t = typeName(type);
  const c = codeName(type, code);
  const short = (name: string | undefined, prefix: string, n: number) =>
    name === undefined ? String(n) : name.slice(prefix.length).toLowerCase();
  const head = c ?? `${t ?? `OFPET_${type}`}/${code}`;
  return `${head} (${short(t, 'OFPET_', type)}, ${short(c, CODE_PREFIX[type] ?? '', code)})`;
}
