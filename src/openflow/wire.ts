/**
 * Byte-level helpers of the codec: a growable big-endian Writer and a bounded Reader.
 *
 * Invariants
 *  - Writer: `pos` is the message length so far; `patch16` fills a length field once the
 *    structure it measures is written (OpenFlow lengths are known only at the end).
 *  - Reader: reads never go past `end`. Decoders check `left` against a structure's size
 *    BEFORE reading it, so the Reader itself never meets an out-of-range read; nothing here
 *    throws on well-bounded use, and decoders never rely on exceptions.
 *  - `bytes()` copies: decoded messages do not alias the framer's buffers.
 *  - Fixed-layout structures are read and written by Field (layouts.ts): the `*At`
 *    methods take the structure's first byte (`base`) and the field, and do not move `pos`.
 *    A Reader's caller has checked the structure fits; a Writer's caller has reserved it
 *    (zeros(), which also writes the padding).
 */

/**
 * One field of a fixed-layout wire structure: bytes [start, end) from the structure's
 * first byte, as smoltcp's `const SRC_PORT: Field = 0..2`. The accessor's width (u8At,
 * u16At, ...) is the field's; test/unit/openflow-layouts.test.ts checks that the fields
 * of each layout tile it.
 */
export type Field = readonly [start: number, end: number];

const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: false });

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v & 0xffff);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v));
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Zero-pads so that (pos - start) is a multiple of 8. */
  align8(start: number): void {
    const rem = (this.pos - start) & 7;
    if (rem !== 0) this.zeros(8 - rem);
  }

  /** A NUL-padded fixed-size string field (always NUL-terminated, as the spec's char[N]). */
  str(s: string, size: number): void {
    const enc = UTF8_ENCODER.encode(s).subarray(0, size - 1);
    this.bytes(enc);
    this.zeros(size - enc.length);
  }

  patch16(at: number, v: number): void {
    this.view.setUint16(at, v & 0xffff);
  }

  /** Writes field `f` of the structure at `base` (already reserved). */
  u8At(base: number, f: Field, v: number): void {
    this.buf[base + f[0]] = v & 0xff;
  }

  u16At(base: number, f: Field, v: number): void {
    this.view.setUint16(base + f[0], v & 0xffff);
  }

  u32At(base: number, f: Field, v: number): void {
    this.view.setUint32(base + f[0], v >>> 0);
  }

  u64At(base: number, f: Field, v: bigint): void {
    this.view.setBigUint64(base + f[0], BigInt.asUintN(64, v));
  }

  /** Copies `b` into field `f` (zero-filled or cut to the field's size). */
  bytesAt(base: number, f: Field, b: Uint8Array): void {
    const n = f[1] - f[0];
    this.buf.set(b.length > n ? b.subarray(0, n) : b, base + f[0]);
  }

  /** A NUL-padded char[N] field (NUL-terminated, as str()); the field is already zeros. */
  strAt(base: number, f: Field, s: string): void {
    this.bytesAt(base, f, UTF8_ENCODER.encode(s).subarray(0, f[1] - f[0] - 1));
  }

  /** The bytes written so far, as a fresh array of exactly `pos` bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class Reader {
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, public pos: number, public end: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  static of(buf: Uint8Array): Reader {
    return new Reader(buf, 0, buf.length);
  }

  get left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    return this.buf[this.pos++]!;
  }

  u16(): number {
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Peeks a u16 at pos + off without moving. */
  peek16(off = 0): number {
    return this.view.getUint16(this.pos + off);
  }

  bytes(n: number): Uint8Array {
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  skip(n: number): void {
    this.pos += n;
  }

  /** Reads field `f` of the structure at `base` (which the caller checked fits). */
  u8At(base: number, f: Field): number {
    return this.buf[base + f[0]]!;
  }

  u16At(base: number, f: Field): number {
    return this.view.getUint16(base + f[0]);
  }

  u32At(base: number, f: Field): number {
    return this.view.getUint32(base + f[0]);
  }

  u64At(base: number, f: Field): bigint {
    return this.view.getBigUint64(base + f[0]);
  }

  /** A copy of field `f`'s bytes. */
  bytesAt(base: number, f: Field): Uint8Array {
    return this.buf.slice(base + f[0], base + f[1]);
  }

  /** A NUL-padded char[N] field. */
  strAt(base: number, f: Field): string {
    const raw = this.buf.subarray(base + f[0], base + f[1]);
    const nul = raw.indexOf(0);
    return UTF8_DECODER.decode(nul < 0 ? raw : raw.subarray(0, nul));
  }

  /** A Reader over the next n bytes; this one moves past them. */
  sub(n: number): Reader {
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** A NUL-padded fixed-size string field. */
  str(size: number): string {
    const raw = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    const nul = raw.indexOf(0);
    return UTF8_DECODER.decode(nul < 0 ? raw : raw.subarray(0, nul));
  }
}
