/**
 * npm run fuzz -- --target openflow|openflow10|openflow14|openflow15|frames|flow-syntax|db [--count N] [--seed S]
 *                 [--index I] [--replay HEX] [--corpus] [--transport memory|tcp] [--hang-ms MS]
 *
 * Progress goes to stderr; stdout gets the findings and one summary line:
 *   fuzz frames seed=1: 1,000,000 inputs, 0 crashes, 0 hangs, 0 breaches, peak RSS 212 MiB, 41 s
 * Exit status 1 when anything was found, 2 for a bad flag.
 *  --index I     run only input I of the seed (--count then counts from I)
 *  --replay HEX  run these bytes on a fresh target (inputs start with the target's mode byte)
 *  --corpus      run the regression corpus, test/fuzz/corpus/TARGET.txt
 */
import { loadCorpus } from './corpus.js';
import { fromHex } from './mutate.js';
import { runCampaign } from './runner.js';
import { makeTarget, TARGETS, type TargetName } from './targets.js';
import { startWatchdog } from './watchdog.js';

function usage(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\nusage: npm run fuzz -- --target ${TARGETS.join('|')} [--count N] [--seed S] [--index I] [--replay HEX] [--corpus] [--transport memory|tcp]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) usage(`unexpected argument ${JSON.stringify(a)}`);
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (k === 'corpus') { out[k] = '1'; continue; }
    const val = v ?? argv[++i];
    if (val === undefined) usage(`--${k} needs a value`);
    out[k] = val;
  }
  return out;
}

function int(s: string | undefined, name: string, dflt: number): number {
  if (s === undefined) return dflt;
  const v = Number(s.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(v) || v < 0) usage(`--${name}: expected a non-negative integer, got ${JSON.stringify(s)}`);
  return v;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  for (const k of Object.keys(a)) if (!['target', 'count', 'seed', 'index', 'replay', 'corpus', 'transport', 'hang-ms'].includes(k)) usage(`unknown flag --${k}`);
  const name = a.target as TargetName;
  if (!TARGETS.includes(name)) usage(`--target: one of ${TARGETS.join(', ')}`);
  const transport = a.transport ?? 'memory';
  if (transport !== 'memory' && transport !== 'tcp') usage('--transport: memory or tcp');
  if (transport === 'tcp' && name !== 'openflow') usage('--transport tcp is for --target openflow');
  const seed = int(a.seed, 'seed', 1);
  const hangMs = int(a['hang-ms'], 'hang-ms', 5000);
  const index = a.index === undefined ? undefined : int(a.index, 'index', 0);
  const count = int(a.count, 'count', index === undefined ? 100_000 : 1);
  let inputs: Uint8Array[] | undefined;
  if (a.replay !== undefined) {
    if (!/^([0-9a-fA-F]{2})*$/.test(a.replay)) usage('--replay: expected hex bytes');
    inputs = [fromHex(a.replay)];
  } else if (a.corpus) {
    inputs = loadCorpus(name).map((c) => c.input);
  }
  const target = await makeTarget(name, { transport });
  const dog = startWatchdog(name, seed, hangMs);
  const r = await runCampaign(target, {
    seed, count, inputs, start: index, hangMs,
    beat: (i, input) => dog.beat(i, input),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  await dog.stop();
  for (const f of r.findings) {
    const replay = f.index < 0 ? '' : inputs ? ` --replay ${f.hex}` : ` --seed ${seed} --index ${f.index}`;
    process.stdout.write(`${f.kind.toUpperCase()} ${name} seed=${seed} index=${f.index}: ${f.what}\n  hex: ${f.hex}\n  replay: npm run fuzz -- --target ${name}${replay}\n`);
  }
  process.stdout.write(`${name}: ${r.stats}\n`);
  const what = inputs ? (a.replay !== undefined ? 'replay' : 'corpus') : `seed=${seed}${index === undefined ? '' : ` from index ${index}`}`;
  process.stdout.write(`fuzz ${name}${transport === 'tcp' ? ' (tcp)' : ''} ${what}: ${r.line}\n`);
  process.exitCode = r.crashes + r.hangs + r.breaches > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
