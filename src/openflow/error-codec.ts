/**
 * Turning an OFError into an OFPT_ERROR message (OF1.3.5 §7.4.4).
 *
 * Invariants: the data field carries at most the first 64 bytes of the offending message
 * ("at least 64 bytes of the failed request" for most types — Sluice sends exactly
 * min(64, length)); for OFPET_HELLO_FAILED it is an ASCII text instead, as the spec asks.
 * The xid is the offending message's xid, so the peer can match the reply.
 */
import { OFPET_HELLO_FAILED, type OFError } from '../pipeline/errors.js';
import { encodeMessage } from './encode.js';
import type { OFMessage } from './message-types.js';

const ERROR_DATA_MAX = 64;

/** `encode` is the connection's version codec (codec.ts): a 1.0 peer gets 1.0 numbers. */
export function encodeError(
  xid: number, error: OFError, offending: Uint8Array, encode: (m: OFMessage) => Uint8Array | null = encodeMessage,
): Uint8Array {
  const data = error.type === OFPET_HELLO_FAILED
    ? new TextEncoder().encode(error.message.replace(/[^\x20-\x7e]/g, '?'))
    : offending.slice(0, ERROR_DATA_MAX);
  const m: OFMessage = { type: 'error', xid, errType: error.type, code: error.code, data };
  return encode(m) ?? encodeMessage(m); // every version has OFPT_ERROR: the fallback is never taken
}

/** The xid of a possibly broken message (0 when even the header is missing). */
export function xidOf(buf: Uint8Array): number {
  if (buf.length < 8) return 0;
  return ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
}
