/**
 * setField — OF1.3 set-field (OF1.3.5 §7.2.5, OFPAT_SET_FIELD) on a frame in place, with
 * the key's words kept equal to what parsing the rewritten frame would give.
 *
 * Invariants
 *  - `value` is the OXM payload: big-endian, OXM_FIELDS[field].bytes long, as decoded
 *    from the wire (no mask: set-field never carries one).
 *  - A field whose header the frame does not have (presence bit clear, or no VLAN tag for
 *    vlan_vid / vlan_pcp) is not written and setField returns false: the pipeline
 *    validated prerequisites at flow-mod time, so this only happens after an earlier
 *    action removed the header, and the spec leaves that case to the switch.
 *  - vlan_vid writes the low 12 bits of the value into the existing outer tag; the
 *    OFPVID_PRESENT bit of the value is ignored (set-field cannot push a tag).
 *  - tunnel_id, tun_src and tun_dst (OxmFieldInfo.keyOnly) change the key only: they are
 *    not in the frame. tun_src / tun_dst also set P_TUNNEL, so that later tables can match
 *    them; the tunnel port reads them from the key at output (remote_ip=flow, key=flow).
 *  - Checksums: through patchBytes (src/packet/rewrite-patch.ts); ip_proto also updates
 *    the L4 checksum whose pseudo-header carries it (patchPseudoProto), the L4 header
 *    keeping its layout.
 *  - The frame length never changes, so (start, len) stay valid.
 */
import { rd16, rd32, wr16, wr32 } from './bytes.js';
import {
  type FlowKey, M_ETHTYPE_OFS, M_L3_OFS, M_L4_OFS, M_L4_PROTO_OFS, M_MPLS_OFS, M_ND_OPT_OFS,
  M_PBB_OFS, M_VLAN_OFS, OFPVID_PRESENT, P_IPV4, W_PRESENT, setVlanVidOf,
} from './flow-key.js';
import { patchBytes, patchPseudoProto, scratch } from './rewrite-patch.js';
import * as X from './oxm.js';

/** Big-endian value of up to 4 bytes. */
function num(v: Uint8Array): number {
  let x = 0;
  for (let i = 0; i < v.length; i++) x = x * 256 + v[i]!;
  return x >>> 0;
}

function put16(b: Uint8Array, s: number, key: FlowKey, o: number, v: number): void {
  wr16(scratch, 0, v);
  patchBytes(b, s, key, o, scratch, 0, 2);
}

function put32(b: Uint8Array, s: number, key: FlowKey, o: number, v: number): void {
  wr32(scratch, 0, v);
  patchBytes(b, s, key, o, scratch, 0, 4);
}

/** Rewrites one field of the frame at [start, start+len) and of `key`; see module comment. */
export function setField(buf: Uint8Array, start: number, _len: number, key: FlowKey, field: number, value: Uint8Array): boolean {
  const info = X.OXM_FIELDS[field];
  if (info === undefined || !info.settable || value.length !== info.bytes) return false;
  if (info.keyOnly) {
    X.writeFieldWords(info, value, key.words);
    key.words[W_PRESENT] = (key.words[W_PRESENT]! | info.presence) >>> 0;
    return true;
  }
  if (info.presence !== 0 && !key.has(info.presence)) return false;
  const s = start;
  const m = key.meta;
  const l3 = s + m[M_L3_OFS]!;
  const l4 = s + m[M_L4_OFS]!;
  switch (field) {
    case X.OFPXMT_OFB_ETH_DST: patchBytes(buf, s, key, s, value, 0, 6); break;
    case X.OFPXMT_OFB_ETH_SRC: patchBytes(buf, s, key, s + 6, value, 0, 6); break;
    case X.OFPXMT_OFB_ETH_TYPE: patchBytes(buf, s, key, s + m[M_ETHTYPE_OFS]!, value, 0, 2); break;
    case X.OFPXMT_OFB_VLAN_VID:
    case X.OFPXMT_OFB_VLAN_PCP: {
      if (m[M_VLAN_OFS]! < 0) return false;
      const o = s + m[M_VLAN_OFS]! + 2;
      const tci = rd16(buf, o);
      const v = num(value);
      wr16(buf, o, field === X.OFPXMT_OFB_VLAN_VID ? (tci & 0xf000) | (v & 0xfff) : (tci & 0x1fff) | ((v & 7) << 13));
      if (field === X.OFPXMT_OFB_VLAN_VID) {
        setVlanVidOf(key.words, (v & 0xfff) | OFPVID_PRESENT);
        return true;
      }
      break;
    }
    case X.OFPXMT_OFB_IP_DSCP:
    case X.OFPXMT_OFB_IP_ECN: {
      const v = num(value);
      const dscp = field === X.OFPXMT_OFB_IP_DSCP;
      if (key.has(P_IPV4)) {
        const tos = buf[l3 + 1]!;
        scratch[0] = dscp ? ((v & 0x3f) << 2) | (tos & 3) : (tos & 0xfc) | (v & 3);
        patchBytes(buf, s, key, l3 + 1, scratch, 0, 1);
      } else {
        // IPv6: version(4) traffic class(8) flow label(4 of 20) in the first 16 bits.
        const w = rd16(buf, l3);
        const tc = (w >>> 4) & 0xff;
        const ntc = dscp ? ((v & 0x3f) << 2) | (tc & 3) : (tc & 0xfc) | (v & 3);
        put16(buf, s, key, l3, (w & 0xf00f) | (ntc << 4));
      }
      break;
    }
    case X.OFPXMT_OFB_IP_PROTO: {
      const o = key.has(P_IPV4) ? l3 + 9 : s + m[M_L4_PROTO_OFS]!;
      const old = buf[o]!;
      patchBytes(buf, s, key, o, value, 0, 1); // IPv4: the header checksum
      patchPseudoProto(buf, s, key, old, value[0]!);
      break;
    }
    case X.OFPXMT_OFB_IPV4_SRC: patchBytes(buf, s, key, l3 + 12, value, 0, 4); break;
    case X.OFPXMT_OFB_IPV4_DST: patchBytes(buf, s, key, l3 + 16, value, 0, 4); break;
    case X.OFPXMT_OFB_TCP_SRC:
    case X.OFPXMT_OFB_UDP_SRC:
    case X.OFPXMT_OFB_SCTP_SRC: patchBytes(buf, s, key, l4, value, 0, 2); break;
    case X.OFPXMT_OFB_TCP_DST:
    case X.OFPXMT_OFB_UDP_DST:
    case X.OFPXMT_OFB_SCTP_DST: patchBytes(buf, s, key, l4 + 2, value, 0, 2); break;
    case X.OFPXMT_OFB_ICMPV4_TYPE:
    case X.OFPXMT_OFB_ICMPV6_TYPE: patchBytes(buf, s, key, l4, value, 0, 1); break;
    case X.OFPXMT_OFB_ICMPV4_CODE:
    case X.OFPXMT_OFB_ICMPV6_CODE: patchBytes(buf, s, key, l4 + 1, value, 0, 1); break;
    case X.OFPXMT_OFB_ARP_OP: patchBytes(buf, s, key, l3 + 6, value, 0, 2); break;
    case X.OFPXMT_OFB_ARP_SHA: patchBytes(buf, s, key, l3 + 8, value, 0, 6); break;
    case X.OFPXMT_OFB_ARP_SPA: patchBytes(buf, s, key, l3 + 14, value, 0, 4); break;
    case X.OFPXMT_OFB_ARP_THA: patchBytes(buf, s, key, l3 + 18, value, 0, 6); break;
    case X.OFPXMT_OFB_ARP_TPA: patchBytes(buf, s, key, l3 + 24, value, 0, 4); break;
    case X.OFPXMT_OFB_IPV6_SRC: patchBytes(buf, s, key, l3 + 8, value, 0, 16); break;
    case X.OFPXMT_OFB_IPV6_DST: patchBytes(buf, s, key, l3 + 24, value, 0, 16); break;
    case X.OFPXMT_OFB_IPV6_FLABEL: {
      const v = num(value) & 0xfffff;
      put32(buf, s, key, l3, ((rd32(buf, l3) & 0xfff00000) | v) >>> 0);
      break;
    }
    case X.OFPXMT_OFB_IPV6_ND_TARGET: patchBytes(buf, s, key, l4 + 8, value, 0, 16); break;
    case X.OFPXMT_OFB_IPV6_ND_SLL:
    case X.OFPXMT_OFB_IPV6_ND_TLL:
      patchBytes(buf, s, key, s + m[M_ND_OPT_OFS]! + 2, value, 0, 6);
      break;
    case X.OFPXMT_OFB_MPLS_LABEL:
    case X.OFPXMT_OFB_MPLS_TC:
    case X.OFPXMT_OFB_MPLS_BOS: {
      // LSE: label(20) tc(3) bos(1) ttl(8); no checksum covers it.
      const o = s + m[M_MPLS_OFS]!;
      const lse = rd32(buf, o);
      const v = num(value);
      const n = field === X.OFPXMT_OFB_MPLS_LABEL ? (lse & 0xfff) | ((v & 0xfffff) << 12)
        : field === X.OFPXMT_OFB_MPLS_TC ? (lse & ~0xe00) | ((v & 7) << 9)
          : (lse & ~0x100) | ((v & 1) << 8);
      wr32(buf, o, n >>> 0);
      break;
    }
    case X.OFPXMT_OFB_PBB_ISID: patchBytes(buf, s, key, s + m[M_PBB_OFS]! + 1, value, 0, 3); break;
    default:
      return false;
  }
  X.writeFieldWords(info, value, key.words);
  return true;
}
