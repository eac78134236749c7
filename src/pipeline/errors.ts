/**
 * OpenFlow 1.3 error types and codes, with the types OpenFlow 1.4 added (OF1.3.5 §7.4.4, enum ofp_error_type and the
 * per-type code enums), and the one model of a protocol error.
 *
 * Error model (protocol errors, every layer): what a peer sent wrong is a VALUE, never a
 * throw. A function on a decode or pipeline path returns `X | OFError` (`OFError | null`
 * when there is nothing to return); the caller tests `isOFError(r)` and passes the
 * OFError up unchanged, until the agent puts it on the wire as OFPT_ERROR (or the CLI
 * prints it). An OFError carries the spec's type and code, the code's name
 * (`OFPBMC_BAD_PREREQ`) and words for a human. Operational errors (an operator's
 * mistake, a refused verb, a missing interface) are the other model: `SluiceError`,
 * ports/errors.ts.
 *
 * The names are read off the constants below (each type has its own code prefix), so this
 * file is their one home: describeOFError, describeErrorCode and the CLI all use them.
 */
import * as SELF from './errors.js';

export const OFPET_HELLO_FAILED = 0;
export const OFPET_BAD_REQUEST = 1;
export const OFPET_BAD_ACTION = 2;
export const OFPET_BAD_INSTRUCTION = 3;
export const OFPET_BAD_MATCH = 4;
export const OFPET_FLOW_MOD_FAILED = 5;
export const OFPET_GROUP_MOD_FAILED = 6;
export const OFPET_PORT_MOD_FAILED = 7;
export const OFPET_TABLE_MOD_FAILED = 8;
export const OFPET_QUEUE_OP_FAILED = 9;
export const OFPET_SWITCH_CONFIG_FAILED = 10;
export const OFPET_ROLE_REQUEST_FAILED = 11;
export const OFPET_METER_MOD_FAILED = 12;
export const OFPET_TABLE_FEATURES_FAILED = 13;
// Added by OpenFlow 1.4 (OF1.4.1 §7.5.4); a 1.3 or 1.0 peer never causes them.
export const OFPET_BAD_PROPERTY = 14;
export const OFPET_ASYNC_CONFIG_FAILED = 15;
export const OFPET_FLOW_MONITOR_FAILED = 16;
export const OFPET_BUNDLE_FAILED = 17;
export const OFPET_EXPERIMENTER = 0xffff;

export const OFPHFC_INCOMPATIBLE = 0;
export const OFPHFC_EPERM = 1;

export const OFPBRC_BAD_VERSION = 0;
export const OFPBRC_BAD_TYPE = 1;
export const OFPBRC_BAD_MULTIPART = 2;
export const OFPBRC_BAD_EXPERIMENTER = 3;
export const OFPBRC_BAD_EXP_TYPE = 4;
export const OFPBRC_EPERM = 5;
export const OFPBRC_BAD_LEN = 6;
export const OFPBRC_BUFFER_EMPTY = 7;
export const OFPBRC_BUFFER_UNKNOWN = 8;
export const OFPBRC_BAD_TABLE_ID = 9;
export const OFPBRC_IS_SLAVE = 10;
export const OFPBRC_BAD_PORT = 11;
export const OFPBRC_BAD_PACKET = 12;
export const OFPBRC_MULTIPART_BUFFER_OVERFLOW = 13;

export const OFPBAC_BAD_TYPE = 0;
export const OFPBAC_BAD_LEN = 1;
export const OFPBAC_BAD_EXPERIMENTER = 2;
export const OFPBAC_BAD_EXP_TYPE = 3;
export const OFPBAC_BAD_OUT_PORT = 4;
export const OFPBAC_BAD_ARGUMENT = 5;
export const OFPBAC_EPERM = 6;
export const OFPBAC_TOO_MANY = 7;
export const OFPBAC_BAD_QUEUE = 8;
export const OFPBAC_BAD_OUT_GROUP = 9;
export const OFPBAC_MATCH_INCONSISTENT = 10;
export const OFPBAC_UNSUPPORTED_ORDER = 11;
export const OFPBAC_BAD_TAG = 12;
export const OFPBAC_BAD_SET_TYPE = 13;
export const OFPBAC_BAD_SET_LEN = 14;
export const OFPBAC_BAD_SET_ARGUMENT = 15;
/** OF1.4+: a bad mask in set-field (1.3 has no such code). */
export const OFPBAC_BAD_SET_MASK = 16;
/** OF1.5: the meter action names no meter, or one that cannot be used there. */
export const OFPBAC_BAD_METER = 17;

export const OFPBIC_UNKNOWN_INST = 0;
export const OFPBIC_UNSUP_INST = 1;
export const OFPBIC_BAD_TABLE_ID = 2;
export const OFPBIC_UNSUP_METADATA = 3;
export const OFPBIC_UNSUP_METADATA_MASK = 4;
export const OFPBIC_BAD_EXPERIMENTER = 5;
export const OFPBIC_BAD_EXP_TYPE = 6;
export const OFPBIC_BAD_LEN = 7;
export const OFPBIC_EPERM = 8;

export const OFPBMC_BAD_TYPE = 0;
export const OFPBMC_BAD_LEN = 1;
export const OFPBMC_BAD_TAG = 2;
export const OFPBMC_BAD_DL_ADDR_MASK = 3;
export const OFPBMC_BAD_NW_ADDR_MASK = 4;
export const OFPBMC_BAD_WILDCARDS = 5;
export const OFPBMC_BAD_FIELD = 6;
export const OFPBMC_BAD_VALUE = 7;
export const OFPBMC_BAD_MASK = 8;
export const OFPBMC_BAD_PREREQ = 9;
export const OFPBMC_DUP_FIELD = 10;
export const OFPBMC_EPERM = 11;

export const OFPFMFC_UNKNOWN = 0;
export const OFPFMFC_TABLE_FULL = 1;
export const OFPFMFC_BAD_TABLE_ID = 2;
export const OFPFMFC_OVERLAP = 3;
export const OFPFMFC_EPERM = 4;
export const OFPFMFC_BAD_TIMEOUT = 5;
export const OFPFMFC_BAD_COMMAND = 6;
export const OFPFMFC_BAD_FLAGS = 7;

export const OFPGMFC_GROUP_EXISTS = 0;
export const OFPGMFC_INVALID_GROUP = 1;
export const OFPGMFC_WEIGHT_UNSUPPORTED = 2;
export const OFPGMFC_OUT_OF_GROUPS = 3;
export const OFPGMFC_OUT_OF_BUCKETS = 4;
export const OFPGMFC_CHAINING_UNSUPPORTED = 5;
export const OFPGMFC_WATCH_UNSUPPORTED = 6;
export const OFPGMFC_LOOP = 7;
export const OFPGMFC_UNKNOWN_GROUP = 8;
export const OFPGMFC_CHAINED_GROUP = 9;
export const OFPGMFC_BAD_TYPE = 10;
export const OFPGMFC_BAD_COMMAND = 11;
export const OFPGMFC_BAD_BUCKET = 12;
export const OFPGMFC_BAD_WATCH = 13;
export const OFPGMFC_EPERM = 14;
/** OF1.5: a bucket command names a bucket id the group does not have. */
export const OFPGMFC_UNKNOWN_BUCKET = 15;
/** OF1.5: two buckets of a group with one bucket id. */
export const OFPGMFC_BUCKET_EXISTS = 16;

export const OFPPMFC_BAD_PORT = 0;
export const OFPPMFC_BAD_HW_ADDR = 1;
export const OFPPMFC_BAD_CONFIG = 2;
export const OFPPMFC_BAD_ADVERTISE = 3;
export const OFPPMFC_EPERM = 4;

export const OFPTMFC_BAD_TABLE = 0;
export const OFPTMFC_BAD_CONFIG = 1;
export const OFPTMFC_EPERM = 2;

export const OFPQOFC_BAD_PORT = 0;
export const OFPQOFC_BAD_QUEUE = 1;
export const OFPQOFC_EPERM = 2;

export const OFPSCFC_BAD_FLAGS = 0;
export const OFPSCFC_BAD_LEN = 1;
export const OFPSCFC_EPERM = 2;

export const OFPRRFC_STALE = 0;
export const OFPRRFC_UNSUP = 1;
export const OFPRRFC_BAD_ROLE = 2;

export const OFPMMFC_UNKNOWN = 0;
export const OFPMMFC_METER_EXISTS = 1;
export const OFPMMFC_INVALID_METER = 2;
export const OFPMMFC_UNKNOWN_METER = 3;
export const OFPMMFC_BAD_COMMAND = 4;
export const OFPMMFC_BAD_FLAGS = 5;
export const OFPMMFC_BAD_RATE = 6;
export const OFPMMFC_BAD_BURST = 7;
export const OFPMMFC_BAD_BAND = 8;
export const OFPMMFC_BAD_BAND_VALUE = 9;
export const OFPMMFC_OUT_OF_METERS = 10;
export const OFPMMFC_OUT_OF_BANDS = 11;

export const OFPTFFC_BAD_TABLE = 0;
export const OFPTFFC_BAD_METADATA = 1;
export const OFPTFFC_BAD_TYPE = 2;
export const OFPTFFC_BAD_LEN = 3;
export const OFPTFFC_BAD_ARGUMENT = 4;
export const OFPTFFC_EPERM = 5;

// OF1.4.1 §7.5.4.13 enum ofp_bad_property_code.
export const OFPBPC_BAD_TYPE = 0;
export const OFPBPC_BAD_LEN = 1;
export const OFPBPC_BAD_VALUE = 2;
export const OFPBPC_TOO_MANY = 3;
export const OFPBPC_DUP_TYPE = 4;
export const OFPBPC_BAD_EXPERIMENTER = 5;
export const OFPBPC_BAD_EXP_TYPE = 6;
export const OFPBPC_BAD_EXP_VALUE = 7;
export const OFPBPC_EPERM = 8;

// OF1.4.1 §7.5.4.14 enum ofp_async_config_failed_code.
export const OFPACFC_INVALID = 0;
export const OFPACFC_UNSUPPORTED = 1;
export const OFPACFC_EPERM = 2;

// OF1.4.1 §7.5.4.15 enum ofp_flow_monitor_failed_code.
export const OFPMOFC_UNKNOWN = 0;
export const OFPMOFC_MONITOR_EXISTS = 1;
export const OFPMOFC_INVALID_MONITOR = 2;
export const OFPMOFC_UNKNOWN_MONITOR = 3;
export const OFPMOFC_BAD_COMMAND = 4;
export const OFPMOFC_BAD_FLAGS = 5;
export const OFPMOFC_BAD_TABLE_ID = 6;
export const OFPMOFC_BAD_OUT = 7;

// OF1.4.1 §7.5.4.16 enum ofp_bundle_failed_code.
export const OFPBFC_UNKNOWN = 0;
export const OFPBFC_EPERM = 1;
export const OFPBFC_BAD_ID = 2;
export const OFPBFC_BUNDLE_EXIST = 3;
export const OFPBFC_BUNDLE_CLOSED = 4;
export const OFPBFC_OUT_OF_BUNDLES = 5;
export const OFPBFC_BAD_TYPE = 6;
export const OFPBFC_BAD_FLAGS = 7;
export const OFPBFC_MSG_BAD_LEN = 8;
export const OFPBFC_MSG_BAD_XID = 9;
export const OFPBFC_MSG_UNSUP = 10;
export const OFPBFC_MSG_CONFLICT = 11;
export const OFPBFC_MSG_TOO_MANY = 12;
export const OFPBFC_MSG_FAILED = 13;
export const OFPBFC_TIMEOUT = 14;
export const OFPBFC_BUNDLE_IN_PROGRESS = 15;

/** An error a peer's request caused: the spec's type and code, their name, and words for a human. */
export interface OFError {
  readonly ofError: true;
  readonly type: number;
  readonly code: number;
  /** The code's spec name, `OFPBMC_BAD_PREREQ` (`OFPET_BAD_MATCH/99` for an unknown code). */
  readonly name: string;
  readonly message: string;
}

export function ofError(type: number, code: number, message: string): OFError {
  return { ofError: true, type, code, name: ofErrorName(type, code), message };
}

export function isOFError(x: unknown): x is OFError {
  return typeof x === 'object' && x !== null && (x as { ofError?: unknown }).ofError === true;
}

/** enum ofp_error_type → the prefix of its codes' names (openflow.h). */
const CODE_PREFIX: Readonly<Record<number, string>> = {
  [OFPET_HELLO_FAILED]: 'OFPHFC_', [OFPET_BAD_REQUEST]: 'OFPBRC_', [OFPET_BAD_ACTION]: 'OFPBAC_',
  [OFPET_BAD_INSTRUCTION]: 'OFPBIC_', [OFPET_BAD_MATCH]: 'OFPBMC_', [OFPET_FLOW_MOD_FAILED]: 'OFPFMFC_',
  [OFPET_GROUP_MOD_FAILED]: 'OFPGMFC_', [OFPET_PORT_MOD_FAILED]: 'OFPPMFC_', [OFPET_TABLE_MOD_FAILED]: 'OFPTMFC_',
  [OFPET_QUEUE_OP_FAILED]: 'OFPQOFC_', [OFPET_SWITCH_CONFIG_FAILED]: 'OFPSCFC_',
  [OFPET_ROLE_REQUEST_FAILED]: 'OFPRRFC_', [OFPET_METER_MOD_FAILED]: 'OFPMMFC_',
  [OFPET_TABLE_FEATURES_FAILED]: 'OFPTFFC_', [OFPET_BAD_PROPERTY]: 'OFPBPC_',
  [OFPET_ASYNC_CONFIG_FAILED]: 'OFPACFC_', [OFPET_FLOW_MONITOR_FAILED]: 'OFPMOFC_', [OFPET_BUNDLE_FAILED]: 'OFPBFC_',
};

/** The names of this module's constants by value, built on first use (after the module ran). */
let names: { types: Map<number, string>; codes: Map<string, string> } | undefined;
function nameTables(): NonNullable<typeof names> {
  if (names) return names;
  const types = new Map<number, string>();
  const codes = new Map<string, string>();
  const prefixes = Object.entries(CODE_PREFIX);
  for (const [k, v] of Object.entries(SELF as Record<string, unknown>)) {
    if (typeof v !== 'number') continue;
    if (k.startsWith('OFPET_')) { types.set(v, k); continue; }
    const t = prefixes.find(([, prefix]) => k.startsWith(prefix));
    if (t) codes.set(`${t[0]}/${v}`, k);
  }
  return (names = { types, codes });
}

/** `OFPET_BAD_MATCH`, or undefined for a type the spec does not define. */
export function ofErrorTypeName(type: number): string | undefined {
  return nameTables().types.get(type);
}

/** `OFPBMC_BAD_PREREQ`, or undefined for a code the spec does not define for `type`. */
export function ofErrorCodeName(type: number, code: number): string | undefined {
  return nameTables().codes.get(`${type}/${code}`);
}

/** The one name of a type/code pair: the code's name, else `OFPET_BAD_MATCH/99`, else `OFPET_77/1`. */
export function ofErrorName(type: number, code: number): string {
  return ofErrorCodeName(type, code) ?? `${ofErrorTypeName(type) ?? `OFPET_${type}`}/${code}`;
}

/** "OFPET_BAD_MATCH(4)/9: tcp_dst needs ip_proto=6" — for logs and the CLI. */
export function describeOFError(e: OFError): string {
  return `${ofErrorTypeName(e.type) ?? 'OFPET_' + e.type}(${e.type})/${e.code}: ${e.message}`;
}

/** ovs-ofctl's words for an OFPT_ERROR: `OFPBAC_BAD_OUT_PORT (bad_action, bad_out_port)`;
 * unknown numbers print as numbers. */
export function describeErrorCode(type: number, code: number): string {
  const t = ofErrorTypeName(type);
  const c = ofErrorCodeName(type, code);
  const short = (name: string | undefined, prefix: string, n: number) =>
    name === undefined ? String(n) : name.slice(prefix.length).toLowerCase();
  return `${ofErrorName(type, code)} (${short(t, 'OFPET_', type)}, ${short(c, CODE_PREFIX[type] ?? '', code)})`;
}
