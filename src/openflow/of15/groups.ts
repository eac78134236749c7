/**
 * OpenFlow 1.5's group buckets (OF1.5.1 §7.3.4.3): a bucket is len(16) action_array_len(16)
 * bucket_id(32), its actions, then properties (weight, watch_port, watch_group) in place
 * of 1.3's fixed fields; group-mod and group desc carry bucket_array_len before them.
 *
 * Invariants: decodeBuckets15 consumes exactly its reader; a bucket shorter than 8 bytes,
 * past the list, or whose actions overrun it is OFPGMFC_BAD_BUCKET; a malformed property
 * is OFPET_BAD_PROPERTY; a property absent takes 1.3's neutral value (weight 1 in a
 * select group and 0 elsewhere, watch OFPP_ANY / OFPG_ANY), as Open vSwitch reads it.
 * encodeBuckets15 writes weight for select groups (and any other nonzero one) and the
 * watches that are set (Open vSwitch's choice), and each bucket's id (its position when it has none).
 */
import {
  OFPBPC_BAD_EXPERIMENTER, OFPBPC_BAD_TYPE, OFPET_BAD_PROPERTY, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET,
  ofError, type OFError,
} from '../../pipeline/errors.js';
import { OFPG_ANY, OFPGT_SELECT, OFPP_ANY, type Bucket } from '../../pipeline/types.js';
import { decodeActions, encodeActions } from '../actions-codec.js';
import { badPropLen, readProps } from '../of14/properties.js';
import type { Reader, Writer } from '../wire.js';
import {
  OFP15_BUCKET_LEN, OFP15_GROUP_BUCKET_PROP_LEN, OFPGBPT_EXPERIMENTER, OFPGBPT_WATCH_GROUP, OFPGBPT_WATCH_PORT, OFPGBPT_WEIGHT,
} from './constants.js';
import { OFP15_BUCKET as B } from './layouts.js';

const badBucket = (msg: string): OFError => ofError(OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET, msg);

function prop(w: Writer, type: number, v: number, bits: 16 | 32): void {
  w.u16(type); w.u16(OFP15_GROUP_BUCKET_PROP_LEN);
  if (bits === 16) { w.u16(v); w.zeros(2); } else w.u32(v);
}

export function encodeBuckets15(w: Writer, groupType: number, buckets: readonly Bucket[]): void {
  buckets.forEach((b, i) => {
    const at = w.pos;
    w.zeros(OFP15_BUCKET_LEN);
    w.u32At(at, B.BUCKET_ID, b.bucketId ?? i);
    encodeActions(w, b.actions);
    w.u16At(at, B.ACTION_ARRAY_LEN, w.pos - at - OFP15_BUCKET_LEN);
    if (groupType === OFPGT_SELECT || b.weight !== 0) prop(w, OFPGBPT_WEIGHT, b.weight, 16);
    if (b.watchPort !== OFPP_ANY) prop(w, OFPGBPT_WATCH_PORT, b.watchPort, 32);
    if (b.watchGroup !== OFPG_ANY) prop(w, OFPGBPT_WATCH_GROUP, b.watchGroup, 32);
    w.u16At(at, B.LEN, w.pos - at);
  });
}

export function decodeBuckets15(r: Reader, groupType: number): Bucket[] | OFError {
  const out: Bucket[] = [];
  while (r.left > 0) {
    const len = r.left >= 2 ? r.peek16() : 0;
    if (len < OFP15_BUCKET_LEN || len > r.left) return badBucket(`bucket length ${len} is invalid`);
    const br = r.sub(len);
    const at = br.pos;
    const actionsLen = br.u16At(at, B.ACTION_ARRAY_LEN); const bucketId = br.u32At(at, B.BUCKET_ID);
    br.skip(OFP15_BUCKET_LEN);
    if (actionsLen > br.left) return badBucket(`bucket ${bucketId}: action_array_len ${actionsLen} overruns the bucket`);
    const actions = decodeActions(br.sub(actionsLen));
    if ('ofError' in actions) return actions;
    let weight = groupType === OFPGT_SELECT ? 1 : 0;
    let watchPort = OFPP_ANY;
    let watchGroup = OFPG_ANY;
    const e = readProps(br, 'bucket', (type, plen, body) => {
      if (type === OFPGBPT_EXPERIMENTER) return ofError(OFPET_BAD_PROPERTY, OFPBPC_BAD_EXPERIMENTER, 'bucket experimenter property');
      if (type !== OFPGBPT_WEIGHT && type !== OFPGBPT_WATCH_PORT && type !== OFPGBPT_WATCH_GROUP) {
        return ofError(OFPET_BAD_PROPERTY, OFPBPC_BAD_TYPE, `bucket property type ${type}`);
      }
      if (plen !== OFP15_GROUP_BUCKET_PROP_LEN) return badPropLen(`bucket property ${type} of length ${plen}`);
      if (type === OFPGBPT_WEIGHT) weight = body.u16();
      else if (type === OFPGBPT_WATCH_PORT) watchPort = body.u32();
      else watchGroup = body.u32();
      return null;
    });
    if (e !== null) return e;
    out.push({ bucketId, weight, watchPort, watchGroup, actions });
  }
  return out;
}
