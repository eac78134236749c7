/**
 * Tunnel metadata in the pipeline: tun_src / tun_dst (Nicira NXM_NX_TUN_IPV4_SRC / _DST,
 * OXM class 0x0001 fields 31 / 32, as Open vSwitch carries them in OF1.3) beside
 * tunnel_id. The wire form (os-ken's bytes), the match semantics (P_TUNNEL), set-field
 * in apply-actions and in the action set (key only), and keeping them across a re-parse.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type OFMessage } from '../../src/openflow/index.js';
import {
  FlowKey, P_TUNNEL, W_PRESENT, W_TUN_DST, W_TUN_SRC, W_TUNNEL_LO, hasTunnelMeta, setTunnelMeta,
  tunnelDst, tunnelIdHi, tunnelIdLo, tunnelSrc,
} from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
import { setField as rewriteField } from '../../src/packet/rewrite-field.js';
import { pushVlan } from '../../src/packet/rewrite-tags.js';
import * as E from '../../src/pipeline/errors.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { OXM_TUN_DST, OXM_TUN_SRC, oxmHeader, oxmIdFromWire } from '../../src/packet/oxm.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { apply, be, fm, goto, keyOf, out, oxm, setField, write } from './pipeline-helpers.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ip = (s: string) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);

// An OFPT_FLOW_MOD os-ken serialised (python3-os-ken 2.x):
//   OFPMatch(tun_ipv4_src='1.2.3.4', tun_ipv4_dst=('10.0.0.0', '255.0.0.0'), tunnel_id=5),
//   apply_actions [OFPActionSetField(tun_ipv4_dst='5.6.7.8'), OFPActionOutput(2)]
// The match TLVs: 00013e04 01020304 (NXM_1 field 31), 00014108 0a000000 ff000000
// (NXM_1 field 32, masked), 80004c08 ...05 (OXM_OF_TUNNEL_ID).
const OSKEN_FLOW_MOD =
  '040e008000000007000000000000000000000000000000000000000000008000ffffffff000000000000000000000000' +
  '0001002400013e0401020304000141080a000000ff00000080004c08000000000000000500000000' +
  '00040028000000000019001000014004050607080000000000000010000000020000000000000000';

describe('OXM table and wire ids', () => {
  it('tun_src / tun_dst carry NXM_1 headers; a basic field 40 is not tun_src', () => {
    expect(oxmHeader(OXM_TUN_SRC, false).toString(16).padStart(8, '0')).toBe('00013e04');
    expect(oxmHeader(OXM_TUN_SRC, true).toString(16).padStart(8, '0')).toBe('00013f08');
    expect(oxmHeader(OXM_TUN_DST, false).toString(16).padStart(8, '0')).toBe('00014004');
    expect([oxmIdFromWire(0x0001, 31), oxmIdFromWire(0x0001, 32), oxmIdFromWire(0x8000, 38)]).toEqual([40, 41, 38]);
    expect([oxmIdFromWire(0x8000, 40), oxmIdFromWire(0x0001, 33), oxmIdFromWire(0x0000, 31)]).toEqual([-1, -1, -1]);
  });
});

describe('codec: os-ken bytes', () => {
  it('decodes to tun_src, masked tun_dst, tunnel_id and a set_field tun_dst; encodes back byte for byte', () => {
    const r = decodeMessage(hex(OSKEN_FLOW_MOD));
    if (isOFError(r)) throw new Error(E.describeOFError(r));
    const m = r as Extract<OFMessage, { type: 'flow_mod' }>;
    expect(m.match).toEqual([
      { field: OXM_TUN_SRC, value: hex('01020304') },
      { field: OXM_TUN_DST, value: hex('0a000000'), mask: hex('ff000000') },
      { field: 38, value: hex('0000000000000005') },
    ]);
    expect(m.instructions).toEqual([{ type: 'apply_actions', actions: [
      { type: 'set_field', field: { field: OXM_TUN_DST, value: hex('05060708') } },
      { type: 'output', port: 2, maxLen: 0 },
    ] }]);
    expect(toHex(encodeMessage(m))).toBe(OSKEN_FLOW_MOD);
  });

  it('refuses a basic-class TLV with field number 40 (OFPBMC_BAD_FIELD) and in set-field (BAD_SET_TYPE)', () => {
    const asBasic40 = OSKEN_FLOW_MOD.replace('00013e0401020304', '8000500401020304');
    expect(asBasic40).not.toBe(OSKEN_FLOW_MOD);
    const r = decodeMessage(hex(asBasic40));
    expect(isOFError(r) ? [r.type, r.code, r.message] : null).toEqual(
      [E.OFPET_BAD_MATCH, E.OFPBMC_BAD_FIELD, 'OXM class 0x8000 field 40 is not supported']);
    const setBasic41 = OSKEN_FLOW_MOD.replace('0019001000014004', '0019001080005204');
    expect(setBasic41).not.toBe(OSKEN_FLOW_MOD);
    const s = decodeMessage(hex(setBasic41));
    expect(isOFError(s) ? [s.type, s.code] : null).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_SET_TYPE]);
  });
});

describe('matching: P_TUNNEL', () => {
  const newPipeline = () => new Pipeline({ nTables: 4, portExists: (p) => p >= 1 && p <= 8, portLive: () => true });
  const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
  const ports = (p: Pipeline, k: FlowKey) => p.decide(k, 0).ops.map((o) => (o.op === 'output' ? o.port : o.op));

  it('tun_src=0.0.0.0 matches only packets from a tunnel; tun_dst masks; tunnel_id=0 matches any packet', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ priority: 30, match: [oxm('tun_src', 0)], instructions: [apply(out(3))] }), 0));
    ok(p.flowMod(fm({ priority: 20, match: [oxm('tun_dst', ip('10.0.0.0'), ip('255.0.0.0'))], instructions: [apply(out(2))] }), 0));
    ok(p.flowMod(fm({ priority: 10, match: [oxm('tunnel_id', 0)], instructions: [apply(out(1))] }), 0));
    const plain = keyOf(5, {});
    expect(ports(p, plain)).toEqual([1]);
    const fromTunnel = keyOf(5, {});
    setTunnelMeta(fromTunnel, 0, 0, 0, 0);
    expect(ports(p, fromTunnel)).toEqual([3]);
    setTunnelMeta(fromTunnel, 0, 7, ip('192.168.0.1'), ip('10.9.9.9'));
    expect(ports(p, fromTunnel)).toEqual([2]);
    setTunnelMeta(fromTunnel, 0, 0, ip('192.168.0.1'), ip('11.9.9.9'));
    expect(ports(p, fromTunnel)).toEqual([1]);
  });

  it('set_field tun_dst / tunnel_id in apply-actions is seen by the next table; in the action set it goes out with the packet', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ tableId: 0, instructions: [
      apply(setField('tun_dst', ip('172.16.0.9')), setField('tunnel_id', 0x1234)),
      write(setField('tun_src', ip('172.16.0.1')), out(4)), goto(1),
    ] }), 0));
    ok(p.flowMod(fm({ tableId: 1, match: [oxm('tun_dst', ip('172.16.0.9')), oxm('tunnel_id', 0x1234)],
      instructions: [write(setField('tun_dst', ip('172.16.0.10')))] }), 0));
    const d = p.decide(keyOf(1, {}), 0);
    expect(d.matched).toEqual([true, true]);
    // Action set order (OF1.3.5 §5.10): set-field before output.
    expect(d.ops).toEqual([
      { op: 'set_field', field: OXM_TUN_DST, value: be(ip('172.16.0.9'), 4) },
      { op: 'set_field', field: 38, value: be(0x1234, 8) },
      { op: 'set_field', field: OXM_TUN_SRC, value: be(ip('172.16.0.1'), 4) },
      { op: 'set_field', field: OXM_TUN_DST, value: be(ip('172.16.0.10'), 4) },
      expect.objectContaining({ op: 'output', port: 4 }),
    ]);
  });
});

// UDP/IPv4 10.0.0.1:53 → 10.0.0.2:53, 42 bytes, with 4 bytes of headroom in front.
const UDP = '0200000000020200000000010800' + '4500001c000000004011f9cd0a0000010a000002' + '003500350008ffff';

describe('the frame side: set-field changes only the key; a re-parse keeps the metadata', () => {
  it('rewriteField on tun_dst and tunnel_id leaves the frame alone and sets P_TUNNEL', () => {
    const buf = hex(UDP);
    const key = new FlowKey();
    parseFrame(buf, 0, buf.length, 1, key);
    expect(hasTunnelMeta(key)).toBe(false);
    expect(rewriteField(buf, 0, buf.length, key, OXM_TUN_DST, be(ip('10.20.30.40'), 4))).toBe(true);
    expect(rewriteField(buf, 0, buf.length, key, 38, be(0x100000002n, 8))).toBe(true);
    expect(toHex(buf)).toBe(UDP);
    expect([tunnelDst(key), tunnelSrc(key), tunnelIdHi(key), tunnelIdLo(key), hasTunnelMeta(key)])
      .toEqual([ip('10.20.30.40'), 0, 1, 2, true]);
  });

  it('push_vlan re-parses the frame and keeps tunnel_id, tun_src, tun_dst and P_TUNNEL', () => {
    const buf = new Uint8Array(4 + UDP.length / 2);
    buf.set(hex(UDP), 4);
    const key = new FlowKey();
    parseFrame(buf, 4, buf.length - 4, 1, key);
    setTunnelMeta(key, 0, 99, ip('192.0.2.1'), ip('192.0.2.2'));
    expect(pushVlan(buf, 4, buf.length - 4, key, 0x8100)).toBe(0);
    expect([key.words[W_TUNNEL_LO], key.words[W_TUN_SRC], key.words[W_TUN_DST], key.words[W_PRESENT]! & P_TUNNEL])
      .toEqual([99, ip('192.0.2.1'), ip('192.0.2.2'), P_TUNNEL]);
    expect(key.vlanVid).toBe(0x1000);
  });
});
