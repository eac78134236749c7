// bench/ab/report.ts — the table of bench/ab/run.sh: for each figure, the median (min–max)
// over the rounds in this tree and at the base commit, and the ratio of the medians
// (`tsx bench/ab/report.ts DIR ROUNDS HEAD_ID BASE_ID`).
//
// Input in DIR: pipeline-{head,base}-R.txt (bench:pipeline's output, one figure per line
// "label: number unit …") and e2e-R.tsv (bench:e2e's "path metric value" lines, paths
// sluice, base, ovs; one line per figure and bench:e2e round, all of them counted).
// Invariants: a figure missing in a round is left out of that round's median, never
// counted as 0; a ratio is printed only when both medians exist; for ping the ratio is of
// latencies (below 1: this tree answers faster).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSeries, summary } from '../e2e/report.js';

export { summary };

type Series = Map<string, number[]>;

function add(s: Series, key: string, v: number): void {
  if (!Number.isFinite(v)) return;
  const a = s.get(key) ?? [];
  a.push(v);
  s.set(key, a);
}

/** "classifier lookup  100,000 rules / 20 masks: 1,234,567 lookups/s (hits 90%)" → label, value. */
export function pipelineFigures(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    const m = /^([^(:][^:]*?):\s+([0-9][0-9,]*(?:\.[0-9]+)?)\s*(\S*)/.exec(line);
    if (m === null) continue;
    out.push([`${m[1]!.replace(/\s+/g, ' ').trim()} (${m[3]})`, Number(m[2]!.replace(/,/g, ''))]);
  }
  return out;
}

export function abReport(dir: string, rounds: number, headId: string, baseId: string): string {
  const head: Series = new Map();
  const base: Series = new Map();
  const ovs: Series = new Map();
  const order: string[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const [tree, series] of [['head', head], ['base', base]] as const) {
      const f = join(dir, `pipeline-${tree}-${r}.txt`);
      if (!existsSync(f)) continue;
      for (const [k, v] of pipelineFigures(readFileSync(f, 'utf8'))) {
        const key = `pipeline: ${k}`;
        if (!order.includes(key)) order.push(key);
        add(series, key, v);
      }
    }
    const e = join(dir, `e2e-${r}.tsv`);
    if (!existsSync(e)) continue;
    // every value counts: a round's file has one line per figure and bench:e2e round
    const res = parseSeries(readFileSync(e, 'utf8'));
    for (const [path, series] of [['sluice', head], ['base', base], ['ovs', ovs]] as const) {
      const m = res.get(path);
      if (m === undefined) continue;
      for (const metric of ['kpps_1', 'kpps_10000', 'tcp_on', 'tcp_off', 'ping_ms', 'sa_rx_dropped']) {
        const key = `e2e: ${metric}`;
        if (!order.includes(key)) order.push(key);
        for (const v of m.get(metric) ?? []) add(series, key, Number(v));
      }
    }
  }
  const lines = [`| figure | this tree ${headId} | base ${baseId} | this/base | OVS (e2e) |`, '|---|---|---|---|---|'];
  for (const key of order) {
    const h = summary(head.get(key));
    const b = summary(base.get(key));
    const o = summary(ovs.get(key));
    const ratio = h !== undefined && b !== undefined && b.med !== 0 ? `${(h.med / b.med).toFixed(2)}x` : '-';
    lines.push(`| ${key} | ${h?.text ?? '-'} | ${b?.text ?? '-'} | ${ratio} | ${o?.text ?? ''} |`);
  }
  lines.push('', `median (min–max) of ${rounds} rounds, the trees alternating which runs first.`);
  return lines.join('\n');
}

const [dir, rounds, headId, baseId] = process.argv.slice(2);
if (dir !== undefined && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(abReport(dir, Number(rounds ?? '3'), headId ?? 'HEAD', baseId ?? 'BASE'));
