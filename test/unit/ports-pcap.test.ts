/**
 * pcap file ports: records written match the savefile format byte for byte (literal header
 * from tcpdump.org/manual/pcap-savefile), replay returns the same frames, and when tcpdump
 * is installed it reads our file back (an independent reader).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { needs } from '../tools.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PcapPort } from '../../src/ports/pcap.js';
import type { FrameBatch } from '../../src/ports/port.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ARP request 10.0.0.1 -> who-has 10.0.0.2, from 02:00:00:00:00:01
const arp = Uint8Array.from([
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06,
  0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
]);

function batchOf(frames: Uint8Array[]): FrameBatch {
  const buf = new Uint8Array(frames.reduce((s, f) => s + f.length, 0));
  const offs = new Uint32Array(frames.length);
  const lens = new Uint32Array(frames.length);
  let at = 0;
  frames.forEach((f, i) => {
    buf.set(f, at);
    offs[i] = at;
    lens[i] = f.length;
    at += f.length;
  });
  return { buf, offs, lens, count: frames.length, vnet: false };
}

describe('PcapPort', () => {
  it('writes a libpcap savefile: global header and records', () => {
    const path = join(dir, 'out.pcap');
    const p = new PcapPort('cap', { output: path, now: () => 1_700_000_000_123 });
    p.open();
    expect(p.txBurst(batchOf([arp, arp.subarray(0, 20)]))).toBe(2);
    p.close();
    const f = readFileSync(path);
    expect([...f.subarray(0, 24)]).toEqual([
      0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0,
    ]);
    const rec = new DataView(f.buffer, f.byteOffset + 24, 16);
    expect(rec.getUint32(0, true)).toBe(1_700_000_000);
    expect(rec.getUint32(4, true)).toBe(123_000);
    expect(rec.getUint32(8, true)).toBe(arp.length);
    expect(rec.getUint32(12, true)).toBe(arp.length);
    expect(f.length).toBe(24 + 16 + arp.length + 16 + 20);
    expect(p.stats()).toMatchObject({ txPackets: 2, txBytes: arp.length + 20 });
  });

  it('replays a capture in bursts, frames as views into the file', () => {
    const path = join(dir, 'rt.pcap');
    const w = new PcapPort('w', { output: path });
    w.open();
    w.txBurst(batchOf([arp, arp, arp]));
    w.close();
    const r = new PcapPort('r', { input: path, maxBurst: 2 });
    r.open();
    expect(r.rxBurst()).toBe(2);
    const b = r.burst;
    expect([...b.buf.subarray(b.offs[1], b.offs[1]! + b.lens[1]!)]).toEqual([...arp]);
    expect(r.rxBurst()).toBe(1);
    expect(r.rxBurst()).toBe(0);
    expect(r.stats().rxPackets).toBe(3);
  });

  it('reads big-endian captures and rejects non-Ethernet ones with a clear message', () => {
    const be = new Uint8Array(24 + 16 + arp.length);
    const dv = new DataView(be.buffer);
    dv.setUint32(0, 0xa1b2c3d4, false);
    dv.setUint16(4, 2, false);
    dv.setUint16(6, 4, false);
    dv.setUint32(16, 65535, false);
    dv.setUint32(20, 1, false);
    dv.setUint32(24 + 8, arp.length, false);
    dv.setUint32(24 + 12, arp.length, false);
    be.set(arp, 40);
    writeFileSync(join(dir, 'be.pcap'), be);
    const r = new PcapPort('be', { input: join(dir, 'be.pcap') });
    r.open();
    expect(r.rxBurst()).toBe(1);
    expect(r.burst.lens[0]).toBe(arp.length);
    dv.setUint32(20, 113, false); // Linux cooked capture
    writeFileSync(join(dir, 'sll.pcap'), be);
    expect(() => new PcapPort('sll', { input: join(dir, 'sll.pcap') }).open()).toThrow(/link type 113/);
  });

  needs('tcpdump').it('is readable by tcpdump', () => {
    const path = join(dir, 'td.pcap');
    const p = new PcapPort('td', { output: path });
    p.open();
    p.txBurst(batchOf([arp]));
    p.close();
    const out = execFileSync('tcpdump', ['-nr', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toMatch(/ARP, Request who-has 10\.0\.0\.2 tell 10\.0\.0\.1/);
  });
});
