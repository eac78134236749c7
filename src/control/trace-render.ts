/**
 * The text of `sluice trace`: a Decision made with trace on, told table by table for an
 * operator, then where the packet finally goes.
 *
 *   Flow: tcp,in_port=1,dl_src=...            the parsed key, as ovs-ofctl prints matches
 *
 *   table 0: priority=100,ip,nw_dst=10.0.0.0/8, cookie=0x5
 *       apply_actions: push_vlan:0x8100,set_field:4106->vlan_vid
 *           packet now: dl_vlan=10
 *       write_actions: output:2
 *       action set: output:2
 *       goto_table: 1
 *   table 1: no match, no table-miss entry → drop
 *
 *   Final: dropped: no match in table 1 and no table-miss entry (OF1.3.5 §5.4)
 *
 * Invariants
 *  - Stable: no timestamps, durations or counters; the same tables and packet give the
 *    same text, so tests (and operators' diffs) can compare it exactly.
 *  - Everything shown comes from the Decision (steps, matched rules, ops) and the live
 *    groups / meters / ports it names. The only thing recomputed here is the packet's key
 *    between tables (the "packet now" lines), with the pipeline's own applyToKey.
 *  - Meters are described, never run: a trace consumes no tokens, so whether a band
 *    drops is said to depend on the rate at run time.
 */
import type { Bridge } from '../datapath/bridge.js';
import { W_METADATA_HI, W_METADATA_LO } from '../packet/flow-key.js';
import { OXM_FIELDS } from '../packet/oxm.js';
import type { Decision, DecisionRule, TraceGroup, TraceStep } from '../pipeline/decision.js';
import { applyToKey } from '../pipeline/key-effects.js';
import { OFPMF_PKTPS, OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT, type Action, type Instruction } from '../pipeline/types.js';
import { formatActionList, formatMatch } from '../openflow/syntax/index.js';
import { formatPort } from '../openflow/syntax/ports.js';
import { changedFields, matchFromKey } from './trace-key.js';
import { describeOutcome } from './trace-outcome.js';

const IND = '    ';
const ORDER: readonly Instruction['type'][] = ['meter', 'apply_actions', 'clear_actions', 'write_actions', 'write_metadata', 'goto_table'];
const GROUP_TYPES: Readonly<Record<number, string>> = {
  [OFPGT_ALL]: 'all', [OFPGT_SELECT]: 'select', [OFPGT_INDIRECT]: 'indirect', [OFPGT_FF]: 'ff',
};
const VLAN_VID = 6;
const VLAN_PCP = 7;
const hex = (n: bigint): string => '0x' + n.toString(16);

interface TraceInput {
  readonly bridge: Bridge;
  readonly inPort: number;
  /** The key words parsed from the frame (in_port set). */
  readonly words: Uint32Array;
  readonly decision: Decision;
  /** The parser stopped early (truncated or malformed frame, M_MALFORMED). */
  readonly malformed?: boolean;
}

export function renderTrace(t: TraceInput): string {
  const words = t.words.slice();
  const lines = [`Flow: ${formatMatch(matchFromKey(words))}`];
  if (t.malformed) lines.push('(the frame is truncated or malformed: the datapath drops it and counts it as malformed; below, the tables on the headers before the bad one)');
  lines.push('');
  const steps = t.decision.trace ?? [];
  let r = 0;
  for (const step of steps) {
    if (step.rule === null) {
      lines.push(`table ${step.tableId}: no match, no table-miss entry → drop`);
      continue;
    }
    const rule = t.decision.rules[r++]!;
    renderStep(t.bridge, step, rule, words, lines);
  }
  lines.push('', describeOutcome(t.bridge, t.inPort, t.decision, words));
  return lines.join('\n') + '\n';
}

function ruleHeader(step: TraceStep, rule: DecisionRule): string {
  const m = formatMatch(rule.match);
  let s = `table ${step.tableId}: priority=${rule.priority}${m ? ',' + m : ''}`;
  if (rule.cookie !== 0n) s += `, cookie=${hex(rule.cookie)}`;
  // §5.4: the table-miss entry wildcards every field and has priority 0.
  if (rule.priority === 0 && rule.match.length === 0) s += ' (table-miss entry)';
  return s;
}

function renderStep(bridge: Bridge, step: TraceStep, rule: DecisionRule, words: Uint32Array, lines: string[]): void {
  lines.push(ruleHeader(step, rule));
  let goto = false;
  let setTouched = false;
  // Groups run where their action is: in apply-actions, or in the action set at the end
  // of the pipeline. The step lists them innermost first (a group is recorded after its
  // buckets); reversed, a chain of groups reads outermost first.
  const groups = [...step.groups].reverse();
  const applyGroups = rule.instructions.some((i) => i.type === 'apply_actions' && i.actions.some((a) => a.type === 'group'));
  const ends = !rule.instructions.some((i) => i.type === 'goto_table');
  const setGroups = ends && step.actionSet.some((a) => a.type === 'group');
  const groupsAfterApply = applyGroups && !setGroups;
  for (const type of ORDER) {
    const inst = rule.instructions.find((i) => i.type === type);
    if (!inst) continue;
    switch (inst.type) {
      case 'meter':
        lines.push(`${IND}meter:${inst.meterId} ${meterText(bridge, inst.meterId)}`);
        break;
      case 'apply_actions': {
        lines.push(`${IND}apply_actions: ${inst.actions.length ? formatActionList(inst.actions) : '(none)'}`);
        const before = matchFromKey(words);
        for (const a of inst.actions) applyToKey(a, words);
        const now = packetNow(before, matchFromKey(words));
        if (now) lines.push(`${IND}${IND}packet now: ${now}`);
        if (groupsAfterApply) for (const g of groups) renderGroup(bridge, g, lines);
        break;
      }
      case 'clear_actions':
        lines.push(`${IND}clear_actions`);
        setTouched = true;
        break;
      case 'write_actions':
        lines.push(`${IND}write_actions: ${formatActionList(inst.actions)}`);
        setTouched = true;
        break;
      case 'write_metadata': {
        // §5.9: only the bits of the mask change.
        const old = (BigInt(words[W_METADATA_HI]!) << 32n) | BigInt(words[W_METADATA_LO]!);
        const v = (old & ~inst.mask) | (inst.metadata & inst.mask);
        words[W_METADATA_HI] = Number(v >> 32n);
        words[W_METADATA_LO] = Number(v & 0xffffffffn);
        const mask = inst.mask === 0xffffffffffffffffn ? '' : '/' + hex(inst.mask);
        lines.push(`${IND}write_metadata: ${hex(inst.metadata)}${mask} → metadata=${hex(v)}`);
        break;
      }
      case 'goto_table':
        goto = true;
        if (setTouched) lines.push(`${IND}action set: ${step.actionSet.length ? formatActionList(step.actionSet) : '(empty)'} (${actsetOutput(step.actionSet)})`);
        lines.push(`${IND}goto_table: ${inst.tableId}`);
        break;
      default:
        break;
    }
  }
  if (!goto) {
    // §5.10: no goto-table, the pipeline ends here and the action set runs.
    if (step.actionSet.length) {
      // §5.10: with a group in the set, its output action is not executed.
      const hasGroup = step.actionSet.some((a) => a.type === 'group');
      const ignored = hasGroup && step.actionSet.some((a) => a.type === 'output') ? ' (output ignored: the set has a group)' : '';
      lines.push(`${IND}end of pipeline, action set executed: ${formatActionList(step.actionSet)}${ignored}`);
      for (const a of step.actionSet) applyToKey(a, words);
    } else if (setTouched) {
      lines.push(`${IND}end of pipeline, action set empty`);
    }
  }
  if (!groupsAfterApply) for (const g of groups) renderGroup(bridge, g, lines);
}

/** The OF1.5 actset_output the next table matches: the set's output port, or UNSET. */
function actsetOutput(set: readonly Action[]): string {
  const out = set.find((a) => a.type === 'output');
  return `actset_output=${out?.type === 'output' ? formatPort(out.port) : 'UNSET'}`;
}

function packetNow(before: ReturnType<typeof matchFromKey>, after: ReturnType<typeof matchFromKey>): string {
  const { changed, removed } = changedFields(before, after);
  const parts: string[] = [];
  const text = formatMatch(changed.filter((f) => f.field !== 0));
  if (text) parts.push(text);
  for (const id of removed) {
    if (id === VLAN_PCP && removed.includes(VLAN_VID)) continue;
    parts.push(id === VLAN_VID ? 'no VLAN tag' : `no ${OXM_FIELDS[id]!.name}`);
  }
  return parts.join(',');
}

function renderGroup(bridge: Bridge, g: TraceGroup, lines: string[]): void {
  const group = bridge.pipeline.group(g.groupId);
  const type = GROUP_TYPES[g.type] ?? String(g.type);
  const n = group?.buckets.length ?? 0;
  let head = `${IND}group ${g.groupId} (${type}): `;
  if (g.buckets.length === 0) head += n === 0 ? 'no buckets → nothing' : 'no live bucket → nothing';
  else if (g.type === OFPGT_ALL) head += `all ${n} buckets, each on its own copy of the packet`;
  else if (g.type === OFPGT_INDIRECT) head += 'its one bucket';
  else head += `bucket ${g.buckets[0]! + 1} of ${n} chosen${g.type === OFPGT_FF ? ' (first live)' : ''}`;
  lines.push(head);
  for (const i of g.buckets) {
    const acts = group?.buckets[i]?.actions ?? [];
    lines.push(`${IND}${IND}bucket ${i + 1}: ${acts.length ? formatActionList(acts) : 'no actions'}`);
  }
}

function meterText(bridge: Bridge, meterId: number): string {
  const m = bridge.pipeline.meter(meterId);
  if (!m) return '(meter gone)';
  const unit = (m.flags & OFPMF_PKTPS) !== 0 ? 'pktps' : 'kbps'; // §7.3.4.4: kbps unless PKTPS
  const bands = m.bands.map((b) => {
    const band = b.band;
    return band.type === 'dscp_remark' ? `dscp_remark by ${band.precLevel} above ${band.rate} ${unit}` : `${band.type} above ${band.rate} ${unit}`;
  });
  return `(${bands.length ? bands.join(', ') : 'no bands'}; whether a band applies depends on the rate at run time)`;
}
