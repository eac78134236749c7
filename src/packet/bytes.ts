/**
 * Big-endian reads and writes on a Uint8Array at an absolute offset.
 *
 * Frames arrive as windows of large receive rings, so the packet code works on
 * (buffer, offset) pairs and never creates a view or a subarray per frame: these helpers
 * are plain index arithmetic, which V8 inlines. Callers check bounds first; an
 * out-of-range read yields `undefined | 0` = 0, never an exception.
 */

export function rd16(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) & 0xffff;
}

export function rd32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function wr16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

export function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
