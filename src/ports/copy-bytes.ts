/**
 * Copying frame bytes between buffers without allocating (the fast path's rule): the
 * receive rings, the transmit staging arenas, the work buffers of rewrites and the tunnel
 * ports' buffers all copy with copyBytes.
 */

/** 32-bit views of the buffers frames are copied between (rings, work buffers, arenas:
 * few and long-lived), made once per ArrayBuffer. A two-entry memo in front of the
 * WeakMap keeps the per-copy cost at a compare or two. */
const views = new WeakMap<ArrayBufferLike, Int32Array>();
let memoA: ArrayBufferLike | null = null;
let memoAV: Int32Array | null = null;
let memoB: ArrayBufferLike | null = null;
let memoBV: Int32Array | null = null;

function view32(ab: ArrayBufferLike): Int32Array {
  if (ab === memoA) return memoAV!;
  if (ab === memoB) return memoBV!;
  let v = views.get(ab);
  if (v === undefined) {
    v = new Int32Array(ab, 0, ab.byteLength >>> 2);
    views.set(ab, v);
  }
  memoB = memoA;
  memoBV = memoAV;
  memoA = ab;
  memoAV = v;
  return v;
}

/**
 * Copies src[sOff, sOff+len) to dst[dOff...) without allocating: 32 bits at a time when
 * both sides have the same alignment (callers arrange it: staging and work buffers place
 * a frame at the source's offset mod 4), byte by byte otherwise and for short runs.
 *
 * Measured (bench/datapath.bench.ts "copy" lines, Node 20): at 64 B the word loop equals
 * TypedArray.set(subarray) and at 12 B the byte loop is ~2x faster; at 1,500 B
 * set(subarray) (memcpy) is ~4x faster, but it creates a view object per call, which the
 * fast path's rule "no allocation per packet" forbids. Node 20 has no allocation-free
 * memcpy between distinct buffers (Buffer.copy also makes a view).
 */
export function copyBytes(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number): void {
  const da = dst.byteOffset + dOff;
  const sa = src.byteOffset + sOff;
  if (len < 32 || ((da ^ sa) & 3) !== 0) {
    for (let i = 0; i < len; i++) dst[dOff + i] = src[sOff + i]!;
    return;
  }
  let i = 0;
  for (; ((sa + i) & 3) !== 0; i++) dst[dOff + i] = src[sOff + i]!;
  const d32 = view32(dst.buffer);
  const s32 = view32(src.buffer);
  const dw = (da + i) >>> 2;
  const sw = (sa + i) >>> 2;
  const n = (len - i) >>> 2;
  for (let k = 0; k < n; k++) d32[dw + k] = s32[sw + k]!;
  for (i += n << 2; i < len; i++) dst[dOff + i] = src[sOff + i]!;
}

/** For the benchmark: the allocating alternative copyBytes is measured against. */
export function copyBytesSet(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number): void {
  dst.set(src.subarray(sOff, sOff + len), dOff);
}
