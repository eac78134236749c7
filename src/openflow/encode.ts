/**
 * OFMessage → bytes (OF1.3.5 §7). One function per message family, all writing the
 * 8-byte ofp_header first and patching its length last.
 *
 * Invariants
 *  - Output is exactly what the spec lays out: zero padding, lengths that include the
 *    header, 8-byte-aligned matches, actions and instructions.
 *  - encodeMessage never reads a peer's bytes, so it has no OFError path. The only failure
 *    is a message longer than 65535 bytes, which is a caller bug (multipart replies must be
 *    split with OFPMPF_REPLY_MORE): that throws a RangeError naming the message.
 */
import { actionsWireLength, encodeActions } from './actions-codec.js';
import {
  OFP_HEADER_LEN, OFP_MAX_MSG_LEN, OFP_VERSION, OFPHET_VERSIONBITMAP, OFPT_BARRIER_REPLY,
  OFPT_BARRIER_REQUEST, OFPT_ECHO_REPLY, OFPT_ECHO_REQUEST, OFPT_ERROR, OFPT_EXPERIMENTER,
  OFPT_FEATURES_REPLY, OFPT_FEATURES_REQUEST, OFPT_FLOW_MOD, OFPT_FLOW_REMOVED,
  OFPT_GET_ASYNC_REPLY, OFPT_GET_ASYNC_REQUEST, OFPT_GET_CONFIG_REPLY, OFPT_GET_CONFIG_REQUEST,
  OFPT_GROUP_MOD, OFPT_HELLO, OFPT_METER_MOD, OFPT_MULTIPART_REPLY, OFPT_MULTIPART_REQUEST,
  OFPT_PACKET_IN, OFPT_PACKET_OUT, OFPT_PORT_MOD, OFPT_PORT_STATUS, OFPT_QUEUE_GET_CONFIG_REPLY,
  OFPT_QUEUE_GET_CONFIG_REQUEST, OFPT_ROLE_REPLY, OFPT_ROLE_REQUEST, OFPT_SET_ASYNC, OFPT_SET_CONFIG,
  OFPT_TABLE_MOD,
} from './constants.js';
import { encodeInstructions } from './instructions-codec.js';
import { ONF_EXPERIMENTER_ID, ONFT_BUNDLE_ADD_MESSAGE, ONFT_BUNDLE_CONTROL, encodeBundleBody } from './of14/bundle-codec.js';
import { OFP14_VERSION } from './of14/constants.js';
import { OFP_FLOW_MOD as FM, OFP_FLOW_REMOVED as FR, OFP_GROUP_MOD as GM, OFP_METER_MOD as MM, OFP_PACKET_IN as PI, OFP_PORT_MOD as PM, layoutLength } from './layouts.js';
import type { AsyncConfig, OFMessage, OFMessageType, SetAsync } from './message-types.js';
import { OFPMP } from './multipart-types.js';
import { encodeMultipartReplyBody, encodeMultipartRequestBody } from './multipart.js';
import { encodeMatch } from './oxm-codec.js';
import { encodeBands, encodeBuckets, encodePort, encodeQueues } from './structs.js';
import { Writer } from './wire.js';

/** Wire numbers of message types (enum ofp_type). */
const OFPT: Readonly<Partial<Record<OFMessageType, number>>> = {
  hello: OFPT_HELLO, error: OFPT_ERROR, error_experimenter: OFPT_ERROR,
  echo_request: OFPT_ECHO_REQUEST, echo_reply: OFPT_ECHO_REPLY, experimenter: OFPT_EXPERIMENTER,
  features_request: OFPT_FEATURES_REQUEST, features_reply: OFPT_FEATURES_REPLY,
  get_config_request: OFPT_GET_CONFIG_REQUEST, get_config_reply: OFPT_GET_CONFIG_REPLY,
  set_config: OFPT_SET_CONFIG, packet_in: OFPT_PACKET_IN, flow_removed: OFPT_FLOW_REMOVED,
  port_status: OFPT_PORT_STATUS, packet_out: OFPT_PACKET_OUT, flow_mod: OFPT_FLOW_MOD,
  group_mod: OFPT_GROUP_MOD, port_mod: OFPT_PORT_MOD, table_mod: OFPT_TABLE_MOD,
  multipart_request: OFPT_MULTIPART_REQUEST, multipart_reply: OFPT_MULTIPART_REPLY,
  barrier_request: OFPT_BARRIER_REQUEST, barrier_reply: OFPT_BARRIER_REPLY,
  queue_get_config_request: OFPT_QUEUE_GET_CONFIG_REQUEST,
  queue_get_config_reply: OFPT_QUEUE_GET_CONFIG_REPLY, role_request: OFPT_ROLE_REQUEST,
  role_reply: OFPT_ROLE_REPLY, get_async_request: OFPT_GET_ASYNC_REQUEST,
  get_async_reply: OFPT_GET_ASYNC_REPLY, set_async: OFPT_SET_ASYNC, meter_mod: OFPT_METER_MOD,
  bundle_control: OFPT_EXPERIMENTER, bundle_add_message: OFPT_EXPERIMENTER, // ONF EXT-230
};

function encodeHelloBody(w: Writer, versions: readonly number[]): void {
  if (versions.length === 0) return;
  // §7.5.1: bit n of the bitmap is version n; as many 32-bit words as the highest needs.
  const words = new Array<number>((Math.max(...versions) >> 5) + 1).fill(0);
  for (const v of versions) words[v >> 5] = (words[v >> 5]! | (1 << (v & 31))) >>> 0;
  const start = w.pos;
  w.u16(OFPHET_VERSIONBITMAP); w.u16(4 + 4 * words.length);
  for (const x of words) w.u32(x);
  w.align8(start);
}

function encodeAsync(w: Writer, a: AsyncConfig | SetAsync): void {
  for (const m of [a.packetInMask, a.portStatusMask, a.flowRemovedMask]) { w.u32(m?.[0] ?? 0); w.u32(m?.[1] ?? 0); }
}

/** Writes the zeroed fixed part of a message up to `end` (a layout offset, header
 * included) and returns the base its layout's offsets count from (the header's start). */
function fixedPart(w: Writer, end: number): number {
  const at = w.pos - OFP_HEADER_LEN;
  w.zeros(end - OFP_HEADER_LEN);
  return at;
}

function encodeBody(w: Writer, m: OFMessage, version: number): void {
  switch (m.type) {
    case 'hello': encodeHelloBody(w, m.versions); break;
    case 'error': w.u16(m.errType); w.u16(m.code); w.bytes(m.data); break;
    case 'error_experimenter': w.u16(0xffff); w.u16(m.expType); w.u32(m.experimenter); w.bytes(m.data); break;
    case 'echo_request': case 'echo_reply': w.bytes(m.data); break;
    case 'experimenter': w.u32(m.experimenter); w.u32(m.expType); w.bytes(m.data); break;
    case 'features_reply':
      w.u64(m.datapathId); w.u32(m.nBuffers); w.u8(m.nTables); w.u8(m.auxiliaryId); w.zeros(2);
      w.u32(m.capabilities); w.zeros(4);
      break;
    case 'get_config_reply': case 'set_config': w.u16(m.flags); w.u16(m.missSendLen); break;
    case 'packet_in': {
      const at = fixedPart(w, PI.MATCH[0]);
      w.u32At(at, PI.BUFFER_ID, m.bufferId); w.u16At(at, PI.TOTAL_LEN, m.totalLen);
      w.u8At(at, PI.REASON, m.reason); w.u8At(at, PI.TABLE_ID, m.tableId); w.u64At(at, PI.COOKIE, m.cookie);
      encodeMatch(w, m.match); w.zeros(2); w.bytes(m.data);
      break;
    }
    case 'flow_removed': {
      const at = fixedPart(w, FR.MATCH[0]);
      w.u64At(at, FR.COOKIE, m.cookie); w.u16At(at, FR.PRIORITY, m.priority);
      w.u8At(at, FR.REASON, m.reason); w.u8At(at, FR.TABLE_ID, m.tableId);
      w.u32At(at, FR.DURATION_SEC, m.durationSec); w.u32At(at, FR.DURATION_NSEC, m.durationNsec);
      w.u16At(at, FR.IDLE_TIMEOUT, m.idleTimeout); w.u16At(at, FR.HARD_TIMEOUT, m.hardTimeout);
      w.u64At(at, FR.PACKET_COUNT, m.packetCount); w.u64At(at, FR.BYTE_COUNT, m.byteCount);
      encodeMatch(w, m.match);
      break;
    }
    case 'port_status': w.u8(m.reason); w.zeros(7); encodePort(w, m.port); break;
    case 'packet_out':
      w.u32(m.bufferId); w.u32(m.inPort); w.u16(actionsWireLength(m.actions)); w.zeros(6);
      encodeActions(w, m.actions); w.bytes(m.data);
      break;
    case 'flow_mod': {
      const at = fixedPart(w, FM.MATCH[0]);
      w.u64At(at, FM.COOKIE, m.cookie); w.u64At(at, FM.COOKIE_MASK, m.cookieMask);
      w.u8At(at, FM.TABLE_ID, m.tableId); w.u8At(at, FM.COMMAND, m.command);
      w.u16At(at, FM.IDLE_TIMEOUT, m.idleTimeout); w.u16At(at, FM.HARD_TIMEOUT, m.hardTimeout);
      w.u16At(at, FM.PRIORITY, m.priority); w.u32At(at, FM.BUFFER_ID, m.bufferId);
      w.u32At(at, FM.OUT_PORT, m.outPort); w.u32At(at, FM.OUT_GROUP, m.outGroup);
      w.u16At(at, FM.FLAGS, m.flags);
      // 1.4 and 1.5 (written here with their version) carry importance where 1.3 pads
      if (m.importance !== undefined && version >= OFP14_VERSION) w.u16At(at, FM.IMPORTANCE, m.importance);
      encodeMatch(w, m.match); encodeInstructions(w, m.instructions);
      break;
    }
    case 'group_mod': {
      const at = fixedPart(w, layoutLength(GM));
      w.u16At(at, GM.COMMAND, m.command); w.u8At(at, GM.TYPE, m.groupType); w.u32At(at, GM.GROUP_ID, m.groupId);
      encodeBuckets(w, m.buckets);
      break;
    }
    case 'port_mod': {
      const at = fixedPart(w, PM.PAD3[1]);
      w.u32At(at, PM.PORT_NO, m.portNo); w.bytesAt(at, PM.HW_ADDR, m.hwAddr);
      w.u32At(at, PM.CONFIG, m.config); w.u32At(at, PM.MASK, m.mask); w.u32At(at, PM.ADVERTISE, m.advertise);
      break;
    }
    case 'table_mod': w.u8(m.tableId); w.zeros(3); w.u32(m.config); break;
    case 'multipart_request':
      w.u16(OFPMP[m.body.kind]); w.u16(m.flags); w.zeros(4); encodeMultipartRequestBody(w, m.body);
      break;
    case 'multipart_reply':
      w.u16(OFPMP[m.body.kind]); w.u16(m.flags); w.zeros(4); encodeMultipartReplyBody(w, m.body);
      break;
    case 'queue_get_config_request': w.u32(m.port); w.zeros(4); break;
    case 'queue_get_config_reply': w.u32(m.port); w.zeros(4); encodeQueues(w, m.queues); break;
    case 'role_request': case 'role_reply': w.u32(m.role); w.zeros(4); w.u64(m.generationId); break;
    case 'get_async_reply': case 'set_async': encodeAsync(w, m); break;
    case 'meter_mod': {
      const at = fixedPart(w, layoutLength(MM));
      w.u16At(at, MM.COMMAND, m.command); w.u16At(at, MM.FLAGS, m.flags); w.u32At(at, MM.METER_ID, m.meterId);
      encodeBands(w, m.bands);
      break;
    }
    case 'bundle_control': case 'bundle_add_message': // ONF EXT-230: the 1.4 body after the experimenter header
      w.u32(ONF_EXPERIMENTER_ID); w.u32(m.type === 'bundle_control' ? ONFT_BUNDLE_CONTROL : ONFT_BUNDLE_ADD_MESSAGE);
      encodeBundleBody(w, m, 8, (x) => encodeMessage(x));
      break;
    default: break; // features_request, get_config_request, barrier_*, get_async_request: header only
    // (role_status: no 1.3 form; encodeMessage refused it already)
  }
}

/**
 * Encodes one message, header included. `version` is the header's version byte: the 1.4
 * codec (of14/) writes the messages 1.4 left as in 1.3 through here with 0x05. A message
 * with no 1.3 form (OF14_ONLY_TYPES) throws RangeError: the codec's caller filters them.
 */
export function encodeMessage(m: OFMessage, version: number = OFP_VERSION): Uint8Array {
  const type = OFPT[m.type];
  if (type === undefined) throw new RangeError(`${m.type} has no OpenFlow 1.3 form`);
  const w = new Writer(m.type === 'packet_in' || m.type === 'packet_out' ? 128 + m.data.length : 256);
  w.u8(m.type === 'hello' ? (m.version ?? version) : version);
  w.u8(type);
  w.u16(0);
  w.u32(m.xid);
  encodeBody(w, m, version);
  if (w.pos > OFP_MAX_MSG_LEN) {
    throw new RangeError(`${m.type} of ${w.pos} bytes exceeds the 65535-byte OpenFlow limit`);
  }
  w.patch16(2, w.pos);
  return w.finish();
}

