import { describe, expect, it } from 'vitest';
import {
  KEY_WORDS, OFPVID_PRESENT, P_ARP, P_ETH, P_IPV4, P_TCP, P_UDP, W_ETH_TYPE_VLAN, W_L4, W_NW_DST,
  W_PRESENT,
} from '../../src/packet/flow-key.js';
import {
  OFPBMC_BAD_FIELD, OFPBMC_BAD_LEN, OFPBMC_BAD_MASK, OFPBMC_BAD_PREREQ, OFPBMC_BAD_VALUE,
  OFPBMC_BAD_WILDCARDS, OFPBMC_DUP_FIELD, OFPET_BAD_MATCH, isOFError, type OFError,
} from '../../src/pipeline/errors.js';
import { compileMatch, decompileMatch, type CompiledMatch } from '../../src/pipeline/match.js';
import { OXM_FIELD_COUNT, oxmFieldByName } from '../../src/packet/oxm.js';
import type { Match, OxmField } from '../../src/pipeline/types.js';

/** Big-endian bytes of `v` in the field's wire size. */
function bytes(n: number, v: number | bigint): Uint8Array {
  const out = new Uint8Array(n);
  let x = BigInt(v);
  for (let i = n - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

function f(name: string, value: number | bigint, mask?: number | bigint): OxmField {
  const info = oxmFieldByName(name);
  if (!info) throw new Error(name);
  return mask === undefined
    ? { field: info.id, value: bytes(info.bytes, value) }
    : { field: info.id, value: bytes(info.bytes, value), mask: bytes(info.bytes, mask) };
}

function ok(m: Match): CompiledMatch {
  const r = compileMatch(m);
  if (isOFError(r)) throw new Error(r.message);
  return r;
}

function err(m: Match): OFError {
  const r = compileMatch(m);
  if (!isOFError(r)) throw new Error('expected an error');
  expect(r.type).toBe(OFPET_BAD_MATCH);
  return r;
}

/** Does the compiled match accept these key words? */
function accepts(cm: CompiledMatch, key: Uint32Array): boolean {
  for (let w = 0; w < KEY_WORDS; w++) if ((key[w]! & cm.mask[w]!) >>> 0 !== cm.value[w]) return false;
  return true;
}

const IPV4 = f('eth_type', 0x0800);

describe('compileMatch', () => {
  it('compiles eth_type + ipv4_dst exact into the right words with presence bits', () => {
    const cm = ok([IPV4, f('ipv4_dst', 0x0a000001)]);
    expect(cm.value[W_NW_DST]).toBe(0x0a000001);
    expect(cm.mask[W_NW_DST]).toBe(0xffffffff);
    expect(cm.value[W_ETH_TYPE_VLAN]).toBe(0x08000000);
    expect(cm.mask[W_ETH_TYPE_VLAN]).toBe(0xffff0000);
    expect(cm.mask[W_PRESENT]).toBe(P_ETH | P_IPV4);
    expect(cm.value[W_PRESENT]).toBe(P_ETH | P_IPV4);
  });

  it('an empty match wildcards everything', () => {
    const cm = ok([]);
    expect(Array.from(cm.mask).every((w) => w === 0)).toBe(true);
    expect(Array.from(cm.value).every((w) => w === 0)).toBe(true);
  });

  it('requires the presence bit, so tcp_dst=0 does not match a UDP packet with port 0', () => {
    const cm = ok([IPV4, f('ip_proto', 6), f('tcp_dst', 0)]);
    const udp = new Uint32Array(KEY_WORDS);
    udp[W_ETH_TYPE_VLAN] = 0x0800 << 16;
    udp[8] = 6 << 16; // ip_proto 6 but the parser found no TCP header
    udp[W_PRESENT] = P_ETH | P_IPV4 | P_UDP;
    expect(accepts(cm, udp)).toBe(false);
    udp[W_PRESENT] = P_ETH | P_IPV4 | P_TCP;
    udp[W_L4] = 0;
    expect(accepts(cm, udp)).toBe(false); // P_L3 missing as well
    udp[W_PRESENT] |= 1 << 14;
    expect(accepts(cm, udp)).toBe(true);
  });

  it('treats an all-zero mask as an absent field', () => {
    const cm = ok([IPV4, f('ipv4_src', 0, 0)]);
    expect(cm.mask[W_PRESENT]).toBe(P_ETH);
    expect(decompileMatch(cm.value, cm.mask)).toEqual([IPV4]);
  });

  it('rejects an unknown field id with BAD_FIELD', () => {
    // ids 40 / 41 are the NXM_1 tun_src / tun_dst (packet/oxm.ts); the first unknown is 42
    expect(err([{ field: OXM_FIELD_COUNT, value: new Uint8Array(4) }]).code).toBe(OFPBMC_BAD_FIELD);
    expect(err([{ field: -1, value: new Uint8Array(4) }]).code).toBe(OFPBMC_BAD_FIELD);
  });

  it('rejects wrong value or mask lengths with BAD_LEN', () => {
    expect(err([{ field: 0, value: new Uint8Array(2) }]).code).toBe(OFPBMC_BAD_LEN);
    expect(err([IPV4, { field: 12, value: new Uint8Array(4), mask: new Uint8Array(3) }]).code).toBe(OFPBMC_BAD_LEN);
  });

  it('rejects a mask on a non-maskable field with BAD_WILDCARDS', () => {
    expect(err([f('in_port', 1, 0xffffffff)]).code).toBe(OFPBMC_BAD_WILDCARDS);
    expect(err([f('eth_type', 0x0800, 0xffff)]).code).toBe(OFPBMC_BAD_WILDCARDS);
  });

  it('rejects value bits where the mask is 0 with BAD_WILDCARDS (§7.2.3.5)', () => {
    expect(err([IPV4, f('ipv4_dst', 0x0a000001, 0xffffff00)]).code).toBe(OFPBMC_BAD_WILDCARDS);
  });

  it('rejects value bits beyond the field width with BAD_VALUE', () => {
    expect(err([f('vlan_vid', 0x2000)]).code).toBe(OFPBMC_BAD_VALUE);
    expect(err([IPV4, f('ip_dscp', 64)]).code).toBe(OFPBMC_BAD_VALUE);
    expect(err([f('eth_type', 0x86dd), f('ipv6_flabel', 0x100000)]).code).toBe(OFPBMC_BAD_VALUE);
  });

  it('rejects a vlan VID without OFPVID_PRESENT with BAD_VALUE', () => {
    expect(err([f('vlan_vid', 10)]).code).toBe(OFPBMC_BAD_VALUE);
  });

  it('rejects mask bits beyond the field width with BAD_MASK', () => {
    expect(err([f('vlan_vid', 0x1000, 0xf000)]).code).toBe(OFPBMC_BAD_MASK);
  });

  it('rejects a duplicated field with DUP_FIELD', () => {
    expect(err([IPV4, IPV4]).code).toBe(OFPBMC_DUP_FIELD);
    expect(err([f('in_port', 1), f('in_port', 2)]).code).toBe(OFPBMC_DUP_FIELD);
  });

  it('checks prerequisites with BAD_PREREQ', () => {
    expect(err([f('ipv4_dst', 1)]).code).toBe(OFPBMC_BAD_PREREQ);
    expect(err([f('eth_type', 0x86dd), f('ipv4_dst', 1)]).code).toBe(OFPBMC_BAD_PREREQ);
    expect(err([IPV4, f('tcp_dst', 80)]).code).toBe(OFPBMC_BAD_PREREQ);
    expect(err([IPV4, f('ip_proto', 17), f('tcp_dst', 80)]).code).toBe(OFPBMC_BAD_PREREQ);
    expect(err([f('in_phy_port', 1)]).code).toBe(OFPBMC_BAD_PREREQ);
    expect(err([f('vlan_pcp', 3)]).code).toBe(OFPBMC_BAD_PREREQ);
    expect(err([f('vlan_vid', 0), f('vlan_pcp', 3)]).code).toBe(OFPBMC_BAD_PREREQ);
    expect(err([f('eth_type', 0x86dd), f('ip_proto', 58), f('icmpv6_type', 136),
      f('ipv6_nd_sll', 1)]).code).toBe(OFPBMC_BAD_PREREQ);
    // A prerequisite given with an all-zero mask is absent.
    expect(err([f('in_port', 1), f('vlan_vid', 0, 0), f('vlan_pcp', 3)]).code).toBe(OFPBMC_BAD_PREREQ);
  });

  it('accepts satisfied prerequisites in any order', () => {
    ok([f('tcp_dst', 80), f('ip_proto', 6), IPV4]);
    ok([f('in_phy_port', 3), f('in_port', 1)]);
    ok([f('vlan_vid', OFPVID_PRESENT, OFPVID_PRESENT), f('vlan_pcp', 5)]);
    ok([f('eth_type', 0x86dd), f('ip_proto', 58), f('icmpv6_type', 136), f('ipv6_nd_tll', 0x0a0b0c0d0e0fn)]);
  });
});

describe('vlan_vid semantics (§7.2.3.8 Table 13)', () => {
  const key = (tci: number | null): Uint32Array => {
    const k = new Uint32Array(KEY_WORDS);
    const vid = tci === null ? 0 : OFPVID_PRESENT | (tci & 0xfff);
    k[W_ETH_TYPE_VLAN] = ((0x0800 << 16) | (vid << 3)) >>> 0;
    k[W_PRESENT] = P_ETH;
    return k;
  };
  it('OFPVID_NONE matches only untagged frames', () => {
    const cm = ok([f('vlan_vid', 0)]);
    expect(accepts(cm, key(null))).toBe(true);
    expect(accepts(cm, key(0))).toBe(false);
    expect(accepts(cm, key(10))).toBe(false);
  });
  it('OFPVID_PRESENT/OFPVID_PRESENT matches any tagged frame', () => {
    const cm = ok([f('vlan_vid', OFPVID_PRESENT, OFPVID_PRESENT)]);
    expect(accepts(cm, key(null))).toBe(false);
    expect(accepts(cm, key(0))).toBe(true);
    expect(accepts(cm, key(4094))).toBe(true);
  });
  it('OFPVID_PRESENT|vid matches that VLAN only', () => {
    const cm = ok([f('vlan_vid', OFPVID_PRESENT | 10)]);
    expect(accepts(cm, key(10))).toBe(true);
    expect(accepts(cm, key(11))).toBe(false);
    expect(accepts(cm, key(null))).toBe(false);
  });
});

describe('decompileMatch', () => {
  const roundTrip = (m: Match): Match => {
    const cm = ok(m);
    return decompileMatch(cm.value, cm.mask);
  };
  const sorted = (m: Match): Match => [...m].sort((a, b) => a.field - b.field);

  const cases: [string, Match][] = [
    ['ipv4 + tcp', [f('in_port', 7), IPV4, f('ip_proto', 6), f('ipv4_src', 0x0a000000, 0xff000000), f('tcp_src', 1234), f('tcp_dst', 80)]],
    ['udp', [IPV4, f('ip_proto', 17), f('udp_src', 53), f('udp_dst', 5353), f('ip_dscp', 46), f('ip_ecn', 1)]],
    ['sctp', [IPV4, f('ip_proto', 132), f('sctp_src', 1), f('sctp_dst', 2)]],
    ['icmpv4', [IPV4, f('ip_proto', 1), f('icmpv4_type', 8), f('icmpv4_code', 0)]],
    ['arp', [f('eth_type', 0x0806), f('arp_op', 1), f('arp_spa', 0xc0a80001), f('arp_tpa', 0xc0a80000, 0xffffff00),
      f('arp_sha', 0x020000000001n), f('arp_tha', 0x020000000000n, 0xffffffffff00n)]],
    ['ipv6 nd', [f('eth_type', 0x86dd), f('ip_proto', 58), f('icmpv6_type', 135), f('icmpv6_code', 0),
      f('ipv6_src', 0xfe800000000000000000000000000001n), f('ipv6_dst', 1n, 0xffffn),
      f('ipv6_nd_target', 0x20010db8000000000000000000000001n), f('ipv6_nd_sll', 0x0a0b0c0d0e0fn),
      f('ipv6_flabel', 0x12344, 0xfffff - 1), f('ipv6_exthdr', 0x1, 0x1ff - 2)]],
    ['l2', [f('eth_dst', 0xffffffffffffn), f('eth_src', 0x001122000000n, 0xffffff000000n),
      f('vlan_vid', OFPVID_PRESENT | 100), f('vlan_pcp', 3), f('eth_type', 0x8847), f('mpls_label', 0x12345),
      f('mpls_tc', 5), f('mpls_bos', 1)]],
    ['metadata + tunnel + pbb', [f('metadata', 0xdeadbeef00000000n, 0xffffffff00000000n), f('tunnel_id', 42n),
      f('eth_type', 0x88e7), f('pbb_isid', 0xabcd00, 0xffff00)]],
  ];
  for (const [name, m] of cases) {
    it(`round-trips ${name} to the canonical (id-ordered) list`, () => {
      expect(roundTrip(m)).toEqual(sorted(m));
    });
  }

  it('tells ARP SPA from IPv4 src and UDP from TCP by presence bits', () => {
    const arp = roundTrip([f('eth_type', 0x0806), f('arp_spa', 5)]);
    expect(arp.map((x) => x.field)).toEqual([5, 22]);
    const udp = roundTrip([IPV4, f('ip_proto', 17), f('udp_dst', 9)]);
    expect(udp.map((x) => x.field)).toEqual([5, 10, 16]);
    expect(ok([f('eth_type', 0x0806), f('arp_spa', 5)]).mask[W_PRESENT]).toBe(P_ETH | P_ARP);
  });

  it('omits a mask that is all ones', () => {
    const m = roundTrip([IPV4, f('ipv4_dst', 0x0a000001, 0xffffffff)]);
    expect(m[1]).toEqual({ field: 12, value: bytes(4, 0x0a000001) });
  });
});
