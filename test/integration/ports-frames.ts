/**
 * Frame builders and independent checksum checks for the segmentation tests: written
 * from RFC 791/793/768/8200 directly, sharing no code with native/src/offload.c, so the
 * test does not grade the addon against itself.
 */
import { VNET_HDR_LEN, writeVnetHdr, VNET_F_NEEDS_CSUM } from '../../src/ports/vnet.js';

export const be16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
export const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
export const put16 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
};
export const put32 = (b: Uint8Array, o: number, v: number): void => {
  put16(b, o, v >>> 16);
  put16(b, o + 2, v & 0xffff);
};

export function onesSum(b: Uint8Array, from: number, to: number, acc = 0): number {
  for (let i = from; i < to; i += 2) acc += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

/** Pseudo-header sum (RFC 793 §3.1 / RFC 8200 §8.1) for an L4 segment of `l4len` bytes. */
export function pseudoSum(f: Uint8Array, l3: number, v6: boolean, proto: number, l4len: number): number {
  const s = v6 ? onesSum(f, l3 + 8, l3 + 40) : onesSum(f, l3 + 12, l3 + 20);
  return onesSum(new Uint8Array([0, proto, (l4len >>> 8) & 0xff, l4len & 0xff]), 0, 4, s);
}

/** A checksum is valid when the sum over everything it covers folds to 0xffff. */
export const ipv4HeaderValid = (f: Uint8Array, l3: number): boolean => onesSum(f, l3, l3 + (f[l3]! & 15) * 4) === 0xffff;
export function l4Valid(f: Uint8Array, l3: number, v6: boolean, proto: number): boolean {
  const l4 = v6 ? l3 + 40 : l3 + (f[l3]! & 15) * 4;
  const end = v6 ? l3 + 40 + be16(f, l3 + 4) : l3 + be16(f, l3 + 2);
  return onesSum(f, l4, end, pseudoSum(f, l3, v6, proto, end - l4)) === 0xffff;
}

export interface GsoSpec {
  v6: boolean;
  proto: 6 | 17;
  payload: number;
  mss: number; // 0: not GSO, checksum only
  tcpFlags?: number;
}

/** The IPv6 header (fd00::1 → fd00::2) or IPv4 header (10.9.0.1 → 10.9.0.2, DF, `id`,
 * header checksum) at f[l3] of a frame of `len` bytes carrying `proto`; TTL/hop limit 64. */
export function putIpHeader(f: Uint8Array, l3: number, len: number, v6: boolean, proto: number, id: number): void {
  if (v6) {
    put32(f, l3, 0x60000000);
    put16(f, l3 + 4, len - l3 - 40);
    f[l3 + 6] = proto;
    f[l3 + 7] = 64;
    f.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], l3 + 8);
    f.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], l3 + 24);
    return;
  }
  f[l3] = 0x45;
  put16(f, l3 + 2, len - l3);
  put16(f, l3 + 4, id);
  put16(f, l3 + 6, 0x4000); // DF
  f[l3 + 8] = 64;
  f[l3 + 9] = proto;
  f.set([10, 9, 0, 1, 10, 9, 0, 2], l3 + 12);
  put16(f, l3 + 10, ~onesSum(f, l3, l3 + 20) & 0xffff);
}

/**
 * Builds one frame with a virtio_net_hdr in front (at VNET_HDR_LEN), as a kernel would hand
 * it over: NEEDS_CSUM with the pseudo-header sum seeded in the L4 checksum field, and the
 * GSO type/size when mss > 0. Returns the buffer and the frame's offset.
 */
export function buildOffloadFrame(s: GsoSpec): { buf: Uint8Array; off: number; len: number } {
  const l3 = 14;
  const l4 = l3 + (s.v6 ? 40 : 20);
  const thl = s.proto === 6 ? 20 : 8;
  const len = l4 + thl + s.payload;
  const buf = new Uint8Array(VNET_HDR_LEN + len);
  const f = buf.subarray(VNET_HDR_LEN);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
  put16(f, 12, s.v6 ? 0x86dd : 0x0800);
  putIpHeader(f, l3, len, s.v6, s.proto, 0x1234);
  put16(f, l4, 40000);
  put16(f, l4 + 2, 5001);
  let at: number;
  if (s.proto === 6) {
    put32(f, l4 + 4, 0xfffff000); // seq close to wrapping, to check modular arithmetic
    put32(f, l4 + 8, 77);
    f[l4 + 12] = 5 << 4;
    f[l4 + 13] = s.tcpFlags ?? 0x18;
    put16(f, l4 + 14, 512);
    at = l4 + 16;
  } else {
    put16(f, l4 + 4, thl + s.payload);
    at = l4 + 6;
  }
  for (let i = 0; i < s.payload; i++) f[l4 + thl + i] = (i * 7 + 3) & 0xff;
  put16(f, at, pseudoSum(f, l3, s.v6, s.proto, len - l4)); // partial: pseudo-header only
  const gsoType = s.mss === 0 ? 0 : s.proto === 17 ? 5 : s.v6 ? 4 : 1;
  writeVnetHdr(buf, VNET_HDR_LEN, {
    flags: VNET_F_NEEDS_CSUM,
    gsoType,
    hdrLen: l4 + thl,
    gsoSize: s.mss,
    csumStart: l4,
    csumOffset: at - l4,
  });
  return { buf, off: VNET_HDR_LEN, len };
}
