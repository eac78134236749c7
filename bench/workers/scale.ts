/**
 * `npm run bench:workers` (issue #14 §3): forwarding rate in one process with 1 worker
 * against N workers (src/datapath/workers/threaded-bridge.ts), memory ports, 64-byte UDP, the rules of
 * bench/datapath.bench.ts (64 udp_dst rules, 64 ipv4_dst rules, one in_port rule), installed
 * through the control thread's ThreadedBridge as a controller's flow-mods would be, then
 * settled (what a barrier waits for). Each replica drives its own memory port (driver.ts) for RUN_MS;
 * the rate is the sum over workers. After each run the summed rule counters must equal the
 * frames injected (the check that replicas count exactly; a mismatch fails the run).
 *
 * Env: WORKERS_ROUNDS (default 5), WORKERS_RUN_MS (default 1000), WORKERS_N (default 2),
 * WORKERS_FLOWS (default "64,10000"). Prints the machine, load, commit, then per flow count
 * the median (min–max) kpps for 1 and N workers and their ratio.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { installBenchRules } from '../datapath.bench.js';
import { ThreadedBridge } from '../../src/datapath/workers/threaded-bridge.js';
import type { DriveSettings } from './driver.js';

const ROUNDS = Number(process.env.WORKERS_ROUNDS ?? 5);
const RUN_MS = Number(process.env.WORKERS_RUN_MS ?? 1000);
const N = Number(process.env.WORKERS_N ?? 2);
const FLOWS = (process.env.WORKERS_FLOWS ?? '64,10000').split(',').map(Number);
const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));

async function once(workers: number, flows: number): Promise<number> {
  const bridge = new ThreadedBridge({
    name: 'bench', failMode: 'secure', localPort: false, burst: 64, workers,
    ports: [{ spec: 'memory:in', ofport: 1 }, { spec: 'memory:out', ofport: 2 }],
  }, { driver: DRIVER });
  bridge.start();
  try {
    await bridge.ready();
    installBenchRules(bridge);
    await bridge.settle(); // as a barrier: every worker has the rules
    const ch = new BroadcastChannel('sluice-bench-workers');
    ch.postMessage({ runMs: RUN_MS, flows, workers } satisfies DriveSettings);
    ch.close();
    const results = (await Promise.all(bridge.driven)) as { frames: number; ms: number }[];
    await bridge.settle();
    let counted = 0;
    for (const r of bridge.pipeline.table(0).rules()) counted += r.packetCount;
    const injected = results.reduce((s, r) => s + r.frames, 0);
    if (counted !== injected) throw new Error(`rule counters sum to ${counted}, ${injected} frames were injected`);
    return results.reduce((s, r) => s + (r.frames * 1000) / r.ms, 0);
  } finally {
    await bridge.stopped();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const k = (x: number) => (x / 1000).toFixed(0);

let commit = '?';
try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; commit ${commit}`);
console.log(`rounds ${ROUNDS} × ${RUN_MS} ms; 1 worker vs ${N}, alternating`);
for (const flows of FLOWS) {
  const one: number[] = [];
  const many: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    one.push(await once(1, flows));
    many.push(await once(N, flows));
  }
  const ratios = many.map((m, i) => m / one[i]!);
  console.log(`${flows} flows: 1 worker ${k(median(one))} kpps (${k(Math.min(...one))}–${k(Math.max(...one))}), ` +
    `${N} workers ${k(median(many))} kpps (${k(Math.min(...many))}–${k(Math.max(...many))}), ` +
    `ratio ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
}
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
