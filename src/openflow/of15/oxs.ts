/**
 * OXS, OpenFlow 1.5's statistics TLVs (OF1.5.1 §7.2.4), in struct ofp_stats:
 *
 *   ofp_stats:  reserved(16)=0  length(16)  oxs_fields[length-4]  pad to 8 bytes
 *   OXS TLV:    class(16)=0x8002 | field(7) | reserved(1)=0 | length(8)   value[length]
 *
 *   duration      8  sec(32) nsec(32)        idle_time   8  sec(32) nsec(32)
 *   flow_count    4                          packet_count / byte_count  8
 *
 * Invariants: `length` counts the 4-byte header and the TLVs, not the padding, which is
 * always written and skipped; encodeStats writes the stats present in the value, in the
 * order above (Open vSwitch's); decodeStats reads what it knows and skips other basic or
 * experimenter TLVs (§7.2.4: a reader ignores stats it does not know), and refuses what it
 * cannot frame (OFPBMC_BAD_LEN, as Open vSwitch does for OXS).
 */
import { OFPBMC_BAD_LEN, OFPET_BAD_MATCH, ofError, type OFError } from '../../pipeline/errors.js';
import { pad8 } from '../constants.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFP15_STATS_HEADER_LEN, OFPXSC_OPENFLOW_BASIC, OFPXST_OFB_BYTE_COUNT, OFPXST_OFB_DURATION, OFPXST_OFB_FLOW_COUNT,
  OFPXST_OFB_IDLE_TIME, OFPXST_OFB_PACKET_COUNT,
} from './constants.js';

/** The statistics of one ofp_stats; an absent one is not written (not known). */
export interface OxsStats {
  readonly durationSec?: number; readonly durationNsec?: number;
  readonly idleSec?: number;
  readonly flowCount?: number;
  readonly packetCount?: bigint; readonly byteCount?: bigint;
}

const header = (field: number, len: number): number => ((OFPXSC_OPENFLOW_BASIC << 16) | (field << 9) | len) >>> 0;

export function encodeStats(w: Writer, s: OxsStats): void {
  const start = w.pos;
  w.u16(0); w.u16(0);
  if (s.durationSec !== undefined) { w.u32(header(OFPXST_OFB_DURATION, 8)); w.u32(s.durationSec); w.u32(s.durationNsec ?? 0); }
  if (s.idleSec !== undefined) { w.u32(header(OFPXST_OFB_IDLE_TIME, 8)); w.u32(s.idleSec); w.u32(0); }
  if (s.packetCount !== undefined) { w.u32(header(OFPXST_OFB_PACKET_COUNT, 8)); w.u64(s.packetCount); }
  if (s.byteCount !== undefined) { w.u32(header(OFPXST_OFB_BYTE_COUNT, 8)); w.u64(s.byteCount); }
  if (s.flowCount !== undefined) { w.u32(header(OFPXST_OFB_FLOW_COUNT, 4)); w.u32(s.flowCount); }
  w.patch16(start + 2, w.pos - start);
  w.align8(start);
}

const badLen = (msg: string): OFError => ofError(OFPET_BAD_MATCH, OFPBMC_BAD_LEN, msg);

/** Reads one ofp_stats at r.pos and moves past its padding. */
export function decodeStats(r: Reader): OxsStats | OFError {
  if (r.left < OFP15_STATS_HEADER_LEN) return badLen('ofp_stats truncated');
  r.skip(2);
  const length = r.u16();
  if (length < OFP15_STATS_HEADER_LEN || pad8(length) - OFP15_STATS_HEADER_LEN > r.left) return badLen(`ofp_stats length ${length} does not fit`);
  const s: { -readonly [K in keyof OxsStats]: OxsStats[K] } = {};
  const end = r.pos + length - OFP15_STATS_HEADER_LEN;
  while (r.pos < end) {
    if (end - r.pos < 4) return badLen('OXS header truncated');
    const h = r.u32();
    const cls = h >>> 16; const field = (h >>> 9) & 0x7f; const len = h & 0xff;
    if (len > end - r.pos) return badLen(`OXS field ${field} of ${len} bytes overruns ofp_stats`);
    if (cls !== OFPXSC_OPENFLOW_BASIC) { r.skip(len); continue; }
    if ((field === OFPXST_OFB_DURATION || field === OFPXST_OFB_IDLE_TIME || field === OFPXST_OFB_PACKET_COUNT
      || field === OFPXST_OFB_BYTE_COUNT) && len !== 8) return badLen(`OXS field ${field} of ${len} bytes, expected 8`);
    if (field === OFPXST_OFB_FLOW_COUNT && len !== 4) return badLen(`OXS flow_count of ${len} bytes, expected 4`);
    switch (field) {
      case OFPXST_OFB_DURATION: s.durationSec = r.u32(); s.durationNsec = r.u32(); break;
      case OFPXST_OFB_IDLE_TIME: s.idleSec = r.u32(); r.skip(4); break;
      case OFPXST_OFB_PACKET_COUNT: s.packetCount = r.u64(); break;
      case OFPXST_OFB_BYTE_COUNT: s.byteCount = r.u64(); break;
      case OFPXST_OFB_FLOW_COUNT: s.flowCount = r.u32(); break;
      default: r.skip(len);
    }
  }
  r.skip(pad8(length) - length);
  return s;
}
