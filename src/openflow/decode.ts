/**
 * bytes → OFMessage (OF1.3.5 §7). decodeMessage takes exactly one whole message (the
 * framer's output) and NEVER throws: it returns `OFMessage | OFError` (the protocol error
 * model, pipeline/errors.ts), whatever is wrong coming back as an OFError with the spec's
 * type/code, ready for encodeError; callers test `isOFError(r)`.
 *
 * Error choices, checked in this order:
 *  - fewer than 8 bytes, or header length ≠ buffer length       → OFPBRC_BAD_LEN
 *  - version ≠ 0x04 (except OFPT_HELLO, decoded at any version
 *    for negotiation, §6.3.1)                                    → OFPBRC_BAD_VERSION
 *  - type > OFPT_METER_MOD                                        → OFPBRC_BAD_TYPE
 *  - body shorter than the type's fixed part, or trailing bytes
 *    after a fixed-size message                                   → OFPBRC_BAD_LEN
 *  - inside bodies: match (OFPBMC_*), actions (OFPBAC_*), instructions (OFPBIC_*),
 *    buckets, bands, multipart (OFPBRC_BAD_MULTIPART), table features (OFPTFFC_*).
 * An OFPT_EXPERIMENTER of ONF's EXT-230 (bundles in 1.3, exp_type 2300/2301) decodes to
 * bundle_control / bundle_add_message, as 1.4's own messages do (of14/bundle-codec.ts).
 * `decodeMessageStrict` is the same without the last-resort catch, for the fuzz test.
 */
import {
  OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE, OFPBRC_BAD_VERSION, OFPET_BAD_REQUEST, isOFError, ofError,
  type OFError,
} from '../pipeline/errors.js';
import { decodeActions } from './actions-codec.js';
import * as C from './constants.js';
import { pad8 } from './constants.js';
import { decodeInstructions } from './instructions-codec.js';
import { ONF_EXPERIMENTER_ID, ONFT_BUNDLE_ADD_MESSAGE, ONFT_BUNDLE_CONTROL, decodeBundleAdd, decodeBundleControl } from './of14/bundle-codec.js';
import { OFP14_VERSION } from './of14/constants.js';
import { OFP_FLOW_MOD as FM, OFP_FLOW_REMOVED as FR, OFP_GROUP_MOD as GM, OFP_METER_MOD as MM, OFP_PACKET_IN as PI, OFP_PORT_MOD as PM, layoutLength } from './layouts.js';
import type { AsyncConfig, OFMessage } from './message-types.js';
import { decodeMultipartReplyBody, decodeMultipartRequestBody, multipartKindOf } from './multipart.js';
import { decodeMatch } from './oxm-codec.js';
import { decodeBands, decodeBuckets, decodePort, decodeQueues } from './structs.js';
import { Reader, type Field } from './wire.js';

/**
 * The message type numbers as module-local constants (decode speed): under tsx, the
 * daemon's loader, each `C.X` read of a namespace import is a getter call, and
 * decodeBody's switch evaluates up to 25 of them per message (they are megamorphic property
 * loads on a large namespace object).
 */
const {
  OFP_HEADER_LEN, OFP_PORT_LEN, OFP_VERSION, OFPHET_VERSIONBITMAP, OFPT_HELLO, OFPT_BARRIER_REPLY,
  OFPT_BARRIER_REQUEST, OFPT_ECHO_REPLY, OFPT_ECHO_REQUEST, OFPT_ERROR, OFPT_EXPERIMENTER,
  OFPT_FEATURES_REPLY, OFPT_FEATURES_REQUEST, OFPT_FLOW_MOD, OFPT_FLOW_REMOVED,
  OFPT_GET_ASYNC_REPLY, OFPT_GET_ASYNC_REQUEST, OFPT_GET_CONFIG_REPLY, OFPT_GET_CONFIG_REQUEST,
  OFPT_GROUP_MOD, OFPT_METER_MOD, OFPT_MULTIPART_REPLY, OFPT_MULTIPART_REQUEST, OFPT_PACKET_IN,
  OFPT_PACKET_OUT, OFPT_PORT_MOD, OFPT_PORT_STATUS, OFPT_QUEUE_GET_CONFIG_REPLY,
  OFPT_QUEUE_GET_CONFIG_REQUEST, OFPT_ROLE_REPLY, OFPT_ROLE_REQUEST, OFPT_SET_ASYNC,
  OFPT_SET_CONFIG, OFPT_TABLE_MOD,
} = C;

/** A decoded message, or the OFPT_ERROR its sender gets (the protocol error model, pipeline/errors.ts). */
type DecodeResult = OFMessage | OFError;

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

/** Body sizes (after the 8-byte header): exact for fixed messages, minimum for the rest. */
const EXACT: Record<number, number> = {
  [OFPT_FEATURES_REQUEST]: 0, [OFPT_FEATURES_REPLY]: 24, [OFPT_GET_CONFIG_REQUEST]: 0,
  [OFPT_GET_CONFIG_REPLY]: 4, [OFPT_SET_CONFIG]: 4, [OFPT_PORT_STATUS]: 8 + OFP_PORT_LEN,
  [OFPT_PORT_MOD]: 32, [OFPT_TABLE_MOD]: 8, [OFPT_BARRIER_REQUEST]: 0, [OFPT_BARRIER_REPLY]: 0,
  [OFPT_QUEUE_GET_CONFIG_REQUEST]: 8, [OFPT_ROLE_REQUEST]: 16, [OFPT_ROLE_REPLY]: 16,
  [OFPT_GET_ASYNC_REQUEST]: 0, [OFPT_GET_ASYNC_REPLY]: 24, [OFPT_SET_ASYNC]: 24,
};
/** Minimum bodies; a match counts as its 8-byte empty form. */
const MINIMUM: Record<number, number> = {
  [OFPT_ERROR]: 4, [OFPT_EXPERIMENTER]: 8, [OFPT_PACKET_IN]: PI.MATCH[1] - OFP_HEADER_LEN + 2,
  [OFPT_FLOW_REMOVED]: FR.MATCH[1] - OFP_HEADER_LEN, [OFPT_PACKET_OUT]: 16, [OFPT_FLOW_MOD]: FM.MATCH[1] - OFP_HEADER_LEN,
  [OFPT_GROUP_MOD]: layoutLength(GM) - OFP_HEADER_LEN, [OFPT_MULTIPART_REQUEST]: 8, [OFPT_MULTIPART_REPLY]: 8,
  [OFPT_QUEUE_GET_CONFIG_REPLY]: 8, [OFPT_METER_MOD]: layoutLength(MM) - OFP_HEADER_LEN,
};

function decodeHello(r: Reader, xid: number, version: number): OFMessage | OFError {
  const versions: number[] = [];
  while (r.left > 0) {
    if (r.left < 4) return badLen('hello element truncated');
    const type = r.u16(); const len = r.u16();
    if (len < 4 || len - 4 > r.left) return badLen(`hello element length ${len}`);
    const er = r.sub(len - 4);
    r.skip(Math.min(pad8(len) - len, r.left));
    if (type !== OFPHET_VERSIONBITMAP) continue; // §7.5.1: unknown elements are ignored
    for (let word = 0; er.left >= 4; word++) {
      const bits = er.u32();
      for (let b = 0; b < 32; b++) if ((bits >>> b) & 1) versions.push(word * 32 + b);
    }
  }
  return { type: 'hello', xid, version, versions };
}

/** r.u64At(), but a zero gives the one shared 0n (the usual cookie and cookie_mask of a
 * flow-mod): no BigInt per message, nor retained per rule. */
function u64OrZero(r: Reader, base: number, f: Field): bigint {
  for (let i = base + f[0]; i < base + f[1]; i++) if (r.buf[i] !== 0) return r.u64At(base, f);
  return 0n;
}

const pair = (r: Reader): [number, number] => [r.u32(), r.u32()];
function decodeAsync(r: Reader): AsyncConfig {
  return { packetInMask: pair(r), portStatusMask: pair(r), flowRemovedMask: pair(r) };
}

function decodeBody(type: number, xid: number, r: Reader): OFMessage | OFError {
  switch (type) {
    case OFPT_ERROR: {
      const errType = r.u16();
      if (errType === 0xffff) {
        if (r.left < 6) return badLen('experimenter error truncated');
        const expType = r.u16(); const experimenter = r.u32();
        return { type: 'error_experimenter', xid, expType, experimenter, data: r.bytes(r.left) };
      }
      return { type: 'error', xid, errType, code: r.u16(), data: r.bytes(r.left) };
    }
    case OFPT_ECHO_REQUEST: return { type: 'echo_request', xid, data: r.bytes(r.left) };
    case OFPT_ECHO_REPLY: return { type: 'echo_reply', xid, data: r.bytes(r.left) };
    case OFPT_EXPERIMENTER: {
      const experimenter = r.u32(); const expType = r.u32();
      if (experimenter === ONF_EXPERIMENTER_ID) { // ONF EXT-230: OpenFlow 1.4's bundles in 1.3
        if (expType === ONFT_BUNDLE_CONTROL) return decodeBundleControl(r.buf, 8, xid);
        if (expType === ONFT_BUNDLE_ADD_MESSAGE) return decodeBundleAdd(r.buf, 8, xid, (b) => decodeMessageStrict(b, r.buf[0]));
      }
      return { type: 'experimenter', xid, experimenter, expType, data: r.bytes(r.left) };
    }
    case OFPT_FEATURES_REQUEST: return { type: 'features_request', xid };
    case OFPT_FEATURES_REPLY: {
      const datapathId = r.u64(); const nBuffers = r.u32(); const nTables = r.u8(); const auxiliaryId = r.u8();
      r.skip(2);
      return { type: 'features_reply', xid, datapathId, nBuffers, nTables, auxiliaryId, capabilities: r.u32() };
    }
    case OFPT_GET_CONFIG_REQUEST: return { type: 'get_config_request', xid };
    case OFPT_GET_CONFIG_REPLY: case OFPT_SET_CONFIG: {
      const flags = r.u16();
      return { type: type === OFPT_GET_CONFIG_REPLY ? 'get_config_reply' : 'set_config', xid, flags, missSendLen: r.u16() };
    }
    case OFPT_PACKET_IN: {
      const at = r.pos - OFP_HEADER_LEN; // layout offsets count the header
      const bufferId = r.u32At(at, PI.BUFFER_ID); const totalLen = r.u16At(at, PI.TOTAL_LEN);
      const reason = r.u8At(at, PI.REASON); const tableId = r.u8At(at, PI.TABLE_ID);
      const cookie = r.u64At(at, PI.COOKIE);
      r.pos = at + PI.MATCH[0];
      const match = decodeMatch(r);
      if (isOFError(match)) return match;
      if (r.left < 2) return badLen('packet-in: no room for the 2 pad bytes after the match');
      r.skip(2);
      return { type: 'packet_in', xid, bufferId, totalLen, reason, tableId, cookie, match, data: r.bytes(r.left) };
    }
    case OFPT_FLOW_REMOVED: {
      const at = r.pos - OFP_HEADER_LEN;
      const cookie = r.u64At(at, FR.COOKIE); const priority = r.u16At(at, FR.PRIORITY);
      const reason = r.u8At(at, FR.REASON); const tableId = r.u8At(at, FR.TABLE_ID);
      const durationSec = r.u32At(at, FR.DURATION_SEC); const durationNsec = r.u32At(at, FR.DURATION_NSEC);
      const idleTimeout = r.u16At(at, FR.IDLE_TIMEOUT); const hardTimeout = r.u16At(at, FR.HARD_TIMEOUT);
      const packetCount = r.u64At(at, FR.PACKET_COUNT); const byteCount = r.u64At(at, FR.BYTE_COUNT);
      r.pos = at + FR.MATCH[0];
      const match = decodeMatch(r);
      if (isOFError(match)) return match;
      if (r.left !== 0) return badLen('flow-removed: trailing bytes after the match');
      return {
        type: 'flow_removed', xid, cookie, priority, reason, tableId, durationSec, durationNsec,
        idleTimeout, hardTimeout, packetCount, byteCount, match,
      };
    }
    case OFPT_PORT_STATUS: { const reason = r.u8(); r.skip(7); return { type: 'port_status', xid, reason, port: decodePort(r) }; }
    case OFPT_PACKET_OUT: {
      const bufferId = r.u32(); const inPort = r.u32(); const actionsLen = r.u16(); r.skip(6);
      if (actionsLen > r.left) return badLen(`packet-out: actions_len ${actionsLen} exceeds the message`);
      const actions = decodeActions(r.sub(actionsLen));
      if (isOFError(actions)) return actions;
      return { type: 'packet_out', xid, bufferId, inPort, actions, data: r.bytes(r.left) };
    }
    case OFPT_FLOW_MOD: {
      const at = r.pos - OFP_HEADER_LEN; // OFP_FLOW_MOD offsets count the header
      const cookie = u64OrZero(r, at, FM.COOKIE); const cookieMask = u64OrZero(r, at, FM.COOKIE_MASK);
      const tableId = r.u8At(at, FM.TABLE_ID); const command = r.u8At(at, FM.COMMAND);
      const idleTimeout = r.u16At(at, FM.IDLE_TIMEOUT); const hardTimeout = r.u16At(at, FM.HARD_TIMEOUT);
      const priority = r.u16At(at, FM.PRIORITY); const bufferId = r.u32At(at, FM.BUFFER_ID);
      const outPort = r.u32At(at, FM.OUT_PORT); const outGroup = r.u32At(at, FM.OUT_GROUP);
      const flags = r.u16At(at, FM.FLAGS);
      // 1.4 and 1.5 (whose flow-mod this decoder reads too) put importance where 1.3 pads
      const importance = r.buf[0]! >= OFP14_VERSION ? r.u16At(at, FM.IMPORTANCE) : 0;
      r.pos = at + FM.MATCH[0];
      const match = decodeMatch(r);
      if (isOFError(match)) return match;
      const instructions = decodeInstructions(r);
      if (isOFError(instructions)) return instructions;
      return {
        type: 'flow_mod', xid, cookie, cookieMask, tableId, command, idleTimeout, hardTimeout,
        priority, bufferId, outPort, outGroup, flags, match, instructions, ...(importance !== 0 ? { importance } : {}),
      };
    }
    case OFPT_GROUP_MOD: {
      const at = r.pos - OFP_HEADER_LEN;
      const command = r.u16At(at, GM.COMMAND); const groupType = r.u8At(at, GM.TYPE); const groupId = r.u32At(at, GM.GROUP_ID);
      r.pos = at + layoutLength(GM);
      const buckets = decodeBuckets(r);
      if (isOFError(buckets)) return buckets;
      return { type: 'group_mod', xid, command, groupType, groupId, buckets };
    }
    case OFPT_PORT_MOD: {
      const at = r.pos - OFP_HEADER_LEN;
      return {
        type: 'port_mod', xid, portNo: r.u32At(at, PM.PORT_NO), hwAddr: r.bytesAt(at, PM.HW_ADDR),
        config: r.u32At(at, PM.CONFIG), mask: r.u32At(at, PM.MASK), advertise: r.u32At(at, PM.ADVERTISE),
      };
    }
    case OFPT_TABLE_MOD: { const tableId = r.u8(); r.skip(3); return { type: 'table_mod', xid, tableId, config: r.u32() }; }
    case OFPT_MULTIPART_REQUEST: case OFPT_MULTIPART_REPLY: {
      const kind = multipartKindOf(r.u16());
      const flags = r.u16(); r.skip(4);
      if (isOFError(kind)) return kind;
      if (type === OFPT_MULTIPART_REQUEST) {
        const body = decodeMultipartRequestBody(kind, r);
        return isOFError(body) ? body : { type: 'multipart_request', xid, flags, body };
      }
      const body = decodeMultipartReplyBody(kind, r);
      return isOFError(body) ? body : { type: 'multipart_reply', xid, flags, body };
    }
    case OFPT_BARRIER_REQUEST: return { type: 'barrier_request', xid };
    case OFPT_BARRIER_REPLY: return { type: 'barrier_reply', xid };
    case OFPT_QUEUE_GET_CONFIG_REQUEST: return { type: 'queue_get_config_request', xid, port: r.u32() };
    case OFPT_QUEUE_GET_CONFIG_REPLY: {
      const port = r.u32(); r.skip(4);
      const queues = decodeQueues(r);
      return isOFError(queues) ? queues : { type: 'queue_get_config_reply', xid, port, queues };
    }
    case OFPT_ROLE_REQUEST: case OFPT_ROLE_REPLY: {
      const role = r.u32(); r.skip(4);
      return { type: type === OFPT_ROLE_REQUEST ? 'role_request' : 'role_reply', xid, role, generationId: r.u64() };
    }
    case OFPT_GET_ASYNC_REQUEST: return { type: 'get_async_request', xid };
    case OFPT_GET_ASYNC_REPLY: return { type: 'get_async_reply', xid, ...decodeAsync(r) };
    case OFPT_SET_ASYNC: return { type: 'set_async', xid, ...decodeAsync(r) };
    default: { // OFPT_METER_MOD, the last type (checked by the caller)
      const at = r.pos - OFP_HEADER_LEN;
      const command = r.u16At(at, MM.COMMAND); const flags = r.u16At(at, MM.FLAGS); const meterId = r.u32At(at, MM.METER_ID);
      r.pos = at + layoutLength(MM);
      const bands = decodeBands(r);
      return isOFError(bands) ? bands : { type: 'meter_mod', xid, command, flags, meterId, bands };
    }
  }
}

/** decodeMessage without the last-resort catch: any exception here is a codec bug.
 * `version` is the header version accepted (the 1.4 codec hands over with 0x05 the
 * messages 1.4 left as in 1.3). */
export function decodeMessageStrict(buf: Uint8Array, version13: number = OFP_VERSION): DecodeResult {
  if (buf.length < OFP_HEADER_LEN) return badLen(`message of ${buf.length} bytes has no header`);
  const r = Reader.of(buf);
  const version = r.u8(); const type = r.u8(); const length = r.u16(); const xid = r.u32();
  if (length !== buf.length) {
    return badLen(`header length ${length} but ${buf.length} bytes given`);
  }
  if (type === OFPT_HELLO) {
    return decodeHello(r, xid, version);
  }
  if (version !== version13) {
    return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION, `version 0x${version.toString(16)} is not 0x${version13.toString(16)}`);
  }
  if (type > OFPT_METER_MOD) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `unknown message type ${type}`);
  const body = r.left;
  const exact = EXACT[type];
  if (exact !== undefined && body !== exact) {
    return badLen(`message type ${type}: body of ${body} bytes, expected ${exact}`);
  }
  const min = MINIMUM[type];
  if (min !== undefined && body < min) {
    return badLen(`message type ${type}: body of ${body} bytes, at least ${min} expected`);
  }
  return decodeBody(type, xid, r);
}

/**
 * Decodes exactly one whole message. Never throws: a decoder bug that slipped past the
 * fuzz test still becomes OFPBRC_BAD_LEN rather than an exception in the event loop.
 */
export function decodeMessage(buf: Uint8Array, version13: number = OFP_VERSION): DecodeResult {
  try {
    return decodeMessageStrict(buf, version13);
  } catch (e) {
    return badLen(`undecodable message (${e instanceof Error ? e.message : String(e)})`);
  }
}
