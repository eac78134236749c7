/**
 * OpenFlow 1.0 actions (§5.2.4) ⇄ internal actions (pipeline/types.ts Action, the 1.3
 * vocabulary). Every 1.0 action is 8 bytes but set_dl_src/dst and enqueue (16).
 *
 *   output       → output (16-bit port → 32-bit, max_len kept)
 *   set_vlan_vid → [push_vlan 0x8100] + set_field vlan_vid   (1.0 adds a tag when there is
 *   set_vlan_pcp → [push_vlan 0x8100] + set_field vlan_pcp    none: the push is added unless
 *                                                              the match requires a tag, as
 *                                                              ovs-ofctl's push_vlan_if_needed)
 *   strip_vlan   → pop_vlan
 *   set_dl_*     → set_field eth_src / eth_dst
 *   set_nw_*     → set_field ipv4_src / ipv4_dst; set_nw_tos → ip_dscp (tos >> 2)
 *   set_tp_*     → set_field tcp_/udp_/sctp_ src/dst by the match's nw_proto; without one
 *                  OFPBAC_MATCH_INCONSISTENT (1.0: BAD_ARGUMENT), as Open vSwitch refuses it
 *   enqueue      → set_queue + output
 *   vendor       → OFPBAC_BAD_EXPERIMENTER (1.0: BAD_VENDOR); unknown type → OFPBAC_BAD_TYPE
 * A length that is not the type's size, or runs past the list → OFPBAC_BAD_LEN.
 *
 * Encoding (flow stats of rules a 1.3 controller may have written) maps back what has a
 * 1.0 form: a push_vlan before a VLAN set-field is implied, set_queue + output is enqueue;
 * anything else without a 1.0 form (groups, MPLS, TTLs, other set-fields) is left out.
 */
import {
  OFPXMT_OFB_ETH_DST, OFPXMT_OFB_ETH_SRC, OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IP_DSCP, OFPXMT_OFB_IP_PROTO,
  OFPXMT_OFB_IPV4_DST, OFPXMT_OFB_IPV4_SRC, OFPXMT_OFB_SCTP_DST, OFPXMT_OFB_SCTP_SRC, OFPXMT_OFB_TCP_DST,
  OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_UDP_DST, OFPXMT_OFB_UDP_SRC, OFPXMT_OFB_VLAN_PCP, OFPXMT_OFB_VLAN_VID,
} from '../../packet/oxm.js';
import {
  OFPBAC_BAD_EXPERIMENTER, OFPBAC_BAD_LEN, OFPBAC_BAD_TYPE, OFPBAC_MATCH_INCONSISTENT, OFPET_BAD_ACTION, ofError,
  type OFError,
} from '../../pipeline/errors.js';
import { ETH_TYPE_IPV4, ETH_TYPE_VLAN } from '../../packet/ethertype.js';
import { OFPVID_PRESENT } from '../../packet/flow-key.js';
import type { Action, Match } from '../../pipeline/types.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFPAT10_ENQUEUE, OFPAT10_OUTPUT, OFPAT10_SET_DL_DST, OFPAT10_SET_DL_SRC, OFPAT10_SET_NW_DST, OFPAT10_SET_NW_SRC,
  OFPAT10_SET_NW_TOS, OFPAT10_SET_TP_DST, OFPAT10_SET_TP_SRC, OFPAT10_SET_VLAN_PCP, OFPAT10_SET_VLAN_VID,
  OFPAT10_STRIP_VLAN, OFPAT10_VENDOR,
} from './constants.js';
import { beBytes, beNumber } from './match.js';
import { port16To32, port32To16 } from './ports.js';

const bad = (code: number, msg: string): OFError => ofError(OFPET_BAD_ACTION, code, msg);

const SIZE: Readonly<Record<number, number>> = {
  [OFPAT10_OUTPUT]: 8, [OFPAT10_SET_VLAN_VID]: 8, [OFPAT10_SET_VLAN_PCP]: 8, [OFPAT10_STRIP_VLAN]: 8,
  [OFPAT10_SET_DL_SRC]: 16, [OFPAT10_SET_DL_DST]: 16, [OFPAT10_SET_NW_SRC]: 8, [OFPAT10_SET_NW_DST]: 8,
  [OFPAT10_SET_NW_TOS]: 8, [OFPAT10_SET_TP_SRC]: 8, [OFPAT10_SET_TP_DST]: 8, [OFPAT10_ENQUEUE]: 16,
};

const setField = (field: number, value: Uint8Array): Action => ({ type: 'set_field', field: { field, value } });

function matchValue(m: Match, field: number): number | undefined {
  const f = m.find((x) => x.field === field);
  return f && f.mask === undefined ? beNumber(f.value) : undefined;
}

/** Reads a 1.0 action list filling the Reader; `match` is the flow's (empty for packet-out). */
export function decodeActions10(r: Reader, match: Match): Action[] | OFError {
  const out: Action[] = [];
  const vid = matchValue(match, OFPXMT_OFB_VLAN_VID);
  let tagged = vid !== undefined && (vid & OFPVID_PRESENT) !== 0;
  const proto = matchValue(match, OFPXMT_OFB_IP_PROTO);
  const ipv4 = matchValue(match, OFPXMT_OFB_ETH_TYPE) === ETH_TYPE_IPV4;
  const tpFields = !ipv4 ? null : proto === 6 ? [OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST]
    : proto === 17 ? [OFPXMT_OFB_UDP_SRC, OFPXMT_OFB_UDP_DST] : proto === 132 ? [OFPXMT_OFB_SCTP_SRC, OFPXMT_OFB_SCTP_DST] : null;
  while (r.left > 0) {
    if (r.left < 8) return bad(OFPBAC_BAD_LEN, `action list: ${r.left} trailing bytes`);
    const at = r.pos;
    const type = r.u16(); const len = r.u16();
    if (type === OFPAT10_VENDOR) return bad(OFPBAC_BAD_EXPERIMENTER, 'vendor actions are not supported');
    const size = SIZE[type];
    if (size === undefined) return bad(OFPBAC_BAD_TYPE, `action type ${type} is not OpenFlow 1.0`);
    if (len !== size || at + len > r.end) return bad(OFPBAC_BAD_LEN, `action type ${type}: length ${len}, expected ${size}`);
    const pushIfNeeded = (): void => {
      if (!tagged) out.push({ type: 'push_vlan', ethertype: ETH_TYPE_VLAN });
      tagged = true;
    };
    switch (type) {
      case OFPAT10_OUTPUT: { const port = port16To32(r.u16()); out.push({ type: 'output', port, maxLen: r.u16() }); break; }
      case OFPAT10_SET_VLAN_VID: pushIfNeeded(); out.push(setField(OFPXMT_OFB_VLAN_VID, beBytes((r.u16() & 0xfff) | OFPVID_PRESENT, 2))); break;
      case OFPAT10_SET_VLAN_PCP: pushIfNeeded(); out.push(setField(OFPXMT_OFB_VLAN_PCP, new Uint8Array([r.u8() & 7]))); break;
      case OFPAT10_STRIP_VLAN: out.push({ type: 'pop_vlan' }); tagged = false; break;
      case OFPAT10_SET_DL_SRC: case OFPAT10_SET_DL_DST:
        out.push(setField(type === OFPAT10_SET_DL_SRC ? OFPXMT_OFB_ETH_SRC : OFPXMT_OFB_ETH_DST, r.bytes(6)));
        break;
      case OFPAT10_SET_NW_SRC: case OFPAT10_SET_NW_DST:
        out.push(setField(type === OFPAT10_SET_NW_SRC ? OFPXMT_OFB_IPV4_SRC : OFPXMT_OFB_IPV4_DST, r.bytes(4)));
        break;
      case OFPAT10_SET_NW_TOS: out.push(setField(OFPXMT_OFB_IP_DSCP, new Uint8Array([r.u8() >> 2]))); break;
      case OFPAT10_SET_TP_SRC: case OFPAT10_SET_TP_DST:
        if (tpFields === null) return bad(OFPBAC_MATCH_INCONSISTENT, 'set_tp_src/dst needs a match on dl_type=0x0800 and nw_proto tcp, udp or sctp');
        out.push(setField(tpFields[type === OFPAT10_SET_TP_SRC ? 0 : 1]!, beBytes(r.u16(), 2)));
        break;
      default: { // OFPAT10_ENQUEUE
        const port = port16To32(r.u16()); r.skip(6);
        out.push({ type: 'set_queue', queueId: r.u32() }, { type: 'output', port, maxLen: 0 });
      }
    }
    r.pos = at + len;
  }
  return out;
}

function head(w: Writer, type: number, len: number): number {
  const at = w.pos;
  w.u16(type); w.u16(len);
  return at;
}

/** Writes the actions that have a 1.0 form (see the header). */
export function encodeActions10(w: Writer, actions: readonly Action[]): void {
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    const next = actions[i + 1];
    if (a.type === 'output') { head(w, OFPAT10_OUTPUT, 8); w.u16(port32To16(a.port)); w.u16(a.maxLen); continue; }
    if (a.type === 'pop_vlan') { head(w, OFPAT10_STRIP_VLAN, 8); w.zeros(4); continue; }
    if (a.type === 'set_queue' && next?.type === 'output') {
      head(w, OFPAT10_ENQUEUE, 16); w.u16(port32To16(next.port)); w.zeros(6); w.u32(a.queueId);
      i++;
      continue;
    }
    if (a.type !== 'set_field') continue; // push_vlan is implied by set_vlan_*; others have no 1.0 form
    const f = a.field;
    const v = beNumber(f.value.subarray(0, 4));
    switch (f.field) {
      case OFPXMT_OFB_VLAN_VID: head(w, OFPAT10_SET_VLAN_VID, 8); w.u16(v & 0xfff); w.zeros(2); break;
      case OFPXMT_OFB_VLAN_PCP: head(w, OFPAT10_SET_VLAN_PCP, 8); w.u8(v); w.zeros(3); break;
      case OFPXMT_OFB_ETH_SRC: case OFPXMT_OFB_ETH_DST:
        head(w, f.field === OFPXMT_OFB_ETH_SRC ? OFPAT10_SET_DL_SRC : OFPAT10_SET_DL_DST, 16); w.bytes(f.value); w.zeros(6);
        break;
      case OFPXMT_OFB_IPV4_SRC: case OFPXMT_OFB_IPV4_DST:
        head(w, f.field === OFPXMT_OFB_IPV4_SRC ? OFPAT10_SET_NW_SRC : OFPAT10_SET_NW_DST, 8); w.u32(v);
        break;
      case OFPXMT_OFB_IP_DSCP: head(w, OFPAT10_SET_NW_TOS, 8); w.u8((v << 2) & 0xfc); w.zeros(3); break;
      case OFPXMT_OFB_TCP_SRC: case OFPXMT_OFB_UDP_SRC: case OFPXMT_OFB_SCTP_SRC:
        head(w, OFPAT10_SET_TP_SRC, 8); w.u16(v); w.zeros(2); break;
      case OFPXMT_OFB_TCP_DST: case OFPXMT_OFB_UDP_DST: case OFPXMT_OFB_SCTP_DST:
        head(w, OFPAT10_SET_TP_DST, 8); w.u16(v); w.zeros(2); break;
      default: break;
    }
  }
}
