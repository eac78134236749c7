/**
 * Decision — the pipeline's answer to "what happens to this packet": the flattened,
 * ordered list of operations on the frame plus everything the packet touched, for counters.
 * Built on the slow path by Pipeline.decide(); executed per packet by the datapath's
 * OpRunner (src/datapath/run-ops.ts) and cached while `cacheable` and the generation hold.
 *
 * Invariants
 *  - `ops` are in the order the spec executes them (OF1.3.5 §5.9 instructions per table,
 *    apply-actions in list order, then the action set in §5.10 order at the end).
 *  - A `branch` op runs its ops on its own copy of the packet as it is at that point; the
 *    main packet is not changed by it. Groups of type ALL give one branch per bucket; a
 *    select/indirect/fast-failover group gives one branch with the chosen bucket, which is
 *    inlined when it is the last op of its list (nothing can observe the difference then).
 *  - A `meter` op that drops stops the whole list it is in (and its enclosing lists):
 *    outputs already done stay done.
 *  - Reserved output ports (IN_PORT, FLOOD, ALL, NORMAL, LOCAL, CONTROLLER) are resolved
 *    at run time from the packet's in_port and the switch's ports.
 *  - Everything a decision refers to (rules, groups, buckets, meters) is a live object:
 *    counters are added to them by account() / Meter.apply, never by decide().
 */
import type { Group, GroupBucket } from './groups.js';
import type { Meter } from './meters.js';
import type { Action, Instruction, Match } from './types.js';

/** On CONTROLLER outputs and TTL decrements (whose failure is a packet-in): the metadata /
 * tunnel_id / tun_src / tun_dst the packet has at this point of the pipeline, for the packet-in's match
 * (OF1.3.5 §7.4.1), each present only when the pipeline changed it from the packet's own
 * value (else the executor's key has it). */
export interface PipelineFields {
  readonly metadata?: bigint;
  readonly tunnelId?: bigint;
  /** host-order IPv4 */
  readonly tunSrc?: number;
  readonly tunDst?: number;
}

export type Op =
  /** `value` is the field's big-endian bytes (OXM_FIELDS[field].bytes). */
  | { readonly op: 'set_field'; readonly field: number; readonly value: Uint8Array }
  | { readonly op: 'push_vlan'; readonly ethertype: number }
  | { readonly op: 'pop_vlan' }
  | { readonly op: 'push_mpls'; readonly ethertype: number }
  | { readonly op: 'pop_mpls'; readonly ethertype: number }
  | { readonly op: 'push_pbb'; readonly ethertype: number }
  | { readonly op: 'pop_pbb' }
  | { readonly op: 'set_nw_ttl'; readonly ttl: number }
  /** tableId / cookie: of the rule whose action this is, for an OFPR_INVALID_TTL packet-in
   * (OF1.3.5 §7.4.1); absent only in hand-built decisions (then 0 / 0). */
  | { readonly op: 'dec_nw_ttl'; readonly tableId?: number; readonly cookie?: bigint } & PipelineFields
  | { readonly op: 'set_mpls_ttl'; readonly ttl: number }
  | { readonly op: 'dec_mpls_ttl'; readonly tableId?: number; readonly cookie?: bigint } & PipelineFields
  | { readonly op: 'copy_ttl_in' }
  | { readonly op: 'copy_ttl_out' }
  | { readonly op: 'set_queue'; readonly queueId: number }
  | { readonly op: 'meter'; readonly meter: Meter }
  | {
    readonly op: 'output';
    readonly port: number;
    /** For CONTROLLER: bytes of the packet to send (OFPCML_NO_BUFFER = all). */
    readonly maxLen: number;
    /** Packet-in reason for CONTROLLER: OFPR_NO_MATCH from a table-miss entry, else
     * OFPR_ACTION (apply-actions), OFPR_ACTION_SET, OFPR_GROUP or OFPR_PACKET_OUT. */
    readonly reason: number;
    readonly tableId: number;
    readonly cookie: bigint;
  } & PipelineFields
  | { readonly op: 'branch'; readonly ops: readonly Op[] };

/** The part of a flow entry that decide() reads. The flow table's Rule satisfies it. */
export interface DecisionRule {
  readonly priority: number;
  readonly cookie: bigint;
  readonly match: Match;
  readonly instructions: readonly Instruction[];
}

export interface TraceGroup {
  readonly groupId: number;
  readonly type: number;
  /** Indices of the buckets taken (all of them for ALL; none when no bucket is live). */
  readonly buckets: readonly number[];
}

/** One table visit, for `sluice trace` and tests. Stable and structured. */
export interface TraceStep {
  readonly tableId: number;
  /** The matched entry, or null on a table miss with no table-miss entry. */
  readonly rule: { readonly priority: number; readonly cookie: bigint; readonly match: Match } | null;
  /** Instruction types executed, in execution order. */
  readonly instructions: readonly string[];
  /** The action set after this table, in execution order. */
  readonly actionSet: readonly Action[];
  readonly groups: readonly TraceGroup[];
  readonly meters: readonly number[];
}

export interface Decision<R extends DecisionRule = DecisionRule> {
  readonly ops: readonly Op[];
  /** Every rule matched, in table order. */
  readonly rules: readonly R[];
  /** Every group executed (a group reached twice appears twice: it counts twice). */
  readonly groups: readonly Group[];
  /** Every bucket executed. */
  readonly buckets: readonly GroupBucket[];
  readonly meters: readonly Meter[];
  /** Tables looked up, in order; `matched[i]` tells whether tablesVisited[i] matched. */
  readonly tablesVisited: readonly number[];
  readonly matched: readonly boolean[];
  /** False when the decision depends on more than the key (headers under a popped MPLS
   * or PBB header): the datapath must not cache it. */
  readonly cacheable: boolean;
  /** Pipeline generation the decision was made under. */
  readonly generation: number;
  readonly trace?: readonly TraceStep[];
}
