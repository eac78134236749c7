/**
 * bytes → OFMessage for OpenFlow 1.0 (OpenFlow 1.0.0 §5): the 1.0 wire translated into
 * the one internal message model (message-types.ts), so that the agent and the pipeline
 * do not fork per version. Takes exactly one whole message and NEVER throws: whatever is
 * wrong comes back as an OFError (internal numbers; the 1.0 encoder translates them).
 *
 * Checks, in this order: header length = buffer length, and version 0x01 (OFPBRC_BAD_LEN,
 * OFPBRC_BAD_VERSION; OFPT_HELLO is decoded at any version by the 1.3 decoder, which the
 * connection uses for negotiation); type ≤ OFPT_QUEUE_GET_CONFIG_REPLY (OFPBRC_BAD_TYPE);
 * the body's fixed size (OFPBRC_BAD_LEN); then the body's own structures.
 *
 * Translation: the 1.0 flow-mod has no table id (table 0) and no cookie mask (0: 1.0
 * modify/delete do not filter by cookie); its actions become one apply-actions
 * instruction; OFPFF_EMERG is refused (no emergency flow cache). 16-bit port numbers
 * become 32-bit ones (ports.ts); a packet-out from OFPP_NONE is from OFPP_CONTROLLER.
 */
import {
  OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE, OFPBRC_BAD_VERSION, OFPET_BAD_REQUEST, OFPET_FLOW_MOD_FAILED,
  OFPFMFC_BAD_COMMAND, OFPFMFC_BAD_FLAGS, OFPFMFC_BAD_TIMEOUT, isOFError, ofError, type OFError,
} from '../../pipeline/errors.js';
import { OFPFC_DELETE_STRICT, OFPG_ANY, OFPP_CONTROLLER } from '../../pipeline/types.js';
import { OFPXMT_OFB_IN_PORT } from '../../packet/oxm.js';
import type { OFMessage, PacketQueue } from '../message-types.js';
import { Reader } from '../wire.js';
import { decodeActions10 } from './actions.js';
import {
  OFP10_PHY_PORT_LEN, OFP10_VERSION, OFPC10_SHARED_WITH_13, OFPFF10_CHECK_OVERLAP, OFPFF10_EMERG, OFPFF10_SEND_FLOW_REM,
  OFPP10_NONE, OFPT10_BARRIER_REPLY, OFPT10_BARRIER_REQUEST, OFPT10_ECHO_REPLY, OFPT10_ECHO_REQUEST, OFPT10_ERROR,
  OFPT10_FEATURES_REPLY, OFPT10_FEATURES_REQUEST, OFPT10_FLOW_MOD, OFPT10_FLOW_REMOVED, OFPT10_GET_CONFIG_REPLY,
  OFPT10_GET_CONFIG_REQUEST, OFPT10_HELLO, OFPT10_PACKET_IN, OFPT10_PACKET_OUT, OFPT10_PORT_MOD, OFPT10_PORT_STATUS,
  OFPT10_QUEUE_GET_CONFIG_REPLY, OFPT10_QUEUE_GET_CONFIG_REQUEST, OFPT10_SET_CONFIG, OFPT10_STATS_REPLY,
  OFPT10_STATS_REQUEST, OFPT10_VENDOR,
} from './constants.js';
import { error10To13 } from './errors.js';
import {
  OFP10_FLOW_MOD as FM, OFP10_FLOW_REMOVED as FR, OFP10_PACKET_IN as PI, OFP10_PORT_MOD as PM,
  OFP10_SWITCH_FEATURES as SF,
} from './layouts.js';
import { beBytes, decodeMatch10 } from './match.js';
import { decodePhyPort, features10To13, port16To32 } from './ports.js';
import { decodeStatsReply10, decodeStatsRequest10, statsKindOf10 } from './stats.js';

const HEADER = 8;
const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

/** Exact body sizes (after the header) of fixed messages. */
const EXACT: Readonly<Record<number, number>> = {
  [OFPT10_FEATURES_REQUEST]: 0, [OFPT10_GET_CONFIG_REQUEST]: 0, [OFPT10_GET_CONFIG_REPLY]: 4, [OFPT10_SET_CONFIG]: 4,
  [OFPT10_FLOW_REMOVED]: FR.BYTE_COUNT[1] - HEADER, [OFPT10_PORT_STATUS]: 8 + OFP10_PHY_PORT_LEN,
  [OFPT10_PORT_MOD]: PM.PAD[1] - HEADER, [OFPT10_BARRIER_REQUEST]: 0, [OFPT10_BARRIER_REPLY]: 0,
  [OFPT10_QUEUE_GET_CONFIG_REQUEST]: 4,
};
/** Minimum bodies of the others. */
const MINIMUM: Readonly<Record<number, number>> = {
  [OFPT10_ERROR]: 4, [OFPT10_VENDOR]: 4, [OFPT10_FEATURES_REPLY]: SF.ACTIONS[1] - HEADER,
  [OFPT10_PACKET_IN]: PI.PAD[1] - HEADER, [OFPT10_PACKET_OUT]: 8, [OFPT10_FLOW_MOD]: FM.FLAGS[1] - HEADER,
  [OFPT10_STATS_REQUEST]: 4, [OFPT10_STATS_REPLY]: 4, [OFPT10_QUEUE_GET_CONFIG_REPLY]: 8,
};


function decodeQueues10(r: Reader): PacketQueue[] | OFError {
  const out: PacketQueue[] = [];
  while (r.left > 0) {
    if (r.left < 8) return badLen('queue: truncated');
    const queueId = r.u32(); const len = r.u16(); r.skip(2);
    if (len < 8 || len - 8 > r.left) return badLen(`queue ${queueId}: length ${len}`);
    r.skip(len - 8); // properties (min_rate) are not represented for 1.0
    out.push({ queueId, port: 0, properties: [] });
  }
  return out;
}

function decodeFlowMod(r: Reader, xid: number): OFMessage | OFError {
  const at = r.pos - HEADER;
  r.pos = at + FM.MATCH[0];
  const match = decodeMatch10(r);
  const command = r.u16At(at, FM.COMMAND);
  const idleTimeout = r.u16At(at, FM.IDLE_TIMEOUT); const hardTimeout = r.u16At(at, FM.HARD_TIMEOUT);
  const flags = r.u16At(at, FM.FLAGS);
  if (command > OFPFC_DELETE_STRICT) return ofError(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND, `flow-mod command ${command}`);
  if (flags & OFPFF10_EMERG) {
    return idleTimeout !== 0 || hardTimeout !== 0
      ? ofError(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TIMEOUT, 'emergency flows have no timeouts')
      : ofError(OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_FLAGS, 'emergency flows are not supported');
  }
  r.pos = at + FM.FLAGS[1];
  const actions = decodeActions10(r, match);
  if (isOFError(actions)) return actions;
  return {
    type: 'flow_mod', xid, cookie: r.u64At(at, FM.COOKIE), cookieMask: 0n, tableId: 0, command,
    idleTimeout, hardTimeout, priority: r.u16At(at, FM.PRIORITY), bufferId: r.u32At(at, FM.BUFFER_ID),
    outPort: port16To32(r.u16At(at, FM.OUT_PORT)), outGroup: OFPG_ANY,
    flags: flags & (OFPFF10_SEND_FLOW_REM | OFPFF10_CHECK_OVERLAP), match,
    instructions: actions.length > 0 ? [{ type: 'apply_actions', actions }] : [],
  };
}

function decodeBody(type: number, xid: number, r: Reader): OFMessage | OFError {
  const at = r.pos - HEADER;
  switch (type) {
    case OFPT10_ERROR: {
      const [errType, code] = error10To13(r.u16(), r.u16());
      return { type: 'error', xid, errType, code, data: r.bytes(r.left) };
    }
    case OFPT10_ECHO_REQUEST: return { type: 'echo_request', xid, data: r.bytes(r.left) };
    case OFPT10_ECHO_REPLY: return { type: 'echo_reply', xid, data: r.bytes(r.left) };
    case OFPT10_VENDOR: return { type: 'experimenter', xid, experimenter: r.u32(), expType: 0, data: r.bytes(r.left) };
    case OFPT10_FEATURES_REQUEST: return { type: 'features_request', xid };
    case OFPT10_FEATURES_REPLY: {
      r.pos = at + SF.ACTIONS[1];
      if (r.left % OFP10_PHY_PORT_LEN !== 0) return badLen(`features reply: ${r.left} bytes of ports`);
      const ports = [];
      while (r.left > 0) ports.push(decodePhyPort(r));
      return {
        type: 'features_reply', xid, datapathId: r.u64At(at, SF.DATAPATH_ID), nBuffers: r.u32At(at, SF.N_BUFFERS),
        nTables: r.u8At(at, SF.N_TABLES), auxiliaryId: 0,
        capabilities: r.u32At(at, SF.CAPABILITIES) & OFPC10_SHARED_WITH_13, ports,
      };
    }
    case OFPT10_GET_CONFIG_REQUEST: return { type: 'get_config_request', xid };
    case OFPT10_GET_CONFIG_REPLY: case OFPT10_SET_CONFIG: {
      const flags = r.u16();
      return { type: type === OFPT10_SET_CONFIG ? 'set_config' : 'get_config_reply', xid, flags, missSendLen: r.u16() };
    }
    case OFPT10_PACKET_IN: {
      const inPort = port16To32(r.u16At(at, PI.IN_PORT));
      r.pos = at + PI.PAD[1];
      return {
        type: 'packet_in', xid, bufferId: r.u32At(at, PI.BUFFER_ID), totalLen: r.u16At(at, PI.TOTAL_LEN),
        reason: r.u8At(at, PI.REASON), tableId: 0, cookie: 0n,
        match: [{ field: OFPXMT_OFB_IN_PORT, value: beBytes(inPort, 4) }], data: r.bytes(r.left),
      };
    }
    case OFPT10_FLOW_REMOVED: {
      r.pos = at + FR.MATCH[0];
      const match = decodeMatch10(r);
      return {
        type: 'flow_removed', xid, cookie: r.u64At(at, FR.COOKIE), priority: r.u16At(at, FR.PRIORITY),
        reason: r.u8At(at, FR.REASON), tableId: 0, durationSec: r.u32At(at, FR.DURATION_SEC),
        durationNsec: r.u32At(at, FR.DURATION_NSEC), idleTimeout: r.u16At(at, FR.IDLE_TIMEOUT), hardTimeout: 0,
        packetCount: r.u64At(at, FR.PACKET_COUNT), byteCount: r.u64At(at, FR.BYTE_COUNT), match,
      };
    }
    case OFPT10_PORT_STATUS: { const reason = r.u8(); r.skip(7); return { type: 'port_status', xid, reason, port: decodePhyPort(r) }; }
    case OFPT10_PACKET_OUT: {
      const bufferId = r.u32(); const p = r.u16(); const actionsLen = r.u16();
      if (actionsLen > r.left) return badLen(`packet-out: actions_len ${actionsLen} exceeds the message`);
      const actions = decodeActions10(r.sub(actionsLen), []);
      if (isOFError(actions)) return actions;
      const inPort = p === OFPP10_NONE ? OFPP_CONTROLLER : port16To32(p);
      return { type: 'packet_out', xid, bufferId, inPort, actions, data: r.bytes(r.left) };
    }
    case OFPT10_FLOW_MOD: return decodeFlowMod(r, xid);
    case OFPT10_PORT_MOD:
      return {
        type: 'port_mod', xid, portNo: port16To32(r.u16At(at, PM.PORT_NO)), hwAddr: r.bytesAt(at, PM.HW_ADDR),
        config: r.u32At(at, PM.CONFIG), mask: r.u32At(at, PM.MASK), advertise: features10To13(r.u32At(at, PM.ADVERTISE)),
      };
    case OFPT10_STATS_REQUEST: case OFPT10_STATS_REPLY: {
      const kind = statsKindOf10(r.u16());
      const flags = r.u16();
      if (isOFError(kind)) return kind;
      if (type === OFPT10_STATS_REQUEST) {
        const body = decodeStatsRequest10(kind, r);
        return isOFError(body) ? body : { type: 'multipart_request', xid, flags, body };
      }
      const body = decodeStatsReply10(kind, r);
      return isOFError(body) ? body : { type: 'multipart_reply', xid, flags, body };
    }
    case OFPT10_BARRIER_REQUEST: return { type: 'barrier_request', xid };
    case OFPT10_BARRIER_REPLY: return { type: 'barrier_reply', xid };
    case OFPT10_QUEUE_GET_CONFIG_REQUEST: return { type: 'queue_get_config_request', xid, port: port16To32(r.u16()) };
    default: { // OFPT10_QUEUE_GET_CONFIG_REPLY, the last type (checked by the caller)
      const port = port16To32(r.u16()); r.skip(6);
      const queues = decodeQueues10(r);
      return isOFError(queues) ? queues : { type: 'queue_get_config_reply', xid, port, queues: queues.map((q) => ({ ...q, port })) };
    }
  }
}

/** decodeMessage10 without the last-resort catch: any exception here is a codec bug. */
export function decodeMessage10Strict(buf: Uint8Array): OFMessage | OFError {
  if (buf.length < HEADER) return badLen(`message of ${buf.length} bytes has no header`);
  const r = Reader.of(buf);
  const version = r.u8(); const type = r.u8(); const length = r.u16(); const xid = r.u32();
  if (length !== buf.length) return badLen(`header length ${length} but ${buf.length} bytes given`);
  if (version !== OFP10_VERSION) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION, `version 0x${version.toString(16)} is not OpenFlow 1.0`);
  if (type === OFPT10_HELLO) return { type: 'hello', xid, version, versions: [] };
  if (type > OFPT10_QUEUE_GET_CONFIG_REPLY) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `message type ${type} is not OpenFlow 1.0`);
  const exact = EXACT[type];
  if (exact !== undefined && r.left !== exact) return badLen(`message type ${type}: body of ${r.left} bytes, expected ${exact}`);
  const min = MINIMUM[type];
  if (min !== undefined && r.left < min) return badLen(`message type ${type}: body of ${r.left} bytes, at least ${min} expected`);
  return decodeBody(type, xid, r);
}

/** Decodes exactly one whole 1.0 message; never throws. */
export function decodeMessage10(buf: Uint8Array): OFMessage | OFError {
  try {
    return decodeMessage10Strict(buf);
  } catch (e) {
    return badLen(`undecodable message (${e instanceof Error ? e.message : String(e)})`);
  }
}
