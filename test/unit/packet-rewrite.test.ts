// In-place rewrites against scapy: each golden rewrite (make-golden.py / rewrites.py) is
// the same change made by scapy with all checksums deleted and rebuilt from scratch, so
// comparing bytes checks our incremental checksum updates against a full recomputation
// by an independent tool.
import { describe, expect, it } from 'vitest';
import {
  FlowKey, M_FRAME_LEN, W_METADATA_LO, W_TUNNEL_LO,
} from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
import * as R from '../../src/packet/rewrite.js';
import { OFPXMT_OFB_TUNNEL_ID, OFPXMT_OFB_VLAN_VID, OFPXMT_OFB_IPV4_SRC } from '../../src/packet/oxm.js';
import { REWRITES, type GoldenRewrite, fieldBytes, fieldInfo, frameByName, hexBytes } from './packet-golden.js';

const HEADROOM = 32;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Applied { out: Uint8Array; key: FlowKey; result: boolean }

function load(name: string): { buf: Uint8Array; len: number; key: FlowKey } {
  const frame = hexBytes(frameByName(name).hex);
  const buf = new Uint8Array(HEADROOM + frame.length + 32).fill(0xcc);
  buf.set(frame, HEADROOM);
  const key = new FlowKey();
  parseFrame(buf, HEADROOM, frame.length, 3, key);
  return { buf, len: frame.length, key };
}

function apply(rw: GoldenRewrite): Applied {
  const { buf, len, key } = load(rw.input);
  let start = HEADROOM;
  let result = true;
  const op = rw.op;
  const moved = (ns: number) => {
    expect(ns).toBeGreaterThanOrEqual(0);
    start = ns;
  };
  switch (op.op) {
    case 'set_field': {
      const info = fieldInfo(op.field!);
      result = R.setField(buf, start, len, key, info.id, fieldBytes(info, op.value!));
      break;
    }
    case 'push_vlan': moved(R.pushVlan(buf, start, len, key, op.ethertype!)); break;
    case 'pop_vlan': moved(R.popVlan(buf, start, len, key)); break;
    case 'push_mpls': moved(R.pushMpls(buf, start, len, key, op.ethertype!)); break;
    case 'pop_mpls': moved(R.popMpls(buf, start, len, key, op.ethertype!)); break;
    case 'push_pbb': moved(R.pushPbb(buf, start, len, key, op.ethertype!)); break;
    case 'pop_pbb': moved(R.popPbb(buf, start, len, key)); break;
    case 'dec_nw_ttl': result = R.decNwTtl(buf, start, len, key); break;
    case 'set_nw_ttl': result = R.setNwTtl(buf, start, len, key, op.ttl!); break;
    case 'dec_mpls_ttl': result = R.decMplsTtl(buf, start, len, key); break;
    case 'set_mpls_ttl': result = R.setMplsTtl(buf, start, len, key, op.ttl!); break;
    case 'copy_ttl_out': result = R.copyTtlOut(buf, start, len, key); break;
    case 'copy_ttl_in': result = R.copyTtlIn(buf, start, len, key); break;
    default: throw new Error(`unknown op ${op.op}`);
  }
  const newLen = op.op.startsWith('push') || op.op.startsWith('pop') ? key.meta[M_FRAME_LEN]! : len;
  return { out: buf.slice(start, start + newLen), key, result };
}

// Set-field on these changes what the frame IS (a new ethertype or protocol), so the
// kept key legitimately differs from a fresh parse (the pipeline tracks it itself).
const KEY_DIFFERS = new Set(['eth_type', 'ip_proto-v4']);

describe('rewrites against scapy', () => {
  it('covers every settable field family and every structural op', () => {
    const ops = new Set(REWRITES.map((r) => (r.op.op === 'set_field' ? r.op.field! : r.op.op)));
    expect(ops.size).toBeGreaterThanOrEqual(45);
  });

  for (const rw of REWRITES) {
    it(`${rw.name}: bytes equal scapy's (${rw.scapy})`, () => {
      const { out, key, result } = apply(rw);
      expect(result).toBe(rw.result);
      expect(hex(out)).toBe(rw.hex);
      if (KEY_DIFFERS.has(rw.name)) return;
      // The key was kept in step: it is what parsing the rewritten frame gives.
      const fresh = new FlowKey();
      parseFrame(out, 0, out.length, 3, fresh);
      expect(Array.from(key.words)).toEqual(Array.from(fresh.words));
    });
  }
});

describe('rewrite edge cases', () => {
  it('set-field on a header the frame lacks does nothing and returns false', () => {
    const { buf, len, key } = load('tcp4');
    const before = hex(buf);
    expect(R.setField(buf, HEADROOM, len, key, OFPXMT_OFB_VLAN_VID, new Uint8Array([0x10, 0x05]))).toBe(false);
    expect(R.setField(buf, HEADROOM, len, key, fieldInfo('udp_src').id, new Uint8Array([0, 1]))).toBe(false);
    expect(R.setField(buf, HEADROOM, len, key, fieldInfo('ipv6_src').id, new Uint8Array(16))).toBe(false);
    expect(R.setField(buf, HEADROOM, len, key, fieldInfo('in_port').id, new Uint8Array(4))).toBe(false);
    expect(R.setField(buf, HEADROOM, len, key, OFPXMT_OFB_IPV4_SRC, new Uint8Array(3))).toBe(false);
    expect(hex(buf)).toBe(before);
  });

  it('tunnel_id changes the key only', () => {
    const { buf, len, key } = load('tcp4');
    const before = hex(buf);
    expect(R.setField(buf, HEADROOM, len, key, OFPXMT_OFB_TUNNEL_ID, new Uint8Array([0, 0, 0, 0, 0, 0, 0x12, 0x34]))).toBe(true);
    expect(key.words[W_TUNNEL_LO]).toBe(0x1234);
    expect(hex(buf)).toBe(before);
  });

  it('push/pop keep metadata, tunnel_id and in_port across the re-parse', () => {
    const { buf, len, key } = load('tcp4');
    key.words[W_METADATA_LO] = 99;
    key.words[W_TUNNEL_LO] = 77;
    const ns = R.pushVlan(buf, HEADROOM, len, key, 0x8100);
    expect(key.words[W_METADATA_LO]).toBe(99);
    expect(key.words[W_TUNNEL_LO]).toBe(77);
    expect(key.inPort).toBe(3);
    expect(R.popVlan(buf, ns, key.meta[M_FRAME_LEN]!, key)).toBe(HEADROOM);
    expect(hex(buf.subarray(HEADROOM, HEADROOM + len))).toBe(frameByName('tcp4').hex);
  });

  it('refuses pushes without headroom and pops of absent headers', () => {
    const frame = hexBytes(frameByName('tcp4').hex);
    const key = new FlowKey();
    parseFrame(frame, 0, frame.length, 1, key);
    expect(R.pushVlan(frame, 0, frame.length, key, 0x8100)).toBe(-1);
    expect(R.pushMpls(frame, 0, frame.length, key, 0x8847)).toBe(-1);
    expect(R.pushPbb(frame, 0, frame.length, key, 0x88e7)).toBe(-1);
    expect(R.popVlan(frame, 0, frame.length, key)).toBe(-1);
    expect(R.popMpls(frame, 0, frame.length, key, 0x0800)).toBe(-1);
    expect(R.popPbb(frame, 0, frame.length, key)).toBe(-1);
    expect(hex(frame)).toBe(frameByName('tcp4').hex);
  });

  it('push_mpls over a non-IP payload uses TTL 0 (OF1.3.5 §5.12.1: no source in Table 7)', () => {
    const { buf, len, key } = load('arp-req');
    const ns = R.pushMpls(buf, HEADROOM, len, key, 0x8847);
    expect(hex(buf.subarray(ns + 12, ns + 18))).toBe('884700000100');
  });

  it('a chain of rewrites keeps the frame valid for scapy-equivalent results', () => {
    // push_vlan then set ipv4_src then pop_vlan == set ipv4_src alone.
    const a = load('tcp4');
    let s = R.pushVlan(a.buf, HEADROOM, a.len, a.key, 0x8100);
    const v = fieldBytes(fieldInfo('ipv4_src'), 'ac106301');
    expect(R.setField(a.buf, s, a.key.meta[M_FRAME_LEN]!, a.key, OFPXMT_OFB_IPV4_SRC, v)).toBe(true);
    s = R.popVlan(a.buf, s, a.key.meta[M_FRAME_LEN]!, a.key);
    const want = REWRITES.find((r) => r.name === 'ipv4_src-tcp')!.hex;
    expect(hex(a.buf.subarray(s, s + a.len))).toBe(want);
  });
});
