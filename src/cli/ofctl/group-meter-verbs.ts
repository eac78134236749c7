/**
 * Group and meter verbs: add-group, mod-group, del-groups, dump-groups, add-meter,
 * mod-meter, del-meters, dump-meters (ovs-ofctl(8) names and syntax). Mods are followed by
 * a barrier, dumps print what `ovs-ofctl -O OpenFlow13` prints (without its header line):
 * dump-groups from OFPMP_GROUP_DESC, dump-meters from OFPMP_METER_CONFIG (OF1.3.5 §7.3.5.9,
 * §7.3.5.13), meters separated by a blank line.
 */
import { OFPG_ALL, OFPGC_DELETE, OFPGT_ALL, OFPM_ALL, OFPMC_DELETE, type GroupMod, type MeterMod } from '../../pipeline/types.js';
import { formatGroup, formatMeter, parseGroup, parseMeter, type GroupCommand, type MeterCommand } from '../../openflow/syntax/index.js';
import { connectOrFail, modifyOrFail, okOrFail, parsedOrFail, print, type OfctlOptions } from './run.js';

async function sendGroup(bridge: string, gm: GroupMod, text: string, opts: OfctlOptions): Promise<void> {
  const c = await connectOrFail(bridge, opts);
  const req = { type: 'group_mod' as const, command: gm.command, groupType: gm.type, groupId: gm.groupId, buckets: gm.buckets };
  await modifyOrFail(c, 'group', [{ req, text }]);
  c.close();
}

async function sendMeter(bridge: string, mm: MeterMod, text: string, opts: OfctlOptions): Promise<void> {
  const c = await connectOrFail(bridge, opts);
  await modifyOrFail(c, 'meter', [{ req: { type: 'meter_mod', ...mm }, text }]);
  c.close();
}

export async function groupMod(command: Exclude<GroupCommand, 'delete'>, bridge: string, group: string, opts: OfctlOptions): Promise<void> {
  await sendGroup(bridge, parsedOrFail(parseGroup(group, { command })), group, opts);
}

/** del-groups BRIDGE [group_id=N]: all groups when none is named. */
export async function delGroups(bridge: string, group: string | undefined, opts: OfctlOptions): Promise<void> {
  const gm: GroupMod = group === undefined
    ? { command: OFPGC_DELETE, type: OFPGT_ALL, groupId: OFPG_ALL, buckets: [] }
    : parsedOrFail(parseGroup(group, { command: 'delete' }));
  await sendGroup(bridge, gm, group ?? 'group_id=all', opts);
}

export async function dumpGroups(bridge: string, opts: OfctlOptions): Promise<void> {
  const c = await connectOrFail(bridge, opts);
  const bodies = okOrFail(await c.multipart({ kind: 'group_desc' }));
  c.close();
  print(bodies.flatMap((b) => (b.kind === 'group_desc'
    ? b.groups.map((g) => ' ' + formatGroup({ groupId: g.groupId, type: g.groupType, buckets: g.buckets }))
    : [])));
}

export async function meterMod(command: Exclude<MeterCommand, 'delete'>, bridge: string, meter: string, opts: OfctlOptions): Promise<void> {
  await sendMeter(bridge, parsedOrFail(parseMeter(meter, { command })), meter, opts);
}

/** del-meters BRIDGE [meter=N]: all meters when none is named. */
export async function delMeters(bridge: string, meter: string | undefined, opts: OfctlOptions): Promise<void> {
  const mm: MeterMod = meter === undefined
    ? { command: OFPMC_DELETE, flags: 0, meterId: OFPM_ALL, bands: [] }
    : parsedOrFail(parseMeter(meter, { command: 'delete' }));
  await sendMeter(bridge, mm, meter ?? 'meter=all', opts);
}

export async function dumpMeters(bridge: string, opts: OfctlOptions): Promise<void> {
  const c = await connectOrFail(bridge, opts);
  const bodies = okOrFail(await c.multipart({ kind: 'meter_config', meterId: OFPM_ALL }));
  c.close();
  const meters = bodies.flatMap((b) => (b.kind === 'meter_config' ? b.meters : []));
  if (meters.length) print(meters.map((m) => formatMeter(m)).join('\n\n').split('\n'));
}
