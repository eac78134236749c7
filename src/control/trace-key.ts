/**
 * A FlowKey's words as an OF1.3 Match, for printing a traced packet the way ovs-ofctl
 * prints matches ("Flow: tcp,in_port=1,dl_src=...").
 *
 * Invariants
 *  - A field is listed exactly when the parser found it: its presence bit is set in
 *    W_PRESENT (and, for vlan_vid / vlan_pcp, the frame had a tag). Fields that share key
 *    words (ARP and IPv4 addresses, the L4 ports of TCP/UDP/SCTP) are told apart by those
 *    bits, so nothing is listed twice.
 *  - in_port is always listed; metadata and the tunnel metadata (tun_id, tun_src, tun_dst)
 *    only when not zero (a packet from a port that is not a tunnel has them zero; the
 *    pipeline may change them), as ofproto/trace prints them; in_phy_port and
 *    ipv6_exthdr never (ovs-ofctl does not show them either).
 *  - Values are read with readFieldWords, the inverse of the match compiler's layout.
 */
import { OFPVID_PRESENT, W_PRESENT, vlanVidOf } from '../packet/flow-key.js';
import { OFPXMT_OFB_ACTSET_OUTPUT, OFPXMT_OFB_PACKET_TYPE, OXM_FIELDS, OXM_TUN_DST, OXM_TUN_SRC, readFieldWords } from '../packet/oxm.js';
import type { Match, OxmField } from '../pipeline/types.js';

const IN_PHY_PORT = 1;
const METADATA = 2;
const VLAN_VID = 6;
const VLAN_PCP = 7;
const TUNNEL_ID = 38;
const IPV6_EXTHDR = 39;
const SHOWN_WHEN_SET: ReadonlySet<number> = new Set([METADATA, TUNNEL_ID, OXM_TUN_SRC, OXM_TUN_DST]);

export function matchFromKey(words: Uint32Array): Match {
  const present = words[W_PRESENT]!;
  const tagged = (vlanVidOf(words) & OFPVID_PRESENT) !== 0;
  const out: OxmField[] = [];
  for (const info of OXM_FIELDS) {
    // actset_output is the pipeline's (trace-render shows it at each table), packet_type always Ethernet
    if (info.id === IN_PHY_PORT || info.id === IPV6_EXTHDR || info.id === OFPXMT_OFB_ACTSET_OUTPUT || info.id === OFPXMT_OFB_PACKET_TYPE) continue;
    if (info.presence !== 0 && (present & info.presence) === 0) continue;
    if ((info.id === VLAN_VID || info.id === VLAN_PCP) && !tagged) continue;
    const value = readFieldWords(info, words);
    if (SHOWN_WHEN_SET.has(info.id) && value.every((b) => b === 0)) continue;
    out.push({ field: info.id, value });
  }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * What changed from `before` to `after`: the fields of `after` that are new or have
 * another value (as a Match, for formatMatch), and the ids of fields that are gone.
 * vlan_vid and vlan_pcp go together, as ovs-ofctl prints them as one TCI view.
 */
export function changedFields(before: Match, after: Match): { changed: Match; removed: number[] } {
  const was = new Map(before.map((f) => [f.field, f]));
  const now = new Map(after.map((f) => [f.field, f]));
  const differs = (id: number) => {
    const a = was.get(id);
    const b = now.get(id);
    return a === undefined || b === undefined ? a !== b : !sameBytes(a.value, b.value);
  };
  const vlanChanged = differs(VLAN_VID) || differs(VLAN_PCP);
  const changed = after.filter((f) => (f.field === VLAN_VID || f.field === VLAN_PCP ? vlanChanged : differs(f.field)));
  const removed = before.filter((f) => !now.has(f.field)).map((f) => f.field);
  return { changed, removed };
}
