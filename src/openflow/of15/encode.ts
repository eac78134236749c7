/**
 * OFMessage → bytes for OpenFlow 1.5 (OF1.5.1 §7). The messages 1.5 left as in 1.4 are
 * written by the 1.4 encoder with 0x06 in the header; this file writes what 1.5 changed:
 * packet-out with a match, flow-removed with OXS stats, group-mod and group desc with
 * bucket ids and properties, the flow desc, flow stats and aggregate replies with OXS
 * stats, table features without the meter instruction, and the flow stats request.
 * Meter features keep 1.3's 16-byte form, as Open vSwitch (3.1) writes and reads them in
 * 1.5; the 1.5.1 spec's form appends a `features` word, which ovs-ofctl refuses.
 *
 * Invariants: a flow's meter instruction (installed by a 1.3 or 1.4 controller) is shown
 * as 1.5 says it, a meter action first in apply-actions (as Open vSwitch translates it);
 * flow stats carry duration, idle_time (when the flow's last use is known), packet_count
 * and byte_count, aggregate stats packet_count, byte_count and flow_count; lengths include the header; > 65535 bytes throws RangeError.
 */
import { OFPXMT_OFB_IN_PORT, OFPXMT_OFB_METADATA } from '../../packet/oxm.js';
import { OFPG_ALL, OFPG_BUCKET_ALL, OFPP_ANY, type Instruction, type OxmField } from '../../pipeline/types.js';
import {
  OFP_HEADER_LEN, OFP_MAX_MSG_LEN, OFPT_FLOW_REMOVED, OFPT_GROUP_MOD, OFPT_MULTIPART_REPLY, OFPT_MULTIPART_REQUEST, OFPT_PACKET_OUT,
} from '../constants.js';
import { encodeActions } from '../actions-codec.js';
import { encodeInstructions } from '../instructions-codec.js';
import type { FlowUpdate, OFMessage } from '../message-types.js';
import { OFPMP, type FlowStats, type TableFeatureProp, type TableFeatures } from '../multipart-types.js';
import { encodeMultipartRequestBody } from '../multipart.js';
import { encodeMatch } from '../oxm-codec.js';
import { encodeMessage14As } from '../of14/encode.js';
import { encodeTableFeatures } from '../table-features.js';
import { Writer } from '../wire.js';
import {
  OFP15_GROUP_DESC_LEN, OFP15_GROUP_MOD_LEN, OFP15_VERSION, OFPFSR_STATS_REQUEST, OFPIT15_DEPRECATED,
  OFPMP15_FLOW_DESC, OFPMP15_FLOW_STATS,
} from './constants.js';
import { encodeBuckets15 } from './groups.js';
import {
  OFP15_FLOW_DESC as FD, OFP15_FLOW_REMOVED as FR, OFP15_FLOW_STATS as FS, OFP15_GROUP_DESC as GD, OFP15_GROUP_MOD as GM,
  OFP15_PACKET_OUT as PO,
} from './layouts.js';
import { encodeStats } from './oxs.js';

const AS15 = { version: OFP15_VERSION, inner: (m: OFMessage) => encodeMessage15(m) };

function header(w: Writer, type: number, xid: number): void {
  w.u8(OFP15_VERSION); w.u8(type); w.u16(0); w.u32(xid);
}

function mpHeader(w: Writer, type: number, xid: number, mp: number, flags: number): void {
  header(w, type, xid); w.u16(mp); w.u16(flags); w.zeros(4);
}

const u32Bytes = (v: number): Uint8Array => new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
function u64Bytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  for (let i = 7; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n; }
  return b;
}

/** A 1.3 meter instruction as 1.5's meter action, first in apply-actions (OF1.5.1 §5.7). */
function meterAsAction(insts: readonly Instruction[]): readonly Instruction[] {
  const meter = insts.find((i) => i.type === 'meter');
  if (meter === undefined || meter.type !== 'meter') return insts;
  const act = { type: 'meter', meterId: meter.meterId } as const;
  const rest = insts.filter((i) => i.type !== 'meter');
  const apply = rest.find((i) => i.type === 'apply_actions');
  if (apply === undefined || apply.type !== 'apply_actions') return [{ type: 'apply_actions', actions: [act] }, ...rest];
  return rest.map((i) => (i === apply ? { type: 'apply_actions', actions: [act, ...apply.actions] } : i));
}

function encodeFlowDesc(w: Writer, f: FlowStats): void {
  const at = w.pos;
  w.zeros(FD.MATCH[0]);
  w.u8At(at, FD.TABLE_ID, f.tableId); w.u16At(at, FD.PRIORITY, f.priority);
  w.u16At(at, FD.IDLE_TIMEOUT, f.idleTimeout); w.u16At(at, FD.HARD_TIMEOUT, f.hardTimeout);
  w.u16At(at, FD.FLAGS, f.flags); w.u16At(at, FD.IMPORTANCE, f.importance ?? 0); w.u64At(at, FD.COOKIE, f.cookie);
  encodeMatch(w, f.match);
  encodeStats(w, { durationSec: f.durationSec, durationNsec: f.durationNsec, ...(f.idleSec !== undefined ? { idleSec: f.idleSec } : {}), packetCount: f.packetCount, byteCount: f.byteCount });
  encodeInstructions(w, meterAsAction(f.instructions));
  w.u16At(at, FD.LENGTH, w.pos - at);
}

function encodeFlowStats15(w: Writer, f: FlowStats): void {
  const at = w.pos;
  w.zeros(FS.MATCH[0]);
  w.u8At(at, FS.TABLE_ID, f.tableId); w.u8At(at, FS.REASON, OFPFSR_STATS_REQUEST); w.u16At(at, FS.PRIORITY, f.priority);
  encodeMatch(w, f.match);
  encodeStats(w, { durationSec: f.durationSec, durationNsec: f.durationNsec, ...(f.idleSec !== undefined ? { idleSec: f.idleSec } : {}), packetCount: f.packetCount, byteCount: f.byteCount });
  w.u16At(at, FS.LENGTH, w.pos - at);
}

/** Table features in 1.5: the meter instruction, which 1.5 deprecated, is left out. */
export function tableFeatures15(tables: readonly TableFeatures[]): TableFeatures[] {
  const prop = (p: TableFeatureProp): TableFeatureProp =>
    (p.kind === 'instructions' || p.kind === 'instructions_miss' ? { ...p, ids: p.ids.filter((i) => i.type !== OFPIT15_DEPRECATED) } : p);
  return tables.map((t) => ({ ...t, properties: t.properties.map(prop) }));
}

function flowUpdate15(u: FlowUpdate): FlowUpdate {
  return u.event <= 3 && 'instructions' in u ? { ...u, instructions: meterAsAction(u.instructions) } : u;
}

/** The body of the messages this file writes; false = the 1.4 form (with 0x06) is 1.5's. */
function encodeBody15(w: Writer, m: OFMessage): boolean {
  switch (m.type) {
    case 'packet_out': {
      header(w, OFPT_PACKET_OUT, m.xid);
      w.zeros(PO.MATCH[0] - OFP_HEADER_LEN);
      w.u32At(0, PO.BUFFER_ID, m.bufferId);
      const match: OxmField[] = [{ field: OFPXMT_OFB_IN_PORT, value: u32Bytes(m.inPort) }];
      if (m.metadata !== undefined && m.metadata !== 0n) match.push({ field: OFPXMT_OFB_METADATA, value: u64Bytes(m.metadata) });
      encodeMatch(w, match);
      const actionsAt = w.pos;
      encodeActions(w, m.actions);
      w.u16At(0, PO.ACTIONS_LEN, w.pos - actionsAt);
      w.bytes(m.data);
      return true;
    }
    case 'flow_removed':
      header(w, OFPT_FLOW_REMOVED, m.xid);
      w.zeros(FR.MATCH[0] - OFP_HEADER_LEN);
      w.u8At(0, FR.TABLE_ID, m.tableId); w.u8At(0, FR.REASON, m.reason); w.u16At(0, FR.PRIORITY, m.priority);
      w.u16At(0, FR.IDLE_TIMEOUT, m.idleTimeout); w.u16At(0, FR.HARD_TIMEOUT, m.hardTimeout); w.u64At(0, FR.COOKIE, m.cookie);
      encodeMatch(w, m.match);
      encodeStats(w, { durationSec: m.durationSec, durationNsec: m.durationNsec, packetCount: m.packetCount, byteCount: m.byteCount });
      return true;
    case 'group_mod': {
      header(w, OFPT_GROUP_MOD, m.xid);
      w.zeros(OFP15_GROUP_MOD_LEN - OFP_HEADER_LEN);
      w.u16At(0, GM.COMMAND, m.command); w.u8At(0, GM.TYPE, m.groupType); w.u32At(0, GM.GROUP_ID, m.groupId);
      w.u32At(0, GM.COMMAND_BUCKET_ID, m.commandBucketId ?? OFPG_BUCKET_ALL);
      encodeBuckets15(w, m.groupType, m.buckets);
      w.u16At(0, GM.BUCKET_ARRAY_LEN, w.pos - OFP15_GROUP_MOD_LEN);
      return true;
    }
    case 'multipart_request': {
      if (m.body.kind === 'group_desc' || m.body.kind === 'port_desc') {
        mpHeader(w, OFPT_MULTIPART_REQUEST, m.xid, OFPMP[m.body.kind], m.flags);
        w.u32(m.body.kind === 'group_desc' ? m.body.groupId ?? OFPG_ALL : m.body.portNo ?? OFPP_ANY); w.zeros(4);
        return true;
      }
      if (m.body.kind !== 'flow' || m.body.form !== 'flow_stats') return false;
      mpHeader(w, OFPT_MULTIPART_REQUEST, m.xid, OFPMP15_FLOW_STATS, m.flags);
      encodeMultipartRequestBody(w, m.body);
      return true;
    }
    case 'multipart_reply': {
      const b = m.body;
      switch (b.kind) {
        case 'flow':
          mpHeader(w, OFPT_MULTIPART_REPLY, m.xid, b.form === 'flow_stats' ? OFPMP15_FLOW_STATS : OFPMP15_FLOW_DESC, m.flags);
          for (const f of b.flows) (b.form === 'flow_stats' ? encodeFlowStats15 : encodeFlowDesc)(w, f);
          return true;
        case 'aggregate':
          mpHeader(w, OFPT_MULTIPART_REPLY, m.xid, OFPMP.aggregate, m.flags);
          encodeStats(w, { packetCount: b.packetCount, byteCount: b.byteCount, flowCount: b.flowCount });
          return true;
        case 'group_desc':
          mpHeader(w, OFPT_MULTIPART_REPLY, m.xid, OFPMP.group_desc, m.flags);
          for (const g of b.groups) {
            const at = w.pos;
            w.zeros(OFP15_GROUP_DESC_LEN);
            w.u8At(at, GD.TYPE, g.groupType); w.u32At(at, GD.GROUP_ID, g.groupId);
            encodeBuckets15(w, g.groupType, g.buckets);
            w.u16At(at, GD.BUCKET_ARRAY_LEN, w.pos - at - OFP15_GROUP_DESC_LEN);
            w.u16At(at, GD.LENGTH, w.pos - at);
          }
          return true;
        case 'table_features':
          mpHeader(w, OFPT_MULTIPART_REPLY, m.xid, OFPMP.table_features, m.flags);
          encodeTableFeatures(w, tableFeatures15(b.tables));
          return true;
        default:
          return false;
      }
    }
    default:
      return false; // flow-mod: 1.3's form with 0x06 (importance, 1.4's, stays 0)
  }
}

/** `m` with a 1.3 meter instruction in 1.5's form (flow-mod, flow monitor updates). */
function meterForm15(m: OFMessage): OFMessage {
  if (m.type === 'flow_mod') return m.instructions.some((i) => i.type === 'meter') ? { ...m, instructions: meterAsAction(m.instructions) } : m;
  if (m.type === 'flow_monitor_reply') return { ...m, updates: m.updates.map(flowUpdate15) };
  return m;
}

/** Encodes one message in its 1.5 form, header included; null for queue-get-config
 * (removed in 1.4). */
export function encodeMessage15(m: OFMessage): Uint8Array | null {
  m = meterForm15(m);
  const w = new Writer(256);
  if (!encodeBody15(w, m)) return encodeMessage14As(m, AS15);
  if (w.pos > OFP_MAX_MSG_LEN) throw new RangeError(`${m.type} of ${w.pos} bytes exceeds the 65535-byte OpenFlow limit`);
  w.patch16(2, w.pos);
  return w.finish();
}

