// bench/e2e/report.ts — prints the end-to-end bench's results as one table plus the ratios
// Sluice/OVS and Sluice/bridge (run by run.sh: `tsx bench/e2e/report.ts results.tsv FLOWS`).
//
// Input: lines "path<TAB>metric<TAB>value" written by measure.sh. Invariants:
// - a value is printed as measured; a missing or non-numeric value ("fail", "n/a") stays
//   visible in the table and makes the ratios that need it "-", never a number;
// - ratios are computed from this one run only (figures drift run to run; ratios less so);
//   for ping the ratio is of latencies, so below 1 means Sluice answers faster.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

type Results = Map<string, Map<string, string>>;

const PATHS: readonly string[] = ['plain', 'sluice', 'base', 'bridge', 'ovs'];
const LABEL: Readonly<Record<string, string>> = {
  plain: 'plain veth (ceiling)',
  sluice: 'Sluice',
  base: 'Sluice at the base commit',
  bridge: 'Linux bridge',
  ovs: 'OVS 3.1 netdev',
};

export function parseResults(text: string): Results {
  const out: Results = new Map();
  for (const line of text.split('\n')) {
    const [path, metric, value] = line.split('\t');
    if (path === undefined || metric === undefined || value === undefined) continue;
    if (!out.has(path)) out.set(path, new Map());
    out.get(path)!.set(metric, value);
  }
  return out;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?[0-9.]+$/.test(v)) return undefined;
  return Number(v);
}

function ratio(a: string | undefined, b: string | undefined): string {
  const x = num(a);
  const y = num(b);
  return x === undefined || y === undefined || y === 0 ? '-' : `${(x / y).toFixed(2)}x`;
}

function flood(m: Map<string, string>, flows: string): string {
  return `${m.get(`kpps_${flows}`) ?? '-'} / ${m.get(`offered_kpps_${flows}`) ?? '-'} (${m.get(`loss_${flows}`) ?? '-'})`;
}

/** TCP the way it works on that path: the better of offloads on and off. */
function tcpBest(m: Map<string, string>): string | undefined {
  const v = [num(m.get('tcp_on')), num(m.get('tcp_off'))].filter((x): x is number => x !== undefined);
  return v.length === 0 ? undefined : String(Math.max(...v));
}

function formatReport(r: Results, flows: number): string {
  const cols: Array<[string, (m: Map<string, string>) => string]> = [
    ['64B 1 flow: kpps delivered / offered (loss %)', (m) => flood(m, '1')],
    [`64B ${flows} flows: kpps delivered / offered (loss %)`, (m) => flood(m, String(flows))],
    ['TCP Gbit/s offl on', (m) => m.get('tcp_on') ?? '-'],
    ['TCP Gbit/s offl off', (m) => m.get('tcp_off') ?? '-'],
    ['ping avg ms', (m) => m.get('ping_ms') ?? '-'],
  ];
  const header = ['path', ...cols.map(([h]) => h)];
  const rows: string[][] = [];
  for (const p of PATHS) {
    const m = r.get(p);
    if (m === undefined) continue;
    const status = m.get('status');
    rows.push(status !== undefined
      ? [LABEL[p] ?? p, status, '', '', '', '']
      : [LABEL[p] ?? p, ...cols.map(([, f]) => f(m))]);
  }
  const lines = ['| ' + header.join(' | ') + ' |', '|' + header.map(() => '---|').join('')];
  for (const row of rows) lines.push('| ' + row.join(' | ') + ' |');

  const plain = r.get('plain');
  if (plain !== undefined) {
    lines.push('', `generator ceiling (trafgen over the plain veth pair): offered ` +
      `${plain.get('offered_kpps_1') ?? '-'} kpps, delivered ${plain.get('kpps_1') ?? '-'} kpps (1 flow); ` +
      `offered ${plain.get(`offered_kpps_${flows}`) ?? '-'} kpps (${flows} flows)`);
  }
  const s = r.get('sluice');
  const names: Readonly<Record<string, string>> = { ovs: 'OVS', bridge: 'bridge', base: 'base' };
  for (const other of ['ovs', 'bridge', 'base']) {
    const o = r.get(other);
    if (o === undefined) continue;
    const name = `Sluice/${names[other]}`;
    if (s === undefined || s.has('status')) {
      lines.push(`${name}: - (Sluice ${s?.get('status') ?? 'not measured'})`);
      continue;
    }
    lines.push(`${name}: 1 flow ${ratio(s.get('kpps_1'), o.get('kpps_1'))}, ` +
      `${flows} flows ${ratio(s.get(`kpps_${flows}`), o.get(`kpps_${flows}`))}, ` +
      `TCP offl on ${ratio(s.get('tcp_on'), o.get('tcp_on'))}, ` +
      `TCP offl off ${ratio(s.get('tcp_off'), o.get('tcp_off'))}, ` +
      `TCP best of on/off ${ratio(tcpBest(s), tcpBest(o))}, ` +
      `ping latency ${ratio(s.get('ping_ms'), o.get('ping_ms'))}`);
  }
  return lines.join('\n');
}

const [file, flowsArg] = process.argv.slice(2);
if (file !== undefined && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatReport(parseResults(readFileSync(file, 'utf8')), Number(flowsArg ?? '10000')));
}
