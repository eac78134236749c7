/**
 * Packet parser micro benchmark (DESIGN.md: every optimisation has a benchmark).
 *
 * parseFrame over golden-like frames (the same bytes as test/fixtures/packets/golden.json:
 * tcp4, udp6, arp-req, vlan-tcp4), each placed at an odd offset inside one larger buffer as
 * frames from a receive ring are, and one reused FlowKey. Reported in frames parsed per
 * second, per frame kind and for the mix.
 *
 * Run: node --import tsx -e "import('./bench/parse.bench.ts')
 *        .then((m) => m.benchParse()).then((l) => console.table(l))"
 */
import Benchmark from 'benchmark';
import { FlowKey } from '../src/packet/flow-key.js';
import { parseFrame } from '../src/packet/parse.js';

const FRAMES: readonly (readonly [string, string])[] = [
  ['tcp/ipv4', '00112233445566778899aabb080045b9002d000100003d06aa5e0a000102c0a8070904d200500000000000000000501220007426000068656c6c6f'],
  ['udp/ipv6', '00112233445566778899aabb86dd60000000000c1140fe80000000000000123456789abcdef020010db800000000000000000000000102220223000c252464686370'],
  ['arp', '00112233445566778899aabb0806000108000604000166778899aabb0a000102000000000000c0a80709'],
  ['vlan tcp/ipv4', '00112233445566778899aabb8100a064080045000028000100004006a81c0a000102c0a807099c4001bb0000000000000000501820001f1e0000'],
];

/** One ring-like buffer holding every frame at a 2048-byte slot plus an odd offset. */
const SLOT = 2048;
const ring = new Uint8Array(SLOT * FRAMES.length);
const starts: number[] = [];
const lens: number[] = [];
FRAMES.forEach(([, hex], i) => {
  const bytes = Buffer.from(hex, 'hex');
  starts.push(i * SLOT + 3);
  lens.push(bytes.length);
  ring.set(bytes, i * SLOT + 3);
});

const key = new FlowKey();
let sink = 0; // keeps the parser's result observable so the work is not optimised away

function runOne(name: string, fn: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    new Benchmark.Suite(name)
      .add(name, fn, { maxTime: 1 })
      .on('cycle', (e) => resolve(e.target.hz))
      .on('error', () => reject(new Error(`benchmark ${name} failed`)))
      .run({ async: true });
  });
}

export async function benchParse(): Promise<{ name: string; hz: number }[]> {
  const out: { name: string; hz: number }[] = [];
  for (let i = 0; i < FRAMES.length; i++) {
    const s = starts[i]!;
    const len = lens[i]!;
    const hz = await runOne(`parseFrame ${FRAMES[i]![0]}`, () => {
      parseFrame(ring, s, len, 1, key);
      sink ^= key.words[9]!;
    });
    out.push({ name: `parseFrame ${FRAMES[i]![0]} (frames/s)`, hz });
  }
  const mixHz = await runOne('parseFrame mix', () => {
    for (let i = 0; i < 4; i++) {
      parseFrame(ring, starts[i]!, lens[i]!, 1, key);
      sink ^= key.words[9]!;
    }
  });
  out.push({ name: 'parseFrame mix of 4 (frames/s)', hz: mixHz * FRAMES.length });
  if (sink === 0x12345678) out.push({ name: 'unreachable', hz: 0 });
  return out;
}
