/**
 * Port and table statistics as `ovs-ofctl -O OpenFlow13 dump-ports / dump-tables` print
 * them (OVS 3.1, lib/ofp-port.c and lib/ofp-table.c), without the `OFPST_... reply` header
 * line, which names a wire message rather than anything the operator asked about.
 *
 *   port  1: rx pkts=7, bytes=586, drop=0, errs=?, frame=?, over=?, crc=?
 *            tx pkts=0, bytes=0, drop=0, errs=0, coll=?
 *            duration=1.5s
 *
 * A counter the switch does not keep is all ones on the wire (OF1.3.5 §7.3.5.6) and
 * prints as `?`. Tables: a table whose counters equal the previous table's is not
 * repeated: runs collapse into `table N: ditto` or `tables A...B: ditto`.
 */
import type { PortDesc, PortStats, TableStats } from '../../openflow/index.js';
import { formatDuration } from '../../openflow/syntax/index.js';
import { formatPort } from '../../openflow/syntax/ports.js';
import {
  OFPPC_NO_FWD, OFPPC_NO_PACKET_IN, OFPPC_NO_RECV, OFPPC_PORT_DOWN, OFPPS_BLOCKED, OFPPS_LINK_DOWN, OFPPS_LIVE,
} from '../../pipeline/types.js';

const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const UINT32_MAX = 0xffff_ffff;

const stat = (name: string, v: bigint): string => `${name}=${v === UINT64_MAX ? '?' : v.toString()}`;

/** The three (or two) lines of one port. */
export function formatPortStats(p: PortStats): string[] {
  const pad = p.portNo < 10 ? ' ' : '';
  const rx = [stat('pkts', p.rxPackets), stat('bytes', p.rxBytes), stat('drop', p.rxDropped), stat('errs', p.rxErrors),
    stat('frame', p.rxFrameErr), stat('over', p.rxOverErr), stat('crc', p.rxCrcErr)];
  const tx = [stat('pkts', p.txPackets), stat('bytes', p.txBytes), stat('drop', p.txDropped), stat('errs', p.txErrors),
    stat('coll', p.collisions)];
  const lines = [`  port ${pad}${formatPort(p.portNo)}: rx ${rx.join(', ')}`, `           tx ${tx.join(', ')}`];
  if (p.durationSec !== UINT32_MAX) lines.push(`           duration=${formatDuration(p.durationSec, p.durationNsec)}`);
  return lines;
}

const sameCounters = (a: TableStats, b: TableStats): boolean =>
  a.activeCount === b.activeCount && a.lookupCount === b.lookupCount && a.matchedCount === b.matchedCount;

/** All tables, in reply order, blocks separated by blank lines. */
export function formatTableStats(tables: readonly TableStats[]): string[] {
  const blocks: string[][] = [];
  let ditto: [number, number] | null = null;
  const flush = () => {
    if (ditto) blocks.push([ditto[0] === ditto[1] ? `  table ${ditto[0]}: ditto` : `  tables ${ditto[0]}...${ditto[1]}: ditto`]);
    ditto = null;
  };
  tables.forEach((t, i) => {
    const prev = tables[i - 1];
    if (prev && sameCounters(t, prev)) {
      ditto = ditto ? [ditto[0], t.tableId] : [t.tableId, t.tableId];
      return;
    }
    flush();
    blocks.push([`  table ${t.tableId}:`, `    active=${t.activeCount}, lookup=${t.lookupCount}, matched=${t.matchedCount}`]);
  });
  flush();
  return blocks.flatMap((b, i) => (i ? ['', ...b] : b));
}

/** OF1.3.5 §7.2.1: ofp_port_config, ofp_port_state and ofp_port_features bits, in bit order,
 * with the names ovs-ofctl prints. */
const CONFIG_NAMES: readonly [number, string][] = [
  [OFPPC_PORT_DOWN, 'PORT_DOWN'], [OFPPC_NO_RECV, 'NO_RECV'], [OFPPC_NO_FWD, 'NO_FWD'], [OFPPC_NO_PACKET_IN, 'NO_PACKET_IN'],
];
const STATE_NAMES: readonly [number, string][] = [[OFPPS_LINK_DOWN, 'LINK_DOWN'], [OFPPS_BLOCKED, 'BLOCKED'], [OFPPS_LIVE, 'LIVE']];
const FEATURE_NAMES = ['10MB-HD', '10MB-FD', '100MB-HD', '100MB-FD', '1GB-HD', '1GB-FD', '10GB-FD', '40GB-FD', '100GB-FD',
  '1TB-FD', 'OTHER', 'COPPER', 'FIBER', 'AUTO_NEG', 'AUTO_PAUSE', 'AUTO_PAUSE_ASYM'];

function bitNames(v: number, names: readonly [number, string][]): string {
  if (v === 0) return '0';
  const out: string[] = [];
  let rest = v >>> 0;
  for (const [bit, name] of names) {
    if ((rest & bit) !== 0) {
      out.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) out.push(`0x${rest.toString(16)}`);
  return out.join(' ');
}

const features = (v: number) => bitNames(v, FEATURE_NAMES.map((n, i) => [1 << i, n] as [number, string]));
const mac = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');

/** One port of dump-ports-desc (OFPMP_PORT_DESC), as ovs-ofctl prints it. */
export function formatPortDesc(p: PortDesc): string[] {
  const lines = [` ${formatPort(p.portNo)}(${p.name}): addr:${mac(p.hwAddr)}`,
    `     config:     ${bitNames(p.config, CONFIG_NAMES)}`,
    `     state:      ${bitNames(p.state, STATE_NAMES)}`];
  if (p.curr) lines.push(`     current:    ${features(p.curr)}`);
  if (p.advertised) lines.push(`     advertised: ${features(p.advertised)}`);
  if (p.supported) lines.push(`     supported:  ${features(p.supported)}`);
  if (p.peer) lines.push(`     peer:       ${features(p.peer)}`);
  lines.push(`     speed: ${Math.floor(p.currSpeed / 1000)} Mbps now, ${Math.floor(p.maxSpeed / 1000)} Mbps max`);
  return lines;
}
