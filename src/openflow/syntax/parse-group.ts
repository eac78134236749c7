/**
 * Groups in ovs-ofctl(8) "Group Syntax" → an OF1.3 GroupMod (OF1.3.5 §7.3.4.2):
 * `group_id=N,type=all|select|indirect|fast_failover(ff),bucket=B,bucket=B...` where a
 * bucket is `[weight:W,][watch_port:P,][watch_group:G,][actions=]action,...`.
 * A bucket runs until the next top-level `bucket=`. Defaults as ovs-ofctl: weight 1 in a
 * select group (0 otherwise), watch_port and watch_group ANY.
 */
import {
  OFPG_ANY, OFPGC_ADD, OFPGC_DELETE, OFPGC_MODIFY, OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT,
  OFPP_ANY, OFPG_ALL, type Bucket, type GroupMod,
} from '../../pipeline/types.js';
import { isParseError, parseError, unknownName, type ParseError } from './errors.js';
import { parseActionList } from './parse-actions.js';
import { parsePort } from './ports.js';
import { keyValue, splitTopLevel } from './tokens.js';
import { parseUint } from './values.js';

export type GroupCommand = 'add' | 'modify' | 'delete';
const COMMANDS: Readonly<Record<GroupCommand, number>> = { add: OFPGC_ADD, modify: OFPGC_MODIFY, delete: OFPGC_DELETE };

const GROUP_TYPES: ReadonlyMap<string, number> = new Map([
  ['all', OFPGT_ALL], ['select', OFPGT_SELECT], ['indirect', OFPGT_INDIRECT], ['fast_failover', OFPGT_FF], ['ff', OFPGT_FF],
]);

export function parseGroup(text: string, opts: { readonly command: GroupCommand }): GroupMod | ParseError {
  const command = COMMANDS[opts.command];
  // Cut at every top-level "bucket=": the first piece is the group's own fields.
  const starts: number[] = [];
  const re = /(^|[\s,])bucket=/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[1]!.length);
  const head = text.slice(0, starts[0] ?? text.length);
  const toks = splitTopLevel(head, 1);
  if (!Array.isArray(toks)) return parseError('unbalanced parentheses', text, toks.unbalanced);

  let groupId: number | undefined;
  let type = OFPGT_ALL;
  for (const tok of toks) {
    const kv = keyValue(tok);
    if (kv.key === 'group_id') {
      const v = kv.value?.toLowerCase() === 'all' ? BigInt(OFPG_ALL) : parseUint(kv.value ?? '', 32);
      if (v === undefined) return parseError(`bad value for group_id: "${kv.value ?? ''}"`, kv.value ?? kv.key, kv.valueColumn);
      groupId = Number(v);
    } else if (kv.key === 'type') {
      const t = GROUP_TYPES.get(kv.value ?? '');
      if (t === undefined) return unknownName('group type', kv.value ?? '', kv.valueColumn, GROUP_TYPES.keys());
      type = t;
    } else {
      return unknownName('group keyword', kv.key, kv.column, ['group_id', 'type', 'bucket']);
    }
  }
  if (groupId === undefined) return parseError('missing group_id=', text, 1);
  if (command === OFPGC_DELETE && starts.length > 0) return parseError('a group delete takes no buckets', 'bucket', starts[0]! + 1);

  const buckets: Bucket[] = [];
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i]! + 'bucket='.length;
    const body = text.slice(from, starts[i + 1] ?? text.length).replace(/[\s,]+$/, '');
    const b = parseBucket(body, from + 1, type);
    if (isParseError(b)) return b;
    buckets.push(b);
  }
  return { command, type, groupId, buckets };
}

function parseBucket(body: string, column: number, groupType: number): Bucket | ParseError {
  let weight = groupType === OFPGT_SELECT ? 1 : 0;
  let watchPort = OFPP_ANY;
  let watchGroup = OFPG_ANY;
  const toks = splitTopLevel(body, column, false);
  if (!Array.isArray(toks)) return parseError('unbalanced parentheses in bucket', body, toks.unbalanced);
  let actionsFrom = body.length;
  for (const tok of toks) {
    const kv = keyValue(tok, true);
    const key = kv.key;
    if (key === 'weight' || key === 'watch_port' || key === 'watch_group') {
      const v = key === 'watch_port' ? parsePort(kv.value ?? '') : parseUint(kv.value ?? '', key === 'weight' ? 16 : 32);
      if (v === undefined) return parseError(`bad value for ${key}: "${kv.value ?? ''}"`, kv.value ?? key, kv.valueColumn);
      if (key === 'weight') weight = Number(v); else if (key === 'watch_port') watchPort = Number(v); else watchGroup = Number(v);
      continue;
    }
    // The first token that is not a bucket parameter starts the action list.
    actionsFrom = tok.column - column + (tok.text.startsWith('actions=') ? 'actions='.length : 0);
    break;
  }
  const actions = parseActionList(body.slice(actionsFrom), column + actionsFrom, {});
  if (!Array.isArray(actions)) return actions;
  return { weight, watchPort, watchGroup, actions };
}
