/**
 * bytes → OFMessage for OpenFlow 1.5 (OF1.5.1 §7). 1.5 kept most of 1.4's messages byte
 * for byte; those go to the 1.4 decoder with 0x06 as the accepted version (and this
 * decoder for a bundle's inner message). This file decodes what 1.5 changed: packet-out
 * with a match (in_port and metadata), flow-removed with OXS stats, group-mod with bucket
 * ids and properties, and the multipart replies of flow desc, flow stats (the new
 * OFPMP_FLOW_STATS), aggregate (OXS) and group desc, plus the new flow stats request.
 * Meter features keep 1.3's 16-byte form, as Open vSwitch writes and reads them in 1.5
 * (the 1.5.1 spec appends a `features` word; ovs-ofctl refuses that form).
 *
 * Invariants: as the 1.4 decoder, never throws (decodeMessage15 catches a codec bug as
 * OFPBRC_BAD_LEN) and returns the spec's error for bad input: version ≠ 0x06 →
 * OFPBRC_BAD_VERSION; type > 35, or a switch-to-controller-only type (controller-status,
 * table-status, requestforward) → OFPBRC_BAD_TYPE; OFPMP_CONTROLLER_STATUS and
 * OFPMP_BUNDLE_FEATURES requests → OFPBRC_BAD_MULTIPART (Sluice offers neither); the
 * meter instruction, which 1.5 deprecated (OFPIT_DEPRECATED), → OFPBIC_UNKNOWN_INST; a
 * packet-out match with a field other than in_port, metadata or packet_type Ethernet →
 * OFPBMC_BAD_FIELD.
 */
import {
  OFPBIC_UNKNOWN_INST, OFPBMC_BAD_FIELD, OFPBRC_BAD_LEN, OFPBRC_BAD_MULTIPART, OFPBRC_BAD_TYPE, OFPBRC_BAD_VERSION,
  OFPET_BAD_INSTRUCTION, OFPET_BAD_MATCH, OFPET_BAD_REQUEST, isOFError, ofError, type OFError,
} from '../../pipeline/errors.js';
import { OFPXMT_OFB_IN_PORT, OFPXMT_OFB_METADATA, OFPXMT_OFB_PACKET_TYPE } from '../../packet/oxm.js';
import { OFPP_CONTROLLER, type Instruction, type Match } from '../../pipeline/types.js';
import {
  OFP_HEADER_LEN, OFPT_FLOW_MOD, OFPT_FLOW_REMOVED, OFPT_GROUP_MOD, OFPT_HELLO, OFPT_MULTIPART_REPLY, OFPT_MULTIPART_REQUEST,
  OFPT_PACKET_OUT,
} from '../constants.js';
import { decodeMessage } from '../decode.js';
import { decodeInstructions } from '../instructions-codec.js';
import type { OFMessage } from '../message-types.js';
import { OFPMP, type FlowStats } from '../multipart-types.js';
import { decodeMatch } from '../oxm-codec.js';
import { decodeMessage14Strict } from '../of14/decode.js';
import { decodeActions } from '../actions-codec.js';
import { Reader } from '../wire.js';
import {
  OFP15_FLOW_DESC_LEN, OFP15_FLOW_REMOVED_LEN, OFP15_FLOW_STATS_LEN, OFP15_GROUP_DESC_LEN, OFP15_GROUP_MOD_LEN,
  OFP15_PACKET_OUT_LEN, OFP15_VERSION, OFPACPT15_CONT_STATUS_MASTER, OFPACPT15_CONT_STATUS_SLAVE,
  OFPACPT15_FLOW_STATS_MASTER, OFPACPT15_FLOW_STATS_SLAVE, OFPMP15_BUNDLE_FEATURES, OFPMP15_CONTROLLER_STATUS,
  OFPMP15_FLOW_DESC, OFPMP15_FLOW_STATS, OFPT15_CONTROLLER_STATUS, OFPT15_MAX,
} from './constants.js';
import { decodeBuckets15 } from './groups.js';
import {
  OFP15_FLOW_DESC as FD, OFP15_FLOW_REMOVED as FR, OFP15_FLOW_STATS as FS, OFP15_GROUP_DESC as GD, OFP15_GROUP_MOD as GM,
  OFP15_PACKET_OUT as PO,
} from './layouts.js';
import { decodeStats, type OxsStats } from './oxs.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

const ASYNC_IGNORED: ReadonlySet<number> = new Set([
  OFPACPT15_FLOW_STATS_SLAVE, OFPACPT15_FLOW_STATS_MASTER, OFPACPT15_CONT_STATUS_SLAVE, OFPACPT15_CONT_STATUS_MASTER,
]);
const AS15 = { version: OFP15_VERSION, inner: (b: Uint8Array) => decodeMessage15Strict(b), asyncIgnored: ASYNC_IGNORED };

/** Decodes one whole 1.5 message. */
export function decodeMessage15Strict(buf: Uint8Array): OFMessage | OFError {
  if (buf.length < OFP_HEADER_LEN) return badLen(`message of ${buf.length} bytes has no header`);
  const r = Reader.of(buf);
  const version = r.u8(); const type = r.u8(); const length = r.u16(); const xid = r.u32();
  if (length !== buf.length) return badLen(`header length ${length} but ${buf.length} bytes given`);
  if (type === OFPT_HELLO) return decodeMessage(buf); // at any version (§6.3.1)
  if (version !== OFP15_VERSION) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION, `version 0x${version.toString(16)} is not OpenFlow 1.5`);
  if (type > OFPT15_MAX) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `unknown message type ${type}`);
  switch (type) {
    case OFPT15_CONTROLLER_STATUS:
      return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `message type ${type} (controller status) is switch-to-controller only`);
    case OFPT_PACKET_OUT: return decodePacketOut(r, xid);
    case OFPT_FLOW_REMOVED: return decodeFlowRemoved(r, xid);
    case OFPT_GROUP_MOD: {
      if (buf.length < OFP15_GROUP_MOD_LEN) return badLen(`group-mod of ${buf.length} bytes`);
      const command = r.u16At(0, GM.COMMAND); const groupType = r.u8At(0, GM.TYPE); const groupId = r.u32At(0, GM.GROUP_ID);
      const bucketsLen = r.u16At(0, GM.BUCKET_ARRAY_LEN); const commandBucketId = r.u32At(0, GM.COMMAND_BUCKET_ID);
      r.pos = OFP15_GROUP_MOD_LEN;
      if (bucketsLen > r.left) return badLen(`group-mod bucket_array_len ${bucketsLen} exceeds the message`);
      const buckets = decodeBuckets15(r.sub(bucketsLen), groupType);
      if (isOFError(buckets)) return buckets;
      // group properties (only experimenter ones exist in 1.5): read and not kept
      return { type: 'group_mod', xid, command, groupType, groupId, buckets, commandBucketId };
    }
    case OFPT_MULTIPART_REQUEST: {
      const mp = r.left >= 8 ? r.u16At(0, [8, 10]) : -1;
      if (mp === OFPMP15_CONTROLLER_STATUS || mp === OFPMP15_BUNDLE_FEATURES) {
        return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART, `multipart type ${mp} (${mp === OFPMP15_BUNDLE_FEATURES ? 'bundle features' : 'controller status'}) is not supported`);
      }
      if (mp === OFPMP.group_desc || mp === OFPMP.port_desc) {
        // 1.5 names a group (OFPG_ALL) or a port (OFPP_ANY): group_id/port_no(32) pad(32)
        if (buf.length !== OFP_HEADER_LEN + 8 + 8) return badLen(`${mp === OFPMP.group_desc ? 'group' : 'port'} desc request of ${buf.length} bytes, expected 24`);
        const flags = r.u16At(0, [10, 12]); const id = r.u32At(0, [16, 20]);
        return { type: 'multipart_request', xid, flags, body: mp === OFPMP.group_desc ? { kind: 'group_desc', groupId: id } : { kind: 'port_desc', portNo: id } };
      }
      if (mp !== OFPMP15_FLOW_STATS) return decodeMessage14Strict(buf, AS15);
      // the new flow stats: its request is 1.3's flow stats request
      const m = decodeMessage14Strict(patchMultipartType(buf, OFPMP15_FLOW_DESC), AS15);
      if (isOFError(m) || m.type !== 'multipart_request' || m.body.kind !== 'flow') return m;
      return { ...m, body: { ...m.body, form: 'flow_stats' } };
    }
    case OFPT_MULTIPART_REPLY: return decodeMultipartReply15(buf, r, xid);
    case OFPT_FLOW_MOD: {
      const m = decodeMessage14Strict(buf, AS15);
      if (isOFError(m) || m.type !== 'flow_mod') return m;
      return meterInstructionError(m.instructions) ?? m;
    }
    default:
      return decodeMessage14Strict(buf, AS15);
  }
}

/** OF1.5 deprecated the meter instruction (OFPIT_DEPRECATED = 6): the meter action replaces it. */
function meterInstructionError(insts: readonly Instruction[]): OFError | null {
  return insts.some((i) => i.type === 'meter')
    ? ofError(OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST, 'instruction type 6: OpenFlow 1.5 deprecated the meter instruction (use the meter action)')
    : null;
}

/** A copy of a multipart message with another multipart type (to hand 1.5's flow stats
 * request, which has 1.3's body, to the 1.3 decoder). */
function patchMultipartType(buf: Uint8Array, mp: number): Uint8Array {
  const c = buf.slice();
  c[8] = mp >> 8; c[9] = mp & 0xff;
  return c;
}

/** OFPT_PACKET_OUT of 1.5 (§7.3.7): buffer_id, actions_len, a match for the pipeline fields. */
function decodePacketOut(r: Reader, xid: number): OFMessage | OFError {
  if (r.end < OFP15_PACKET_OUT_LEN) return badLen(`packet-out of ${r.end} bytes, at least ${OFP15_PACKET_OUT_LEN}`);
  const bufferId = r.u32At(0, PO.BUFFER_ID); const actionsLen = r.u16At(0, PO.ACTIONS_LEN);
  r.pos = PO.MATCH[0];
  const match = decodeMatch(r);
  if (isOFError(match)) return match;
  let inPort = OFPP_CONTROLLER;
  let metadata = 0n;
  for (const f of match) {
    const v = f.value;
    if (f.field === OFPXMT_OFB_IN_PORT && f.mask === undefined && v.length === 4) inPort = ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
    else if (f.field === OFPXMT_OFB_METADATA && f.mask === undefined && v.length === 8) {
      for (const b of v) metadata = (metadata << 8n) | BigInt(b);
    } else if (f.field === OFPXMT_OFB_PACKET_TYPE && f.mask === undefined && v.length === 4 && v.every((b) => b === 0)) continue;
    else return ofError(OFPET_BAD_MATCH, OFPBMC_BAD_FIELD, `packet-out match: field ${f.field} is not a pipeline field Sluice takes (in_port, metadata)`);
  }
  if (actionsLen > r.left) return badLen(`packet-out: actions_len ${actionsLen} exceeds the message`);
  const actions = decodeActions(r.sub(actionsLen));
  if (isOFError(actions)) return actions;
  return { type: 'packet_out', xid, bufferId, inPort, actions, data: r.bytes(r.left), ...(metadata !== 0n ? { metadata } : {}) };
}

function decodeFlowRemoved(r: Reader, xid: number): OFMessage | OFError {
  if (r.end < OFP15_FLOW_REMOVED_LEN) return badLen(`flow-removed of ${r.end} bytes`);
  const tableId = r.u8At(0, FR.TABLE_ID); const reason = r.u8At(0, FR.REASON); const priority = r.u16At(0, FR.PRIORITY);
  const idleTimeout = r.u16At(0, FR.IDLE_TIMEOUT); const hardTimeout = r.u16At(0, FR.HARD_TIMEOUT); const cookie = r.u64At(0, FR.COOKIE);
  r.pos = FR.MATCH[0];
  const match = decodeMatch(r);
  if (isOFError(match)) return match;
  const s = decodeStats(r);
  if (isOFError(s)) return s;
  if (r.left !== 0) return badLen('flow-removed: trailing bytes after the stats');
  return {
    type: 'flow_removed', xid, cookie, priority, reason, tableId, durationSec: s.durationSec ?? 0, durationNsec: s.durationNsec ?? 0,
    idleTimeout, hardTimeout, packetCount: s.packetCount ?? 0n, byteCount: s.byteCount ?? 0n, match,
  };
}

/** The FlowStats of a 1.5 flow desc or flow stats entry (fields 1.5 does not carry are 0). */
function flowStatsOf(tableId: number, priority: number, match: Match, s: OxsStats, rest: Partial<FlowStats>): FlowStats {
  return {
    tableId, priority, match, durationSec: s.durationSec ?? 0, durationNsec: s.durationNsec ?? 0,
    packetCount: s.packetCount ?? 0n, byteCount: s.byteCount ?? 0n,
    idleTimeout: 0, hardTimeout: 0, flags: 0, cookie: 0n, instructions: [], ...rest,
    ...(s.idleSec !== undefined ? { idleSec: s.idleSec } : {}),
  };
}

/** Records that start with their 16-bit length, each decoded by `one` from a sub-reader. */
function lengthList<T>(r: Reader, min: number, what: string, one: (e: Reader) => T | OFError): T[] | OFError {
  const out: T[] = [];
  while (r.left > 0) {
    const len = r.left >= 2 ? r.peek16() : 0;
    if (len < min || len > r.left) return badLen(`${what}: element length ${len}`);
    const x = one(r.sub(len));
    if (isOFError(x)) return x;
    out.push(x);
  }
  return out;
}

function decodeMultipartReply15(buf: Uint8Array, r: Reader, xid: number): OFMessage | OFError {
  if (r.left < 8) return badLen('multipart reply truncated');
  const mp = r.u16(); const flags = r.u16(); r.skip(4);
  switch (mp) {
    case OFPMP15_FLOW_DESC: case OFPMP15_FLOW_STATS: {
      const desc = mp === OFPMP15_FLOW_DESC;
      const flows = lengthList(r, desc ? OFP15_FLOW_DESC_LEN : OFP15_FLOW_STATS_LEN, desc ? 'flow desc' : 'flow stats', (e) => {
        const L = desc ? FD : FS;
        const at = e.pos;
        const tableId = e.u8At(at, L.TABLE_ID); const priority = e.u16At(at, L.PRIORITY);
        e.pos = at + L.MATCH[0];
        const match = decodeMatch(e);
        if (isOFError(match)) return match;
        const s = decodeStats(e);
        if (isOFError(s)) return s;
        if (!desc) return e.left === 0 ? flowStatsOf(tableId, priority, match, s, {}) : badLen('flow stats: trailing bytes');
        const instructions = decodeInstructions(e);
        if (isOFError(instructions)) return instructions;
        return flowStatsOf(tableId, priority, match, s, {
          idleTimeout: e.u16At(at, FD.IDLE_TIMEOUT), hardTimeout: e.u16At(at, FD.HARD_TIMEOUT), flags: e.u16At(at, FD.FLAGS),
          cookie: e.u64At(at, FD.COOKIE), instructions,
          ...(e.u16At(at, FD.IMPORTANCE) !== 0 ? { importance: e.u16At(at, FD.IMPORTANCE) } : {}),
        });
      });
      if (isOFError(flows)) return flows;
      return { type: 'multipart_reply', xid, flags, body: desc ? { kind: 'flow', flows } : { kind: 'flow', flows, form: 'flow_stats' } };
    }
    case OFPMP.aggregate: {
      const s = decodeStats(r);
      if (isOFError(s)) return s;
      if (r.left !== 0) return badLen('aggregate stats: trailing bytes');
      return { type: 'multipart_reply', xid, flags, body: { kind: 'aggregate', packetCount: s.packetCount ?? 0n, byteCount: s.byteCount ?? 0n, flowCount: s.flowCount ?? 0 } };
    }
    case OFPMP.group_desc: {
      const groups = lengthList(r, OFP15_GROUP_DESC_LEN, 'group desc', (e) => {
        const at = e.pos;
        const groupType = e.u8At(at, GD.TYPE); const groupId = e.u32At(at, GD.GROUP_ID); const len = e.u16At(at, GD.BUCKET_ARRAY_LEN);
        e.pos = at + OFP15_GROUP_DESC_LEN;
        if (len > e.left) return badLen(`group desc bucket_array_len ${len}`);
        const buckets = decodeBuckets15(e.sub(len), groupType);
        return isOFError(buckets) ? buckets : { groupType, groupId, buckets };
      });
      return isOFError(groups) ? groups : { type: 'multipart_reply', xid, flags, body: { kind: 'group_desc', groups } };
    }
    default:
      return decodeMessage14Strict(buf, AS15);
  }
}


/** Decodes one whole 1.5 message; never throws. */
export function decodeMessage15(buf: Uint8Array): OFMessage | OFError {
  try {
    return decodeMessage15Strict(buf);
  } catch (e) {
    return badLen(`undecodable message (${e instanceof Error ? e.message : String(e)})`);
  }
}
