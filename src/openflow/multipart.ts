/**
 * Multipart request and reply bodies (OF1.3.5 §7.3.5): everything after the 16-byte
 * multipart header (ofp_header, type(16), flags(16), pad(4)).
 *
 * Invariants
 *  - A body decoder consumes exactly the message's remaining bytes; a fixed-size body of
 *    the wrong size, or an array whose elements do not tile the body, is OFPBRC_BAD_LEN.
 *  - An unknown multipart type is OFPBRC_BAD_MULTIPART (§7.3.5).
 *  - Errors inside a match, instructions, buckets or bands keep their own type/code.
 */
import {
  OFPBRC_BAD_LEN, OFPBRC_BAD_MULTIPART, OFPET_BAD_REQUEST, isOFError, ofError, type OFError,
} from '../pipeline/errors.js';
import {
  DESC_STR_LEN, OFP_DESC_LEN, OFP_FLOW_STATS_LEN, OFP_GROUP_STATS_LEN, OFP_METER_STATS_LEN, OFP_PORT_STATS_LEN,
  OFP_QUEUE_STATS_LEN, OFP_TABLE_STATS_LEN, SERIAL_NUM_LEN,
} from './constants.js';
import { decodeInstructions, encodeInstructions } from './instructions-codec.js';
import { OFP14_VERSION } from './of14/constants.js';
import { OFP_FLOW_STATS as FS, OFP_FLOW_STATS_REQUEST as FSR, OFP_PORT_STATS as PS } from './layouts.js';
import {
  OFPMP, type FlowStats, type FlowStatsRequest, type GroupDesc, type GroupStats, type MeterConfig,
  type MeterStats, type MultipartKind, type MultipartReplyBody, type MultipartRequestBody,
  type PortStats, type QueueStats, type TableStats,
} from './multipart-types.js';
import { decodeMatch, encodeMatch } from './oxm-codec.js';
import { decodeBands, decodeBuckets, decodePorts, encodeBands, encodeBuckets, encodePort } from './structs.js';
import { decodeTableFeatures, encodeTableFeatures } from './table-features.js';
import type { Reader, Writer } from './wire.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

const KIND_OF_NUMBER = new Map<number, MultipartKind>(
  (Object.entries(OFPMP) as [MultipartKind, number][]).map(([k, n]) => [n, k]),
);

export function multipartKindOf(type: number): MultipartKind | OFError {
  return KIND_OF_NUMBER.get(type) ?? ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART, `unknown multipart type ${type}`);
}

/** Decodes records of a fixed size that must tile the reader exactly. */
function fixedList<T>(r: Reader, size: number, what: string, one: (r: Reader) => T): T[] | OFError {
  if (r.left % size !== 0) return badLen(`${what}: ${r.left} bytes is not a multiple of ${size}`);
  const out: T[] = [];
  while (r.left > 0) out.push(one(r));
  return out;
}

/** Decodes records that start with their own 16-bit length at byte `lenAt`. */
function sizedList<T>(
  r: Reader, min: number, lenAt: number, what: string, one: (r: Reader) => T | OFError,
): T[] | OFError {
  const out: T[] = [];
  while (r.left > 0) {
    const len = r.left >= lenAt + 2 ? r.peek16(lenAt) : 0;
    if (len < min || len > r.left) return badLen(`${what}: element length ${len}`);
    const x = one(r.sub(len));
    if (isOFError(x)) return x;
    out.push(x);
  }
  return out;
}

const exactly = (r: Reader, n: number, what: string): OFError | null =>
  r.left === n ? null : badLen(`${what} body is ${r.left} bytes, expected ${n}`);

// ---- requests

function encodeFlowStatsRequest(w: Writer, b: FlowStatsRequest): void {
  const at = w.pos;
  w.zeros(FSR.MATCH[0]);
  w.u8At(at, FSR.TABLE_ID, b.tableId); w.u32At(at, FSR.OUT_PORT, b.outPort); w.u32At(at, FSR.OUT_GROUP, b.outGroup);
  w.u64At(at, FSR.COOKIE, b.cookie); w.u64At(at, FSR.COOKIE_MASK, b.cookieMask);
  encodeMatch(w, b.match);
}

export function encodeMultipartRequestBody(w: Writer, b: MultipartRequestBody): void {
  switch (b.kind) {
    case 'flow': case 'aggregate': encodeFlowStatsRequest(w, b); break;
    case 'port_stats': w.u32(b.portNo); w.zeros(4); break;
    case 'queue': w.u32(b.portNo); w.u32(b.queueId); break;
    case 'group': w.u32(b.groupId); w.zeros(4); break;
    case 'meter': case 'meter_config': w.u32(b.meterId); w.zeros(4); break;
    case 'table_features': encodeTableFeatures(w, b.tables); break;
    case 'experimenter': w.u32(b.experimenter); w.u32(b.expType); w.bytes(b.data); break;
    default: break; // desc, table, group_desc, group_features, meter_features, port_desc: empty
  }
}

function decodeFlowStatsRequest(r: Reader): FlowStatsRequest | OFError {
  if (r.left < FSR.MATCH[1]) return badLen('flow stats request truncated');
  const at = r.pos;
  const tableId = r.u8At(at, FSR.TABLE_ID);
  const outPort = r.u32At(at, FSR.OUT_PORT); const outGroup = r.u32At(at, FSR.OUT_GROUP);
  const cookie = r.u64At(at, FSR.COOKIE); const cookieMask = r.u64At(at, FSR.COOKIE_MASK);
  r.skip(FSR.MATCH[0]);
  const match = decodeMatch(r);
  if ('ofError' in match) return match;
  if (r.left !== 0) return badLen('trailing bytes after flow stats request');
  return { tableId, outPort, outGroup, cookie, cookieMask, match };
}

export function decodeMultipartRequestBody(kind: MultipartKind, r: Reader): MultipartRequestBody | OFError {
  let e: OFError | null;
  switch (kind) {
    case 'flow': case 'aggregate': {
      const b = decodeFlowStatsRequest(r);
      return 'ofError' in b ? b : { kind, ...b };
    }
    case 'port_stats': if ((e = exactly(r, 8, kind))) return e; return { kind, portNo: r.u32() };
    case 'queue': { if ((e = exactly(r, 8, kind))) return e; const portNo = r.u32(); return { kind, portNo, queueId: r.u32() }; }
    case 'group': if ((e = exactly(r, 8, kind))) return e; return { kind, groupId: r.u32() };
    case 'meter': case 'meter_config': if ((e = exactly(r, 8, kind))) return e; return { kind, meterId: r.u32() };
    case 'table_features': {
      const tables = decodeTableFeatures(r);
      return 'ofError' in tables ? tables : { kind, tables };
    }
    case 'experimenter': {
      if (r.left < 8) return badLen('experimenter multipart truncated');
      const experimenter = r.u32(); const expType = r.u32();
      return { kind, experimenter, expType, data: r.bytes(r.left) };
    }
    default:
      if ((e = exactly(r, 0, kind))) return e;
      return { kind };
  }
}

// ---- replies

/** `withImportance`: the 1.4 form, importance where 1.3 pads (of14/encode.ts). */
export function encodeFlowStats(w: Writer, f: FlowStats, withImportance = false): void {
  const at = w.pos;
  w.zeros(FS.MATCH[0]);
  w.u8At(at, FS.TABLE_ID, f.tableId); w.u32At(at, FS.DURATION_SEC, f.durationSec); w.u32At(at, FS.DURATION_NSEC, f.durationNsec);
  w.u16At(at, FS.PRIORITY, f.priority); w.u16At(at, FS.IDLE_TIMEOUT, f.idleTimeout);
  w.u16At(at, FS.HARD_TIMEOUT, f.hardTimeout); w.u16At(at, FS.FLAGS, f.flags);
  w.u64At(at, FS.COOKIE, f.cookie); w.u64At(at, FS.PACKET_COUNT, f.packetCount); w.u64At(at, FS.BYTE_COUNT, f.byteCount);
  if (withImportance && f.importance !== undefined) w.u16At(at, FS.IMPORTANCE, f.importance);
  encodeMatch(w, f.match); encodeInstructions(w, f.instructions);
  w.u16At(at, FS.LENGTH, w.pos - at);
}

/** `r` is one element (sizedList: at least OFP_FLOW_STATS_LEN bytes). */
function decodeFlowStats(r: Reader): FlowStats | OFError {
  const at = r.pos;
  const tableId = r.u8At(at, FS.TABLE_ID);
  const durationSec = r.u32At(at, FS.DURATION_SEC); const durationNsec = r.u32At(at, FS.DURATION_NSEC);
  const priority = r.u16At(at, FS.PRIORITY); const idleTimeout = r.u16At(at, FS.IDLE_TIMEOUT);
  const hardTimeout = r.u16At(at, FS.HARD_TIMEOUT); const flags = r.u16At(at, FS.FLAGS);
  const cookie = r.u64At(at, FS.COOKIE); const packetCount = r.u64At(at, FS.PACKET_COUNT); const byteCount = r.u64At(at, FS.BYTE_COUNT);
  // 1.4 (whose flow stats this decoder reads too) puts importance where 1.3 pads
  const importance = r.buf[0]! >= OFP14_VERSION ? r.u16At(at, FS.IMPORTANCE) : 0;
  r.skip(FS.MATCH[0]);
  const match = decodeMatch(r);
  if ('ofError' in match) return match;
  const instructions = decodeInstructions(r);
  if ('ofError' in instructions) return instructions;
  return {
    tableId, durationSec, durationNsec, priority, idleTimeout, hardTimeout, flags, cookie,
    packetCount, byteCount, match, instructions, ...(importance !== 0 ? { importance } : {}),
  };
}

function encodePortStats(w: Writer, p: PortStats): void {
  const at = w.pos;
  w.zeros(OFP_PORT_STATS_LEN);
  w.u32At(at, PS.PORT_NO, p.portNo);
  w.u64At(at, PS.RX_PACKETS, p.rxPackets); w.u64At(at, PS.TX_PACKETS, p.txPackets);
  w.u64At(at, PS.RX_BYTES, p.rxBytes); w.u64At(at, PS.TX_BYTES, p.txBytes);
  w.u64At(at, PS.RX_DROPPED, p.rxDropped); w.u64At(at, PS.TX_DROPPED, p.txDropped);
  w.u64At(at, PS.RX_ERRORS, p.rxErrors); w.u64At(at, PS.TX_ERRORS, p.txErrors);
  w.u64At(at, PS.RX_FRAME_ERR, p.rxFrameErr); w.u64At(at, PS.RX_OVER_ERR, p.rxOverErr);
  w.u64At(at, PS.RX_CRC_ERR, p.rxCrcErr); w.u64At(at, PS.COLLISIONS, p.collisions);
  w.u32At(at, PS.DURATION_SEC, p.durationSec); w.u32At(at, PS.DURATION_NSEC, p.durationNsec);
}

/** `r` has at least OFP_PORT_STATS_LEN bytes left (fixedList). */
function decodePortStats(r: Reader): PortStats {
  const at = r.pos;
  r.skip(OFP_PORT_STATS_LEN);
  return {
    portNo: r.u32At(at, PS.PORT_NO),
    rxPackets: r.u64At(at, PS.RX_PACKETS), txPackets: r.u64At(at, PS.TX_PACKETS),
    rxBytes: r.u64At(at, PS.RX_BYTES), txBytes: r.u64At(at, PS.TX_BYTES),
    rxDropped: r.u64At(at, PS.RX_DROPPED), txDropped: r.u64At(at, PS.TX_DROPPED),
    rxErrors: r.u64At(at, PS.RX_ERRORS), txErrors: r.u64At(at, PS.TX_ERRORS),
    rxFrameErr: r.u64At(at, PS.RX_FRAME_ERR), rxOverErr: r.u64At(at, PS.RX_OVER_ERR),
    rxCrcErr: r.u64At(at, PS.RX_CRC_ERR), collisions: r.u64At(at, PS.COLLISIONS),
    durationSec: r.u32At(at, PS.DURATION_SEC), durationNsec: r.u32At(at, PS.DURATION_NSEC),
  };
}

function encodeGroupStats(w: Writer, g: GroupStats): void {
  w.u16(OFP_GROUP_STATS_LEN + 16 * g.buckets.length); w.zeros(2); w.u32(g.groupId); w.u32(g.refCount); w.zeros(4);
  w.u64(g.packetCount); w.u64(g.byteCount); w.u32(g.durationSec); w.u32(g.durationNsec);
  for (const b of g.buckets) { w.u64(b.packetCount); w.u64(b.byteCount); }
}

function decodeGroupStats(r: Reader): GroupStats | OFError {
  if ((r.left - OFP_GROUP_STATS_LEN) % 16 !== 0) return badLen('group stats: bucket counters do not tile');
  r.skip(4);
  const groupId = r.u32(); const refCount = r.u32(); r.skip(4);
  const packetCount = r.u64(); const byteCount = r.u64(); const durationSec = r.u32(); const durationNsec = r.u32();
  const buckets = [];
  while (r.left > 0) buckets.push({ packetCount: r.u64(), byteCount: r.u64() });
  return { groupId, refCount, packetCount, byteCount, durationSec, durationNsec, buckets };
}

function encodeMeterStats(w: Writer, m: MeterStats): void {
  w.u32(m.meterId); w.u16(OFP_METER_STATS_LEN + 16 * m.bands.length); w.zeros(6);
  w.u32(m.flowCount); w.u64(m.packetInCount); w.u64(m.byteInCount); w.u32(m.durationSec); w.u32(m.durationNsec);
  for (const b of m.bands) { w.u64(b.packetBandCount); w.u64(b.byteBandCount); }
}

function decodeMeterStats(r: Reader): MeterStats | OFError {
  if ((r.left - OFP_METER_STATS_LEN) % 16 !== 0) return badLen('meter stats: band counters do not tile');
  const meterId = r.u32(); r.skip(8);
  const flowCount = r.u32(); const packetInCount = r.u64(); const byteInCount = r.u64();
  const durationSec = r.u32(); const durationNsec = r.u32();
  const bands = [];
  while (r.left > 0) bands.push({ packetBandCount: r.u64(), byteBandCount: r.u64() });
  return { meterId, flowCount, packetInCount, byteInCount, durationSec, durationNsec, bands };
}

export function encodeMultipartReplyBody(w: Writer, b: MultipartReplyBody): void {
  switch (b.kind) {
    case 'desc':
      w.str(b.mfrDesc, DESC_STR_LEN); w.str(b.hwDesc, DESC_STR_LEN); w.str(b.swDesc, DESC_STR_LEN);
      w.str(b.serialNum, SERIAL_NUM_LEN); w.str(b.dpDesc, DESC_STR_LEN);
      break;
    case 'flow': for (const f of b.flows) encodeFlowStats(w, f); break;
    case 'aggregate': w.u64(b.packetCount); w.u64(b.byteCount); w.u32(b.flowCount); w.zeros(4); break;
    case 'table':
      for (const t of b.tables) { w.u8(t.tableId); w.zeros(3); w.u32(t.activeCount); w.u64(t.lookupCount); w.u64(t.matchedCount); }
      break;
    case 'port_stats': for (const p of b.ports) encodePortStats(w, p); break;
    case 'queue':
      for (const q of b.queues) {
        w.u32(q.portNo); w.u32(q.queueId); w.u64(q.txBytes); w.u64(q.txPackets); w.u64(q.txErrors);
        w.u32(q.durationSec); w.u32(q.durationNsec);
      }
      break;
    case 'group': for (const g of b.groups) encodeGroupStats(w, g); break;
    case 'group_desc':
      for (const g of b.groups) {
        const start = w.pos;
        w.u16(0); w.u8(g.groupType); w.zeros(1); w.u32(g.groupId); encodeBuckets(w, g.buckets);
        w.patch16(start, w.pos - start);
      }
      break;
    case 'group_features':
      w.u32(b.types); w.u32(b.capabilities);
      for (const v of b.maxGroups) w.u32(v);
      for (const v of b.actions) w.u32(v);
      break;
    case 'meter': for (const m of b.meters) encodeMeterStats(w, m); break;
    case 'meter_config':
      for (const m of b.meters) {
        const start = w.pos;
        w.u16(0); w.u16(m.flags); w.u32(m.meterId); encodeBands(w, m.bands);
        w.patch16(start, w.pos - start);
      }
      break;
    case 'meter_features':
      w.u32(b.maxMeter); w.u32(b.bandTypes); w.u32(b.capabilities); w.u8(b.maxBands); w.u8(b.maxColor); w.zeros(2);
      break;
    case 'table_features': encodeTableFeatures(w, b.tables); break;
    case 'port_desc': for (const p of b.ports) encodePort(w, p); break;
    case 'experimenter': w.u32(b.experimenter); w.u32(b.expType); w.bytes(b.data); break;
  }
}

function decodeGroupDesc(r: Reader): GroupDesc | OFError {
  r.skip(2);
  const groupType = r.u8(); r.skip(1);
  const groupId = r.u32();
  const buckets = decodeBuckets(r);
  return 'ofError' in buckets ? buckets : { groupType, groupId, buckets };
}

function decodeMeterConfig(r: Reader): MeterConfig | OFError {
  r.skip(2);
  const flags = r.u16(); const meterId = r.u32();
  const bands = decodeBands(r);
  return 'ofError' in bands ? bands : { flags, meterId, bands };
}

const four = (r: Reader): [number, number, number, number] => [r.u32(), r.u32(), r.u32(), r.u32()];

export function decodeMultipartReplyBody(kind: MultipartKind, r: Reader): MultipartReplyBody | OFError {
  let e: OFError | null;
  switch (kind) {
    case 'desc': {
      if ((e = exactly(r, OFP_DESC_LEN, kind))) return e;
      return {
        kind, mfrDesc: r.str(DESC_STR_LEN), hwDesc: r.str(DESC_STR_LEN), swDesc: r.str(DESC_STR_LEN),
        serialNum: r.str(SERIAL_NUM_LEN), dpDesc: r.str(DESC_STR_LEN),
      };
    }
    case 'flow': { const flows = sizedList(r, OFP_FLOW_STATS_LEN, FS.LENGTH[0], kind, decodeFlowStats); return isOFError(flows) ? flows : { kind, flows }; }
    case 'aggregate': {
      if ((e = exactly(r, 24, kind))) return e;
      const packetCount = r.u64(); const byteCount = r.u64();
      return { kind, packetCount, byteCount, flowCount: r.u32() };
    }
    case 'table':
    {
      const tables = fixedList<TableStats>(r, OFP_TABLE_STATS_LEN, kind, (t) => {
        const tableId = t.u8(); t.skip(3);
        return { tableId, activeCount: t.u32(), lookupCount: t.u64(), matchedCount: t.u64() };
      });
      return isOFError(tables) ? tables : { kind, tables };
    }
    case 'port_stats':
    { const ports = fixedList(r, OFP_PORT_STATS_LEN, kind, decodePortStats); return isOFError(ports) ? ports : { kind, ports }; }
    case 'queue':
    {
      const queues = fixedList<QueueStats>(r, OFP_QUEUE_STATS_LEN, kind, (q) => ({
        portNo: q.u32(), queueId: q.u32(), txBytes: q.u64(), txPackets: q.u64(), txErrors: q.u64(),
        durationSec: q.u32(), durationNsec: q.u32(),
      }));
      return isOFError(queues) ? queues : { kind, queues };
    }
    case 'group': { const groups = sizedList(r, OFP_GROUP_STATS_LEN, 0, kind, decodeGroupStats); return isOFError(groups) ? groups : { kind, groups }; }
    case 'group_desc': { const groups = sizedList(r, 8, 0, kind, decodeGroupDesc); return isOFError(groups) ? groups : { kind, groups }; }
    case 'group_features': {
      if ((e = exactly(r, 40, kind))) return e;
      const types = r.u32(); const capabilities = r.u32();
      const maxGroups = four(r);
      return { kind, types, capabilities, maxGroups, actions: four(r) };
    }
    case 'meter': { const meters = sizedList(r, OFP_METER_STATS_LEN, 4, kind, decodeMeterStats); return isOFError(meters) ? meters : { kind, meters }; }
    case 'meter_config': { const meters = sizedList(r, 8, 0, kind, decodeMeterConfig); return isOFError(meters) ? meters : { kind, meters }; }
    case 'meter_features': {
      if ((e = exactly(r, 16, kind))) return e;
      const maxMeter = r.u32(); const bandTypes = r.u32(); const capabilities = r.u32();
      return { kind, maxMeter, bandTypes, capabilities, maxBands: r.u8(), maxColor: r.u8() };
    }
    case 'table_features': { const tables = decodeTableFeatures(r); return isOFError(tables) ? tables : { kind, tables }; }
    case 'port_desc': { const ports = decodePorts(r); return isOFError(ports) ? ports : { kind, ports }; }
    case 'experimenter': {
      if (r.left < 8) return badLen('experimenter multipart truncated');
      const experimenter = r.u32(); const expType = r.u32();
      return { kind, experimenter, expType, data: r.bytes(r.left) };
    }
  }
}
