/**
 * Structures shared by several messages (OF1.3.5 §7.2–§7.3): ofp_port, ofp_bucket,
 * ofp_meter_band_*, ofp_packet_queue and its properties.
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
  OFP_BUCKET_LEN, OFP_MAX_PORT_NAME_LEN, OFP_METER_BAND_LEN, OFP_PORT_LEN, OFPQT_EXPERIMENTER,
  OFPQT_MAX_RATE, OFPQT_MIN_RATE,
} from './constants.js';
import { decodeActions, encodeActions } from './actions-codec.js';
import type { PacketQueue, QueueProp } from './message-types.js';
import type { PortDesc } from './multipart-types.js';
import type { Reader, Writer } from './wire.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

/** A 6-byte Ethernet address field; shorter inputs are zero-filled, longer ones cut. */
export function writeHwAddr(w: Writer, a: Uint8Array): void {
  for (let i = 0; i < 6; i++) w.u8(a[i] ?? 0);
}

// ---- ofp_port (64 bytes)

export function encodePort(w: Writer, p: PortDesc): void {
  w.u32(p.portNo); w.zeros(4); writeHwAddr(w, p.hwAddr); w.zeros(2);
  w.str(p.name, OFP_MAX_PORT_NAME_LEN);
  w.u32(p.config); w.u32(p.state); w.u32(p.curr); w.u32(p.advertised); w.u32(p.supported);
  w.u32(p.peer); w.u32(p.currSpeed); w.u32(p.maxSpeed);
}

/** Caller guarantees r.left >= OFP_PORT_LEN. */
export function decodePort(r: Reader): PortDesc {
  const portNo = r.u32(); r.skip(4);
  const hwAddr = r.bytes(6); r.skip(2);
  const name = r.str(OFP_MAX_PORT_NAME_LEN);
  return {
    portNo, hwAddr, name, config: r.u32(), state: r.u32(), curr: r.u32(), advertised: r.u32(),
    supported: r.u32(), peer: r.u32(), currSpeed: r.u32(), maxSpeed: r.u32(),
  };
}

export function decodePorts(r: Reader): PortDesc[] | OFError {
  if (r.left % OFP_PORT_LEN !== 0) return badLen(`port list of ${r.left} bytes is not a multiple of 64`);
  const out: PortDesc[] = [];
  while (r.left > 0) out.push(decodePort(r));
  return out;
}

// ---- ofp_bucket (§7.3.4.2): len(16) weight(16) watch_port(32) watch_group(32) pad(4) actions

export function encodeBuckets(w: Writer, buckets: readonly Bucket[]): void {
  for (const b of buckets) {
    const start = w.pos;
    w.u16(0); w.u16(b.weight); w.u32(b.watchPort); w.u32(b.watchGroup); w.zeros(4);
    encodeActions(w, b.actions);
    w.patch16(start, w.pos - start);
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
    br.skip(2);
    const weight = br.u16(); const watchPort = br.u32(); const watchGroup = br.u32(); br.skip(4);
    const actions = decodeActions(br);
    if ('ofError' in actions) return actions;
    out.push({ weight, watchPort, watchGroup, actions });
  }
  return out;
}

// ---- Meter bands (§7.3.4.4): type(16) len(16) rate(32) burst_size(32) + 4 type-specific bytes

const BAND_TYPE: Readonly<Record<MeterBand['type'], number>> = {
  drop: OFPMBT_DROP, dscp_remark: OFPMBT_DSCP_REMARK, experimenter: OFPMBT_EXPERIMENTER,
};

export function encodeBands(w: Writer, bands: readonly MeterBand[]): void {
  for (const b of bands) {
    w.u16(BAND_TYPE[b.type]); w.u16(OFP_METER_BAND_LEN); w.u32(b.rate); w.u32(b.burstSize);
    if (b.type === 'dscp_remark') { w.u8(b.precLevel); w.zeros(3); }
    else if (b.type === 'experimenter') w.u32(b.experimenter);
    else w.zeros(4);
  }
}

export function decodeBands(r: Reader): MeterBand[] | OFError {
  const out: MeterBand[] = [];
  const bad = (msg: string) => ofError(OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND, msg);
  while (r.left > 0) {
    if (r.left < OFP_METER_BAND_LEN) return bad(`meter band truncated (${r.left} bytes)`);
    const type = r.peek16();
    const len = r.peek16(2);
    if (len < OFP_METER_BAND_LEN || (len & 7) !== 0 || len > r.left) return bad(`meter band length ${len}`);
    const br = r.sub(len);
    br.skip(4);
    const rate = br.u32(); const burstSize = br.u32();
    if (type === OFPMBT_DROP) out.push({ type: 'drop', rate, burstSize });
    else if (type === OFPMBT_DSCP_REMARK) out.push({ type: 'dscp_remark', rate, burstSize, precLevel: br.u8() });
    else if (type === OFPMBT_EXPERIMENTER) out.push({ type: 'experimenter', rate, burstSize, experimenter: br.u32() });
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
