// After pop_mpls / pop_pbb in apply-actions, later tables must match the inner headers:
// decide() replays the ops on a copy of the frame and re-parses it (decide.ts,
// the datapath's Reparser, src/datapath/run-ops.ts). Frames are scapy's (golden.json).
import { describe, expect, it } from 'vitest';
import { FlowKey } from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { executeDecision, reparseHook } from './run-decision.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { REWRITES, frameByName, hexBytes, popOnWire } from './packet-golden.js';
import { apply, fm, goto, out, oxm } from './pipeline-helpers.js';

const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** A golden pop result as a port sends it (padded to 60 bytes). */
const golden = (name: string) => popOnWire(REWRITES.find((r) => r.name === name)!.hex);
const newPipeline = () => new Pipeline({
  nTables: 4, portExists: (p) => p >= 1 && p <= 8, portLive: () => true, reparse: reparseHook(),
});

function keyOf(frame: Uint8Array, inPort: number): FlowKey {
  const k = new FlowKey();
  parseFrame(frame, 0, frame.length, inPort, k);
  return k;
}

function outputs(p: Pipeline, frame: Uint8Array, inPort: number, withFrame: boolean) {
  const d = p.decide(keyOf(frame, inPort), 0, withFrame ? { frame } : {});
  const sent: { port: number; hex: string }[] = [];
  executeDecision(d, frame, frame.length, inPort, 0, (port, bytes) => sent.push({ port, hex: toHex(bytes) }));
  return { d, sent };
}

describe('decide(): re-parse after pop_mpls / pop_pbb', () => {
  it('MPLS over Ethernet carrying IPv4/TCP: pop_mpls:0x0800 in table 0, table 1 matches ipv4_dst/tcp_dst', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('eth_type', 0x8847)], instructions: [apply({ type: 'pop_mpls', ethertype: 0x0800 }), goto(1)] }), 0));
    ok(p.flowMod(fm({
      tableId: 1, cookie: 11n,
      match: [oxm('eth_type', 0x0800), oxm('ip_proto', 6), oxm('ipv4_dst', 0xc0a80709), oxm('tcp_dst', 2)],
      instructions: [apply(out(3))],
    }), 0));
    const f = hexBytes(frameByName('mpls-ipv4').hex);
    const { d, sent } = outputs(p, f, 1, true);
    expect(d.matched).toEqual([true, true]);
    expect(d.rules.map((r) => r.cookie)).toEqual([0n, 11n]);
    expect(d.cacheable).toBe(false);
    expect(sent).toEqual([{ port: 3, hex: golden('pop_mpls-to-ip') }]);
  });

  it('without the frame, the inner headers are unknown: table 1 misses (and the decision is still uncacheable)', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('eth_type', 0x8847)], instructions: [apply({ type: 'pop_mpls', ethertype: 0x0800 }), goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('eth_type', 0x0800), oxm('ip_proto', 6), oxm('tcp_dst', 2)], instructions: [apply(out(3))] }), 0));
    const { d, sent } = outputs(p, hexBytes(frameByName('mpls-ipv4').hex), 1, false);
    expect(d.matched).toEqual([true, false]);
    expect(d.cacheable).toBe(false);
    expect(sent).toEqual([]);
  });

  it('rewrites before the pop are replayed: set mpls_tc, pop to the next label, table 1 matches that label', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({
      match: [oxm('eth_type', 0x8847), oxm('mpls_label', 0xfffff)],
      instructions: [apply({ type: 'pop_mpls', ethertype: 0x8847 }), goto(1)],
    }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('eth_type', 0x8847), oxm('mpls_label', 17), oxm('mpls_bos', 1)], instructions: [apply(out(4))] }), 0));
    const { d, sent } = outputs(p, hexBytes(frameByName('mpls-stack').hex), 1, true);
    expect(d.matched).toEqual([true, true]);
    expect(sent).toEqual([{ port: 4, hex: golden('pop_mpls-stack') }]);
  });

  it('pop_pbb: table 1 matches the customer frame (eth_dst, ipv4_dst, udp_dst)', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('eth_type', 0x88e7)], instructions: [apply({ type: 'pop_pbb' }), goto(1)] }), 0));
    ok(p.flowMod(fm({
      tableId: 1,
      match: [oxm('eth_dst', 0x66778899aabbn), oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('ipv4_dst', 0xc0a80709), oxm('udp_dst', 2)],
      instructions: [apply({ type: 'dec_nw_ttl' }, out(5))],
    }), 0));
    const f = hexBytes(frameByName('pbb').hex);
    const { d, sent } = outputs(p, f, 1, true);
    expect(d.matched).toEqual([true, true]);
    expect(sent.map((s) => s.port)).toEqual([5]);
    const inner = hexBytes(golden('pop_pbb'));
    const b = hexBytes(sent[0]!.hex);
    expect(b.length).toBe(inner.length);
    expect(b[14 + 8]).toBe(inner[14 + 8]! - 1); // the customer frame's TTL was decremented
  });

  it('a later table sees the action set unchanged and the re-parse keeps metadata and in_port', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({
      match: [oxm('eth_type', 0x8847)],
      instructions: [apply({ type: 'pop_mpls', ethertype: 0x0800 }), { type: 'write_metadata', metadata: 0xabn, mask: 0xffn }, goto(1)],
    }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('in_port', 7), oxm('metadata', 0xab), oxm('eth_type', 0x0800), oxm('ip_proto', 6)], instructions: [apply(out(2))] }), 0));
    const { sent } = outputs(p, hexBytes(frameByName('mpls-ipv4').hex), 7, true);
    expect(sent.map((s) => s.port)).toEqual([2]);
  });
});
