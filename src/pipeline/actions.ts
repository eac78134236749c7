/**
 * Validation of OpenFlow 1.3 actions (OF1.3.5 §7.2.5) with the errors of §7.4.4
 * (OFPET_BAD_ACTION), done once on the control path when a flow-mod, group-mod or
 * packet-out arrives, so that the datapath never meets an action it cannot execute.
 *
 * Invariants
 *  - `validateActions` walks the list in the order it will execute and updates the
 *    PacketShape as it goes (push/pop change what the packet is), so a later action's
 *    prerequisites are checked against the packet as it will be at that point.
 *  - The first error wins and is returned as a value; nothing is thrown.
 *  - Port and group existence come from the caller (`ActionContext`): this module holds no
 *    switch state.
 */
import { OFPVID_PRESENT } from '../packet/flow-key.js';
import {
  OFPBAC_BAD_ARGUMENT, OFPBAC_BAD_EXPERIMENTER, OFPBAC_BAD_METER, OFPBAC_BAD_OUT_GROUP, OFPBAC_BAD_OUT_PORT,
  OFPBAC_BAD_SET_ARGUMENT, OFPBAC_BAD_SET_LEN, OFPBAC_BAD_SET_TYPE, OFPBAC_MATCH_INCONSISTENT,
  OFPET_BAD_ACTION, ofError, type OFError,
} from './errors.js';
import {
  OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_ICMPV6_TYPE, OFPXMT_OFB_IP_PROTO, OFPXMT_OFB_METADATA, OFPXMT_OFB_VLAN_VID,
  OXM_FIELDS, OXM_FIELD_COUNT,
} from '../packet/oxm.js';
import {
  isIp, isMpls, prereqsHold, type PacketShape,
} from './shape.js';
import {
  OFPCML_MAX, OFPCML_NO_BUFFER, OFPG_MAX, OFPP_ALL, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_IN_PORT,
  OFPP_LOCAL, OFPP_MAX, OFPP_NORMAL, OFPP_TABLE, type Action, type OxmField,
} from './types.js';
import { ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_PBB, ETH_TYPE_VLAN, ETH_TYPE_VLAN_8021AD } from '../packet/ethertype.js';

export interface ActionContext {
  /** True when `port` (1..OFPP_MAX) is a port of this switch. */
  portExists(port: number): boolean;
  groupExists(groupId: number): boolean;
  /** Validating a packet-out's actions: only there is OFPP_TABLE a valid output (§7.2.1). */
  readonly packetOut?: boolean;
  /** Where the OF1.5 meter action may stand (flow entries): whether the meter exists.
   * Absent (group buckets, packet-outs) = the meter action is refused there. */
  meterExists?(meterId: number): boolean;
}


const bad = (code: number, msg: string): OFError => ofError(OFPET_BAD_ACTION, code, msg);
const inconsistent = (msg: string): OFError => bad(OFPBAC_MATCH_INCONSISTENT, msg);
const hex = (n: number): string => '0x' + n.toString(16);

/** OF1.3.5 §7.2.1: reserved ports an output action may name (TABLE only in packet-out). */
function validOutputPort(port: number, ctx: ActionContext): boolean {
  switch (port) {
    case OFPP_IN_PORT: case OFPP_NORMAL: case OFPP_FLOOD: case OFPP_ALL:
    case OFPP_CONTROLLER: case OFPP_LOCAL:
      return true;
    case OFPP_TABLE:
      return ctx.packetOut === true;
    default:
      return port >= 1 && port <= OFPP_MAX && ctx.portExists(port);
  }
}

function beValue(b: Uint8Array): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/** OF1.3.5 §7.2.5 set-field: one unmasked OXM of a settable field, of the right length,
 * with no bits outside the field, whose prerequisites the packet meets. */
function checkSetField(f: OxmField, shape: PacketShape): OFError | null {
  const info = f.field >= 0 && f.field < OXM_FIELD_COUNT ? OXM_FIELDS[f.field]! : undefined;
  if (info === undefined || !info.settable) return bad(OFPBAC_BAD_SET_TYPE, `set_field: field ${f.field} is not settable`);
  if (f.value.length !== info.bytes) {
    return bad(OFPBAC_BAD_SET_LEN, `set_field ${info.name}: ${f.value.length} bytes, expected ${info.bytes}`);
  }
  // OF1.3 set-field carries no mask (masked set-field came with OF1.5).
  if (f.mask !== undefined) return bad(OFPBAC_BAD_SET_ARGUMENT, `set_field ${info.name}: a mask is not allowed`);
  const extraBits = info.bytes * 8 - info.bits;
  for (let bit = 0; bit < extraBits; bit++) {
    if ((f.value[bit >> 3]! << (bit & 7)) & 0x80) {
      return bad(OFPBAC_BAD_SET_ARGUMENT, `set_field ${info.name}: value has bits beyond ${info.bits}`);
    }
  }
  if (!prereqsHold(info, shape)) return inconsistent(`set_field ${info.name}: the match does not guarantee its prerequisites`);
  // As in Open vSwitch: set_field vlan_vid rewrites a tag, it does not push one.
  if (f.field === OFPXMT_OFB_VLAN_VID && !shape.vlan && !shape.lenient) {
    return inconsistent('set_field vlan_vid: the packet has no VLAN tag (push_vlan first)');
  }
  const v = beValue(f.value);
  if (f.field === OFPXMT_OFB_ETH_TYPE) { shape.ethType = v; shape.ipProto = -1; }
  else if (f.field === OFPXMT_OFB_IP_PROTO) shape.ipProto = v;
  else if (f.field === OFPXMT_OFB_ICMPV6_TYPE) shape.icmpv6Type = v;
  return null;
}

/** Checks one action against the shape and applies its effect on the shape. */
function validateAction(a: Action, ctx: ActionContext, shape: PacketShape): OFError | null {
  switch (a.type) {
    case 'output':
      if (!validOutputPort(a.port, ctx)) return bad(OFPBAC_BAD_OUT_PORT, `output: invalid port ${hex(a.port)}`);
      // §7.2.5: max_len above OFPCML_MAX is invalid unless it is OFPCML_NO_BUFFER.
      if (a.port === OFPP_CONTROLLER && a.maxLen > OFPCML_MAX && a.maxLen !== OFPCML_NO_BUFFER) {
        return bad(OFPBAC_BAD_ARGUMENT, `output CONTROLLER: max_len ${a.maxLen} > OFPCML_MAX`);
      }
      return null;
    case 'group':
      if (a.groupId > OFPG_MAX || !ctx.groupExists(a.groupId)) {
        return bad(OFPBAC_BAD_OUT_GROUP, `group: group ${a.groupId} does not exist`);
      }
      return null;
    case 'set_queue':
      return null;
    case 'set_field':
      return checkSetField(a.field, shape);
    case 'push_vlan':
      if (a.ethertype !== ETH_TYPE_VLAN && a.ethertype !== ETH_TYPE_VLAN_8021AD) {
        return bad(OFPBAC_BAD_ARGUMENT, `push_vlan: ethertype ${hex(a.ethertype)} is not 0x8100/0x88a8`);
      }
      shape.vlan = true;
      return null;
    case 'pop_vlan':
      if (!shape.vlan && !shape.lenient) return inconsistent('pop_vlan: the match does not guarantee a VLAN tag');
      // An inner tag may become the outer one, but nothing guarantees it.
      shape.vlan = false;
      return null;
    case 'push_mpls':
      if (a.ethertype !== ETH_TYPE_MPLS && a.ethertype !== ETH_TYPE_MPLS_MCAST) {
        return bad(OFPBAC_BAD_ARGUMENT, `push_mpls: ethertype ${hex(a.ethertype)} is not 0x8847/0x8848`);
      }
      shape.ethType = a.ethertype;
      shape.ipProto = -1;
      shape.icmpv6Type = -1;
      return null;
    case 'pop_mpls':
      if (!isMpls(shape)) return inconsistent('pop_mpls: the match does not guarantee an MPLS packet');
      shape.ethType = a.ethertype;
      shape.ipProto = -1;
      shape.icmpv6Type = -1;
      return null;
    case 'push_pbb':
      if (a.ethertype !== ETH_TYPE_PBB) return bad(OFPBAC_BAD_ARGUMENT, `push_pbb: ethertype ${hex(a.ethertype)} is not 0x88e7`);
      // A new outer Ethernet header and I-TAG: the old tags and L3 are now inside.
      shape.ethType = ETH_TYPE_PBB;
      shape.vlan = false;
      shape.ipProto = -1;
      shape.icmpv6Type = -1;
      return null;
    case 'pop_pbb':
      if (shape.ethType !== ETH_TYPE_PBB && !shape.lenient) return inconsistent('pop_pbb: the match does not guarantee eth_type 0x88e7');
      shape.ethType = -1;
      shape.vlan = false;
      shape.ipProto = -1;
      shape.icmpv6Type = -1;
      return null;
    case 'set_nw_ttl':
    case 'dec_nw_ttl':
      if (!isIp(shape)) return inconsistent(`${a.type}: the match does not guarantee an IP packet`);
      return null;
    case 'set_mpls_ttl':
    case 'dec_mpls_ttl':
    case 'copy_ttl_in':
    case 'copy_ttl_out':
      if (!isMpls(shape)) return inconsistent(`${a.type}: the match does not guarantee an MPLS packet`);
      return null;
    case 'copy_field':
      return checkCopyField(a, shape);
    case 'meter':
      if (ctx.meterExists === undefined) return bad(OFPBAC_BAD_METER, `meter ${a.meterId}: the meter action is taken in flow entries only`);
      if (!ctx.meterExists(a.meterId)) return bad(OFPBAC_BAD_METER, `meter ${a.meterId} does not exist`);
      return null;
    case 'experimenter':
      return bad(OFPBAC_BAD_EXPERIMENTER, `experimenter action ${hex(a.experimenter)} is not supported`);
  }
}

/**
 * OF1.5.1 §7.2.6.8 copy-field: both fields known, their bit ranges inside them, the
 * source's prerequisites met by the packet (as a match would need them), and a
 * destination the pipeline can write: a settable field (the value is written as a
 * set-field of the whole field, decide.ts) or metadata (a pipeline field, words only).
 */
function checkCopyField(a: Extract<Action, { type: 'copy_field' }>, shape: PacketShape): OFError | null {
  const src = a.src >= 0 && a.src < OXM_FIELD_COUNT ? OXM_FIELDS[a.src]! : undefined;
  const dst = a.dst >= 0 && a.dst < OXM_FIELD_COUNT ? OXM_FIELDS[a.dst]! : undefined;
  if (src === undefined || dst === undefined) return bad(OFPBAC_BAD_ARGUMENT, `copy_field: unknown field ${src === undefined ? a.src : a.dst}`);
  if (!dst.settable && a.dst !== OFPXMT_OFB_METADATA) return bad(OFPBAC_BAD_SET_TYPE, `copy_field: ${dst.name} cannot be written`);
  if (a.nBits < 1 || a.srcOffset + a.nBits > src.bits || a.dstOffset + a.nBits > dst.bits) {
    return bad(OFPBAC_BAD_ARGUMENT, `copy_field: ${a.nBits} bits from bit ${a.srcOffset} of ${src.name} (${src.bits} bits) to bit ${a.dstOffset} of ${dst.name} (${dst.bits} bits)`);
  }
  if (!prereqsHold(src, shape)) return inconsistent(`copy_field from ${src.name}: the match does not guarantee its prerequisites`);
  if (!prereqsHold(dst, shape)) return inconsistent(`copy_field to ${dst.name}: the match does not guarantee its prerequisites`);
  if (a.dst === OFPXMT_OFB_VLAN_VID && !shape.vlan && !shape.lenient) {
    return inconsistent('copy_field to vlan_vid: the packet has no VLAN tag (push_vlan first)');
  }
  if (a.dst === OFPXMT_OFB_ETH_TYPE) { shape.ethType = -1; shape.ipProto = -1; }
  else if (a.dst === OFPXMT_OFB_IP_PROTO) shape.ipProto = -1;
  else if (a.dst === OFPXMT_OFB_ICMPV6_TYPE) shape.icmpv6Type = -1;
  return null;
}

/** Validates a list in execution order, threading the shape through it. */
export function validateActions(actions: readonly Action[], ctx: ActionContext, shape: PacketShape): OFError | null {
  for (const a of actions) {
    const e = validateAction(a, ctx, shape);
    if (e !== null) return e;
  }
  return null;
}

/** Value of a set_field vlan_vid as it will be in the key: OFPVID_PRESENT is implied
 * (a tag being rewritten is present), whether or not the controller set it. */
export function vlanVidForKey(value: Uint8Array): number {
  return (beValue(value) & 0xfff) | OFPVID_PRESENT;
}
