// The OpenFlow 1.4 codec (src/openflow/of14/): layouts with the spec's sizes, literal bytes
// of the structures 1.4 changed (ofp_port with its Ethernet property, bundle messages,
// async-config properties), round trips of every message in its 1.4 form, and malformed
// messages → the spec's error (OFPBRC_*, OFPET_BAD_PROPERTY, OFPET_BUNDLE_FAILED), never
// an exception (seeded mutation of every sample).
import { describe, expect, it } from 'vitest';
import { codecFor, parseProtocols, formatProtocols } from '../../src/openflow/codec.js';
import { layoutLength, type Layout } from '../../src/openflow/layouts.js';
import type { OFMessage } from '../../src/openflow/index.js';
import * as C from '../../src/openflow/of14/constants.js';
import * as L from '../../src/openflow/of14/layouts.js';
import { decodeMessage14, decodeMessage14Strict } from '../../src/openflow/of14/decode.js';
import { encodeMessage14 } from '../../src/openflow/of14/encode.js';
import {
  OFPBFC_MSG_BAD_LEN, OFPBFC_MSG_UNSUP, OFPBPC_BAD_LEN, OFPBPC_BAD_TYPE, OFPBPC_DUP_TYPE, OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE,
  OFPBRC_BAD_VERSION, OFPET_BAD_PROPERTY, OFPET_BAD_REQUEST, OFPET_BUNDLE_FAILED, isOFError, type OFError,
} from '../../src/pipeline/errors.js';
import { PORT, samples14 } from './openflow14-samples.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc14 = (m: OFMessage): Uint8Array => encodeMessage14(m)!;

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

describe('OpenFlow 1.4 layouts (1.4.1 openflow.h OFP_ASSERTs)', () => {
  it('each table tiles its structure and has the spec size', () => {
    const cases: [Layout, number][] = [
      [L.OFP14_PORT, C.OFP14_PORT_LEN], [L.OFP14_PORT_DESC_PROP_ETHERNET, C.OFP14_PORT_DESC_PROP_ETHERNET_LEN],
      [L.OFP14_PORT_STATS, C.OFP14_PORT_STATS_LEN], [L.OFP14_PORT_STATS_PROP_ETHERNET, C.OFP14_PORT_STATS_PROP_ETHERNET_LEN],
      [L.OFP14_QUEUE_STATS, C.OFP14_QUEUE_STATS_LEN], [L.OFP14_PORT_MOD, C.OFP14_PORT_MOD_LEN],
      [L.OFP14_PORT_MOD_PROP_ETHERNET, C.OFP14_PORT_MOD_PROP_ETHERNET_LEN],
      [L.OFP14_ASYNC_CONFIG_PROP_REASONS, C.OFP14_ASYNC_CONFIG_PROP_REASONS_LEN],
      [L.OFP14_ROLE_STATUS, C.OFP14_ROLE_STATUS_LEN], [L.OFP14_BUNDLE_CTRL, C.OFP14_BUNDLE_CTRL_LEN],
      [L.OFP14_BUNDLE_ADD, C.OFP14_BUNDLE_ADD_LEN],
    ];
    for (const [l, size] of cases) {
      tiles(l);
      expect(layoutLength(l)).toBe(size);
    }
    expect([C.OFP14_PORT_LEN, C.OFP14_PORT_STATS_LEN, C.OFP14_QUEUE_STATS_LEN]).toEqual([40, 80, 48]);
  });
});

describe('OpenFlow 1.4 literal bytes', () => {
  it('bundle-control: open request, flags atomic|ordered', () => {
    const m: OFMessage = { type: 'bundle_control', xid: 7, bundleId: 1, ctrlType: C.OFPBCT_OPEN_REQUEST, flags: 3 };
    const bytes = hex('05 21 0010 00000007  00000001 0000 0003');
    expect(toHex(enc14(m))).toBe(toHex(bytes));
    expect(decodeMessage14Strict(bytes)).toEqual(m);
  });

  it('bundle-add-message: the inner barrier follows the 16-byte header', () => {
    const bytes = hex('05 22 0018 00000009  00000001 0000 0001  05 14 0008 00000009');
    const d = decodeMessage14Strict(bytes);
    // a barrier cannot be bundled by the agent, but the codec decodes it
    expect(d).toMatchObject({ type: 'bundle_add_message', xid: 9, bundleId: 1, flags: 1, message: { type: 'barrier_request', xid: 9 } });
  });

  it('port-status: ofp_port of 40 bytes and its 32-byte Ethernet property', () => {
    const m: OFMessage = { type: 'port_status', xid: 0, reason: 0, port: PORT };
    const bytes = hex(`05 0c 0058 00000000  00 00000000000000
      00000001 0048 0000 0a0b0c0d0e0f 0000 ${toHex(Buffer.from('veth0'))}${'00'.repeat(11)} 00000001 00000004
      0000 0020 00000000 00000802 00000020 00000040 00000080 00989680 00000000`);
    expect(toHex(enc14(m))).toBe(toHex(bytes));
    expect(decodeMessage14Strict(bytes)).toEqual(m);
  });

  it('set-async: one 8-byte property per half given (packet-in master = type 1)', () => {
    const bytes = enc14({ type: 'set_async', xid: 2, packetInMask: [3, null] });
    expect(toHex(bytes)).toBe(toHex(hex('05 1c 0010 00000002  0001 0008 00000003')));
  });

  it('hello: the 1.4 header version and a bitmap of 1.0, 1.3 and 1.4', () => {
    const bytes = enc14({ type: 'hello', xid: 1, version: 5, versions: [1, 4, 5] });
    expect(toHex(bytes)).toBe(toHex(hex('05 00 0010 00000001  0001 0008 00000032')));
  });
});

describe('OpenFlow 1.4 round trips', () => {
  it('every message decodes to what was encoded', () => {
    for (const m of samples14()) {
      const bytes = enc14(m);
      expect(bytes[0]).toBe(C.OFP14_VERSION);
      const d = decodeMessage14Strict(bytes);
      if (isOFError(d)) throw new Error(`${m.type}: ${d.name} ${d.message}`);
      expect(d).toEqual(m);
    }
  });

  it('queue-get-config, which 1.4 removed: no 1.4 form, and its type numbers are OFPBRC_BAD_TYPE', () => {
    expect(encodeMessage14({ type: 'queue_get_config_request', xid: 1, port: 1 })).toBeNull();
    expect(errorOf(decodeMessage14(hex('05 16 0010 00000001 00000001 00000000')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE]);
  });

  it('the codec table: 1.4 is implemented, named OpenFlow14, and 1.3 has no form for 1.4-only messages', () => {
    expect(parseProtocols('OpenFlow14,OpenFlow10')).toEqual([1, 5]);
    expect(formatProtocols([1, 4, 5])).toBe('OpenFlow10,OpenFlow13,OpenFlow14');
    expect(codecFor(5)?.version).toBe(5);
    expect(codecFor(4)!.encode({ type: 'role_status', xid: 1, role: 3, reason: 0, generationId: 0n })).toBeNull();
    expect(codecFor(1)!.encode({ type: 'bundle_control', xid: 1, bundleId: 1, ctrlType: 0, flags: 0 })).toBeNull();
  });
});

describe('ONF EXT-230: 1.4 bundles in OpenFlow 1.3 experimenter messages', () => {
  it('bundle-control and bundle-add round trip through the 1.3 codec; a bundle error becomes ONF\'s experimenter error', () => {
    const c13 = codecFor(4)!;
    const ctl: OFMessage = { type: 'bundle_control', xid: 3, bundleId: 1, ctrlType: 0, flags: 3 };
    const bytes = c13.encode(ctl)!;
    expect(toHex(bytes)).toBe(toHex(hex('04 04 0018 00000003  4f4e4600 0000 08fc  00000001 0000 0003')));
    expect(c13.decode(bytes)).toEqual(ctl);
    const inner: OFMessage = { type: 'barrier_request', xid: 4 };
    const add = c13.decode(hex('04 04 0020 00000004  4f4e4600 0000 08fd  00000001 0000 0003  04 14 0008 00000004'));
    expect(add).toMatchObject({ type: 'bundle_add_message', bundleId: 1, flags: 3, message: inner });
    const err = c13.encode({ type: 'error', xid: 5, errType: OFPET_BUNDLE_FAILED, code: 13, data: new Uint8Array(0) })!;
    expect(toHex(err)).toBe(toHex(hex('04 01 0010 00000005  ffff 0909 4f4e4600'))); // 2300 + 13 = 0x0909
  });
});

describe('OpenFlow 1.4 malformed messages → the spec error', () => {
  it('header: version, type, length', () => {
    expect(errorOf(decodeMessage14(hex('04 14 0008 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION]);
    expect(errorOf(decodeMessage14(hex('05 23 0008 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE]);
    expect(errorOf(decodeMessage14(hex('05 1f 0008 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE]); // table-status
    expect(errorOf(decodeMessage14(hex('05 14 0009 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_LEN]);
    expect(errorOf(decodeMessage14(hex('05 21 000c 00000001 00000001')))).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_LEN]);
  });

  it('properties: bad length, unknown type, duplicate', () => {
    // port-mod with an optical property (type 1): none here
    const pm = hex('05 10 0028 00000001  00000001 00000000 0a0b0c0d0e0f 0000 00000000 00000000  0001 0008 00000000');
    expect(errorOf(decodeMessage14(pm))).toEqual([OFPET_BAD_PROPERTY, OFPBPC_BAD_TYPE]);
    const pmLen = hex('05 10 0028 00000001  00000001 00000000 0a0b0c0d0e0f 0000 00000000 00000000  0000 0010 00000000');
    expect(errorOf(decodeMessage14(pmLen))).toEqual([OFPET_BAD_PROPERTY, OFPBPC_BAD_LEN]);
    const dup = hex('05 1c 0018 00000001  0001 0008 00000001  0001 0008 00000001');
    expect(errorOf(decodeMessage14(dup))).toEqual([OFPET_BAD_PROPERTY, OFPBPC_DUP_TYPE]);
    const unknown = hex('05 1c 0010 00000001  0040 0008 00000001');
    expect(errorOf(decodeMessage14(unknown))).toEqual([OFPET_BAD_PROPERTY, OFPBPC_BAD_TYPE]);
  });

  it('bundle-add: an inner length past the message, a hello or a bundle message inside', () => {
    expect(errorOf(decodeMessage14(hex('05 22 0018 00000009  00000001 0000 0001  05 14 0010 00000009'))))
      .toEqual([OFPET_BUNDLE_FAILED, OFPBFC_MSG_BAD_LEN]);
    expect(errorOf(decodeMessage14(hex('05 22 0018 00000009  00000001 0000 0001  05 00 0008 00000009'))))
      .toEqual([OFPET_BUNDLE_FAILED, OFPBFC_MSG_UNSUP]);
    // an inner message of another version
    expect(errorOf(decodeMessage14(hex('05 22 0018 00000009  00000001 0000 0001  04 14 0008 00000009'))))
      .toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION]);
  });
});

describe('OpenFlow 1.4 decoder fuzz (seeded, bounded)', () => {
  it('never throws; every success re-encodes and decodes again to the same', () => {
    let x = 0x1405;
    const rand = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
    const seeds = samples14().map(encodeMessage14);
    for (let i = 0; i < 20_000; i++) {
      const m = new Uint8Array(seeds[rand() % seeds.length]!);
      const n = 1 + (rand() % 4);
      for (let k = 0; k < n; k++) m[8 + (rand() % Math.max(1, m.length - 8))] = rand() & 0xff;
      const d = decodeMessage14Strict(m);
      if (isOFError(d)) continue;
      const again = decodeMessage14Strict(enc14(d));
      expect(isOFError(again) ? again.name : again).toEqual(d);
    }
  });
});
