/**
 * Crash safety of the db (issue #13 §4), as a tool: `npm run crash -- [--rounds N]`; a
 * short run is in CI (test/integration/reliability-crash.test.ts). Needs root (the daemon
 * runs in a network namespace of its own, so its bridges' TAPs stay out of the host).
 *
 * Each round starts `sluice start --db FILE` on the db the last round left, checks that it
 * came back with exactly what the db holds, then drives the control socket with a stream
 * of `set-controller` writes (each one a db save: temp file, fsync, rename) and `kill -9`s
 * the daemon at a random moment between 20 and 400 ms into the stream. Required after
 * every kill:
 *   - the db parses (never a half-written file) and holds either the last write the
 *     daemon acknowledged or the one in flight, never an older one;
 *   - the next start loads it, and no FILE.tmp-PID is left once it has saved.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDb } from '../../src/control/db.js';
import { ctl, Lab, quietNetns, sluice } from '../integration/datapath-lab.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CrashResult {
  rounds: number;
  /** Writes acknowledged before the kills, in all. */
  writes: number;
  /** Kills that landed with a write in flight. */
  inFlight: number;
  failures: string[];
  ms: number;
}

/** The controller port the db names for `bridge`, or -1. */
function portInDb(db: string, bridge: string): number | Error {
  const cfg = loadDb(db);
  if (cfg instanceof Error) return cfg;
  const b = cfg.bridges.find((x) => x.name === bridge);
  const t = b?.controllers?.[0];
  return t === undefined ? -1 : Number(/:(\d+)$/.exec(t)?.[1] ?? -1);
}

export async function runCrash(opts: { rounds: number; seed?: number; progress?: (s: string) => void }): Promise<CrashResult> {
  const t0 = performance.now();
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
  const db = join(dir, 'conf.json');
  const rd = join(dir, 'rd');
  const br = lab.name('cb');
  const failures: string[] = [];
  const fail = (r: number, what: string) => { if (failures.length < 20) failures.push(`round ${r}: ${what}`); };
  let seed = (opts.seed ?? 1) >>> 0 || 1;
  const rand = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 2 ** 32; };
  let writes = 0;
  let inFlight = 0;
  let next = 10_000; // controller ports written, increasing: the db's one says which write it was
  try {
    const ns = await quietNetns(lab, 'c');
    for (let r = 0; r < opts.rounds; r++) {
      const expected = r === 0 ? null : portInDb(db, br);
      const d = sluice(['start', '--db', db, '--rundir', rd], ns);
      await d.waitFor(/sluice daemon ready/, 30_000);
      if (r === 0) await ctl(rd, 'add-br', { name: br });
      else {
        // came back with exactly the db's state, and left no temp file once it saved
        const bridges = (await ctl(rd, 'list-br')) as string[];
        if (bridges.join() !== br) fail(r, `restarted with bridges [${bridges}], not [${br}]`);
        const shown = JSON.stringify(await ctl(rd, 'show'));
        if (typeof expected === 'number' && expected > 0 && !shown.includes(`tcp:127.0.0.1:${expected}`)) fail(r, `restarted without the db's controller port ${expected}`);
        const temps = readdirSync(dir).filter((f) => f.startsWith('conf.json.tmp-'));
        if (temps.length !== 0) fail(r, `temp files left after the restart saved: ${temps.join(', ')}`);
      }
      // a stream of db writes, and a kill -9 in the middle of it
      let acked = portInDb(db, br) as number;
      let sending = -1;
      let stop = false;
      const writer = (async () => {
        while (!stop) {
          sending = next++;
          try {
            await ctl(rd, 'set-controller', { bridge: br, targets: [`tcp:127.0.0.1:${sending}`] }, 5000);
          } catch {
            return; // the daemon is gone
          }
          acked = sending;
          writes++;
        }
      })();
      await sleep(20 + Math.floor(rand() * 380));
      d.child.kill('SIGKILL');
      await d.wait();
      stop = true;
      await writer;
      const got = portInDb(db, br);
      if (got instanceof Error) fail(r, `db unreadable after kill -9: ${got.message}`);
      else if (got !== acked && got !== sending) fail(r, `db holds controller port ${got}; the last acknowledged write was ${acked}, in flight ${sending}`);
      else if (got === sending && sending !== acked) inFlight++;
      if (opts.progress && (r + 1) % 10 === 0) opts.progress(`${r + 1}/${opts.rounds} kills, ${writes} writes acknowledged`);
    }
  } finally {
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rounds: opts.rounds, writes, inFlight, failures, ms: performance.now() - t0 };
}

export function describeCrash(c: CrashResult): string {
  return `${c.rounds} kill -9 during db writes (${c.writes.toLocaleString('en-US')} writes acknowledged, ` +
    `${c.inFlight} kills with the write in flight already on disk), ` +
    `${c.failures.length === 0 ? 'the db was whole and current after every one' : `${c.failures.length} failure(s)`}; ${(c.ms / 1000).toFixed(0)} s`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } } });
  const rounds = Number(values.rounds);
  const seed = Number(values.seed);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(seed)) {
    console.error(`crash: --rounds ${values.rounds} --seed ${values.seed}: expected whole numbers (rounds ≥ 1)`);
    process.exit(2);
  }
  if (process.getuid?.() !== 0) {
    console.error('crash: needs root (the daemon runs in a network namespace)');
    process.exit(1);
  }
  const c = await runCrash({ rounds, seed, progress: (s) => console.error(s) });
  console.log(describeCrash(c));
  for (const f of c.failures) console.log(`  ${f}`);
  process.exit(c.failures.length === 0 ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
