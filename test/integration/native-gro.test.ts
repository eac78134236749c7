/**
 * Userspace GRO on output to vnet ports (native/src/tx.c, gro.c), needs root: a burst of
 * plain TCP segments sent through an AF_PACKET port with a virtio-net header must reach
 * the other end of the veth as ONE GSO frame when Linux's GRO would have merged them, and
 * frame by frame, unchanged, when it would not.
 *
 *   [this process] tx: AF_PACKET (vnet) on g0 ── veth ── g1: AF_PACKET (vnet) rx
 *
 * Segments are built here with complete checksums (ports-frames.ts, independent of the
 * addon); what arrives is checked field by field: the virtio_net_hdr (gso type and size,
 * NEEDS_CSUM at the TCP checksum), the IP length and header checksum, the payload bytes in
 * order, and the TCP checksum once completed as a NIC would. Counters count input frames.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { AfPacketPort } from '../../src/ports/afpacket.js';
import { TapPort } from '../../src/ports/tap.js';
import type { FrameBatch } from '../../src/ports/port.js';
import { needs } from '../tools.js';
import { Lab, sh } from './ports-lab.js';
import { be16, be32, ipv4HeaderValid, l4Valid, onesSum, pseudoSum, put16, put32, putIpHeader } from './ports-frames.js';

const need = needs('root', 'native', 'ip', 'sysctl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


interface Seg {
  seq: number;
  payload: number;
  v6?: boolean;
  flags?: number; // default ACK
  sport?: number;
  id?: number;
  badCsum?: boolean;
  vlan?: number;
}

const TS_OPTS = [1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78]; // NOP NOP timestamps, as Linux sends
/** Byte k of the stream (by sequence number), so payloads can be checked after merging. */
const streamByte = (seq: number): number => (seq * 13 + 7) & 0xff;

/** One Ethernet + IPv4/IPv6 + TCP (with timestamps) segment, complete checksums. */
function segment(s: Seg): Uint8Array {
  const l3 = s.vlan === undefined ? 14 : 18;
  const v6 = s.v6 ?? false;
  const l4 = l3 + (v6 ? 40 : 20);
  const thl = 20 + TS_OPTS.length;
  const len = l4 + thl + s.payload;
  const f = new Uint8Array(len);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
  if (s.vlan !== undefined) {
    put16(f, 12, 0x8100);
    put16(f, 14, s.vlan);
  }
  put16(f, l3 - 2, v6 ? 0x86dd : 0x0800);
  putIpHeader(f, l3, len, v6, 6, s.id ?? 0x100);
  put16(f, l4, s.sport ?? 40000);
  put16(f, l4 + 2, 5201);
  put32(f, l4 + 4, s.seq >>> 0);
  put32(f, l4 + 8, 4242);
  f[l4 + 12] = (thl / 4) << 4;
  f[l4 + 13] = s.flags ?? 0x10;
  put16(f, l4 + 14, 501);
  f.set(TS_OPTS, l4 + 20);
  for (let i = 0; i < s.payload; i++) f[l4 + thl + i] = streamByte(s.seq + i);
  put16(f, l4 + 16, ~onesSum(f, l4, len, pseudoSum(f, l3, v6, 6, len - l4)) & 0xffff);
  if (s.badCsum) f[len - 1]! ^= 0x5a; // corrupt the payload, keep the checksum
  return f;
}

/** A batch of frames laid out one after another, without vnet headers. */
function batch(frames: Uint8Array[]): FrameBatch {
  const total = frames.reduce((a, f) => a + f.length, 0);
  const buf = new Uint8Array(total);
  const offs = new Uint32Array(frames.length);
  const lens = new Uint32Array(frames.length);
  let o = 0;
  frames.forEach((f, i) => {
    buf.set(f, o);
    offs[i] = o;
    lens[i] = f.length;
    o += f.length;
  });
  return { buf, offs, lens, count: frames.length, vnet: false };
}

/** The same with a virtio_net_hdr before each frame (flags byte `flags`, the rest zero). */
function prefixed(frames: Uint8Array[], flags: number): FrameBatch {
  const b = batch(frames.map((f) => {
    const g = new Uint8Array(10 + f.length);
    g[0] = flags;
    g[6] = 34; // csum_start, csum_offset: the TCP checksum (only read with NEEDS_CSUM)
    g[8] = 16;
    g.set(f, 10);
    return g;
  }));
  for (let i = 0; i < b.count; i++) {
    b.offs[i]! += 10;
    b.lens[i]! -= 10;
  }
  return { ...b, vnet: true };
}

interface Got {
  vnet: { flags: number; gsoType: number; hdrLen: number; gsoSize: number; csumStart: number; csumOffset: number };
  frame: Uint8Array;
}

/** Our TCP frames arriving on `p` (with their virtio_net_hdr): until `want` came or 2 s
 * passed, then 100 ms more, so that a frame too many shows up too. */
async function collect(p: AfPacketPort, want: number): Promise<Got[]> {
  const got: Got[] = [];
  for (let t = 0, extra = 0; t < 200 && extra < 10; t++) {
    const n = p.rxBurst();
    for (let i = 0; i < n; i++) {
      const o = p.burst.offs[i]!;
      const b = p.burst.buf;
      const frame = b.slice(o, o + p.burst.lens[i]!);
      const l3 = be16(frame, 12) === 0x8100 ? 18 : 14;
      const type = be16(frame, l3 - 2);
      if (!((type === 0x0800 && frame[l3 + 9] === 6) || (type === 0x86dd && frame[l3 + 6] === 6))) continue;
      const u16 = (k: number) => b[o - 10 + k]! | (b[o - 10 + k + 1]! << 8);
      got.push({ vnet: { flags: b[o - 10]!, gsoType: b[o - 9]!, hdrLen: u16(2), gsoSize: u16(4), csumStart: u16(6), csumOffset: u16(8) }, frame });
    }
    if (got.length >= want) extra++;
    if (n <= 0) await sleep(10);
  }
  return got;
}

/** Completes a NEEDS_CSUM checksum as a NIC would: the field holds the pseudo-header sum. */
function completed(g: Got): Uint8Array {
  const f = g.frame.slice();
  const at = g.vnet.csumStart + g.vnet.csumOffset;
  put16(f, at, ~onesSum(f, g.vnet.csumStart, f.length) & 0xffff);
  return f;
}

need.describe('userspace GRO on vnet outputs', () => {
  const lab = new Lab();
  let tx: AfPacketPort;
  let rx: AfPacketPort;

  beforeAll(async () => {
    const [g0, g1] = await lab.pair('g0', 'g1');
    tx = new AfPacketPort(g0, { vnetHdr: true });
    rx = new AfPacketPort(g1, { vnetHdr: true });
    tx.open();
    rx.open();
  });
  afterAll(async () => {
    tx?.close();
    rx?.close();
    await lab.cleanup();
  });
  beforeEach(() => {
    while (rx.rxBurst() > 0);
  });

  const MSS = 1398;
  const SEQ0 = 0xffffe000; // wraps inside the run: seq arithmetic is modulo 2^32

  for (const [name, v6, vlan] of [['IPv4', false, undefined], ['IPv6', true, undefined], ['IPv4 in an 802.1Q tag', false, 0x2064]] as const) {
    need.it(`${name}: a burst of contiguous segments arrives as one GSO frame`, async () => {
      const n = 20;
      const segs = Array.from({ length: n }, (_, i) =>
        segment({ seq: SEQ0 + i * MSS, payload: i === n - 1 ? 500 : MSS, v6, vlan, id: 0xfff0 + i, flags: i === n - 1 ? 0x18 : 0x10 }),
      );
      const before = tx.nativeStats()!;
      expect(tx.txBurst(batch(segs))).toBe(n);
      const after = tx.nativeStats()!;
      expect(after.tx - before.tx).toBe(n); // input frames, not packets on the wire
      expect(after.txGroFrames - before.txGroFrames).toBe(1);
      expect(after.txGroSegments - before.txGroSegments).toBe(n);
      // the input frames as they were, no virtio_net_hdr counted (as ports count rx_bytes)
      expect(after.txBytes - before.txBytes).toBe(segs.reduce((a, f) => a + f.length, 0));

      const got = await collect(rx, 1);
      expect(got.length).toBe(1);
      const g = got[0]!;
      const l3 = vlan === undefined ? 14 : 18;
      const l4 = l3 + (v6 ? 40 : 20);
      const hdrs = l4 + 32;
      const payload = (n - 1) * MSS + 500;
      expect(g.frame.length).toBe(hdrs + payload);
      expect(g.vnet.gsoType & 0x7f).toBe(v6 ? 4 : 1); // VIRTIO_NET_HDR_GSO_TCPV6 / TCPV4
      expect(g.vnet.gsoSize).toBe(MSS);
      expect(g.vnet.flags & 1).toBe(1); // NEEDS_CSUM
      expect(g.vnet.csumStart).toBe(l4);
      expect(g.vnet.csumOffset).toBe(16);
      // headers: the first segment's, with the length of the whole
      expect([...g.frame.subarray(0, l3)]).toEqual([...segs[0]!.subarray(0, l3)]);
      if (v6) expect(be16(g.frame, l3 + 4)).toBe(hdrs - l4 + payload);
      else {
        expect(be16(g.frame, l3 + 2)).toBe(hdrs - l3 + payload);
        expect(be16(g.frame, l3 + 4)).toBe(0xfff0);
        expect(ipv4HeaderValid(g.frame, l3)).toBe(true);
      }
      expect(be32(g.frame, l4 + 4)).toBe(SEQ0);
      expect(g.frame[l4 + 13]).toBe(0x18); // PSH from the last segment
      expect([...g.frame.subarray(l4 + 20, hdrs)]).toEqual(TS_OPTS);
      // the checksum field holds the pseudo-header sum of the whole (partial, not complemented)
      expect(be16(g.frame, l4 + 16)).toBe(pseudoSum(g.frame, l3, v6, 6, hdrs - l4 + payload));
      expect(l4Valid(completed(g), l3, v6, 6)).toBe(true);
      for (let k = 0; k < payload; k++) if (g.frame[hdrs + k] !== streamByte(SEQ0 + k)) expect.fail(`payload byte ${k}`);
    });
  }

  need.it('stops at 64 KiB of IP packet and starts the next super-frame', async () => {
    const n = 60; // 60 * 1398 > 65535
    const segs = Array.from({ length: n }, (_, i) => segment({ seq: 1000 + i * MSS, payload: MSS, id: i }));
    const before = tx.nativeStats()!;
    expect(tx.txBurst(batch(segs))).toBe(n);
    expect(tx.nativeStats()!.txGroFrames - before.txGroFrames).toBe(2);
    const got = await collect(rx, 2);
    expect(got.length).toBe(2);
    const ipLen = (g: Got) => be16(g.frame, 16);
    expect(ipLen(got[0]!)).toBeLessThanOrEqual(65535);
    expect(ipLen(got[0]!) + ipLen(got[1]!) - 2 * 52).toBe(n * MSS);
    expect(be32(got[1]!.frame, 38)).toBe(1000 + (((ipLen(got[0]!) - 52) / MSS) | 0) * MSS);
  });

  /** Sends the frames; returns what arrived as [segments in it (1 = plain), the frame]. */
  async function shapes(frames: Uint8Array[], want: number): Promise<[number, Got][]> {
    expect(tx.txBurst(batch(frames))).toBe(frames.length);
    const got = await collect(rx, want);
    return got.map((g) => {
      if (g.vnet.gsoType === 0) return [1, g];
      const l3 = 14;
      const l4 = l3 + (g.frame[l3]! >> 4 === 6 ? 40 : 20);
      return [Math.ceil((g.frame.length - l4 - 32) / g.vnet.gsoSize), g];
    });
  }

  need.it('does not merge across a gap in the sequence', async () => {
    const segs = [0, 1, 3, 4].map((i) => segment({ seq: i * MSS, payload: MSS, id: i }));
    const got = await shapes(segs, 2);
    expect(got.map(([k]) => k)).toEqual([2, 2]);
    expect(be32(got[1]![1].frame, 38)).toBe(3 * MSS);
  });

  need.it('does not merge segments of different flows (interleaved)', async () => {
    const segs = [0, 1, 2, 3].map((i) => segment({ seq: (i >> 1) * MSS, payload: MSS, sport: i & 1 ? 40001 : 40000, id: i }));
    const got = await shapes(segs, 4);
    expect(got.map(([k]) => k)).toEqual([1, 1, 1, 1]);
    got.forEach(([, g], i) => expect([...g.frame]).toEqual([...segs[i]!]));
  });

  need.it('sends a segment with a bad TCP checksum as it came, and merges around it', async () => {
    const segs = [0, 1, 2, 3].map((i) => segment({ seq: i * MSS, payload: MSS, id: i, badCsum: i === 1 }));
    const got = await shapes(segs, 3);
    expect(got.map(([k]) => k)).toEqual([1, 1, 2]);
    expect([...got[0]![1].frame]).toEqual([...segs[0]!]);
    expect([...got[1]![1].frame]).toEqual([...segs[1]!]); // unchanged: the receiver drops it as before
    expect(be32(got[2]![1].frame, 38)).toBe(2 * MSS);
  });

  need.it('ends a super-frame at PSH and at a short segment', async () => {
    const segs = [
      segment({ seq: 0, payload: MSS, id: 0 }),
      segment({ seq: MSS, payload: MSS, id: 1, flags: 0x18 }), // PSH: last of its run
      segment({ seq: 2 * MSS, payload: MSS, id: 2 }),
      segment({ seq: 3 * MSS, payload: 100, id: 3 }), // short: last of its run
      segment({ seq: 3 * MSS + 100, payload: MSS, id: 4 }),
    ];
    const got = await shapes(segs, 3);
    expect(got.map(([k]) => k)).toEqual([2, 2, 1]);
    expect(got[0]![1].frame[47]).toBe(0x18);
    expect(got[1]![1].frame[47]).toBe(0x10);
    expect([...got[2]![1].frame]).toEqual([...segs[4]!]);
  });

  need.it('leaves SYN/FIN/RST segments, pure ACKs and other IPv4 id patterns alone', async () => {
    const segs = [
      segment({ seq: 0, payload: MSS, id: 7, flags: 0x11 }), // FIN|ACK
      segment({ seq: MSS, payload: MSS, id: 8 }),
      segment({ seq: 2 * MSS, payload: MSS, id: 20 }), // id jumps: not a GRO pattern
      segment({ seq: 3 * MSS, payload: 0, id: 21 }), // no payload
    ];
    const got = await shapes(segs, 4);
    expect(got.map(([k]) => k)).toEqual([1, 1, 1, 1]);
    got.forEach(([, g], i) => expect([...g.frame]).toEqual([...segs[i]!]));
  });

  need.it('merges frames whose virtio_net_hdr says nothing, not those with a partial checksum', async () => {
    const segs = [0, 1, 2].map((i) => segment({ seq: i * MSS, payload: MSS, id: i }));
    expect(tx.txBurst(prefixed(segs, 2))).toBe(3); // DATA_VALID only
    expect((await collect(rx, 1)).map((g) => g.vnet.gsoType)).toEqual([1]);
    const before = tx.nativeStats()!.txGroFrames;
    expect(tx.txBurst(prefixed(segs, 1))).toBe(3); // NEEDS_CSUM: sent as they are
    expect((await collect(rx, 3)).map((g) => g.vnet.gsoType)).toEqual([0, 0, 0]);
    expect(tx.nativeStats()!.txGroFrames).toBe(before);
  });

  need.it('a TAP with IFF_VNET_HDR gets the burst as one GSO frame too', async () => {
    const name = lab.name('t0');
    const tap = new TapPort(name, { vnetHdr: true });
    tap.open();
    await sh(`sysctl -qw net.ipv6.conf.${name}.disable_ipv6=1`);
    const seen = new AfPacketPort(name, { vnetHdr: true }); // the frames the TAP writes arrive on its netdev
    seen.open();
    try {
      const segs = Array.from({ length: 8 }, (_, i) => segment({ seq: i * MSS, payload: MSS, id: i }));
      expect(tap.txBurst(batch(segs))).toBe(8);
      expect(tap.nativeStats()!.txGroSegments).toBe(8);
      const got = await collect(seen, 1);
      expect(got.length).toBe(1);
      expect(got[0]!.frame.length).toBe(66 + 8 * MSS);
      expect(got[0]!.vnet.gsoSize).toBe(MSS);
      expect(l4Valid(completed(got[0]!), 14, false, 6)).toBe(true);
    } finally {
      seen.close();
      tap.close();
    }
  });

  need.it('merges segments with a fixed IPv4 id (DF set), as Linux GRO does', async () => {
    const segs = [0, 1, 2].map((i) => segment({ seq: i * MSS, payload: MSS, id: 0 }));
    const got = await shapes(segs, 1);
    expect(got.map(([k]) => k)).toEqual([3]);
  });
});
