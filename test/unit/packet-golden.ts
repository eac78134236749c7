// Loads test/fixtures/packets/golden.json (frames and rewrites made by scapy, see
// make-golden.py) and converts its values to the shapes the tests compare.
import { readFileSync } from 'node:fs';
import * as FK from '../../src/packet/flow-key.js';
import { oxmFieldByName, type OxmFieldInfo } from '../../src/packet/oxm.js';

interface GoldenFrame {
  name: string;
  scapy: string;
  hex: string;
  len: number;
  fields: Record<string, number | string>;
  present: string[];
  meta: Record<string, number>;
}

export interface GoldenRewrite {
  name: string;
  input: string;
  op: { op: string; field?: string; value?: number | string; ethertype?: number; ttl?: number };
  scapy: string;
  hex: string;
  result: boolean;
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/packets/golden.json', import.meta.url), 'utf8'),
) as { frames: GoldenFrame[]; rewrites: GoldenRewrite[] };

export const FRAMES = golden.frames;
export const REWRITES = golden.rewrites;
export const frameByName = (name: string): GoldenFrame => FRAMES.find((f) => f.name === name)!;

export const hexBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** A frame a pop shortened, as an output to a port sends it: padded with zeros to 60 bytes,
 * as a NIC pads (src/packet/rewrite-tags.ts; egress.json checks it against scapy). */
export const popOnWire = (hex: string): string => hex.padEnd(2 * 60, '0');

export function fieldInfo(name: string): OxmFieldInfo {
  const info = oxmFieldByName(name);
  if (!info) throw new Error(`unknown OXM field ${name}`);
  return info;
}

/** A golden field value as the OXM's big-endian bytes. */
export function fieldBytes(info: OxmFieldInfo, v: number | string): Uint8Array {
  if (typeof v === 'string') return hexBytes(v);
  const out = new Uint8Array(info.bytes);
  let x = v;
  for (let i = info.bytes - 1; i >= 0; i--) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return out;
}

export const PRESENCE: Record<string, number> = {
  ETH: FK.P_ETH, ARP: FK.P_ARP, IPV4: FK.P_IPV4, IPV6: FK.P_IPV6, TCP: FK.P_TCP, UDP: FK.P_UDP,
  SCTP: FK.P_SCTP, ICMPV4: FK.P_ICMPV4, ICMPV6: FK.P_ICMPV6, ND_TARGET: FK.P_ND_TARGET,
  ND_SLL: FK.P_ND_SLL, ND_TLL: FK.P_ND_TLL, MPLS: FK.P_MPLS, PBB: FK.P_PBB, L3: FK.P_L3,
};

/** golden meta name -> meta slot; vlan_inner is a key word, handled by the tests. */
export const META: Record<string, number> = {
  malformed: FK.M_MALFORMED, nw_frag: FK.M_NW_FRAG, nw_ttl: FK.M_NW_TTL, l3_ofs: FK.M_L3_OFS,
  l4_ofs: FK.M_L4_OFS, vlan_ofs: FK.M_VLAN_OFS, vlan_count: FK.M_VLAN_COUNT,
  ethtype_ofs: FK.M_ETHTYPE_OFS, mpls_ofs: FK.M_MPLS_OFS, pbb_ofs: FK.M_PBB_OFS,
  nd_opt_ofs: FK.M_ND_OPT_OFS, tcp_flags: FK.M_TCP_FLAGS,
};
