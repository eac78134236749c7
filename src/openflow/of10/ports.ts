/**
 * Ports in OpenFlow 1.0: 16-bit port numbers (§5.2.1 enum ofp_port) ⇄ the internal 32-bit
 * ones, and struct ofp_phy_port ⇄ PortDesc.
 *
 * Invariants
 *  - Reserved numbers keep their meaning: 1.0's 0xff00..0xffff are 1.3's 0xffffff00..
 *    0xffffffff (IN_PORT, TABLE, NORMAL, FLOOD, ALL, CONTROLLER, LOCAL; 1.0's NONE is 1.3's
 *    ANY). A physical port number that does not fit 16 bits becomes OFPP10_NONE.
 *  - Port config bits PORT_DOWN, NO_RECV, NO_FLOOD, NO_FWD, NO_PACKET_IN are the same bits
 *    in both versions; of the state only LINK_DOWN exists in both (1.0's other bits are STP).
 *  - Feature bits above 10GB_FD differ (1.3 inserted 40G/100G/1T/OTHER): translated.
 */
import {
  OFPPF_10GB_FD, OFPPF_10MB_FD, OFPPF_10MB_HD, OFPPF_100MB_FD, OFPPF_100MB_HD, OFPPF_1GB_FD, OFPPF_1GB_HD,
  OFPPF_AUTONEG, OFPPF_COPPER, OFPPF_FIBER, OFPPF_PAUSE, OFPPF_PAUSE_ASYM, OFP_MAX_PORT_NAME_LEN,
} from '../constants.js';
import type { PortDesc } from '../multipart-types.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFPP10_MAX, OFPP10_NONE, OFPPF10_10GB_FD, OFPPF10_10MB_FD, OFPPF10_10MB_HD, OFPPF10_100MB_FD, OFPPF10_100MB_HD,
  OFPPF10_1GB_FD, OFPPF10_1GB_HD, OFPPF10_AUTONEG, OFPPF10_COPPER, OFPPF10_FIBER, OFPPF10_PAUSE, OFPPF10_PAUSE_ASYM,
  OFPPS10_LINK_DOWN,
} from './constants.js';
import { OFP10_PHY_PORT as P } from './layouts.js';

const OFPP_MAX32 = 0xffffff00;

export function port16To32(p: number): number {
  return p >= OFPP10_MAX ? (p | 0xffff0000) >>> 0 : p;
}

export function port32To16(p: number): number {
  if (p >= OFPP_MAX32) return p & 0xffff;
  return p < OFPP10_MAX ? p : OFPP10_NONE;
}

const FEATURES: readonly (readonly [number, number])[] = [
  [OFPPF10_10MB_HD, OFPPF_10MB_HD], [OFPPF10_10MB_FD, OFPPF_10MB_FD], [OFPPF10_100MB_HD, OFPPF_100MB_HD],
  [OFPPF10_100MB_FD, OFPPF_100MB_FD], [OFPPF10_1GB_HD, OFPPF_1GB_HD], [OFPPF10_1GB_FD, OFPPF_1GB_FD],
  [OFPPF10_10GB_FD, OFPPF_10GB_FD], [OFPPF10_COPPER, OFPPF_COPPER], [OFPPF10_FIBER, OFPPF_FIBER],
  [OFPPF10_AUTONEG, OFPPF_AUTONEG], [OFPPF10_PAUSE, OFPPF_PAUSE], [OFPPF10_PAUSE_ASYM, OFPPF_PAUSE_ASYM],
];

export function features13To10(f: number): number {
  let out = 0;
  for (const [b10, b13] of FEATURES) if (f & b13) out |= b10;
  return out >>> 0;
}

export function features10To13(f: number): number {
  let out = 0;
  for (const [b10, b13] of FEATURES) if (f & b10) out |= b13;
  return out >>> 0;
}

const CONFIG_SHARED = 0x75; // PORT_DOWN | NO_RECV | NO_FLOOD | NO_FWD | NO_PACKET_IN

export function encodePhyPort(w: Writer, p: PortDesc): void {
  const at = w.pos;
  w.zeros(48);
  w.u16At(at, P.PORT_NO, port32To16(p.portNo));
  w.bytesAt(at, P.HW_ADDR, p.hwAddr.subarray(0, 6));
  w.strAt(at, P.NAME, p.name);
  w.u32At(at, P.CONFIG, p.config & CONFIG_SHARED);
  w.u32At(at, P.STATE, p.state & OFPPS10_LINK_DOWN);
  w.u32At(at, P.CURR, features13To10(p.curr));
  w.u32At(at, P.ADVERTISED, features13To10(p.advertised));
  w.u32At(at, P.SUPPORTED, features13To10(p.supported));
  w.u32At(at, P.PEER, features13To10(p.peer));
}

/** Reads one ofp_phy_port (the caller checked 48 bytes are there). Speeds are not in 1.0: 0. */
export function decodePhyPort(r: Reader): PortDesc {
  const at = r.pos;
  r.pos = at + 48;
  return {
    portNo: port16To32(r.u16At(at, P.PORT_NO)), hwAddr: r.bytesAt(at, P.HW_ADDR),
    name: r.strAt(at, P.NAME).slice(0, OFP_MAX_PORT_NAME_LEN - 1),
    config: r.u32At(at, P.CONFIG), state: r.u32At(at, P.STATE),
    curr: features10To13(r.u32At(at, P.CURR)), advertised: features10To13(r.u32At(at, P.ADVERTISED)),
    supported: features10To13(r.u32At(at, P.SUPPORTED)), peer: features10To13(r.u32At(at, P.PEER)),
    currSpeed: 0, maxSpeed: 0,
  };
}
