/**
 * Field values as ovs-ofctl prints them: addresses in their usual text, identifiers that
 * are bit patterns (metadata, tunnel id, flow label, I-SID) in hex, everything else in
 * decimal; masks as CIDR /N when they are prefixes of an IP address, else `/mask`.
 * Also the names ovs-ofctl uses for OXM fields inside `set_field:V->NAME`.
 */
import { OFPXMT_OFB_TCP_FLAGS, OXM_FIELDS } from '../../packet/oxm.js';
import { TCP_FLAG_NAMES } from './field-value.js';
import { valueKind } from './fields.js';
import { formatPort } from './ports.js';
import { bytesUint, formatIPv4, formatIPv6, formatMac, isAllOnes, maskPrefix } from './values.js';

const HEX_FIELDS = new Set([2, 28, 37, 38, 39]);

/** Open vSwitch's names for OXM fields where they differ from the OXM spec name. */
const OVS_NAMES: Readonly<Record<number, string>> = {
  9: 'nw_ecn', 10: 'nw_proto', 11: 'ip_src', 12: 'ip_dst', 19: 'icmp_type', 20: 'icmp_code',
  28: 'ipv6_label', 31: 'nd_target', 32: 'nd_sll', 33: 'nd_tll', 38: 'tun_id',
};

export function ovsFieldName(oxm: number): string {
  return OVS_NAMES[oxm] ?? OXM_FIELDS[oxm]!.name;
}

/** ovs-ofctl prints the 64-bit metadata and tun_id with printf's "%#"PRIx64, which writes
 * zero as "0" (not "0x0"): `tun_id=0`, `set_field:0->tun_id`, `tun_id=0/0xff`. */
const C_ALT_HEX = new Set([2, 38]);
const hexC = (oxm: number, v: bigint): string => (v === 0n && C_ALT_HEX.has(oxm) ? '0' : '0x' + v.toString(16));

export function formatScalar(oxm: number, b: Uint8Array): string {
  switch (valueKind(oxm)) {
    case 'mac': return formatMac(b);
    case 'ipv4': return formatIPv4(b);
    case 'ipv6': return formatIPv6(b);
    case 'port': return formatPort(Number(bytesUint(b)));
    case 'uint': return HEX_FIELDS.has(oxm) ? hexC(oxm, bytesUint(b)) : bytesUint(b).toString();
  }
}

/** tcp_flags as ovs-ofctl prints them: `syn|ack` for an exact value, `+syn-ack` masked. */
function formatTcpFlags(value: number, mask: number | undefined): string {
  const parts: string[] = [];
  TCP_FLAG_NAMES.forEach((name, bit) => {
    if (mask === undefined) { if ((value >> bit) & 1) parts.push(name); } else if ((mask >> bit) & 1) parts.push(((value >> bit) & 1 ? '+' : '-') + name);
  });
  return mask === undefined ? (parts.length ? parts.join('|') : '0') : parts.join('');
}

/** `value` or `value/mask`, with CIDR for IP prefixes (and nothing for an exact mask). */
export function formatMasked(oxm: number, value: Uint8Array, mask: Uint8Array | undefined): string {
  if (oxm === OFPXMT_OFB_TCP_FLAGS) return formatTcpFlags(Number(bytesUint(value)), !mask || bytesUint(mask) === 0xfffn ? undefined : Number(bytesUint(mask)));
  const v = formatScalar(oxm, value);
  if (!mask || isAllOnes(mask)) return v;
  const kind = valueKind(oxm);
  if (kind === 'ipv4' || kind === 'ipv6') {
    const n = maskPrefix(mask);
    return n >= 0 ? `${v}/${n}` : `${v}/${formatScalar(oxm, mask)}`;
  }
  if (kind === 'uint' && !HEX_FIELDS.has(oxm)) return `0x${bytesUint(value).toString(16)}/0x${bytesUint(mask).toString(16)}`;
  return `${v}/${formatScalar(oxm, mask)}`;
}
