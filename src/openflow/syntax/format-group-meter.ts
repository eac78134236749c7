/**
 * Groups and meters as ovs-ofctl prints them (lib/ofp-group.c, lib/ofp-meter.c):
 * `group_id=1,type=select,bucket=weight:10,actions=output:1,...` — weight shown when it
 * differs from the type's default (1 for select, 0 otherwise), watch_port/watch_group when
 * not ANY — and `meter=1 kbps burst stats bands=\ntype=drop rate=1000 burst_size=100`.
 * parseGroup and parseMeter read both back.
 */
import {
  OFPG_ANY, OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT, OFPMF_BURST, OFPMF_KBPS, OFPMF_PKTPS, OFPMF_STATS,
  OFPP_ANY, type Bucket, type MeterBand,
} from '../../pipeline/types.js';
import { formatActionList } from './format-actions.js';
import { formatPort } from './ports.js';

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [OFPGT_ALL]: 'all', [OFPGT_SELECT]: 'select', [OFPGT_INDIRECT]: 'indirect', [OFPGT_FF]: 'ff',
};

interface GroupView { readonly groupId: number; readonly type: number; readonly buckets: readonly Bucket[] }

function formatBucket(b: Bucket, groupType: number): string {
  let s = 'bucket=';
  if (b.weight !== (groupType === OFPGT_SELECT ? 1 : 0)) s += `weight:${b.weight},`;
  if (b.watchPort !== OFPP_ANY) s += `watch_port:${formatPort(b.watchPort)},`;
  if (b.watchGroup !== OFPG_ANY) s += `watch_group:${b.watchGroup},`;
  return s + `actions=${b.actions.length ? formatActionList(b.actions) : 'drop'}`;
}

export function formatGroup(g: GroupView): string {
  const head = `group_id=${g.groupId},type=${TYPE_NAMES[g.type] ?? String(g.type)}`;
  return [head, ...g.buckets.map((b) => formatBucket(b, g.type))].join(',');
}

interface MeterView { readonly meterId: number; readonly flags: number; readonly bands: readonly MeterBand[] }

const METER_FLAGS: readonly [number, string][] = [
  [OFPMF_KBPS, 'kbps'], [OFPMF_PKTPS, 'pktps'], [OFPMF_BURST, 'burst'], [OFPMF_STATS, 'stats'],
];

export function formatMeter(m: MeterView): string {
  let s = `meter=${m.meterId} `;
  for (const [bit, name] of METER_FLAGS) if (m.flags & bit) s += `${name} `;
  s += 'bands=';
  for (const b of m.bands) {
    s += `\ntype=${b.type === 'experimenter' ? 'experimenter' : b.type} rate=${b.rate}`;
    if (m.flags & OFPMF_BURST) s += ` burst_size=${b.burstSize}`;
    if (b.type === 'dscp_remark') s += ` prec_level=${b.precLevel}`;
  }
  return s;
}
