/**
 * Fuzz target "frames": mutated frames of every kind the parser knows through a Bridge
 * whose flows rewrite every settable field, push and pop VLAN, MPLS and PBB tags, send to
 * several ports, groups and the controller (test/unit/datapath-helpers.ts: memory ports).
 *
 * Input: [mode][frame]. mode & 3 picks the ingress port, i.e. the program:
 *   port 1: per protocol, set every field the packet has, push 802.1Q + 802.1ad, push
 *           MPLS, output after each step;
 *   port 2: pop what is there (VLANs, MPLS, PBB), output, push PBB;
 *   port 3: a group of type all whose buckets rewrite differently, and the controller;
 *   port 4: NORMAL (MAC learning, flooding).
 * mode 0x10..0x12: the frame is a vxlan / geneve / gre header and an inner frame: the
 * tunnel decoder and RFC 6040 decapsulation run first (src/ports/tunnel-wire.ts), as the
 * tunnel port does, and the inner frame enters on port 1.
 *
 * Seeds: every frame of test/fixtures/packets/golden.json (scapy: VLAN stacks, MPLS
 * stacks, PBB, IPv6 extension chains, fragments, ARP, ICMP/ICMPv6/ND, TCP/UDP/SCTP) and
 * the inputs of egress.json. The first inputs of every campaign truncate each seed at
 * every byte, in order; the rest are mutated (test/fuzz/mutate.ts).
 *
 * Invariants, per input:
 *  - no exception;
 *  - a frame shorter than 14 bytes is counted as a runt and not forwarded; a frame the
 *    parser marks malformed is counted as malformed and not forwarded (no output, no
 *    packet-in): the pipeline never sees a half-parsed frame;
 *  - every output frame is 14..(input + 4 tags, or 60 when padded) bytes, and where it
 *    carries IPv4/IPv6 the IP length fits in the frame and the frame does not run more
 *    than the input's trailer (or the 60-byte padding) past it;
 *  - the tunnel decoders return a drop reason or a header length within the packet, and
 *    write nothing outside the packet (canaries around it).
 */
import { readFileSync } from 'node:fs';
import { FlowKey, M_MALFORMED, P_MPLS, P_PBB } from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { isParseError, parseFlow, parseGroup } from '../../src/openflow/syntax/index.js';
import { decapEcn, decodeTunnel, TunnelHeader, type TunnelProto } from '../../src/ports/tunnel-wire.js';
import { rig, type Rig } from '../unit/datapath-helpers.js';
import { mutate, fromHex } from './mutate.js';
import type { Rand } from './rand.js';
import type { FuzzTarget } from './runner.js';
import { rd16 } from '../../src/packet/bytes.js';

const MAX_FRAME = 2048; // the memory ports' slot
const MAX_PUSH = 4 * 4 + 18; // two VLAN tags, MPLS, PBB (18 bytes) in one program at most
const ETH_MIN = 60;
const TUNNEL_MODE = 0x10;
const PROTOS: readonly TunnelProto[] = ['vxlan', 'geneve', 'gre'];

const SET_L2 = 'mod_dl_src:02:aa:bb:cc:dd:01,mod_dl_dst:02:aa:bb:cc:dd:02';
const TAGS = 'push_vlan:0x8100,mod_vlan_vid:7,mod_vlan_pcp:3,output:2,push_vlan:0x88a8,set_field:4095->vlan_vid,output:3';
const MPLS4 = 'push_mpls:0x8847,set_field:5->mpls_label,set_field:3->mpls_tc,dec_mpls_ttl,output:4';

/** The programs; a flow the pipeline refuses is a bug in this list (checked at setup). */
export const FRAME_FLOWS: readonly string[] = [
  `table=0,priority=10,in_port=1,tcp,actions=${SET_L2},mod_nw_src:1.2.3.4,mod_nw_dst:5.6.7.8,mod_nw_tos:32,mod_nw_ecn:1,dec_ttl,mod_tp_src:1,mod_tp_dst:2,output:2,${TAGS},${MPLS4}`,
  `table=0,priority=10,in_port=1,udp,actions=${SET_L2},mod_nw_src:1.2.3.4,mod_nw_dst:5.6.7.8,set_field:63->ip_dscp,mod_nw_ttl:1,mod_tp_src:1,mod_tp_dst:2,output:2,${TAGS},${MPLS4}`,
  `table=0,priority=10,in_port=1,sctp,actions=${SET_L2},mod_nw_src:1.2.3.4,set_field:9->sctp_src,set_field:10->sctp_dst,output:2,${TAGS},${MPLS4}`,
  `table=0,priority=10,in_port=1,icmp,actions=${SET_L2},mod_nw_dst:5.6.7.8,set_field:3->icmp_type,set_field:1->icmp_code,output:2,${TAGS},${MPLS4}`,
  `table=0,priority=9,in_port=1,ip,actions=${SET_L2},mod_nw_src:9.9.9.9,dec_ttl,output:2,${TAGS},${MPLS4}`,
  `table=0,priority=10,in_port=1,tcp6,actions=${SET_L2},set_field:2001:db8::1->ipv6_src,set_field:2001:db8::2->ipv6_dst,set_field:0x12345->ipv6_label,mod_tp_dst:22,dec_ttl,output:2,${TAGS}`,
  `table=0,priority=10,in_port=1,udp6,actions=${SET_L2},set_field:2001:db8::1->ipv6_src,mod_tp_src:53,output:2,${TAGS}`,
  `table=0,priority=10,in_port=1,sctp6,actions=set_field:7->sctp_dst,output:2,${TAGS}`,
  `table=0,priority=11,in_port=1,icmp6,icmp_type=135,actions=set_field:2001:db8::9->nd_target,set_field:02:00:00:00:00:09->nd_sll,output:2,${TAGS}`,
  `table=0,priority=11,in_port=1,icmp6,icmp_type=136,actions=set_field:2001:db8::9->nd_target,set_field:02:00:00:00:00:09->nd_tll,output:2,${TAGS}`,
  `table=0,priority=10,in_port=1,icmp6,actions=set_field:129->icmpv6_type,set_field:0->icmpv6_code,set_field:fe80::1->ipv6_dst,output:2,${TAGS}`,
  `table=0,priority=9,in_port=1,ipv6,actions=${SET_L2},set_field:2001:db8::1->ipv6_src,dec_ttl,output:2,${TAGS}`,
  `table=0,priority=10,in_port=1,arp,actions=${SET_L2},set_field:2->arp_op,set_field:10.0.0.9->arp_spa,set_field:10.0.0.8->arp_tpa,set_field:02:00:00:00:00:07->arp_sha,set_field:02:00:00:00:00:08->arp_tha,output:2,${TAGS}`,
  `table=0,priority=10,in_port=1,mpls,actions=set_field:77->mpls_label,set_field:1->mpls_tc,set_mpls_ttl:9,output:2,push_mpls:0x8847,output:3,pop_mpls:0x8847,pop_mpls:0x0800,output:4`,
  'table=0,priority=10,in_port=1,dl_type=0x88e7,actions=set_field:0x123456->pbb_isid,output:2,pop_pbb,output:3,push_vlan:0x8100,output:4',
  `table=0,priority=1,in_port=1,actions=${SET_L2},output:2,push_pbb:0x88e7,set_field:0xabcdef->pbb_isid,output:3,pop_pbb,${TAGS}`,
  'table=0,priority=12,in_port=2,vlan_tci=0x1000/0x1000,actions=pop_vlan,output:1,output:3',
  'table=0,priority=11,in_port=2,mpls,mpls_bos=1,actions=pop_mpls:0x0800,output:1,output:3',
  'table=0,priority=10,in_port=2,mpls,actions=pop_mpls:0x8847,output:1,output:3',
  'table=0,priority=10,in_port=2,dl_type=0x88e7,actions=pop_pbb,output:1,output:3',
  'table=0,priority=1,in_port=2,actions=push_pbb:0x88e7,output:1,pop_pbb,push_mpls:0x8848,output:3',
  'table=0,priority=1,in_port=3,actions=group:1,controller:200',
  'table=0,priority=1,in_port=4,actions=normal',
];
const FRAME_GROUPS = [
  'group_id=1,type=all,bucket=output:1,bucket=mod_dl_dst:02:00:00:00:00:05,push_vlan:0x8100,mod_vlan_vid:100,output:2,bucket=push_mpls:0x8847,output:4',
];

interface Seed { name: string; frame: Uint8Array }

function loadSeeds(): Seed[] {
  const dir = new URL('../fixtures/packets/', import.meta.url);
  const golden = JSON.parse(readFileSync(new URL('golden.json', dir), 'utf8')) as { frames: { name: string; hex: string; len: number }[] };
  const egress = JSON.parse(readFileSync(new URL('egress.json', dir), 'utf8')) as { cases: { name: string; in: string }[] };
  const seen = new Set<string>();
  const out: Seed[] = [];
  for (const f of golden.frames) {
    for (const hex of [f.hex, f.hex.slice(0, 2 * f.len)]) { // the whole frame, and as the wire cut it (len)
      if (!seen.has(hex)) { seen.add(hex); out.push({ name: f.name, frame: fromHex(hex) }); }
    }
  }
  for (const c of egress.cases) if (!seen.has(c.in)) { seen.add(c.in); out.push({ name: c.name, frame: fromHex(c.in) }); }
  return out;
}

/** A vxlan / geneve / gre header for `inner` (valid; mutation breaks it). */
function tunnelSeed(proto: number, inner: Uint8Array): Uint8Array {
  const h = proto === 0 ? [0x08, 0, 0, 0, 0, 0, 5, 0]
    : proto === 1 ? [0x01, 0, 0x65, 0x58, 0, 0, 5, 0, 0x01, 0x02, 0x03, 0x01, 0, 0, 0, 0]
      : [0x20, 0, 0x65, 0x58, 0, 0, 0, 5];
  const b = new Uint8Array(h.length + inner.length);
  b.set(h);
  b.set(inner, h.length);
  return b;
}


/** [l3 offset, IP datagram length] of an IPv4/IPv6 frame (after any VLAN tags), or null. */
function ipSpan(b: Uint8Array): [number, number] | null {
  let o = 12;
  if (b.length < 14) return null;
  let t = rd16(b, o);
  while ((t === 0x8100 || t === 0x88a8) && o + 6 <= b.length) { o += 4; t = rd16(b, o); }
  const l3 = o + 2;
  if (t === 0x0800 && l3 + 20 <= b.length && b[l3]! >>> 4 === 4) return [l3, rd16(b, l3 + 2)];
  if (t === 0x86dd && l3 + 40 <= b.length && b[l3]! >>> 4 === 6) return [l3, 40 + rd16(b, l3 + 4)];
  return null;
}

export class FramesTarget implements FuzzTarget {
  readonly name = 'frames';
  private readonly seeds = loadSeeds();
  private readonly sweep: number;
  private readonly r: Rig = rig(4);
  private readonly key = new FlowKey();
  private readonly tun = new TunnelHeader();
  private readonly counts = { forwarded: 0, outputs: 0, malformed: 0, runts: 0, tunnelDrops: 0, packetIns: 0 };

  constructor() {
    this.sweep = this.seeds.reduce((n, s) => n + s.frame.length + 1, 0);
    const refused: string[] = [];
    for (const g of FRAME_GROUPS) {
      const gm = parseGroup(g, { command: 'add' });
      if (isParseError(gm)) { refused.push(`${g}: ${gm.message}`); continue; }
      const e = this.r.bridge.groupMod(gm);
      if (isOFError(e)) refused.push(`${g}: ${e.message}`);
    }
    for (const f of FRAME_FLOWS) {
      const fm = parseFlow(f, { command: 'add' });
      if (isParseError(fm)) { refused.push(`${f}: ${fm.message}`); continue; }
      const e = this.r.bridge.flowMod(fm);
      if (isOFError(e)) refused.push(`${f}: ${e.message}`);
    }
    if (refused.length > 0) throw new Error(`the frames target's flows were refused:\n${refused.join('\n')}`);
  }

  generate(rand: Rand, index: number): Uint8Array {
    let frame: Uint8Array;
    let mode: number;
    if (index < this.sweep) { // truncation at every byte of every seed, in order
      let i = index;
      let s = 0;
      while (i > this.seeds[s]!.frame.length) { i -= this.seeds[s]!.frame.length + 1; s++; }
      frame = this.seeds[s]!.frame.subarray(0, i);
      mode = s & 3;
    } else {
      const other = (): Uint8Array => rand.pick(this.seeds).frame;
      frame = rand.oneIn(8) ? rand.pick(this.seeds).frame : mutate(rand, rand.pick(this.seeds).frame, other, 5);
      mode = rand.below(4);
      if (rand.oneIn(8)) {
        const p = rand.below(3);
        frame = tunnelSeed(p, frame);
        if (rand.oneIn(2)) frame = mutate(rand, frame, other, 2);
        mode = TUNNEL_MODE | p | (rand.below(4) << 2); // bits 2-3: the outer ECN
      }
    }
    if (frame.length > MAX_FRAME - 64) frame = frame.subarray(0, MAX_FRAME - 64);
    const out = new Uint8Array(frame.length + 1);
    out[0] = mode;
    out.set(frame, 1);
    return out;
  }

  run(input: Uint8Array): string | null {
    if (input.length === 0) return null;
    const mode = input[0]!;
    let frame = input.subarray(1);
    let inPort = 1 + (mode & 3);
    const problems: string[] = [];
    if ((mode & TUNNEL_MODE) !== 0) {
      const inner = this.decap(mode, frame, problems);
      if (inner === null) return problems.length === 0 ? null : problems.join('; ');
      frame = inner;
      inPort = 1;
    }
    if (frame.length > MAX_FRAME - 64) frame = frame.subarray(0, MAX_FRAME - 64);
    parseFrame(frame, 0, frame.length, inPort, this.key);
    const malformed = frame.length >= 14 && this.key.meta[M_MALFORMED] === 1;
    const tagged = this.key.has(P_MPLS) || this.key.has(P_PBB);
    const before = this.r.bridge.counters();
    const c0 = { runts: before.drops.runt, malformed: before.drops.malformed };
    this.r.packetIns.length = 0;
    if (!this.r.ports[inPort - 1]!.inject(frame)) {
      if (frame.length > 0) problems.push(`the memory port refused a ${frame.length}-byte frame`);
      return problems.length === 0 ? null : problems.join('; ');
    }
    this.r.bridge.poll();
    const after = this.r.bridge.counters();
    let outputs = 0;
    for (let p = 1; p <= 4; p++) {
      for (const h of this.r.take(p)) {
        outputs++;
        this.checkOutput(Buffer.from(h, 'hex'), frame, tagged, p, problems);
      }
    }
    const packetIns = this.r.packetIns.length;
    this.counts.packetIns += packetIns;
    this.counts.outputs += outputs;
    if (frame.length < 14) {
      this.counts.runts++;
      if (after.drops.runt !== c0.runts + 1) problems.push(`a ${frame.length}-byte runt was not counted`);
      if (outputs + packetIns > 0) problems.push(`a ${frame.length}-byte runt was forwarded`);
    } else if (malformed) {
      this.counts.malformed++;
      if (after.drops.malformed !== c0.malformed + 1) problems.push('a malformed frame was not counted');
      if (outputs + packetIns > 0) problems.push(`a malformed frame was forwarded half-parsed (${outputs} outputs, ${packetIns} packet-ins)`);
    } else if (outputs > 0) this.counts.forwarded++;
    return problems.length === 0 ? null : problems.join('; ');
  }

  private checkOutput(out: Uint8Array, input: Uint8Array, tagged: boolean, port: number, problems: string[]): void {
    const max = Math.max(ETH_MIN, input.length + MAX_PUSH);
    if (out.length < 14 || out.length > max) problems.push(`port ${port}: a ${out.length}-byte frame from a ${input.length}-byte one`);
    if (tagged) return; // a pop of MPLS/PBB may expose anything
    const inSpan = ipSpan(input);
    const span = ipSpan(out);
    if (span === null || inSpan === null) return;
    const [l3, ipLen] = span;
    if (l3 + ipLen > out.length) problems.push(`port ${port}: IP length ${ipLen} at ${l3} runs past the ${out.length}-byte frame`);
    const trailer = Math.max(0, input.length - inSpan[0] - inSpan[1]);
    if (out.length > Math.max(ETH_MIN, l3 + ipLen + trailer)) problems.push(`port ${port}: ${out.length - l3 - ipLen} bytes after the IP datagram (the input had ${trailer})`);
  }

  /** The tunnel port's receive steps on [header][inner]: decode, then RFC 6040. */
  private decap(mode: number, pkt: Uint8Array, problems: string[]): Uint8Array | null {
    const CANARY = 0xa5;
    const buf = new Uint8Array(pkt.length + 64).fill(CANARY);
    buf.set(pkt, 32);
    const proto = PROTOS[mode & 3] ?? 'gre';
    const hl = decodeTunnel(proto, buf, 32, pkt.length, this.tun);
    let inner: Uint8Array | null = null;
    if (hl < 0) this.counts.tunnelDrops++;
    else if (hl > pkt.length) problems.push(`${proto}: header length ${hl} > packet ${pkt.length}`);
    else {
      const r = decapEcn(buf, 32 + hl, pkt.length - hl, (mode >> 2) & 3);
      if (r < 0) this.counts.tunnelDrops++;
      else inner = buf.slice(32 + hl, 32 + pkt.length);
    }
    for (let i = 0; i < 32; i++) {
      if (buf[i] !== CANARY || buf[buf.length - 1 - i] !== CANARY) { problems.push(`${proto}: wrote outside the packet`); break; }
    }
    return inner;
  }

  async finish(): Promise<string | null> {
    const c = this.r.bridge.counters();
    if (c.drops.malformed !== this.counts.malformed) return `the bridge counted ${c.drops.malformed} malformed frames, the fuzzer sent ${this.counts.malformed}`;
    return null;
  }

  stats(): string {
    const c = this.counts;
    const n = (x: number): string => x.toLocaleString('en-US');
    return `${n(c.forwarded)} frames forwarded as ${n(c.outputs)} outputs and ${n(c.packetIns)} packet-ins, ${n(c.malformed)} malformed and ${n(c.runts)} runts dropped and counted, ${n(c.tunnelDrops)} tunnel drops; ${this.seeds.length} seeds, truncation sweep ${n(this.sweep)} inputs`;
  }

  close(): void {
    this.r.bridge.stop();
  }
}
