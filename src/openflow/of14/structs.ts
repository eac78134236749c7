/**
 * The 1.4 forms of the structures that gained properties (OF1.4.1 §7.2.1, §7.3.5.7,
 * §7.3.5.8): ofp_port with its Ethernet property, ofp_port_stats with its Ethernet
 * property, ofp_queue_stats. They carry the same values as 1.3's (the internal PortDesc,
 * PortStats, QueueStats); only the wire arrangement differs.
 *
 * Invariants
 *  - Encoding writes exactly one Ethernet property per port and per port-stats entry
 *    (what Open vSwitch writes and ovs-ofctl prints), and none per queue.
 *  - Each entry's `length` covers its properties; list decoders refuse an entry whose
 *    length is below its fixed part or past the list (OFPBRC_BAD_LEN), and read the
 *    Ethernet property when present (absent = zeros); other properties are skipped.
 */
import { OFPBRC_BAD_LEN, OFPET_BAD_REQUEST, isOFError, ofError, type OFError } from '../../pipeline/errors.js';
import type { PortDesc, PortStats, QueueStats } from '../multipart-types.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFP14_PORT_DESC_PROP_ETHERNET_LEN, OFP14_PORT_LEN, OFP14_PORT_STATS_LEN, OFP14_PORT_STATS_PROP_ETHERNET_LEN,
  OFP14_QUEUE_STATS_LEN, OFPPDPT_ETHERNET, OFPPSPT_ETHERNET,
} from './constants.js';
import {
  OFP14_PORT as P, OFP14_PORT_DESC_PROP_ETHERNET as PE, OFP14_PORT_STATS as PS,
  OFP14_PORT_STATS_PROP_ETHERNET as PSE, OFP14_QUEUE_STATS as QS,
} from './layouts.js';
import { readProps } from './properties.js';

const badLen = (msg: string): OFError => ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, msg);

// ---- ofp_port: 40 bytes + the 32-byte Ethernet property

export function encodePort14(w: Writer, p: PortDesc): void {
  const at = w.pos;
  const len = OFP14_PORT_LEN + OFP14_PORT_DESC_PROP_ETHERNET_LEN;
  w.zeros(len);
  w.u32At(at, P.PORT_NO, p.portNo); w.u16At(at, P.LENGTH, len); w.bytesAt(at, P.HW_ADDR, p.hwAddr);
  w.strAt(at, P.NAME, p.name); w.u32At(at, P.CONFIG, p.config); w.u32At(at, P.STATE, p.state);
  const e = at + OFP14_PORT_LEN;
  w.u16At(e, PE.TYPE, OFPPDPT_ETHERNET); w.u16At(e, PE.LENGTH, OFP14_PORT_DESC_PROP_ETHERNET_LEN);
  w.u32At(e, PE.CURR, p.curr); w.u32At(e, PE.ADVERTISED, p.advertised); w.u32At(e, PE.SUPPORTED, p.supported);
  w.u32At(e, PE.PEER, p.peer); w.u32At(e, PE.CURR_SPEED, p.currSpeed); w.u32At(e, PE.MAX_SPEED, p.maxSpeed);
}

/** One ofp_port taking all of `r` (its `length` must be r.left). */
export function decodePort14(r: Reader): PortDesc | OFError {
  if (r.left < OFP14_PORT_LEN) return badLen(`port of ${r.left} bytes, at least ${OFP14_PORT_LEN} expected`);
  const at = r.pos;
  const length = r.u16At(at, P.LENGTH);
  if (length !== r.left) return badLen(`port length ${length}, ${r.left} bytes given`);
  const base = {
    portNo: r.u32At(at, P.PORT_NO), hwAddr: r.bytesAt(at, P.HW_ADDR), name: r.strAt(at, P.NAME),
    config: r.u32At(at, P.CONFIG), state: r.u32At(at, P.STATE),
  };
  let eth = { curr: 0, advertised: 0, supported: 0, peer: 0, currSpeed: 0, maxSpeed: 0 };
  r.skip(OFP14_PORT_LEN);
  const e = readProps(r, 'port', (type, len, body) => {
    if (type !== OFPPDPT_ETHERNET) return null; // optical, experimenter: not represented
    if (len !== OFP14_PORT_DESC_PROP_ETHERNET_LEN) return badLen(`port ethernet property of length ${len}`);
    const b = body.pos - 4;
    eth = {
      curr: body.u32At(b, PE.CURR), advertised: body.u32At(b, PE.ADVERTISED), supported: body.u32At(b, PE.SUPPORTED),
      peer: body.u32At(b, PE.PEER), currSpeed: body.u32At(b, PE.CURR_SPEED), maxSpeed: body.u32At(b, PE.MAX_SPEED),
    };
    return null;
  });
  return e ?? { ...base, ...eth };
}

/** A list of entries each starting with a u16 length at `lengthAt`, of at least `min` bytes. */
function sizedList14<T>(r: Reader, min: number, lengthAt: number, what: string, one: (sub: Reader) => T | OFError): T[] | OFError {
  const out: T[] = [];
  while (r.left > 0) {
    if (r.left < min) return badLen(`${what}: ${r.left} bytes left, an entry has at least ${min}`);
    const len = r.buf[r.pos + lengthAt]! * 256 + r.buf[r.pos + lengthAt + 1]!;
    if (len < min || len > r.left) return badLen(`${what}: entry length ${len}`);
    const x = one(r.sub(len));
    if (isOFError(x)) return x;
    out.push(x);
  }
  return out;
}

export const decodePorts14 = (r: Reader): PortDesc[] | OFError => sizedList14(r, OFP14_PORT_LEN, P.LENGTH[0], 'port list', decodePort14);

// ---- ofp_port_stats: 80 bytes + the 40-byte Ethernet property

export function encodePortStats14(w: Writer, p: PortStats): void {
  const at = w.pos;
  const len = OFP14_PORT_STATS_LEN + OFP14_PORT_STATS_PROP_ETHERNET_LEN;
  w.zeros(len);
  w.u16At(at, PS.LENGTH, len); w.u32At(at, PS.PORT_NO, p.portNo);
  w.u32At(at, PS.DURATION_SEC, p.durationSec); w.u32At(at, PS.DURATION_NSEC, p.durationNsec);
  w.u64At(at, PS.RX_PACKETS, p.rxPackets); w.u64At(at, PS.TX_PACKETS, p.txPackets);
  w.u64At(at, PS.RX_BYTES, p.rxBytes); w.u64At(at, PS.TX_BYTES, p.txBytes);
  w.u64At(at, PS.RX_DROPPED, p.rxDropped); w.u64At(at, PS.TX_DROPPED, p.txDropped);
  w.u64At(at, PS.RX_ERRORS, p.rxErrors); w.u64At(at, PS.TX_ERRORS, p.txErrors);
  const e = at + OFP14_PORT_STATS_LEN;
  w.u16At(e, PSE.TYPE, OFPPSPT_ETHERNET); w.u16At(e, PSE.LENGTH, OFP14_PORT_STATS_PROP_ETHERNET_LEN);
  w.u64At(e, PSE.RX_FRAME_ERR, p.rxFrameErr); w.u64At(e, PSE.RX_OVER_ERR, p.rxOverErr);
  w.u64At(e, PSE.RX_CRC_ERR, p.rxCrcErr); w.u64At(e, PSE.COLLISIONS, p.collisions);
}

function decodePortStats14(r: Reader): PortStats | OFError {
  const at = r.pos;
  r.skip(OFP14_PORT_STATS_LEN);
  let eth = { rxFrameErr: 0n, rxOverErr: 0n, rxCrcErr: 0n, collisions: 0n };
  const e = readProps(r, 'port stats', (type, len, body) => {
    if (type !== OFPPSPT_ETHERNET) return null;
    if (len !== OFP14_PORT_STATS_PROP_ETHERNET_LEN) return badLen(`port stats ethernet property of length ${len}`);
    const b = body.pos - 4;
    eth = {
      rxFrameErr: body.u64At(b, PSE.RX_FRAME_ERR), rxOverErr: body.u64At(b, PSE.RX_OVER_ERR),
      rxCrcErr: body.u64At(b, PSE.RX_CRC_ERR), collisions: body.u64At(b, PSE.COLLISIONS),
    };
    return null;
  });
  if (e !== null) return e;
  return {
    portNo: r.u32At(at, PS.PORT_NO), durationSec: r.u32At(at, PS.DURATION_SEC), durationNsec: r.u32At(at, PS.DURATION_NSEC),
    rxPackets: r.u64At(at, PS.RX_PACKETS), txPackets: r.u64At(at, PS.TX_PACKETS),
    rxBytes: r.u64At(at, PS.RX_BYTES), txBytes: r.u64At(at, PS.TX_BYTES),
    rxDropped: r.u64At(at, PS.RX_DROPPED), txDropped: r.u64At(at, PS.TX_DROPPED),
    rxErrors: r.u64At(at, PS.RX_ERRORS), txErrors: r.u64At(at, PS.TX_ERRORS), ...eth,
  };
}

export const decodePortStatsList14 = (r: Reader): PortStats[] | OFError =>
  sizedList14(r, OFP14_PORT_STATS_LEN, PS.LENGTH[0], 'port stats', decodePortStats14);

// ---- ofp_queue_stats: 48 bytes, no properties written

export function encodeQueueStats14(w: Writer, q: QueueStats): void {
  const at = w.pos;
  w.zeros(OFP14_QUEUE_STATS_LEN);
  w.u16At(at, QS.LENGTH, OFP14_QUEUE_STATS_LEN); w.u32At(at, QS.PORT_NO, q.portNo); w.u32At(at, QS.QUEUE_ID, q.queueId);
  w.u64At(at, QS.TX_BYTES, q.txBytes); w.u64At(at, QS.TX_PACKETS, q.txPackets); w.u64At(at, QS.TX_ERRORS, q.txErrors);
  w.u32At(at, QS.DURATION_SEC, q.durationSec); w.u32At(at, QS.DURATION_NSEC, q.durationNsec);
}

export const decodeQueueStatsList14 = (r: Reader): QueueStats[] | OFError =>
  sizedList14(r, OFP14_QUEUE_STATS_LEN, QS.LENGTH[0], 'queue stats', (q) => {
    const at = q.pos;
    q.skip(q.left); // experimenter properties only: not represented
    return {
      portNo: q.u32At(at, QS.PORT_NO), queueId: q.u32At(at, QS.QUEUE_ID), txBytes: q.u64At(at, QS.TX_BYTES),
      txPackets: q.u64At(at, QS.TX_PACKETS), txErrors: q.u64At(at, QS.TX_ERRORS),
      durationSec: q.u32At(at, QS.DURATION_SEC), durationNsec: q.u32At(at, QS.DURATION_NSEC),
    };
  });
