/**
 * AF_PACKET ports end to end (needs root): ns A ── veth ── [this process] ── veth ── ns B,
 * with a tiny JS forwarding loop between the two ports (no pipeline). Proves ping over
 * TPACKET_V2 and V3, TCP with the hosts' default offloads ON (GSO super-frames and partial
 * checksums carried by the virtio-net header), the software segmentation fallback (exact
 * headers checked against an independent implementation), and that a port whose
 * interface disappears goes down without throwing.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { AfPacketPort } from '../../src/ports/afpacket.js';
import { needs } from '../tools.js';
import type { FrameBatch } from '../../src/ports/port.js';
import { Lab, forward, iperf, ping, sh } from './ports-lab.js';
import { be16, be32, buildOffloadFrame, ipv4HeaderValid, l4Valid, type GsoSpec } from './ports-frames.js';

const need = needs('root', 'native', 'ethtool', 'ip', 'iperf3', 'ping', 'sysctl');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function batchOf(buf: Uint8Array, off: number, len: number, vnet: boolean): FrameBatch {
  return { buf, offs: Uint32Array.of(off), lens: Uint32Array.of(len), count: 1, vnet };
}

/** Collects copies of frames matching `keep` until `want` arrived or 2 s passed. */
async function collect(p: AfPacketPort, want: number, keep: (f: Uint8Array) => boolean): Promise<Uint8Array[]> {
  const got: Uint8Array[] = [];
  for (let t = 0; t < 200 && got.length < want; t++) {
    const n = p.rxBurst();
    for (let i = 0; i < n; i++) {
      const f = p.burst.buf.slice(p.burst.offs[i], p.burst.offs[i]! + p.burst.lens[i]!);
      if (keep(f)) got.push(f);
    }
    if (n <= 0) await sleep(10);
  }
  return got;
}

need.describe('AF_PACKET ports', () => {
  const lab = new Lab();
  let A = '';
  let B = '';

  beforeAll(async () => {
    A = await lab.netns('A');
    B = await lab.netns('B');
    await lab.veth(A, 'a0', lab.name('a1'), '10.77.0.1/24');
    await lab.veth(B, 'b0', lab.name('b1'), '10.77.0.2/24');
  });
  afterAll(async () => {
    await lab.cleanup();
  });

  for (const ringVersion of [2, 3] as const) {
    it(`forwards ping between namespaces over TPACKET_V${ringVersion}`, async () => {
      const p1 = new AfPacketPort(lab.name('a1'), { ringVersion });
      const p2 = new AfPacketPort(lab.name('b1'), { ringVersion });
      p1.open();
      p2.open();
      const stop = forward(p1, p2);
      try {
        expect(p1.linkUp()).toBe(true);
        expect(p1.info()?.ringVersion).toBe(ringVersion);
        const r = await ping(A, '10.77.0.2', 3);
        console.log(`ping over TPACKET_V${ringVersion} loop: avg ${r.avgMs} ms`);
        expect(r.ok).toBe(true);
        expect(p1.stats().rxPackets).toBeGreaterThanOrEqual(3);
        expect(p2.stats().txPackets).toBeGreaterThanOrEqual(3);
      } finally {
        stop();
        p1.close();
        p2.close();
      }
    });
  }

  it('carries TCP with default offloads on (virtio-net header passes GSO through)', async () => {
    // The hosts keep their defaults: checksum offload and TSO on.
    expect(await sh(`ip netns exec ${A} ethtool -k a0`)).toMatch(/tx-checksumming: on/);
    const p1 = new AfPacketPort(lab.name('a1'));
    const p2 = new AfPacketPort(lab.name('b1'));
    p1.open();
    p2.open();
    const stop = forward(p1, p2);
    try {
      const gbps = await iperf(A, B, '10.77.0.2', 2);
      console.log(`TCP through the AF_PACKET loop (V2, vnet hdr): ${gbps.toFixed(2)} Gbit/s`);
      expect(gbps).toBeGreaterThan(0.05);
      expect(p1.stats().rxDropped).toBeGreaterThanOrEqual(0);
    } finally {
      stop();
      p1.close();
      p2.close();
    }
  }, 40_000);

  it('segments in software when the output port has no virtio-net header', async () => {
    // B's own frames must be complete (a port without the header cannot learn where a
    // partial checksum starts), so only B turns checksum offload off; A keeps TSO on and
    // its super-frames are split by the addon on the way to B.
    await sh(`ip netns exec ${B} ethtool -K b0 tx off`);
    const p1 = new AfPacketPort(lab.name('a1'), { vnetHdr: true });
    const p2 = new AfPacketPort(lab.name('b1'), { vnetHdr: false });
    p1.open();
    p2.open();
    const stop = forward(p1, p2);
    try {
      const gbps = await iperf(A, B, '10.77.0.2', 2);
      console.log(`TCP vnet → plain (software GSO): ${gbps.toFixed(2)} Gbit/s`);
      expect(gbps).toBeGreaterThan(0.05);
      expect(p2.nativeStats()?.txSegmented).toBeGreaterThan(0);
    } finally {
      stop();
      p1.close();
      p2.close();
      await sh(`ip netns exec ${B} ethtool -K b0 tx on`);
    }
  }, 40_000);

  describe('software offload, frame by frame', () => {
    let tx: AfPacketPort;
    let rx: AfPacketPort;
    beforeAll(async () => {
      const [g0, g1] = await lab.pair('g0', 'g1');
      tx = new AfPacketPort(g0, { vnetHdr: false });
      rx = new AfPacketPort(g1, { vnetHdr: false });
      tx.open();
      rx.open();
    });
    afterAll(() => {
      tx?.close();
      rx?.close();
    });

    const cases: [string, GsoSpec, number][] = [
      ['TCP/IPv4 GSO, FIN on the last segment', { v6: false, proto: 6, payload: 3000, mss: 1000, tcpFlags: 0x19 }, 3],
      ['TCP/IPv4 GSO, short last segment', { v6: false, proto: 6, payload: 2500, mss: 1448 }, 2],
      ['TCP/IPv6 GSO', { v6: true, proto: 6, payload: 4000, mss: 1220 }, 4],
      ['UDP/IPv4 USO', { v6: false, proto: 17, payload: 3000, mss: 1400 }, 3],
      ['UDP/IPv6 partial checksum only', { v6: true, proto: 17, payload: 333, mss: 0 }, 1],
      ['TCP/IPv4 partial checksum only', { v6: false, proto: 6, payload: 99, mss: 0 }, 1],
    ];
    for (const [name, spec, segments] of cases) {
      it(name, async () => {
        const { buf, off, len } = buildOffloadFrame(spec);
        rx.rxBurst(); // release anything earlier
        while (rx.rxBurst() > 0);
        expect(tx.txBurst(batchOf(buf, off, len, true))).toBe(1);
        const proto = spec.proto;
        const got = await collect(rx, segments, (f) => be16(f, 12) === (spec.v6 ? 0x86dd : 0x0800) && f[spec.v6 ? 20 : 23] === proto);
        expect(got.length).toBe(segments);
        const l3 = 14;
        const l4 = l3 + (spec.v6 ? 40 : 20);
        const thl = proto === 6 ? 20 : 8;
        const mss = spec.mss || spec.payload;
        let payloadSeen = 0;
        got.forEach((f, i) => {
          const chunk = Math.min(mss, spec.payload - i * mss);
          expect(f.length).toBe(l4 + thl + chunk);
          if (spec.v6) expect(be16(f, l3 + 4)).toBe(thl + chunk);
          else {
            expect(be16(f, l3 + 2)).toBe(20 + thl + chunk);
            expect(be16(f, l3 + 4)).toBe(0x1234 + i);
            expect(ipv4HeaderValid(f, l3)).toBe(true);
          }
          expect(l4Valid(f, l3, spec.v6, proto)).toBe(true);
          if (proto === 6) {
            expect(be32(f, l4 + 4)).toBe((0xfffff000 + i * mss) >>> 0);
            const last = i === segments - 1;
            const flags = f[l4 + 13]!;
            expect((flags & 0x08) !== 0).toBe(last ? ((spec.tcpFlags ?? 0x18) & 0x08) !== 0 : false);
            expect((flags & 0x01) !== 0).toBe(last ? ((spec.tcpFlags ?? 0x18) & 0x01) !== 0 : false);
          } else {
            expect(be16(f, l4 + 4)).toBe(8 + chunk);
          }
          for (let k = 0; k < chunk; k += 97) expect(f[l4 + thl + k]).toBe(((payloadSeen + k) * 7 + 3) & 0xff);
          payloadSeen += chunk;
        });
        expect(payloadSeen).toBe(spec.payload);
      });
    }

    it('puts VLAN tags the kernel moved into metadata back into the frame', async () => {
      const rxv = new AfPacketPort(lab.name('g1'), { vnetHdr: true });
      const txv = new AfPacketPort(lab.name('g0'), { vnetHdr: true });
      rxv.open();
      txv.open();
      try {
        // QinQ: 802.1ad outer tag 0x88a8/0x0064, 802.1Q inner 0x8100/0x2005, then the TCP frame.
        const inner = buildOffloadFrame({ v6: false, proto: 6, payload: 100, mss: 0 });
        const f = inner.buf.subarray(inner.off, inner.off + inner.len);
        const tagged = new Uint8Array(10 + f.length + 8);
        const t = tagged.subarray(10);
        t.set(f.subarray(0, 12));
        t.set([0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x20, 0x05], 12);
        t.set(f.subarray(12), 20);
        tagged.set(inner.buf.subarray(0, 10)); // vnet hdr: NEEDS_CSUM, csum_start 34 -> 42
        tagged[6] = 42;
        while (rx.rxBurst() > 0);
        while (rxv.rxBurst() > 0);
        expect(txv.txBurst(batchOf(tagged, 10, f.length + 8, true))).toBe(1);
        const isOurs = (g: Uint8Array) => be16(g, 12) === 0x88a8;
        const plain = await collect(rx, 1, isOurs);
        expect(plain.length).toBe(1);
        expect(plain[0]!.length).toBe(f.length + 8);
        expect([...plain[0]!.subarray(12, 20)]).toEqual([0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x20, 0x05]);
        expect([...plain[0]!.subarray(20)]).toEqual([...f.subarray(12)]);
        // With the header on, the frame still arrives tagged and csum_start still points at TCP.
        let hdrStart = -1;
        for (let i = 0; i < 200 && hdrStart < 0; i++) {
          const n = rxv.rxBurst();
          for (let k = 0; k < n; k++) {
            const o = rxv.burst.offs[k]!;
            if (be16(rxv.burst.buf, o + 12) === 0x88a8) hdrStart = rxv.burst.buf[o - 10 + 6]! | (rxv.burst.buf[o - 10 + 7]! << 8);
          }
          if (n <= 0) await sleep(10);
        }
        expect(hdrStart).toBe(42);
      } finally {
        rxv.close();
        txv.close();
      }
    });

    it('rejects out-of-bounds batches as errors, not crashes', () => {
      const buf = new Uint8Array(100);
      const bad: FrameBatch = { buf, offs: Uint32Array.of(90, 0), lens: Uint32Array.of(50, 0), count: 2, vnet: false };
      expect(tx.txBurst(bad)).toBe(0);
      expect(tx.stats().txErrors).toBeGreaterThanOrEqual(2);
    });
  });

  it('names a missing interface in the error', () => {
    expect(() => new AfPacketPort('veth9').open()).toThrow('no interface veth9 in this namespace');
  });

  it('a port whose interface is deleted goes down without throwing', async () => {
    const d0 = lab.name('d0');
    await sh(`ip link add ${d0} type veth peer name ${lab.name('d1')} && ip link set ${d0} up && ip link set ${lab.name('d1')} up`);
    const p = new AfPacketPort(d0);
    p.open();
    let wakes = 0;
    p.onReadable(() => {
      wakes++;
      while (p.rxBurst() > 0);
    });
    expect(p.linkUp()).toBe(true);
    await sh(`ip link del ${d0}`);
    for (let t = 0; t < 100 && wakes === 0; t++) await sleep(10);
    expect(p.linkUp()).toBe(false);
    expect(p.failure).toBe(-100); // ENETDOWN, reported through the readable callback
    expect(() => p.rxBurst()).not.toThrow();
    expect(p.rxBurst()).toBeLessThanOrEqual(0);
    const frame = new Uint8Array(64).fill(0xff);
    const sent = p.txBurst(batchOf(frame, 0, 60, false));
    expect(sent).toBeLessThan(1);
    expect(() => p.stats()).not.toThrow();
    p.close();
    expect(p.txBurst(batchOf(frame, 0, 60, false))).toBeLessThan(0);
  });
});
