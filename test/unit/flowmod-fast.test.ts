/**
 * The flow-mod fast path (bench/flowmod.bench.ts): compileMatchInto's word writer against
 * oxm.ts readFieldWords for every field, scratch reuse across calls, shared (interned)
 * instruction lists, and the decoder's zero-cookie shortcut.
 */
import { describe, expect, it } from 'vitest';
import { KEY_WORDS, OFPVID_PRESENT } from '../../src/packet/flow-key.js';
import { decodeMessage, encodeMessage } from '../../src/openflow/index.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { internInstructions } from '../../src/pipeline/instructions.js';
import { compileMatch, compileMatchInto, decompileMatch } from '../../src/pipeline/match.js';
import { OXM_FIELDS, OFPXMT_OFB_VLAN_VID, fieldFullMask, type OxmFieldInfo } from '../../src/packet/oxm.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { flowMod, type Instruction, type Match, type OxmField } from '../../src/pipeline/types.js';
import { mulberry32 } from './prng.js';

const rng = mulberry32;

const be = (n: number, v: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
};

/** Random bytes within the field's width, with at least one bit set. */
function randomWithin(info: OxmFieldInfo, rnd: () => number): Uint8Array {
  const full = fieldFullMask(info);
  const out = new Uint8Array(info.bytes);
  for (;;) {
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(rnd() * 256) & full[i]!;
    if (out.some((b) => b !== 0)) return out;
  }
}

/** The field itself plus whatever its prerequisites (§7.2.3.6) need, in any order. */
function withPrereqs(info: OxmFieldInfo, tlv: OxmField, rnd: () => number): Match {
  const out: OxmField[] = [tlv];
  let cur = info;
  while (cur.prereq !== null) {
    const p = cur.prereq;
    const pInfo = OXM_FIELDS[p.field]!;
    if (p.vlanPresent === true) out.push({ field: OFPXMT_OFB_VLAN_VID, value: be(2, OFPVID_PRESENT | 5) });
    else if (p.values.length === 0) out.push({ field: p.field, value: randomWithin(pInfo, rnd) });
    else out.push({ field: p.field, value: be(pInfo.bytes, p.values[0]!) });
    cur = pInfo;
  }
  return out.reverse();
}

describe('compileMatchInto', () => {
  it('writes every field so that readFieldWords gives it back (200 random values, exact and masked)', () => {
    const rnd = rng(1);
    // (packet_type has no bits in the key: Ethernet, value 0, is the only one; pipeline-of15.test.ts)
    for (const info of OXM_FIELDS.filter((f) => f.bits > 0)) {
      for (let n = 0; n < 5; n++) {
        const value = randomWithin(info, rnd);
        // A VID must carry OFPVID_PRESENT where the mask covers it (Table 13).
        if (info.id === OFPXMT_OFB_VLAN_VID) value[0]! |= OFPVID_PRESENT >> 8;
        let tlv: OxmField = { field: info.id, value };
        if (info.maskable && n % 2 === 1) {
          const mask = randomWithin(info, rnd);
          if (info.id === OFPXMT_OFB_VLAN_VID) mask[0]! |= OFPVID_PRESENT >> 8;
          tlv = { field: info.id, value: value.map((b, i) => b & mask[i]!), mask };
        }
        const m = withPrereqs(info, tlv, rnd);
        const cm = compileMatch(m);
        if (isOFError(cm)) throw new Error(`${info.name}: ${cm.message}`);
        const back = decompileMatch(cm.value, cm.mask).find((x) => x.field === info.id);
        expect(back, info.name).toBeDefined();
        expect(Array.from(back!.value), info.name).toEqual(Array.from(tlv.value));
        const fullOrMask = tlv.mask === undefined || tlv.mask.every((b, i) => b === fieldFullMask(info)[i]);
        expect(back!.mask === undefined, info.name).toBe(fullOrMask);
      }
    }
  });

  it('overwrites the caller arrays entirely and gives what compileMatch gives', () => {
    const value = new Uint32Array(KEY_WORDS).fill(0xffffffff);
    const mask = new Uint32Array(KEY_WORDS).fill(0xffffffff);
    const m: Match = [{ field: 5, value: be(2, 0x0800) }, { field: 12, value: be(4, 0x0a000001) }];
    expect(compileMatchInto(m, value, mask)).toBeNull();
    const cm = compileMatch(m);
    if (isOFError(cm)) throw new Error(cm.message);
    expect(Array.from(value)).toEqual(Array.from(cm.value));
    expect(Array.from(mask)).toEqual(Array.from(cm.mask));
  });

  it('keeps no state between calls: a field seen in one match is no duplicate in the next', () => {
    const value = new Uint32Array(KEY_WORDS), mask = new Uint32Array(KEY_WORDS);
    const ipv4: Match = [{ field: 5, value: be(2, 0x0800) }];
    expect(compileMatchInto(ipv4, value, mask)).toBeNull();
    expect(compileMatchInto(ipv4, value, mask)).toBeNull();
    // ... and a prerequisite seen before does not carry over to a match without it.
    const e = compileMatchInto([{ field: 12, value: be(4, 1) }], value, mask);
    expect(e).not.toBeNull();
  });
});

describe('shared instruction lists', () => {
  const out = (port: number): Instruction[] => [{ type: 'apply_actions', actions: [{ type: 'output', port, maxLen: 0 }] }];

  it('gives deep-equal lists one frozen copy, and leaves the caller objects alone', () => {
    const a = out(1), b = out(1);
    const sa = internInstructions(a), sb = internInstructions(b);
    expect(sa).toBe(sb);
    expect(sa).toEqual(a);
    expect(sa).not.toBe(a);
    expect(Object.isFrozen(sa)).toBe(true);
    expect(Object.isFrozen(sa[0])).toBe(true);
    expect(Object.isFrozen(a)).toBe(false);
    expect(Object.isFrozen(a[0])).toBe(false);
  });

  it('never shares lists that differ in any field', () => {
    expect(internInstructions(out(1))).not.toBe(internInstructions(out(2)));
    const sf = (v: number): Instruction[] => [
      { type: 'apply_actions', actions: [{ type: 'set_field', field: { field: 12, value: be(4, v) } }, { type: 'output', port: 1, maxLen: 0 }] },
      { type: 'goto_table', tableId: 3 },
    ];
    const s1 = internInstructions(sf(1));
    expect(internInstructions(sf(1))).toBe(s1);
    expect(internInstructions(sf(2))).not.toBe(s1);
    expect(internInstructions(sf(2))).toEqual(sf(2));
    const md = (m: bigint): Instruction[] => [{ type: 'write_metadata', metadata: m, mask: 0xffn }];
    expect(internInstructions(md(1n))).not.toBe(internInstructions(md(2n)));
  });

  it('does not share experimenter instructions', () => {
    const x: Instruction[] = [{ type: 'experimenter', experimenter: 1, data: new Uint8Array([1]) }];
    expect(internInstructions(x)).toBe(x);
  });

  it('lets 1,000 rules added through the Pipeline share one list', () => {
    const p = new Pipeline({ nTables: 2, portExists: (x) => x === 1, portLive: () => true });
    for (let i = 0; i < 1000; i++) {
      const r = p.flowMod(flowMod({
        priority: 10, match: [{ field: 5, value: be(2, 0x0800) }, { field: 12, value: be(4, i) }], instructions: out(1),
      }), 0);
      expect(isOFError(r)).toBe(false);
    }
    const lists = new Set([...p.table(0).rules()].map((r) => r.instructions));
    expect(p.table(0).size).toBe(1000);
    expect(lists.size).toBe(1);
    expect([...lists][0]).toEqual(out(1));
  });
});

describe('flow-mod decode', () => {
  it('decodes zero and non-zero cookies exactly', () => {
    for (const cookie of [0n, 1n, 0x100000000n, 0xffff_ffff_ffff_ffffn]) {
      const bytes = encodeMessage({ type: 'flow_mod', xid: 7, ...flowMod({ cookie, cookieMask: cookie ^ 1n }) });
      const r = decodeMessage(bytes);
      if (isOFError(r) || r.type !== 'flow_mod') throw new Error('did not decode');
      expect(r.cookie).toBe(cookie);
      expect(r.cookieMask).toBe(cookie ^ 1n);
    }
  });
});
