import { describe, expect, it } from 'vitest';
import { PacketBuffers } from '../../src/openflow/packet-buffers.js';
import { TokenBucket } from '../../src/pipeline/token-bucket.js';
import { splitReply } from '../../src/openflow/reply-split.js';
import { decodeMessage, OFPMPF_REPLY_MORE } from '../../src/openflow/index.js';
import { OFPBRC_BUFFER_EMPTY, OFPBRC_BUFFER_UNKNOWN, isOFError } from '../../src/pipeline/errors.js';
import { OFP_NO_BUFFER } from '../../src/pipeline/types.js';

describe('PacketBuffers', () => {
  it('hands each packet out once; old and unknown ids are UNKNOWN, used ones EMPTY', () => {
    let t = 0;
    const b = new PacketBuffers(2, 100, () => t);
    const d = new Uint8Array([1, 2, 3]);
    const id = b.alloc(d, 7);
    expect(id).not.toBe(OFP_NO_BUFFER);
    expect(b.take(id)).toEqual({ data: d, inPort: 7 });
    const again = b.take(id);
    expect(isOFError(again) && again.code).toBe(OFPBRC_BUFFER_EMPTY);
    const none = b.take(12345);
    expect(isOFError(none) && none.code).toBe(OFPBRC_BUFFER_UNKNOWN);
    // reuse of the same slot gives a new id; the old id no longer names anything
    const id2 = b.alloc(d, 1);
    const id3 = b.alloc(d, 1); // slot 0 again (ring of 2), its previous packet was taken
    expect(id3 & 0xff).toBe(id & 0xff);
    expect(id3).not.toBe(id);
    const old = b.take(id);
    expect(isOFError(old) && old.code).toBe(OFPBRC_BUFFER_UNKNOWN);
    expect(isOFError(b.take(id2))).toBe(false);
  });

  it('is full while unused packets are young, and reuses them once they are old', () => {
    let t = 0;
    const b = new PacketBuffers(2, 100, () => t);
    const a = b.alloc(new Uint8Array(1), 1);
    b.alloc(new Uint8Array(1), 1);
    expect(b.alloc(new Uint8Array(1), 1)).toBe(OFP_NO_BUFFER);
    t = 150;
    const c = b.alloc(new Uint8Array(1), 1);
    expect(c).not.toBe(OFP_NO_BUFFER);
    const gone = b.take(a);
    expect(isOFError(gone) && gone.code).toBe(OFPBRC_BUFFER_UNKNOWN);
  });

  it('refuses a pool size that is not a power of two ≤ 256', () => {
    expect(() => new PacketBuffers(300)).toThrow(/power of two/);
    expect(() => new PacketBuffers(3)).toThrow(/power of two/);
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then the rate, counting drops', () => {
    let t = 0;
    const tb = new TokenBucket(10, 3, () => t);
    expect([tb.take(), tb.take(), tb.take(), tb.take()]).toEqual([true, true, true, false]);
    expect(tb.dropped).toBe(1);
    t = 100; // 10/s → one token per 100 ms
    expect([tb.take(), tb.take()]).toEqual([true, false]);
    expect(tb.dropped).toBe(2);
  });
});

describe('splitReply', () => {
  it('keeps small bodies in one message and non-list bodies whole', () => {
    const one = splitReply(5, { kind: 'port_desc', ports: [] });
    expect(one).toHaveLength(1);
    const d = decodeMessage(one[0]!);
    expect(!isOFError(d) && d.type === 'multipart_reply' && d.flags).toBe(0);
    const desc = splitReply(6, { kind: 'desc', mfrDesc: 'a', hwDesc: 'b', swDesc: 'c', serialNum: 'd', dpDesc: 'e' }, 100);
    expect(desc).toHaveLength(1); // cannot be split, sent whole
  });

  it('cuts port lists between entries (64 bytes each) with REPLY_MORE on all but the last', () => {
    const port = (n: number) => ({
      portNo: n, hwAddr: new Uint8Array(6), name: `p${n}`, config: 0, state: 0, curr: 0, advertised: 0,
      supported: 0, peer: 0, currSpeed: 0, maxSpeed: 0,
    });
    const msgs = splitReply(9, { kind: 'port_desc', ports: Array.from({ length: 10 }, (_, i) => port(i + 1)) }, 16 + 64 * 3);
    expect(msgs.map((m) => m.length)).toEqual([208, 208, 208, 80]);
    const flags = msgs.map((m) => { const d = decodeMessage(m); return !isOFError(d) && d.type === 'multipart_reply' ? d.flags : -1; });
    expect(flags).toEqual([OFPMPF_REPLY_MORE, OFPMPF_REPLY_MORE, OFPMPF_REPLY_MORE, 0]);
  });
});
