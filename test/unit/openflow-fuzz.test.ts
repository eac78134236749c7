/**
 * Bounded, seeded fuzzing of the decoder and the framer: valid messages of every type
 * (our samples and os-ken's fixtures) are mutated — random bytes, header length and type,
 * OXM/TLV headers, 16-bit length fields, truncation, extension — and fed to
 * decodeMessageStrict (no safety net) and to MessageFramer. Invariants checked:
 *  - nothing throws;
 *  - every failure is an OFError whose type/code exists in OF1.3.5 §7.4.4;
 *  - every success re-encodes without throwing, and the re-encoding decodes again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessageStrict, encodeMessage, MessageFramer } from '../../src/openflow/index.js';
import { isOFError, type OFError } from '../../src/pipeline/errors.js';
import { sampleMessages } from './openflow-samples.js';

/** Highest code of each error type (OF1.3.5 §7.4.4). */
const MAX_CODE: Record<number, number> = {
  0: 1, 1: 13, 2: 15, 3: 8, 4: 11, 5: 7, 6: 14, 7: 4, 8: 2, 9: 2, 10: 2, 11: 2, 12: 11, 13: 5,
};
const validError = (e: OFError) => e.ofError === true && MAX_CODE[e.type] !== undefined && e.code >= 0 && e.code <= MAX_CODE[e.type]!;

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

const osken: Record<string, string> = JSON.parse(readFileSync(new URL('./openflow-osken-fixtures.json', import.meta.url), 'utf8'));
const SEEDS: Uint8Array[] = [
  ...sampleMessages().map(encodeMessage),
  ...Object.values(osken).map((h) => new Uint8Array(Buffer.from(h, 'hex'))),
];

const INTERESTING16 = [0, 1, 4, 7, 8, 9, 15, 16, 24, 0x7fff, 0xfff8, 0xffff];

function mutate(rand: () => number, seed: Uint8Array): Uint8Array {
  let b: Uint8Array = seed.slice();
  const at = () => rand() % Math.max(1, b.length);
  const even = () => (rand() % Math.max(1, b.length >> 1)) << 1;
  const rounds = 1 + (rand() % 3);
  for (let i = 0; i < rounds; i++) {
    switch (rand() % 8) {
      case 0: b[at()] = rand() & 0xff; break; // random byte
      case 1: { const o = even(); if (o + 1 < b.length) { const v = INTERESTING16[rand() % INTERESTING16.length]!; b[o] = v >> 8; b[o + 1] = v & 0xff; } break; } // a 16-bit length
      case 2: b[1] = rand() % 34; break; // message type
      case 3: b = b.slice(0, at()); break; // truncate
      case 4: { const ext = new Uint8Array(b.length + 1 + (rand() % 24)); ext.set(b); for (let j = b.length; j < ext.length; j++) ext[j] = rand() & 0xff; b = ext; break; }
      case 5: { // an OXM-looking header: class 0x8000 or 0xffff, random field/hasmask/length
        const o = (at() & ~3) + 4; if (o + 4 <= b.length) { b[o] = rand() & 1 ? 0x80 : 0xff; b[o + 1] = rand() & 1 ? 0 : 0xff; b[o + 2] = rand() & 0xff; b[o + 3] = rand() % 40; }
        break;
      }
      case 6: { const o = even(); if (o + 4 <= b.length) { b[o] = 0; b[o + 1] = rand() % 30; b[o + 2] = 0; b[o + 3] = (rand() % 5) * 8; } break; } // action/instruction header
      default: b[2] = rand() & 0xff; b[3] = rand() & 0xff; // header length
    }
  }
  // Most of the time keep the header length honest so that decoding goes past the header.
  if (b.length >= 4 && rand() % 4 !== 0) { b[2] = (b.length >> 8) & 0xff; b[3] = b.length & 0xff; }
  return b;
}

describe('codec fuzz (seeded, bounded)', () => {
  it('decodeMessageStrict never throws and reports only valid errors', () => {
    const rand = xorshift(0x5eed1234);
    const ITER = 20_000;
    let ok = 0;
    const codes = new Set<string>();
    const problems: string[] = [];
    for (let i = 0; i < ITER; i++) {
      const seed = SEEDS[rand() % SEEDS.length]!;
      const input = mutate(rand, seed);
      let r;
      try {
        r = decodeMessageStrict(input);
      } catch (e) {
        problems.push(`throw on ${Buffer.from(input).toString('hex')}: ${String(e)}`);
        continue;
      }
      if (isOFError(r)) {
        if (!validError(r)) problems.push(`invalid error ${r.type}/${r.code}`);
        codes.add(`${r.type}/${r.code}`);
        continue;
      }
      ok++;
      try {
        const again = decodeMessageStrict(encodeMessage(r));
        if (isOFError(again)) problems.push(`re-encoded ${r.type} does not decode: ${again.message}`);
      } catch (e) {
        problems.push(`re-encode threw for ${r.type}: ${String(e)}`);
      }
    }
    if (process.env.FUZZ_STATS) console.log({ ok, codes: [...codes].sort() });
    expect(problems.slice(0, 5)).toEqual([]);
    // The fuzzer must exercise both sides and many distinct error paths.
    expect(ok).toBeGreaterThan(ITER / 20);
    expect(ITER - ok).toBeGreaterThan(ITER / 4);
    expect(codes.size).toBeGreaterThan(15);
  });

  it('the framer never throws on mutated streams cut into random chunks', () => {
    const rand = xorshift(0xf4a3e);
    let fatal = 0;
    for (let i = 0; i < 300; i++) {
      const parts = Array.from({ length: 1 + (rand() % 8) }, () => mutate(rand, SEEDS[rand() % SEEDS.length]!));
      const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((o, p) => (stream.set(p, o), o + p.length), 0);
      const f = new MessageFramer();
      let total = 0;
      for (let o = 0; o < stream.length;) {
        const n = 1 + (rand() % 200);
        const r = f.push(stream.subarray(o, o + n));
        o += n;
        for (const m of r.messages) {
          expect(m.length).toBe((m[2]! << 8) | m[3]!);
          total += m.length;
        }
        if (!r.ok) { fatal++; expect(validError(r.error)).toBe(true); break; }
      }
      expect(total).toBeLessThanOrEqual(stream.length);
    }
    expect(fatal).toBeGreaterThan(0);
  });
});
