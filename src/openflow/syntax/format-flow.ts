/**
 * Flows as text. `formatFlow` prints one installed rule as a line of
 * `ovs-ofctl -O OpenFlow13 dump-flows` (lib/ofp-flow.c, ofputil_flow_stats_format):
 * ` cookie=0x0, duration=1.234s, table=0, n_packets=0, n_bytes=0, [idle_timeout=N, ]
 *  [hard_timeout=N, ][flags ][idle_age=N, ][hard_age=N, ]priority=P,match actions=...`.
 * `formatFlowMod` prints a FlowMod as the add-flow text that parseFlow reads back into
 * the same FlowMod (the round-trip property the tests check).
 */
import {
  OFPFF_CHECK_OVERLAP, OFPFF_NO_BYT_COUNTS, OFPFF_NO_PKT_COUNTS, OFPFF_RESET_COUNTS, OFPFF_SEND_FLOW_REM,
  OFPG_ANY, OFPP_ANY, type FlowMod, type Instruction, type Match,
} from '../../pipeline/types.js';
import { formatInstructions } from './format-actions.js';
import { formatMatch } from './format-match.js';
import { formatPort } from './ports.js';

/** What dump-flows shows of a rule (the fields of ofp_flow_stats, OF1.3.5 §7.3.5.2). */
interface FlowEntryView {
  readonly cookie: bigint;
  readonly durationSec: number;
  readonly durationNsec: number;
  readonly tableId: number;
  readonly packetCount: bigint | number;
  readonly byteCount: bigint | number;
  readonly idleTimeout: number;
  readonly hardTimeout: number;
  /** Seconds since the rule last matched / was last modified (OVS extensions; shown if given). */
  readonly idleAgeSec?: number;
  readonly hardAgeSec?: number;
  readonly priority: number;
  readonly flags: number;
  readonly match: Match;
  readonly instructions: readonly Instruction[];
}

const FLAG_NAMES: readonly [number, string][] = [
  [OFPFF_SEND_FLOW_REM, 'send_flow_rem'], [OFPFF_CHECK_OVERLAP, 'check_overlap'], [OFPFF_RESET_COUNTS, 'reset_counts'],
  [OFPFF_NO_PKT_COUNTS, 'no_packet_counts'], [OFPFF_NO_BYT_COUNTS, 'no_byte_counts'],
];

export function formatFlowFlags(flags: number): string[] {
  return FLAG_NAMES.filter(([bit]) => flags & bit).map(([, name]) => name);
}

/** ovs-ofctl's duration: whole seconds, exact milliseconds as 3 decimals, else up to 9. */
export function formatDuration(sec: number, nsec: number): string {
  if (nsec === 0) return `${sec}s`;
  if (nsec % 1_000_000 === 0) return `${sec}.${String(nsec / 1_000_000).padStart(3, '0')}s`;
  return `${sec}.${String(nsec).padStart(9, '0').replace(/0+$/, '')}s`;
}

/** Match text followed by a space (none when the match prints empty), as ovs-ofctl does. */
function matchThenActions(match: Match, priority: number, instructions: readonly Instruction[]): string {
  const m = formatMatch(match, priority);
  return `${m ? m + ' ' : ''}actions=${formatInstructions(instructions)}`;
}

export function formatFlow(e: FlowEntryView): string {
  let s = ` cookie=0x${e.cookie.toString(16)}, duration=${formatDuration(e.durationSec, e.durationNsec)}, table=${e.tableId}, `;
  s += `n_packets=${e.packetCount}, n_bytes=${e.byteCount}, `;
  if (e.idleTimeout) s += `idle_timeout=${e.idleTimeout}, `;
  if (e.hardTimeout) s += `hard_timeout=${e.hardTimeout}, `;
  for (const f of formatFlowFlags(e.flags)) s += `${f} `;
  if (e.idleAgeSec !== undefined) s += `idle_age=${e.idleAgeSec}, `;
  if (e.hardAgeSec !== undefined && e.hardAgeSec !== e.durationSec) s += `hard_age=${e.hardAgeSec}, `;
  return s + matchThenActions(e.match, e.priority, e.instructions);
}

/** A FlowMod as flow text that parseFlow(text, { command }) turns back into it. */
export function formatFlowMod(fm: FlowMod): string {
  const head: string[] = [];
  if (fm.cookie || fm.cookieMask) head.push(`cookie=0x${fm.cookie.toString(16)}${fm.cookieMask ? '/0x' + fm.cookieMask.toString(16) : ''}`);
  head.push(`table=${fm.tableId}`);
  if (fm.idleTimeout) head.push(`idle_timeout=${fm.idleTimeout}`);
  if (fm.hardTimeout) head.push(`hard_timeout=${fm.hardTimeout}`);
  head.push(...formatFlowFlags(fm.flags));
  if (fm.outPort !== OFPP_ANY) head.push(`out_port=${formatPort(fm.outPort)}`);
  if (fm.outGroup !== OFPG_ANY) head.push(`out_group=${fm.outGroup}`);
  const m = formatMatch(fm.match, fm.priority);
  if (m) head.push(m);
  const isDelete = fm.command > 2; // OFPFC_DELETE, OFPFC_DELETE_STRICT
  return isDelete ? head.join(',') : `${head.join(',')},actions=${formatInstructions(fm.instructions)}`;
}
