/**
 * The switch's packet buffers (OF1.3.5 §7.4.1 buffer_id, §7.3.7 packet-out): packets sent
 * to the controller truncated are kept here so that a PACKET_OUT or FLOW_MOD can name them.
 *
 *   buffer_id = (seq << SLOT_BITS) | slot        slots: a ring of `size` entries
 *
 * Invariants
 *  - Bounded: `size` slots (a power of two ≤ 256). A slot is reused in ring order; a slot
 *    still holding an unused packet younger than `holdMs` is not overwritten: the pool is
 *    then full and alloc() returns OFP_NO_BUFFER (the caller sends the whole packet).
 *  - An id names one packet only: the slot's sequence number changes on every reuse, so an
 *    old id is OFPBRC_BUFFER_UNKNOWN; an id already taken is OFPBRC_BUFFER_EMPTY.
 *  - take() hands each packet out at most once.
 */
import {
  OFPBRC_BUFFER_EMPTY, OFPBRC_BUFFER_UNKNOWN, OFPET_BAD_REQUEST, ofError, type OFError,
} from '../pipeline/errors.js';
import { OFP_NO_BUFFER } from '../pipeline/types.js';

const SLOT_BITS = 8;
const SEQ_LIMIT = 1 << (32 - SLOT_BITS - 1); // keeps ids < 2^31, far from OFP_NO_BUFFER

interface Slot { seq: number; data: Uint8Array | null; inPort: number; at: number }

interface BufferedPacket { readonly data: Uint8Array; readonly inPort: number }

export class PacketBuffers {
  private readonly slots: Slot[] = [];
  private next = 0;

  constructor(readonly size = 256, private readonly holdMs = 5000, private readonly now: () => number = Date.now) {
    if (size < 1 || size > 1 << SLOT_BITS || (size & (size - 1)) !== 0) {
      throw new RangeError(`packet buffer pool size ${size}: must be a power of two in 1..256`);
    }
    for (let i = 0; i < size; i++) this.slots.push({ seq: 0, data: null, inPort: 0, at: 0 });
  }

  /** Stores a packet; returns its buffer_id, or OFP_NO_BUFFER when the pool is full. */
  alloc(data: Uint8Array, inPort: number): number {
    const i = this.next;
    const s = this.slots[i]!;
    const t = this.now();
    if (s.data !== null && t - s.at < this.holdMs) return OFP_NO_BUFFER;
    this.next = (i + 1) % this.size;
    s.seq = (s.seq + 1) % SEQ_LIMIT;
    s.data = data;
    s.inPort = inPort;
    s.at = t;
    return ((s.seq << SLOT_BITS) | i) >>> 0;
  }

  /** Removes and returns the packet `id` names. */
  take(id: number): BufferedPacket | OFError {
    const slot = id & ((1 << SLOT_BITS) - 1);
    const s = slot < this.size ? this.slots[slot]! : undefined;
    if (s === undefined || s.seq !== id >>> SLOT_BITS || s.seq === 0) {
      return ofError(OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN, `buffer ${id} does not exist`);
    }
    if (s.data === null) return ofError(OFPET_BAD_REQUEST, OFPBRC_BUFFER_EMPTY, `buffer ${id} was already used`);
    const out = { data: s.data, inPort: s.inPort };
    s.data = null;
    return out;
  }
}
