/**
 * Actions in ovs-actions(7) syntax → OF1.3 actions (OF1.3.5 §7.2.5).
 *
 * OpenFlow 1.0 style actions (mod_nw_src, mod_vlan_vid, ...) become OF1.3 set-field
 * actions exactly as ovs-ofctl -O OpenFlow13 encodes them. NXM extensions (load, move,
 * resubmit, ...) are refused with a message saying what to use instead. Instructions
 * (meter, goto_table, ...) are parse-instructions.ts's business: here they are refused as
 * "not allowed inside an action list". `drop` is the empty list and must stand alone.
 */
import { OFPVID_PRESENT } from '../../packet/flow-key.js';
import { ETH_TYPE_VLAN } from '../../packet/ethertype.js';
import { OXM_FIELDS } from '../../packet/oxm.js';
import {
  OFPCML_NO_BUFFER, OFPP_ALL, OFPP_ANY, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_IN_PORT, OFPP_LOCAL, OFPP_NORMAL, OFPP_TABLE, type Action,
} from '../../pipeline/types.js';
import { isParseError, parseError, unknownName, type ParseError } from './errors.js';
import { CONTEXT_NAMES, DIRECT_NAMES, resolveContextName } from './fields.js';
import { parseFieldScalar } from './field-value.js';
import { parsePort } from './ports.js';
import { keyValue, splitTopLevel, type KeyValue, type Token } from './tokens.js';
import { parseUint, uintBytes } from './values.js';

/** eth_type / ip_proto of the flow's match: they decide what mod_tp_src etc. mean. */
export interface ActionContext {
  readonly ethType?: number;
  readonly ipProto?: number;
  /** A flow's actions (not a group bucket's): mod_vlan_vid / mod_vlan_pcp push an 802.1Q
   * tag first unless the packet is known to have one (ovs-ofctl's "push_vlan_if_needed"). */
  readonly pushVlanIfNeeded?: boolean;
  /** The match requires a VLAN tag (vlan_vid with OFPVID_PRESENT). */
  readonly vlan?: boolean;
}

/**
 * Tracks whether the packet has a VLAN tag along an action list, and inserts ovs-ofctl's
 * implicit push_vlan:0x8100 before mod_vlan_vid / mod_vlan_pcp on an untagged packet
 * (`ip,actions=mod_vlan_vid:10` is `push_vlan:0x8100,set_field:4106->vlan_vid` in OF1.3,
 * as `ovs-ofctl -O OpenFlow13 parse-flow` shows).
 */
export class VlanTracker {
  private tagged: boolean;
  constructor(private readonly ctx: ActionContext) {
    this.tagged = ctx.vlan === true;
  }

  /** The implicit push to add before the action named `key`, if any. */
  before(key: string): Action | null {
    const k = key.toLowerCase();
    if (this.ctx.pushVlanIfNeeded && !this.tagged && (k === 'mod_vlan_vid' || k === 'mod_vlan_pcp')) {
      this.tagged = true;
      return { type: 'push_vlan', ethertype: ETH_TYPE_VLAN };
    }
    return null;
  }

  /** Notes the effect of an action on the tag. */
  after(a: Action): void {
    if (a.type === 'push_vlan') this.tagged = true;
    else if (a.type === 'pop_vlan') this.tagged = false;
  }
}

const RESERVED_OUTPUTS: ReadonlyMap<string, number> = new Map([
  ['in_port', OFPP_IN_PORT], ['normal', OFPP_NORMAL], ['flood', OFPP_FLOOD], ['all', OFPP_ALL], ['local', OFPP_LOCAL],
  // as ovs-ofctl reads it, and as format-actions.ts prints output:TABLE back (the tables
  // refuse it outside a packet-out, OF1.3.5 §7.2.1)
  ['table', OFPP_TABLE],
]);

const SIMPLE: ReadonlyMap<string, Action> = new Map<string, Action>([
  ['strip_vlan', { type: 'pop_vlan' }], ['pop_vlan', { type: 'pop_vlan' }], ['dec_ttl', { type: 'dec_nw_ttl' }],
  ['dec_mpls_ttl', { type: 'dec_mpls_ttl' }], ['copy_ttl_in', { type: 'copy_ttl_in' }],
  ['copy_ttl_out', { type: 'copy_ttl_out' }], ['pop_pbb', { type: 'pop_pbb' }],
]);

/** mod_* (OF1.0 names) → the OXM field their set-field writes. */
const MOD_FIELDS: ReadonlyMap<string, string> = new Map([
  ['mod_dl_src', 'eth_src'], ['mod_dl_dst', 'eth_dst'], ['mod_nw_src', 'ipv4_src'], ['mod_nw_dst', 'ipv4_dst'],
  ['mod_vlan_pcp', 'vlan_pcp'], ['mod_nw_ecn', 'ip_ecn'],
]);

const REFUSED: ReadonlyMap<string, string> = new Map([
  ['load', 'load is an Open vSwitch NXM extension: use set_field:VALUE->FIELD'],
  ['move', 'move is an Open vSwitch NXM extension, not OpenFlow 1.3'],
  ['resubmit', 'resubmit is an Open vSwitch extension, not OpenFlow: use goto_table:N'],
  ['learn', 'learn is an Open vSwitch extension, not OpenFlow 1.3'],
  ['ct', 'ct is an Open vSwitch extension, not OpenFlow 1.3'],
  ['note', 'note is an Open vSwitch extension, not OpenFlow 1.3'],
  ['enqueue', 'enqueue is OpenFlow 1.0: use set_queue:Q,output:P'],
]);

/** NXAST_SET_TUNNEL / NXAST_SET_TUNNEL64: OF1.3 sets tunnel_id with set-field (§7.2.5);
 * the message gives the OF1.3 form with the user's value (V when there is none). */
const SET_TUNNEL = new Set(['set_tunnel', 'set_tunnel64']);

const KNOWN = [
  'output', 'controller', 'drop', 'mod_vlan_vid', 'mod_nw_tos', 'mod_tp_src', 'mod_tp_dst', 'set_field', 'push_vlan',
  'push_mpls', 'pop_mpls', 'push_pbb', 'set_mpls_ttl', 'mod_nw_ttl', 'set_queue', 'group',
  ...RESERVED_OUTPUTS.keys(), ...SIMPLE.keys(), ...MOD_FIELDS.keys(),
];

/** Names of OF1.3 instructions in ovs-ofctl syntax (OF1.3.5 §7.2.4). */
const INSTRUCTION_NAMES = ['meter', 'clear_actions', 'write_actions', 'write_metadata', 'goto_table'] as const;

export function isInstructionName(key: string): boolean {
  const k = key.toLowerCase();
  return INSTRUCTION_NAMES.some((n) => k === n || k.startsWith(n + '('));
}

/** `"drop" must not be accompanied by any other action` (as ovs-ofctl says). */
export function dropNotAlone(toks: readonly Token[]): ParseError | undefined {
  const drop = toks.find((t) => t.text.toLowerCase() === 'drop');
  return drop && toks.length > 1 ? parseError('"drop" must not be accompanied by any other action or instruction', drop.text, drop.column) : undefined;
}

/** Parses an action list (inside write_actions, or a group bucket). */
export function parseActionList(text: string, column: number, ctx: ActionContext): Action[] | ParseError {
  const toks = splitTopLevel(text, column, false);
  if (!Array.isArray(toks)) return parseError('unbalanced parentheses in actions', text, toks.unbalanced);
  const alone = dropNotAlone(toks);
  if (alone) return alone;
  const out: Action[] = [];
  const vlan = new VlanTracker(ctx);
  for (const tok of toks) {
    const kv = keyValue(tok, true);
    if (isInstructionName(kv.key)) {
      return parseError(`${kv.key.replace(/\(.*$/s, '')} is an instruction, not allowed inside an action list`, kv.key, kv.column);
    }
    const r = parseAction(kv, ctx);
    if (isParseError(r)) return r;
    if (r === null) continue;
    const push = vlan.before(kv.key);
    if (push) out.push(push);
    vlan.after(r);
    out.push(r);
  }
  return out;
}

type One = Action | null;

/** OF1.3.5 §7.2.1: OFPP_ANY wildcards a port in requests; no packet goes to it (and the
 * formatter prints it as ANY, which is no action: the text would not parse back). */
const NOT_AN_OUTPUT = 'output to ANY: ANY (0xffffffff) wildcards a port in requests, no packet can go to it';

/** One action; null for `drop`. */
export function parseAction(kv: KeyValue, ctx: ActionContext): One | ParseError {
  const key = kv.key.toLowerCase();
  const val = kv.value;
  const bad = (why = 'bad value') => parseError(`${why} for ${key}: "${val ?? ''}"`, val ?? key, kv.valueColumn);
  const num = (bits: number): number | ParseError => {
    const v = val === undefined ? undefined : parseUint(val, bits);
    return v === undefined ? bad(val === undefined ? 'missing value' : 'bad value') : Number(v);
  };
  const act = (action: Action): One => action;
  const setField = (fieldName: string, text: string | undefined): One | ParseError => {
    const info = OXM_FIELDS.find((f) => f.name === fieldName)!;
    const v = text === undefined ? undefined : parseFieldScalar(info.id, text);
    return v ? act({ type: 'set_field', field: { field: info.id, value: v } }) : bad();
  };

  if (/^[0-9]+$/.test(key) && val === undefined) {
    const p = parsePort(key);
    if (p === OFPP_ANY) return parseError(NOT_AN_OUTPUT, key, kv.column);
    return p === undefined ? parseError(`bad port "${key}"`, key, kv.column) : act({ type: 'output', port: p, maxLen: 0 });
  }
  if (SET_TUNNEL.has(key)) {
    return parseError(`${key} is a Nicira extension action; use set_field:${val || 'V'}->tun_id`, kv.key, kv.column);
  }
  const refused = REFUSED.get(key.replace(/\(.*$/s, ''));
  if (refused) return parseError(refused, kv.key, kv.column);
  const simple = SIMPLE.get(key);
  if (simple && val === undefined) return act(simple);
  const reserved = RESERVED_OUTPUTS.get(key);
  if (reserved !== undefined && val === undefined) return act({ type: 'output', port: reserved, maxLen: 0 });
  const mod = MOD_FIELDS.get(key);
  if (mod) return setField(mod, val);

  switch (key) {
    case 'drop': return null;
    case 'output': {
      const p = val === undefined ? undefined : parsePort(val);
      if (p === undefined) return bad('bad port');
      if (p === OFPP_ANY) return parseError(NOT_AN_OUTPUT, val!, kv.valueColumn);
      return act({ type: 'output', port: p, maxLen: p === OFPP_CONTROLLER ? OFPCML_NO_BUFFER : 0 });
    }
    case 'mod_vlan_vid': {
      // OF1.3 set-field on vlan_vid carries OFPVID_PRESENT (OF1.3.5 §7.2.3.8), as ovs-ofctl encodes it.
      const v = num(12);
      return isParseError(v) ? v : act({ type: 'set_field', field: { field: 6, value: uintBytes(BigInt(v | OFPVID_PRESENT), 2) } });
    }
    case 'mod_nw_tos': {
      const v = num(8);
      return isParseError(v) ? v : act({ type: 'set_field', field: { field: 8, value: uintBytes(BigInt(v >> 2), 1) } });
    }
    case 'mod_tp_src': case 'mod_tp_dst': {
      const r = resolveContextName(key.slice(4), ctx.ethType, ctx.ipProto);
      if (typeof r === 'string') return parseError(`${key} ${r.slice(r.indexOf('needs'))}`, kv.key, kv.column);
      return setField(OXM_FIELDS[r]!.name, val);
    }
    case 'set_field': return parseSetField(kv, ctx);
    case 'push_vlan': case 'push_mpls': case 'pop_mpls': case 'push_pbb': {
      const v = num(16);
      return isParseError(v) ? v : act({ type: key, ethertype: v });
    }
    case 'set_mpls_ttl': case 'mod_nw_ttl': case 'set_nw_ttl': {
      const v = num(8);
      return isParseError(v) ? v : act(key === 'set_mpls_ttl' ? { type: 'set_mpls_ttl', ttl: v } : { type: 'set_nw_ttl', ttl: v });
    }
    case 'set_queue': { const v = num(32); return isParseError(v) ? v : act({ type: 'set_queue', queueId: v }); }
    case 'group': { const v = num(32); return isParseError(v) ? v : act({ type: 'group', groupId: v }); }
  }
  if (key === 'controller' || key.startsWith('controller(')) return parseController(kv);
  if (key.startsWith('set_mpls_ttl(') && key.endsWith(')')) {
    const v = parseUint(key.slice(13, -1), 8);
    return v === undefined ? parseError(`bad value for set_mpls_ttl: "${kv.key}"`, kv.key, kv.column) : act({ type: 'set_mpls_ttl', ttl: Number(v) });
  }
  return unknownName('action', kv.key, kv.column, KNOWN);
}

function parseController(kv: KeyValue): One | ParseError {
  let maxLen = OFPCML_NO_BUFFER;
  if (kv.value !== undefined) {
    const v = parseUint(kv.value, 16);
    if (v === undefined) return parseError(`bad max_len for controller: "${kv.value}"`, kv.value, kv.valueColumn);
    maxLen = Number(v);
  } else if (kv.key.includes('(')) {
    const inner = kv.key.slice(kv.key.indexOf('(') + 1, -1);
    const m = /^max_len=(0x[0-9a-f]+|[0-9]+)$/i.exec(inner.trim());
    if (!m || BigInt(m[1]!) > 0xffffn) return parseError(`only controller(max_len=N) is OpenFlow 1.3: "${kv.key}"`, kv.key, kv.column);
    maxLen = Number(m[1]);
  }
  return { type: 'output', port: OFPP_CONTROLLER, maxLen };
}

/** `set_field:VALUE->FIELD` (OF1.3.5 §7.2.5: no mask; the field must be settable). */
function parseSetField(kv: KeyValue, ctx: ActionContext): One | ParseError {
  const v = kv.value ?? '';
  const arrow = v.lastIndexOf('->');
  if (arrow < 0) return parseError(`set_field needs VALUE->FIELD: "${v}"`, v, kv.valueColumn);
  const name = v.slice(arrow + 2);
  const valueText = v.slice(0, arrow);
  let oxm = DIRECT_NAMES.get(name);
  if (oxm === undefined && (CONTEXT_NAMES as readonly string[]).includes(name)) {
    const r = resolveContextName(name, ctx.ethType, ctx.ipProto);
    if (typeof r === 'string') return parseError(r, name, kv.valueColumn + arrow + 2);
    oxm = r;
  }
  if (oxm === undefined) return unknownName('field', name, kv.valueColumn + arrow + 2, DIRECT_NAMES.keys());
  const info = OXM_FIELDS[oxm]!;
  if (!info.settable) return parseError(`${info.name} cannot be set by set_field (OF1.3.5 §7.2.5)`, name, kv.valueColumn + arrow + 2);
  if (valueText.includes('/')) return parseError(`set_field takes no mask in OpenFlow 1.3: "${valueText}"`, valueText, kv.valueColumn);
  const value = parseFieldScalar(oxm, valueText);
  if (!value) return parseError(`bad value for ${name}: "${valueText}"`, valueText, kv.valueColumn);
  return { type: 'set_field', field: { field: oxm, value } };
}

