/**
 * OFMessage → bytes for OpenFlow 1.4 (OF1.4.1 §7). The messages 1.4 left as in 1.3 are
 * written by the 1.3 encoder with 0x05 in the header; this file writes the ones 1.4
 * changed (port-status, port-mod, the port-desc / port-stats / queue-stats replies,
 * async config) or added (role-status, bundle-control, bundle-add-message, flow monitors).
 *
 * Invariants: every message but queue-get-config (gone in 1.4: null) has a 1.4 form; the
 * internal packet-in and flow-removed reasons are 1.4's numbers (OFPR_ACTION is 1.4's
 * OFPR_APPLY_ACTION; the agent maps the finer ones down for 1.3 and 1.0 peers); lengths
 * include the header; > 65535 bytes throws RangeError.
 */
import { OFP_HEADER_LEN, OFP_MAX_MSG_LEN, OFPT_GET_ASYNC_REPLY, OFPT_MULTIPART_REPLY, OFPT_MULTIPART_REQUEST, OFPT_PORT_MOD, OFPT_PORT_STATUS, OFPT_SET_ASYNC } from '../constants.js';
import { encodeMessage } from '../encode.js';
import type { OFMessage } from '../message-types.js';
import { OFPMP } from '../multipart-types.js';
import { encodeFlowStats } from '../multipart.js';
import { Writer } from '../wire.js';
import { encodeAsync14, encodeAsyncUpdate14 } from './async-config.js';
import { encodeBundleBody } from './bundle-codec.js';
import { encodeFlowMonitors, encodeFlowUpdates } from './flow-monitor-codec.js';
import {
  OFP14_BUNDLE_ADD_LEN, OFP14_BUNDLE_CTRL_LEN, OFP14_PORT_MOD_LEN, OFP14_PORT_MOD_PROP_ETHERNET_LEN, OFP14_ROLE_STATUS_LEN,
  OFP14_QUEUE_DESC_LEN, OFP14_TABLE_DESC_LEN, OFP14_VERSION, OFPMP14_FLOW_MONITOR, OFPMP14_QUEUE_DESC, OFPMP14_TABLE_DESC, OFPPMPT_ETHERNET, OFPT14_BUNDLE_ADD_MESSAGE, OFPT14_BUNDLE_CONTROL,
  OFPT14_ROLE_STATUS,
} from './constants.js';
import {
  OFP14_BUNDLE_ADD as BA, OFP14_BUNDLE_CTRL as BC, OFP14_PORT_MOD as PM, OFP14_PORT_MOD_PROP_ETHERNET as PME,
  OFP14_ROLE_STATUS as RS,
} from './layouts.js';
import { encodePort14, encodePortStats14, encodeQueueStats14 } from './structs.js';

/** Writes the header of a message of `type`; the body follows, the length is patched last. */
/** The header version and a bundle's inner encoder: 1.4's, or 1.5's when the 1.5 codec
 * hands a message over (encodeMessage14As). */
interface As { readonly version: number; readonly inner: (m: OFMessage) => Uint8Array | null }
const AS14: As = { version: OFP14_VERSION, inner: (m) => encodeMessage14(m) };

function header(w: Writer, type: number, xid: number, as: As): void {
  w.u8(as.version); w.u8(type); w.u16(0); w.u32(xid);
}

/** The body of the messages this file writes; false = the 1.3 form (with 0x05) is 1.4's. */
function encodeBody14(w: Writer, m: OFMessage, as: As): boolean {
  switch (m.type) {
    case 'port_status': header(w, OFPT_PORT_STATUS, m.xid, as); w.u8(m.reason); w.zeros(7); encodePort14(w, m.port); return true;
    case 'port_mod': {
      header(w, OFPT_PORT_MOD, m.xid, as);
      w.zeros(OFP14_PORT_MOD_LEN - OFP_HEADER_LEN);
      w.u32At(0, PM.PORT_NO, m.portNo); w.bytesAt(0, PM.HW_ADDR, m.hwAddr); w.u32At(0, PM.CONFIG, m.config); w.u32At(0, PM.MASK, m.mask);
      const at = w.pos;
      w.zeros(OFP14_PORT_MOD_PROP_ETHERNET_LEN);
      w.u16At(at, PME.TYPE, OFPPMPT_ETHERNET); w.u16At(at, PME.LENGTH, OFP14_PORT_MOD_PROP_ETHERNET_LEN); w.u32At(at, PME.ADVERTISE, m.advertise);
      return true;
    }
    case 'multipart_reply': {
      const b = m.body;
      if (b.kind !== 'port_desc' && b.kind !== 'port_stats' && b.kind !== 'queue' && b.kind !== 'flow') return false;
      header(w, OFPT_MULTIPART_REPLY, m.xid, as); w.u16(OFPMP[b.kind]); w.u16(m.flags); w.zeros(4);
      if (b.kind === 'flow') for (const f of b.flows) encodeFlowStats(w, f, true); // with importance
      else if (b.kind === 'port_desc') for (const p of b.ports) encodePort14(w, p);
      else if (b.kind === 'port_stats') for (const p of b.ports) encodePortStats14(w, p);
      else for (const q of b.queues) encodeQueueStats14(w, q);
      return true;
    }
    case 'get_async_reply': header(w, OFPT_GET_ASYNC_REPLY, m.xid, as); encodeAsync14(w, m); return true;
    case 'set_async': {
      header(w, OFPT_SET_ASYNC, m.xid, as);
      encodeAsyncUpdate14(w, m);
      return true;
    }
    case 'role_status':
      header(w, OFPT14_ROLE_STATUS, m.xid, as); w.zeros(OFP14_ROLE_STATUS_LEN - OFP_HEADER_LEN);
      w.u32At(0, RS.ROLE, m.role); w.u8At(0, RS.REASON, m.reason); w.u64At(0, RS.GENERATION_ID, m.generationId);
      return true;
    case 'bundle_control':
      header(w, OFPT14_BUNDLE_CONTROL, m.xid, as); encodeBundleBody(w, m, 0, as.inner);
      return true;
    case 'bundle_add_message':
      header(w, OFPT14_BUNDLE_ADD_MESSAGE, m.xid, as); encodeBundleBody(w, m, 0, as.inner);
      return true;
    case 'table_desc_request': case 'queue_desc_request':
      header(w, OFPT_MULTIPART_REQUEST, m.xid, as);
      w.u16(m.type === 'table_desc_request' ? OFPMP14_TABLE_DESC : OFPMP14_QUEUE_DESC); w.u16(m.flags); w.zeros(4);
      if (m.type === 'queue_desc_request') { w.u32(m.portNo); w.u32(m.queueId); }
      return true;
    case 'table_desc_reply':
      header(w, OFPT_MULTIPART_REPLY, m.xid, as); w.u16(OFPMP14_TABLE_DESC); w.u16(m.flags); w.zeros(4);
      for (const t of m.tables) { w.u16(OFP14_TABLE_DESC_LEN); w.u8(t.tableId); w.u8(0); w.u32(t.config); }
      return true;
    case 'queue_desc_reply':
      header(w, OFPT_MULTIPART_REPLY, m.xid, as); w.u16(OFPMP14_QUEUE_DESC); w.u16(m.flags); w.zeros(4);
      for (const q of m.queues) { w.u32(q.portNo); w.u32(q.queueId); w.u16(OFP14_QUEUE_DESC_LEN); w.zeros(6); }
      return true;
    case 'flow_monitor_request':
      header(w, OFPT_MULTIPART_REQUEST, m.xid, as); w.u16(OFPMP14_FLOW_MONITOR); w.u16(m.flags); w.zeros(4);
      encodeFlowMonitors(w, m.monitors);
      return true;
    case 'flow_monitor_reply':
      header(w, OFPT_MULTIPART_REPLY, m.xid, as); w.u16(OFPMP14_FLOW_MONITOR); w.u16(m.flags); w.zeros(4);
      encodeFlowUpdates(w, m.updates);
      return true;
    default:
      return false;
  }
}

/** Encodes one message in its 1.4 form, header included; null for queue-get-config,
 * which 1.4 removed (the agent answers it only to the 1.3 and 1.0 peers that can ask). */
export function encodeMessage14(m: OFMessage): Uint8Array | null {
  return encodeMessage14As(m, AS14);
}

/** encodeMessage14 with another header version and inner encoder (the 1.5 codec). */
export function encodeMessage14As(m: OFMessage, as: As): Uint8Array | null {
  if (m.type === 'queue_get_config_request' || m.type === 'queue_get_config_reply') return null;
  const w = new Writer(256);
  if (!encodeBody14(w, m, as)) return encodeMessage(m, as.version);
  if (w.pos > OFP_MAX_MSG_LEN) throw new RangeError(`${m.type} of ${w.pos} bytes exceeds the 65535-byte OpenFlow limit`);
  w.patch16(2, w.pos);
  return w.finish();
}
