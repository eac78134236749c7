/**
 * Frame rewriting, in place: the actions of OF1.3.5 §5.12 that change a packet.
 *
 * Calling convention (all functions): the frame is buf[start, start+len); `key` is the
 * frame's parsed FlowKey and is kept in step with the frame. Set-field and TTL actions
 * keep the frame's bounds; push/pop actions return the new start (the new length is
 * key.meta[M_FRAME_LEN]) and need headroom in front of the frame for pushes.
 *
 * Outputs: padForOutput() gives the length a port sends a frame a pop shortened with
 * (zero padding to ETH_MIN_FRAME, rewrite-tags.ts).
 *
 * The pieces: set-field (rewrite-field.ts), push/pop (rewrite-tags.ts), TTLs
 * (rewrite-ttl.ts), the checksum-fixing write under all of them (rewrite-patch.ts).
 */
export { setField } from './rewrite-field.js';
export {
  ETH_MIN_FRAME, frameLen, MPLS_DEFAULT_TTL, padForOutput, popMpls, popPbb, popVlan, pushMpls, pushPbb, pushVlan, reparse,
} from './rewrite-tags.js';
export { copyTtlIn, copyTtlOut, decMplsTtl, decNwTtl, setMplsTtl, setNwTtl } from './rewrite-ttl.js';
