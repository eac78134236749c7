/**
 * OpenFlow 1.0 stats bodies (§5.3.5: OFPT_STATS_REQUEST / OFPT_STATS_REPLY, after the
 * 12-byte header ofp_header + type(16) + flags(16) — no pad, unlike 1.3's multipart) ⇄
 * the internal multipart bodies (multipart-types.ts).
 *
 * Invariants
 *  - 1.0 knows desc, flow, aggregate, table, port, queue and vendor stats, and Open
 *    vSwitch adds port-desc (type 13); any other type is OFPBRC_BAD_STAT (1.3's
 *    BAD_MULTIPART, same number). Vendor requests decode as the
 *    internal 'experimenter' kind, which the agent refuses (1.0: BAD_VENDOR).
 *  - A 1.0 controller sees table 0 only: flow/aggregate requests for table 0 or 0xff
 *    (all) select table 0; any other table id is OFPBRC_BAD_TABLE_ID (1.0:
 *    BAD_REQUEST/EPERM). Table stats replies list table 0 only.
 *  - Fixed-size bodies must have their exact size, lists must tile the body
 *    (OFPBRC_BAD_LEN); nothing here throws on a short or long body.
 *  - Encoding returns false for a reply kind 1.0 has no form for (the caller sends nothing).
 */
import { DEFAULT_MAX_RULES } from '../../pipeline/flow-table.js';
import {
  OFPBRC_BAD_LEN, OFPBRC_BAD_MULTIPART, OFPBRC_BAD_TABLE_ID, OFPET_BAD_REQUEST, ofError, type OFError,
} from '../../pipeline/errors.js';
import { OFPG_ANY, OFPTT_ALL, type Action } from '../../pipeline/types.js';
import { DESC_STR_LEN, OFP_DESC_LEN, SERIAL_NUM_LEN } from '../constants.js';
import type { FlowStats, MultipartKind, MultipartReplyBody, MultipartRequestBody, PortStats } from '../multipart-types.js';
import { layoutLength } from '../layouts.js';
import type { Reader, Writer } from '../wire.js';
import { decodeActions10, encodeActions10 } from './actions.js';
import {
  OFP10_AGGREGATE_REPLY_LEN, OFP10_FLOW_STATS_LEN, OFP10_PORT_STATS_LEN, OFP10_QUEUE_STATS_LEN, OFP10_TABLE_STATS_LEN,
  OFP10_PHY_PORT_LEN, OFPFW10_ALL, OFPP10_ALL, OFPST10_AGGREGATE, OFPST10_DESC, OFPST10_FLOW, OFPST10_PORT,
  OFPST10_PORT_DESC, OFPST10_QUEUE, OFPST10_TABLE, OFPST10_VENDOR,
} from './constants.js';
import { OFP10_FLOW_STATS as FS, OFP10_FLOW_STATS_REQUEST as FSR, OFP10_TABLE_STATS as TS } from './layouts.js';
import { decodeMatch10, encodeMatch10 } from './match.js';
import { decodePhyPort, encodePhyPort, port16To32, port32To16 } from './ports.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);
const OFPP_ANY = 0xffffffff;

export const OFPST10: Readonly<Partial<Record<MultipartKind, number>>> = {
  desc: OFPST10_DESC, flow: OFPST10_FLOW, aggregate: OFPST10_AGGREGATE, table: OFPST10_TABLE,
  port_stats: OFPST10_PORT, queue: OFPST10_QUEUE, port_desc: OFPST10_PORT_DESC, experimenter: OFPST10_VENDOR,
};
const FLOW_STATS_REQUEST_LEN = layoutLength(FSR);
const KIND_OF = new Map(Object.entries(OFPST10).map(([k, n]) => [n, k as MultipartKind]));

export function statsKindOf10(type: number): MultipartKind | OFError {
  return KIND_OF.get(type) ?? ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART, `stats type ${type} is not OpenFlow 1.0`);
}

const exactly = (r: Reader, n: number, what: string): OFError | null =>
  r.left === n ? null : badLen(`${what} stats body is ${r.left} bytes, expected ${n}`);

/** A 1.0 port number for "all ports" in port/queue stats: OFPP_NONE / OFPP_ALL → OFPP_ANY. */
const anyPort = (p: number): number => (p === OFPP10_ALL ? OFPP_ANY : port16To32(p));

export function decodeStatsRequest10(kind: MultipartKind, r: Reader): MultipartRequestBody | OFError {
  switch (kind) {
    case 'desc': case 'table': case 'port_desc': return exactly(r, 0, kind) ?? { kind };
    case 'flow': case 'aggregate': {
      const e = exactly(r, FLOW_STATS_REQUEST_LEN, kind);
      if (e) return e;
      const at = r.pos;
      const match = decodeMatch10(r);
      const tableId = r.u8At(at, FSR.TABLE_ID);
      if (tableId !== 0 && tableId !== OFPTT_ALL) {
        return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TABLE_ID, `table ${tableId}: an OpenFlow 1.0 connection sees table 0 only`);
      }
      const outPort = port16To32(r.u16At(at, FSR.OUT_PORT));
      r.pos = at + FLOW_STATS_REQUEST_LEN;
      return { kind, tableId: 0, outPort, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match };
    }
    case 'port_stats': { const e = exactly(r, 8, kind); return e ?? { kind, portNo: anyPort(r.u16()) }; }
    case 'queue': {
      const e = exactly(r, 8, kind);
      if (e) return e;
      const portNo = anyPort(r.u16()); r.skip(2);
      return { kind, portNo, queueId: r.u32() };
    }
    case 'experimenter': {
      if (r.left < 4) return badLen('vendor stats body shorter than 4 bytes');
      return { kind, experimenter: r.u32(), expType: 0, data: r.bytes(r.left) };
    }
    default: return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART, `${kind} is not OpenFlow 1.0`);
  }
}

/** Writes a request body; false = no 1.0 form. */
export function encodeStatsRequest10(w: Writer, b: MultipartRequestBody): boolean {
  switch (b.kind) {
    case 'desc': case 'table': case 'port_desc': return true;
    case 'flow': case 'aggregate':
      encodeMatch10(w, b.match); w.u8(b.tableId); w.zeros(1); w.u16(port32To16(b.outPort));
      return true;
    case 'port_stats': w.u16(port32To16(b.portNo)); w.zeros(6); return true;
    case 'queue': w.u16(b.portNo === OFPP_ANY ? OFPP10_ALL : port32To16(b.portNo)); w.zeros(2); w.u32(b.queueId); return true;
    case 'experimenter': w.u32(b.experimenter); w.bytes(b.data); return true;
    default: return false;
  }
}

/** A rule's instructions as 1.0 actions: apply-actions then write-actions (1.0 has no
 * action set, goto-table, metadata or meters; README "OpenFlow 1.0"). */
function flowActions(f: FlowStats): Action[] {
  const out: Action[] = [];
  for (const i of f.instructions) if (i.type === 'apply_actions') out.push(...i.actions);
  for (const i of f.instructions) if (i.type === 'write_actions') out.push(...i.actions);
  return out;
}

const PORT_COUNTERS = [
  'rxPackets', 'txPackets', 'rxBytes', 'txBytes', 'rxDropped', 'txDropped', 'rxErrors', 'txErrors',
  'rxFrameErr', 'rxOverErr', 'rxCrcErr', 'collisions',
] as const;

/** Writes a reply body; false = no 1.0 form. */
export function encodeStatsReply10(w: Writer, b: MultipartReplyBody): boolean {
  switch (b.kind) {
    case 'desc':
      w.str(b.mfrDesc, DESC_STR_LEN); w.str(b.hwDesc, DESC_STR_LEN); w.str(b.swDesc, DESC_STR_LEN);
      w.str(b.serialNum, SERIAL_NUM_LEN); w.str(b.dpDesc, DESC_STR_LEN);
      return true;
    case 'flow':
      for (const f of b.flows) {
        if (f.tableId !== 0) continue;
        const at = w.pos;
        w.zeros(FS.MATCH[0]);
        encodeMatch10(w, f.match);
        w.zeros(OFP10_FLOW_STATS_LEN - FS.MATCH[1]);
        w.u8At(at, FS.TABLE_ID, 0);
        w.u32At(at, FS.DURATION_SEC, f.durationSec); w.u32At(at, FS.DURATION_NSEC, f.durationNsec);
        w.u16At(at, FS.PRIORITY, f.priority); w.u16At(at, FS.IDLE_TIMEOUT, f.idleTimeout);
        w.u16At(at, FS.HARD_TIMEOUT, f.hardTimeout); w.u64At(at, FS.COOKIE, f.cookie);
        w.u64At(at, FS.PACKET_COUNT, f.packetCount); w.u64At(at, FS.BYTE_COUNT, f.byteCount);
        encodeActions10(w, flowActions(f));
        w.patch16(at, w.pos - at);
      }
      return true;
    case 'aggregate': w.u64(b.packetCount); w.u64(b.byteCount); w.u32(b.flowCount); w.zeros(4); return true;
    case 'table':
      for (const t of b.tables) {
        if (t.tableId !== 0) continue;
        const at = w.pos;
        w.zeros(OFP10_TABLE_STATS_LEN);
        w.strAt(at, TS.NAME, 'classifier'); w.u32At(at, TS.WILDCARDS, OFPFW10_ALL);
        w.u32At(at, TS.MAX_ENTRIES, DEFAULT_MAX_RULES); w.u32At(at, TS.ACTIVE_COUNT, t.activeCount);
        w.u64At(at, TS.LOOKUP_COUNT, t.lookupCount); w.u64At(at, TS.MATCHED_COUNT, t.matchedCount);
      }
      return true;
    case 'port_stats':
      for (const p of b.ports) {
        w.u16(port32To16(p.portNo)); w.zeros(6);
        for (const k of PORT_COUNTERS) w.u64(p[k]);
      }
      return true;
    case 'queue':
      for (const q of b.queues) {
        w.u16(port32To16(q.portNo)); w.zeros(2); w.u32(q.queueId); w.u64(q.txBytes); w.u64(q.txPackets); w.u64(q.txErrors);
      }
      return true;
    case 'port_desc': for (const p of b.ports) encodePhyPort(w, p); return true;
    case 'experimenter': w.u32(b.experimenter); w.bytes(b.data); return true;
    default: return false;
  }
}

function list<T>(r: Reader, size: number, what: string, one: () => T): T[] | OFError {
  if (r.left % size !== 0) return badLen(`${what}: ${r.left} bytes is not a multiple of ${size}`);
  const out: T[] = [];
  while (r.left > 0) out.push(one());
  return out;
}

function decodeFlowStats10(r: Reader): FlowStats[] | OFError {
  const flows: FlowStats[] = [];
  while (r.left > 0) {
    const len = r.left >= 2 ? r.peek16(0) : 0;
    if (len < OFP10_FLOW_STATS_LEN || len > r.left) return badLen(`flow stats: element length ${len}`);
    const e = r.sub(len);
    const at = e.pos;
    e.pos = at + FS.MATCH[0];
    const match = decodeMatch10(e);
    e.pos = at + OFP10_FLOW_STATS_LEN;
    const actions = decodeActions10(e, match);
    if (!Array.isArray(actions)) return actions;
    flows.push({
      tableId: e.u8At(at, FS.TABLE_ID), durationSec: e.u32At(at, FS.DURATION_SEC), durationNsec: e.u32At(at, FS.DURATION_NSEC),
      priority: e.u16At(at, FS.PRIORITY), idleTimeout: e.u16At(at, FS.IDLE_TIMEOUT), hardTimeout: e.u16At(at, FS.HARD_TIMEOUT),
      flags: 0, cookie: e.u64At(at, FS.COOKIE), packetCount: e.u64At(at, FS.PACKET_COUNT), byteCount: e.u64At(at, FS.BYTE_COUNT),
      match, instructions: actions.length > 0 ? [{ type: 'apply_actions', actions }] : [],
    });
  }
  return flows;
}

export function decodeStatsReply10(kind: MultipartKind, r: Reader): MultipartReplyBody | OFError {
  switch (kind) {
    case 'desc': {
      const e = exactly(r, OFP_DESC_LEN, kind);
      if (e) return e;
      return {
        kind, mfrDesc: r.str(DESC_STR_LEN), hwDesc: r.str(DESC_STR_LEN), swDesc: r.str(DESC_STR_LEN),
        serialNum: r.str(SERIAL_NUM_LEN), dpDesc: r.str(DESC_STR_LEN),
      };
    }
    case 'flow': { const flows = decodeFlowStats10(r); return Array.isArray(flows) ? { kind, flows } : flows; }
    case 'aggregate': {
      const e = exactly(r, OFP10_AGGREGATE_REPLY_LEN, kind);
      if (e) return e;
      const packetCount = r.u64(); const byteCount = r.u64(); const flowCount = r.u32(); r.skip(4);
      return { kind, packetCount, byteCount, flowCount };
    }
    case 'table': {
      const tables = list(r, OFP10_TABLE_STATS_LEN, 'table stats', () => {
        const at = r.pos;
        r.pos = at + OFP10_TABLE_STATS_LEN;
        return {
          tableId: r.u8At(at, TS.TABLE_ID), activeCount: r.u32At(at, TS.ACTIVE_COUNT),
          lookupCount: r.u64At(at, TS.LOOKUP_COUNT), matchedCount: r.u64At(at, TS.MATCHED_COUNT),
        };
      });
      return Array.isArray(tables) ? { kind, tables } : tables;
    }
    case 'port_stats': {
      const ports = list(r, OFP10_PORT_STATS_LEN, 'port stats', (): PortStats => {
        const portNo = port16To32(r.u16()); r.skip(6);
        const c = Object.fromEntries(PORT_COUNTERS.map((k) => [k, r.u64()])) as Record<(typeof PORT_COUNTERS)[number], bigint>;
        return { portNo, ...c, durationSec: 0, durationNsec: 0 };
      });
      return Array.isArray(ports) ? { kind, ports } : ports;
    }
    case 'queue': {
      const queues = list(r, OFP10_QUEUE_STATS_LEN, 'queue stats', () => {
        const portNo = port16To32(r.u16()); r.skip(2);
        const queueId = r.u32();
        return { portNo, queueId, txBytes: r.u64(), txPackets: r.u64(), txErrors: r.u64(), durationSec: 0, durationNsec: 0 };
      });
      return Array.isArray(queues) ? { kind, queues } : queues;
    }
    case 'port_desc': {
      const ports = list(r, OFP10_PHY_PORT_LEN, 'port desc', () => decodePhyPort(r));
      return Array.isArray(ports) ? { kind, ports } : ports;
    }
    case 'experimenter':
      if (r.left < 4) return badLen('vendor stats body shorter than 4 bytes');
      return { kind, experimenter: r.u32(), expType: 0, data: r.bytes(r.left) };
    default: return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART, `${kind} is not OpenFlow 1.0`);
  }
}
