/**
 * Scalar value syntax of ovs-fields(7): integers (decimal or 0x hex), Ethernet addresses
 * (xx:xx:xx:xx:xx:xx), IPv4 dotted quads and IPv6 text (RFC 4291 §2.2, with `::` and an
 * embedded dotted quad). Everything is returned as big-endian bytes of the OXM field's
 * wire length, or undefined when the text is not a value of that kind: callers turn
 * undefined into a ParseError that names the field. Nothing here throws.
 */

/** Decimal or 0x-hex unsigned integer that fits in `bits` bits. */
export function parseUint(text: string, bits: number): bigint | undefined {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) return undefined;
  const v = BigInt(text);
  return v < 1n << BigInt(bits) ? v : undefined;
}

/** An unsigned integer as `bytes` big-endian bytes. */
export function uintBytes(v: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

export function bytesUint(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

export function parseMac(text: string): Uint8Array | undefined {
  const m = /^([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2})$/i.exec(text);
  return m ? Uint8Array.from(m.slice(1).map((h) => parseInt(h, 16))) : undefined;
}

export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

export function parseIPv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-f:.]+$/i.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

/** A mask of `prefix` leading one bits over `bytes` bytes (CIDR /N). */
export function prefixMask(prefix: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let bit = 0; bit < prefix; bit++) out[bit >> 3]! |= 0x80 >> (bit & 7);
  return out;
}

/** The CIDR length of a mask if it is leading ones then zeros, else -1. */
export function maskPrefix(mask: Uint8Array): number {
  let n = 0;
  let seenZero = false;
  for (const b of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >> bit) & 1) { if (seenZero) return -1; n++; } else seenZero = true;
    }
  }
  return n;
}

export const isAllOnes = (m: Uint8Array): boolean => m.every((b) => b === 0xff);
export const isAllZeros = (m: Uint8Array): boolean => m.every((b) => b === 0);

export function formatMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function formatIPv4(b: Uint8Array): string {
  return Array.from(b).join('.');
}

/** RFC 5952 text: lower case, longest run (>= 2) of zero groups compressed to `::`. */
export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}
