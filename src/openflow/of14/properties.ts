/**
 * OpenFlow 1.4's property lists (OF1.4.1 §7.2.1.1, §7.3.4.3, §7.3.5.7, §7.3.10): TLVs of
 * type u16, length u16 (header included, padding excluded), each padded to 8 bytes,
 * filling the rest of the structure that holds them.
 *
 * Invariants: readProps consumes exactly its reader; a property shorter than its 4-byte
 * header, or longer than what is left, is OFPET_BAD_PROPERTY/OFPBPC_BAD_LEN; the visitor
 * gets a Reader over the property's body (after the header, before the padding) and
 * returns an OFError to stop.
 */
import { OFPBPC_BAD_LEN, OFPET_BAD_PROPERTY, ofError, type OFError } from '../../pipeline/errors.js';
import { pad8 } from '../constants.js';
import type { Reader } from '../wire.js';

export const badPropLen = (msg: string): OFError => ofError(OFPET_BAD_PROPERTY, OFPBPC_BAD_LEN, msg);

/** Calls `visit(type, length, body)` for each property of `r`; the first OFError stops. */
export function readProps(r: Reader, what: string, visit: (type: number, length: number, body: Reader) => OFError | null): OFError | null {
  while (r.left > 0) {
    if (r.left < 4) return badPropLen(`${what}: ${r.left} bytes left, too few for a property header`);
    const type = r.u16(); const length = r.u16();
    if (length < 4 || length - 4 > r.left) return badPropLen(`${what}: property type ${type} of length ${length}`);
    const body = r.sub(length - 4);
    r.skip(Math.min(pad8(length) - length, r.left));
    const e = visit(type, length, body);
    if (e !== null) return e;
  }
  return null;
}
