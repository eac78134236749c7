/**
 * decide(): runs a packet's key through the tables and builds its Decision (decision.ts).
 *
 * Per table (OF1.3.5 §5.9, instruction execution order): meter, apply-actions,
 * clear-actions, write-actions, write-metadata, goto-table. Apply-actions run on a scratch
 * copy of the key (key-effects.ts) so later tables see the rewritten packet; write-metadata
 * changes the metadata words. When no goto-table follows, the action set runs in §5.10
 * order. A table miss without a table-miss entry drops the packet (§5.4, OF1.3): the action
 * set is discarded, whatever apply-actions already output stays output. Every table looked
 * up is recorded in tablesVisited / matched, the miss included, so that account() counts it
 * in that table's lookup_count (OF1.3.5 §7.3.5.4) whatever decided the packet.
 *
 * Invariants
 *  - Pure with respect to switch state: no counters change, no clock is read.
 *  - The caller's key is not modified.
 *  - Groups are expanded where they execute; the group graph is acyclic (groups.ts), so the
 *    recursion ends. Select and fast-failover choices are made here, from the key as it is
 *    at that point and from port liveness (a port change bumps the generation).
 *  - After pop_mpls / pop_pbb in the main packet (not in a group bucket) the key cannot
 *    say what lies under the popped header: with the frame given (opts.frame) and
 *    env.reparse set, the ops so far are replayed on a copy of the frame and it is
 *    re-parsed, keeping the pipeline words (in_port, metadata, tunnel_id). Such a
 *    decision depends on more than the key, so it is never cacheable.
 *  - dec_nw_ttl / dec_mpls_ttl ops carry the table id and cookie of the rule the action
 *    came from (for the action set: the rule that wrote it), for OFPR_INVALID_TTL.
 *  - decidePacketOut(): a packet-out's actions (§7.3.7) are built like apply-actions, with
 *    no rule (table OFPTT_ALL, cookie all-ones); output:OFPP_TABLE runs the tables on a
 *    copy, as a branch, with the packet as it is at that point.
 */
import {
  FlowKey, W_ACTSET_OUTPUT, W_IN_PORT, W_METADATA_HI, W_METADATA_LO, W_TUN_DST, W_TUN_SRC, W_TUNNEL_HI, W_TUNNEL_LO, copyPipelineWords,
} from '../packet/flow-key.js';
import { OFPP_UNSET, OFPXMT_OFB_METADATA, OXM_FIELDS, readFieldWords, writeFieldWords } from '../packet/oxm.js';
import { ActionSet } from './action-set.js';
import {
  type Decision, type DecisionRule, type Op, type PipelineFields, type TraceGroup, type TraceStep,
} from './decision.js';
import { chooseBucket, type PortLive } from './group-buckets.js';
import type { Group, GroupBucket, GroupTable } from './groups.js';
import { UNTRACKED, applyToKey } from './key-effects.js';
import type { Meter, MeterTable } from './meters.js';
import {
  OFPGT_ALL, OFPP_CONTROLLER, OFPP_TABLE, OFPR_ACTION, OFPR_ACTION_SET, OFPR_GROUP, OFPR_NO_MATCH, OFPR_PACKET_OUT, OFPTT_ALL, type Action, type Instruction,
} from './types.js';

export interface DecideEnv<R extends DecisionRule> {
  lookup(tableId: number, words: Uint32Array): R | null;
  /** Table-miss entry test (priority 0, nothing matched on: §5.4) for packet-in reasons. */
  isTableMiss(rule: R): boolean;
  readonly groups: GroupTable;
  readonly meters: MeterTable;
  readonly portLive: PortLive;
  readonly generation: number;
  /** Applies `ops` to a copy of the frame and parses the result into `out`; returns false
   * when it cannot. Used after an action whose effect the key cannot show. */
  reparse?(frame: Uint8Array, ops: readonly Op[], inPort: number, out: FlowKey): boolean;
}

interface DecideOptions {
  readonly trace?: boolean;
  /** The frame the key was parsed from, for re-parsing after pop_mpls / pop_pbb. */
  readonly frame?: Uint8Array;
}

/** Who emitted an action: a flow entry in a table, or (rule null) a packet-out. */
interface Origin<R> {
  readonly rule: R | null;
  readonly tableId: number;
  /** The action runs in a group bucket or from the action set: no single flow entry is
   * associated, so a packet-in reports cookie all-ones (OF1.3.5 §7.4.1). */
  readonly detached?: boolean;
  /** The packet-in reason of an output to the controller from here, when not the
   * apply-actions' OFPR_ACTION: OFPR_ACTION_SET, OFPR_GROUP, OFPR_PACKET_OUT (OF1.4 §7.4.1). */
  readonly reason?: number;
}

const cookieOf = <R extends DecisionRule>(o: Origin<R>): bigint => (o.detached || !o.rule ? NO_COOKIE : o.rule.cookie);
const detach = <R>(o: Origin<R>): Origin<R> => (o.detached ? o : { ...o, detached: true });

/** OF1.3.5 §7.4.1: packet-in cookie when no flow entry is associated (all ones). */
const NO_COOKIE = 0xffff_ffff_ffff_ffffn;
/** Packet-out actions belong to no table: reported with table id OFPTT_ALL. */
const PACKET_OUT: Origin<never> = { rule: null, tableId: OFPTT_ALL, reason: OFPR_PACKET_OUT };

const INSTRUCTION_ORDER: readonly Instruction['type'][] = [
  'meter', 'apply_actions', 'clear_actions', 'write_actions', 'write_metadata', 'goto_table',
];

const NO_FIELDS = {} as const;

function word64(words: Uint32Array, hi: number, lo: number): bigint {
  return (BigInt(words[hi]!) << 32n) | BigInt(words[lo]!);
}

class Builder<R extends DecisionRule> {
  readonly rules: R[] = [];
  readonly groups: Group[] = [];
  readonly buckets: GroupBucket[] = [];
  readonly meters: Meter[] = [];
  readonly tables: number[] = [];
  readonly matched: boolean[] = [];
  readonly steps: TraceStep[] = [];
  /** Branch ops of single-bucket groups: inlined when last in their list. */
  readonly single = new Set<Op>();
  traceGroups: TraceGroup[] = [];
  cacheable = true;
  /** Ops applied to the frame before the current op list began (a packet-out's actions
   * before its output:TABLE): replayed in front of it on a re-parse. */
  prefix: readonly Op[] = [];

  /** The packet's own metadata / tunnel_id / tun_src / tun_dst (the key decide() was given). */
  private readonly inMetadata: bigint;
  private readonly inTunnelId: bigint;
  private readonly inTunSrc: number;
  private readonly inTunDst: number;

  constructor(readonly env: DecideEnv<R>, readonly opts: DecideOptions, readonly words: Uint32Array) {
    this.inMetadata = word64(words, W_METADATA_HI, W_METADATA_LO);
    this.inTunnelId = word64(words, W_TUNNEL_HI, W_TUNNEL_LO);
    this.inTunSrc = words[W_TUN_SRC]!;
    this.inTunDst = words[W_TUN_DST]!;
  }

  /** §7.4.1: a packet-in reports the pipeline fields as they are at its output (`words`
   * has write-metadata and set_field tunnel_id applied so far). Only values the pipeline
   * changed are recorded: an unchanged one is still the packet's own, which the executor
   * has in its key. */
  private pipelineFields(words: Uint32Array): PipelineFields {
    const metadata = word64(words, W_METADATA_HI, W_METADATA_LO);
    const tunnelId = word64(words, W_TUNNEL_HI, W_TUNNEL_LO);
    const tunSrc = words[W_TUN_SRC]!;
    const tunDst = words[W_TUN_DST]!;
    if (metadata === this.inMetadata && tunnelId === this.inTunnelId && tunSrc === this.inTunSrc && tunDst === this.inTunDst) return NO_FIELDS;
    return {
      ...(metadata !== this.inMetadata ? { metadata } : {}),
      ...(tunnelId !== this.inTunnelId ? { tunnelId } : {}),
      ...(tunSrc !== this.inTunSrc ? { tunSrc } : {}),
      ...(tunDst !== this.inTunDst ? { tunDst } : {}),
    };
  }

  /** Emits one action into `ops`, updating `words` (the packet as seen at this point). */
  action(a: Action, from: Origin<R>, ops: Op[], words: Uint32Array, main: boolean): void {
    switch (a.type) {
      case 'output':
        if (a.port === OFPP_TABLE) {
          // Only a packet-out can carry it (validation refuses it elsewhere, §7.3.7).
          this.submitToTables(ops, words);
          return;
        }
        ops.push({
          op: 'output', port: a.port, maxLen: a.maxLen,
          reason: from.rule !== null && this.env.isTableMiss(from.rule) ? OFPR_NO_MATCH : (from.reason ?? OFPR_ACTION),
          tableId: from.tableId, cookie: cookieOf(from),
          ...(a.port === OFPP_CONTROLLER ? this.pipelineFields(words) : NO_FIELDS),
        });
        return;
      case 'group': {
        const g = this.env.groups.get(a.groupId);
        if (g) this.group(g, from, ops, words);
        return; // a group deleted meanwhile removed its rules; nothing to do
      }
      case 'experimenter':
        return; // refused by validation
      case 'meter': { // OF1.5's meter action: where it stands in the list (or the set's qos step)
        const m = this.env.meters.get(a.meterId);
        if (m) { ops.push({ op: 'meter', meter: m }); this.meters.push(m); }
        return; // a meter deleted meanwhile removed its rules
      }
      case 'copy_field':
        this.copyField(a, from, ops, words, main);
        return;
      case 'set_field':
        ops.push({ op: 'set_field', field: a.field.field, value: a.field.value });
        break;
      case 'set_queue':
        ops.push({ op: 'set_queue', queueId: a.queueId });
        break;
      case 'dec_nw_ttl':
      case 'dec_mpls_ttl':
        // The origin (and pipeline fields) go with the op for an OFPR_INVALID_TTL packet-in (§7.4.1).
        ops.push({ op: a.type, tableId: from.tableId, cookie: cookieOf(from), ...this.pipelineFields(words) });
        break;
      default:
        ops.push(a.type === 'push_vlan' || a.type === 'push_mpls' || a.type === 'pop_mpls' || a.type === 'push_pbb'
          ? { op: a.type, ethertype: a.ethertype }
          : a.type === 'set_nw_ttl' || a.type === 'set_mpls_ttl'
            ? { op: a.type, ttl: a.ttl }
            : { op: a.type });
        break;
    }
    if (applyToKey(a, words) === UNTRACKED) {
      this.cacheable = false;
      if (main) this.reparse(ops, words);
    }
  }

  /**
   * OF1.5 copy-field: the source bits are known from the key at this point, so the copy is
   * a set-field of the destination's new whole value (the frame rewriter's one way to
   * write a field); metadata, a pipeline field, changes in the words only. The decision
   * depends on the source's value, which the exact-match flow cache keys on.
   */
  private copyField(a: Extract<Action, { type: 'copy_field' }>, from: Origin<R>, ops: Op[], words: Uint32Array, main: boolean): void {
    const src = OXM_FIELDS[a.src]!; const dst = OXM_FIELDS[a.dst]!;
    const sv = readFieldWords(src, words); const dv = readFieldWords(dst, words);
    for (let i = 0; i < a.nBits; i++) {
      const sb = a.srcOffset + i; const db = a.dstOffset + i;
      const bit = (sv[sv.length - 1 - (sb >> 3)]! >> (sb & 7)) & 1;
      const di = dv.length - 1 - (db >> 3);
      dv[di] = bit ? dv[di]! | (1 << (db & 7)) : dv[di]! & ~(1 << (db & 7));
    }
    if (a.dst === OFPXMT_OFB_METADATA) { writeFieldWords(dst, dv, words); return; }
    this.action({ type: 'set_field', field: { field: a.dst, value: dv } }, from, ops, words, main);
  }

  private reparse(ops: readonly Op[], words: Uint32Array): void {
    const { frame } = this.opts;
    if (!frame || !this.env.reparse) return;
    const k = new FlowKey();
    const all = this.prefix.length > 0 ? [...this.prefix, ...ops] : ops;
    if (!this.env.reparse(frame, all, words[W_IN_PORT]!, k)) return;
    // Words that belong to the pipeline, not to the frame (flow-key.ts PIPELINE_WORDS,
    // tunnel metadata included): kept across the re-parse.
    copyPipelineWords(words, k.words);
    words.set(k.words);
  }

  /** A packet-out's output:TABLE (§7.3.7): a copy of the packet as it is now runs the
   * tables from table 0, like any output, while the packet-out's actions go on. */
  private submitToTables(ops: Op[], words: Uint32Array): void {
    const saved = this.prefix;
    this.prefix = [...saved, ...ops];
    const tops: Op[] = [];
    runTables(this, tops, words.slice());
    this.prefix = saved;
    ops.push({ op: 'branch', ops: tops });
  }

  private group(g: Group, from: Origin<R>, ops: Op[], words: Uint32Array): void {
    this.groups.push(g);
    const chosen = g.type === OFPGT_ALL ? g.buckets : [chooseBucket(g, words, this.env.groups, this.env.portLive)];
    const taken: number[] = [];
    for (const b of chosen) {
      if (b === null) continue;
      taken.push(g.buckets.indexOf(b));
      this.buckets.push(b);
      const bw = words.slice();
      const bops: Op[] = [];
      const inBucket: Origin<R> = { ...from, detached: true, reason: OFPR_GROUP };
      for (const a of b.actions) this.action(a, inBucket, bops, bw, false);
      const branch: Op = { op: 'branch', ops: bops };
      if (g.type !== OFPGT_ALL) this.single.add(branch);
      ops.push(branch);
    }
    this.traceGroups.push({ groupId: g.groupId, type: g.type, buckets: taken });
  }

  /** Inlines single-bucket branches that end a list; recurses into branches. */
  finish(ops: readonly Op[]): Op[] {
    const out: Op[] = [];
    for (const o of ops) {
      if (o.op !== 'branch') {
        out.push(o);
        continue;
      }
      const inner: Op = { op: 'branch', ops: this.finish(o.ops) };
      if (this.single.has(o)) this.single.add(inner);
      out.push(inner);
    }
    const last = out[out.length - 1];
    if (last !== undefined && last.op === 'branch' && this.single.has(last)) {
      out.pop();
      out.push(...last.ops);
    }
    return out;
  }
}

/** Runs the tables from table 0 on `words`, appending to `ops` (§5.9, §5.10). */
function runTables<R extends DecisionRule>(b: Builder<R>, ops: Op[], words: Uint32Array): void {
  const { env, opts } = b;
  let set = ActionSet.EMPTY;
  // actset_output (OF1.5): a pipeline field that follows the action set's output port
  words[W_ACTSET_OUTPUT] = OFPP_UNSET;
  const writer = new Map<Action, Origin<R>>();
  let tableId = 0;
  let last: Origin<R> | null = null;

  for (;;) {
    b.tables.push(tableId);
    const rule = env.lookup(tableId, words);
    b.traceGroups = [];
    if (rule === null) {
      b.matched.push(false);
      if (opts.trace) b.steps.push({ tableId, rule: null, instructions: [], actionSet: [], groups: [], meters: [] });
      break;
    }
    b.matched.push(true);
    b.rules.push(rule);
    const from: Origin<R> = { rule, tableId };
    last = from;
    const executed: string[] = [];
    const meterIds: number[] = [];
    let next = -1;
    for (const type of INSTRUCTION_ORDER) {
      const inst = rule.instructions.find((i) => i.type === type);
      if (!inst) continue;
      executed.push(type);
      switch (inst.type) {
        case 'meter': {
          const m = env.meters.get(inst.meterId);
          if (m) { ops.push({ op: 'meter', meter: m }); b.meters.push(m); meterIds.push(m.meterId); }
          break;
        }
        case 'apply_actions':
          for (const a of inst.actions) b.action(a, from, ops, words, true);
          break;
        case 'clear_actions':
          set = set.clear();
          words[W_ACTSET_OUTPUT] = OFPP_UNSET;
          break;
        case 'write_actions':
          set = set.write(inst.actions);
          for (const a of inst.actions) writer.set(a, from);
          words[W_ACTSET_OUTPUT] = set.outputPort();
          break;
        case 'write_metadata': {
          const hi = Number((inst.metadata >> 32n) & 0xffffffffn);
          const lo = Number(inst.metadata & 0xffffffffn);
          const mhi = Number((inst.mask >> 32n) & 0xffffffffn);
          const mlo = Number(inst.mask & 0xffffffffn);
          words[W_METADATA_HI] = ((words[W_METADATA_HI]! & ~mhi) | (hi & mhi)) >>> 0;
          words[W_METADATA_LO] = ((words[W_METADATA_LO]! & ~mlo) | (lo & mlo)) >>> 0;
          break;
        }
        case 'goto_table':
          next = inst.tableId;
          break;
        default:
          break;
      }
    }
    if (next < 0) {
      // §5.10: end of pipeline, the action set runs (output dropped if a group is set).
      // Actions of the set are reported with the writing rule's table but no cookie (§7.4.1).
      for (const a of set.toExecute()) b.action(a, { ...detach(writer.get(a) ?? last), reason: OFPR_ACTION_SET }, ops, words, true);
    }
    if (opts.trace) {
      b.steps.push({
        tableId, rule: { priority: rule.priority, cookie: rule.cookie, match: rule.match },
        instructions: executed, actionSet: set.list(), groups: b.traceGroups, meters: meterIds,
      });
    }
    if (next < 0) break;
    tableId = next;
  }
}

export function decide<R extends DecisionRule>(env: DecideEnv<R>, key: FlowKey, opts: DecideOptions = {}): Decision<R> {
  const words = key.words.slice();
  const b = new Builder(env, opts, words);
  const ops: Op[] = [];
  runTables(b, ops, words);
  return result(b, ops);
}

/**
 * The Decision for a packet-out (OF1.3.5 §7.3.7): its actions run in order on the packet
 * whose key is `key` (in_port = the packet-out's in_port); an output to OFPP_TABLE sends
 * the packet as it is at that point through the tables. Outputs to the controller from
 * the action list report table OFPTT_ALL and cookie all-ones (no flow entry). Never
 * cacheable: a packet-out is a single packet.
 */
export function decidePacketOut<R extends DecisionRule>(
  env: DecideEnv<R>, key: FlowKey, actions: readonly Action[], opts: DecideOptions = {},
): Decision<R> {
  const words = key.words.slice();
  const b = new Builder(env, opts, words);
  const ops: Op[] = [];
  for (const a of actions) b.action(a, PACKET_OUT, ops, words, true);
  b.cacheable = false;
  return result(b, ops);
}

function result<R extends DecisionRule>(b: Builder<R>, ops: Op[]): Decision<R> {
  const { env, opts } = b;
  return {
    ops: b.finish(ops),
    rules: b.rules, groups: b.groups, buckets: b.buckets, meters: b.meters,
    tablesVisited: b.tables, matched: b.matched,
    cacheable: b.cacheable, generation: env.generation,
    ...(opts.trace ? { trace: b.steps } : {}),
  };
}
