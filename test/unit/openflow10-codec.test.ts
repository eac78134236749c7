// The OpenFlow 1.0 codec (src/openflow/of10/): layouts with the spec's sizes, literal bytes
// of the 1.0.0 structures, round trips of every 1.0 message, the wildcard rules of the
// 40-byte ofp_match, and malformed messages → OFPT_ERROR with 1.0 type/code numbers,
// never an exception (seeded mutation of every sample).
import { describe, expect, it } from 'vitest';
import { layoutLength, type Layout } from '../../src/openflow/layouts.js';
import { encodeError } from '../../src/openflow/error-codec.js';
import { splitReply } from '../../src/openflow/reply-split.js';
import * as L from '../../src/openflow/of10/layouts.js';
import { decodeMessage10, decodeMessage10Strict } from '../../src/openflow/of10/decode.js';
import { encodeMessage10 } from '../../src/openflow/of10/encode.js';
import { error13To10 } from '../../src/openflow/of10/errors.js';
import type { OFMessage } from '../../src/openflow/index.js';
import { isOFError, ofError, type OFError } from '../../src/pipeline/errors.js';
import { sampleMessages10 } from './openflow10-samples.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const enc = (m: OFMessage) => encodeMessage10(m)!;

/** What a 1.0 peer reads for an error: [type, code] from the OFPT_ERROR's bytes. */
function wireError(e: OFMessage | OFError, offending = new Uint8Array(8)): [number, number] {
  if (!isOFError(e)) throw new Error(`decoded, expected an error: ${e.type}`);
  const bytes = encodeError(0, e, offending, encodeMessage10);
  expect([bytes[0], bytes[1]]).toEqual([1, 1]); // version 1.0, OFPT_ERROR
  return [(bytes[8]! << 8) | bytes[9]!, (bytes[10]! << 8) | bytes[11]!];
}

function tiles(l: Layout): void {
  let at = 0;
  for (const [name, [start, end]] of Object.entries(l).sort((a, b) => a[1][0] - b[1][0])) {
    expect({ name, start }).toEqual({ name, start: at });
    at = end;
  }
}

describe('OpenFlow 1.0 layouts (1.0.0 openflow.h OFP_ASSERTs)', () => {
  it('each table tiles its structure and has the spec size', () => {
    const cases: [Layout, number][] = [
      [L.OFP10_MATCH, 40], [L.OFP10_FLOW_MOD, 72], [L.OFP10_FLOW_REMOVED, 88], [L.OFP10_PACKET_IN, 18],
      [L.OFP10_PACKET_OUT, 16], [L.OFP10_SWITCH_FEATURES, 32], [L.OFP10_PHY_PORT, 48], [L.OFP10_PORT_MOD, 32],
      [L.OFP10_FLOW_STATS_REQUEST, 44], [L.OFP10_FLOW_STATS, 88], [L.OFP10_TABLE_STATS, 64], [L.OFP10_PORT_STATS, 104],
      [L.OFP10_QUEUE_STATS, 32], [L.OFP10_AGGREGATE_REPLY, 24],
    ];
    for (const [l, size] of cases) {
      tiles(l);
      expect(layoutLength(l)).toBe(size);
    }
  });
});

describe('OpenFlow 1.0 literal bytes', () => {
  // ovs-ofctl add-flow (no -O) "priority=100,in_port=1,ip,nw_dst=10.0.0.0/24,actions=output:2"
  const FLOW_MOD = hex(`
    01 0e 00 50 00 00 00 2a
    00 32 20 ee 00 01 000000000000 000000000000 0000 00 00 0800 00 00 0000 00000000 0a000000 0000 0000
    0000000000000000 0000 0000 0000 0064 ffffffff ffff 0000
    0000 0008 0002 0000`);

  it('decodes a 1.0 flow-mod: table 0, CIDR nw_dst, actions as one apply-actions', () => {
    const m = decodeMessage10(FLOW_MOD);
    expect(m).toEqual({
      type: 'flow_mod', xid: 42, cookie: 0n, cookieMask: 0n, tableId: 0, command: 0, idleTimeout: 0, hardTimeout: 0,
      priority: 100, bufferId: 0xffffffff, outPort: 0xffffffff, outGroup: 0xffffffff, flags: 0,
      match: [
        { field: 0, value: hex('00000001') }, { field: 5, value: hex('0800') },
        { field: 12, value: hex('0a000000'), mask: hex('ffffff00') },
      ],
      instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: 2, maxLen: 0 }] }],
    });
  });

  it('encodes it back to the same bytes', () => {
    const m = decodeMessage10(FLOW_MOD) as OFMessage;
    expect(Buffer.from(enc(m)).toString('hex')).toBe(Buffer.from(FLOW_MOD).toString('hex'));
  });

  it('writes barrier, features request and echo with 1.0 type numbers', () => {
    expect([...enc({ type: 'barrier_request', xid: 1 })]).toEqual([1, 18, 0, 8, 0, 0, 0, 1]);
    expect([...enc({ type: 'barrier_reply', xid: 1 })]).toEqual([1, 19, 0, 8, 0, 0, 0, 1]);
    expect([...enc({ type: 'features_request', xid: 2 })]).toEqual([1, 5, 0, 8, 0, 0, 0, 2]);
    expect(enc({ type: 'port_mod', xid: 3, portNo: 1, hwAddr: new Uint8Array(6), config: 1, mask: 1, advertise: 0 })[1]).toBe(15);
  });
});

describe('OpenFlow 1.0 round trips', () => {
  for (const m of sampleMessages10()) {
    it(`${m.type} xid=${m.xid}${m.type === 'multipart_request' || m.type === 'multipart_reply' ? ` (${m.body.kind})` : ''}`, () => {
      const bytes = enc(m);
      expect(bytes[0]).toBe(1);
      expect((bytes[2]! << 8) | bytes[3]!).toBe(bytes.length);
      expect(decodeMessage10Strict(bytes)).toEqual(m);
    });
  }

  it('has no 1.0 form for 1.3-only messages and for rules outside table 0', () => {
    expect(encodeMessage10({ type: 'role_request', xid: 1, role: 2, generationId: 0n })).toBeNull();
    expect(encodeMessage10({ type: 'multipart_reply', xid: 1, flags: 0, body: { kind: 'group_desc', groups: [] } })).toBeNull();
    const fr = sampleMessages10().find((x) => x.type === 'flow_removed')!;
    expect(encodeMessage10({ ...fr, tableId: 3 })).toBeNull();
  });
});

describe('long 1.0 stats replies', () => {
  it('are split between entries, measured in 1.0 sizes, REPLY_MORE on all but the last', () => {
    const fs = sampleMessages10().find((m) => m.type === 'multipart_reply' && m.body.kind === 'flow')!;
    if (fs.type !== 'multipart_reply' || fs.body.kind !== 'flow') throw new Error('no flow stats sample');
    const one = fs.body.flows[0]!;
    const body = { kind: 'flow' as const, flows: Array.from({ length: 10 }, (_, i) => ({ ...one, priority: i })) };
    const parts = splitReply(7, body, 400, encodeMessage10);
    expect(parts.length).toBeGreaterThan(2);
    const got = parts.map((p) => decodeMessage10Strict(p));
    const flags = got.map((m) => (m.type === 'multipart_reply' ? m.flags : -1));
    expect(flags).toEqual([...Array<number>(parts.length - 1).fill(1), 0]);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(400);
    const prios = got.flatMap((m) => (m.type === 'multipart_reply' && m.body.kind === 'flow' ? m.body.flows.map((f) => f.priority) : []));
    expect(prios).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a body 1.0 has no form for produces no message', () => {
    expect(splitReply(7, { kind: 'group_desc', groups: [] }, 400, encodeMessage10)).toEqual([]);
  });
});

describe('the 40-byte ofp_match', () => {
  const match = (wildcards: number, fill: (b: Uint8Array) => void): OFMessage => {
    const m = new Uint8Array(12 + 44);
    m.set([1, 16, 0, 56, 0, 0, 0, 1, 0, 1, 0, 0]); // stats request, OFPST_FLOW
    new DataView(m.buffer).setUint32(12, wildcards);
    fill(m.subarray(12, 52));
    m[52] = 0xff; m[54] = 0xff; m[55] = 0xff; // table all, out_port none
    return decodeMessage10(m) as OFMessage;
  };
  const fieldsOf = (m: OFMessage) => (m.type === 'multipart_request' && m.body.kind === 'flow' ? m.body.match : []).map((f) => f.field);

  it('ignores nw_* and tp_* without dl_type=ip, and tp_* without nw_proto tcp/udp/icmp', () => {
    const all = 0x3fffff;
    const noIp = match(all & ~(1 << 5) & ~(1 << 6), (b) => { b[25] = 6; b[37] = 80; });
    expect(fieldsOf(noIp)).toEqual([]);
    const ipNoProto = match(all & ~(1 << 4) & ~(1 << 6), (b) => { b[22] = 8; b[37] = 80; });
    expect(fieldsOf(ipNoProto)).toEqual([5]);
  });

  it('dl_vlan=0xffff is "no tag", a lone dl_vlan_pcp means "any tag with this pcp"', () => {
    const none = match(0x3fffff & ~(1 << 1), (b) => { b[18] = 0xff; b[19] = 0xff; });
    expect(none.type === 'multipart_request' && none.body.kind === 'flow' && [...none.body.match[0]!.value]).toEqual([0, 0]);
    const pcp = match(0x3fffff & ~(1 << 20), (b) => { b[20] = 5; });
    expect(fieldsOf(pcp)).toEqual([6, 7]);
  });

  it('an ARP match carries opcode, spa and tpa in nw_proto, nw_src and nw_dst', () => {
    const arp = match(0x3fffff & ~(1 << 4) & ~(1 << 5) & ~(0x3f << 8), (b) => { b[22] = 8; b[23] = 6; b[25] = 1; b.set([10, 0, 0, 1], 28); });
    expect(fieldsOf(arp)).toEqual([5, 21, 22]);
  });

  it('a table other than 0 or all is refused: a 1.0 connection sees table 0 only', () => {
    const m = new Uint8Array(12 + 44);
    m.set([1, 16, 0, 56, 0, 0, 0, 1, 0, 1, 0, 0]);
    new DataView(m.buffer).setUint32(12, 0x3fffff);
    m[52] = 3;
    expect(wireError(decodeMessage10(m))).toEqual([1, 5]); // BAD_REQUEST/EPERM
  });
});

describe('malformed 1.0 messages → OFPT_ERROR with 1.0 numbers', () => {
  const cases: [string, string, [number, number]][] = [
    ['header length ≠ bytes', '01 05 00 10 00000001', [1, 6]],
    ['unknown type 22', '01 16 00 08 00000001', [1, 1]],
    ['a 1.3 message on the 1.0 codec', '04 05 00 08 00000001', [1, 0]],
    ['features request with a body', '01 05 00 0c 00000001 00000000', [1, 6]],
    ['port-mod too short', '01 0f 00 10 00000001 0001 020000000001', [1, 6]],
    ['unknown stats type 12', '01 10 00 0c 00000001 000c 0000', [1, 2]],
    ['desc stats with a body', '01 10 00 10 00000001 0000 0000 00000000', [1, 6]],
    ['vendor action', '01 0d 00 20 00000001 ffffffff fffd 0010 ffff 0010 00002320 0000000000000000', [2, 2]],
    ['action type 12', '01 0d 00 18 00000001 ffffffff fffd 0008 000c 0008 00000000', [2, 0]],
    ['output action of length 16', '01 0d 00 20 00000001 ffffffff fffd 0010 0000 0010 0002 0000 0000000000000000', [2, 1]],
    ['actions_len past the end', '01 0d 00 18 00000001 ffffffff fffd 0040 0000 0008 0002 0000', [1, 6]],
    ['set_tp_dst without nw_proto', '01 0d 00 18 00000001 ffffffff fffd 0008 000a 0008 0050 0000', [2, 5]],
  ];
  for (const [name, bytes, expected] of cases) {
    it(name, () => expect(wireError(decodeMessage10(hex(bytes)))).toEqual(expected));
  }

  it('flow-mod: bad command, emergency flag', () => {
    const fm = (command: number, flags: number, idle = 0) => {
      const m = new Uint8Array(72);
      m.set([1, 14, 0, 72]);
      new DataView(m.buffer).setUint32(8, 0x3fffff);
      new DataView(m.buffer).setUint16(56, command);
      new DataView(m.buffer).setUint16(58, idle);
      new DataView(m.buffer).setUint16(70, flags);
      return decodeMessage10(m);
    };
    expect(wireError(fm(5, 0))).toEqual([3, 4]); // FLOW_MOD_FAILED/BAD_COMMAND
    expect(wireError(fm(0, 4))).toEqual([3, 5]); // UNSUPPORTED
    expect(wireError(fm(0, 4, 10))).toEqual([3, 3]); // BAD_EMERG_TIMEOUT
  });

  it('maps the internal (1.3) error numbers to 1.0 ones', () => {
    expect(error13To10(5, 1)).toEqual([3, 0]); // TABLE_FULL → ALL_TABLES_FULL
    expect(error13To10(5, 3)).toEqual([3, 1]); // OVERLAP
    expect(error13To10(7, 1)).toEqual([4, 1]); // PORT_MOD_FAILED/BAD_HW_ADDR
    expect(error13To10(7, 2)).toEqual([1, 5]); // BAD_CONFIG: no 1.0 code
    expect(error13To10(9, 0)).toEqual([5, 0]); // QUEUE_OP_FAILED/BAD_PORT
    expect(error13To10(4, 9)).toEqual([1, 5]); // BAD_MATCH/BAD_PREREQ
    expect(error13To10(2, 10)).toEqual([2, 5]); // MATCH_INCONSISTENT → BAD_ARGUMENT
    expect(error13To10(1, 10)).toEqual([1, 5]); // IS_SLAVE → EPERM
    expect(wireError(ofError(0, 0, 'no common version'))).toEqual([0, 0]);
  });
});

describe('OpenFlow 1.0 decoder fuzz (seeded, bounded)', () => {
  /** 1.0 error types and their highest codes (§5.4.4). */
  const MAX10: Record<number, number> = { 0: 1, 1: 8, 2: 8, 3: 5, 4: 1, 5: 2 };
  it('never throws; every failure is a 1.0 error; every success re-encodes and decodes again', () => {
    let x = 0x10f10;
    const rand = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
    const seeds = sampleMessages10().map(enc);
    let ok = 0;
    let errors = 0;
    for (let i = 0; i < 20000; i++) {
      const m = new Uint8Array(seeds[rand() % seeds.length]!);
      const n = 1 + (rand() % 4);
      for (let k = 0; k < n; k++) {
        const at = 8 + (rand() % Math.max(1, m.length - 8));
        if (at < m.length) m[at] = rand() & 0xff;
      }
      const cut = rand() % 4 === 0 ? m.subarray(0, 8 + (rand() % Math.max(1, m.length - 8))) : m;
      const buf = new Uint8Array(cut);
      buf[2] = buf.length >> 8; buf[3] = buf.length & 0xff;
      const d = decodeMessage10Strict(buf);
      if (isOFError(d)) {
        const [t, c] = error13To10(d.type, d.code);
        expect(c).toBeLessThanOrEqual(MAX10[t]!);
        errors++;
        continue;
      }
      const again = encodeMessage10(d);
      if (again !== null) expect(isOFError(decodeMessage10Strict(again))).toBe(false);
      ok++;
    }
    expect(ok).toBeGreaterThan(1000);
    expect(errors).toBeGreaterThan(1000);
  });
});
