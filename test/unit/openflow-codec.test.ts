import { describe, expect, it } from 'vitest';
import {
  decodeMessage, encodeError, encodeMessage, MessageFramer, type OFMessage,
} from '../../src/openflow/index.js';
import * as E from '../../src/pipeline/errors.js';
import { flowMod } from '../../src/pipeline/types.js';
import { ALL_ACTIONS, sampleMessages } from './openflow-samples.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function decodeOk(buf: Uint8Array): OFMessage {
  const r = decodeMessage(buf);
  if (E.isOFError(r)) throw new Error(E.describeOFError(r));
  return r;
}

function decodeErr(buf: Uint8Array): E.OFError {
  const r = decodeMessage(buf);
  if (!E.isOFError(r)) throw new Error(`expected an error, got ${r.type}`);
  return r;
}

describe('round trip of every message type', () => {
  for (const m of sampleMessages()) {
    const name = m.type + ('body' in m ? '/' + m.body.kind : '');
    it(name, () => {
      const bytes = encodeMessage(m);
      expect((bytes[2]! << 8) | bytes[3]!).toBe(bytes.length); // header length = whole message
      const back = decodeOk(bytes);
      expect(back).toEqual(m.type === 'hello' ? { ...m, version: 4 } : m);
      expect(toHex(encodeMessage(back))).toBe(toHex(bytes)); // canonical
    });
  }

  it('every action type and experimenter action/instruction', () => {
    const m: OFMessage = {
      type: 'flow_mod', xid: 9, ...flowMod({
        instructions: [
          { type: 'apply_actions', actions: [...ALL_ACTIONS, { type: 'experimenter', experimenter: 0x2320, data: new Uint8Array(8).fill(7) }] },
          { type: 'experimenter', experimenter: 0xabcd, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
        ],
      }),
    };
    expect(decodeOk(encodeMessage(m))).toEqual(m);
  });
});

describe('literal bytes (layouts from the OF1.3.5 spec)', () => {
  it('hello with a version bitmap element for 1.0 and 1.3', () => {
    expect(toHex(encodeMessage({ type: 'hello', xid: 1, versions: [1, 4] })))
      .toBe('04000010000000010001000800000012');
    expect(decodeOk(hex('01000008000000aa'))).toEqual({ type: 'hello', xid: 0xaa, version: 1, versions: [] });
  });

  it('flow-mod: match padded to 8, goto_table instruction', () => {
    const bytes = encodeMessage({
      type: 'flow_mod', xid: 2, ...flowMod({
        priority: 7, match: [{ field: 0, value: new Uint8Array([0, 0, 0, 1]) }],
        instructions: [{ type: 'goto_table', tableId: 1 }],
      }),
    });
    expect(toHex(bytes)).toBe(
      '040e0048' + '00000002' + '0000000000000000' + '0000000000000000' + '00' + '00' + '0000' + '0000' + '0007' +
      'ffffffff' + 'ffffffff' + 'ffffffff' + '0000' + '0000' +
      '0001000c' + '80000004' + '00000001' + '00000000' + // match: type, len=12, in_port TLV, 4 bytes pad
      '00010008' + '01000000', // goto_table 1
    );
  });

  it('packet-in keeps the 2 pad bytes between match and frame', () => {
    const bytes = hex('040a002e 00000005 ffffffff 0004 00 00 0000000000000000 0001000c 80000004 00000003 00000000 0000 deadbeef');
    expect(decodeOk(bytes)).toMatchObject({
      type: 'packet_in', xid: 5, bufferId: 0xffffffff, totalLen: 4, reason: 0, tableId: 0,
      match: [{ field: 0, value: new Uint8Array([0, 0, 0, 3]) }], data: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
    });
  });
});

describe('decoding errors carry the spec type/code', () => {
  const base = encodeMessage({ type: 'flow_mod', xid: 3, ...flowMod({ match: [{ field: 0, value: new Uint8Array(4) }], instructions: [{ type: 'goto_table', tableId: 1 }] }) });
  const patched = (at: number, ...bytes: number[]) => { const b = base.slice(); b.set(bytes, at); return b; };
  const expectErr = (buf: Uint8Array, type: number, code: number) => {
    const e = decodeErr(buf);
    expect([e.type, e.code]).toEqual([type, code]);
    expect(e.message.length).toBeGreaterThan(0);
  };

  it('header problems', () => {
    expectErr(hex('040000'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_LEN);
    expectErr(hex('0402000900000001'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_LEN); // says 9, has 8
    expectErr(hex('0102000800000001'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_VERSION);
    expectErr(hex('041e000800000001'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_TYPE);
    expectErr(hex('0414000c0000000100000000'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_LEN); // barrier with a body
    expectErr(hex('0406000c0000000100000000'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_LEN); // short features reply
  });

  it('match problems', () => {
    expectErr(patched(48, 0, 0), E.OFPET_BAD_MATCH, E.OFPBMC_BAD_TYPE); // OFPMT_STANDARD
    expectErr(patched(50, 0, 200), E.OFPET_BAD_MATCH, E.OFPBMC_BAD_LEN);
    expectErr(patched(52, 0xff, 0xff), E.OFPET_BAD_MATCH, E.OFPBMC_BAD_FIELD); // experimenter class
    expectErr(patched(55, 9), E.OFPET_BAD_MATCH, E.OFPBMC_BAD_LEN); // TLV longer than the match
  });

  it('instruction and action problems', () => {
    expectErr(patched(64, 0, 9), E.OFPET_BAD_INSTRUCTION, E.OFPBIC_UNKNOWN_INST);
    expectErr(patched(66, 0, 16), E.OFPET_BAD_INSTRUCTION, E.OFPBIC_BAD_LEN);
    const po = (act: string) => hex(`040d${(24 + act.length / 2).toString(16).padStart(4, '0')}00000001ffffffff fffffffd ${(act.length / 2).toString(16).padStart(4, '0')} 000000000000 ${act}`);
    expect(decodeOk(po('0000001000000001ffe5000000000000'))).toMatchObject({ actions: [{ type: 'output', port: 1, maxLen: 0xffe5 }] });
    expectErr(po('0063000800000000'), E.OFPET_BAD_ACTION, E.OFPBAC_BAD_TYPE);
    expectErr(po('0000000800000001'), E.OFPET_BAD_ACTION, E.OFPBAC_BAD_LEN); // output must be 16
    expectErr(po('0000000c00000001ffe50000'), E.OFPET_BAD_ACTION, E.OFPBAC_BAD_LEN); // not a multiple of 8
    expectErr(po('00190010ffff0104000000000000000000'.slice(0, 32)), E.OFPET_BAD_ACTION, E.OFPBAC_BAD_SET_TYPE);
    expectErr(po('0019000880000c04'), E.OFPET_BAD_ACTION, E.OFPBAC_BAD_SET_LEN); // TLV cut
  });

  it('multipart, bucket, band and table-features problems', () => {
    expectErr(hex('0412001000000001 0063 0000 00000000'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_MULTIPART);
    expectErr(hex('0412001400000001 0004 0000 00000000 00000001'), E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_LEN);
    expectErr(hex('040f001800000001 0000 00 00 00000001 0008 0000 00000000'), E.OFPET_GROUP_MOD_FAILED, E.OFPGMFC_BAD_BUCKET);
    expectErr(hex('041d002000000001 0000 0001 00000001 0009 0010 000003e8 00000000 00000000'), E.OFPET_METER_MOD_FAILED, E.OFPMMFC_BAD_BAND);
    const tf = '0040 00 0000000000' + '00'.repeat(32) + '00'.repeat(16) + '00000000 00000000';
    expectErr(hex(`0412005800000001 000c 0000 00000000 ${tf.replace(/^0040/, '0048')} 0009 0004 00000000`), E.OFPET_TABLE_FEATURES_FAILED, E.OFPTFFC_BAD_TYPE);
    expectErr(hex(`0412005800000001 000c 0000 00000000 ${tf.replace(/^0040/, '0048')} 0000 0040 00000000`), E.OFPET_TABLE_FEATURES_FAILED, E.OFPTFFC_BAD_LEN);
  });
});

describe('encodeError', () => {
  it('carries the first 64 bytes of the offending message and its xid', () => {
    const offending = encodeMessage(sampleMessages().find((m) => m.type === 'flow_mod')!);
    expect(offending.length).toBeGreaterThan(64);
    const err = encodeError(16, E.ofError(E.OFPET_BAD_MATCH, E.OFPBMC_BAD_PREREQ, 'x'), offending);
    expect(toHex(err.subarray(0, 12))).toBe('0401004c00000010' + '00040009');
    expect(decodeOk(err)).toEqual({ type: 'error', xid: 16, errType: 4, code: 9, data: offending.slice(0, 64) });
  });

  it('sends text for OFPET_HELLO_FAILED', () => {
    const err = decodeOk(encodeError(1, E.ofError(E.OFPET_HELLO_FAILED, E.OFPHFC_INCOMPATIBLE, 'no common version'), new Uint8Array(8)));
    expect(err.type === 'error' && new TextDecoder().decode(err.data)).toBe('no common version');
  });
});

describe('MessageFramer', () => {
  const msgs = sampleMessages().slice(0, 20).map(encodeMessage);
  const stream = new Uint8Array(msgs.reduce((n, m) => n + m.length, 0));
  msgs.reduce((at, m) => (stream.set(m, at), at + m.length), 0);

  it('reassembles messages from arbitrary chunk sizes', () => {
    for (const size of [1, 3, 7, 8, 13, 64, 1000, stream.length]) {
      const f = new MessageFramer();
      const out: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += size) {
        const r = f.push(stream.subarray(i, i + size));
        expect(r.ok).toBe(true);
        out.push(...r.messages);
      }
      expect(out.map(toHex)).toEqual(msgs.map(toHex));
      expect(f.pending).toBe(0);
    }
  });

  it('returned messages are copies that later pushes do not overwrite', () => {
    const f = new MessageFramer();
    const first = f.push(msgs[0]!).messages[0]!;
    f.push(new Uint8Array(5000).fill(0x04));
    expect(toHex(first)).toBe(toHex(msgs[0]!));
  });

  it('a header length < 8 is fatal, reported as a value, after the good messages', () => {
    const f = new MessageFramer();
    const r = f.push(new Uint8Array([...msgs[0]!, 4, 0, 0, 4, 0, 0, 0, 1]));
    expect(r.ok).toBe(false);
    expect(r.messages.length).toBe(1);
    if (!r.ok) expect([r.error.type, r.error.code]).toEqual([E.OFPET_BAD_REQUEST, E.OFPBRC_BAD_LEN]);
    expect(f.push(msgs[1]!).ok).toBe(false); // stays failed
  });

  it('holds a partial message until its last byte arrives', () => {
    const f = new MessageFramer();
    const big = msgs.find((m) => m.length > 100)!;
    expect(f.push(big.subarray(0, big.length - 1)).messages).toEqual([]);
    expect(f.pending).toBe(big.length - 1);
    expect(f.push(big.subarray(big.length - 1)).messages.map(toHex)).toEqual([toHex(big)]);
  });
});
