/**
 * `npm run bench:pipeline` — the core's figures in one run, one line each: parse rate
 * (parse.bench.ts), classifier lookups/s at 1k rules/1 mask, 100k/20 and 1M/20, rule
 * insertion rate and heap bytes per rule at 1M rules (classifier.bench.ts), decide()/s
 * through a 3-table pipeline (below), and the OpenFlow codec (codec.bench.ts).
 *
 * Targets (DESIGN.md / rule.ts): >= 1M lookups/s at 100k rules / 20 masks, <= 300 bytes
 * per rule at 1M rules. The memory line needs global.gc, so without --expose-gc the
 * script re-runs itself under `node --expose-gc --import tsx` (same arguments).
 *
 * The 3-table pipeline is what a controller app typically installs: table 0 classifies by
 * in_port (8 rules) and goes to 1; table 1 routes on ipv4_dst (1,000 exact rules: set
 * eth_dst, write_metadata, goto 2); table 2 is an ACL on tcp_dst (16 rules + a
 * table-miss) that writes the output. Keys cycle through 4,096 prebuilt flows, 90% of
 * them hitting a route. This is the slow path (a flow-cache miss), not per-packet cost.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Benchmark from 'benchmark';
import { FlowKey, P_ETH, P_IPV4, P_L3, P_TCP, W_IN_PORT, W_PRESENT } from '../src/packet/flow-key.js';
import { isOFError } from '../src/pipeline/errors.js';
import { OXM_FIELDS, oxmFieldByName, writeFieldWords } from '../src/packet/oxm.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { flowMod, type FlowMod, type OxmField } from '../src/pipeline/types.js';
import { benchClassifier } from './classifier.bench.js';
import { benchCodec } from './codec.bench.js';
import { benchParse } from './parse.bench.js';

const hasGc = typeof (globalThis as { gc?: () => void }).gc === 'function';
if (!hasGc && process.env.SLUICE_BENCH_REEXEC !== '1') {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, SLUICE_BENCH_REEXEC: '1' },
  });
  process.exit(r.status ?? 1);
}

function be(v: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--) { out[i] = v & 0xff; v = Math.floor(v / 256); }
  return out;
}
function oxm(name: string, v: number): OxmField {
  const info = oxmFieldByName(name)!;
  return { field: info.id, value: be(v, info.bytes) };
}
const ROUTES = 1_000;
const routeDst = (i: number): number => (0x0a000000 + i * 7) >>> 0;

function buildPipeline(): Pipeline {
  const p = new Pipeline({ nTables: 3, portExists: () => true, portLive: () => true });
  const add = (fm: Partial<FlowMod>) => {
    const r = p.flowMod(flowMod(fm), 0);
    if (isOFError(r)) throw new Error(r.message);
  };
  for (let port = 1; port <= 8; port++) {
    add({ priority: 100, match: [oxm('in_port', port)], instructions: [{ type: 'goto_table', tableId: 1 }] });
  }
  const ethDst = OXM_FIELDS[oxmFieldByName('eth_dst')!.id]!;
  for (let i = 0; i < ROUTES; i++) {
    add({
      tableId: 1, priority: 100, match: [oxm('eth_type', 0x0800), oxm('ipv4_dst', routeDst(i))],
      instructions: [
        { type: 'apply_actions', actions: [{ type: 'set_field', field: { field: ethDst.id, value: be(0x020000000000 + i, 6) } }] },
        { type: 'write_metadata', metadata: BigInt(i), mask: 0xffffn },
        { type: 'goto_table', tableId: 2 },
      ],
    });
  }
  for (let j = 0; j < 16; j++) {
    add({
      tableId: 2, priority: 200, match: [oxm('eth_type', 0x0800), oxm('ip_proto', 6), oxm('tcp_dst', 8000 + j)],
      instructions: [{ type: 'write_actions', actions: [{ type: 'output', port: 1 + (j % 8), maxLen: 0 }] }],
    });
  }
  add({ tableId: 2, priority: 0, instructions: [{ type: 'write_actions', actions: [{ type: 'output', port: 8, maxLen: 0 }] }] });
  return p;
}

function keys(n: number): FlowKey[] {
  const out: FlowKey[] = [];
  const set = (k: FlowKey, name: string, v: number) => writeFieldWords(oxmFieldByName(name)!, be(v, oxmFieldByName(name)!.bytes), k.words);
  for (let i = 0; i < n; i++) {
    const k = new FlowKey();
    k.clear();
    k.words[W_IN_PORT] = 1 + (i % 8);
    set(k, 'eth_type', 0x0800);
    set(k, 'ip_proto', 6);
    set(k, 'ipv4_src', 0xc0a80000 + i);
    set(k, 'ipv4_dst', i % 10 === 9 ? 0x0b000000 + i : routeDst((i * 13) % ROUTES));
    set(k, 'tcp_src', 30000 + i);
    set(k, 'tcp_dst', 8000 + (i % 20));
    k.words[W_PRESENT] = P_ETH | P_IPV4 | P_L3 | P_TCP;
    out.push(k);
  }
  return out;
}

async function benchDecide(): Promise<string> {
  const p = buildPipeline();
  const ks = keys(4096);
  let next = 0;
  let sink = 0;
  const hz = await new Promise<number>((resolve, reject) => {
    new Benchmark.Suite('decide')
      .add('decide', () => {
        const d = p.decide(ks[next]!, 0);
        next = (next + 1) & 4095;
        sink += d.ops.length;
      }, { maxTime: 3 })
      .on('cycle', (e) => resolve(e.target.hz))
      .on('error', () => reject(new Error('decide benchmark failed')))
      .run({ async: true });
  });
  if (sink === 0) throw new Error('decide produced no ops');
  return `pipeline decide()   3 tables (8 + ${ROUTES.toLocaleString('en-US')} + 17 rules): ${Math.round(hz).toLocaleString('en-US')} decisions/s`;
}

const t0 = performance.now();
const parse = await benchParse();
const mix = parse.find((l) => l.name.startsWith('parseFrame mix'))!;
const perKind = parse.filter((l) => l !== mix).map((l) => `${l.name.replace(/^parseFrame | \(frames\/s\)$/g, '')} ${Math.round(l.hz).toLocaleString('en-US')}`);
console.log(`parse               mix of 4 frame kinds: ${Math.round(mix.hz).toLocaleString('en-US')} frames/s (${perKind.join(', ')})`);
for (const line of await benchClassifier()) console.log(line);
console.log(await benchDecide());
for (const line of await benchCodec()) console.log(line);
console.log(`(bench took ${((performance.now() - t0) / 1000).toFixed(0)} s; node ${process.version}, gc ${hasGc ? 'exposed' : 'missing'})`);
