/**
 * dump-ports BRIDGE [PORT] (OFPMP_PORT_STATS, OF1.3.5 §7.3.5.6), dump-ports-desc BRIDGE
 * (OFPMP_PORT_DESC, §7.3.5.7) and dump-tables BRIDGE (OFPMP_TABLE, §7.3.5.4), printed as
 * ovs-ofctl -O OpenFlow13 prints them (format-stats.ts).
 */
import { fail } from '../cli-common.js';
import { parsePort } from '../../openflow/syntax/ports.js';
import { OFPP_ANY } from '../../pipeline/types.js';
import { formatPortDesc, formatPortStats, formatTableStats } from './format-stats.js';
import { connectOrFail, okOrFail, print, type OfctlOptions } from './run.js';

export async function dumpPorts(bridge: string, port: string | undefined, opts: OfctlOptions): Promise<void> {
  const portNo = port === undefined ? OFPP_ANY : parsePort(port);
  if (portNo === undefined) fail(`bad port "${port ?? ''}": expected a port number or LOCAL, CONTROLLER, ...`, 'bad_usage');
  const c = await connectOrFail(bridge, opts);
  const bodies = okOrFail(await c.multipart({ kind: 'port_stats', portNo }));
  c.close();
  print(bodies.flatMap((b) => (b.kind === 'port_stats' ? b.ports.flatMap((p) => formatPortStats(p)) : [])));
}

export async function dumpTables(bridge: string, opts: OfctlOptions): Promise<void> {
  const c = await connectOrFail(bridge, opts);
  const bodies = okOrFail(await c.multipart({ kind: 'table' }));
  c.close();
  print(formatTableStats(bodies.flatMap((b) => (b.kind === 'table' ? b.tables : []))));
}

export async function dumpPortsDesc(bridge: string, opts: OfctlOptions): Promise<void> {
  const c = await connectOrFail(bridge, opts);
  const bodies = okOrFail(await c.multipart({ kind: 'port_desc' }));
  c.close();
  print(bodies.flatMap((b) => (b.kind === 'port_desc' ? b.ports.flatMap((p) => formatPortDesc(p)) : [])));
}
