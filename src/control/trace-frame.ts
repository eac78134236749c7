/**
 * A real frame built from a trace flow description (`sluice trace BR "in_port=1,tcp,..."`),
 * so that a trace runs the real parser and the real pipeline on the same bytes as a wire
 * packet would bring.
 *
 * Invariants
 *  - Every field of the description is exact: a masked field is an error naming it (a
 *    packet has one value, not a set of values).
 *  - Unspecified fields are zero, as Open vSwitch's ofproto/trace does (MACs, addresses,
 *    ports, ToS); the IPv4 TTL / IPv6 hop limit is 64 and the MPLS TTL 64, so that a
 *    dec_ttl in the pipeline does not turn the trace into an OFPR_INVALID_TTL by accident.
 *  - Headers are complete and checksums valid (IPv4 header, TCP/UDP/ICMP/ICMPv6 over
 *    their pseudo-headers, SCTP CRC32c), and nothing follows the innermost header:
 *    the frame is exactly as long as its headers (no padding to 60 bytes).
 *  - Fields a frame cannot carry at ingress are refused: metadata (a packet enters table 0
 *    with metadata zero, OF1.3.5 §7.2.3.7), in_phy_port, pbb_isid, ipv6_exthdr.
 *  - in_port and the tunnel metadata (tun_id, tun_src, tun_dst: what a tunnel port gives
 *    the packet it received, as ofproto/trace allows) are not part of the frame: they are
 *    returned beside it. Any of the three makes the packet one from a tunnel (P_TUNNEL).
 */
import { SluiceError } from '../ports/errors.js';
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_RARP, ETH_TYPE_VLAN } from '../packet/ethertype.js';
import { OFPVID_PRESENT, type TunnelMeta } from '../packet/flow-key.js';
import { fixSctpChecksum, internetChecksum, pseudoSumV4, pseudoSumV6 } from '../packet/checksum.js';
import { OFPXMT_OFB_TCP_FLAGS, OFPXMT_OFB_TUNNEL_ID, OXM_FIELDS, OXM_TUN_DST, OXM_TUN_SRC } from '../packet/oxm.js';
import type { Match, OxmField } from '../pipeline/types.js';

/** A packet's tunnel metadata at ingress (flow-key.ts setTunnelMeta's arguments). */
export type TraceTunnel = TunnelMeta;

interface TraceFrame {
  readonly frame: Uint8Array;
  /** in_port from the description, if it had one. */
  readonly inPort?: number;
  /** tun_id / tun_src / tun_dst from the description, if it had any of them. */
  readonly tunnel?: TraceTunnel;
}

const DEFAULT_TTL = 64;


const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
const PROTO_SCTP = 132;
const ND_NS = 135;
const ND_NA = 136;

/** Fields no ingress frame can carry (see the invariants). */
const REFUSED: Readonly<Record<number, string>> = {
  1: 'in_phy_port cannot be given: it is the in_port of a packet from a physical port',
  2: 'metadata cannot be given: a packet enters table 0 with metadata 0',
  37: 'pbb_isid cannot be given: trace does not build PBB frames',
  39: 'ipv6_exthdr cannot be given: trace does not build IPv6 extension headers',
};

/** Big-endian bytes → number (fields up to 32 bits). */
function num(b: Uint8Array | undefined): number {
  let v = 0;
  for (const x of b ?? []) v = v * 256 + x;
  return v;
}

class Writer {
  readonly bytes: number[] = [];
  u8(v: number): void { this.bytes.push(v & 0xff); }
  u16(v: number): void { this.bytes.push((v >>> 8) & 0xff, v & 0xff); }
  u32(v: number): void { this.u16(v >>> 16); this.u16(v); }
  raw(b: Uint8Array | undefined, len: number): void {
    for (let i = 0; i < len; i++) this.bytes.push(b?.[i] ?? 0);
  }
  get length(): number { return this.bytes.length; }
}

/**
 * The frame a match describes, or a SluiceError naming the offending field. `match` comes from
 * the flow-syntax parser (prerequisites already checked there).
 */
export function frameFromMatch(match: Match): TraceFrame | SluiceError {
  const by = new Map<number, OxmField>();
  for (const f of match) by.set(f.field, f);
  for (const f of match) {
    const name = OXM_FIELDS[f.field]!.name;
    // metadata=0 says what every ingress packet has: accepted.
    const zeroOk = f.field === 2 && f.mask === undefined && f.value.every((b) => b === 0);
    if (REFUSED[f.field] !== undefined && !zeroOk) return new SluiceError('bad_usage', REFUSED[f.field]!);
    // vlan_pcp alone gives vlan_vid=0x1000/0x1000 ("has a tag"): a tag with VID 0.
    const tagOnly = f.field === 6 && f.mask !== undefined && num(f.mask) === OFPVID_PRESENT && num(f.value) === OFPVID_PRESENT;
    if (f.mask !== undefined && !tagOnly) return new SluiceError('bad_usage', `${name} is masked: a trace packet needs one exact value for each field`);
  }
  const v = (id: number) => by.get(id)?.value;
  const n = (id: number) => num(v(id));

  const w = new Writer();
  w.raw(v(3), 6); // eth_dst
  w.raw(v(4), 6); // eth_src
  const vid = n(6);
  if ((vid & OFPVID_PRESENT) !== 0) {
    w.u16(ETH_TYPE_VLAN);
    w.u16((n(7) << 13) | (vid & 0xfff));
  }
  const ethType = n(5);
  w.u16(ethType);
  const l3 = w.length;
  switch (ethType) {
    case ETH_TYPE_IPV4: ipv4(w, n, v); break;
    case ETH_TYPE_IPV6: ipv6(w, n, v); break;
    case ETH_TYPE_ARP: case ETH_TYPE_RARP: arp(w, n, v); break;
    case ETH_TYPE_MPLS: case ETH_TYPE_MPLS_MCAST: mpls(w, n, by.has(36)); break;
    default: break;
  }
  const frame = Uint8Array.from(w.bytes);
  if (ethType === ETH_TYPE_IPV4) finishIPv4(frame, l3);
  else if (ethType === ETH_TYPE_IPV6) finishIPv6(frame, l3);
  const inPort = by.get(0);
  const tunnel = tunnelOf(by);
  return { frame, ...(inPort ? { inPort: num(inPort.value) } : {}), ...(tunnel ? { tunnel } : {}) };
}

/** tun_id / tun_src / tun_dst of the description (absent ones are 0), if any is given. */
function tunnelOf(by: ReadonlyMap<number, OxmField>): TraceTunnel | undefined {
  const id = by.get(OFPXMT_OFB_TUNNEL_ID)?.value;
  const src = by.get(OXM_TUN_SRC)?.value;
  const dst = by.get(OXM_TUN_DST)?.value;
  if (!id && !src && !dst) return undefined;
  return { idHi: num(id?.subarray(0, 4)), idLo: num(id?.subarray(4, 8)), src: num(src), dst: num(dst) };
}

type Num = (id: number) => number;
type Val = (id: number) => Uint8Array | undefined;

function ipv4(w: Writer, n: Num, v: Val): void {
  w.u8(0x45);
  w.u8((n(8) << 2) | n(9)); // ToS = DSCP | ECN (RFC 2474, RFC 3168)
  w.u16(0); // total length, set by finishIPv4
  w.u32(0); // identification, flags, fragment offset
  w.u8(DEFAULT_TTL);
  w.u8(n(10));
  w.u16(0); // header checksum, set by finishIPv4
  w.raw(v(11), 4);
  w.raw(v(12), 4);
  l4(w, n(10), n, v, false);
}

function ipv6(w: Writer, n: Num, v: Val): void {
  const tc = (n(8) << 2) | n(9);
  w.u32((6 << 28) | (tc << 20) | (n(28) & 0xfffff));
  w.u16(0); // payload length, set by finishIPv6
  w.u8(n(10));
  w.u8(DEFAULT_TTL);
  w.raw(v(26), 16);
  w.raw(v(27), 16);
  l4(w, n(10), n, v, true);
}

function l4(w: Writer, proto: number, n: Num, v: Val, v6: boolean): void {
  switch (proto) {
    case PROTO_TCP:
      w.u16(n(13)); w.u16(n(14));
      w.u32(0); w.u32(0); // seq, ack
      w.u16((5 << 12) | (n(OFPXMT_OFB_TCP_FLAGS) & 0xfff)); // data offset 5 words; tcp_flags (OVS defaults them to 0)
      w.u16(0); w.u16(0); w.u16(0); // window, checksum, urgent
      break;
    case PROTO_UDP:
      w.u16(n(15)); w.u16(n(16)); w.u16(8); w.u16(0);
      break;
    case PROTO_SCTP:
      w.u16(n(17)); w.u16(n(18)); w.u32(0); w.u32(0);
      break;
    case PROTO_ICMP:
      w.u8(n(19)); w.u8(n(20)); w.u16(0); w.u32(0);
      break;
    case PROTO_ICMPV6: {
      const type = n(29);
      w.u8(type); w.u8(n(30)); w.u16(0); w.u32(0);
      if (v6 && (type === ND_NS || type === ND_NA) && n(30) === 0) {
        w.raw(v(31), 16);
        // RFC 4861 §4.6.1: source (NS) / target (NA) link-layer address option, 8 octets.
        const ll = type === ND_NS ? v(32) : v(33);
        if (ll) { w.u8(type === ND_NS ? 1 : 2); w.u8(1); w.raw(ll, 6); }
      }
      break;
    }
    default:
      break; // another protocol: the IP header alone
  }
}

function arp(w: Writer, n: Num, v: Val): void {
  w.u16(1); w.u16(ETH_TYPE_IPV4); w.u8(6); w.u8(4); // Ethernet / IPv4 (RFC 826)
  w.u16(n(21));
  w.raw(v(24), 6); w.raw(v(22), 4);
  w.raw(v(25), 6); w.raw(v(23), 4);
}

function mpls(w: Writer, n: Num, bosGiven: boolean): void {
  // One label stack entry (RFC 3032); mpls_bos=0 needs a second one under it.
  const bos = bosGiven ? n(36) : 1;
  w.u32(((n(34) & 0xfffff) << 12) | ((n(35) & 7) << 9) | (bos << 8) | DEFAULT_TTL);
  if (bos === 0) w.u32((1 << 8) | DEFAULT_TTL);
}

function finishIPv4(f: Uint8Array, l3: number): void {
  const total = f.length - l3;
  f[l3 + 2] = total >>> 8;
  f[l3 + 3] = total & 0xff;
  const c = internetChecksum(f, l3, 20);
  f[l3 + 10] = c >>> 8;
  f[l3 + 11] = c & 0xff;
  finishL4(f, l3 + 20, f[l3 + 9]!, total - 20, pseudoSumV4(f, l3, f[l3 + 9]!, total - 20));
}

function finishIPv6(f: Uint8Array, l3: number): void {
  const payload = f.length - l3 - 40;
  f[l3 + 4] = payload >>> 8;
  f[l3 + 5] = payload & 0xff;
  finishL4(f, l3 + 40, f[l3 + 6]!, payload, pseudoSumV6(f, l3, f[l3 + 6]!, payload));
}

/** L4 checksums: TCP, UDP (0 is sent as all ones, RFC 768), ICMPv6 over the pseudo-header;
 * ICMPv4 over the message alone (RFC 792); SCTP CRC32c (RFC 9260 §6.8). */
function finishL4(f: Uint8Array, l4: number, proto: number, len: number, pseudo: number): void {
  let at = -1;
  let c = 0;
  switch (proto) {
    case PROTO_TCP: at = 16; c = internetChecksum(f, l4, len, pseudo); break;
    case PROTO_UDP: at = 6; c = internetChecksum(f, l4, len, pseudo) || 0xffff; break;
    case PROTO_ICMPV6: at = 2; c = internetChecksum(f, l4, len, pseudo); break;
    case PROTO_ICMP: at = 2; c = internetChecksum(f, l4, len); break;
    case PROTO_SCTP: fixSctpChecksum(f, l4, len); return;
    default: return;
  }
  f[l4 + at] = c >>> 8;
  f[l4 + at + 1] = c & 0xff;
}
