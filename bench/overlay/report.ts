// bench/overlay/report.ts — the overlay bench's table: per row the median of the rounds and
// their spread (min–max), then the ratios the overlays issue sets targets for
// (`tsx bench/overlay/report.ts results.tsv FLOWS`, run by run.sh).
//
// Input: "row<TAB>metric<TAB>value" lines (bench/e2e/measure.sh), one per round. Invariants:
// - a value that is not a number ("fail", "n/a") is counted and shown, never averaged in;
// - ratios are of medians of this one run; for ping a ratio below 1 means faster.
import { readFileSync } from 'node:fs';

type Rows = Map<string, Map<string, string[]>>;

const LABEL: Readonly<Record<string, string>> = {
  'kernel-vxlan': 'Linux bridge + kernel vxlan',
  'ovs-vxlan': 'OVS 3.1 netdev + vxlan',
  'ovs-geneve': 'OVS 3.1 netdev + geneve',
  'ovs-gre': 'OVS 3.1 netdev + gre',
  'sluice-vxlan': 'Sluice vxlan',
  'sluice-geneve': 'Sluice geneve',
  'sluice-gre': 'Sluice gre',
};

function parseRows(text: string): Rows {
  const out: Rows = new Map();
  for (const line of text.split('\n')) {
    const [row, metric, value] = line.split('\t');
    if (row === undefined || metric === undefined || value === undefined) continue;
    if (!out.has(row)) out.set(row, new Map());
    const m = out.get(row)!;
    if (!m.has(metric)) m.set(metric, []);
    m.get(metric)!.push(value);
  }
  return out;
}

const numbers = (vs: readonly string[] | undefined): number[] =>
  (vs ?? []).filter((v) => /^-?[0-9.]+$/.test(v)).map(Number).sort((a, b) => a - b);

function median(vs: readonly string[] | undefined): number | undefined {
  const n = numbers(vs);
  if (n.length === 0) return undefined;
  const mid = n.length >> 1;
  return n.length % 2 === 1 ? n[mid]! : (n[mid - 1]! + n[mid]!) / 2;
}

function cell(vs: readonly string[] | undefined, digits: number): string {
  const n = numbers(vs);
  const failed = (vs ?? []).length - n.length;
  if (n.length === 0) return (vs ?? []).length > 0 ? vs![0]! : '-';
  const m = median(vs)!.toFixed(digits);
  const spread = n.length > 1 ? ` (${n[0]!.toFixed(digits)}–${n[n.length - 1]!.toFixed(digits)})` : '';
  return `${m}${spread}${failed > 0 ? `, ${failed} failed` : ''}`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
}

function formatReport(rows: Rows, flows: number): string {
  const header = ['row', 'TCP Gbit/s (offloads on)', 'TCP Gbit/s (offloads off)', '64 B kpps, 1 flow', `64 B kpps, ${flows} flows`, 'ping ms'];
  const lines = ['| ' + header.join(' | ') + ' |', '|' + header.map(() => '---|').join('')];
  for (const [row, m] of rows) {
    const status = m.get('status');
    if (status !== undefined && !m.has('ping_ms')) {
      lines.push(`| ${LABEL[row] ?? row} | ${status[0]} | | | | |`);
      continue;
    }
    lines.push(`| ${LABEL[row] ?? row} | ${cell(m.get('tcp_on'), 2)} | ${cell(m.get('tcp_off'), 2)} | ${cell(m.get('kpps_1'), 0)} | ${cell(m.get(`kpps_${flows}`), 0)} | ${cell(m.get('ping_ms'), 3)} |`);
  }
  lines.push('', 'median of the rounds (min–max); kpps = 64 B frames delivered to B per second; TCP ratios: the better of offloads on/off of each row');
  const med = (row: string, metric: string) => median(rows.get(row)?.get(metric));
  /** TCP the way the row works: the better median of offloads on and off */
  const tcp = (row: string) => {
    const v = [med(row, 'tcp_on'), med(row, 'tcp_off')].filter((x): x is number => x !== undefined);
    return v.length === 0 ? undefined : Math.max(...v);
  };
  for (const proto of ['vxlan', 'geneve', 'gre']) {
    const s = `sluice-${proto}`;
    if (!rows.has(s)) continue;
    const parts = [
      `TCP ${ratio(tcp(s), tcp('kernel-vxlan'))} kernel vxlan`,
      `TCP ${ratio(tcp(s), tcp(`ovs-${proto}`))} OVS ${proto}`,
      `64 B ${ratio(med(s, 'kpps_1'), med(`ovs-${proto}`, 'kpps_1'))} OVS ${proto}`,
      `${flows} flows / 1 flow ${ratio(med(s, `kpps_${flows}`), med(s, 'kpps_1'))}`,
      `ping ${ratio(med(s, 'ping_ms'), med(`ovs-${proto}`, 'ping_ms'))} OVS ${proto}`,
    ];
    lines.push(`Sluice ${proto}: ${parts.join(', ')}`);
  }
  return lines.join('\n');
}

const [file, flowsArg] = process.argv.slice(2);
if (file !== undefined) {
  console.log(formatReport(parseRows(readFileSync(file, 'utf8')), Number(flowsArg ?? '10000')));
}
