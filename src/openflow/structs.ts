/**
 * Structures shared by several messages (OF1.3.5 §7.2–§7.3): ofp_port, ofp_bucket,
 * ofp_meter_band_*, ofp_packet_queue and its properties. The fixed ones are read and
 * written through their one layout table (layouts.ts).
 *
 * Invariants: each list decoder consumes exactly the reader it is given; an element whose
 * length is too small, not 8-aligned where the spec says so, or past the list is refused
 * with the code of the message family it belongs to (buckets: OFPGMFC_BAD_BUCKET,
 * bands: OFPMMFC_BAD_BAND, queues: OFPBRC_BAD_LEN). Errors in a bucket's actions keep
 * their OFPET_BAD_ACTION code.
 */
import {
  OFPBRC_BAD_LEN, OFPET_BAD_REQUEST, OFPET_GROUP_MOD_FAILED, OFPET_METER_MOD_FAILED,
  OFPGMFC_BAD_BUCKET, OFPMMFC_BAD_BAND, ofError, type OFError,
} from '../pipeline/errors.js';
import {
  OFPMBT_DROP, OFPMBT_DSCP_REMARK, OFPMBT_EXPERIMENTER, type Bucket, type MeterBand,
} from '../pipeline/types.js';
import {
  OFP_BUCKET_LEN, OFP_METER_BAND_LEN, OFP_PORT_LEN, OFPQT_EXPERIMENTER,
  OFPQT_MAX_RATE, OFPQT_MIN_RATE,
} from './constants.js';
import { decodeActions, encodeActions } from './actions-codec.js';
import { OFP_BUCKET as B, OFP_METER_BAND as MB, OFP_METER_BAND_TAIL, OFP_PORT as P } from './layouts.js';
import type { PacketQueue, QueueProp } from './message-types.js';
import type { PortDesc } from './multipart-types.js';
import type { Reader, Writer } from './wire.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

// ---- ofp_port (64 bytes)

export function encodePort(w: Writer, p: PortDesc): void {
  const at = w.pos;
  w.zeros(OFP_PORT_LEN);
  w.u32At(at, P.PORT_NO, p.portNo); w.bytesAt(at, P.HW_ADDR, p.hwAddr); w.strAt(at, P.NAME, p.name);
  w.u32At(at, P.CONFIG, p.config); w.u32At(at, P.STATE, p.state); w.u32At(at, P.CURR, p.curr);
  w.u32At(at, P.ADVERTISED, p.advertised); w.u32At(at, P.SUPPORTED, p.supported);
  w.u32At(at, P.PEER, p.peer); w.u32At(at, P.CURR_SPEED, p.currSpeed); w.u32At(at, P.MAX_SPEED, p.maxSpeed);
}

/** Caller guarantees r.left >= OFP_PORT_LEN. */
export function decodePort(r: Reader): PortDesc {
  const at = r.pos;
  r.skip(OFP_PORT_LEN);
  return {
    portNo: r.u32At(at, P.PORT_NO), hwAddr: r.bytesAt(at, P.HW_ADDR), name: r.strAt(at, P.NAME),
    config: r.u32At(at, P.CONFIG), state: r.u32At(at, P.STATE), curr: r.u32At(at, P.CURR),
    advertised: r.u32At(at, P.ADVERTISED), supported: r.u32At(at, P.SUPPORTED), peer: r.u32At(at, P.PEER),
    currSpeed: r.u32At(at, P.CURR_SPEED), maxSpeed: r.u32At(at, P.MAX_SPEED),
  };
}

export function decodePorts(r: Reader): PortDesc[] | OFError {
  if (r.left % OFP_PORT_LEN !== 0) return badLen(`port list of ${r.left} bytes is not a multiple of 64`);
  const out: PortDesc[] = [];
  while (r.left > 0) out.push(decodePort(r));
  return out;
}

// ---- ofp_bucket (§7.3.4.2, layouts.ts OFP_BUCKET), then its actions

export function encodeBuckets(w: Writer, buckets: readonly Bucket[]): void {
  for (const b of buckets) {
    const at = w.pos;
    w.zeros(OFP_BUCKET_LEN);
    w.u16At(at, B.WEIGHT, b.weight); w.u32At(at, B.WATCH_PORT, b.watchPort); w.u32At(at, B.WATCH_GROUP, b.watchGroup);
    encodeActions(w, b.actions);
    w.u16At(at, B.LEN, w.pos - at);
  }
}

export function decodeBuckets(r: Reader): Bucket[] | OFError {
  const out: Bucket[] = [];
  while (r.left > 0) {
    const len = r.left >= 2 ? r.peek16() : 0;
    if (len < OFP_BUCKET_LEN || (len & 7) !== 0 || len > r.left) {
      return ofError(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET, `bucket length ${len} is invalid`);
    }
    const br = r.sub(len);
    const at = br.pos;
    const weight = br.u16At(at, B.WEIGHT); const watchPort = br.u32At(at, B.WATCH_PORT); const watchGroup = br.u32At(at, B.WATCH_GROUP);
    br.skip(OFP_BUCKET_LEN);
    const actions = decodeActions(br);
    if ('ofError' in actions) return actions;
    out.push({ weight, watchPort, watchGroup, actions });
  }
  return out;
}

// ---- Meter bands (§7.3.4.4, layouts.ts OFP_METER_BAND): a 12-byte header + 4 type-specific bytes

const BAND_TYPE: Readonly<Record<MeterBand['type'], number>> = {
  drop: OFPMBT_DROP, dscp_remark: OFPMBT_DSCP_REMARK, experimenter: OFPMBT_EXPERIMENTER,
};

export function encodeBands(w: Writer, bands: readonly MeterBand[]): void {
  for (const b of bands) {
    const at = w.pos;
    w.zeros(OFP_METER_BAND_LEN);
    w.u16At(at, MB.TYPE, BAND_TYPE[b.type]); w.u16At(at, MB.LEN, OFP_METER_BAND_LEN);
    w.u32At(at, MB.RATE, b.rate); w.u32At(at, MB.BURST_SIZE, b.burstSize);
    if (b.type === 'dscp_remark') w.u8At(at, MB.PREC_LEVEL, b.precLevel);
    else if (b.type === 'experimenter') w.u32At(at, OFP_METER_BAND_TAIL, b.experimenter);
  }
}

export function decodeBands(r: Reader): MeterBand[] | OFError {
  const out: MeterBand[] = [];
  const bad = (msg: string) => ofError(OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND, msg);
  while (r.left > 0) {
    if (r.left < OFP_METER_BAND_LEN) return bad(`meter band truncated (${r.left} bytes)`);
    const at = r.pos;
    const type = r.u16At(at, MB.TYPE);
    const len = r.u16At(at, MB.LEN);
    if (len < OFP_METER_BAND_LEN || (len & 7) !== 0 || len > r.left) return bad(`meter band length ${len}`);
    r.skip(len);
    const rate = r.u32At(at, MB.RATE); const burstSize = r.u32At(at, MB.BURST_SIZE);
    if (type === OFPMBT_DROP) out.push({ type: 'drop', rate, burstSize });
    else if (type === OFPMBT_DSCP_REMARK) out.push({ type: 'dscp_remark', rate, burstSize, precLevel: r.u8At(at, MB.PREC_LEVEL) });
    else if (type === OFPMBT_EXPERIMENTER) out.push({ type: 'experimenter', rate, burstSize, experimenter: r.u32At(at, OFP_METER_BAND_TAIL) });
    else return bad(`unknown meter band type ${type}`);
  }
  return out;
}

// ---- ofp_packet_queue (§7.3.6): queue_id(32) port(32) len(16) pad(6) properties

export function encodeQueues(w: Writer, queues: readonly PacketQueue[]): void {
  for (const q of queues) {
    const start = w.pos;
    w.u32(q.queueId); w.u32(q.port); w.u16(0); w.zeros(6);
    for (const p of q.properties) encodeQueueProp(w, p);
    w.patch16(start + 8, w.pos - start);
  }
}

function encodeQueueProp(w: Writer, p: QueueProp): void {
  const start = w.pos;
  const type = p.kind === 'min_rate' ? OFPQT_MIN_RATE : p.kind === 'max_rate' ? OFPQT_MAX_RATE : OFPQT_EXPERIMENTER;
  w.u16(type); w.u16(0); w.zeros(4);
  if (p.kind === 'experimenter') { w.u32(p.experimenter); w.zeros(4); w.bytes(p.data); w.align8(start); }
  else { w.u16(p.rate); w.zeros(6); }
  w.patch16(start + 2, w.pos - start);
}

export function decodeQueues(r: Reader): PacketQueue[] | OFError {
  const out: PacketQueue[] = [];
  while (r.left > 0) {
    if (r.left < 16) return badLen('ofp_packet_queue truncated');
    const len = r.peek16(8);
    if (len < 16 || len > r.left) return badLen(`ofp_packet_queue length ${len}`);
    const qr = r.sub(len);
    const queueId = qr.u32(); const port = qr.u32(); qr.skip(8);
    const properties: QueueProp[] = [];
    while (qr.left > 0) {
      if (qr.left < 8) return badLen('queue property truncated');
      const type = qr.peek16(); const plen = qr.peek16(2);
      if (plen < 8 || plen > qr.left) return badLen(`queue property length ${plen}`);
      const pr = qr.sub(plen);
      pr.skip(8);
      if ((type === OFPQT_MIN_RATE || type === OFPQT_MAX_RATE) && pr.left >= 2) {
        properties.push({ kind: type === OFPQT_MIN_RATE ? 'min_rate' : 'max_rate', rate: pr.u16() });
      } else if (type === OFPQT_EXPERIMENTER && pr.left >= 8) {
        const experimenter = pr.u32(); pr.skip(4);
        properties.push({ kind: 'experimenter', experimenter, data: pr.bytes(pr.left) });
      } else {
        return badLen(`queue property type ${type} with length ${plen}`);
      }
    }
    out.push({ queueId, port, properties });
  }
  return out;
}
