/**
 * Memory ports (no root, no addon): the same contract as the native ports — bursts are
 * views valid until the next rxBurst, full queues drop and count, errors are values —
 * plus the virtio_net_hdr helpers.
 */
import { describe, it, expect } from 'vitest';
import { MemoryPort } from '../../src/ports/memory.js';
import type { FrameBatch } from '../../src/ports/port.js';
import {
  VNET_HDR_LEN,
  VNET_F_NEEDS_CSUM,
  VNET_GSO_TCPV4,
  VNET_GSO_ECN,
  writeVnetHdr,
  vnetGsoType,
  vnetGsoSize,
  vnetCsumStart,
  vnetCsumOffset,
  vnetNeedsCsum,
  vnetShift,
} from '../../src/ports/vnet.js';

const frame = (n: number, len = 60): Uint8Array => new Uint8Array(len).fill(n);

function batch(frames: Uint8Array[], vnet = false): FrameBatch {
  const pad = vnet ? VNET_HDR_LEN : 0;
  const total = frames.reduce((s, f) => s + f.length + pad, 0);
  const buf = new Uint8Array(total);
  const offs = new Uint32Array(frames.length);
  const lens = new Uint32Array(frames.length);
  let at = 0;
  frames.forEach((f, i) => {
    offs[i] = at + pad;
    lens[i] = f.length;
    buf.set(f, at + pad);
    at += f.length + pad;
  });
  return { buf, offs, lens, count: frames.length, vnet };
}

const view = (p: MemoryPort, i: number): Uint8Array => p.burst.buf.subarray(p.burst.offs[i], p.burst.offs[i]! + p.burst.lens[i]!);

describe('MemoryPort', () => {
  it('delivers a burst from one end of a pair to the other, in order', () => {
    const [a, b] = MemoryPort.pair('a', 'b');
    a.open();
    b.open();
    expect(a.txBurst(batch([frame(1), frame(2, 100), frame(3)]))).toBe(3);
    expect(b.rxBurst()).toBe(3);
    expect(b.burst.count).toBe(3);
    expect([...b.burst.lens.subarray(0, 3)]).toEqual([60, 100, 60]);
    expect(view(b, 1)[0]).toBe(2);
    expect(view(b, 2)[59]).toBe(3);
    expect(b.rxBurst()).toBe(0);
    expect(a.stats()).toMatchObject({ txPackets: 3, txBytes: 220 });
    expect(b.stats()).toMatchObject({ rxPackets: 3, rxBytes: 220 });
  });

  it('keeps a burst valid until the next rxBurst, then reuses the slots', () => {
    const [a, b] = MemoryPort.pair('a', 'b', { slots: 2 });
    a.open();
    b.open();
    a.txBurst(batch([frame(7), frame(8)]));
    expect(b.rxBurst()).toBe(2);
    // Queue is full while the burst is held: a third frame is dropped, not written over it.
    expect(a.txBurst(batch([frame(9)]))).toBe(0);
    expect(a.stats().txDropped).toBe(1);
    expect(b.stats().rxDropped).toBe(1);
    expect(view(b, 0)[0]).toBe(7);
    expect(b.rxBurst()).toBe(0); // releases both slots
    expect(a.txBurst(batch([frame(10)]))).toBe(1);
    expect(b.rxBurst()).toBe(1);
    expect(view(b, 0)[0]).toBe(10);
  });

  it('honours max and the port maxBurst', () => {
    const [a, b] = MemoryPort.pair('a', 'b', { maxBurst: 4 });
    a.open();
    b.open();
    a.txBurst(batch(Array.from({ length: 6 }, (_, i) => frame(i))));
    expect(b.rxBurst(2)).toBe(2);
    expect(b.rxBurst(100)).toBe(4);
    expect(view(b, 3)[0]).toBe(5);
  });

  it('forwards a received burst as is (zero-copy hand-off of the batch)', () => {
    const [a, b] = MemoryPort.pair('a', 'b');
    const [c, d] = MemoryPort.pair('c', 'd');
    for (const p of [a, b, c, d]) p.open();
    a.txBurst(batch([frame(4), frame(5)]));
    b.rxBurst();
    expect(c.txBurst(b.burst)).toBe(2);
    expect(d.rxBurst()).toBe(2);
    expect(view(d, 1)[0]).toBe(5);
  });

  it('carries the virtio-net header between vnet ports and adds a zero one for plain frames', () => {
    const [a, b] = MemoryPort.pair('a', 'b', { vnet: true });
    a.open();
    b.open();
    const withHdr = batch([frame(1, 200)], true);
    writeVnetHdr(withHdr.buf, withHdr.offs[0]!, { flags: VNET_F_NEEDS_CSUM, gsoType: VNET_GSO_TCPV4, gsoSize: 1448, csumStart: 34, csumOffset: 16 });
    a.txBurst(withHdr);
    a.txBurst(batch([frame(2)]));
    expect(b.rxBurst()).toBe(2);
    expect(b.burst.vnet).toBe(true);
    const o0 = b.burst.offs[0]!;
    expect(vnetGsoType(b.burst.buf, o0)).toBe(VNET_GSO_TCPV4);
    expect(vnetGsoSize(b.burst.buf, o0)).toBe(1448);
    expect(vnetCsumStart(b.burst.buf, o0)).toBe(34);
    expect(vnetCsumOffset(b.burst.buf, o0)).toBe(16);
    expect(vnetNeedsCsum(b.burst.buf, b.burst.offs[1]!)).toBe(false);
    expect(vnetGsoType(b.burst.buf, b.burst.offs[1]!)).toBe(0);
  });

  it('returns errors as values: closed, link down, no peer, oversize', () => {
    const [a, b] = MemoryPort.pair('a', 'b', { frameSize: 128 });
    expect(a.rxBurst()).toBeLessThan(0); // not opened
    a.open();
    b.open();
    expect(a.txBurst(batch([frame(1, 129)]))).toBe(0);
    expect(a.stats().txErrors).toBe(1);
    b.setLink(false);
    expect(b.linkUp()).toBe(false);
    expect(b.rxBurst()).toBe(-100);
    expect(a.txBurst(batch([frame(1)]))).toBe(0);
    expect(a.stats().txDropped).toBe(1);
    b.setLink(true);
    const lone = new MemoryPort('lone');
    lone.open();
    expect(lone.txBurst(batch([frame(1)]))).toBe(0);
    a.close();
    expect(a.txBurst(batch([frame(1)]))).toBeLessThan(0);
  });

  it('calls onReadable once per batch of arrivals, asynchronously', async () => {
    const [a, b] = MemoryPort.pair('a', 'b');
    a.open();
    b.open();
    let calls = 0;
    b.onReadable(() => {
      calls++;
      while (b.rxBurst() > 0);
    });
    a.txBurst(batch([frame(1), frame(2)]));
    a.txBurst(batch([frame(3)]));
    expect(calls).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    expect(b.stats().rxPackets).toBe(3);
    b.onReadable(null);
    a.txBurst(batch([frame(4)]));
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
  });

  it('inject() plays a frame from the wire', () => {
    const p = new MemoryPort('p');
    p.open();
    expect(p.inject(frame(42, 64))).toBe(true);
    expect(p.rxBurst()).toBe(1);
    expect(view(p, 0)[63]).toBe(42);
  });
});

describe('virtio_net_hdr helpers', () => {
  it('reads little-endian fields and masks the ECN bit off the GSO type', () => {
    const b = new Uint8Array(VNET_HDR_LEN + 4);
    b.set([1, VNET_GSO_TCPV4 | VNET_GSO_ECN, 0x36, 0, 0xa8, 0x05, 0x22, 0, 0x10, 0]);
    expect(vnetNeedsCsum(b, VNET_HDR_LEN)).toBe(true);
    expect(vnetGsoType(b, VNET_HDR_LEN)).toBe(VNET_GSO_TCPV4);
    expect(vnetGsoSize(b, VNET_HDR_LEN)).toBe(1448);
    expect(vnetCsumStart(b, VNET_HDR_LEN)).toBe(34);
    expect(vnetCsumOffset(b, VNET_HDR_LEN)).toBe(16);
  });

  it('vnetShift moves csum_start and hdr_len after a VLAN push or pop', () => {
    const b = new Uint8Array(VNET_HDR_LEN);
    writeVnetHdr(b, VNET_HDR_LEN, { flags: VNET_F_NEEDS_CSUM, hdrLen: 54, csumStart: 34, csumOffset: 16 });
    vnetShift(b, VNET_HDR_LEN, 4);
    expect(vnetCsumStart(b, VNET_HDR_LEN)).toBe(38);
    expect(b[2]).toBe(58);
    vnetShift(b, VNET_HDR_LEN, -4);
    expect(vnetCsumStart(b, VNET_HDR_LEN)).toBe(34);
    const plain = new Uint8Array(VNET_HDR_LEN);
    writeVnetHdr(plain, VNET_HDR_LEN, { csumStart: 34 });
    vnetShift(plain, VNET_HDR_LEN, 4);
    expect(vnetCsumStart(plain, VNET_HDR_LEN)).toBe(34); // only meaningful with NEEDS_CSUM
  });
});
