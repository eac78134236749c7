/**
 * Tunnel headers against literal bytes (RFC 7348 §5, RFC 8926 §3.4, RFC 2784/2890, RFC 7637),
 * and tunnel port specs with OVS's option names: every bad option is one message naming it.
 * (Whole encapsulated packets are compared with scapy's in test/integration/overlay-*.)
 */
import { describe, expect, it } from 'vitest';
import {
  decapEcn, decodeGeneve, decodeGre, decodeVxlan, DropReason, dropReasonName, encodeGeneve, encodeGre, encodeVxlan, parseIpv4, TunnelHeader, udpSourcePort,
} from '../../src/ports/tunnel-wire.js';
import { parseTunnelSpec } from '../../src/ports/tunnel-spec.js';
import { createPort } from '../../src/ports/spec.js';

const hex = (b: Uint8Array, n: number) => Buffer.from(b.subarray(0, n)).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

describe('tunnel headers', () => {
  it('VXLAN: I flag, 24-bit VNI, reserved zero', () => {
    const b = new Uint8Array(8);
    expect(encodeVxlan(b, 0, 0x123456)).toBe(8);
    expect(hex(b, 8)).toBe('0800000012345600');
    const h = new TunnelHeader();
    expect(decodeVxlan(bytes('0800000012345600'), 0, 8, h)).toBe(8);
    expect(h.key).toBe(0x123456);
    expect(decodeVxlan(bytes('0000000012345600'), 0, 8, h)).toBe(DropReason.BadFlags); // no I flag
    expect(decodeVxlan(bytes('8800000012345600'), 0, 8, h)).toBe(DropReason.BadFlags); // GBP-style flag Linux drops
    expect(decodeVxlan(bytes('08000000123456'), 0, 7, h)).toBe(DropReason.Short);
  });

  it('Geneve: version 0, option length in words, protocol 0x6558, VNI', () => {
    const b = new Uint8Array(16);
    expect(encodeGeneve(b, 0, 100)).toBe(8);
    expect(hex(b, 8)).toBe('0000655800006400');
    expect(encodeGeneve(b, 0, 7, bytes('01020380 00000001'))).toBe(16);
    expect(hex(b, 16)).toBe('0200655800000700' + '0102038000000001');
    const h = new TunnelHeader();
    expect(decodeGeneve(b, 0, 16, h)).toBe(16);
    expect([h.key, h.optOff, h.optLen]).toEqual([7, 8, 8]);
    expect(decodeGeneve(bytes('4000655800006400'), 0, 8, h)).toBe(DropReason.BadVersion);
    expect(decodeGeneve(bytes('0000080000006400'), 0, 8, h)).toBe(DropReason.BadProtocol);
    expect(decodeGeneve(bytes('0040655800006400'), 0, 8, h)).toBe(DropReason.CriticalOption);
    expect(decodeGeneve(bytes('0100655800006400'), 0, 8, h)).toBe(DropReason.Short); // one option word missing
  });

  it('GRE: TEB with and without key, checksum and sequence skipped, version and routing refused', () => {
    const b = new Uint8Array(8);
    expect(encodeGre(b, 0, null)).toBe(4);
    expect(hex(b, 4)).toBe('00006558');
    expect(encodeGre(b, 0, 0xdeadbeef)).toBe(8);
    expect(hex(b, 8)).toBe('20006558deadbeef');
    const h = new TunnelHeader();
    expect(decodeGre(bytes('20006558deadbeef'), 0, 8, h)).toBe(8);
    expect([h.hasKey, h.key]).toEqual([true, 0xdeadbeef]);
    expect(decodeGre(bytes('b0006558 abcd0000 00000005 00000009'), 0, 16, h)).toBe(16); // C, K, S
    expect([h.hasKey, h.key]).toEqual([true, 5]);
    expect(decodeGre(bytes('00006558'), 0, 4, h)).toBe(4);
    expect(h.hasKey).toBe(false);
    expect(decodeGre(bytes('00016558'), 0, 4, h)).toBe(DropReason.BadVersion);
    expect(decodeGre(bytes('40006558'), 0, 4, h)).toBe(DropReason.BadFlags);
    expect(decodeGre(bytes('00000800'), 0, 4, h)).toBe(DropReason.BadProtocol);
    expect(decodeGre(bytes('20006558dead'), 0, 6, h)).toBe(DropReason.Short);
  });

  it('UDP source ports stay in 49152..65535 and spread', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const p = udpSourcePort(Math.imul(i, 0x9e3779b1) >>> 8);
      expect(p).toBeGreaterThanOrEqual(49152);
      expect(p).toBeLessThanOrEqual(65535);
      seen.add(p);
    }
    expect(seen.size).toBeGreaterThan(900);
  });

  it('parses IPv4 addresses', () => {
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('256.0.0.1')).toBe(-1);
    expect(parseIpv4('10.0.0')).toBe(-1);
  });
});

describe('tunnel port specs', () => {
  const msg = (spec: string) => {
    const p = createPort(spec);
    return p instanceof Error ? p.message : 'ok';
  };

  it('takes OVS option names, with defaults', () => {
    expect(parseTunnelSpec('vxlan', 's', 'vx0', ['remote_ip=192.0.2.1', 'key=100'])).toEqual({
      proto: 'vxlan', name: 'vx0', remote: 0xc0000201, local: 0, key: 100, dstPort: 4789, tos: 0, ttl: 64, df: true, nvgre: false,
    });
    expect(parseTunnelSpec('geneve', 's', 'gn0', ['remote_ip=flow', 'key=flow', 'local_ip=10.0.0.1', 'tos=inherit', 'ttl=5', 'df=false'])).toEqual({
      proto: 'geneve', name: 'gn0', remote: null, local: 0x0a000001, key: null, dstPort: 6081, tos: -1, ttl: 5, df: false, nvgre: false,
    });
    expect(parseTunnelSpec('gre', 's', 'gr0', ['remote_ip=192.0.2.1'])).toMatchObject({ key: 'none', nvgre: false });
    expect(parseTunnelSpec('gre', 's', 'gr0', ['remote_ip=192.0.2.1', 'key=0xffffffff'])).toMatchObject({ key: 0xffffffff });
    expect(parseTunnelSpec('gre', 's', 'gr0', ['remote_ip=192.0.2.1', 'nvgre=true', 'key=5000'])).toMatchObject({ key: 5000, nvgre: true });
  });

  it('names the bad option in one line', () => {
    expect(msg('vxlan:vx0,key=5')).toBe('port "vxlan:vx0,key=5": remote_ip is required (remote_ip=IPv4 address, or remote_ip=flow)');
    expect(msg('vxlan:vx0,remote_ip=10.0.0.300')).toBe('port "vxlan:vx0,remote_ip=10.0.0.300": remote_ip "10.0.0.300" is not an IPv4 address (or flow)');
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,key=16777216')).toBe('port "vxlan:vx0,remote_ip=10.0.0.3,key=16777216": key "16777216" is out of range (0 to 16777215, a 24-bit VNI, or flow)');
    expect(msg('gre:g0,remote_ip=10.0.0.3,nvgre=true,key=16777216')).toMatch(/key "16777216" is out of range \(0 to 16777215/);
    expect(msg('gre:g0,remote_ip=10.0.0.3,key=4294967296')).toMatch(/key "4294967296" is out of range \(0 to 4294967295, or flow\)/);
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,local_ip=x')).toMatch(/local_ip "x" is not an IPv4 address$/);
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,dst_port=0')).toMatch(/dst_port "0" is not a UDP port/);
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,ttl=0')).toMatch(/ttl "0" is not 1 to 255/);
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,tos=300')).toMatch(/tos "300" is not 0 to 255 or inherit/);
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,tos=0x21')).toMatch(/tos "0x21" sets ECN bits; tos is the DSCP part/);
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,df=maybe')).toMatch(/df "maybe" is true or false/);
    expect(msg('vxlan:vx0,remote_ip=10.0.0.3,csum=true')).toMatch(/unknown option "csum" \(vxlan ports take remote_ip, local_ip, key, dst_port, tos, ttl, df\)/);
    expect(msg('gre:g0,remote_ip=10.0.0.3,dst_port=5')).toMatch(/unknown option "dst_port"/);
    expect(msg('vxlan:vx0,remote_ip=0.0.0.0')).toMatch(/use remote_ip=flow/);
  });

  it('makes tunnel ports of the right kind', () => {
    const p = createPort('geneve:gn0,remote_ip=192.0.2.1,key=7');
    expect(p instanceof Error ? p.message : [p.kind, p.name]).toEqual(['geneve', 'gn0']);
  });
});

describe('ECN at decapsulation (RFC 6040 §4.2, normal mode)', () => {
  /** Ethernet + IPv4 header (tos byte given, valid checksum) + 8 bytes of payload. */
  function v4(tos: number, vlan = false): Uint8Array {
    const eth = vlan ? [...Array(12).fill(0), 0x81, 0x00, 0, 5, 0x08, 0x00] : [...Array(12).fill(0), 0x08, 0x00];
    const ip = [0x45, tos, 0, 28, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
    const f = Uint8Array.from([...eth, ...ip, 1, 2, 3, 4, 5, 6, 7, 8]);
    const at = eth.length;
    const c = ipv4Checksum(f, at);
    f[at + 10] = c >>> 8;
    f[at + 11] = c & 0xff;
    return f;
  }
  function ipv4Checksum(f: Uint8Array, at: number): number {
    let s = 0;
    for (let i = 0; i < 20; i += 2) if (i !== 10) s += (f[at + i]! << 8) | f[at + i + 1]!;
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    return ~s & 0xffff;
  }
  const outcome = (inner: number, outer: number, vlan = false) => {
    const f = v4(0xb8 | inner, vlan);
    const at = vlan ? 18 : 14;
    const r = decapEcn(f, 0, f.length, 0x20 | outer);
    expect((f[at + 10]! << 8) | f[at + 11]!).toBe(ipv4Checksum(f, at)); // still valid
    expect(f[at + 1]! & 0xfc).toBe(0xb8); // the DSCP is the inner one, untouched
    return r < 0 ? 'drop' : f[at + 1]! & 3;
  };

  it('combines the outer ECN into the inner IPv4 header, checksum kept valid', () => {
    // rows: inner Not-ECT, ECT(1), ECT(0), CE; columns: outer Not-ECT, ECT(1), ECT(0), CE
    const table = [0, 1, 2, 3].map((inner) => [0, 1, 2, 3].map((outer) => outcome(inner, outer)));
    expect(table).toEqual([
      [0, 0, 0, 'drop'],
      [1, 1, 1, 3],
      [2, 1, 2, 3],
      [3, 3, 3, 3],
    ]);
    expect(outcome(2, 3, true)).toBe(3);
  });

  it('marks IPv6 traffic class, leaves non-IP frames alone, and counts the drop by name', () => {
    const eth = [...Array(12).fill(0), 0x86, 0xdd];
    const f = Uint8Array.from([...eth, 0x6b, 0xa0, ...Array(38).fill(0)]); // traffic class 0xba: DSCP 46, ECT(0)
    expect(decapEcn(f, 0, f.length, 3)).toBe(0);
    expect(((f[14]! & 0xf) << 4) | (f[15]! >>> 4)).toBe(0xbb); // DSCP kept, ECN = CE
    const arp = Uint8Array.from([...Array(12).fill(0), 0x08, 0x06, ...Array(28).fill(0)]);
    expect(decapEcn(arp, 0, arp.length, 3)).toBe(0);
    expect(dropReasonName(decapEcn(v4(0), 0, 42, 3))).toBe('ecn_ce_not_ect');
  });
});
