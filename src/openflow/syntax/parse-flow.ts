/**
 * A whole flow in ovs-ofctl(8) "Flow Syntax" → an OF1.3 FlowMod (OF1.3.5 §7.3.4.1):
 * `[table=N,] [priority=P,] [cookie=C[/M],] [timeouts and flags,] match-fields
 *  actions=action-list`. `actions=` is always last: everything after it is the action list.
 *
 * Defaults are ovs-ofctl's: priority 0x8000, no buffer, out_port/out_group ANY, table 0 for
 * add and modify, all tables (0xff) for delete. The statistics fields that dump-flows prints
 * (duration, n_packets, n_bytes, idle_age, hard_age) are accepted and ignored, as
 * ovs-ofctl does, so that a dumped line can be fed back.
 */
import { OFPVID_PRESENT } from '../../packet/flow-key.js';
import { OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IP_PROTO, OFPXMT_OFB_VLAN_VID } from '../../packet/oxm.js';
import {
  OFPFC_ADD, OFPFC_DELETE, OFPFC_DELETE_STRICT, OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPFF_CHECK_OVERLAP,
  OFPFF_NO_BYT_COUNTS, OFPFF_NO_PKT_COUNTS, OFPFF_RESET_COUNTS, OFPFF_SEND_FLOW_REM, OFPTT_ALL, OFPTT_MAX,
  flowMod, type FlowMod, type Instruction,
} from '../../pipeline/types.js';
import { isParseError, parseError, type ParseError } from './errors.js';
import { parseInstructions } from './parse-instructions.js';
import { parseMatch } from './parse-match.js';
import { parsePort } from './ports.js';
import { keyValue, splitTopLevel, type KeyValue } from './tokens.js';
import { bytesUint, parseUint } from './values.js';

export type FlowCommand = 'add' | 'modify' | 'modify_strict' | 'delete' | 'delete_strict';

interface ParseFlowOptions {
  readonly command: FlowCommand;
  /** Refuse what ovs-ofctl would quietly fix (conflicting duplicates, ECN bits in nw_tos). */
  readonly strict?: boolean;
}

const COMMANDS: Readonly<Record<FlowCommand, number>> = {
  add: OFPFC_ADD, modify: OFPFC_MODIFY, modify_strict: OFPFC_MODIFY_STRICT,
  delete: OFPFC_DELETE, delete_strict: OFPFC_DELETE_STRICT,
};

const FLAGS: ReadonlyMap<string, number> = new Map([
  ['send_flow_rem', OFPFF_SEND_FLOW_REM], ['check_overlap', OFPFF_CHECK_OVERLAP], ['reset_counts', OFPFF_RESET_COUNTS],
  ['no_packet_counts', OFPFF_NO_PKT_COUNTS], ['no_byte_counts', OFPFF_NO_BYT_COUNTS],
]);

const VALUED = new Set(['table', 'priority', 'cookie', 'idle_timeout', 'hard_timeout', 'out_port', 'out_group']);
const IGNORED = new Set(['duration', 'n_packets', 'n_bytes', 'idle_age', 'hard_age']);

/** Where `actions=` starts at top level (not inside `write_actions(`), or -1. */
function actionsAt(text: string): number {
  const re = /(^|[\s,])actions=/g;
  const m = re.exec(text);
  return m ? m.index + m[1]!.length : -1;
}

export function parseFlow(text: string, opts: ParseFlowOptions): FlowMod | ParseError {
  const command = COMMANDS[opts.command];
  const isDelete = command === OFPFC_DELETE || command === OFPFC_DELETE_STRICT;
  const at = actionsAt(text);
  const head = at < 0 ? text : text.slice(0, at);
  const toks = splitTopLevel(head, 1);
  if (!Array.isArray(toks)) return parseError('unbalanced parentheses', text, toks.unbalanced);

  let cookie = 0n, cookieMask = 0n, tableId = isDelete ? OFPTT_ALL : 0, priority = 0x8000;
  let idleTimeout = 0, hardTimeout = 0, flags = 0;
  let outPort: number | undefined, outGroup: number | undefined;
  const matchItems: KeyValue[] = [];
  for (const tok of toks) {
    const kv = keyValue(tok);
    const bad = (why = 'bad value') => parseError(`${why} for ${kv.key}: "${kv.value ?? ''}"`, kv.value ?? kv.key, kv.valueColumn);
    const num = (bits: number): number | undefined => {
      const v = parseUint(kv.value ?? '', bits);
      return v === undefined ? undefined : Number(v);
    };
    const flag = FLAGS.get(kv.key);
    if (flag !== undefined && kv.value === undefined) { flags |= flag; continue; }
    if (IGNORED.has(kv.key)) continue;
    if (VALUED.has(kv.key) && kv.value === undefined) return parseError(`${kv.key} needs a value`, kv.key, kv.column);
    switch (kv.key) {
      case 'table': {
        const v = num(8);
        if (v === undefined || (v > OFPTT_MAX && !(isDelete && v === OFPTT_ALL))) return bad();
        tableId = v; continue;
      }
      case 'priority': { const v = num(16); if (v === undefined) return bad(); priority = v; continue; }
      case 'idle_timeout': { const v = num(16); if (v === undefined) return bad(); idleTimeout = v; continue; }
      case 'hard_timeout': { const v = num(16); if (v === undefined) return bad(); hardTimeout = v; continue; }
      case 'cookie': {
        const [vt, mt] = (kv.value ?? '').split('/');
        const v = parseUint(vt ?? '', 64);
        // ovs-ofctl's documentation writes the all-ones mask as -1 (`cookie=0x1f/-1`).
        const m = mt === undefined ? 0n : mt === '-1' ? (1n << 64n) - 1n : parseUint(mt, 64);
        if (v === undefined || m === undefined) return bad();
        // OF1.3.5 §7.3.4.1: the cookie mask only restricts modify/delete; an add has none.
        if (mt !== undefined && command === OFPFC_ADD) return bad('a new flow cannot have a cookie mask');
        cookie = mt === undefined ? v : v & m; cookieMask = m; continue;
      }
      case 'out_port': case 'out_group': {
        if (command === OFPFC_ADD) return parseError(`${kv.key} only applies to modify and delete`, kv.key, kv.column);
        const v = kv.key === 'out_port' ? (kv.value === undefined ? undefined : parsePort(kv.value)) : num(32);
        if (v === undefined) return bad();
        if (kv.key === 'out_port') outPort = v; else outGroup = v;
        continue;
      }
      case 'importance': return parseError('importance is OpenFlow 1.4, not available in OpenFlow 1.3', kv.key, kv.column);
    }
    matchItems.push(kv);
  }

  const match = parseMatch(matchItems, { strict: opts.strict ?? false });
  if (isParseError(match)) return match;

  let instructions: Instruction[] = [];
  if (at >= 0) {
    if (isDelete) return parseError('a delete takes no actions', 'actions', at + 1);
    const eq = text.indexOf('=', at);
    const ethF = match.find((f) => f.field === OFPXMT_OFB_ETH_TYPE);
    const protoF = match.find((f) => f.field === OFPXMT_OFB_IP_PROTO);
    const vidF = match.find((f) => f.field === OFPXMT_OFB_VLAN_VID);
    // A match that requires OFPVID_PRESENT guarantees a tag (dl_vlan=N, vlan_tci=0x1000/0x1000).
    const tagged = vidF !== undefined && (Number(bytesUint(vidF.value)) & OFPVID_PRESENT) !== 0 && (vidF.mask === undefined || (Number(bytesUint(vidF.mask)) & OFPVID_PRESENT) !== 0);
    const ctx = {
      ...(ethF ? { ethType: Number(bytesUint(ethF.value)) } : {}),
      ...(protoF ? { ipProto: Number(bytesUint(protoF.value)) } : {}),
      pushVlanIfNeeded: true,
      vlan: tagged,
    };
    const r = parseInstructions(text.slice(eq + 1), eq + 2, ctx);
    if (!Array.isArray(r)) return r;
    instructions = r;
  } else if (!isDelete) {
    return parseError('missing actions= (use actions=drop for a flow that drops)', text, text.length + 1);
  }

  return flowMod({
    cookie, cookieMask, tableId, command, idleTimeout, hardTimeout, priority, flags, match, instructions,
    ...(outPort !== undefined ? { outPort } : {}),
    ...(outGroup !== undefined ? { outGroup } : {}),
  });
}
