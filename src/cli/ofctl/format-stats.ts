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
import type { PortStats, TableStats } from '../../openflow/index.js';
import { formatDuration } from '../flow-syntax/index.js';
import { formatPort } from '../flow-syntax/ports.js';

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
