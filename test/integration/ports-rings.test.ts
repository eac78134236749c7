/**
 * Small AF_PACKET receive rings (needs root): 2 KiB slots, one MTU frame each, and frames
 * larger than a slot — GSO super-frames with the virtio-net header — received whole
 * through the socket queue into the spill area after the ring (native/src/afpacket.c,
 * rx.c). The way a Mininet user meets it: ports with a 256 KiB ring (the Mininet default,
 * 128 slots; it used to hold 2 frames of 128 KiB):
 *  - TCP with the hosts' default offloads (TSO on) crosses a forwarding loop intact (a
 *    sha256 of the stream at both ends) and fast, its super-frames through the copy path;
 *  - super-frames arrive whole, with their GSO header, and in order with small frames;
 *    a burst of more super-frames than the spill holds is spread over several rxBursts;
 *  - 120 MTU frames sent at once into a ring nobody reads are all kept;
 *  - ping works;
 *  - a link that goes down with super-frames queued loses none of them, then reports ENETDOWN.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { AfPacketPort, ringGeometry } from '../../src/ports/afpacket.js';
import type { FrameBatch } from '../../src/ports/port.js';
import { needs } from '../tools.js';
import { Lab, forward, iperf, ping, sh } from './ports-lab.js';
import { be16, buildOffloadFrame } from './ports-frames.js';

const need = needs('root', 'native', 'ethtool', 'ip', 'iperf3', 'ping', 'sysctl', 'python3');
const SCRIPT = fileURLToPath(new URL('./tcp_sha256.py', import.meta.url));
const RING = ringGeometry(256 << 10); // 2 blocks of 128 KiB: 128 slots
const VNET = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A batch of frames, each preceded by its virtio_net_hdr (VNET bytes), from buildOffloadFrame. */
function batchOf(frames: { buf: Uint8Array; off: number; len: number }[]): FrameBatch {
  const total = frames.reduce((s, f) => s + f.buf.length, 0);
  const buf = new Uint8Array(total);
  const offs = new Uint32Array(frames.length);
  const lens = new Uint32Array(frames.length);
  let at = 0;
  frames.forEach((f, i) => {
    buf.set(f.buf, at);
    offs[i] = at + f.off;
    lens[i] = f.len;
    at += f.buf.length;
  });
  return { buf, offs, lens, count: frames.length, vnet: true };
}

/** Our test frames (IPv4 TCP from port 40000), with each rxBurst's count, until `want` arrived or 3 s passed. */
async function collect(p: AfPacketPort, want: number): Promise<{ frames: Uint8Array[]; vnets: Uint8Array[]; bursts: number[] }> {
  const frames: Uint8Array[] = [];
  const vnets: Uint8Array[] = [];
  const bursts: number[] = [];
  for (let t = 0; t < 300 && frames.length < want; t++) {
    const n = p.rxBurst();
    let mine = 0;
    for (let i = 0; i < n; i++) {
      const off = p.burst.offs[i]!;
      const f = p.burst.buf.slice(off, off + p.burst.lens[i]!);
      if (be16(f, 12) !== 0x0800 || f[23] !== 6 || be16(f, 34) !== 40000) continue;
      frames.push(f);
      vnets.push(p.burst.buf.slice(off - VNET, off));
      mine++;
    }
    if (mine) bursts.push(mine);
    if (n <= 0) await sleep(10);
  }
  return { frames, vnets, bursts };
}

need.describe('AF_PACKET rings of 2 KiB slots, with the copy path for larger frames', () => {
  const lab = new Lab();
  let A = '';
  let B = '';
  let g0 = '';
  let g1 = '';

  beforeAll(async () => {
    A = await lab.netns('A');
    B = await lab.netns('B');
    await lab.veth(A, 'a0', lab.name('a1'), '10.79.0.1/24');
    await lab.veth(B, 'b0', lab.name('b1'), '10.79.0.2/24');
    [g0, g1] = await lab.pair('g0', 'g1');
  });
  afterAll(async () => {
    await lab.cleanup();
  });

  it('a 256 KiB ring has 128 slots of 2 KiB, and a spill area after them', () => {
    const p = new AfPacketPort(g1, RING);
    p.open();
    try {
      const info = p.info()!;
      expect(info.frameSize).toBe(2048);
      expect(info.frameCount).toBe(128);
      expect(info.bufferBytes).toBe((256 << 10) + info.spillBytes);
      expect(info.spillBytes).toBeGreaterThanOrEqual(4 * 65_536);
    } finally {
      p.close();
    }
  });

  it('carries TCP with offloads on intact and fast: super-frames through the copy path', async () => {
    expect(await sh(`ip netns exec ${A} ethtool -k a0`)).toMatch(/tcp-segmentation-offload: on/);
    const p1 = new AfPacketPort(lab.name('a1'), RING);
    const p2 = new AfPacketPort(lab.name('b1'), RING);
    p1.open();
    p2.open();
    const stop = forward(p1, p2);
    try {
      expect((await ping(A, '10.79.0.2', 3)).ok).toBe(true);
      const bytes = 32 << 20;
      const recv = sh(`ip netns exec ${B} timeout 60 python3 ${SCRIPT} recv 10.79.0.2 5598`, 65_000);
      await sleep(300);
      const sent = (await sh(`ip netns exec ${A} timeout 60 python3 ${SCRIPT} send 10.79.0.2 5598 ${bytes}`, 65_000)).trim();
      expect((await recv).trim()).toBe(sent);
      const gbps = await iperf(A, B, '10.79.0.2', 2);
      const s1 = p1.nativeStats()!;
      console.log(`TCP through two 256 KiB rings: ${gbps.toFixed(2)} Gbit/s; a1 rxCopied ${s1.rxCopied}, rx ${s1.rx}, rxDropped ${s1.rxDropped}`);
      expect(gbps).toBeGreaterThan(0.5);
      expect(s1.rxCopied).toBeGreaterThan(0); // super-frames did take the copy path
      expect(s1.rxTruncated).toBe(0);
    } finally {
      stop();
      p1.close();
      p2.close();
    }
  }, 90_000);

  describe('frame by frame', () => {
    let tx: AfPacketPort;
    let rx: AfPacketPort;
    beforeAll(() => {
      tx = new AfPacketPort(g0, { vnetHdr: true });
      rx = new AfPacketPort(g1, { vnetHdr: true, ...RING });
      tx.open();
      rx.open();
    });
    afterAll(() => {
      tx?.close();
      rx?.close();
    });

    it('hands super-frames on whole, with their GSO header, in order with small frames', async () => {
      while (rx.rxBurst() > 0);
      const before = rx.nativeStats()!.rxCopied;
      const payloads = [100, 30_000, 200, 40_000, 300];
      const sent = payloads.map((payload) => buildOffloadFrame({ v6: false, proto: 6, payload, mss: payload > 1448 ? 1448 : 0 }));
      expect(tx.txBurst(batchOf(sent))).toBe(payloads.length);
      const got = await collect(rx, payloads.length);
      expect(got.frames.map((f) => f.length)).toEqual(sent.map((f) => f.len));
      got.frames.forEach((f, i) => {
        const want = sent[i]!.buf.subarray(sent[i]!.off, sent[i]!.off + sent[i]!.len);
        for (let k = 54; k < f.length; k += 61) expect(f[k]).toBe(want[k]); // payload bytes
        if (payloads[i]! > 1448) {
          expect(got.vnets[i]![1]).toBe(1); // gso_type TCPV4
          expect(got.vnets[i]![4]! | (got.vnets[i]![5]! << 8)).toBe(1448); // gso_size
        }
      });
      expect(rx.nativeStats()!.rxCopied - before).toBe(2);
      expect(rx.nativeStats()!.rxTruncated).toBe(0);
    });

    it('spreads more super-frames than the spill holds over several bursts, losing none', async () => {
      while (rx.rxBurst() > 0);
      const before = rx.nativeStats()!.rxCopied;
      const payloads = Array.from({ length: 10 }, (_, i) => 60_000 - i);
      const sent = payloads.map((payload) => buildOffloadFrame({ v6: false, proto: 6, payload, mss: 1448 }));
      let accepted = 0;
      for (let k = 0; k < 10 && accepted < sent.length; k++) accepted += Math.max(0, tx.txBurst(batchOf(sent.slice(accepted))));
      expect(accepted).toBe(sent.length);
      await sleep(50); // all in the ring and on the socket queue before the first rxBurst
      const got = await collect(rx, payloads.length);
      expect(got.frames.map((f) => f.length)).toEqual(sent.map((f) => f.len));
      expect(Math.max(...got.bursts)).toBeLessThanOrEqual(4); // the spill holds 4 of them per burst
      expect(got.bursts.length).toBeGreaterThanOrEqual(3);
      expect(rx.nativeStats()!.rxCopied - before).toBe(10);
    });

    it('a link that goes down with super-frames queued: every frame in order, then ENETDOWN', async () => {
      // The kernel sets ENETDOWN on the socket; recvmsg returns a pending error before the
      // queued frame, so the copy path must keep both: the frame in its place, the error
      // for when the ring is empty (as the poll would have reported it).
      const [k0, k1] = await lab.pair('k0', 'k1');
      const ktx = new AfPacketPort(k0, { vnetHdr: true });
      const krx = new AfPacketPort(k1, { vnetHdr: true, ...RING });
      ktx.open();
      krx.open();
      try {
        const payloads = [100, 30_000, 200, 40_000];
        const sent = payloads.map((payload) => buildOffloadFrame({ v6: false, proto: 6, payload, mss: payload > 1448 ? 1448 : 0 }));
        expect(ktx.txBurst(batchOf(sent))).toBe(payloads.length);
        await sleep(50);
        await sh(`ip link set ${k1} down`);
        const lens: number[] = [];
        let last = 0;
        for (let k = 0; k < 20; k++) {
          last = krx.rxBurst();
          if (last < 0) break;
          for (let i = 0; i < last; i++) {
            const off = krx.burst.offs[i]!;
            const f = krx.burst.buf.subarray(off, off + krx.burst.lens[i]!);
            if (be16(f, 12) === 0x0800 && f[23] === 6 && be16(f, 34) === 40000) lens.push(f.length);
          }
        }
        expect(lens).toEqual(sent.map((f) => f.len));
        expect(last).toBe(-100); // -ENETDOWN
      } finally {
        ktx.close();
        krx.close();
      }
    });

    it('keeps 120 MTU frames sent at once (the old 256 KiB ring held 2)', async () => {
      while (rx.rxBurst() > 0);
      const dropsBefore = rx.stats().rxDropped;
      const frames = Array.from({ length: 120 }, () => buildOffloadFrame({ v6: false, proto: 6, payload: 1460, mss: 0 }));
      let accepted = 0;
      for (let k = 0; k < 10 && accepted < frames.length; k++) accepted += Math.max(0, tx.txBurst(batchOf(frames.slice(accepted))));
      expect(accepted).toBe(frames.length);
      await sleep(50); // nobody reads meanwhile: the ring alone holds them
      const got = await collect(rx, frames.length);
      expect(got.frames.length).toBe(120);
      expect(got.frames.every((f) => f.length === 1514)).toBe(true);
      expect(rx.stats().rxDropped - dropsBefore).toBe(0);
    });
  });
});
