/**
 * The match part of a flow in ovs-ofctl syntax → an OF1.3 Match (OXM list).
 *
 * Invariants of the result:
 * - fields are sorted by OXM id, which puts every prerequisite before the fields that
 *   need it (eth_type < ip_proto < tcp_dst, icmpv6_type < nd_target, vlan_vid < vlan_pcp);
 * - every prerequisite of OF1.3.5 §7.2.3.6 is present (ovs-ofctl silently drops a field
 *   whose prerequisite is missing; we refuse it, naming the field, because a rule that
 *   silently matches more than written is the worse surprise);
 * - values are ANDed with their masks; exact masks are omitted; zero masks drop the field.
 * Two passes: the first finds eth_type and ip_proto, which decide what context names
 * (nw_src, tp_dst, icmp_type, ...) mean; the second parses every field.
 */
import { OFPVID_PRESENT } from '../../packet/flow-key.js';
import { OXM_FIELDS, OFPXMT_OFB_VLAN_PCP, OFPXMT_OFB_VLAN_VID, OFPXMT_OFB_IP_DSCP } from '../../packet/oxm.js';
import type { Match, OxmField } from '../../pipeline/types.js';
import { parseError, unknownName, type ParseError } from './errors.js';
import {
  ALL_MATCH_NAMES, CONTEXT_NAMES, DIRECT_NAMES, FLOW_KEYWORDS, OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IP_PROTO,
  SHORTHANDS, resolveContextName,
} from './fields.js';
import { parseFieldValue } from './field-value.js';
import type { KeyValue } from './tokens.js';
import { bytesUint, parseUint, uintBytes } from './values.js';
import { ETH_TYPE_ARP } from '../../packet/ethertype.js';


interface MatchOptions { readonly strict?: boolean }

const isContext = (k: string): boolean => (CONTEXT_NAMES as readonly string[]).includes(k);

export function parseMatch(items: readonly KeyValue[], opts: MatchOptions = {}): Match | ParseError {
  // Pass 1: eth_type and ip_proto, the context of the other names.
  let ethType: number | undefined;
  let ipProto: number | undefined;
  for (const kv of items) {
    const sh = kv.value === undefined ? SHORTHANDS.get(kv.key) : undefined;
    if (sh) { ethType = sh.ethType; if (sh.ipProto !== undefined) ipProto = sh.ipProto; }
    else if ((kv.key === 'dl_type' || kv.key === 'eth_type') && kv.value !== undefined) {
      const v = parseUint(kv.value, 16);
      if (v !== undefined) ethType = Number(v);
    }
  }
  for (const kv of items) {
    if ((kv.key === 'ip_proto' || (kv.key === 'nw_proto' && ethType !== ETH_TYPE_ARP)) && kv.value !== undefined) {
      const v = parseUint(kv.value, 8);
      if (v !== undefined) ipProto = Number(v);
    }
  }

  // Pass 2: every field.
  const fields = new Map<number, OxmField & { column: number }>();
  const put = (kv: KeyValue, field: number, value: Uint8Array, mask?: Uint8Array): ParseError | undefined => {
    const old = fields.get(field);
    if (old && opts.strict && (bytesUint(old.value) !== bytesUint(value) || bytesUint(old.mask ?? new Uint8Array()) !== bytesUint(mask ?? new Uint8Array()))) {
      return parseError(`conflicting values for ${OXM_FIELDS[field]!.name}: "${kv.key}${kv.value !== undefined ? '=' + kv.value : ''}"`, kv.key, kv.column);
    }
    fields.set(field, mask ? { field, value, mask, column: kv.column } : { field, value, column: kv.column });
    return undefined;
  };
  const bad = (kv: KeyValue, why = 'bad value') => parseError(`${why} for ${kv.key}: "${kv.value ?? ''}"`, kv.value ?? kv.key, kv.valueColumn);

  for (const kv of items) {
    const sh = SHORTHANDS.get(kv.key);
    if (sh && kv.value === undefined) {
      const e = put(kv, OFPXMT_OFB_ETH_TYPE, uintBytes(BigInt(sh.ethType), 2))
        ?? (sh.ipProto !== undefined ? put(kv, OFPXMT_OFB_IP_PROTO, uintBytes(BigInt(sh.ipProto), 1)) : undefined);
      if (e) return e;
      continue;
    }
    if (sh || (FLOW_KEYWORDS as readonly string[]).includes(kv.key)) {
      return parseError(kv.value === undefined ? `${kv.key} needs a value` : `${kv.key} takes no value`, kv.key, kv.column);
    }
    if (kv.value === undefined || kv.value === '') {
      if (DIRECT_NAMES.has(kv.key) || isContext(kv.key)) return parseError(`missing value for ${kv.key}`, kv.key, kv.column);
      return unknownName('match field or keyword', kv.key, kv.column, ALL_MATCH_NAMES);
    }
    let e: ParseError | undefined;
    if (kv.key === 'dl_vlan') {
      // OF1.0 style VID: 0xffff means "no 802.1Q header" (OFPVID_NONE in OF1.3).
      const v = parseUint(kv.value, 16);
      if (v === undefined || (v > 0xfffn && v !== 0xffffn)) return bad(kv);
      e = put(kv, OFPXMT_OFB_VLAN_VID, uintBytes(v === 0xffffn ? 0n : v | BigInt(OFPVID_PRESENT), 2));
    } else if (kv.key === 'dl_vlan_pcp' || kv.key === 'vlan_pcp') {
      const v = parseUint(kv.value, 3);
      if (v === undefined) return bad(kv);
      e = put(kv, OFPXMT_OFB_VLAN_PCP, uintBytes(v, 1));
    } else if (kv.key === 'vlan_tci') {
      // ovs-ofctl's 16-bit TCI view: PCP(3) | CFI = OFPVID_PRESENT (1) | VID(12).
      const [vt, mt] = kv.value.split('/');
      const v = parseUint(vt ?? '', 16);
      const m = mt === undefined ? 0xffffn : parseUint(mt, 16);
      if (v === undefined || m === undefined) return bad(kv);
      const vidMask = Number(m) & 0x1fff;
      const tagged = (Number(v & m) & OFPVID_PRESENT) !== 0;
      const pcpMask = tagged ? (Number(m) >> 13) & 7 : 0;
      if (pcpMask !== 0 && pcpMask !== 7) return bad(kv, 'vlan_pcp cannot be partly masked in OpenFlow 1.3, bad value');
      if (vidMask) e = put(kv, OFPXMT_OFB_VLAN_VID, uintBytes(v & BigInt(vidMask), 2), vidMask === 0x1fff ? undefined : uintBytes(BigInt(vidMask), 2));
      if (!e && pcpMask) e = put(kv, OFPXMT_OFB_VLAN_PCP, uintBytes((v >> 13n) & 7n, 1));
    } else if (kv.key === 'nw_tos') {
      // The ToS byte: ip_dscp is its top six bits (RFC 2474); ECN bits are matched by nw_ecn.
      const v = parseUint(kv.value, 8);
      if (v === undefined || (opts.strict && (v & 3n) !== 0n)) return bad(kv, v === undefined ? 'bad value' : 'ECN bits set in value');
      e = put(kv, OFPXMT_OFB_IP_DSCP, uintBytes(v >> 2n, 1));
    } else {
      let oxm = DIRECT_NAMES.get(kv.key);
      if (oxm === undefined && isContext(kv.key)) {
        const r = resolveContextName(kv.key, ethType, ipProto);
        if (typeof r === 'string') return parseError(r, kv.key, kv.column);
        oxm = r;
      }
      if (oxm === undefined) {
        return unknownName('match field', kv.key, kv.column, ALL_MATCH_NAMES);
      }
      const fv = parseFieldValue(oxm, kv.value);
      if (typeof fv === 'string') return bad(kv, fv);
      if (fv.wildcard) { fields.delete(oxm); continue; }
      e = put(kv, oxm, fv.value, fv.mask);
    }
    if (e) return e;
  }

  // ovs-ofctl: a PCP match implies "has a tag" (vlan_vid=0x1000/0x1000), the prerequisite
  // OF1.3.5 §7.2.3.6 demands for vlan_pcp.
  const pcp = fields.get(OFPXMT_OFB_VLAN_PCP);
  if (pcp && !fields.has(OFPXMT_OFB_VLAN_VID)) {
    fields.set(OFPXMT_OFB_VLAN_VID, { field: OFPXMT_OFB_VLAN_VID, value: uintBytes(0x1000n, 2), mask: uintBytes(0x1000n, 2), column: pcp.column });
  }

  const sorted = [...fields.values()].sort((a, b) => a.field - b.field);
  for (const f of sorted) {
    const why = prerequisiteProblem(f.field, fields);
    if (why) return parseError(why, OXM_FIELDS[f.field]!.name, f.column);
  }
  return sorted.map(({ field, value, mask }) => (mask ? { field, value, mask } : { field, value }));
}

/** OF1.3.5 §7.2.3.6: the prerequisite field must be matched exactly to an allowed value. */
function prerequisiteProblem(field: number, fields: ReadonlyMap<number, OxmField>): string | undefined {
  const info = OXM_FIELDS[field]!;
  const pre = info.prereq;
  if (!pre) return undefined;
  const have = fields.get(pre.field);
  const preName = OXM_FIELDS[pre.field]!.name;
  if (pre.vlanPresent) {
    const v = have ? Number(bytesUint(have.value)) : 0;
    const m = have?.mask ? Number(bytesUint(have.mask)) : 0x1fff;
    return have && (v & m & OFPVID_PRESENT) ? undefined : `${info.name} needs a VLAN tag in the match (vlan_vid with 0x1000 set, or dl_vlan)`;
  }
  const show = (x: number) => (preName === 'eth_type' ? '0x' + x.toString(16).padStart(4, '0') : String(x));
  const wanted = pre.values.map(show).join(' or ');
  if (!have || have.mask) return `${info.name} needs ${preName}${wanted ? '=' + wanted : ''} in the match`;
  if (pre.values.length > 0 && !pre.values.includes(Number(bytesUint(have.value)))) {
    return `${info.name} needs ${preName}=${wanted}, but the match has ${preName}=${show(Number(bytesUint(have.value)))}`;
  }
  return prerequisiteProblem(pre.field, fields);
}
