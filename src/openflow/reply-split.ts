/**
 * Splitting a multipart reply body into messages of at most `maxBytes` (OF1.3.5 §7.3.5:
 * every message but the last carries OFPMPF_REPLY_MORE; all share the request's xid).
 *
 * Invariants
 *  - List bodies (flow, table, port stats, port desc, groups, meters, table features,
 *    queues) are cut between entries, never inside one; the entries keep their order and
 *    each appears exactly once. A body that fits goes out as one message.
 *  - Sizes are measured by encoding (the codec is the authority on lengths): the empty
 *    body once, each entry once.
 *  - An empty list still produces one (empty) reply, so the requester gets an answer.
 */
import { encodeMessage } from './encode.js';
import { OFP_MAX_MSG_LEN, OFPMPF_REPLY_MORE } from './constants.js';
import type { OFMessage } from './message-types.js';
import type { MultipartReplyBody } from './multipart-types.js';

/** A connection's encoder (codec.ts): null = no form in its version. */
type Encode = (m: OFMessage) => Uint8Array | null;

type ListKey = 'flows' | 'tables' | 'ports' | 'queues' | 'groups' | 'meters';

function listKeyOf(body: MultipartReplyBody): ListKey | null {
  for (const k of ['flows', 'tables', 'ports', 'queues', 'groups', 'meters'] as const) {
    if (k in body && Array.isArray((body as Record<string, unknown>)[k])) return k;
  }
  return null;
}

/** Splits and encodes with `encode` (the connection's version; default 1.3). Returns no
 * message when the version has no form for the body (OFPMPF_REPLY_MORE is bit 0 in 1.0's
 * stats flags too, so the splitting is the same). */
export function splitReply(xid: number, body: MultipartReplyBody, maxBytes = OFP_MAX_MSG_LEN, encode: Encode = encodeMessage): Uint8Array[] {
  const encodeReply = (flags: number, b: MultipartReplyBody): Uint8Array | null =>
    encode({ type: 'multipart_reply', xid, flags, body: b });
  const key = listKeyOf(body);
  if (key === null) {
    const one = encodeReply(0, body);
    return one === null ? [] : [one];
  }
  const items = (body as unknown as Record<ListKey, readonly unknown[]>)[key];
  const withItems = (list: readonly unknown[]): MultipartReplyBody => ({ ...body, [key]: list });
  const empty = encodeReply(0, withItems([]));
  if (empty === null) return [];
  const emptyLen = empty.length;
  const chunks: unknown[][] = [];
  let cur: unknown[] = [];
  let size = emptyLen;
  for (const it of items) {
    const len = encodeReply(0, withItems([it]))!.length - emptyLen;
    if (cur.length > 0 && size + len > maxBytes) {
      chunks.push(cur);
      cur = [];
      size = emptyLen;
    }
    cur.push(it);
    size += len;
  }
  chunks.push(cur);
  return chunks.map((c, i) => encodeReply(i < chunks.length - 1 ? OFPMPF_REPLY_MORE : 0, withItems(c))!);
}
