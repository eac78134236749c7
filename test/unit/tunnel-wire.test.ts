/**
 * Tunnel headers against literal bytes (RFC 7348 §5, RFC 8926 §3.4, RFC 2784/2890, RFC 7637),
 * and tunnel port specs with OVS's option names: every bad option is one message naming it.
 * (Whole encapsulated packets are compared with scapy's in test/integration/overlay-*.)
 */
import { describe, expect, it } from 'vitest';
import {
  decodeGeneve, decodeGre, decodeVxlan, DropReason, encodeGeneve, encodeGre, encodeVxlan, parseIpv4, TunnelHeader, udpSourcePort,
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
