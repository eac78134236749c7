// bench/e2e/report.ts — prints the end-to-end bench's results as one table of medians
// (min–max over the rounds) plus the ratios of the medians Sluice/OVS, Sluice/bridge and
// Sluice/cfwd (run by run.sh: `tsx bench/e2e/report.ts results.tsv FLOWS ROUNDS`).
//
// Input: lines "path<TAB>metric<TAB>value" written by measure.sh and switches.sh, one per
// figure and round (bench/ab/report.ts reads the same lines). Invariants:
// - a missing or non-numeric value ("fail", "n/a") is never counted as a number: a figure
//   whose every round failed prints "fail", one with some failed rounds prints the median
//   of the others and how many failed; a ratio that needs a missing median is "-";
// - ratios are computed from this one run only (figures drift run to run; ratios less so);
//   for ping the ratio is of latencies, so below 1 means Sluice answers faster.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Every value of each path's metric, in the order measured (one per round). */
type Series = Map<string, Map<string, string[]>>;

const PATHS: readonly string[] = ['plain', 'sluice', 'sluicex', 'base', 'bridge', 'ovs', 'cfwd'];
const LABEL: Readonly<Record<string, string>> = {
  plain: 'plain veth (ceiling)',
  sluice: 'Sluice',
  sluicex: 'Sluice, experiment (sluicex)',
  base: 'Sluice at the base commit',
  bridge: 'Linux bridge',
  ovs: 'OVS 3.1 netdev',
  cfwd: 'C forwarder (cfwd)',
};

export function parseSeries(text: string): Series {
  const out: Series = new Map();
  for (const line of text.split('\n')) {
    const [path, metric, value] = line.split('\t');
    if (path === undefined || metric === undefined || value === undefined) continue;
    if (!out.has(path)) out.set(path, new Map());
    const m = out.get(path)!;
    if (!m.has(metric)) m.set(metric, []);
    m.get(metric)!.push(value);
  }
  return out;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?[0-9.]+$/.test(v)) return undefined;
  return Number(v);
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(+x.toPrecision(3)));

/** Median and "median (min–max)" of the values; undefined for none. */
export function summary(v: number[] | undefined): { med: number; text: string } | undefined {
  if (v === undefined || v.length === 0) return undefined;
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const med = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { med, text: s.length === 1 ? fmt(med) : `${fmt(med)} (${fmt(s[0]!)}–${fmt(s[s.length - 1]!)})` };
}

/** One figure over the rounds: its median, and the text for the table. */
function figure(m: Map<string, string[]> | undefined, metric: string): { med: number | undefined; text: string } {
  const raw = m?.get(metric) ?? [];
  const nums = raw.map(num).filter((x): x is number => x !== undefined);
  const s = summary(nums);
  const bad = raw.length - nums.length;
  if (s === undefined) return { med: undefined, text: raw.length === 0 ? '-' : raw[0]! };
  return { med: s.med, text: bad === 0 ? s.text : `${s.text}, ${bad}× ${raw.find((x) => num(x) === undefined)}` };
}

/** TCP the way it works on that path: per round the better of offloads on and off. */
function tcpBest(m: Map<string, string[]> | undefined): number | undefined {
  const on = m?.get('tcp_on') ?? [];
  const off = m?.get('tcp_off') ?? [];
  const best: number[] = [];
  for (let i = 0; i < Math.max(on.length, off.length); i++) {
    const v = [num(on[i]), num(off[i])].filter((x): x is number => x !== undefined);
    if (v.length !== 0) best.push(Math.max(...v));
  }
  return summary(best)?.med;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
}

function formatReport(r: Series, flows: number, rounds: number): string {
  const flood = (m: Map<string, string[]> | undefined, f: number): string =>
    `${figure(m, `kpps_${f}`).text} / ${figure(m, `offered_kpps_${f}`).text} (${figure(m, `loss_${f}`).text})`;
  const cols: Array<[string, (m: Map<string, string[]> | undefined) => string]> = [
    ['64B 1 flow: kpps delivered / offered (loss %)', (m) => flood(m, 1)],
    [`64B ${flows} flows: kpps delivered / offered (loss %)`, (m) => flood(m, flows)],
    ['TCP Gbit/s offl on', (m) => figure(m, 'tcp_on').text],
    ['TCP Gbit/s offl off', (m) => figure(m, 'tcp_off').text],
    ['ping avg ms', (m) => figure(m, 'ping_ms').text],
    ['socket drops on sa per series', (m) => (m?.has('sa_rx_dropped') ? figure(m, 'sa_rx_dropped').text : '')],
    [`forwarder sleeps/s in the floods (1 / ${flows} flows)`,
      (m) => (m?.has('sleeps_per_s_1') ? `${figure(m, 'sleeps_per_s_1').text} / ${figure(m, `sleeps_per_s_${flows}`).text}` : '')],
  ];
  const header = ['path', ...cols.map(([h]) => h)];
  const lines = ['| ' + header.join(' | ') + ' |', '|' + header.map(() => '---|').join('')];
  for (const p of PATHS) {
    const m = r.get(p);
    if (m === undefined) continue;
    const status = m.get('status');
    if (status !== undefined && !m.has('kpps_1')) lines.push(`| ${LABEL[p]} | ${status[0]} |${' |'.repeat(cols.length - 1)}`);
    else lines.push('| ' + [LABEL[p] ?? p, ...cols.map(([, f]) => f(m))].join(' | ') + ' |');
  }
  const all = r.get('all');
  const load = all?.get('load1') ?? [];
  lines.push('', `median (min–max) of ${rounds} round(s), paths interleaved; load average at the start of each round: ` +
    `${load.join(', ') || '-'}; after the run: ${all?.get('load1_after')?.[0] ?? '-'}`);

  const plain = r.get('plain');
  if (plain !== undefined) {
    lines.push(`generator ceiling (trafgen over the plain veth pair): offered ${figure(plain, 'offered_kpps_1').text} kpps, ` +
      `delivered ${figure(plain, 'kpps_1').text} kpps (1 flow); offered ${figure(plain, `offered_kpps_${flows}`).text} kpps (${flows} flows)`);
  }
  const s = r.get('sluice');
  const names: Readonly<Record<string, string>> = { ovs: 'OVS', bridge: 'bridge', cfwd: 'cfwd', base: 'base', sluicex: 'sluicex' };
  for (const other of ['ovs', 'bridge', 'cfwd', 'base', 'sluicex']) {
    const o = r.get(other);
    if (o === undefined) continue;
    const name = `Sluice/${names[other]}`;
    if (s === undefined || !s.has('kpps_1')) {
      lines.push(`${name}: - (Sluice ${s?.get('status')?.[0] ?? 'not measured'})`);
      continue;
    }
    const rr = (metric: string) => ratio(figure(s, metric).med, figure(o, metric).med);
    lines.push(`${name}: 1 flow ${rr('kpps_1')}, ${flows} flows ${rr(`kpps_${flows}`)}, ` +
      `TCP offl on ${rr('tcp_on')}, TCP offl off ${rr('tcp_off')}, ` +
      `TCP best of on/off ${ratio(tcpBest(s), tcpBest(o))}, ping latency ${rr('ping_ms')}`);
  }
  return lines.join('\n');
}

const [file, flowsArg, roundsArg] = process.argv.slice(2);
if (file !== undefined && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatReport(parseSeries(readFileSync(file, 'utf8')), Number(flowsArg ?? '10000'), Number(roundsArg ?? '1')));
}
