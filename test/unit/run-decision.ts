// Runs a Decision on one frame with the datapath's own executor (src/datapath/run-ops.ts
// OpRunner), for the pipeline tests: what they check is what the switch runs. Each output
// reaches `out` as (port, bytes, info); `bytes` is a view valid only during the call.
import { OpRunner, Reparser, type OutputOp, type WorkFrame } from '../../src/datapath/run-ops.js';
import type { FlowKey } from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
import type { Decision, Op } from '../../src/pipeline/decision.js';

export interface OutputInfo {
  /** Packet-in reason when port is OFPP_CONTROLLER (OFPR_*). */
  readonly reason: number;
  readonly maxLen: number;
  readonly tableId: number;
  readonly cookie: bigint;
  /** Queue chosen by set_queue before this output, or -1. */
  readonly queueId: number;
}

type OutputFn = (port: number, bytes: Uint8Array, info: OutputInfo) => void;

let current: OutputFn = () => {};
const runner = new OpRunner({
  output(port: number, f: WorkFrame, op: OutputOp, queueId: number): void {
    current(port, f.buf.subarray(f.start, f.start + f.len), {
      reason: op.reason, maxLen: op.maxLen, tableId: op.tableId, cookie: op.cookie, queueId,
    });
  },
  drop(): void {}, // the datapath's drop counters are tested with the Bridge
});

/** Runs `d` on frame[0, len) received on `inPort` at `nowMs`; the frame is not changed. */
export function executeDecision(
  d: Decision, frame: Uint8Array, len: number, inPort: number, nowMs: number, out: OutputFn,
): void {
  parseFrame(frame, 0, len, inPort, runner.key);
  current = out;
  try {
    runner.run(d.ops, frame, 0, len, false, inPort, nowMs);
  } finally {
    current = () => {};
  }
}

/** The datapath's re-parse hook for a Pipeline (PipelineOptions.reparse), as Bridge sets it. */
export function reparseHook(): (frame: Uint8Array, ops: readonly Op[], inPort: number, out: FlowKey) => boolean {
  const r = new Reparser();
  return (frame, ops, inPort, out) => r.reparse(frame, ops, inPort, out);
}
