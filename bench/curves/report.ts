// bench/curves/report.ts — the curves bench's report: reads the raw TSV of run.sh, prints one
// table per curve (median and min–max over the rounds, per switch), writes them as markdown
// next to one SVG chart per curve, and the aggregated figures as JSON.
//
//   tsx bench/curves/report.ts RAW.tsv OUTDIR      (run.sh; also `npm run bench:curves -- --plot-only`)
//
// Input lines: "# key<TAB>value" (the machine, the commit, the load) and
// "round switch curve x metric value load1" (measure.sh). Invariants:
// - a value that is not a number (n/a, fail) counts as missing: the point shows "n/a" in
//   the table and is left out of the chart, never taken as 0;
// - ratios Sluice/OVS are of the medians of this one run;
// - the load average of each figure is shown (min–max over its rounds): on 2 shared cores
//   a busy machine lowers the figures and widens the spread.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderSvg, type PlotPoint, type PlotSpec } from './plot.js';

interface Row { round: string; sw: string; curve: string; x: string; metric: string; value: number | undefined; load: number }
interface Agg { median: number; min: number; max: number; n: number; of: number; loadMin: number; loadMax: number }

const SWITCHES = ['sluice', 'ovs'] as const;
const LABEL: Record<string, string> = { sluice: 'Sluice', ovs: 'OVS 3.1 netdev' };
const PING_X = ['0', '10', '50', '90'];
const PING_LABEL: Record<string, string> = { 0: 'idle', 10: '10 %', 50: '50 %', 90: '90 %' };

export function parse(text: string): { meta: Map<string, string>; rows: Row[] } {
  const meta = new Map<string, string>();
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      const [k, v] = line.slice(2).split('\t');
      if (k !== undefined && v !== undefined) meta.set(k, v);
      continue;
    }
    const f = line.split('\t');
    if (f.length < 7) continue;
    const v = f[5]!;
    rows.push({
      round: f[0]!, sw: f[1]!, curve: f[2]!, x: f[3]!, metric: f[4]!,
      value: /^-?[0-9.]+$/.test(v) ? Number(v) : undefined, load: Number(f[6]),
    });
  }
  return { meta, rows };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Aggregates over rounds, keyed "sw|curve|x|metric". */
export function aggregate(rows: Row[]): Map<string, Agg> {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = `${r.sw}|${r.curve}|${r.x}|${r.metric}`;
    const g = groups.get(k);
    if (g) g.push(r); else groups.set(k, [r]);
  }
  const out = new Map<string, Agg>();
  for (const [k, g] of groups) {
    const vs = g.map((r) => r.value).filter((v): v is number => v !== undefined);
    const loads = g.map((r) => r.load);
    if (vs.length === 0) continue;
    out.set(k, {
      median: median(vs), min: Math.min(...vs), max: Math.max(...vs), n: vs.length, of: g.length,
      loadMin: Math.min(...loads), loadMax: Math.max(...loads),
    });
  }
  return out;
}

function fmt(v: number): string {
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(0);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(3);
}
const cell = (a: Agg | undefined): string =>
  a === undefined ? 'n/a' : `${fmt(a.median)} (${fmt(a.min)}–${fmt(a.max)})${a.n < a.of ? ` [${a.of - a.n} n/a]` : ''}`;
const ratio = (a: Agg | undefined, b: Agg | undefined): string =>
  a && b && b.median > 0 ? `${(a.median / b.median).toFixed(2)}×` : '–';
const loads = (as: (Agg | undefined)[]): string => {
  const d = as.filter((a): a is Agg => a !== undefined);
  if (d.length === 0) return '';
  const lo = Math.min(...d.map((a) => a.loadMin)), hi = Math.max(...d.map((a) => a.loadMax));
  return lo === hi ? lo.toFixed(2) : `${lo.toFixed(2)}–${hi.toFixed(2)}`;
};

/** One pair of series (Sluice, OVS) of a curve: the rows whose curve field is `key`. */
interface Group { key: string; label: string }
interface Curve {
  file: string; title: string; xTitle: string; yTitle: string; metric: string; groups: Group[];
  xLabel: (x: string) => string; lowerBetter?: boolean; minX?: number;
  extraHead?: string[]; extra?: (agg: Map<string, Agg>, x: string) => string[];
}

const num = (x: string): string => Number(x).toLocaleString('en-US');
const pair = (agg: Map<string, Agg>, key: string, x: string, metric: string): string =>
  `${fmtOpt(agg.get(`sluice|${key}|${x}|${metric}`))} / ${fmtOpt(agg.get(`ovs|${key}|${x}|${metric}`))}`;
const OFCTL = 'flowmod_ofctl', PIPELINED = 'flowmod_pipe';

const CURVES: Curve[] = [
  { file: 'curve-flows.svg', title: 'Delivered kpps against concurrent flows (64 B UDP)', xTitle: 'concurrent flows (distinct 5-tuples)',
    yTitle: 'kpps delivered to B', metric: 'kpps', groups: [{ key: 'flows', label: '' }], xLabel: num },
  { file: 'curve-rules.svg', title: 'Delivered kpps against installed rules (20 masks, traffic hits the last)', xTitle: 'rules in table 0',
    yTitle: 'kpps delivered to B', metric: 'kpps', groups: [{ key: 'rules', label: '' }], xLabel: num },
  { file: 'curve-flowmod.svg', title: 'Flow-mod install rate against table size (rules installed into an empty table)', xTitle: 'rules installed',
    yTitle: 'rules/s', metric: 'rules_per_s', xLabel: num, minX: 1000,
    groups: [{ key: OFCTL, label: 'ovs-ofctl add-flows' }, { key: PIPELINED, label: 'pipelined client' }],
    extraHead: ['seconds, ovs-ofctl (Sluice / OVS)', 'seconds, pipelined (Sluice / OVS)', 'ovs-ofctl CPU s (Sluice / OVS)', 'rules counted'],
    extra: (agg, x) => [pair(agg, OFCTL, x, 'install_s'), pair(agg, PIPELINED, x, 'install_s'),
      pair(agg, OFCTL, x, 'client_cpu_s'),
      `${pair(agg, OFCTL, x, 'rule_count')}`] },
  { file: 'curve-ping.svg', title: 'Ping A → B against offered load (share of each switch\'s own max)', xTitle: 'offered load, one flow of 64 B UDP',
    yTitle: 'ping avg ms', metric: 'ping_ms', groups: [{ key: 'ping', label: '' }], xLabel: (x) => PING_LABEL[x] ?? x, lowerBetter: true,
    extraHead: ['offered kpps (Sluice / OVS)', 'delivered kpps (Sluice / OVS)', 'pings lost % (Sluice / OVS)', 'ping max ms (Sluice / OVS)'],
    extra: (agg, x) => [x === '0' ? '–' : pair(agg, 'ping', x, 'offered_kpps'), x === '0' ? '–' : pair(agg, 'ping', x, 'kpps'),
      pair(agg, 'ping', x, 'ping_lost_pct'), pair(agg, 'ping', x, 'ping_max_ms')] },
];
function fmtOpt(a: Agg | undefined): string { return a === undefined ? 'n/a' : fmt(a.median); }

function xsOf(rows: Row[], c: Curve): string[] {
  const keys = new Set(c.groups.map((g) => g.key));
  const xs = [...new Set(rows.filter((r) => keys.has(r.curve) && r.metric === c.metric).map((r) => r.x))];
  if (keys.has('ping')) return PING_X.filter((x) => xs.includes(x));
  return xs.filter((x) => Number(x) >= (c.minX ?? 0)).sort((a, b) => Number(a) - Number(b));
}

function table(rows: Row[], agg: Map<string, Agg>, c: Curve): string {
  const head = [c.xTitle];
  for (const g of c.groups) {
    const by = g.label ? `, ${g.label}` : '';
    head.push(...SWITCHES.map((s) => `${LABEL[s]!} ${c.yTitle}${by}`), `Sluice/OVS${by}`);
  }
  head.push(...(c.extraHead ?? []), 'load avg');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const x of xsOf(rows, c)) {
    const cells = [c.xLabel(x)];
    const all: (Agg | undefined)[] = [];
    for (const g of c.groups) {
      const [s, o] = SWITCHES.map((sw) => agg.get(`${sw}|${g.key}|${x}|${c.metric}`));
      cells.push(cell(s), cell(o), ratio(s, o));
      all.push(s, o);
    }
    lines.push(`| ${[...cells, ...(c.extra?.(agg, x) ?? []), loads(all)].join(' | ')} |`);
  }
  return lines.join('\n');
}

function plotSpec(rows: Row[], agg: Map<string, Agg>, c: Curve, meta: Map<string, string>): PlotSpec {
  const points: PlotPoint[] = [];
  const ping = c.groups.some((g) => g.key === 'ping');
  for (const x of xsOf(rows, c)) {
    for (const g of c.groups) {
      for (const sw of SWITCHES) {
        const a = agg.get(`${sw}|${g.key}|${x}|${c.metric}`);
        if (a) points.push({ series: LABEL[sw]!, client: g.label || undefined, x: ping ? c.xLabel(x) : Number(x), median: a.median, min: a.min, max: a.max });
      }
    }
  }
  const spec: PlotSpec = {
    title: c.title,
    subtitle: [
      `median and min–max of ${meta.get('rounds') ?? '?'} rounds${c.lowerBetter ? '; lower is better' : ''}`,
      `${meta.get('date') ?? ''}, commit ${meta.get('commit') ?? '?'}, ${meta.get('nproc') ?? '?'} vCPU, ` +
        `load average (1, 5, 15 min) ${meta.get('load_before') ?? '?'} at start, ${meta.get('load_after') ?? '?'} at end`,
    ],
    xTitle: c.xTitle, yTitle: c.yTitle, xLog: !ping, points,
  };
  if (ping) spec.xOrder = PING_X.map((x) => PING_LABEL[x]!);
  return spec;
}

async function main(): Promise<void> {
  const [raw, outDir] = process.argv.slice(2);
  if (raw === undefined || outDir === undefined) {
    console.error('usage: tsx bench/curves/report.ts RAW.tsv OUTDIR');
    process.exit(2);
  }
  const { meta, rows } = parse(readFileSync(raw, 'utf8'));
  const agg = aggregate(rows);
  mkdirSync(outDir, { recursive: true });
  const md: string[] = [];
  const head = [...meta].map(([k, v]) => `${k}: ${v}`).join('; ');
  md.push(`<!-- generated by bench/curves/report.ts from ${relative(process.cwd(), raw)} -->`, '', `Run: ${head}`, '');
  for (const c of CURVES) {
    if (xsOf(rows, c).length === 0) continue;
    const t = table(rows, agg, c);
    console.log(`\n${c.title}\n${t}`);
    writeFileSync(join(outDir, c.file), await renderSvg(plotSpec(rows, agg, c, meta)));
    md.push(`### ${c.title}`, '', `![${c.title}](results/${c.file})`, '', t, '');
  }
  writeFileSync(join(outDir, 'curves.md'), md.join('\n'));
  const json = { meta: Object.fromEntries(meta), figures: Object.fromEntries(agg) };
  writeFileSync(join(outDir, 'curves.json'), JSON.stringify(json, null, 1) + '\n');
  console.log(`\ncharts, curves.md and curves.json written to ${outDir}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
