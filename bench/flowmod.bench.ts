/**
 * Flow-mod installation micro benchmark (bench/README.md, OpenFlow section, figure (a), without
 * sockets): the same 100,000 ADD flow-mods the OpenFlow benchmark sends (rule i =
 * eth_type=0x0800, ipv4_dst=11.0.0.0+i exact, apply_actions output:1, priority 100),
 * measured as decode alone, Pipeline.flowMod alone, and decode + flowMod, each into a
 * fresh Pipeline. Timed loops (one pass = 100k rules; best of `rounds` passes), because a
 * pass changes the table and cannot be repeated on the same Pipeline.
 *
 * Run: node --import tsx -e "import('./bench/flowmod.bench.ts')
 *        .then((m) => m.benchFlowMod()).then((l) => console.log(l.join('\n')))"
 */
import { encodeMessage, decodeMessage } from '../src/openflow/index.js';
import type { FlowModMsg } from '../src/openflow/message-types.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { isOFError } from '../src/pipeline/errors.js';
import { bulkFlowMod } from './openflow/messages.js';

const newPipeline = (): Pipeline => new Pipeline({ portExists: (p) => p >= 1 && p <= 2, portLive: () => true });

const rate = (n: number, ms: number): string => `${Math.round((n * 1000) / ms).toLocaleString('en-US')}/s`;

function decodeAll(bufs: readonly Uint8Array[]): FlowModMsg[] {
  const out: FlowModMsg[] = [];
  for (const b of bufs) {
    const r = decodeMessage(b);
    if (isOFError(r) || r.type !== 'flow_mod') throw new Error('bench: flow-mod did not decode');
    out.push(r);
  }
  return out;
}

/** Best time (ms) of `rounds` runs of fn (each on fresh state). */
function best(rounds: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

// eslint-disable-next-line sluice/no-unused-exports -- the command line above imports it
export async function benchFlowMod(n = 100_000, rounds = 5): Promise<string[]> {
  const bufs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) bufs.push(encodeMessage(bulkFlowMod(i, i + 1)));
  const decoded = decodeAll(bufs);
  const install = (p: Pipeline, fms: readonly FlowModMsg[]): void => {
    for (const fm of fms) if (isOFError(p.flowMod(fm, 0))) throw new Error('bench: flow-mod refused');
  };
  const tDecode = best(rounds, () => decodeAll(bufs));
  const tFlowMod = best(rounds, () => {
    const p = newPipeline();
    install(p, decoded);
    if (p.table(0).size !== n) throw new Error('bench: wrong rule count');
  });
  const tBoth = best(rounds, () => {
    const p = newPipeline();
    for (const b of bufs) {
      const r = decodeMessage(b);
      if (isOFError(r) || r.type !== 'flow_mod' || isOFError(p.flowMod(r, 0))) throw new Error('bench: failed');
    }
  });
  return [
    `flow-mod decode alone:        ${rate(n, tDecode)} (${tDecode.toFixed(0)} ms / ${n})`,
    `Pipeline.flowMod alone:       ${rate(n, tFlowMod)} (${tFlowMod.toFixed(0)} ms / ${n})`,
    `decode + Pipeline.flowMod:    ${rate(n, tBoth)} (${tBoth.toFixed(0)} ms / ${n})`,
  ];
}
