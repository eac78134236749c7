/**
 * Byte-level mutations shared by the binary targets (openflow, frames): bit flips, random
 * and "interesting" bytes and 16/32-bit values, truncation, extension, chunk duplication,
 * deletion and splicing from another seed. Length fields are the classic crash source, so
 * the interesting values are the ones around 0, 8, header sizes and the type maxima.
 */
import type { Rand } from './rand.js';

const INTERESTING8 = [0, 1, 0x7f, 0x80, 0xff, 4, 6, 8, 16, 17, 41, 58, 60] as const;
const INTERESTING16 = [0, 1, 4, 7, 8, 9, 15, 16, 20, 24, 40, 64, 0x7fff, 0x8000, 0xfff8, 0xfffe, 0xffff] as const;
const INTERESTING32 = [0, 1, 0x7fffffff, 0x80000000, 0xfffffff8, 0xfffffffd, 0xffffffff] as const;

/** One mutation of `b` (a new array when the length changes). */
export function mutateOnce(rand: Rand, b: Uint8Array, other: () => Uint8Array): Uint8Array {
  const n = b.length;
  const at = (): number => rand.below(Math.max(1, n));
  switch (rand.below(11)) {
    case 0: if (n > 0) b[at()]! ^= 1 << rand.below(8); return b; // bit flip
    case 1: if (n > 0) b[at()] = rand.u32() & 0xff; return b; // random byte
    case 2: if (n > 0) b[at()] = rand.pick(INTERESTING8); return b;
    case 3: { // a 16-bit field: lengths, types, ports
      const o = at() & ~1;
      if (o + 2 <= n) { const v = rand.pick(INTERESTING16); b[o] = v >> 8; b[o + 1] = v & 0xff; }
      return b;
    }
    case 4: { // a 32-bit field: ports, buffer ids, xids
      const o = at() & ~3;
      if (o + 4 <= n) { const v = rand.pick(INTERESTING32); b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff; }
      return b;
    }
    case 5: return b.slice(0, at()); // truncate
    case 6: { // extend with random bytes or zeros
      const ext = new Uint8Array(n + 1 + rand.below(rand.oneIn(8) ? 600 : 24));
      ext.set(b);
      if (rand.oneIn(2)) for (let j = n; j < ext.length; j++) ext[j] = rand.u32() & 0xff;
      return ext;
    }
    case 7: { // delete a chunk
      const k = Math.min(n, 1 + rand.below(16)); const o = rand.below(n - k + 1);
      const out = new Uint8Array(n - k);
      out.set(b.subarray(0, o)); out.set(b.subarray(o + k), o);
      return out;
    }
    case 8: { // duplicate a chunk in place (repeated headers, nested TLVs)
      const o = at(); const k = Math.min(n - o, 4 * (1 + rand.below(8)));
      if (k <= 0) return b;
      const out = new Uint8Array(n + k);
      out.set(b.subarray(0, o + k)); out.set(b.subarray(o), o + k);
      return out;
    }
    case 9: { // splice: our head, another seed's tail (wrong nesting of valid parts)
      const x = other();
      const o = at(); const p = rand.below(Math.max(1, x.length));
      const out = new Uint8Array(o + x.length - p);
      out.set(b.subarray(0, o)); out.set(x.subarray(p), o);
      return out;
    }
    default: { // overwrite a chunk with another seed's bytes
      const x = other();
      const o = at(); const p = rand.below(Math.max(1, x.length)); const k = Math.min(n - o, x.length - p, 1 + rand.below(32));
      if (k > 0) b.set(x.subarray(p, p + k), o);
      return b;
    }
  }
}

/** 1..max mutations of a copy of `seed`. */
export function mutate(rand: Rand, seed: Uint8Array, other: () => Uint8Array, max = 4): Uint8Array {
  let b: Uint8Array = seed.slice();
  for (let i = 1 + rand.below(max); i > 0; i--) b = mutateOnce(rand, b, other);
  return b;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
