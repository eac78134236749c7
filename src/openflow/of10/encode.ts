/**
 * OFMessage → bytes for OpenFlow 1.0 (OpenFlow 1.0.0 §5): the internal model written in
 * 1.0's structures and type numbers. The agent builds one message for every connection;
 * this is where a 1.0 connection's copy takes its 1.0 form.
 *
 * Invariants
 *  - Returns null for a message that has no 1.0 form or must not reach a 1.0 peer: the
 *    messages 1.0 lacks (group/meter/table-mod, roles, async config, experimenter errors,
 *    multipart kinds other than desc/flow/aggregate/table/port/queue/vendor) and
 *    flow-removed of a rule outside table 0 (a 1.0 controller sees table 0 only).
 *  - Errors carry 1.0 type/code numbers (errors.ts), features replies 1.0 capabilities,
 *    the actions this switch supports and the ofp_phy_port list.
 *  - Zero padding, lengths that include the header; > 65535 bytes throws RangeError, as
 *    the 1.3 encoder (multipart replies are split before they get here).
 */
import { OFPXMT_OFB_IN_PORT } from '../../packet/oxm.js';
import { OFPRR_DELETE } from '../../pipeline/types.js';
import { OFP_MAX_MSG_LEN } from '../constants.js';
import type { OFMessage } from '../message-types.js';
import { Writer } from '../wire.js';
import { encodeActions10 } from './actions.js';
import {
  OFP10_VERSION, OFPC10_ARP_MATCH_IP, OFPC10_SHARED_WITH_13, OFPT10_BARRIER_REPLY, OFPT10_BARRIER_REQUEST, OFPT10_ECHO_REPLY,
  OFPT10_ECHO_REQUEST, OFPT10_ERROR, OFPT10_FEATURES_REPLY, OFPT10_FEATURES_REQUEST, OFPT10_FLOW_MOD,
  OFPT10_FLOW_REMOVED, OFPT10_GET_CONFIG_REPLY, OFPT10_GET_CONFIG_REQUEST, OFPT10_HELLO, OFPT10_PACKET_IN,
  OFPT10_PACKET_OUT, OFPT10_PORT_MOD, OFPT10_PORT_STATUS, OFPT10_QUEUE_GET_CONFIG_REPLY,
  OFPT10_QUEUE_GET_CONFIG_REQUEST, OFPT10_SET_CONFIG, OFPT10_STATS_REPLY, OFPT10_STATS_REQUEST, OFPT10_VENDOR,
} from './constants.js';
import { error13To10 } from './errors.js';
import {
  OFP10_FLOW_MOD as FM, OFP10_FLOW_REMOVED as FR, OFP10_PACKET_IN as PI, OFP10_PORT_MOD as PM,
  OFP10_SWITCH_FEATURES as SF,
} from './layouts.js';
import { beNumber, encodeMatch10 } from './match.js';
import { encodePhyPort, features13To10, port32To16 } from './ports.js';
import { OFPST10, encodeStatsReply10, encodeStatsRequest10 } from './stats.js';

/** The 1.0 actions this switch executes: OUTPUT .. ENQUEUE (§5.3.1 `actions` bitmap). */
const SUPPORTED_ACTIONS10 = (1 << 12) - 1;

const TYPE10: Partial<Record<OFMessage['type'], number>> = {
  hello: OFPT10_HELLO, error: OFPT10_ERROR, echo_request: OFPT10_ECHO_REQUEST, echo_reply: OFPT10_ECHO_REPLY,
  experimenter: OFPT10_VENDOR, features_request: OFPT10_FEATURES_REQUEST, features_reply: OFPT10_FEATURES_REPLY,
  get_config_request: OFPT10_GET_CONFIG_REQUEST, get_config_reply: OFPT10_GET_CONFIG_REPLY,
  set_config: OFPT10_SET_CONFIG, packet_in: OFPT10_PACKET_IN, flow_removed: OFPT10_FLOW_REMOVED,
  port_status: OFPT10_PORT_STATUS, packet_out: OFPT10_PACKET_OUT, flow_mod: OFPT10_FLOW_MOD,
  port_mod: OFPT10_PORT_MOD, multipart_request: OFPT10_STATS_REQUEST, multipart_reply: OFPT10_STATS_REPLY,
  barrier_request: OFPT10_BARRIER_REQUEST, barrier_reply: OFPT10_BARRIER_REPLY,
  queue_get_config_request: OFPT10_QUEUE_GET_CONFIG_REQUEST, queue_get_config_reply: OFPT10_QUEUE_GET_CONFIG_REPLY,
};

/** Reserves a message's fixed part up to `end` (a layout offset, header included). */
function fixed(w: Writer, end: number): number {
  w.zeros(end - 8);
  return 0;
}

/** Writes the body; false = this message has no 1.0 form. */
function encodeBody(w: Writer, m: OFMessage): boolean {
  switch (m.type) {
    case 'hello': case 'features_request': case 'get_config_request': case 'barrier_request': case 'barrier_reply':
      return true;
    case 'error': { const [t, c] = error13To10(m.errType, m.code); w.u16(t); w.u16(c); w.bytes(m.data); return true; }
    case 'echo_request': case 'echo_reply': w.bytes(m.data); return true;
    case 'experimenter': w.u32(m.experimenter); w.bytes(m.data); return true;
    case 'features_reply': {
      const at = fixed(w, SF.ACTIONS[1]);
      w.u64At(at, SF.DATAPATH_ID, m.datapathId); w.u32At(at, SF.N_BUFFERS, m.nBuffers);
      w.u8At(at, SF.N_TABLES, 1); // table 0 is all a 1.0 controller sees
      w.u32At(at, SF.CAPABILITIES, (m.capabilities & OFPC10_SHARED_WITH_13) | OFPC10_ARP_MATCH_IP); // Sluice matches ARP spa/tpa
      w.u32At(at, SF.ACTIONS, SUPPORTED_ACTIONS10);
      for (const p of m.ports ?? []) encodePhyPort(w, p);
      return true;
    }
    case 'get_config_reply': case 'set_config': w.u16(m.flags); w.u16(m.missSendLen); return true;
    case 'packet_in': {
      const at = fixed(w, PI.PAD[1]);
      const inPort = m.match.find((f) => f.field === OFPXMT_OFB_IN_PORT);
      w.u32At(at, PI.BUFFER_ID, m.bufferId); w.u16At(at, PI.TOTAL_LEN, m.totalLen);
      w.u16At(at, PI.IN_PORT, port32To16(inPort ? beNumber(inPort.value) : 0xffffffff));
      w.u8At(at, PI.REASON, m.reason > 1 ? 1 : m.reason); // 1.0 has NO_MATCH and ACTION only
      w.bytes(m.data);
      return true;
    }
    case 'flow_removed': {
      if (m.tableId !== 0) return false;
      const at = fixed(w, FR.MATCH[0]);
      encodeMatch10(w, m.match);
      w.zeros(FR.BYTE_COUNT[1] - FR.MATCH[1]);
      w.u64At(at, FR.COOKIE, m.cookie); w.u16At(at, FR.PRIORITY, m.priority);
      w.u8At(at, FR.REASON, m.reason > OFPRR_DELETE ? OFPRR_DELETE : m.reason);
      w.u32At(at, FR.DURATION_SEC, m.durationSec); w.u32At(at, FR.DURATION_NSEC, m.durationNsec);
      w.u16At(at, FR.IDLE_TIMEOUT, m.idleTimeout);
      w.u64At(at, FR.PACKET_COUNT, m.packetCount); w.u64At(at, FR.BYTE_COUNT, m.byteCount);
      return true;
    }
    case 'port_status': w.u8(m.reason); w.zeros(7); encodePhyPort(w, m.port); return true;
    case 'packet_out': {
      w.u32(m.bufferId); w.u16(port32To16(m.inPort));
      const lenAt = w.pos;
      w.u16(0);
      encodeActions10(w, m.actions);
      w.patch16(lenAt, w.pos - lenAt - 2);
      w.bytes(m.data);
      return true;
    }
    case 'flow_mod': {
      if (m.tableId !== 0) return false;
      const at = fixed(w, FM.MATCH[0]);
      encodeMatch10(w, m.match);
      w.zeros(FM.FLAGS[1] - FM.MATCH[1]);
      w.u64At(at, FM.COOKIE, m.cookie); w.u16At(at, FM.COMMAND, m.command);
      w.u16At(at, FM.IDLE_TIMEOUT, m.idleTimeout); w.u16At(at, FM.HARD_TIMEOUT, m.hardTimeout);
      w.u16At(at, FM.PRIORITY, m.priority); w.u32At(at, FM.BUFFER_ID, m.bufferId);
      w.u16At(at, FM.OUT_PORT, port32To16(m.outPort)); w.u16At(at, FM.FLAGS, m.flags & 3);
      for (const i of m.instructions) if (i.type === 'apply_actions') encodeActions10(w, i.actions);
      return true;
    }
    case 'port_mod': {
      const at = fixed(w, PM.PAD[1]);
      w.u16At(at, PM.PORT_NO, port32To16(m.portNo)); w.bytesAt(at, PM.HW_ADDR, m.hwAddr.subarray(0, 6));
      w.u32At(at, PM.CONFIG, m.config); w.u32At(at, PM.MASK, m.mask); w.u32At(at, PM.ADVERTISE, features13To10(m.advertise));
      return true;
    }
    case 'multipart_request': case 'multipart_reply': {
      const st = OFPST10[m.body.kind];
      if (st === undefined) return false;
      w.u16(st); w.u16(m.flags);
      return m.type === 'multipart_request' ? encodeStatsRequest10(w, m.body) : encodeStatsReply10(w, m.body);
    }
    case 'queue_get_config_request': w.u16(port32To16(m.port)); w.zeros(2); return true;
    case 'queue_get_config_reply':
      w.u16(port32To16(m.port)); w.zeros(6);
      for (const q of m.queues) { w.u32(q.queueId); w.u16(8); w.zeros(2); }
      return true;
    default: return false;
  }
}

/** Encodes one message as OpenFlow 1.0, or null when it has no 1.0 form (see above). */
export function encodeMessage10(m: OFMessage): Uint8Array | null {
  const type = TYPE10[m.type];
  if (type === undefined) return null;
  const w = new Writer(m.type === 'packet_in' || m.type === 'packet_out' ? 64 + m.data.length : 256);
  w.u8(OFP10_VERSION); w.u8(type); w.u16(0); w.u32(m.xid);
  if (!encodeBody(w, m)) return null;
  if (w.pos > OFP_MAX_MSG_LEN) throw new RangeError(`${m.type} of ${w.pos} bytes exceeds the 65535-byte OpenFlow limit`);
  w.patch16(2, w.pos);
  return w.finish();
}
