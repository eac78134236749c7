/**
 * The campaign loop shared by `npm run fuzz` (test/fuzz/main.ts) and the CI test
 * (test/unit/fuzz-targets.test.ts).
 *
 * Invariants
 *  - Deterministic for a seed: input i comes from Rand(seed, i) alone (test/fuzz/rand.ts).
 *  - A finding names seed, index and the input's hex, which is enough to replay it
 *    (`--index I --seed S`, or `--replay HEX` on a fresh target).
 *  - crash = an exception out of the code under test (thrown, or uncaught in the event
 *    loop while the input ran); hang = an input that took longer than hangMs (one that
 *    never returns is caught by the watchdog thread, test/fuzz/watchdog.ts); breach = an
 *    invariant the target checks (a string) or peak RSS past maxRssMiB.
 */
import { Rand } from './rand.js';
import { toHex } from './mutate.js';

export interface FuzzTarget {
  readonly name: string;
  /** Input `index` of a campaign, from its own generator. */
  generate(rand: Rand, index: number): Uint8Array;
  /** Runs one input: null when every invariant held, else what broke. Throwing is a crash. */
  run(input: Uint8Array): string | null | Promise<string | null>;
  /** Checks at the end (the connection is still usable, state is bounded). */
  finish(): Promise<string | null>;
  /** The target's own counts, for the report ("412,345 errors answered, ..."). */
  stats(): string;
  /** Releases sockets, files. */
  close(): void;
}

type FindingKind = 'crash' | 'hang' | 'breach';
interface Finding { kind: FindingKind; index: number; hex: string; what: string }

interface CampaignOptions {
  seed: number;
  count: number;
  /** Run only these inputs instead of generating (replay). */
  inputs?: Uint8Array[];
  /** Index of the first generated input (`--index`). */
  start?: number;
  hangMs?: number;
  maxRssMiB?: number;
  /** Called about every 2 s with a progress line. */
  progress?: (line: string) => void;
  /** Called before each input (the watchdog's heartbeat). */
  beat?: (index: number, input: Uint8Array) => void;
}

export interface CampaignResult {
  target: string;
  inputs: number;
  crashes: number;
  hangs: number;
  breaches: number;
  findings: Finding[];
  peakRssMiB: number;
  seconds: number;
  /** "1,000,000 inputs, 0 crashes, 0 hangs, 0 breaches, peak RSS 212 MiB, 41 s" */
  line: string;
  stats: string;
}

const n = (x: number): string => x.toLocaleString('en-US');
const MAX_FINDINGS = 20;

const peakRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

export async function runCampaign(target: FuzzTarget, o: CampaignOptions): Promise<CampaignResult> {
  const hangMs = o.hangMs ?? 5000;
  const maxRss = o.maxRssMiB ?? 1536;
  const findings: Finding[] = [];
  const count = { crash: 0, hang: 0, breach: 0 };
  let current = -1;
  let currentInput: Uint8Array = new Uint8Array(0);
  const note = (kind: FindingKind, index: number, input: Uint8Array, what: string): void => {
    count[kind]++;
    if (findings.length < MAX_FINDINGS) findings.push({ kind, index, hex: toHex(input), what: what.split('\n').slice(0, 6).join('\n') });
  };
  const onUncaught = (e: unknown): void => note('crash', current, currentInput, `uncaught: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const t0 = performance.now();
  let lastProgress = t0;
  const total = o.inputs?.length ?? o.count;
  const start = o.start ?? 0;
  let done = 0;
  try {
    for (let k = 0; k < total; k++) {
      const index = o.inputs ? k : start + k;
      const input = o.inputs ? o.inputs[k]! : target.generate(new Rand(o.seed, index), index);
      current = index;
      currentInput = input;
      o.beat?.(index, input);
      const ti = performance.now();
      try {
        let r = target.run(input);
        if (r instanceof Promise) r = await r;
        if (r !== null) note('breach', index, input, r);
      } catch (e) {
        note('crash', index, input, e instanceof Error ? e.stack ?? e.message : String(e));
      }
      const took = performance.now() - ti;
      if (took > hangMs) note('hang', index, input, `took ${Math.round(took)} ms`);
      done++;
      if ((k & 1023) === 1023) {
        await new Promise((r) => setImmediate(r)); // let closes, timers and GC run
        const now = performance.now();
        if (peakRssMiB() > maxRss && count.breach === 0) note('breach', index, input, `peak RSS ${peakRssMiB()} MiB > ${maxRss} MiB`);
        if (o.progress && now - lastProgress > 2000) {
          lastProgress = now;
          const rate = done / ((now - t0) / 1000);
          o.progress(`${target.name}: ${n(done)}/${n(total)} inputs, ${n(count.crash)} crashes, ${n(count.hang)} hangs, ${n(count.breach)} breaches, ${n(Math.round(rate))}/s, RSS ${Math.round(process.memoryUsage().rss / 1048576)} MiB`);
        }
      }
    }
    current = -1;
    const f = await target.finish();
    if (f !== null) note('breach', -1, new Uint8Array(0), `at the end: ${f}`);
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    target.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const peak = peakRssMiB();
  const secs = seconds < 10 ? seconds.toFixed(1) : String(Math.round(seconds));
  return {
    target: target.name, inputs: done, crashes: count.crash, hangs: count.hang, breaches: count.breach, findings,
    peakRssMiB: peak, seconds, stats: target.stats(),
    line: `${n(done)} inputs, ${n(count.crash)} crashes, ${n(count.hang)} hangs, ${n(count.breach)} breaches, peak RSS ${peak} MiB, ${secs} s`,
  };
}
