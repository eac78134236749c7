/**
 * Push and pop of VLAN tags, MPLS label stack entries and PBB I-TAGs, in place.
 *
 * Frames sit in buffers with headroom: a push moves only the bytes IN FRONT of the
 * insertion point down into the headroom (12 to 18 bytes), a pop moves them up, and the
 * payload never moves. Each function takes the frame as (buf, start, len) and returns the
 * new start, or -1 when it did nothing (no such header to pop, not enough headroom, frame
 * not parsed as Ethernet). The new length is key.meta[M_FRAME_LEN].
 *
 * After a structural change the key is rebuilt by parsing the new frame (simple and
 * exactly right; these actions are rare next to set-field). Pipeline fields the frame does
 * not carry — in_port, in_phy_port, metadata, tunnel_id, tun_src, tun_dst (with P_TUNNEL),
 * flow-key.ts PIPELINE_WORDS — are kept across the re-parse.
 *
 * Field values of a new header, OF1.3.5 §5.12.1 (push actions, Table 7: "existing field"
 * copy rules; 0 when there is nothing to copy):
 *  - push_vlan: inserted as the outermost tag, right after the MAC addresses; VID and PCP
 *    from the current outer tag, else 0.
 *  - push_mpls: inserted as the outermost label, after the MAC addresses and any VLAN tags
 *    (where Open vSwitch and Linux put it: a VLAN tag is part of L2); label, TC and TTL
 *    from the current top label with BOS 0 (only the innermost label is bottom of stack),
 *    else label 0, TC 0, BOS 1 and the TTL from the IP TTL / hop limit, or 0 when the
 *    payload is neither MPLS nor IP (e.g. ARP): Table 7 names no other source, and §5.12.1
 *    sets every field without one to zero (Open vSwitch writes 64 there).
 *  - push_pbb: a new outer Ethernet header + I-TAG in front of the frame, whose MAC
 *    addresses become the customer addresses (C-DA/C-SA ← eth_dst/eth_src); B-DA/B-SA
 *    start as copies of them; I-PCP from the outer VLAN PCP, else 0; I-SID from an
 *    existing I-TAG, else 0.
 *  - pop_mpls sets the ethertype given by the action; pop_pbb removes everything up to and
 *    including the outer I-TAG, leaving the customer frame.
 *
 * Short frames after a pop (the frame a host would build, as a NIC sends it):
 *  - the popped frame ends where its L3 packet ends when the frame says so (IPv4 total
 *    length, IPv6 payload length, the 28 bytes of an Ethernet/IPv4 ARP packet): bytes past
 *    it were the input's Ethernet padding (or a trailer), not data, and a later push must
 *    not carry them inside. Under an MPLS label nothing says where the payload ends, so
 *    there the bytes stay.
 *  - the key's M_PAD_ON_OUTPUT is set, and padForOutput() gives an output to a port the
 *    frame padded with zeros to ETH_MIN_FRAME (60 bytes, FCS excluded; IEEE 802.3 §3.2.8
 *    pads the data field the same way). Frames no pop shortened are sent as they came
 *    (a TAP peer's 42-byte ARP stays 42 bytes), and a packet-in is not padded.
 */
import { rd16, rd32, wr16, wr32 } from './bytes.js';
import {
  type FlowKey, KEY_WORDS, M_ETHTYPE_OFS, M_FRAME_LEN, M_L3_OFS, M_MALFORMED, M_MPLS_OFS, M_NW_TTL,
  M_PAD_ON_OUTPUT, M_PBB_OFS, M_VLAN_OFS, P_ARP, P_ETH, P_L3, P_MPLS, P_PBB, W_IN_PORT, W_PBB,
  copyPipelineWords,
} from './flow-key.js';
import { parseFrame } from './parse.js';
import { ipEnd } from './rewrite-patch.js';

const VLAN_HLEN = 4;
const MPLS_HLEN = 4;
/** B-DA(6) B-SA(6) ethertype(2) I-TAG TCI(4). */
const PBB_HLEN = 18;
/** MPLS TTL for a pushed label over a payload that is neither MPLS nor IP (see the
 * module comment: OF1.3.5 §5.12.1, a field with no source in Table 7 is 0). */
export const MPLS_DEFAULT_TTL = 0;

/** The shortest frame a port sends, FCS excluded (the 64-byte minimum less 4). */
export const ETH_MIN_FRAME = 60;
/** An ARP packet for Ethernet and IPv4 (RFC 826; the only kind that sets P_ARP). */
const ARP_ETH_IPV4_LEN = 28;

/** reparse's scratch (one module-level array: no allocation per push or pop). */
const savedWords = new Uint32Array(KEY_WORDS);

/** Re-parses the frame at its new bounds, keeping the pipeline-only fields of the key
 * and whether a pop shortened the frame (M_PAD_ON_OUTPUT). */
export function reparse(buf: Uint8Array, start: number, len: number, key: FlowKey): void {
  const w = key.words;
  const pad = key.meta[M_PAD_ON_OUTPUT]!;
  copyPipelineWords(w, savedWords);
  parseFrame(buf, start, len, w[W_IN_PORT]!, key);
  copyPipelineWords(savedWords, w);
  key.meta[M_PAD_ON_OUTPUT] = pad;
}

/** After a pop: ends the frame at its L3 packet's end when the frame says where that is,
 * and marks it for padding on output (see the module comment). */
function popped(buf: Uint8Array, start: number, key: FlowKey): void {
  const m = key.meta;
  m[M_PAD_ON_OUTPUT] = 1;
  if (m[M_MALFORMED] !== 0) return;
  let end: number;
  if (key.has(P_L3)) end = ipEnd(buf, start, key) - start;
  else if (key.has(P_ARP)) end = m[M_L3_OFS]! + ARP_ETH_IPV4_LEN;
  else return;
  if (end < m[M_FRAME_LEN]!) m[M_FRAME_LEN] = end;
}

/**
 * The length to send buf[start, start+len) with to a port: after a pop, a frame shorter
 * than ETH_MIN_FRAME is padded with zeros up to it (written after the frame, which must
 * be a work buffer with room; `len` itself, the packet, does not change). Allocation free.
 */
export function padForOutput(buf: Uint8Array, start: number, len: number, key: FlowKey): number {
  if (len >= ETH_MIN_FRAME || key.meta[M_PAD_ON_OUTPUT] !== 1) return len;
  for (let i = start + len, end = start + ETH_MIN_FRAME; i < end; i++) buf[i] = 0;
  return ETH_MIN_FRAME;
}

export function pushVlan(buf: Uint8Array, start: number, len: number, key: FlowKey, tpid: number): number {
  if (start < VLAN_HLEN || !key.has(P_ETH)) return -1;
  const vlanOfs = key.meta[M_VLAN_OFS]!;
  const tci = vlanOfs >= 0 ? rd16(buf, start + vlanOfs + 2) & 0xefff : 0; // VID + PCP, not DEI
  const ns = start - VLAN_HLEN;
  buf.copyWithin(ns, start, start + 12);
  wr16(buf, ns + 12, tpid);
  wr16(buf, ns + 14, tci);
  reparse(buf, ns, len + VLAN_HLEN, key);
  return ns;
}

export function popVlan(buf: Uint8Array, start: number, len: number, key: FlowKey): number {
  if (key.meta[M_VLAN_OFS]! < 0) return -1;
  const ns = start + VLAN_HLEN;
  buf.copyWithin(ns, start, start + 12);
  reparse(buf, ns, len - VLAN_HLEN, key);
  popped(buf, ns, key);
  return ns;
}

export function pushMpls(buf: Uint8Array, start: number, len: number, key: FlowKey, ethertype: number): number {
  if (start < MPLS_HLEN || !key.has(P_ETH)) return -1;
  const et = start + key.meta[M_ETHTYPE_OFS]!;
  let lse: number;
  if (key.has(P_MPLS)) {
    lse = rd32(buf, start + key.meta[M_MPLS_OFS]!) & ~0x100; // copy, BOS 0
  } else {
    const ttl = key.meta[M_NW_TTL]!;
    lse = 0x100 | (ttl >= 0 ? ttl : MPLS_DEFAULT_TTL);
  }
  const ns = start - MPLS_HLEN;
  buf.copyWithin(ns, start, et); // MACs and VLAN tags; the old ethertype is overwritten
  wr16(buf, et - MPLS_HLEN, ethertype);
  wr32(buf, et - 2, lse >>> 0);
  reparse(buf, ns, len + MPLS_HLEN, key);
  return ns;
}

export function popMpls(buf: Uint8Array, start: number, len: number, key: FlowKey, ethertype: number): number {
  if (!key.has(P_MPLS)) return -1;
  const et = start + key.meta[M_MPLS_OFS]! - 2;
  const ns = start + MPLS_HLEN;
  buf.copyWithin(ns, start, et);
  wr16(buf, et + MPLS_HLEN, ethertype);
  reparse(buf, ns, len - MPLS_HLEN, key);
  popped(buf, ns, key);
  return ns;
}

export function pushPbb(buf: Uint8Array, start: number, len: number, key: FlowKey, ethertype: number): number {
  if (start < PBB_HLEN || !key.has(P_ETH)) return -1;
  const vlanOfs = key.meta[M_VLAN_OFS]!;
  const pcp = vlanOfs >= 0 ? buf[start + vlanOfs + 2]! >>> 5 : 0;
  const isid = key.has(P_PBB) ? key.words[W_PBB]! : 0;
  const ns = start - PBB_HLEN;
  buf.copyWithin(ns, start, start + 12);
  wr16(buf, ns + 12, ethertype);
  wr32(buf, ns + 14, ((pcp << 29) | isid) >>> 0);
  reparse(buf, ns, len + PBB_HLEN, key);
  return ns;
}

export function popPbb(buf: Uint8Array, start: number, len: number, key: FlowKey): number {
  if (!key.has(P_PBB)) return -1;
  const ns = start + key.meta[M_PBB_OFS]! + 4;
  reparse(buf, ns, len - (ns - start), key);
  popped(buf, ns, key);
  return ns;
}

/** New frame length after a push/pop (what the last reparse saw, less what a pop trimmed). */
export function frameLen(key: FlowKey): number {
  return key.meta[M_FRAME_LEN]!;
}
