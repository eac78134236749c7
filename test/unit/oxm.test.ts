import { describe, expect, it } from 'vitest';
import {
  OXM_FIELDS, OXM_FIELD_COUNT, fieldFullMask, oxmFieldByName, oxmHeader, readFieldWords, writeFieldWords,
} from '../../src/packet/oxm.js';
import { KEY_WORDS, W_PRESENT } from '../../src/packet/flow-key.js';

// Pairs of fields that OpenFlow's prerequisites make mutually exclusive, and which
// therefore share key words by design (see flow-key.ts).
const SHARED = new Set([
  'ipv4_src|arp_spa', 'ipv4_dst|arp_tpa',
  'tcp_src|udp_src', 'tcp_src|sctp_src', 'udp_src|sctp_src', 'tcp_dst|udp_dst', 'tcp_dst|sctp_dst', 'udp_dst|sctp_dst',
  'tcp_src|icmpv4_type', 'udp_src|icmpv4_type', 'sctp_src|icmpv4_type',
  'tcp_dst|icmpv4_code', 'udp_dst|icmpv4_code', 'sctp_dst|icmpv4_code',
  'tcp_src|icmpv6_type', 'udp_src|icmpv6_type', 'sctp_src|icmpv6_type', 'icmpv4_type|icmpv6_type',
  'tcp_dst|icmpv6_code', 'udp_dst|icmpv6_code', 'sctp_dst|icmpv6_code', 'icmpv4_code|icmpv6_code',
  'arp_sha|ipv6_nd_sll', 'arp_tha|ipv6_nd_tll',
]);

function bitsOf(words: Uint32Array, name: string): Set<string> {
  const info = oxmFieldByName(name)!;
  const set = new Set<string>();
  for (const s of info.segments) for (let b = 0; b < s.width; b++) set.add(`${s.word}:${s.shift + b}`);
  return set;
}

describe('OXM field table', () => {
  it('has the 40 OF1.3 basic fields in id order, then the NXM_1 tun_src / tun_dst, then OF1.5\'s 42..44', () => {
    expect(OXM_FIELDS.length).toBe(OXM_FIELD_COUNT);
    expect(OXM_FIELD_COUNT).toBe(45);
    expect(OXM_FIELDS.slice(42).map((f) => f.name)).toEqual(['tcp_flags', 'actset_output', 'packet_type']);
    expect(OXM_FIELDS.map((f) => f.oxmClass === 0x8000 ? f.oxmField === f.id : `${f.name} ${f.oxmClass}:${f.oxmField}`).filter((x) => x !== true))
      .toEqual(['tun_src 1:31', 'tun_dst 1:32']);
    OXM_FIELDS.forEach((f, i) => expect(f.id).toBe(i));
    expect(oxmFieldByName('ipv6_exthdr')!.id).toBe(39);
    expect(oxmFieldByName('tcp_dst')!.id).toBe(14);
  });

  it('places exactly `bits` bits of each field, inside the key, never in the presence word', () => {
    for (const f of OXM_FIELDS) {
      expect(f.segments.reduce((a, s) => a + s.width, 0), f.name).toBe(f.bits);
      for (const s of f.segments) {
        expect(s.word).toBeLessThan(KEY_WORDS);
        expect(s.word).not.toBe(W_PRESENT);
        expect(s.shift + s.width).toBeLessThanOrEqual(32);
      }
    }
  });

  it('gives distinct fields distinct bits except the pairs the prerequisites separate', () => {
    const words = new Uint32Array(KEY_WORDS);
    for (const a of OXM_FIELDS) {
      for (const b of OXM_FIELDS) {
        if (a.id >= b.id) continue;
        const A = bitsOf(words, a.name);
        const overlap = [...bitsOf(words, b.name)].some((x) => A.has(x));
        expect(overlap, `${a.name} vs ${b.name}`).toBe(SHARED.has(`${a.name}|${b.name}`));
      }
    }
  });

  it('round-trips every field through the key words without touching other bits', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    for (const f of OXM_FIELDS) {
      const fieldBits = new Uint32Array(KEY_WORDS);
      for (const sg of f.segments) fieldBits[sg.word]! |= (sg.width === 32 ? 0xffffffff : ((1 << sg.width) - 1) << sg.shift);
      for (let trial = 0; trial < 20; trial++) {
        const full = fieldFullMask(f);
        const value = full.map((m) => rnd() & m);
        const words = new Uint32Array(KEY_WORDS).fill(0xa5a5a5a5);
        writeFieldWords(f, value, words);
        expect([...readFieldWords(f, words)], f.name).toEqual([...value]);
        // Bits outside the field keep their old pattern.
        const outside = Array.from(words, (w, i) => (w & ~fieldBits[i]!) >>> 0);
        expect(outside).toEqual(Array.from(fieldBits, (m) => (0xa5a5a5a5 & ~m) >>> 0));
      }
    }
  });

  it('encodes OXM headers as the spec lays them out', () => {
    // OXM_OF_IPV4_DST_W = class 0x8000, field 12, hasmask, length 8 (OF1.3.5 §7.2.3.2)
    expect(oxmHeader(12, true).toString(16)).toBe('80001908');
    expect(oxmHeader(0, false).toString(16)).toBe('80000004');
    expect(oxmHeader(6, false).toString(16)).toBe('80000c02');
  });
});
