import { describe, it, expect } from 'vitest';
import { decodeMessage, MessageFramer } from '../../src/openflow/index.js';
import { isOFError } from '../../src/pipeline/errors.js';
import {
  aggregateRequest, bulkFlowMod, deleteAll, installBatch, packetOut, probeOf, probePayload, reactiveFlow, tableMiss,
} from '../../bench/openflow/messages.js';
import { percentile, summarize, fmtRatio } from '../../bench/openflow/stats.js';
import { encodeMessage } from '../../src/openflow/index.js';

const decode = (b: Uint8Array) => {
  const d = decodeMessage(b);
  if (isOFError(d)) throw new Error(d.message);
  return d;
};

/** Ethernet + IPv4 (IHL 5) + UDP 40000 → 9000 + probe payload, written out by hand. */
function probeFrame(seq: number, ns: bigint): Uint8Array {
  const eth = [2, 0x5e, 0, 1, 0x0b, 1, 2, 0x5e, 0, 1, 0x0a, 1, 0x08, 0x00];
  const ip = [0x45, 0, 0, 44, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 234, 0, 1, 10, 234, 0, 2];
  const udp = [0x9c, 0x40, 0x23, 0x28, 0, 24, 0, 0];
  return new Uint8Array([...eth, ...ip, ...udp, ...probePayload(seq, ns)]);
}

describe('bench:openflow messages', () => {
  it('bulk rule i matches eth_type=0x0800 and ipv4_dst=11.0.0.0+i, output:1', () => {
    const m = decode(encodeMessage(bulkFlowMod(258, 7)));
    expect(m.type).toBe('flow_mod');
    if (m.type !== 'flow_mod') return;
    expect(m.xid).toBe(7);
    expect(m.match.map((f) => [f.field, [...f.value]])).toEqual([[5, [8, 0]], [12, [11, 0, 1, 2]]]);
    expect(m.instructions).toEqual([{ type: 'apply_actions', actions: [{ type: 'output', port: 1, maxLen: 0 }] }]);
  });

  it('installBatch frames into n flow-mods with xids 1..n and distinct ipv4_dst', () => {
    const r = new MessageFramer().push(installBatch(3));
    expect(r.ok).toBe(true);
    const msgs = r.messages.map(decode);
    expect(msgs.map((m) => m.xid)).toEqual([1, 2, 3]);
    const dsts = msgs.map((m) => (m.type === 'flow_mod' ? [...m.match[1]!.value].join('.') : ''));
    expect(dsts).toEqual(['11.0.0.0', '11.0.0.1', '11.0.0.2']);
  });

  it('table-miss, delete-all, reactive flow, packet-out and aggregate request have the spec header', () => {
    const tm = tableMiss(1);
    expect([...tm.subarray(0, 2)]).toEqual([4, 14]); // OF1.3, OFPT_FLOW_MOD
    const m = decode(tm);
    expect(m.type === 'flow_mod' && m.priority === 0 && m.match.length === 0).toBe(true);
    const del = decode(deleteAll(2));
    expect(del.type === 'flow_mod' && del.command === 3 && del.tableId === 0xff).toBe(true);
    const rf = decode(reactiveFlow(3, 1, 40000, 2));
    expect(rf.type === 'flow_mod' && rf.match.map((f) => f.field)).toEqual([0, 5, 10, 15]);
    const po = packetOut(4, 1, 2, new Uint8Array([1, 2, 3]));
    expect(po[1]).toBe(13); // OFPT_PACKET_OUT
    const pm = decode(po);
    expect(pm.type === 'packet_out' && [...pm.data]).toEqual([1, 2, 3]);
    const agg = decode(aggregateRequest(5));
    expect(agg.type === 'multipart_request' && agg.body.kind).toBe('aggregate');
  });

  it('probeOf reads source port, seq and send time from a probe frame, and rejects others', () => {
    const f = probeFrame(42, 123456789012345n);
    expect(probeOf(f)).toEqual({ udpSrc: 40000, seq: 42, sentNs: 123456789012345n });
    const notUdp = f.slice();
    notUdp[23] = 6;
    expect(probeOf(notUdp)).toBeNull();
    const badMagic = f.slice();
    badMagic[42]! ^= 0xff;
    expect(probeOf(badMagic)).toBeNull();
    expect(probeOf(f.subarray(0, 50))).toBeNull();
  });
});

describe('bench:openflow stats', () => {
  it('nearest-rank percentiles', () => {
    const s = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(100);
    expect(percentile(s, 99)).toBe(198);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([3, 1, 2])).toEqual({ n: 3, median: 2, p99: 3 });
  });
  it('ratios', () => {
    expect(fmtRatio(1, 4)).toBe('0.25×');
    expect(fmtRatio(1, 0)).toBe('n/a');
  });
});
