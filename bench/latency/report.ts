// bench/latency/report.ts — the table of bench/latency/run.sh from its "name<TAB>metric<TAB>value"
// lines: one row per forwarder, one column per ping interval (average RTT in ms, and the CPU
// Sluice used meanwhile), the idle CPU, and each RTT as a ratio to the Linux bridge's.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: report.ts RESULTS.tsv');
  process.exit(2);
}
const rows = new Map<string, Map<string, string>>();
const intervals: string[] = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const [name, metric, value] = line.split('\t');
  if (name === undefined || metric === undefined || value === undefined) continue;
  let r = rows.get(name);
  if (r === undefined) rows.set(name, (r = new Map()));
  r.set(metric, value);
  const m = /^ping_ms@(.+)$/.exec(metric);
  if (m !== null && !intervals.includes(m[1]!)) intervals.push(m[1]!);
}
const bridge = rows.get('bridge');
const head = ['forwarder', ...intervals.map((iv) => `ping every ${Number(iv) * 1000} ms: RTT ms (× bridge, CPU %)`), 'idle CPU %'];
const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
for (const [name, r] of rows) {
  // other lines of the shared harness (a switch's socket drops) are not this table's
  if (![...r.keys()].some((k) => k.startsWith('ping_ms@'))) continue;
  const cells = intervals.map((iv) => {
    const ms = r.get(`ping_ms@${iv}`) ?? 'n/a';
    const base = Number(bridge?.get(`ping_ms@${iv}`));
    const ratio = name !== 'bridge' && base > 0 && Number(ms) > 0 ? `${(Number(ms) / base).toFixed(1)}×` : '';
    const cpu = r.get(`cpu_pct@${iv}`);
    const extra = [ratio, cpu !== undefined ? `${cpu} %` : ''].filter((x) => x !== '').join(', ');
    return extra === '' ? ms : `${ms} (${extra})`;
  });
  out.push(`| ${[name, ...cells, r.get('cpu_pct@idle') ?? '–'].join(' | ')} |`);
}
console.log(out.join('\n'));
