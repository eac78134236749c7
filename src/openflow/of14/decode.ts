/**
 * bytes → OFMessage for OpenFlow 1.4 (OF1.4.1 §7). 1.4 kept most of 1.3's messages
 * byte for byte; those go to the 1.3 decoder with 0x05 as the accepted version. This file
 * decodes what 1.4 changed or added: ofp_port with properties (port-status; port-desc,
 * port-stats and queue-stats replies), port-mod with properties, async config as
 * properties, role-status, bundle-control and bundle-add-message, table-mod with
 * properties, and the multipart kinds 1.4 added (table desc, queue desc, flow monitor).
 *
 * Invariants: as the 1.3 decoder, never throws (decodeMessage14 catches a codec bug as
 * OFPBRC_BAD_LEN) and returns the spec's error for bad input: version ≠ 0x05 →
 * OFPBRC_BAD_VERSION, type > 34, a type 1.4 removed (queue-get-config, 22 and 23) or a
 * switch-to-controller-only type Sluice never receives (table-status, requestforward) →
 * OFPBRC_BAD_TYPE, short or inconsistent
 * lengths → OFPBRC_BAD_LEN, bad properties → OFPET_BAD_PROPERTY. A bundle-add's inner
 * message is decoded by this same decoder; its length must fill the message up to the
 * (ignored) properties, else OFPBFC_MSG_BAD_LEN.
 */
import {
  OFPBFC_MSG_BAD_LEN, OFPBFC_MSG_UNSUP, OFPBPC_BAD_EXPERIMENTER, OFPBPC_BAD_TYPE, OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE, OFPBRC_BAD_VERSION,
  OFPET_BAD_PROPERTY, OFPET_BAD_REQUEST, OFPET_BUNDLE_FAILED, isOFError, ofError, type OFError,
} from '../../pipeline/errors.js';
import {
  OFP_HEADER_LEN, OFPT_GET_ASYNC_REPLY, OFPT_HELLO, OFPT_MULTIPART_REPLY, OFPT_MULTIPART_REQUEST, OFPT_PORT_MOD, OFPT_PORT_STATUS,
  OFPT_QUEUE_GET_CONFIG_REPLY, OFPT_QUEUE_GET_CONFIG_REQUEST, OFPT_SET_ASYNC, OFPT_TABLE_MOD,
} from '../constants.js';
import { decodeMessage } from '../decode.js';
import type { OFMessage } from '../message-types.js';
import { OFPMP } from '../multipart-types.js';
import { Reader } from '../wire.js';
import { decodeAsync14 } from './async-config.js';
import { decodeBundleAdd, decodeBundleControl } from './bundle-codec.js';
import { decodeFlowMonitors, decodeFlowUpdates } from './flow-monitor-codec.js';
import {
  OFP14_BUNDLE_ADD_LEN, OFP14_BUNDLE_CTRL_LEN, OFP14_PORT_LEN, OFP14_PORT_MOD_LEN, OFP14_PORT_MOD_PROP_ETHERNET_LEN,
  OFP14_QUEUE_DESC_LEN, OFP14_QUEUE_DESC_REQUEST_LEN, OFP14_ROLE_STATUS_LEN, OFP14_TABLE_DESC_LEN, OFP14_TABLE_MOD_LEN,
  OFP14_VERSION, OFPMP14_FLOW_MONITOR, OFPMP14_QUEUE_DESC, OFPMP14_TABLE_DESC, OFPPMPT_ETHERNET, OFPPMPT_EXPERIMENTER, OFPT14_BUNDLE_ADD_MESSAGE,
  OFPT14_BUNDLE_CONTROL, OFPT14_MAX, OFPT14_REQUESTFORWARD, OFPT14_ROLE_STATUS, OFPT14_TABLE_STATUS,
} from './constants.js';
import {
  OFP14_BUNDLE_ADD as BA, OFP14_BUNDLE_CTRL as BC, OFP14_PORT_MOD as PM, OFP14_PORT_MOD_PROP_ETHERNET as PME,
  OFP14_ROLE_STATUS as RS,
} from './layouts.js';
import { badPropLen, readProps } from './properties.js';
import { decodePort14, decodePorts14, decodePortStatsList14, decodeQueueStatsList14 } from './structs.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

/** What the 1.5 codec changes when it hands a message over (of15/decode.ts): the header
 * version accepted, the decoder of a bundle's inner message, and the async-config
 * property types it accepts and ignores beyond 1.4's. */
interface Decode14Options {
  readonly version: number;
  readonly inner: (buf: Uint8Array) => OFMessage | OFError;
  readonly asyncIgnored?: ReadonlySet<number>;
}

/** Decodes one whole 1.4 message. */
export function decodeMessage14Strict(buf: Uint8Array, o?: Decode14Options): OFMessage | OFError {
  const v = o?.version ?? OFP14_VERSION;
  if (buf.length < OFP_HEADER_LEN) return badLen(`message of ${buf.length} bytes has no header`);
  const r = Reader.of(buf);
  const version = r.u8(); const type = r.u8(); const length = r.u16(); const xid = r.u32();
  if (length !== buf.length) return badLen(`header length ${length} but ${buf.length} bytes given`);
  if (type === OFPT_HELLO) return decodeMessage(buf); // at any version (§6.3.1)
  if (version !== v) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION, `version 0x${version.toString(16)} is not 0x${v.toString(16)}`);
  switch (type) {
    case OFPT_PORT_STATUS: {
      if (r.left < 8 + OFP14_PORT_LEN) return badLen(`port-status of ${buf.length} bytes`);
      const reason = r.u8(); r.skip(7);
      const port = decodePort14(r);
      return isOFError(port) ? port : { type: 'port_status', xid, reason, port };
    }
    case OFPT_PORT_MOD: return decodePortMod14(r, xid);
    case OFPT_MULTIPART_REQUEST: {
      const mp = r.left >= 8 ? r.u16At(0, [8, 10]) : -1;
      if (mp !== OFPMP14_FLOW_MONITOR && mp !== OFPMP14_TABLE_DESC && mp !== OFPMP14_QUEUE_DESC) return decodeMessage(buf, v);
      r.skip(2); const flags = r.u16(); r.skip(4);
      if (mp === OFPMP14_TABLE_DESC) {
        return r.left === 0 ? { type: 'table_desc_request', xid, flags } : ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, 'table desc request with a body');
      }
      if (mp === OFPMP14_QUEUE_DESC) {
        if (r.left !== OFP14_QUEUE_DESC_REQUEST_LEN) return badLen(`queue desc request body of ${r.left} bytes`);
        return { type: 'queue_desc_request', xid, flags, portNo: r.u32(), queueId: r.u32() };
      }
      const monitors = decodeFlowMonitors(r);
      return isOFError(monitors) ? monitors : { type: 'flow_monitor_request', xid, flags, monitors };
    }
    case OFPT_TABLE_MOD: {
      // 1.4 adds properties (eviction, vacancy) after the 1.3 body; Sluice has neither: the
      // properties are read (and must be well formed) and not kept, the config bits checked by the agent
      if (buf.length < OFP14_TABLE_MOD_LEN) return badLen(`table-mod of ${buf.length} bytes`);
      const tableId = r.u8(); r.skip(3); const config = r.u32();
      const e = readProps(r, 'table-mod', () => null);
      return e ?? { type: 'table_mod', xid, tableId, config };
    }
    case OFPT_MULTIPART_REPLY: {
      if (r.left < 8) return badLen('multipart reply truncated');
      const mp = r.u16(); const flags = r.u16(); r.skip(4);
      if (mp === OFPMP14_TABLE_DESC) {
        const tables: { tableId: number; config: number }[] = [];
        while (r.left > 0) {
          if (r.left < OFP14_TABLE_DESC_LEN) return badLen('table desc truncated');
          const len = r.u16(); const tableId = r.u8(); r.skip(1); const config = r.u32();
          if (len < OFP14_TABLE_DESC_LEN || len - OFP14_TABLE_DESC_LEN > r.left) return badLen(`table desc length ${len}`);
          r.skip(len - OFP14_TABLE_DESC_LEN); // properties: not represented
          tables.push({ tableId, config });
        }
        return { type: 'table_desc_reply', xid, flags, tables };
      }
      if (mp === OFPMP14_QUEUE_DESC) {
        const queues: { portNo: number; queueId: number }[] = [];
        while (r.left > 0) {
          if (r.left < OFP14_QUEUE_DESC_LEN) return badLen('queue desc truncated');
          const portNo = r.u32(); const queueId = r.u32(); const len = r.u16(); r.skip(6);
          if (len < OFP14_QUEUE_DESC_LEN || len - OFP14_QUEUE_DESC_LEN > r.left) return badLen(`queue desc length ${len}`);
          r.skip(len - OFP14_QUEUE_DESC_LEN);
          queues.push({ portNo, queueId });
        }
        return { type: 'queue_desc_reply', xid, flags, queues };
      }
      if (mp === OFPMP14_FLOW_MONITOR) { const updates = decodeFlowUpdates(r); return isOFError(updates) ? updates : { type: 'flow_monitor_reply', xid, flags, updates }; }
      if (mp === OFPMP.port_desc) { const ports = decodePorts14(r); return isOFError(ports) ? ports : { type: 'multipart_reply', xid, flags, body: { kind: 'port_desc', ports } }; }
      if (mp === OFPMP.port_stats) { const ports = decodePortStatsList14(r); return isOFError(ports) ? ports : { type: 'multipart_reply', xid, flags, body: { kind: 'port_stats', ports } }; }
      if (mp === OFPMP.queue) { const queues = decodeQueueStatsList14(r); return isOFError(queues) ? queues : { type: 'multipart_reply', xid, flags, body: { kind: 'queue', queues } }; }
      return decodeMessage(buf, v);
    }
    case OFPT_GET_ASYNC_REPLY: case OFPT_SET_ASYNC: {
      const a = decodeAsync14(r, o?.asyncIgnored);
      if (isOFError(a)) return a;
      if (type === OFPT_SET_ASYNC) return { type: 'set_async', xid, ...a };
      const full = (m: readonly [number | null, number | null] | undefined): [number, number] => [m?.[0] ?? 0, m?.[1] ?? 0];
      return {
        type: 'get_async_reply', xid, packetInMask: full(a.packetInMask), portStatusMask: full(a.portStatusMask),
        flowRemovedMask: full(a.flowRemovedMask), roleStatusMask: full(a.roleStatusMask),
      };
    }
    case OFPT14_ROLE_STATUS: {
      if (buf.length < OFP14_ROLE_STATUS_LEN) return badLen(`role-status of ${buf.length} bytes`);
      return { type: 'role_status', xid, role: r.u32At(0, RS.ROLE), reason: r.u8At(0, RS.REASON), generationId: r.u64At(0, RS.GENERATION_ID) };
    }
    case OFPT14_BUNDLE_CONTROL: return decodeBundleControl(buf, 0, xid);
    case OFPT14_BUNDLE_ADD_MESSAGE: return decodeBundleAdd(buf, 0, xid, o?.inner ?? ((b) => decodeMessage14Strict(b)));
    case OFPT14_TABLE_STATUS: case OFPT14_REQUESTFORWARD:
      return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `message type ${type} is switch-to-controller only`);
    case OFPT_QUEUE_GET_CONFIG_REQUEST: case OFPT_QUEUE_GET_CONFIG_REPLY:
      return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `message type ${type}: OpenFlow 1.4 removed queue-get-config (OFPMP_QUEUE_DESC replaces it)`);
    default:
      if (type > OFPT14_MAX) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `unknown message type ${type}`);
      return decodeMessage(buf, v);
  }
}

/** OFPT_PORT_MOD (§7.3.4.3): the 1.3 fields but advertise, which is an Ethernet property. */
function decodePortMod14(r: Reader, xid: number): OFMessage | OFError {
  if (r.end < OFP14_PORT_MOD_LEN) return badLen(`port-mod of ${r.end} bytes, at least ${OFP14_PORT_MOD_LEN}`);
  const portNo = r.u32At(0, PM.PORT_NO); const hwAddr = r.bytesAt(0, PM.HW_ADDR);
  const config = r.u32At(0, PM.CONFIG); const mask = r.u32At(0, PM.MASK);
  let advertise = 0;
  r.pos = OFP14_PORT_MOD_LEN;
  const e = readProps(r, 'port-mod', (type, len, body) => {
    if (type === OFPPMPT_ETHERNET) {
      if (len !== OFP14_PORT_MOD_PROP_ETHERNET_LEN) return badPropLen(`port-mod ethernet property of length ${len}`);
      advertise = body.u32At(body.pos - 4, PME.ADVERTISE);
      return null;
    }
    if (type === OFPPMPT_EXPERIMENTER) return ofError(OFPET_BAD_PROPERTY, OFPBPC_BAD_EXPERIMENTER, 'port-mod experimenter property');
    return ofError(OFPET_BAD_PROPERTY, OFPBPC_BAD_TYPE, `port-mod property type ${type} (optical ports: none here)`);
  });
  return e ?? { type: 'port_mod', xid, portNo, hwAddr, config, mask, advertise };
}

/** Decodes one whole 1.4 message; never throws. */
export function decodeMessage14(buf: Uint8Array): OFMessage | OFError {
  try {
    return decodeMessage14Strict(buf);
  } catch (e) {
    return badLen(`undecodable message (${e instanceof Error ? e.message : String(e)})`);
  }
}
