// The OpenFlow 1.5 codec (src/openflow/of15/): layouts with the spec's sizes, literal bytes
// of the structures 1.5 changed (packet-out with a match, OXS stats, buckets with ids and
// properties, copy-field and meter actions, the new match fields), round trips of every
// message in its 1.5 form, the version gate that keeps 1.5's vocabulary out of 1.3 and
// 1.4, and malformed messages → the spec's error, never an exception (seeded mutation).
import { describe, expect, it } from 'vitest';
import { codecFor, formatProtocols, parseProtocols, DEFAULT_VERSIONS, IMPLEMENTED_VERSIONS } from '../../src/openflow/codec.js';
import { layoutLength, type Layout } from '../../src/openflow/layouts.js';
import type { OFMessage } from '../../src/openflow/index.js';
import * as C from '../../src/openflow/of15/constants.js';
import * as L from '../../src/openflow/of15/layouts.js';
import { decodeMessage15, decodeMessage15Strict } from '../../src/openflow/of15/decode.js';
import { encodeMessage15 } from '../../src/openflow/of15/encode.js';
import {
  OFPBAC_BAD_TYPE, OFPBIC_UNKNOWN_INST, OFPBMC_BAD_FIELD, OFPBRC_BAD_LEN, OFPBRC_BAD_MULTIPART, OFPBRC_BAD_TYPE,
  OFPBRC_BAD_VERSION, OFPET_BAD_ACTION, OFPET_BAD_INSTRUCTION, OFPET_BAD_MATCH, OFPET_BAD_REQUEST, isOFError, type OFError,
} from '../../src/pipeline/errors.js';
import { flowMod } from '../../src/pipeline/types.js';
import { MATCH15, samples15 } from './openflow15-samples.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc15 = (m: OFMessage): Uint8Array => encodeMessage15(m)!;

function tiles(l: Layout): void {
  let at = 0;
  for (const [name, [start, end]] of Object.entries(l).sort((a, b) => a[1][0] - b[1][0])) {
    expect({ name, start }).toEqual({ name, start: at });
    at = end;
  }
}

function errorOf(r: OFMessage | OFError): [number, number] {
  if (!isOFError(r)) throw new Error(`decoded, expected an error: ${r.type}`);
  return [r.type, r.code];
}

describe('OpenFlow 1.5 layouts (1.5.1 openflow.h OFP_ASSERTs)', () => {
  it('each table tiles its structure and has the spec size', () => {
    const cases: [Layout, number][] = [
      [L.OFP15_PACKET_OUT, C.OFP15_PACKET_OUT_LEN], [L.OFP15_FLOW_REMOVED, C.OFP15_FLOW_REMOVED_LEN],
      [L.OFP15_FLOW_DESC, C.OFP15_FLOW_DESC_LEN], [L.OFP15_FLOW_STATS, C.OFP15_FLOW_STATS_LEN],
      [L.OFP15_GROUP_MOD, C.OFP15_GROUP_MOD_LEN], [L.OFP15_BUCKET, C.OFP15_BUCKET_LEN], [L.OFP15_GROUP_DESC, C.OFP15_GROUP_DESC_LEN],
      [L.OFP15_METER_FEATURES, C.OFP15_METER_FEATURES_LEN],
    ];
    for (const [l, size] of cases) {
      tiles(l);
      expect(layoutLength(l)).toBe(size);
    }
  });
});

describe('OpenFlow 1.5 literal bytes', () => {
  it('packet-out: buffer_id, actions_len, a match with in_port, then actions and data', () => {
    const m: OFMessage = { type: 'packet_out', xid: 1, bufferId: 0xffffffff, inPort: 3, actions: [{ type: 'output', port: 2, maxLen: 0 }], data: hex('aabb') };
    const bytes = hex(`06 0d 0032 00000001  ffffffff 0010 0000
      0001 000c 80000004 00000003 00000000
      0000 0010 00000002 0000 000000000000  aabb`);
    expect(toHex(enc15(m))).toBe(toHex(bytes));
    expect(decodeMessage15(bytes)).toEqual(m);
  });

  it('aggregate reply: ofp_stats with packet_count, byte_count, flow_count (OXS class 0x8002)', () => {
    const m: OFMessage = { type: 'multipart_reply', xid: 2, flags: 0, body: { kind: 'aggregate', packetCount: 5n, byteCount: 6n, flowCount: 7 } };
    const bytes = hex(`06 13 0038 00000002  0002 0000 00000000
      0000 0024  80020808 0000000000000005  80020a08 0000000000000006  80020604 00000007  00000000`);
    expect(toHex(enc15(m))).toBe(toHex(bytes));
    expect(decodeMessage15(bytes)).toEqual(m);
  });

  it('group-mod: bucket_array_len, command_bucket_id, a bucket with its id, actions and weight property', () => {
    const m: OFMessage = {
      type: 'group_mod', xid: 3, command: 0, groupType: 1, groupId: 5, commandBucketId: 0xffffffff,
      buckets: [{ bucketId: 4, weight: 9, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 1, maxLen: 0 }] }],
    };
    const bytes = hex(`06 0f 0038 00000003  0000 01 00 00000005 0020 0000 ffffffff
      0020 0010 00000004  0000 0010 00000001 0000 000000000000  0000 0008 0009 0000`);
    expect(toHex(enc15(m))).toBe(toHex(bytes));
    expect(decodeMessage15(bytes)).toEqual(m);
  });

  it('copy-field and meter actions; tcp_flags, actset_output and packet_type as basic OXM fields 42, 43, 44', () => {
    const fm: OFMessage = {
      type: 'flow_mod', xid: 4, ...flowMod({
        match: [{ field: 43, value: hex('00000002') }, { field: 44, value: hex('00000000') }, { field: 42, value: hex('0002'), mask: hex('0012') }],
        instructions: [{ type: 'apply_actions', actions: [{ type: 'meter', meterId: 7 }, { type: 'copy_field', nBits: 16, srcOffset: 0, dstOffset: 0, src: 13, dst: 14 }] }],
      }),
    };
    const b = enc15(fm);
    const body = toHex(b.subarray(48));
    expect(body).toBe(toHex(hex(`0001 001c 80005604 00000002 80005804 00000000 80005504 0002 0012  00000000
      0004 0028 00000000  001d 0008 00000007  001c 0018 0010 0000 0000 0000 80001a02 80001c02 00000000`)));
    expect(decodeMessage15(b)).toEqual(fm);
  });

  it('the meter instruction of a rule a 1.3 controller installed is shown as the meter action, first', () => {
    const f = { tableId: 0, durationSec: 1, durationNsec: 2, priority: 3, idleTimeout: 0, hardTimeout: 0, flags: 0, cookie: 0n, packetCount: 0n, byteCount: 0n, match: [] };
    const m: OFMessage = { type: 'multipart_reply', xid: 5, flags: 0, body: { kind: 'flow', flows: [{ ...f, instructions: [{ type: 'meter', meterId: 2 }, { type: 'apply_actions', actions: [{ type: 'output', port: 1, maxLen: 0 }] }] }] } };
    const d = decodeMessage15(enc15(m));
    expect(d).toMatchObject({ body: { flows: [{ instructions: [{ type: 'apply_actions', actions: [{ type: 'meter', meterId: 2 }, { type: 'output', port: 1 }] }] }] } });
  });
});

describe('OpenFlow 1.5 round trips', () => {
  it('every sample decodes to itself', () => {
    for (const m of samples15()) {
      const d = decodeMessage15Strict(enc15(m));
      expect(isOFError(d) ? d.message : d, `${m.type} xid=${m.xid}`).toEqual(m);
    }
  });

  it('the codec table: 1.5 is implemented, named OpenFlow15 and offered by default', () => {
    expect(parseProtocols('OpenFlow15,OpenFlow13')).toEqual([4, 6]);
    expect(formatProtocols([1, 4, 5, 6])).toBe('OpenFlow10,OpenFlow13,OpenFlow14,OpenFlow15');
    expect(codecFor(6)?.version).toBe(6);
    expect(IMPLEMENTED_VERSIONS).toContain(6);
    expect(DEFAULT_VERSIONS).toEqual([1, 4, 5, 6]);
  });
});

describe('1.5 vocabulary in 1.3 and 1.4: refused on the way in, translated on the way out', () => {
  const fm = (match: typeof MATCH15, actions: OFMessage extends never ? never : any[]): OFMessage => ({ type: 'flow_mod', xid: 9, ...flowMod({ match, instructions: [{ type: 'apply_actions', actions }] }) });
  for (const v of [4, 5]) {
    it(`0x0${v}: tcp_flags → OFPBMC_BAD_FIELD, meter / copy-field actions → OFPBAC_BAD_TYPE`, () => {
      const c = codecFor(v)!;
      const asV = (m: OFMessage) => { const b = encodeMessage15(m)!; b[0] = v; return b; };
      expect(errorOf(c.decode(asV(fm(MATCH15, []))))).toEqual([OFPET_BAD_MATCH, OFPBMC_BAD_FIELD]);
      expect(errorOf(c.decode(asV(fm([], [{ type: 'meter', meterId: 1 }]))))).toEqual([OFPET_BAD_ACTION, OFPBAC_BAD_TYPE]);
      // a 1.5 meter action first in apply-actions reads as the meter instruction in 1.3 / 1.4
      const f = { tableId: 0, durationSec: 1, durationNsec: 2, priority: 3, idleTimeout: 0, hardTimeout: 0, flags: 0, cookie: 0n, packetCount: 0n, byteCount: 0n, match: [] };
      const reply: OFMessage = { type: 'multipart_reply', xid: 5, flags: 0, body: { kind: 'flow', flows: [{ ...f, instructions: [{ type: 'apply_actions', actions: [{ type: 'meter', meterId: 2 }, { type: 'output', port: 1, maxLen: 0 }] }] }] } };
      expect(c.decode(c.encode(reply)!)).toMatchObject({ body: { flows: [{ instructions: [{ type: 'meter', meterId: 2 }, { type: 'apply_actions', actions: [{ type: 'output', port: 1 }] }] }] } });
    });
  }
});

describe('OpenFlow 1.5 malformed messages → the spec error', () => {
  it('header: version, type, controller status; unsupported multipart types', () => {
    expect(errorOf(decodeMessage15(hex('05 14 0008 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION]);
    expect(errorOf(decodeMessage15(hex('06 24 0008 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE]);
    expect(errorOf(decodeMessage15(hex('06 23 0008 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE]);
    expect(errorOf(decodeMessage15(hex('06 12 0010 00000001 0012 0000 00000000')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART]);
    expect(errorOf(decodeMessage15(hex('06 12 0010 00000001 0013 0000 00000000')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART]);
    expect(errorOf(decodeMessage15(hex('06 12 0010 00000001 0007 0000 00000000')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_LEN]);
  });

  it('the meter instruction, which 1.5 deprecated → OFPBIC_UNKNOWN_INST; a packet-out match field other than in_port / metadata → OFPBMC_BAD_FIELD', () => {
    const b = codecFor(4)!.encode({ type: 'flow_mod', xid: 1, ...flowMod({ instructions: [{ type: 'meter', meterId: 1 }] }) })!;
    b[0] = 6;
    expect(errorOf(decodeMessage15(b))).toEqual([OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST]);
    const po = hex('06 0d 0020 00000001  ffffffff 0000 0000  0001 0009 80000a01 06 00000000 000000');
    expect(errorOf(decodeMessage15(po))).toEqual([OFPET_BAD_MATCH, OFPBMC_BAD_FIELD]);
  });
});

describe('OpenFlow 1.5 decoder fuzz (seeded, bounded)', () => {
  it('never throws; every success re-encodes and decodes again to the same', () => {
    let x = 0x1506;
    const rand = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
    const seeds = samples15().map(enc15);
    for (let i = 0; i < 20_000; i++) {
      const m = new Uint8Array(seeds[rand() % seeds.length]!);
      const n = 1 + (rand() % 4);
      for (let k = 0; k < n; k++) m[8 + (rand() % Math.max(1, m.length - 8))] = rand() & 0xff;
      const d = decodeMessage15Strict(m);
      if (isOFError(d)) continue;
      const again = decodeMessage15Strict(enc15(d));
      expect(isOFError(again) ? again.name : again).toEqual(d);
    }
  });
});
