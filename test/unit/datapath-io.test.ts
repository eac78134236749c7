import { describe, it, expect } from 'vitest';
import { Bridge } from '../../src/datapath/bridge.js';
import { TxQueue } from '../../src/datapath/tx-queue.js';
import { copyBytes } from '../../src/ports/copy-bytes.js';
import { MemoryPort } from '../../src/ports/memory.js';
import { VNET_F_NEEDS_CSUM, VNET_HDR_LEN, vnetCsumStart, vnetFlags, writeVnetHdr } from '../../src/ports/vnet.js';
import { apply, fm, out } from './pipeline-helpers.js';
import { hex, ipFrame, rig } from './datapath-helpers.js';

describe('datapath I/O pieces', () => {
  it('copyBytes copies exactly, aligned or not, short or long', () => {
    const src = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 0xff);
    for (const [d, s, n] of [[0, 0, 1500], [14, 10, 1500], [13, 10, 999], [5, 6, 31], [8, 4, 64], [3, 7, 0]] as const) {
      const dst = new Uint8Array(3000).fill(0xee);
      copyBytes(dst, d, src, s, n);
      expect(hex(dst.subarray(d, d + n))).toBe(hex(src.subarray(s, s + n)));
      expect(dst[d + n]).toBe(0xee);
      if (d > 0) expect(dst[d - 1]).toBe(0xee);
    }
  });

  it('TxQueue starts with a small arena and grows it with the burst, keeping what is queued', () => {
    let flushes = 0;
    const q: TxQueue = new TxQueue(256, () => {
      flushes++;
      q.reset();
    });
    expect(q.batch.buf.length).toBe(8192);
    const frames = Array.from({ length: 64 }, (_, i) => Uint8Array.from({ length: 1500 }, (_, j) => (i * 31 + j) & 0xff));
    for (const f of frames) q.push(f, 0, f.length, null);
    // 64 frames of 1,500 bytes: one burst, no early flush, every frame intact after the growth
    expect(flushes).toBe(0);
    expect(q.batch.buf.length).toBe(131_072);
    expect(q.count).toBe(64);
    const b = q.batch;
    frames.forEach((f, i) => expect(hex(b.buf.subarray(b.offs[i], b.offs[i]! + b.lens[i]!))).toBe(hex(f)));
    // past 128 KiB the arena is flushed, not grown
    for (let i = 0; i < 40; i++) q.push(frames[0]!, 0, 1500, null);
    expect(flushes).toBe(1);
    expect(q.batch.buf.length).toBe(131_072);
  });

  it('TxQueue stages frames, rewrites the outer tag, and flushes early only when full', () => {
    let flushes = 0;
    const q: TxQueue = new TxQueue(2, () => {
      flushes++;
      q.reset();
    });
    const tagged = ipFrame({ vlan: 5, pcp: 6 });
    q.push(tagged, 0, tagged.length, null);
    q.pushWithVlan(tagged, 0, tagged.length, null, true, -1);
    expect(flushes).toBe(0);
    const b = q.batch;
    const frame = (i: number) => hex(b.buf.subarray(b.offs[i], b.offs[i]! + b.lens[i]!));
    expect(frame(0)).toBe(hex(tagged));
    expect(frame(1)).toBe(hex(ipFrame({ pcp: 6 })));
    q.pushWithVlan(ipFrame(), 0, ipFrame().length, null, false, 300);
    expect(flushes).toBe(1);
    expect(frame(0)).toBe(hex(ipFrame({ vlan: 300 })));
  });

  it('vnet frames keep their virtio_net_hdr; push_vlan moves csum_start', () => {
    const [p1, h1] = MemoryPort.pair('p1', 'h1', { vnet: true });
    const [p2, h2] = MemoryPort.pair('p2', 'h2', { vnet: true });
    h1.open();
    h2.open();
    const b = new Bridge({ name: 'br0', failMode: 'secure', localPort: false, ports: [{ spec: 'memory:p1', port: p1 }, { spec: 'memory:p2', port: p2 }] });
    b.flowMod(fm({ instructions: [apply({ type: 'push_vlan', ethertype: 0x8100 }, out(2))] }));
    b.start();
    const hdr = new Uint8Array(VNET_HDR_LEN + 1);
    writeVnetHdr(hdr, VNET_HDR_LEN, { flags: VNET_F_NEEDS_CSUM, csumStart: 34, csumOffset: 6 });
    const f = ipFrame();
    expect(p1.inject(f, hdr)).toBe(true);
    b.poll();
    expect(h2.rxBurst()).toBe(1);
    const o = h2.burst.offs[0]!;
    expect(h2.burst.lens[0]).toBe(f.length + 4);
    expect(vnetFlags(h2.burst.buf, o)).toBe(VNET_F_NEEDS_CSUM);
    expect(vnetCsumStart(h2.burst.buf, o)).toBe(38);
    b.stop();
  });

  it('forwards from the ports\' readiness callbacks, without poll()', async () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ instructions: [apply(out(2))] }));
    const frames = Array.from({ length: 200 }, (_, i) => ipFrame({ sport: i }));
    for (const f of frames) r.ports[0]!.inject(f);
    for (let i = 0; i < 20 && r.hosts[1]!.stats().rxPackets < 200; i++) await new Promise((res) => setImmediate(res));
    expect(r.take(2)).toHaveLength(200);
    r.bridge.stop();
    r.bridge.stop(); // idempotent
  });

  it('start() names the port that failed to open and closes the ones it opened', () => {
    const good = new MemoryPort('good');
    const bad = new MemoryPort('bad');
    bad.open = () => {
      throw new Error('no such device');
    };
    const b = new Bridge({ name: 'br1', failMode: 'secure', localPort: false, ports: [{ spec: 'memory:good', port: good }, { spec: 'memory:bad', port: bad }] });
    expect(() => b.start()).toThrow(/port bad: no such device/);
    expect(good.linkUp()).toBe(false);
  });

  it('ports: numbering, ofport requests, bad configs as values, port-status on add', () => {
    const r = rig(2);
    const events: number[] = [];
    r.bridge.on('port-status', (reason: number) => events.push(reason));
    const p = r.bridge.addPort({ spec: 'memory:x', ofport: 10 });
    expect(p).toMatchObject({ ofport: 10, name: 'x', kind: 'memory', linkUp: true });
    expect(r.bridge.addPort({ spec: 'memory:y', ofport: 10 })).toBeInstanceOf(Error);
    expect(r.bridge.addPort({ spec: 'memory:z', vlanMode: 'access' })).toBeInstanceOf(Error);
    expect(r.bridge.addPort({ spec: 'bogus:z' })).toBeInstanceOf(Error);
    expect((r.bridge.addPort({ spec: 'memory:w' }) as { ofport: number }).ofport).toBe(3);
    expect(r.bridge.ports().map((x) => x.ofport)).toEqual([1, 2, 3, 10]);
    expect(events).toEqual([0, 0]);
    expect(r.bridge.dpid).toBeGreaterThan(0n);
  });
});

describe('datapath drain', () => {
  it('drains everything when the bridge burst is larger than the port\'s', () => {
    const [p1, h1] = MemoryPort.pair('p1', 'h1', { slots: 512, maxBurst: 32 });
    const [p2, h2] = MemoryPort.pair('p2', 'h2', { slots: 512 });
    h1.open();
    h2.open();
    const b = new Bridge({ name: 'br2', failMode: 'secure', localPort: false, burst: 128, ports: [{ spec: 'memory:p1', port: p1 }, { spec: 'memory:p2', port: p2 }] });
    b.flowMod(fm({ instructions: [apply(out(2))] }));
    b.start();
    for (let i = 0; i < 300; i++) p1.inject(ipFrame({ sport: i }));
    b.poll();
    expect(p2.stats().txPackets).toBe(300);
    b.stop();
  });
});
