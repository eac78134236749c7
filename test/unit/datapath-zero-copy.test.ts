import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxQueue } from '../../src/datapath/tx-queue.js';
import { PcapPort } from '../../src/ports/pcap.js';
import type { FrameBatch } from '../../src/ports/port.js';
import { OFPGC_ADD, OFPGT_ALL } from '../../src/pipeline/types.js';
import { apply, bucket, fm, oxm, out, setField } from './pipeline-helpers.js';
import { hex, ipFrame, rig } from './datapath-helpers.js';

/** What one txBurst saw: per frame, 'ref' (from the receive memory) or 'copy', and bytes. */
interface Sent { kinds: string[]; frames: string[]; alt: Uint8Array | null }

function spyTx(port: { txBurst(b: FrameBatch): number }): Sent[] {
  const calls: Sent[] = [];
  const orig = port.txBurst.bind(port);
  port.txBurst = (b: FrameBatch) => {
    const kinds: string[] = [];
    const frames: string[] = [];
    for (let i = 0; i < b.count; i++) {
      const ref = b.alt != null && b.sel![i] === 1;
      kinds.push(ref ? 'ref' : 'copy');
      const src = ref ? b.alt! : b.buf;
      frames.push(hex(src.subarray(b.offs[i], b.offs[i]! + b.lens[i]!)));
    }
    calls.push({ kinds, frames, alt: b.alt ?? null });
    return orig(b);
  };
  return calls;
}

const udp = (d: number) => [oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('udp_dst', d)];

describe('datapath zero-copy forwarding', () => {
  it('sends unmodified frames from the input port receive memory, rewritten ones from staging, in order, one txBurst', () => {
    const r = rig(3);
    r.bridge.flowMod(fm({ match: udp(1), instructions: [apply(out(2))] }));
    r.bridge.flowMod(fm({ match: udp(2), instructions: [apply(setField('ipv4_dst', 0x0a0000fe), out(2))] }));
    const calls = spyTx(r.ports[1]!);
    const a = ipFrame({ dport: 1, payload: 1400 });
    const b = ipFrame({ dport: 2 });
    const c = ipFrame({ dport: 1, sport: 7 });
    r.send(1, a, b, c);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.kinds).toEqual(['ref', 'copy', 'ref']);
    expect(calls[0]!.alt).toBe(r.ports[0]!.burst.buf); // port 1's receive memory itself
    const got = r.take(2);
    expect(got).toEqual([hex(a), calls[0]!.frames[1], hex(c)]);
    expect(got[1]).not.toBe(hex(b)); // really rewritten
  });

  it('a group branch (a copy of the packet) and a packet-out are staged as copies', () => {
    const r = rig(3);
    r.bridge.groupMod({ command: OFPGC_ADD, type: OFPGT_ALL, groupId: 1, buckets: [bucket([out(3)]), bucket([out(2)])] });
    r.bridge.flowMod(fm({ match: udp(3), instructions: [apply(out(2), { type: 'group', groupId: 1 })] }));
    const calls = spyTx(r.ports[1]!);
    const f = ipFrame({ dport: 3 });
    r.send(1, f);
    expect(calls[0]!.kinds).toEqual(['ref', 'copy']);
    expect(r.take(2)).toEqual([hex(f), hex(f)]);
    expect(r.take(3)).toEqual([hex(f)]);
    expect(r.bridge.packetOut(1, [out(2)], f)).toBeNull();
    expect(calls[1]!.kinds).toEqual(['copy']);
    expect(r.take(2)).toEqual([hex(f)]);
  });

  it('zeroCopy:false copies every frame (the benchmark baseline)', () => {
    const r = rig(2, { zeroCopy: false });
    r.bridge.flowMod(fm({ match: udp(1), instructions: [apply(out(2))] }));
    const calls = spyTx(r.ports[1]!);
    const f = ipFrame({ dport: 1 });
    r.send(1, f, f);
    expect(calls[0]!.kinds).toEqual(['copy', 'copy']);
    expect(calls[0]!.alt).toBeNull();
    expect(r.take(2)).toEqual([hex(f), hex(f)]);
  });
});

describe('TxQueue references', () => {
  it('flushes before referencing a second receive buffer, and when the slots are full', () => {
    const flushed: string[][] = [];
    const q: TxQueue = new TxQueue(2, () => {
      const b = q.batch;
      flushed.push([...Array(b.count).keys()].map((i) => `${b.sel![i]}:${b.alt === rx1 ? 1 : b.alt === rx2 ? 2 : 0}:${b.offs[i]}`));
      q.reset();
    });
    const rx1 = new Uint8Array(100);
    const rx2 = new Uint8Array(100);
    q.pushRef(rx1, false, 10, 20);
    q.push(new Uint8Array(40), 0, 40, null);
    q.pushRef(rx1, false, 30, 20); // slots full: flush first
    q.pushRef(rx2, false, 5, 20); // another buffer: flush first
    expect(flushed).toHaveLength(2);
    expect(flushed[0]!.map((s) => s.split(':').slice(0, 2).join(':'))).toEqual(['1:1', '0:1']);
    expect(flushed[1]).toEqual(['1:1:30']);
    expect(q.batch.alt).toBe(rx2);
    q.reset();
    expect(q.batch.alt).toBeNull();
  });
});

describe('ports honour a two-source batch', () => {
  it('a pcap port writes frames from buf and alt in batch order', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-zc-')), 'out.pcap');
    const p = new PcapPort('w', { output: path });
    p.open();
    const buf = Uint8Array.of(0, 0, 0xbb, 0xbb);
    const alt = Uint8Array.of(0xaa, 0xaa, 0xaa, 0xcc);
    const b: FrameBatch = {
      buf, offs: Uint32Array.of(0, 2, 3), lens: Uint32Array.of(3, 2, 1), count: 3, vnet: false, alt, altVnet: false, sel: Uint8Array.of(1, 0, 1),
    };
    expect(p.txBurst(b)).toBe(3);
    p.close();
    const f = readFileSync(path);
    // records after the 24-byte global header: 16-byte record header + the frame
    expect([...f.subarray(24 + 16, 24 + 16 + 3)]).toEqual([0xaa, 0xaa, 0xaa]);
    expect([...f.subarray(24 + 16 + 3 + 16, 24 + 16 + 3 + 16 + 2)]).toEqual([0xbb, 0xbb]);
    expect([...f.subarray(24 + 16 + 3 + 16 + 2 + 16)]).toEqual([0xcc]);
  });
});
