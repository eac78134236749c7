/**
 * Values of OXM fields in ovs-fields(7) syntax, optionally masked (`value/mask`, or
 * `addr/N` CIDR for IP addresses). The value is returned already ANDed with its mask:
 * OF1.3.5 §7.2.3.5 makes a value bit set under a zero mask bit an error
 * (OFPBMC_BAD_WILDCARDS), and ovs-ofctl normalises the same way. An all-ones mask is
 * dropped (exact match); an all-zeros mask means "wildcard" and yields `wildcard: true`.
 */
import { OFPXMT_OFB_TCP_FLAGS, OXM_FIELDS, fieldFullMask } from '../../packet/oxm.js';
import { parsePort } from './ports.js';
import { valueKind } from './fields.js';
import { isAllZeros, parseIPv4, parseIPv6, parseMac, parseUint, prefixMask, uintBytes, bytesUint } from './values.js';

interface FieldValue {
  readonly value: Uint8Array;
  readonly mask?: Uint8Array;
  readonly wildcard: boolean;
}

/** Parses one unmasked value of the given OXM field; undefined when it is not valid. */
export function parseFieldScalar(oxm: number, text: string): Uint8Array | undefined {
  const info = OXM_FIELDS[oxm]!;
  switch (valueKind(oxm)) {
    case 'mac': return parseMac(text);
    case 'ipv4': return parseIPv4(text);
    case 'ipv6': return parseIPv6(text);
    case 'port': {
      const p = parsePort(text);
      return p === undefined ? undefined : uintBytes(BigInt(p), 4);
    }
    case 'uint': {
      const v = parseUint(text, info.bits);
      return v === undefined ? undefined : uintBytes(v, info.bytes);
    }
  }
}

/** tcp_flags' flag names, bit 0 (fin) upwards (ovs-fields(7)). */
export const TCP_FLAG_NAMES = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr', 'ns'] as const;

/** `+syn-ack`: the flags named with + must be set, those with - clear, the others are
 * wildcarded (ovs-fields(7) tcp_flags); `syn|ack`: exactly these flags (as printed). */
function parseTcpFlags(text: string): FieldValue | string {
  if (!/^[+-]/.test(text)) {
    let value = 0;
    for (const name of text.split('|')) {
      const bit = TCP_FLAG_NAMES.indexOf(name as (typeof TCP_FLAG_NAMES)[number]);
      if (bit < 0) return `unknown TCP flag "${name}": one of ${TCP_FLAG_NAMES.join(' ')}`;
      value |= 1 << bit;
    }
    return { value: uintBytes(BigInt(value), 2), wildcard: false };
  }
  let value = 0;
  let mask = 0;
  for (const m of text.matchAll(/([+-])([a-z]+)|(.)/g)) {
    if (m[3] !== undefined) return `bad tcp_flags "${text}": +FLAG or -FLAG, FLAG one of ${TCP_FLAG_NAMES.join(' ')}`;
    const bit = TCP_FLAG_NAMES.indexOf(m[2] as (typeof TCP_FLAG_NAMES)[number]);
    if (bit < 0) return `unknown TCP flag "${m[2]}": one of ${TCP_FLAG_NAMES.join(' ')}`;
    mask |= 1 << bit;
    if (m[1] === '+') value |= 1 << bit;
  }
  return { value: uintBytes(BigInt(value), 2), mask: uintBytes(BigInt(mask), 2), wildcard: mask === 0 };
}

/** Parses `value` or `value/mask`; a string result is the reason for refusal. */
export function parseFieldValue(oxm: number, text: string): FieldValue | string {
  const info = OXM_FIELDS[oxm]!;
  if (oxm === OFPXMT_OFB_TCP_FLAGS && /^[+-]|^[a-z]+(\|[a-z]+)*$/.test(text)) return parseTcpFlags(text);
  const slash = text.indexOf('/');
  const valueText = slash < 0 ? text : text.slice(0, slash);
  const value = parseFieldScalar(oxm, valueText);
  if (!value) return 'bad value';
  if (slash < 0) return { value, wildcard: false };
  if (!info.maskable) return 'this field cannot be masked';
  const maskText = text.slice(slash + 1);
  const kind = valueKind(oxm);
  let mask: Uint8Array | undefined;
  if ((kind === 'ipv4' || kind === 'ipv6') && /^[0-9]{1,3}$/.test(maskText)) {
    const n = Number(maskText);
    if (n > info.bits) return 'bad prefix length';
    mask = prefixMask(n, info.bytes);
  } else {
    mask = parseFieldScalar(oxm, maskText);
  }
  // parseFieldScalar already refused masks wider than the field's bits.
  if (!mask) return 'bad mask';
  for (let i = 0; i < value.length; i++) value[i]! &= mask[i]!;
  if (isAllZeros(mask)) return { value, wildcard: true };
  if (bytesUint(mask) === bytesUint(fieldFullMask(info))) return { value, wildcard: false };
  return { value, mask, wildcard: false };
}
