// Packet-out through the pipeline (OF1.3.5 §7.3.7): Pipeline.packetOutDecision, run with
// the datapath's executor (run-decision.ts); output:OFPP_TABLE runs the tables with in_port = the
// packet-out's in_port, on the packet as the earlier actions left it.
import { describe, expect, it } from 'vitest';
import { isOFError } from '../../src/pipeline/errors.js';
import { executeDecision, reparseHook, type OutputInfo } from './run-decision.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { Action } from '../../src/pipeline/types.js';
import {
  OFPP_CONTROLLER, OFPP_IN_PORT, OFPP_TABLE, OFPR_ACTION, OFPR_NO_MATCH, OFPR_PACKET_OUT, OFPTT_ALL,
} from '../../src/pipeline/types.js';
import { frameByName, hexBytes } from './packet-golden.js';
import { apply, fm, goto, out, oxm, setField } from './pipeline-helpers.js';

const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const newPipeline = () => new Pipeline({
  nTables: 4, portExists: (p) => p >= 1 && p <= 8, portLive: () => true, reparse: reparseHook(),
});

interface Sent { port: number; bytes: Uint8Array; info: OutputInfo }
function packetOut(p: Pipeline, frame: Uint8Array, inPort: number, actions: Action[]) {
  expect(p.checkPacketOut(actions)).toBeNull();
  const d = p.packetOutDecision(frame, inPort, actions);
  const sent: Sent[] = [];
  executeDecision(d, frame, frame.length, inPort, 0, (port, bytes, info) => sent.push({ port, bytes: bytes.slice(), info }));
  return { d, sent };
}

describe('Pipeline.packetOutDecision', () => {
  it('output:TABLE matches in_port = the packet-out in_port, on the packet as rewritten so far', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({
      cookie: 3n,
      match: [oxm('in_port', 5), oxm('eth_dst', 0x0200000000aan), oxm('eth_type', 0x0800), oxm('ip_proto', 6)],
      instructions: [apply(setField('tcp_dst', 8080)), goto(1)],
    }), 0));
    ok(p.flowMod(fm({ tableId: 1, instructions: [apply(out(2))] }), 0));
    const f = hexBytes(frameByName('tcp4').hex);
    const { d, sent } = packetOut(p, f, 5, [setField('eth_dst', 0x0200000000aan), out(OFPP_TABLE), out(4)]);
    expect(d.cacheable).toBe(false);
    expect(d.rules.map((r) => r.cookie)).toEqual([3n, 0n]);
    expect(sent.map((s) => s.port)).toEqual([2, 4]);
    // Port 2 (through the tables): eth_dst and tcp_dst rewritten. Port 4: only eth_dst,
    // the tables worked on their own copy.
    expect(toHex(sent[0]!.bytes.subarray(0, 6))).toBe('0200000000aa');
    expect(toHex(sent[0]!.bytes.subarray(36, 38))).toBe('1f90');
    expect(toHex(sent[1]!.bytes.subarray(0, 6))).toBe('0200000000aa');
    expect(toHex(sent[1]!.bytes.subarray(6))).toBe(toHex(f.subarray(6)));
  });

  it('a packet-out from another in_port does not match an in_port=5 entry', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('in_port', 5)], instructions: [apply(out(2))] }), 0));
    const f = hexBytes(frameByName('tcp4').hex);
    expect(packetOut(p, f, 6, [out(OFPP_TABLE)]).sent).toEqual([]);
    expect(packetOut(p, f, 5, [out(OFPP_TABLE)]).sent.map((s) => s.port)).toEqual([2]);
  });

  it('in the tables, OFPP_IN_PORT is the packet-out in_port; a table-miss entry gives NO_MATCH', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('eth_type', 0x0806)], instructions: [apply(out(OFPP_IN_PORT))] }), 0));
    ok(p.flowMod(fm({ priority: 0, cookie: 9n, instructions: [apply(out(OFPP_CONTROLLER, 128))] }), 0));
    const arp = packetOut(p, hexBytes(frameByName('arp-req').hex), 3, [out(OFPP_TABLE)]);
    expect(arp.sent.map((s) => s.port)).toEqual([3]);
    const tcp = packetOut(p, hexBytes(frameByName('tcp4').hex), OFPP_CONTROLLER, [out(OFPP_TABLE)]);
    expect(tcp.sent.map((s) => [s.port, s.info.reason, s.info.tableId, s.info.cookie])).toEqual([[OFPP_CONTROLLER, OFPR_NO_MATCH, 0, 9n]]);
  });

  it('outputs in the packet-out itself: no table, cookie all-ones (§7.4.1)', () => {
    const p = newPipeline();
    const { d, sent } = packetOut(p, hexBytes(frameByName('tcp4').hex), OFPP_CONTROLLER, [out(1), out(OFPP_CONTROLLER, 64)]);
    expect(d.tablesVisited).toEqual([]);
    expect(sent.map((s) => [s.port, s.info.reason, s.info.tableId, s.info.cookie])).toEqual([
      [1, OFPR_PACKET_OUT, OFPTT_ALL, 0xffff_ffff_ffff_ffffn], [OFPP_CONTROLLER, OFPR_PACKET_OUT, OFPTT_ALL, 0xffff_ffff_ffff_ffffn],
    ]);
  });

  it('account() counts the rules the packet-out matched; a packet-out with pop_mpls before TABLE re-parses', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('eth_type', 0x0800), oxm('ip_proto', 6), oxm('tcp_dst', 2)], instructions: [apply(out(2))] }), 0));
    const f = hexBytes(frameByName('mpls-ipv4').hex);
    const { d, sent } = packetOut(p, f, OFPP_CONTROLLER, [{ type: 'pop_mpls', ethertype: 0x0800 }, out(OFPP_TABLE)]);
    expect(sent.map((s) => [s.port, s.bytes.length])).toEqual([[2, Math.max(60, f.length - 4)]]); // a pop pads to 60
    p.account(d, 1, f.length, 10);
    expect([d.rules[0]!.packetCount, d.rules[0]!.byteCount]).toEqual([1, f.length]);
    expect(p.tableCounters(0)).toEqual({ lookupCount: 1, matchedCount: 1 });
  });
});
