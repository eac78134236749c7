/**
 * Reference executor of a Decision on one frame: the plain statement of what running a
 * decision means, which the tests run. The datapath does not call it: its OpRunner
 * (src/datapath/run-ops.ts) runs the same ops on received frames, allocation-free and
 * copy-on-write, for cache hits and misses alike, and the equivalence tests hold the two
 * to forwarding identically. Frame changes go through src/packet/rewrite.ts (via
 * execute-rewrite.ts), the same rewriter the OpRunner uses.
 *
 * Invariants
 *  - The caller's frame is never modified: it is copied into a scratch buffer with
 *    HEADROOM bytes in front (pushes grow the frame to the front) and parsed once into
 *    that buffer's FlowKey, which the rewriter keeps in step. Scratch buffers are
 *    allocated once per executor and per branch depth, then reused.
 *  - `out` receives a view of the bytes as they are at the moment of the output action
 *    (an output in apply-actions sees the packet before later rewrites). The view is only
 *    valid during the call: copy it to keep it. To a port (not CONTROLLER), a frame a pop
 *    shortened below 60 bytes comes padded with zeros to 60 (src/packet/rewrite-tags.ts).
 *  - A `branch` (group bucket) runs on its own copy; the packet it branched from continues
 *    unchanged.
 *  - A meter that drops stops the whole decision (outputs already done stay done); a
 *    dscp_remark band rewrites ip_dscp.
 *  - dec_nw_ttl / dec_mpls_ttl on TTL <= 1 drop the packet (that branch) and report it as
 *    a packet-in with reason OFPR_INVALID_TTL (OF1.3.5 §5.12 / §7.4.1), carrying the
 *    table id and cookie of the rule whose action decremented the TTL. Whether it reaches
 *    the controller (OFPC_INVALID_TTL_TO_CONTROLLER, §7.3.2) is the datapath's call.
 *  - An output to the packet's own ingress port by number (a standard port, <= OFPP_MAX)
 *    is dropped: a packet goes back out its ingress port only through OFPP_IN_PORT
 *    (OF1.3.5 §4.5). OFPP_IN_PORT is resolved to the ingress port here; other reserved ports (FLOOD, ALL, NORMAL, LOCAL,
 *    CONTROLLER) are passed to `out` as they are, for the datapath to resolve.
 *  - Ops the rewriter cannot apply to this frame (e.g. pop_vlan on an untagged frame from
 *    a group bucket, whose actions are not checked against a match) are skipped.
 */
import type { Decision, Op } from './decision.js';
import { METER_DROP, METER_REMARK, type MeterIO } from './meters.js';
import {
  applyOp, copyView, frameDscp, loadFrame, newFrameView, paddedLen, setFrameDscp, type FrameView,
} from './execute-rewrite.js';
import { OFPCML_NO_BUFFER, OFPP_CONTROLLER, OFPP_IN_PORT, OFPP_MAX, OFPR_INVALID_TTL } from './types.js';

export interface OutputInfo {
  /** Packet-in reason when port is OFPP_CONTROLLER (OFPR_*). */
  readonly reason: number;
  readonly maxLen: number;
  readonly tableId: number;
  readonly cookie: bigint;
  /** Queue chosen by set_queue before this output, or -1. */
  readonly queueId: number;
}

export type OutputFn = (port: number, bytes: Uint8Array, info: OutputInfo) => void;

const MAX_DEPTH = 16;

const CONTINUE = 0;
const STOP_BRANCH = 1;
const STOP_ALL = 2;

interface RunState {
  inPort: number;
  nowMs: number;
  out: OutputFn;
  queueId: number;
}

export class Executor {
  private readonly views: FrameView[] = [];
  private readonly io: MeterIO = { dscp: -1 };

  /** Runs `d` on frame[0, len) that arrived on `inPort`. */
  run(d: Decision, frame: Uint8Array, len: number, inPort: number, nowMs: number, out: OutputFn): void {
    loadFrame(this.view(0), frame, len, inPort);
    this.ops(d.ops, 0, { inPort, nowMs, out, queueId: -1 });
  }

  private view(depth: number): FrameView {
    let v = this.views[depth];
    if (v === undefined) {
      v = newFrameView();
      this.views[depth] = v;
    }
    return v;
  }

  private ops(ops: readonly Op[], depth: number, st: RunState): number {
    const v = this.view(depth);
    const savedQueue = st.queueId;
    for (const op of ops) {
      const r = this.op(op, v, depth, st);
      if (r !== CONTINUE) {
        st.queueId = savedQueue;
        return r;
      }
    }
    st.queueId = savedQueue;
    return CONTINUE;
  }

  private op(op: Op, v: FrameView, depth: number, st: RunState): number {
    switch (op.op) {
      case 'output': {
        const port = op.port === OFPP_IN_PORT ? st.inPort : op.port;
        // §4.5 concerns physical ports; a reserved in_port (a packet-out from the
        // controller, in_port CONTROLLER) may still go to the controller.
        if (op.port !== OFPP_IN_PORT && port === st.inPort && port <= OFPP_MAX) return CONTINUE;
        // To a port, a frame a pop shortened is padded to the Ethernet minimum (rewrite-tags.ts).
        const len = port === OFPP_CONTROLLER ? v.len : paddedLen(v);
        st.out(port, v.buf.subarray(v.start, v.start + len), {
          reason: op.reason, maxLen: op.maxLen, tableId: op.tableId, cookie: op.cookie, queueId: st.queueId,
        });
        return CONTINUE;
      }
      case 'set_queue':
        st.queueId = op.queueId;
        return CONTINUE;
      case 'meter': {
        this.io.dscp = frameDscp(v);
        const verdict = op.meter.apply(v.len, st.nowMs, this.io);
        if (verdict === METER_DROP) return STOP_ALL;
        if (verdict === METER_REMARK) setFrameDscp(v, this.io.dscp);
        return CONTINUE;
      }
      case 'branch': {
        if (depth + 1 >= MAX_DEPTH) return CONTINUE; // the group graph is acyclic; this is a guard
        copyView(this.view(depth + 1), v);
        const r = this.ops(op.ops, depth + 1, st);
        return r === STOP_ALL ? STOP_ALL : CONTINUE;
      }
      case 'dec_nw_ttl':
      case 'dec_mpls_ttl':
        if (applyOp(op, v)) return CONTINUE; // decremented, or no such header: a no-op
        st.out(OFPP_CONTROLLER, v.buf.subarray(v.start, v.start + v.len), {
          reason: OFPR_INVALID_TTL, maxLen: OFPCML_NO_BUFFER, tableId: op.tableId ?? 0,
          cookie: op.cookie ?? 0n, queueId: st.queueId,
        });
        return STOP_BRANCH;
      default:
        applyOp(op, v);
        return CONTINUE;
    }
  }
}

const shared = new Executor();

/** Runs `d` with a module-wide executor (single-threaded JS: safe to share). */
export function executeDecision(
  d: Decision, frame: Uint8Array, len: number, inPort: number, nowMs: number, out: OutputFn,
): void {
  shared.run(d, frame, len, inPort, nowMs, out);
}
