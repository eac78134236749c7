/**
 * struct ofp_table_features and its properties (OF1.3.5 §7.3.5.5).
 *
 *   ofp_table_features: length(16) table_id(8) pad(5) name[32] metadata_match(64)
 *                       metadata_write(64) config(32) max_entries(32) properties
 *   property:           type(16) length(16) payload, then zero padding to 8 bytes
 *                       (length counts header + payload, NOT the padding, §7.3.5.5.2)
 *
 * Payloads: instruction/action ids are their 4-byte headers (type, len=4), 8 bytes with
 * the experimenter id for experimenter ones; next-tables is a byte per table; OXM ids are
 * 32-bit TLV headers (8 bytes for OFPXMC_EXPERIMENTER ids); experimenter props carry
 * experimenter(32) exp_type(32) data.
 *
 * Invariants: bad framing is OFPET_TABLE_FEATURES_FAILED/OFPTFFC_BAD_LEN, an unknown
 * property type OFPTFFC_BAD_TYPE (§7.3.5.5.2: the switch must refuse what it cannot parse).
 */
import { OFPXMC_EXPERIMENTER } from '../packet/oxm.js';
import {
  OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN, OFPTFFC_BAD_TYPE, ofError, type OFError,
} from '../pipeline/errors.js';
import { OFP_MAX_TABLE_NAME_LEN, OFP_TABLE_FEATURES_LEN, pad8 } from './constants.js';
import type { FeatureId, OxmId, TableFeatureProp, TableFeatures } from './multipart-types.js';
import type { Reader, Writer } from './wire.js';

const badLen = (msg: string): OFError => ofError(OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN, msg);

type PropKind = TableFeatureProp['kind'];

const OFPTFPT: Readonly<Record<PropKind, number>> = {
  instructions: 0, instructions_miss: 1, next_tables: 2, next_tables_miss: 3,
  write_actions: 4, write_actions_miss: 5, apply_actions: 6, apply_actions_miss: 7,
  match: 8, wildcards: 10, write_setfield: 12, write_setfield_miss: 13,
  apply_setfield: 14, apply_setfield_miss: 15, experimenter: 0xfffe, experimenter_miss: 0xffff,
};
const KIND_OF_NUMBER = new Map<number, PropKind>(
  (Object.entries(OFPTFPT) as [PropKind, number][]).map(([k, n]) => [n, k]),
);

function encodeProp(w: Writer, p: TableFeatureProp): void {
  const start = w.pos;
  w.u16(OFPTFPT[p.kind]); w.u16(0);
  if ('ids' in p) {
    for (const id of p.ids) {
      w.u16(id.type);
      if (id.experimenter !== undefined) { w.u16(8); w.u32(id.experimenter); } else w.u16(4);
    }
  } else if ('tableIds' in p) {
    for (const t of p.tableIds) w.u8(t);
  } else if ('oxmIds' in p) {
    for (const o of p.oxmIds) { w.u32(o.header); if (o.experimenter !== undefined) w.u32(o.experimenter); }
  } else {
    w.u32(p.experimenter); w.u32(p.expType); w.bytes(p.data);
  }
  w.patch16(start + 2, w.pos - start);
  w.align8(start);
}

export function encodeTableFeatures(w: Writer, tables: readonly TableFeatures[]): void {
  for (const t of tables) {
    const start = w.pos;
    w.u16(0); w.u8(t.tableId); w.zeros(5); w.str(t.name, OFP_MAX_TABLE_NAME_LEN);
    w.u64(t.metadataMatch); w.u64(t.metadataWrite); w.u32(t.config); w.u32(t.maxEntries);
    for (const p of t.properties) encodeProp(w, p);
    w.patch16(start, w.pos - start);
  }
}

function decodeIds(r: Reader): FeatureId[] | OFError {
  const ids: FeatureId[] = [];
  while (r.left > 0) {
    if (r.left < 4) return badLen('instruction/action id truncated');
    const type = r.u16(); const len = r.u16();
    if (len < 4 || len - 4 > r.left) return badLen(`instruction/action id length ${len}`);
    if (type === 0xffff && len >= 8) {
      ids.push({ type, experimenter: r.u32() });
      r.skip(len - 8);
    } else {
      ids.push({ type });
      r.skip(len - 4);
    }
  }
  return ids;
}

function decodeOxmIds(r: Reader): OxmId[] | OFError {
  const ids: OxmId[] = [];
  while (r.left > 0) {
    if (r.left < 4) return badLen('OXM id truncated');
    const header = r.u32();
    if (header >>> 16 === OFPXMC_EXPERIMENTER) {
      if (r.left < 4) return badLen('experimenter OXM id truncated');
      ids.push({ header, experimenter: r.u32() });
    } else ids.push({ header });
  }
  return ids;
}

function decodeProp(kind: PropKind, r: Reader): TableFeatureProp | OFError {
  switch (kind) {
    case 'instructions': case 'instructions_miss':
    case 'write_actions': case 'write_actions_miss': case 'apply_actions': case 'apply_actions_miss': {
      const ids = decodeIds(r);
      return 'ofError' in ids ? ids : { kind, ids };
    }
    case 'next_tables': case 'next_tables_miss':
      return { kind, tableIds: Array.from(r.bytes(r.left)) };
    case 'experimenter': case 'experimenter_miss': {
      if (r.left < 8) return badLen('experimenter property truncated');
      const experimenter = r.u32(); const expType = r.u32();
      return { kind, experimenter, expType, data: r.bytes(r.left) };
    }
    default: {
      const oxmIds = decodeOxmIds(r);
      return 'ofError' in oxmIds ? oxmIds : { kind, oxmIds };
    }
  }
}

function decodeOne(r: Reader): TableFeatures | OFError {
  r.skip(2);
  const tableId = r.u8(); r.skip(5);
  const name = r.str(OFP_MAX_TABLE_NAME_LEN);
  const metadataMatch = r.u64(); const metadataWrite = r.u64();
  const config = r.u32(); const maxEntries = r.u32();
  const properties: TableFeatureProp[] = [];
  while (r.left > 0) {
    if (r.left < 4) return badLen('table feature property truncated');
    const type = r.u16(); const len = r.u16();
    if (len < 4 || len - 4 > r.left) return badLen(`table feature property length ${len}`);
    const kind = KIND_OF_NUMBER.get(type);
    if (kind === undefined) {
      return ofError(OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_TYPE, `unknown table feature property ${type}`);
    }
    const p = decodeProp(kind, r.sub(len - 4));
    if ('ofError' in p) return p;
    properties.push(p);
    r.skip(Math.min(pad8(len) - len, r.left)); // the last property's padding may be cut by the table's length
  }
  return { tableId, name, metadataMatch, metadataWrite, config, maxEntries, properties };
}

export function decodeTableFeatures(r: Reader): TableFeatures[] | OFError {
  const out: TableFeatures[] = [];
  while (r.left > 0) {
    const len = r.left >= 2 ? r.peek16() : 0;
    if (len < OFP_TABLE_FEATURES_LEN || len > r.left) return badLen(`ofp_table_features length ${len}`);
    const t = decodeOne(r.sub(len));
    if ('ofError' in t) return t;
    out.push(t);
  }
  return out;
}
