import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { executeDecision, type OutputInfo } from './run-decision.js';
import { isOFError } from '../../src/pipeline/errors.js';
import {
  OFPGC_ADD, OFPGT_ALL, OFPMC_ADD, OFPMF_BURST, OFPMF_PKTPS, OFPP_CONTROLLER, OFPP_IN_PORT,
  OFPR_ACTION, OFPR_ACTION_SET, OFPR_INVALID_TTL, OFPR_NO_MATCH,
} from '../../src/pipeline/types.js';
import { apply, bucket, fm, goto, out, oxm, setField, tcpKey, write } from './pipeline-helpers.js';

const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((x) => parseInt(x, 16)));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Ethernet 02:00:00:00:00:02 <- 02:00:00:00:00:01, IPv4 10.0.0.1 -> 10.0.0.2, TTL 64,
// DSCP AF11 (tos 0x28), TCP 1234 -> 80, SYN, 4 bytes payload. Checksums filled below.
function tcpFrame(ttl = 64): Uint8Array {
  const f = hex(`
    020000000002 020000000001 0800
    45 28 002c 0001 0000 ${ttl.toString(16).padStart(2, '0')} 06 0000 0a000001 0a000002
    04d2 0050 00000001 00000000 5002 2000 0000 0000
    deadbeef`);
  fixChecksums(f, 14);
  return f;
}

function sum16(b: Uint8Array, from: number, to: number, init = 0): number {
  let s = init;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
function fixChecksums(f: Uint8Array, ip: number): void {
  f[ip + 10] = 0; f[ip + 11] = 0;
  const h = ~sum16(f, ip, ip + 20) & 0xffff;
  f[ip + 10] = h >> 8; f[ip + 11] = h & 0xff;
  const l4 = ip + 20;
  f[l4 + 16] = 0; f[l4 + 17] = 0;
  const len = f.length - l4;
  const pseudo = sum16(f, ip + 12, ip + 20) + 6 + len;
  const c = ~sum16(f, l4, f.length, pseudo) & 0xffff;
  f[l4 + 16] = c >> 8; f[l4 + 17] = c & 0xff;
}
/** Both IPv4 header and TCP checksums verify (independent of the rewriter). */
function checksumsOk(f: Uint8Array, ip: number): boolean {
  const l4 = ip + 20;
  const pseudo = sum16(f, ip + 12, ip + 20) + 6 + (f.length - l4);
  return sum16(f, ip, ip + 20) === 0xffff && sum16(f, l4, f.length, pseudo) === 0xffff;
}

interface Sent { port: number; bytes: Uint8Array; info: OutputInfo }
function run(p: Pipeline, frame: Uint8Array, inPort = 1, nowMs = 0): Sent[] {
  const sent: Sent[] = [];
  const d = p.decide(tcpKey(inPort, 0x0a000001, 0x0a000002), nowMs, { frame });
  executeDecision(d, frame, frame.length, inPort, nowMs, (port, bytes, info) => sent.push({ port, bytes: bytes.slice(), info }));
  return sent;
}
const newPipeline = () => new Pipeline({ nTables: 4, portExists: (p) => p >= 1 && p <= 8, portLive: () => true });

describe('executeDecision', () => {
  it('write [output, push_vlan, set vlan_vid]: the output frame carries the tag with that vid', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ instructions: [write(out(2), setField('vlan_vid', 0x1000 | 42), { type: 'push_vlan', ethertype: 0x8100 })] }), 0));
    const f = tcpFrame();
    const sent = run(p, f);
    expect(sent.map((s) => s.port)).toEqual([2]);
    const b = sent[0]!.bytes;
    expect(b.length).toBe(f.length + 4);
    expect(toHex(b.subarray(0, 16))).toBe('020000000002020000000001' + '8100' + '002a');
    expect(toHex(b.subarray(16))).toBe(toHex(f.subarray(12)));
    expect(toHex(f)).toBe(toHex(tcpFrame())); // input untouched
  });

  it('outputs in apply-actions see the packet as it is at that point; checksums stay valid', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({
      match: [oxm('eth_type', 0x0800), oxm('ip_proto', 6)],
      instructions: [apply(out(2), setField('ipv4_dst', 0xc0a80001), setField('tcp_dst', 8080), out(3))],
    }), 0));
    const f = tcpFrame();
    const [a, b] = run(p, f);
    expect(toHex(a!.bytes)).toBe(toHex(f));
    expect(toHex(b!.bytes.subarray(30, 34))).toBe('c0a80001');
    expect(toHex(b!.bytes.subarray(36, 38))).toBe('1f90');
    expect(checksumsOk(b!.bytes, 14)).toBe(true);
  });

  it('group ALL: each bucket works on its own copy', () => {
    const p = newPipeline();
    ok(p.groupMod({ command: OFPGC_ADD, groupId: 1, type: OFPGT_ALL, buckets: [
      bucket([setField('eth_dst', 0x0200000000aan), out(2)]),
      bucket([out(3)]),
    ] }, 0));
    ok(p.flowMod(fm({ instructions: [apply({ type: 'group', groupId: 1 }, out(4))] }), 0));
    const f = tcpFrame();
    const sent = run(p, f);
    expect(sent.map((s) => s.port)).toEqual([2, 3, 4]);
    expect(toHex(sent[0]!.bytes.subarray(0, 6))).toBe('0200000000aa');
    expect(toHex(sent[1]!.bytes)).toBe(toHex(f));
    expect(toHex(sent[2]!.bytes)).toBe(toHex(f));
  });

  it('output to the ingress port by number is dropped; OFPP_IN_PORT sends it back', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ instructions: [apply(out(1), out(OFPP_IN_PORT), out(5))] }), 0));
    expect(run(p, tcpFrame(), 1).map((s) => s.port)).toEqual([1, 5]);
  });

  it('dec_nw_ttl: 64 → 63 with a valid checksum; TTL 1 → dropped, packet-in INVALID_TTL', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('eth_type', 0x0800)], instructions: [apply({ type: 'dec_nw_ttl' }, out(2))] }), 0));
    const [s] = run(p, tcpFrame(64));
    expect(s!.bytes[22]).toBe(63);
    expect(checksumsOk(s!.bytes, 14)).toBe(true);
    const sent = run(p, tcpFrame(1));
    expect(sent.map((x) => [x.port, x.info.reason])).toEqual([[OFPP_CONTROLLER, OFPR_INVALID_TTL]]);
  });

  it('packet-in reasons reach out(): NO_MATCH from the table-miss entry, ACTION_SET from the action set (OF1.4)', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ priority: 0, cookie: 5n, instructions: [apply(out(OFPP_CONTROLLER, 128))] }), 0));
    ok(p.flowMod(fm({ match: [oxm('in_port', 2)], instructions: [goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, cookie: 6n, instructions: [write(out(OFPP_CONTROLLER, 64))] }), 0));
    expect(run(p, tcpFrame(), 1).map((s) => s.info)).toEqual([{ reason: OFPR_NO_MATCH, maxLen: 128, tableId: 0, cookie: 5n, queueId: -1 }]);
    // written to the action set: the table is known, the cookie is not (§7.4.1: all ones)
    expect(run(p, tcpFrame(), 2).map((s) => s.info)).toEqual([{ reason: OFPR_ACTION_SET, maxLen: 64, tableId: 1, cookie: 0xffffffffffffffffn, queueId: -1 }]);
  });

  it('set_queue is reported with later outputs', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ instructions: [write(out(2), { type: 'set_queue', queueId: 7 })] }), 0));
    expect(run(p, tcpFrame()).map((s) => [s.port, s.info.queueId])).toEqual([[2, 7]]);
  });

  it('meter drop: over-rate packets produce no output; counters exact', () => {
    const p = newPipeline();
    ok(p.meterMod({ command: OFPMC_ADD, meterId: 1, flags: OFPMF_PKTPS | OFPMF_BURST, bands: [{ type: 'drop', rate: 1, burstSize: 2 }] }, 0));
    ok(p.flowMod(fm({ instructions: [{ type: 'meter', meterId: 1 }, apply(out(2))] }), 0));
    const f = tcpFrame();
    const outputs = [0, 1, 2, 3].map(() => run(p, f, 1, 0).length);
    expect(outputs).toEqual([1, 1, 0, 0]);
    expect(run(p, f, 1, 1000).length).toBe(1); // one token per second
    const m = p.meter(1)!;
    expect([m.packetInCount, m.byteInCount, m.bands[0]!.packetCount]).toEqual([5, 5 * f.length, 2]);
  });

  it('dscp_remark raises the AF drop precedence in the output frame', () => {
    const p = newPipeline();
    ok(p.meterMod({ command: OFPMC_ADD, meterId: 2, flags: OFPMF_PKTPS | OFPMF_BURST, bands: [{ type: 'dscp_remark', rate: 1, burstSize: 1, precLevel: 1 }] }, 0));
    ok(p.flowMod(fm({ instructions: [{ type: 'meter', meterId: 2 }, apply(out(2))] }), 0));
    const first = run(p, tcpFrame())[0]!.bytes;
    const second = run(p, tcpFrame())[0]!.bytes;
    expect(first[15]! >> 2).toBe(10); // AF11 in budget
    expect(second[15]! >> 2).toBe(12); // AF12 over the rate
    expect(checksumsOk(second, 14)).toBe(true);
  });
});
