/**
 * parseFrame — one Ethernet frame into a FlowKey (layout: src/packet/flow-key.ts).
 *
 * Invariants
 *  - Nothing is allocated per call: the frame is read by index (src/packet/bytes.ts) at
 *    `start`, so a frame can be parsed where it lies in a receive ring.
 *  - A header's fields and presence bit are written only once the whole header is inside
 *    the frame (and, for L3 payloads, inside the IP datagram). A truncated or malformed
 *    frame never throws: parsing stops, the fields not reached stay 0 with their presence
 *    bits clear, and meta[M_MALFORMED] = 1.
 *  - Offsets in `meta` are relative to `start`, so they survive moving the frame.
 *  - Only in_port and in_phy_port (equal: Sluice has no logical ports that differ from
 *    their physical port, OF1.3.5 §7.2.3.7) are set among the pipeline fields; metadata
 *    and tunnel_id stay 0 for the caller to fill.
 *
 * L2: Ethernet II, any number of 802.1Q (0x8100) / 802.1ad (0x88a8) tags. vlan_vid/pcp come
 * from the OUTERMOST tag (vid | OFPVID_PRESENT, OF1.3.5 §7.2.3.8), the second tag's TCI goes
 * to W_VLAN_INNER, eth_type is the type after all tags (an 802.3 length is kept as is).
 * Then ARP / IPv4 / IPv6 (src/packet/parse-ip.ts), MPLS (top label only: OF1.3 matches
 * nothing beneath it) or PBB (I-SID of the I-TAG; the customer frame is not parsed).
 */
import { rd16, rd32 } from './bytes.js';
import {
  type FlowKey, M_ETHTYPE_OFS, M_FRAME_LEN, M_MALFORMED, M_MPLS_OFS, M_PBB_OFS, M_VLAN_COUNT,
  M_VLAN_OFS, OFPVID_PRESENT, P_ETH, P_MPLS, P_PBB, W_ETH_DST_HI, W_ETH_MIX, W_ETH_SRC_LO,
  W_ETH_TYPE_VLAN, W_IN_PHY_PORT, W_IN_PORT, W_MPLS, W_PBB, W_PRESENT, W_VLAN_INNER,
} from './flow-key.js';
import { parseArp, parseIpv4, parseIpv6 } from './parse-ip.js';
import {
  ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_PBB, ETH_TYPE_VLAN, ETH_TYPE_VLAN_8021AD,
} from './ethertype.js';

const ETH_HLEN = 14;
/** W_VLAN_INNER flag: a second tag exists. */
const VLAN_INNER_PRESENT = 0x10000;

/**
 * Parses `len` bytes of `frame` from `start` into `key` (cleared first). Never throws;
 * see isMalformed() for frames the parser had to give up on.
 */
export function parseFrame(frame: Uint8Array, start: number, len: number, inPort: number, key: FlowKey): void {
  key.clear();
  const w = key.words;
  const m = key.meta;
  w[W_IN_PORT] = inPort;
  w[W_IN_PHY_PORT] = inPort;
  m[M_FRAME_LEN] = len;
  const s = start;
  const end = s + Math.max(0, Math.min(len, frame.length - s));
  if (end - s < ETH_HLEN) {
    m[M_MALFORMED] = 1;
    return;
  }
  let o = s + 12;
  let type = rd16(frame, o);
  let tags = 0;
  let outer = 0;
  let inner = 0;
  while (type === ETH_TYPE_VLAN || type === ETH_TYPE_VLAN_8021AD) {
    // A tag is TPID(2) TCI(2), and the next type follows: all of it must be in the frame.
    if (o + 6 > end) {
      m[M_MALFORMED] = 1;
      return;
    }
    const tci = rd16(frame, o + 2);
    if (tags === 0) outer = tci;
    else if (tags === 1) inner = tci | VLAN_INNER_PRESENT;
    tags++;
    o += 4;
    type = rd16(frame, o);
  }
  w[W_ETH_DST_HI] = rd32(frame, s);
  w[W_ETH_MIX] = ((rd16(frame, s + 4) << 16) | rd16(frame, s + 6)) >>> 0;
  w[W_ETH_SRC_LO] = rd32(frame, s + 8);
  const vlan = tags === 0 ? 0 : ((((outer & 0xfff) | OFPVID_PRESENT) << 3) | (outer >>> 13));
  w[W_ETH_TYPE_VLAN] = ((type << 16) | vlan) >>> 0;
  w[W_VLAN_INNER] = inner;
  w[W_PRESENT] = P_ETH;
  m[M_VLAN_OFS] = tags === 0 ? -1 : 12;
  m[M_VLAN_COUNT] = tags;
  m[M_ETHTYPE_OFS] = o - s;
  const l3 = o + 2;
  switch (type) {
    case ETH_TYPE_IPV4: parseIpv4(frame, s, l3, end, key); break;
    case ETH_TYPE_IPV6: parseIpv6(frame, s, l3, end, key); break;
    case ETH_TYPE_ARP: parseArp(frame, s, l3, end, key); break;
    case ETH_TYPE_MPLS:
    case ETH_TYPE_MPLS_MCAST:
      m[M_MPLS_OFS] = l3 - s;
      if (l3 + 4 > end) m[M_MALFORMED] = 1;
      else {
        // label(20) tc(3) bos(1) ttl(8): the key keeps all but the TTL, in place.
        w[W_MPLS] = (rd32(frame, l3) & 0xffffff00) >>> 0;
        w[W_PRESENT] |= P_MPLS;
      }
      break;
    case ETH_TYPE_PBB:
      // 802.1ah I-TAG TCI: pcp(3) dei(1) uca(1) res(3) I-SID(24).
      m[M_PBB_OFS] = l3 - s;
      if (l3 + 4 > end) m[M_MALFORMED] = 1;
      else {
        w[W_PBB] = rd32(frame, l3) & 0xffffff;
        w[W_PRESENT] |= P_PBB;
      }
      break;
    default:
      break;
  }
}

/** True when the parser stopped early on a truncated or malformed header. */
export function isMalformed(key: FlowKey): boolean {
  return key.meta[M_MALFORMED] === 1;
}
