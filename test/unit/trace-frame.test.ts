/**
 * The frames `sluice trace` builds from a FLOW, against literal bytes computed by an
 * independent implementation (a few lines of Python with struct: RFC 1071 checksums over
 * the pseudo-headers), then parsed back by the real parser; the FLOW errors; pcap reading;
 * the CLI's argument checks.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArgs } from '../../src/cli/verbs-trace.js';
import { crc32c } from '../../src/packet/checksum.js';
import { FlowKey, P_ND_SLL, P_ND_TARGET, P_SCTP } from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
import { formatMatch } from '../../src/openflow/syntax/index.js';
import { matchFromKey } from '../../src/control/trace-key.js';
import { parseTraceFlow, type TraceFlow } from '../../src/control/trace-flow.js';
import { frameFromMatch } from '../../src/control/trace-frame.js';
import { pcapFrame } from '../../src/control/trace-pcap.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ok = (x: TraceFlow | Error): TraceFlow => {
  if (x instanceof Error) throw x;
  return x;
};
/** The frame parsed back, printed as the trace's Flow line prints it. */
const flowOf = (f: Uint8Array, inPort = 1): string => {
  const k = new FlowKey();
  parseFrame(f, 0, f.length, inPort, k);
  return formatMatch(matchFromKey(k.words));
};

describe('trace FLOW → frame', () => {
  it('UDP over IPv4: literal bytes, valid IPv4 and UDP checksums', () => {
    const f = ok(parseTraceFlow('in_port=3,udp,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=53'));
    expect(f.inPort).toBe('3');
    expect(hex(f.frame)).toBe('02000000000202000000000108004500001c00000000401166cf0a0000010a00000203e800350008e7be');
  });

  it('TCP in a VLAN tag with DSCP/ECN: literal bytes', () => {
    const f = ok(parseTraceFlow('tcp,dl_vlan=10,dl_vlan_pcp=3,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=184,nw_ecn=1,tp_dst=80'));
    expect(f.inPort).toBeUndefined();
    expect(hex(f.frame)).toBe('0000000000000000000000008100600a080045b9002800000000400666150a0000010a000002000000500000000000000000500000009b920000');
    expect(flowOf(f.frame)).toBe('tcp,in_port=1,dl_vlan=10,dl_vlan_pcp=3,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=184,nw_ecn=1,tp_src=0,tp_dst=80,tcp_flags=0');
  });

  it('ICMPv6 neighbor solicitation with target and source link-layer option: literal bytes', () => {
    const f = ok(parseTraceFlow('icmp6,dl_src=02:00:00:00:00:01,dl_dst=33:33:00:00:00:02,ipv6_src=fe80::1,ipv6_dst=ff02::1:ff00:2,icmp_type=135,icmp_code=0,nd_target=fe80::2,nd_sll=02:00:00:00:00:01'));
    expect(hex(f.frame)).toBe('33330000000202000000000186dd6000000000203a40fe800000000000000000000000000001ff0200000000000000000001ff00000287007a9700000000fe8000000000000000000000000000020101020000000001');
    const k = new FlowKey();
    parseFrame(f.frame, 0, f.frame.length, 1, k);
    expect(k.has(P_ND_TARGET) && k.has(P_ND_SLL)).toBe(true);
  });

  it('ARP request: literal bytes', () => {
    const f = ok(parseTraceFlow('arp,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_sha=02:00:00:00:00:01,arp_spa=10.0.0.1,arp_tpa=10.0.0.2'));
    expect(hex(f.frame)).toBe('ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002');
    expect(flowOf(f.frame, 2)).toBe('arp,in_port=2,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_op=1,arp_sha=02:00:00:00:00:01,arp_tha=00:00:00:00:00:00');
  });

  it('SCTP: CRC32c valid; ICMP, MPLS and a bare ethertype parse back to what was asked', () => {
    const s = ok(parseTraceFlow('sctp,nw_src=1.2.3.4,tp_src=5,tp_dst=6')).frame;
    const k = new FlowKey();
    parseFrame(s, 0, s.length, 1, k);
    expect(k.has(P_SCTP)).toBe(true);
    const l4 = s.slice(34);
    const stored = (l4[8]! | (l4[9]! << 8) | (l4[10]! << 16) | (l4[11]! << 24)) >>> 0;
    l4.fill(0, 8, 12);
    expect(crc32c(l4, 0, l4.length) >>> 0).toBe(stored);
    expect(flowOf(ok(parseTraceFlow('icmp,icmp_type=8,icmp_code=0')).frame)).toContain('icmp,in_port=1,');
    expect(flowOf(ok(parseTraceFlow('icmp,icmp_type=8,icmp_code=0')).frame)).toContain('icmp_type=8,icmp_code=0');
    expect(flowOf(ok(parseTraceFlow('mpls,mpls_label=100,mpls_tc=2,mpls_bos=1')).frame)).toBe(
      'mpls,in_port=1,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,mpls_label=100,mpls_tc=2,mpls_bos=1');
    expect(hex(ok(parseTraceFlow('dl_type=0x88cc')).frame)).toBe('00000000000000000000000088cc');
  });

  it('refuses masks, rule keywords, fields no ingress frame has, and syntax errors, naming the token', () => {
    const err = (t: string) => (parseTraceFlow(t) as Error).message;
    expect(err('ip,nw_dst=10.0.0.0/8')).toBe('flow "ip,nw_dst=10.0.0.0/8": nw_dst=10.0.0.0/8 is masked: a trace packet needs one exact value for each field (at column 4)');
    // a mask that reaches the frame builder another way is refused there too
    expect((frameFromMatch([{ field: 12, value: Uint8Array.of(10, 0, 0, 0), mask: Uint8Array.of(255, 0, 0, 0) }]) as Error).message)
      .toBe('ipv4_dst is masked: a trace packet needs one exact value for each field');
    expect(err('ip,priority=5')).toBe('flow "ip,priority=5": "priority" describes a rule, not a packet (at column 4)');
    expect(err('metadata=0x5')).toBe('flow "metadata=0x5": metadata cannot be given: a packet enters table 0 with metadata 0');
    expect(parseTraceFlow('metadata=0,ip')).not.toBeInstanceOf(Error);
    expect(err('tcp,tp_dts=80')).toBe('flow "tcp,tp_dts=80": unknown match field "tp_dts" (did you mean "tp_dst"?) (at column 5)');
    expect(err('tp_dst=80')).toMatch(/^flow "tp_dst=80": tp_dst needs an L4 protocol/);
    expect(err('in_port=')).toBe('flow "in_port=": in_port needs a value (at column 1)');
  });
});

/** A pcap savefile (LINKTYPE_ETHERNET) with the given frames, little-endian µs. */
function pcapFile(frames: readonly Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [];
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0); g.writeUInt16LE(2, 4); g.writeUInt16LE(4, 6);
  g.writeUInt32LE(65535, 16); g.writeUInt32LE(1, 20);
  parts.push(g);
  frames.forEach((f, i) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1000 + i, 0); h.writeUInt32LE(f.length, 8); h.writeUInt32LE(f.length, 12);
    parts.push(h, Buffer.from(f));
  });
  return new Uint8Array(Buffer.concat(parts));
}

describe('pcap frames', () => {
  const a = Uint8Array.from({ length: 20 }, (_, i) => i);
  const b = Uint8Array.from({ length: 30 }, (_, i) => 100 + i);

  it('picks the Nth record, either byte order', () => {
    const f = pcapFile([a, b]);
    expect(hex(pcapFrame(f, 0) as Uint8Array)).toBe(hex(a));
    expect(hex(pcapFrame(f, 1) as Uint8Array)).toBe(hex(b));
    const be = Buffer.from(f);
    be.writeUInt32BE(0xa1b2c3d4, 0); be.writeUInt32BE(1, 20);
    be.writeUInt32BE(a.length, 24 + 8);
    expect(hex(pcapFrame(new Uint8Array(be.subarray(0, 24 + 16 + 20)), 0) as Uint8Array)).toBe(hex(a));
  });

  it('says what is wrong with a bad capture', () => {
    const f = pcapFile([a]);
    expect((pcapFrame(f, 1) as Error).message).toBe('packet 2 asked for, but the capture has only 1 packet');
    expect((pcapFrame(f.subarray(0, 50), 0) as Error).message).toBe('record 0 is cut short (20 bytes announced)');
    expect((pcapFrame(new Uint8Array(30), 0) as Error).message).toBe('not a pcap file (magic 0x00000000)');
    const raw = Buffer.from(f);
    raw.writeUInt32LE(101, 20);
    expect((pcapFrame(new Uint8Array(raw), 0) as Error).message).toBe('link type 101 is not Ethernet (1)');
  });
});

describe('sluice trace: arguments checked by the CLI', () => {
  it('builds the request for FLOW, --hex and --pcap', () => {
    expect(buildArgs('sd1', 'in_port=1,ip', {})).toEqual({ bridge: 'sd1', flow: 'in_port=1,ip' });
    expect(buildArgs('sd1', 'ip', { inPort: 'p1' })).toEqual({ bridge: 'sd1', flow: 'ip', inPort: 'p1' });
    expect(buildArgs('sd1', undefined, { hex: '00'.repeat(14), inPort: '2' })).toEqual({ bridge: 'sd1', hex: '00'.repeat(14), inPort: '2' });
    const dir = mkdtempSync(join(tmpdir(), 'sd-trace-'));
    const file = join(dir, 'c.pcap');
    const f1 = Uint8Array.from({ length: 14 }, () => 1);
    const f2 = Uint8Array.from({ length: 14 }, () => 2);
    writeFileSync(file, pcapFile([f1, f2]));
    expect(buildArgs('sd1', undefined, { pcap: file, inPort: '1' })).toEqual({ bridge: 'sd1', hex: hex(f1), inPort: '1' });
    expect(buildArgs('sd1', undefined, { pcap: file, index: '2', inPort: '1' })).toEqual({ bridge: 'sd1', hex: hex(f2), inPort: '1' });
    expect((buildArgs('sd1', undefined, { pcap: file, index: '3', inPort: '1' }) as Error).message)
      .toBe(`--pcap ${file}: packet 3 asked for, but the capture has only 2 packets`);
    expect((buildArgs('sd1', undefined, { pcap: join(dir, 'nope.pcap'), inPort: '1' }) as Error).message).toBe(`--pcap ${join(dir, 'nope.pcap')}: no such file`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses what the daemon could not use', () => {
    const msg = (flow: string | undefined, o: Record<string, string>) => (buildArgs('sd1', flow, o) as Error).message;
    expect(msg(undefined, {})).toBe('trace: give the packet as exactly one of FLOW, --hex HEX or --pcap FILE');
    expect(msg('ip', { hex: 'ab' })).toBe('trace: give the packet as exactly one of FLOW, --hex HEX or --pcap FILE');
    expect(msg('ip', {})).toBe('trace: flow "ip" has no in_port: add in_port=N or --in-port N');
    expect(msg(undefined, { hex: '0011' })).toBe('trace: --hex and --pcap need --in-port N');
    expect(msg(undefined, { hex: '0011', inPort: '1' })).toBe('--hex: a frame needs at least 14 bytes (an Ethernet header), got 2');
    expect(msg(undefined, { hex: '00zz', inPort: '1' })).toBe('--hex: "z" is not a hex digit (at digit 3)');
    expect(msg('ip', { index: '2', inPort: '1' })).toBe('trace: --index goes with --pcap');
    expect(msg(undefined, { pcap: 'x', index: '0', inPort: '1' })).toBe('--index "0": expected a packet number 1, 2, ...');
  });
});
