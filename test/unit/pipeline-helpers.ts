// Shared helpers for the pipeline tests: literal flow-mods and keys.
import { FlowKey, P_ETH, P_IPV4, P_L3, P_TCP, P_UDP, W_IN_PORT, W_PRESENT } from '../../src/packet/flow-key.js';
import { oxmFieldByName, writeFieldWords } from '../../src/packet/oxm.js';
import {
  flowMod, OFPP_ANY, OFPG_ANY, type Action, type Bucket, type FlowMod, type Instruction,
  type OxmField,
} from '../../src/pipeline/types.js';

export function be(n: number | bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt(n);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** An OXM field by name with a numeric value (and optional mask). */
export function oxm(name: string, value: number | bigint, mask?: number | bigint): OxmField {
  const info = oxmFieldByName(name)!;
  return mask === undefined
    ? { field: info.id, value: be(value, info.bytes) }
    : { field: info.id, value: be(value, info.bytes), mask: be(mask, info.bytes) };
}

export const out = (port: number, maxLen = 0): Action => ({ type: 'output', port, maxLen });
export const setField = (name: string, value: number | bigint): Action => ({ type: 'set_field', field: oxm(name, value) });
export const apply = (...actions: Action[]): Instruction => ({ type: 'apply_actions', actions });
export const write = (...actions: Action[]): Instruction => ({ type: 'write_actions', actions });
export const goto = (tableId: number): Instruction => ({ type: 'goto_table', tableId });
export const bucket = (actions: Action[], weight = 0, watchPort = OFPP_ANY, watchGroup = OFPG_ANY): Bucket =>
  ({ weight, watchPort, watchGroup, actions });

export function fm(partial: Partial<FlowMod>): FlowMod {
  return flowMod(partial);
}

/** A key with the given fields set (and the presence bits their headers imply). */
export function keyOf(inPort: number, fields: Record<string, number | bigint>): FlowKey {
  const k = new FlowKey();
  k.clear();
  k.words[W_IN_PORT] = inPort;
  let present = P_ETH;
  for (const [name, v] of Object.entries(fields)) {
    const info = oxmFieldByName(name)!;
    writeFieldWords(info, be(v, info.bytes), k.words);
    present |= info.presence;
  }
  if (fields.eth_type === 0x0800) present |= P_IPV4 | P_L3;
  if (fields.ip_proto === 6) present |= P_TCP;
  if (fields.ip_proto === 17) present |= P_UDP;
  k.words[W_PRESENT] = present >>> 0;
  return k;
}

export const tcpKey = (inPort: number, src: number, dst: number, sport = 1234, dport = 80): FlowKey =>
  keyOf(inPort, {
    eth_src: 0x020000000001n, eth_dst: 0x020000000002n, eth_type: 0x0800, ip_proto: 6,
    ipv4_src: src, ipv4_dst: dst, tcp_src: sport, tcp_dst: dport,
  });
