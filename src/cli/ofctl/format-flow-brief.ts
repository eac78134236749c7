/**
 * A flow as `ovs-ofctl dump-flows --no-stats` prints it (OVS 3.1, lib/ofp-flow.c with
 * show_stats false): no duration and counters; cookie and table only when not 0; then
 * timeouts, flags, and `match actions=...` exactly as in the full line (formatFlow).
 *   ` cookie=0x5, table=1, idle_timeout=30, priority=5,tcp,tp_dst=80 actions=drop`
 */
import type { FlowStats } from '../../openflow/index.js';
import { formatInstructions, formatMatch } from '../../openflow/syntax/index.js';
import { formatFlowFlags } from '../../openflow/syntax/format-flow.js';

export function formatFlowBrief(f: FlowStats): string {
  let s = ' ';
  if (f.cookie !== 0n) s += `cookie=0x${f.cookie.toString(16)}, `;
  if (f.tableId !== 0) s += `table=${f.tableId}, `;
  if (f.idleTimeout) s += `idle_timeout=${f.idleTimeout}, `;
  if (f.hardTimeout) s += `hard_timeout=${f.hardTimeout}, `;
  for (const flag of formatFlowFlags(f.flags)) s += `${flag} `;
  const m = formatMatch(f.match, f.priority);
  return `${s}${m ? m + ' ' : ''}actions=${formatInstructions(f.instructions)}`;
}
