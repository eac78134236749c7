/**
 * Cutting a TCP byte stream into whole OpenFlow messages (OF1.3.5 §7.1: every message
 * starts with ofp_header, whose 16-bit length counts the whole message).
 *
 *   buf: [ consumed | start ........ pending bytes ........ end | free ]
 *
 * Invariants
 *  - Bytes in [start, end) are received but not yet part of a returned message; a message
 *    is returned as soon as its last byte arrives, as a fresh copy (never a view into `buf`,
 *    which is reused), in stream order.
 *  - A header whose length is < 8 cannot be skipped (the stream has lost its framing):
 *    push() reports it as an OFPBRC_BAD_LEN value, returns the messages before it, and
 *    the framer stays failed; the connection must be closed. Nothing throws.
 *  - Memory is bounded by one maximal message (65535 bytes) plus one chunk.
 */
import { OFPBRC_BAD_LEN, OFPET_BAD_REQUEST, ofError, type OFError } from '../pipeline/errors.js';
import { OFP_HEADER_LEN } from './constants.js';

type FramerResult =
  | { readonly ok: true; readonly messages: Uint8Array[] }
  | { readonly ok: false; readonly messages: Uint8Array[]; readonly error: OFError };

export class MessageFramer {
  private buf = new Uint8Array(4096);
  private start = 0;
  private end = 0;
  private failed: OFError | null = null;

  /** Bytes received but not yet returned as a message. */
  get pending(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): FramerResult {
    const messages: Uint8Array[] = [];
    if (this.failed) return { ok: false, messages, error: this.failed };
    this.append(chunk);
    while (this.end - this.start >= OFP_HEADER_LEN) {
      const len = (this.buf[this.start + 2]! << 8) | this.buf[this.start + 3]!;
      if (len < OFP_HEADER_LEN) {
        this.failed = ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, `message header says length ${len} < 8: framing lost`);
        return { ok: false, messages, error: this.failed };
      }
      if (this.end - this.start < len) break;
      messages.push(this.buf.slice(this.start, this.start + len));
      this.start += len;
    }
    if (this.start === this.end) this.start = this.end = 0;
    return { ok: true, messages };
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      let cap = this.buf.length;
      while (cap < live + chunk.length) cap *= 2;
      const next = cap === this.buf.length ? this.buf : new Uint8Array(cap);
      next.set(this.buf.subarray(this.start, this.end), 0); // set() copes with overlap (same buffer)
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}
