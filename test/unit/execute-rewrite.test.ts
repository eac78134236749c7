// Every frame-changing op through the datapath's executor (run-decision.ts), on the scapy
// frames of test/fixtures/packets/golden.json: the output must equal scapy's result
// byte for byte (scapy rebuilt all its checksums from scratch), and the checksums of the
// output are checked once more here by a full recomputation that shares no code with
// src/packet (an IPv4 header, TCP/UDP/ICMP/ICMPv6 over their pseudo-headers, SCTP CRC32c).
import { describe, expect, it } from 'vitest';
import type { Decision, Op } from '../../src/pipeline/decision.js';
import { executeDecision, type OutputInfo } from './run-decision.js';
import { OFPP_CONTROLLER, OFPR_INVALID_TTL } from '../../src/pipeline/types.js';
import { REWRITES, type GoldenRewrite, fieldBytes, fieldInfo, frameByName, hexBytes, popOnWire } from './packet-golden.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rd16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;

function sum16(b: Uint8Array, from: number, to: number, init = 0): number {
  let s = init;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function crc32c(b: Uint8Array, from: number, to: number): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) {
    c ^= b[i]!;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Verifies every checksum it can find; returns the names of those checked and failed. */
function verifyChecksums(f: Uint8Array): { checked: string[]; bad: string[] } {
  const checked: string[] = [];
  const bad: string[] = [];
  const check = (name: string, ok: boolean) => { checked.push(name); if (!ok) bad.push(name); };
  const l4 = (proto: number, o: number, end: number, pseudo: number, frag: boolean) => {
    if (frag) return;
    const len = end - o;
    if (proto === 6) check('tcp', sum16(f, o, end, pseudo + 6 + len) === 0xffff);
    else if (proto === 17 && rd16(f, o + 6) !== 0) check('udp', sum16(f, o, end, pseudo + 17 + len) === 0xffff);
    else if (proto === 1) check('icmp', sum16(f, o, end) === 0xffff);
    else if (proto === 58) check('icmpv6', sum16(f, o, end, pseudo + 58 + len) === 0xffff);
    else if (proto === 132) {
      const want = (f[o + 8]! | (f[o + 9]! << 8) | (f[o + 10]! << 16) | (f[o + 11]! << 24)) >>> 0;
      const c = f.slice(o, end);
      c.fill(0, 8, 12);
      check('sctp', crc32c(c, 0, c.length) === want);
    }
  };
  const ip = (o: number) => {
    if (o >= f.length) return;
    const v = f[o]! >>> 4;
    if (v === 4) {
      const ihl = (f[o]! & 15) * 4;
      if (ihl < 20 || o + ihl > f.length) return;
      check('ipv4', sum16(f, o, o + ihl) === 0xffff);
      const end = Math.min(f.length, o + rd16(f, o + 2));
      l4(f[o + 9]!, o + ihl, end, sum16(f, o + 12, o + 20), (rd16(f, o + 6) & 0x3fff) !== 0);
    } else if (v === 6 && o + 40 <= f.length) {
      let nh = f[o + 6]!;
      let p = o + 40;
      const end = Math.min(f.length, p + rd16(f, o + 4));
      while ((nh === 0 || nh === 43 || nh === 60) && p + 8 <= end) { nh = f[p]!; p += (f[p + 1]! + 1) * 8; }
      l4(nh, p, end, sum16(f, o + 8, o + 40), nh === 44);
    }
  };
  const eth = (o: number): void => {
    let t = rd16(f, o + 12);
    let p = o + 14;
    while (t === 0x8100 || t === 0x88a8) { t = rd16(f, p + 2); p += 4; }
    if (t === 0x0800 || t === 0x86dd) ip(p);
    else if (t === 0x8847 || t === 0x8848) {
      while (p + 4 <= f.length && (f[p + 2]! & 1) === 0) p += 4;
      ip(p + 4);
    } else if (t === 0x88e7) eth(p + 4);
  };
  eth(0);
  return { checked, bad };
}

function decision(ops: Op[]): Decision {
  return { ops, rules: [], groups: [], buckets: [], meters: [], tablesVisited: [0], matched: [true], cacheable: true, generation: 0 };
}
const output = (port: number): Op => ({ op: 'output', port, maxLen: 0, reason: 0, tableId: 0, cookie: 0n });

function opOf(g: GoldenRewrite): Op {
  const o = g.op;
  switch (o.op) {
    case 'set_field': {
      const info = fieldInfo(o.field!);
      return { op: 'set_field', field: info.id, value: fieldBytes(info, o.value!) };
    }
    case 'push_vlan': case 'push_mpls': case 'pop_mpls': case 'push_pbb':
      return { op: o.op, ethertype: o.ethertype! };
    case 'set_nw_ttl': case 'set_mpls_ttl':
      return { op: o.op, ttl: o.ttl! };
    case 'pop_vlan': case 'pop_pbb': case 'copy_ttl_in': case 'copy_ttl_out':
      return { op: o.op };
    case 'dec_nw_ttl': case 'dec_mpls_ttl':
      return { op: o.op, tableId: 4, cookie: 0x77n };
    default:
      throw new Error(`unknown golden op ${o.op}`);
  }
}

interface Sent { port: number; bytes: Uint8Array; info: OutputInfo }
function run(d: Decision, frame: Uint8Array, inPort = 1): Sent[] {
  const sent: Sent[] = [];
  executeDecision(d, frame, frame.length, inPort, 0, (port, bytes, info) => sent.push({ port, bytes: bytes.slice(), info }));
  return sent;
}

describe('executeDecision × src/packet/rewrite.ts, against scapy', () => {
  it('covers every kind of op the golden file has', () => {
    const kinds = new Set(REWRITES.map((r) => r.op.op));
    for (const k of ['set_field', 'push_vlan', 'pop_vlan', 'push_mpls', 'pop_mpls', 'push_pbb', 'pop_pbb',
      'dec_nw_ttl', 'set_nw_ttl', 'dec_mpls_ttl', 'set_mpls_ttl', 'copy_ttl_in', 'copy_ttl_out']) expect(kinds.has(k)).toBe(true);
  });

  for (const g of REWRITES) {
    it(`${g.name}: ${g.op.op}${g.op.field ? ` ${g.op.field}` : ''} on ${g.input}`, () => {
      const input = hexBytes(frameByName(g.input).hex);
      const before = toHex(input);
      const sent = run(decision([opOf(g), output(2)]), input);
      expect(toHex(input)).toBe(before); // the caller's frame is not touched
      if (!g.result) {
        // An expired TTL: no output, an INVALID_TTL packet-in with the unchanged frame.
        expect(sent.map((s) => [s.port, s.info.reason, s.info.tableId, s.info.cookie])).toEqual([[OFPP_CONTROLLER, OFPR_INVALID_TTL, 4, 0x77n]]);
        expect(toHex(sent[0]!.bytes)).toBe(before);
        return;
      }
      expect(sent.map((s) => s.port)).toEqual([2]);
      const outBytes = sent[0]!.bytes;
      expect(toHex(outBytes)).toBe(g.op.op.startsWith('pop_') ? popOnWire(g.hex) : g.hex);
      const { checked, bad } = verifyChecksums(outBytes);
      expect(bad).toEqual([]);
      // Same checksums found as in the input: the check did not silently skip a header
      // (except where the op changes what the payload is: eth_type, ip_proto, mpls_bos).
      if (!['eth_type', 'ip_proto-v4', 'mpls_bos'].includes(g.name)) expect(checked).toEqual(verifyChecksums(input).checked);
    });
  }

  it('the independent checker does check something, and catches a corrupted checksum', () => {
    const f = hexBytes(frameByName('tcp4').hex);
    expect(verifyChecksums(f)).toEqual({ checked: ['ipv4', 'tcp'], bad: [] });
    f[f.length - 1]! ^= 1;
    expect(verifyChecksums(f).bad).toEqual(['tcp']);
    expect(verifyChecksums(hexBytes(frameByName('sctp4').hex))).toEqual({ checked: ['ipv4', 'sctp'], bad: [] });
  });

  it('a chain of ops: pop_mpls, dec_nw_ttl, set ipv4_dst, push_vlan — all checksums recomputed fine', () => {
    const input = hexBytes(frameByName('mpls-ipv4').hex);
    const ipv4Dst = fieldInfo('ipv4_dst');
    const sent = run(decision([
      { op: 'pop_mpls', ethertype: 0x0800 }, { op: 'dec_nw_ttl' },
      { op: 'set_field', field: ipv4Dst.id, value: fieldBytes(ipv4Dst, 'ac106301') },
      { op: 'push_vlan', ethertype: 0x8100 }, output(2),
    ]), input);
    const b = sent[0]!.bytes;
    expect(b.length).toBe(60); // 58 bytes after the pop and the push, padded as a NIC pads
    expect(toHex(b.subarray(12, 18))).toBe('810000000800'); // tag with VID 0, then IPv4
    expect(b[18 + 8]).toBe(32); // TTL 33 − 1
    expect(toHex(b.subarray(18 + 16, 18 + 20))).toBe('ac106301');
    expect(verifyChecksums(b)).toEqual({ checked: ['ipv4', 'tcp'], bad: [] });
  });

  it('a group bucket gets its own copy: a pop in the bucket does not change the main packet', () => {
    const input = hexBytes(frameByName('vlan-tcp4').hex);
    const sent = run(decision([{ op: 'branch', ops: [{ op: 'pop_vlan' }, output(3)] }, { op: 'dec_nw_ttl' }, output(2)]), input);
    expect(sent.map((s) => [s.port, s.bytes.length])).toEqual([[3, 60], [2, input.length]]); // 54 + padding
    expect(toHex(sent[0]!.bytes)).toBe(popOnWire(REWRITES.find((r) => r.name === 'pop_vlan')!.hex));
    expect(toHex(sent[1]!.bytes)).toBe(REWRITES.find((r) => r.name === 'dec_nw_ttl-v4-vlan')!.hex);
  });

  it('ops that do not apply are skipped (pop_vlan on an untagged frame, set_mpls_ttl without MPLS)', () => {
    const input = hexBytes(frameByName('tcp4').hex);
    const sent = run(decision([{ op: 'pop_vlan' }, { op: 'set_mpls_ttl', ttl: 3 }, { op: 'pop_pbb' }, output(2)]), input);
    expect(toHex(sent[0]!.bytes)).toBe(toHex(input));
  });
});
