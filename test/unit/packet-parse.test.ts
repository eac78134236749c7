// parseFrame against golden frames built and dissected by scapy (an independent tool):
// every OXM field scapy reports is read back from the key with readFieldWords(), so the
// parser and the OXM segment table (src/packet/oxm.ts) are checked to agree.
import { describe, expect, it } from 'vitest';
import {
  FlowKey, KEY_WORDS, M_FRAME_LEN, M_L3_OFS, M_MALFORMED, P_ETH, P_IPV4, P_L3, P_TCP,
  W_IN_PHY_PORT, W_IN_PORT, W_PRESENT, W_TCP_FLAGS, W_VLAN_INNER, M_TCP_FLAGS,
} from '../../src/packet/flow-key.js';
import { isMalformed, parseFrame } from '../../src/packet/parse.js';
import { readFieldWords } from '../../src/packet/oxm.js';
import { FRAMES, META, PRESENCE, fieldBytes, fieldInfo, frameByName, hexBytes } from './packet-golden.js';

const IN_PORT = 7;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function parseGolden(name: string, headroom = 0): FlowKey {
  const g = frameByName(name);
  const frame = hexBytes(g.hex);
  const buf = new Uint8Array(headroom + frame.length + 16).fill(0xee); // junk around the frame
  buf.set(frame, headroom);
  const key = new FlowKey();
  parseFrame(buf, headroom, g.len, IN_PORT, key);
  return key;
}

describe('parseFrame on scapy golden frames', () => {
  it('has a broad golden set', () => {
    expect(FRAMES.length).toBeGreaterThanOrEqual(40);
  });

  for (const g of FRAMES) {
    describe(g.name, () => {
      const key = parseGolden(g.name, 5);

      it('sets exactly the presence bits of the complete headers', () => {
        const want = g.present.reduce((acc, p) => acc | PRESENCE[p]!, 0);
        expect(key.words[W_PRESENT]).toBe(want);
      });

      it('writes every field at its OXM segments with the value scapy reports', () => {
        for (const [name, v] of Object.entries(g.fields)) {
          const info = fieldInfo(name);
          expect({ name, v: hex(readFieldWords(info, key.words)) })
            .toEqual({ name, v: hex(fieldBytes(info, v)) });
          if (info.presence !== 0) expect(key.has(info.presence)).toBe(true);
        }
      });

      it('leaves every key bit outside the reported fields at zero', () => {
        const covered = new Uint32Array(KEY_WORDS);
        for (const name of Object.keys(g.fields)) {
          for (const sg of fieldInfo(name).segments) {
            covered[sg.word]! |= sg.width === 32 ? 0xffffffff : ((1 << sg.width) - 1) << sg.shift;
          }
        }
        for (const w of [W_IN_PORT, W_IN_PHY_PORT, W_PRESENT, W_VLAN_INNER, W_TCP_FLAGS]) covered[w] = 0xffffffff;
        // tcp_flags (OF1.5's OXM field): the word holds what meta reports
        expect(key.words[W_TCP_FLAGS]).toBe(Math.max(0, key.meta[M_TCP_FLAGS]!));
        const stray = Array.from(key.words, (x, i) => (x & ~covered[i]!) >>> 0);
        expect(stray).toEqual(new Array(KEY_WORDS).fill(0));
      });

      it('fills meta (offsets, TTL, fragment state, malformed) as expected', () => {
        for (const [name, v] of Object.entries(g.meta)) {
          if (name === 'vlan_inner') expect(key.words[W_VLAN_INNER]).toBe(v);
          else expect({ name, v: key.meta[META[name]!] }).toEqual({ name, v });
        }
        expect(key.meta[M_FRAME_LEN]).toBe(g.len);
        expect(isMalformed(key)).toBe(g.meta.malformed === 1);
      });

      it('sets in_port and in_phy_port', () => {
        expect(key.words[W_IN_PORT]).toBe(IN_PORT);
        expect(key.words[W_IN_PHY_PORT]).toBe(IN_PORT);
      });
    });
  }
});

describe('parseFrame robustness', () => {
  it('gives the same key wherever the frame lies in a larger buffer', () => {
    for (const g of FRAMES) {
      const a = parseGolden(g.name, 0);
      const b = parseGolden(g.name, 333);
      expect(Array.from(b.words)).toEqual(Array.from(a.words));
      expect(Array.from(b.meta)).toEqual(Array.from(a.meta));
    }
  });

  it('reuses a key without leftovers from the previous frame', () => {
    const key = new FlowKey();
    const nd = hexBytes(frameByName('nd-ns-sll').hex);
    const tcp = hexBytes(frameByName('tcp4').hex);
    parseFrame(nd, 0, nd.length, 1, key);
    parseFrame(tcp, 0, tcp.length, 2, key);
    const fresh = new FlowKey();
    parseFrame(tcp, 0, tcp.length, 2, fresh);
    expect(Array.from(key.words)).toEqual(Array.from(fresh.words));
    expect(Array.from(key.meta)).toEqual(Array.from(fresh.meta));
  });

  it('never throws on any truncation of any golden frame, and marks it', () => {
    const key = new FlowKey();
    for (const g of FRAMES) {
      const bytes = hexBytes(g.hex);
      for (let len = 0; len <= g.len; len++) {
        expect(() => parseFrame(bytes, 0, len, 1, key)).not.toThrow();
        // A presence bit only for headers that fit: nothing beyond len is ever read.
        if (len < 14) expect(key.words[W_PRESENT]).toBe(0);
      }
    }
  });

  it('does not read past len even when the buffer holds more bytes', () => {
    const bytes = hexBytes(frameByName('tcp4').hex);
    const key = new FlowKey();
    parseFrame(bytes, 0, 14 + 19, 1, key); // one byte short of the IPv4 header
    expect(key.words[W_PRESENT]).toBe(P_ETH);
    expect(key.meta[M_MALFORMED]).toBe(1);
    parseFrame(bytes, 0, bytes.length, 1, key);
    expect(key.words[W_PRESENT]).toBe(P_ETH | P_IPV4 | P_L3 | P_TCP);
  });

  it('tolerates len larger than the buffer (treated as truncation)', () => {
    const bytes = hexBytes(frameByName('tcp4').hex).subarray(0, 30);
    const key = new FlowKey();
    parseFrame(bytes, 0, 1500, 1, key);
    expect(key.meta[M_MALFORMED]).toBe(1);
    expect(key.meta[M_L3_OFS]).toBe(14);
    expect(key.has(P_IPV4)).toBe(false);
  });

  it('survives random bytes after a valid Ethernet header', () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    const key = new FlowKey();
    const types = [0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x8847, 0x88e7];
    for (let i = 0; i < 3000; i++) {
      const len = 14 + (rnd() % 120);
      const b = new Uint8Array(len).map(() => rnd());
      const t = types[i % types.length]!;
      b[12] = t >> 8;
      b[13] = t & 0xff;
      if (t === 0x0800) b[14] = 0x45;
      if (t === 0x86dd) b[14] = 0x60;
      expect(() => parseFrame(b, 0, len, 1, key)).not.toThrow();
      expect(key.has(P_ETH)).toBe(key.meta[M_MALFORMED] === 0 || key.words[W_PRESENT] !== 0);
    }
  });
});
