/**
 * OpenFlow 1.4's asynchronous configuration as properties (OF1.4.1 §7.3.10): one
 * ofp_async_config_prop_reasons (type, length 8, mask) per message kind and role, in
 * place of 1.3's fixed arrays. GET_ASYNC_REPLY carries all of them; SET_ASYNC only those
 * to change.
 *
 * Invariants: the property types map one to one onto the internal AsyncConfig's
 * [master/equal, slave] pairs; table-status and requestforward masks are accepted and
 * not kept (Sluice sends neither message); an experimenter property is
 * OFPBPC_BAD_EXPERIMENTER, another unknown type OFPBPC_BAD_TYPE, a length other than 8
 * OFPBPC_BAD_LEN, and the same type twice OFPBPC_DUP_TYPE.
 */
import {
  OFPBPC_BAD_EXPERIMENTER, OFPBPC_BAD_TYPE, OFPBPC_DUP_TYPE, OFPET_BAD_PROPERTY, ofError, type OFError,
} from '../../pipeline/errors.js';
import type { AsyncConfig, AsyncMaskUpdate } from '../message-types.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFP14_ASYNC_CONFIG_PROP_REASONS_LEN, OFPACPT_EXPERIMENTER_MASTER, OFPACPT_EXPERIMENTER_SLAVE,
  OFPACPT_FLOW_REMOVED_MASTER, OFPACPT_FLOW_REMOVED_SLAVE, OFPACPT_PACKET_IN_MASTER, OFPACPT_PACKET_IN_SLAVE,
  OFPACPT_PORT_STATUS_MASTER, OFPACPT_PORT_STATUS_SLAVE, OFPACPT_REQUESTFORWARD_MASTER, OFPACPT_ROLE_STATUS_MASTER,
  OFPACPT_ROLE_STATUS_SLAVE, OFPACPT_TABLE_STATUS_MASTER, OFPACPT_TABLE_STATUS_SLAVE, OFPACPT_REQUESTFORWARD_SLAVE,
} from './constants.js';
import { OFP14_ASYNC_CONFIG_PROP_REASONS as AP } from './layouts.js';
import { badPropLen, readProps } from './properties.js';

type MaskName = 'packetInMask' | 'portStatusMask' | 'flowRemovedMask' | 'roleStatusMask';

/** Property type → (mask, index: 0 = master/equal, 1 = slave). */
const PROPS: ReadonlyMap<number, readonly [MaskName, 0 | 1]> = new Map([
  [OFPACPT_PACKET_IN_MASTER, ['packetInMask', 0]], [OFPACPT_PACKET_IN_SLAVE, ['packetInMask', 1]],
  [OFPACPT_PORT_STATUS_MASTER, ['portStatusMask', 0]], [OFPACPT_PORT_STATUS_SLAVE, ['portStatusMask', 1]],
  [OFPACPT_FLOW_REMOVED_MASTER, ['flowRemovedMask', 0]], [OFPACPT_FLOW_REMOVED_SLAVE, ['flowRemovedMask', 1]],
  [OFPACPT_ROLE_STATUS_MASTER, ['roleStatusMask', 0]], [OFPACPT_ROLE_STATUS_SLAVE, ['roleStatusMask', 1]],
]);
/** Accepted, not kept. */
const IGNORED = new Set([OFPACPT_TABLE_STATUS_MASTER, OFPACPT_TABLE_STATUS_SLAVE, OFPACPT_REQUESTFORWARD_MASTER, OFPACPT_REQUESTFORWARD_SLAVE]);

/** Role-status default (OF1.4.1 §7.3.10: master/equal get it, slaves too): bits 0..2. */
const ROLE_STATUS_ALL = 0b111;

export function encodeAsync14(w: Writer, a: AsyncConfig): void {
  for (const [type, [name, i]] of PROPS) {
    const pair = name === 'roleStatusMask' ? (a.roleStatusMask ?? [ROLE_STATUS_ALL, ROLE_STATUS_ALL]) : a[name];
    const at = w.pos;
    w.zeros(OFP14_ASYNC_CONFIG_PROP_REASONS_LEN);
    w.u16At(at, AP.TYPE, type); w.u16At(at, AP.LENGTH, OFP14_ASYNC_CONFIG_PROP_REASONS_LEN); w.u32At(at, AP.MASK, pair[i]);
  }
}

/** SET_ASYNC's properties: only the halves given (an absent property leaves its mask alone). */
export function encodeAsyncUpdate14(w: Writer, u: Partial<Record<MaskName, AsyncMaskUpdate>>): void {
  for (const [type, [name, i]] of PROPS) {
    const v = u[name]?.[i];
    if (v === undefined || v === null) continue;
    const at = w.pos;
    w.zeros(OFP14_ASYNC_CONFIG_PROP_REASONS_LEN);
    w.u16At(at, AP.TYPE, type); w.u16At(at, AP.LENGTH, OFP14_ASYNC_CONFIG_PROP_REASONS_LEN); w.u32At(at, AP.MASK, v);
  }
}

/** The masks `r`'s properties set: a half no property names is null, a mask neither of
 * whose halves is named is absent. */
export function decodeAsync14(r: Reader, alsoIgnored?: ReadonlySet<number>): Partial<Record<MaskName, AsyncMaskUpdate>> | OFError {
  const out: Partial<Record<MaskName, [number | null, number | null]>> = {};
  const seen = new Set<number>();
  const e = readProps(r, 'async config', (type, len, body) => {
    if (seen.has(type)) return ofError(OFPET_BAD_PROPERTY, OFPBPC_DUP_TYPE, `async config property ${type} twice`);
    seen.add(type);
    if (type === OFPACPT_EXPERIMENTER_MASTER || type === OFPACPT_EXPERIMENTER_SLAVE) {
      return ofError(OFPET_BAD_PROPERTY, OFPBPC_BAD_EXPERIMENTER, 'async config experimenter property not supported');
    }
    const p = PROPS.get(type);
    if (p === undefined && !IGNORED.has(type) && alsoIgnored?.has(type) !== true) return ofError(OFPET_BAD_PROPERTY, OFPBPC_BAD_TYPE, `async config property type ${type}`);
    if (len !== OFP14_ASYNC_CONFIG_PROP_REASONS_LEN) return badPropLen(`async config property ${type} of length ${len}`);
    if (p === undefined) return null;
    const pair = (out[p[0]] ??= [null, null]);
    pair[p[1]] = body.u32();
    return null;
  });
  return e ?? out;
}
