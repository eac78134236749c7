/**
 * Classifier / flow-table micro benchmark (DESIGN.md: every optimisation has a benchmark).
 *
 * Rules match eth_type=0x0800 + ipv4_dst exact, plus an ipv4_src prefix whose length
 * (0..M-1 bits) makes M distinct masks; priority grows with the prefix length, as in an
 * ACL where more specific rules win. Keys are precomputed: half hit a rule, half are
 * random destinations. Without prefix tracking a miss probes every subtable; with it
 * (classifier-prefix.ts: all 20 subtables share ipv4_dst/32) a miss costs one filter
 * probe and a hit probes only the subtables holding its ipv4_dst. Instructions are shared.
 *
 * Reported: lookups/s at 1k rules/1 mask, 100k/20, 1M/20; FlowTable.add rate (includes
 * match compilation); heap bytes per rule at 1M rules, counting the JS heap and the
 * typed-array backing stores (which live outside heapUsed).
 *
 * Run: node --expose-gc --import tsx -e "import('./bench/classifier.bench.ts')
 *        .then((m) => m.benchClassifier()).then((l) => console.log(l.join('\n')))"
 */
import Benchmark from 'benchmark';
import { KEY_WORDS, P_ETH, P_IPV4, W_ETH_TYPE_VLAN, W_NW_DST, W_NW_SRC, W_PRESENT } from '../src/packet/flow-key.js';
import { isOFError } from '../src/pipeline/errors.js';
import { FlowTable } from '../src/pipeline/flow-table.js';
import { flowMod, type Instruction, type OxmField } from '../src/pipeline/types.js';

const KEYS = 4096; // power of two
const BATCH = 256; // lookups per benchmark call, to amortise the harness overhead

const SHARED_INSTRUCTIONS: readonly Instruction[] = [
  { type: 'apply_actions', actions: [{ type: 'output', port: 1, maxLen: 0 }] },
];
const ETH_IPV4: OxmField = { field: 5, value: new Uint8Array([0x08, 0x00]) };

function be32(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

const prefixMask = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** Deterministic xorshift32, so runs are comparable. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

interface Built {
  table: FlowTable;
  dst: Uint32Array;
  src: Uint32Array;
  insertSeconds: number;
}

function build(n: number, masks: number): Built {
  const table = new FlowTable(0, { maxRules: n });
  const rnd = rng(n);
  const dst = new Uint32Array(n), src = new Uint32Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const len = i % masks;
    dst[i] = Math.imul(i + 1, 0x9e3779b1) >>> 0; // unique: odd multiplier is a bijection
    src[i] = (rnd() & prefixMask(len)) >>> 0;
    const match: OxmField[] = [ETH_IPV4, { field: 12, value: be32(dst[i]!) }];
    if (len > 0) match.push({ field: 11, value: be32(src[i]!), mask: be32(prefixMask(len)) });
    // A fractional clock, as performance.now() gives: times cost a heap number each.
    const r = table.add(flowMod({ priority: 1000 + len, match, instructions: SHARED_INSTRUCTIONS }), 1_234_567.891 + i);
    if (isOFError(r)) throw new Error(r.message);
  }
  return { table, dst, src, insertSeconds: (performance.now() - t0) / 1000 };
}

function makeKeys(b: Built, n: number): Uint32Array[] {
  const rnd = rng(7);
  const keys: Uint32Array[] = [];
  for (let i = 0; i < KEYS; i++) {
    const k = new Uint32Array(KEY_WORDS);
    k[W_ETH_TYPE_VLAN] = 0x0800 << 16;
    k[W_PRESENT] = P_ETH | P_IPV4 | (1 << 14);
    if (i % 2 === 0) {
      const r = rnd() % n;
      k[W_NW_DST] = b.dst[r]!;
      k[W_NW_SRC] = b.src[r]! | (rnd() & 0xff); // low bits are outside every prefix mask
    } else {
      k[W_NW_DST] = rnd();
      k[W_NW_SRC] = rnd();
    }
    keys.push(k);
  }
  return keys;
}

function runSuite(name: string, fn: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const suite = new Benchmark.Suite(name);
    suite
      .add(name, fn, { maxTime: 2 })
      .on('cycle', (e) => resolve(e.target.hz))
      .on('error', () => reject(new Error(`benchmark ${name} failed`)))
      .run({ async: true });
  });
}

async function lookupRate(b: Built, n: number): Promise<{ rate: number; hitRatio: number }> {
  const keys = makeKeys(b, n);
  let hits = 0;
  for (const k of keys) if (b.table.lookup(k) !== null) hits++;
  let next = 0;
  let sink = 0;
  const hz = await runSuite(`lookup ${n}`, () => {
    for (let i = 0; i < BATCH; i++) {
      const r = b.table.lookup(keys[next]!);
      next = (next + 1) & (KEYS - 1);
      if (r !== null) sink++;
    }
  });
  if (sink < 0) throw new Error('unreachable');
  return { rate: hz * BATCH, hitRatio: hits / KEYS };
}

function heapNow(): { heap: number; buffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** `quick` skips the 1M-rule runs (for iterating on the classifier). */
export async function benchClassifier(opts: { quick?: boolean } = {}): Promise<string[]> {
  const lines: string[] = [];
  const haveGc = typeof (globalThis as { gc?: () => void }).gc === 'function';
  for (const [n, masks] of [[1_000, 1], [100_000, 20]] as const) {
    const b = build(n, masks);
    const { rate, hitRatio } = await lookupRate(b, n);
    lines.push(`classifier lookup  ${fmt(n)} rules / ${masks} masks: ${fmt(rate)} lookups/s (hits ${(hitRatio * 100).toFixed(0)}%)`);
  }
  if (opts.quick === true) return lines;
  const before = heapNow();
  const big = build(1_000_000, 20);
  const after = heapNow();
  lines.push(`flow-table add     1,000,000 rules / 20 masks: ${fmt(1_000_000 / big.insertSeconds)} rules/s`);
  const { rate, hitRatio } = await lookupRate(big, 1_000_000);
  lines.push(`classifier lookup  1,000,000 rules / 20 masks: ${fmt(rate)} lookups/s (hits ${(hitRatio * 100).toFixed(0)}%)`);
  const perHeap = (after.heap - before.heap) / 1_000_000;
  const perAll = perHeap + (after.buffers - before.buffers) / 1_000_000;
  lines.push(
    haveGc
      ? `memory per rule    1,000,000 rules: ${perAll.toFixed(0)} bytes (JS heap ${perHeap.toFixed(0)} + typed arrays ${(perAll - perHeap).toFixed(0)})`
      : 'memory per rule    (run node with --expose-gc to measure)',
  );
  if (big.table.size !== 1_000_000) throw new Error('build lost rules');
  return lines;
}
