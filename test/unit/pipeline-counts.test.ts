// Counters a flow-mod asks not to keep (OFPFF_NO_PKT_COUNTS / OFPFF_NO_BYT_COUNTS,
// OF1.3.5 §7.3.4.1 → reported as all ones, §5.8), and the origin (table id, cookie) of an
// OFPR_INVALID_TTL packet-in (§7.4.1).
import { describe, expect, it } from 'vitest';
import { FlowKey } from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { executeDecision, type OutputInfo } from './run-decision.js';
import { COUNTER_NOT_AVAILABLE, Pipeline, reportedCounts } from '../../src/pipeline/pipeline.js';
import {
  OFPFF_NO_BYT_COUNTS, OFPFF_NO_PKT_COUNTS, OFPP_CONTROLLER, OFPR_INVALID_TTL,
} from '../../src/pipeline/types.js';
import { frameByName, hexBytes } from './packet-golden.js';
import { apply, fm, goto, out, oxm, tcpKey, write } from './pipeline-helpers.js';

const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
const newPipeline = () => new Pipeline({ nTables: 4, portExists: (p) => p >= 1 && p <= 8, portLive: () => true });

function run(p: Pipeline, frame: Uint8Array, inPort = 1) {
  const k = new FlowKey();
  parseFrame(frame, 0, frame.length, inPort, k);
  const sent: { port: number; info: OutputInfo }[] = [];
  const d = p.decide(k, 0, { frame });
  executeDecision(d, frame, frame.length, inPort, 0, (port, _b, info) => sent.push({ port, info }));
  return sent;
}

describe('OFPFF_NO_PKT_COUNTS / OFPFF_NO_BYT_COUNTS', () => {
  for (const [name, flags, pkts, bytes] of [
    ['none', 0, 3n, 300n],
    ['NO_PKT_COUNTS', OFPFF_NO_PKT_COUNTS, COUNTER_NOT_AVAILABLE, 300n],
    ['NO_BYT_COUNTS', OFPFF_NO_BYT_COUNTS, 3n, COUNTER_NOT_AVAILABLE],
    ['both', OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS, COUNTER_NOT_AVAILABLE, COUNTER_NOT_AVAILABLE],
  ] as const) {
    it(`${name}: reported counts ${pkts} / ${bytes}; the idle timer still runs`, () => {
      const p = newPipeline();
      ok(p.flowMod(fm({ flags, idleTimeout: 5, instructions: [apply(out(2))] }), 0));
      const d = p.decide(tcpKey(1, 1, 2), 0);
      p.account(d, 1, 100, 1000);
      p.account(d, 2, 200, 4000);
      const r = d.rules[0]!;
      expect(reportedCounts(r)).toEqual({ packetCount: pkts, byteCount: bytes });
      expect(r.lastUsedAt).toBe(4000);
      expect(p.expire(8000)).toEqual([]); // used at 4 s, idle 5 s: still there at 8 s
      expect(p.expire(9000).map((x) => x.rule)).toEqual([r]);
      expect(p.tableCounters(0)).toEqual({ lookupCount: 3, matchedCount: 3 }); // table counters are kept
    });
  }

  it('COUNTER_NOT_AVAILABLE is UINT64_MAX', () => {
    expect(COUNTER_NOT_AVAILABLE).toBe(2n ** 64n - 1n);
  });
});

describe('OFPR_INVALID_TTL packet-in origin', () => {
  it('carries the table id and cookie of the rule whose apply-action decremented the TTL', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ cookie: 5n, instructions: [goto(2)] }), 0));
    ok(p.flowMod(fm({ tableId: 2, cookie: 0x99n, match: [oxm('eth_type', 0x0800)], instructions: [apply({ type: 'dec_nw_ttl' }, out(3))] }), 0));
    const sent = run(p, hexBytes(frameByName('udp4-ttl1').hex));
    expect(sent.map((s) => [s.port, s.info.reason, s.info.tableId, s.info.cookie])).toEqual([[OFPP_CONTROLLER, OFPR_INVALID_TTL, 2, 0x99n]]);
    expect(run(p, hexBytes(frameByName('udp4-padded').hex)).map((s) => s.port)).toEqual([3]);
  });

  it('from the action set: the rule that wrote dec_mpls_ttl, not the last rule matched', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ cookie: 7n, match: [oxm('eth_type', 0x8847)], instructions: [write({ type: 'dec_mpls_ttl' }), goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, cookie: 8n, instructions: [write(out(4))] }), 0));
    const sent = run(p, hexBytes(frameByName('mpls-ttl1').hex));
    // table of the rule that wrote it; no cookie for an action-set action (OF1.3.5 §7.4.1)
    expect(sent.map((s) => [s.port, s.info.reason, s.info.tableId, s.info.cookie])).toEqual([[OFPP_CONTROLLER, OFPR_INVALID_TTL, 0, 0xffffffffffffffffn]]);
    expect(run(p, hexBytes(frameByName('mpls-ipv4').hex)).map((s) => s.port)).toEqual([4]);
  });
});

describe('packet-in cookie when no single flow entry is associated (OF1.3.5 §7.4.1)', () => {
  it('an output to CONTROLLER in a group bucket reports cookie all-ones; one in apply-actions the rule cookie', () => {
    const p = new Pipeline({ portExists: () => true, portLive: () => true });
    expect(p.groupMod({ command: 0, type: 0, groupId: 1, buckets: [{ weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 0xfffffffd, maxLen: 64 }] }] }, 0)).toEqual({ removed: [] });
    expect(p.flowMod(fm({ cookie: 9n, instructions: [apply(out(0xfffffffd, 32), { type: 'group', groupId: 1 })] }), 0)).toEqual({ removed: [] });
    const d = p.decide(new FlowKey(), 0);
    const outs: { cookie: bigint; maxLen: number }[] = [];
    const walk = (ops: readonly { op: string }[]): void => {
      for (const o of ops) {
        if (o.op === 'branch') walk((o as unknown as { ops: { op: string }[] }).ops);
        else if (o.op === 'output') outs.push(o as unknown as { cookie: bigint; maxLen: number });
      }
    };
    walk(d.ops);
    expect(outs.map((o) => [o.maxLen, o.cookie])).toEqual([[32, 9n], [64, 0xffffffffffffffffn]]);
  });
});
