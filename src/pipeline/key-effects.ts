/**
 * What an action does to a FlowKey (not to the frame): decide() runs apply-actions on a
 * scratch copy of the key so that later tables match the rewritten packet (OF1.3.5 §5.9:
 * apply-actions "modify the packet" between tables).
 *
 * Invariants
 *  - Only `words` are kept exact; `meta` (frame offsets) is the frame rewriter's business.
 *  - Header tracking follows the spec's push rules (§7.2.5 "push" actions): a pushed VLAN
 *    tag copies VID/PCP from the existing outer tag, else 0; a pushed MPLS entry copies
 *    label/TC from the existing outer entry, else 0, with BOS set when it is the first.
 *  - Some effects cannot be known from the key: the headers under a popped MPLS entry or
 *    PBB encapsulation were never parsed. `applyToKey` returns UNTRACKED for them; the
 *    caller then re-parses the rewritten frame if it has one and marks the decision
 *    uncacheable.
 */
import {
  OFPVID_PRESENT, P_ARP, P_ICMPV4, P_ICMPV6, P_IPV4, P_IPV6, P_L3, P_MPLS, P_ND_SLL, P_ND_TARGET,
  P_ND_TLL, P_PBB, P_SCTP, P_TCP, P_UDP, W_ETH_TYPE_VLAN, W_MPLS, W_PBB, W_PRESENT, W_VLAN_INNER,
  setVlanVidOf, vlanVidOf,
} from '../packet/flow-key.js';
import { vlanVidForKey } from './actions.js';
import { OFPXMT_OFB_VLAN_VID, OXM_FIELDS, writeFieldWords } from '../packet/oxm.js';
import type { Action } from './types.js';

const TRACKED = 0;
export const UNTRACKED = 1;

/** Presence bits of everything above Ethernet/MPLS: gone from view once an MPLS or PBB
 * header is pushed in front of them. */
const ABOVE_L2 = P_ARP | P_IPV4 | P_IPV6 | P_L3 | P_TCP | P_UDP | P_SCTP | P_ICMPV4 | P_ICMPV6
  | P_ND_TARGET | P_ND_SLL | P_ND_TLL;

const INNER_PRESENT = 0x10000;

/** Outer tag as a TCI (pcp 15..13 | vid 11..0) from the key word's vid/pcp bits. */
function outerTci(w: number): number {
  return ((w & 7) << 13) | ((w >>> 3) & 0xfff);
}

function setOuterTag(words: Uint32Array, tci: number, present: boolean): void {
  const vid = present ? (tci & 0xfff) | OFPVID_PRESENT : 0;
  const pcp = present ? tci >>> 13 : 0;
  words[W_ETH_TYPE_VLAN] = ((words[W_ETH_TYPE_VLAN]! & 0xffff0000) | (vid << 3) | pcp) >>> 0;
}

const hasVlan = (words: Uint32Array): boolean => (vlanVidOf(words) & OFPVID_PRESENT) !== 0;
const setEthType = (words: Uint32Array, t: number): void => {
  words[W_ETH_TYPE_VLAN] = ((t << 16) | (words[W_ETH_TYPE_VLAN]! & 0xffff)) >>> 0;
};

/** Applies one action's effect to key words. */
export function applyToKey(a: Action, words: Uint32Array): typeof TRACKED | typeof UNTRACKED {
  switch (a.type) {
    case 'set_field': {
      const info = OXM_FIELDS[a.field.field]!;
      if (a.field.field === OFPXMT_OFB_VLAN_VID) {
        if (!hasVlan(words)) return TRACKED; // no tag to rewrite: the frame rewriter skips it too
        const vid = vlanVidForKey(a.field.value);
        setVlanVidOf(words, vid);
        return TRACKED;
      }
      writeFieldWords(info, a.field.value, words);
      // tun_src / tun_dst (key-only metadata): setting one makes the packet's tunnel
      // metadata present, as in rewrite-field.ts setField.
      if (info.keyOnly) words[W_PRESENT] = (words[W_PRESENT]! | info.presence) >>> 0;
      return TRACKED;
    }
    case 'push_vlan': {
      const had = hasVlan(words);
      const tci = had ? outerTci(words[W_ETH_TYPE_VLAN]!) : 0;
      if (had) words[W_VLAN_INNER] = (tci | INNER_PRESENT) >>> 0;
      setOuterTag(words, tci, true);
      return TRACKED;
    }
    case 'pop_vlan': {
      const inner = words[W_VLAN_INNER]!;
      setOuterTag(words, inner & 0xffff, (inner & INNER_PRESENT) !== 0);
      // A third tag, if any, was not parsed; assume none, as the parser keeps only two.
      words[W_VLAN_INNER] = 0;
      return TRACKED;
    }
    case 'push_mpls': {
      const had = (words[W_PRESENT]! & P_MPLS) !== 0;
      // Copy label and TC from the existing outer entry; BOS only when it is the first.
      words[W_MPLS] = had ? (words[W_MPLS]! & ~0x100) >>> 0 : 0x100;
      words[W_PRESENT] = ((words[W_PRESENT]! | P_MPLS) & ~ABOVE_L2) >>> 0;
      setEthType(words, a.ethertype);
      return TRACKED;
    }
    case 'pop_mpls':
      setEthType(words, a.ethertype);
      words[W_PRESENT] = (words[W_PRESENT]! & ~P_MPLS) >>> 0;
      words[W_MPLS] = 0;
      return UNTRACKED; // the next label, or the L3 header, was never parsed
    case 'push_pbb':
      // New outer Ethernet header with an I-TAG (I-SID copied if one existed, else 0);
      // customer tags and L3 are now inside the encapsulation.
      if ((words[W_PRESENT]! & P_PBB) === 0) words[W_PBB] = 0;
      words[W_PRESENT] = ((words[W_PRESENT]! | P_PBB) & ~(ABOVE_L2 | P_MPLS)) >>> 0;
      setOuterTag(words, 0, false);
      words[W_VLAN_INNER] = 0;
      setEthType(words, a.ethertype);
      return TRACKED;
    case 'pop_pbb':
      return UNTRACKED;
    default:
      // TTL ops, set_queue, output, group: no key field changes (TTL is not a match field).
      return TRACKED;
  }
}
