/**
 * The bridge between a Decision's ops (decision.ts) and the in-place frame rewriter of
 * src/packet/rewrite.ts, for the reference executor (execute.ts) and for decide()'s
 * re-parse after pop_mpls / pop_pbb (reparseAfter).
 *
 * A FrameView is a frame in a buffer with HEADROOM free bytes in front, plus the FlowKey
 * parsed from it. src/packet/rewrite.ts keeps the key in step with every change (offsets
 * for later rewrites and checksums, presence bits after pushes and pops), so ops run one
 * after the other on the same view without re-parsing here.
 *
 * Invariants
 *  - The frame is buf[start, start+len). Pushes move `start` back into the headroom, pops
 *    move it forward; after either, `len` is the key's M_FRAME_LEN (what rewrite.ts set).
 *  - applyOp() returns false and leaves the frame untouched when the op does not apply to
 *    this frame (no such header, no headroom left) — and, for dec_nw_ttl / dec_mpls_ttl,
 *    when the TTL is 0 or 1 (OF1.3.5 §5.12: the caller turns that into OFPR_INVALID_TTL).
 *    A TTL op on a frame without that header is a no-op that returns true.
 *  - Nothing is allocated per op: views and their keys are made once and reused.
 *  - Ops that do not change the frame (output, set_queue, meter, branch) are not handled
 *    here: applyOp() returns true for them without doing anything.
 */
import { FlowKey, M_FRAME_LEN, P_L3, W_IP } from '../packet/flow-key.js';
import { OFPXMT_OFB_IP_DSCP } from '../packet/oxm.js';
import { parseFrame } from '../packet/parse.js';
import * as R from '../packet/rewrite.js';
import type { Op } from './decision.js';

/** Bytes free in front of a frame: room for a PBB header (18) plus MPLS and VLAN pushes.
 * The datapath's work frames (src/datapath/run-ops.ts) have the same layout. */
export const HEADROOM = 64;
/** Largest frame a view holds (IPv4/IPv6 datagram maximum plus L2 headers). */
export const MAX_FRAME = 65_535 + 64;

export interface FrameView {
  readonly buf: Uint8Array;
  start: number;
  len: number;
  /** The frame's parsed key, kept in step with the bytes by src/packet/rewrite.ts. */
  readonly key: FlowKey;
}

export function newFrameView(): FrameView {
  const key = new FlowKey();
  key.clear();
  return { buf: new Uint8Array(HEADROOM + MAX_FRAME), start: HEADROOM, len: 0, key };
}

/** Copies frame[0, len) into `v` after the headroom and parses it (in_port = inPort). */
export function loadFrame(v: FrameView, frame: Uint8Array, len: number, inPort: number): void {
  const n = Math.min(len, frame.length, MAX_FRAME);
  v.buf.set(frame.subarray(0, n), HEADROOM);
  v.start = HEADROOM;
  v.len = n;
  parseFrame(v.buf, n, inPort, v.key, HEADROOM);
}

/** Makes `dst` an independent copy of `src` (bytes and key), for a group bucket. */
export function copyView(dst: FrameView, src: FrameView): void {
  dst.buf.set(src.buf.subarray(src.start, src.start + src.len), HEADROOM);
  dst.start = HEADROOM;
  dst.len = src.len;
  dst.key.copyFrom(src.key); // meta offsets are relative to start: they survive the move
}

/** Records a push/pop's new start; -1 means it did not apply. */
function moved(v: FrameView, ns: number): boolean {
  if (ns < 0) return false;
  v.start = ns;
  v.len = v.key.meta[M_FRAME_LEN]!;
  return true;
}

/** Applies one op to the frame in `v`; see the module comment for the result. */
export function applyOp(op: Op, v: FrameView): boolean {
  const { buf, start, len, key } = v;
  switch (op.op) {
    case 'set_field': return R.setField(buf, start, len, key, op.field, op.value);
    case 'push_vlan': return moved(v, R.pushVlan(buf, start, len, key, op.ethertype));
    case 'pop_vlan': return moved(v, R.popVlan(buf, start, len, key));
    case 'push_mpls': return moved(v, R.pushMpls(buf, start, len, key, op.ethertype));
    case 'pop_mpls': return moved(v, R.popMpls(buf, start, len, key, op.ethertype));
    case 'push_pbb': return moved(v, R.pushPbb(buf, start, len, key, op.ethertype));
    case 'pop_pbb': return moved(v, R.popPbb(buf, start, len, key));
    case 'set_nw_ttl': return R.setNwTtl(buf, start, len, key, op.ttl);
    case 'dec_nw_ttl': return R.decNwTtl(buf, start, len, key);
    case 'set_mpls_ttl': return R.setMplsTtl(buf, start, len, key, op.ttl);
    case 'dec_mpls_ttl': return R.decMplsTtl(buf, start, len, key);
    case 'copy_ttl_in': return R.copyTtlIn(buf, start, len, key);
    case 'copy_ttl_out': return R.copyTtlOut(buf, start, len, key);
    default: return true; // output, set_queue, meter, branch: nothing to rewrite
  }
}

/** The length an output to a port sends the frame with: zero padding to the Ethernet
 * minimum after a pop shortened it (R.padForOutput writes the zeros after the frame). */
export function paddedLen(v: FrameView): number {
  return R.padForOutput(v.buf, v.start, v.len, v.key);
}

/** ip_dscp of the frame (IPv4 or IPv6), or -1 when it has no IP header. */
export function frameDscp(v: FrameView): number {
  return v.key.has(P_L3) ? v.key.words[W_IP]! >>> 26 : -1;
}

const dscpValue = new Uint8Array(1);

/** Sets ip_dscp (a meter's dscp_remark band), fixing checksums; no-op without IP. */
export function setFrameDscp(v: FrameView, dscp: number): void {
  dscpValue[0] = dscp & 0x3f;
  R.setField(v.buf, v.start, v.len, v.key, OFPXMT_OFB_IP_DSCP, dscpValue);
}

const scratchView: { v: FrameView | null } = { v: null };

/**
 * For decide() (DecideEnv.reparse): applies the frame-changing ops of `ops` to a scratch
 * copy of `frame` — not running meters, outputs or group branches, which belong to the
 * packet's execution, not to the question what the packet looks like — and leaves the
 * parsed result in `out`. Slow path only (a decision after pop_mpls / pop_pbb is never
 * cached), so one scratch view serves all calls.
 */
export function reparseAfter(frame: Uint8Array, ops: readonly Op[], inPort: number, out: FlowKey): boolean {
  const v = scratchView.v ?? (scratchView.v = newFrameView());
  if (frame.length > MAX_FRAME) return false;
  loadFrame(v, frame, frame.length, inPort);
  for (const op of ops) applyOp(op, v);
  out.copyFrom(v.key);
  return true;
}
