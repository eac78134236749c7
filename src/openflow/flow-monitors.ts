/**
 * OpenFlow 1.4 flow monitors (OF1.4.1 §7.3.5.19): a controller asks to be told of changes
 * to the flow entries that match a filter (table, match, out_port, out_group), and the
 * switch sends OFPMP_FLOW_MONITOR replies (xid 0) with one update per change.
 *
 * Invariants
 *  - Monitors belong to one connection (Session.monitors) and go with it; commands:
 *    ADD (id must be new: OFPMOFC_MONITOR_EXISTS), MODIFY and DELETE (id must exist:
 *    OFPMOFC_UNKNOWN_MONITOR); unknown command → BAD_COMMAND, unknown flag bits → BAD_FLAGS,
 *    a table the switch lacks → BAD_TABLE_ID; a bad match is the match's own error.
 *  - The request is answered with the INITIAL updates of the rules its ADD/MODIFY
 *    monitors cover (if they asked OFPFMF_INITIAL), split over replies with REPLY_MORE.
 *  - A change is reported once per connection even if several of its monitors cover it,
 *    with the event's flag (ADD, REMOVED, MODIFY) required; instructions only with
 *    OFPFMF_INSTRUCTIONS. A connection's own changes come abbreviated (one ABBREV with the
 *    xid of its request) unless OFPFMF_NO_ABBREV or OFPFMF_ONLY_OWN.
 *  - OFPFMF_ONLY_OWN is read as Open vSwitch reads it, not as the spec's comment says
 *    ("don't include other controllers"): OVS maps it to and from its NXFMF_OWN ("own
 *    changes in full") and `ovs-ofctl -O OpenFlow14 monitor watch:` sets it expecting
 *    everyone's changes. So it means own changes in full, and others' are still sent.
 *  - What is seen: every flow-mod, group-mod and meter-mod the agent applies (from any
 *    connection, the mgmt socket and bundles included) and timeouts of rules with
 *    OFPFF_SEND_FLOW_REM (the Bridge reports no others).
 */
import { KEY_WORDS } from '../packet/flow-key.js';
import {
  OFPET_FLOW_MONITOR_FAILED, OFPMOFC_BAD_COMMAND, OFPMOFC_BAD_FLAGS, OFPMOFC_BAD_TABLE_ID, OFPMOFC_MONITOR_EXISTS,
  OFPMOFC_UNKNOWN_MONITOR, isOFError, ofError, type OFError,
} from '../pipeline/errors.js';
import { compileMatch, type CompiledMatch } from '../pipeline/match.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { ruleOutputsTo, ruleSendsToGroup, type Rule } from '../pipeline/rule.js';
import { OFPG_ANY, OFPP_ANY, OFPTT_ALL } from '../pipeline/types.js';
import type { FlowMonitor, FlowMonitorRequest, FlowUpdate, OFMessage } from './message-types.js';
import {
  OFPFMC_ADD, OFPFMC_DELETE, OFPFMC_MODIFY, OFPFMF_ADD, OFPFMF_INITIAL, OFPFMF_INSTRUCTIONS, OFPFMF_MODIFY,
  OFPFMF_NO_ABBREV, OFPFMF_ONLY_OWN, OFPFMF_REMOVED, OFPFME_ABBREV, OFPFME_ADDED, OFPFME_INITIAL, OFPFME_MODIFIED,
  OFPFME_REMOVED,
} from './of14/constants.js';

const OFPMPF_REPLY_MORE = 1;
/** Updates per reply message: a full update with a large match and many instructions is
 * well under 1 KiB, so 48 of them stay under 65,535 bytes. */
const UPDATES_PER_REPLY = 48;
const KNOWN_FLAGS = (OFPFMF_ONLY_OWN << 1) - 1;

interface Monitor extends FlowMonitor { readonly cm: CompiledMatch }

/** One connection's monitors by id. */
export type FlowMonitorTable = Map<number, Monitor>;

/** A change to one rule: ADDED, MODIFIED or REMOVED (with its OFPRR_ reason). */
export interface FlowChange { readonly event: 1 | 2 | 3; readonly rule: Rule; readonly reason: number }

/** Who can be told: the connection's monitors and its way out. */
interface MonitoringSession {
  monitors: FlowMonitorTable | null;
  readonly conn: { send(m: OFMessage): void };
}

const fail = (code: number, msg: string): OFError => ofError(OFPET_FLOW_MONITOR_FAILED, code, msg);

/** Applies the request's commands to `table`; returns the monitors that want INITIAL updates. */
export function applyMonitorRequest(table: FlowMonitorTable, req: FlowMonitorRequest, nTables: number): Monitor[] | OFError {
  const next = new Map(table);
  const initial: Monitor[] = [];
  for (const m of req.monitors) {
    if ((m.flags & ~KNOWN_FLAGS) !== 0) return fail(OFPMOFC_BAD_FLAGS, `flow monitor flags 0x${m.flags.toString(16)}`);
    if (m.tableId !== OFPTT_ALL && m.tableId >= nTables) return fail(OFPMOFC_BAD_TABLE_ID, `table ${m.tableId} does not exist`);
    switch (m.command) {
      case OFPFMC_ADD: case OFPFMC_MODIFY: {
        if (m.command === OFPFMC_ADD && next.has(m.monitorId)) return fail(OFPMOFC_MONITOR_EXISTS, `flow monitor ${m.monitorId} exists`);
        if (m.command === OFPFMC_MODIFY && !next.has(m.monitorId)) return fail(OFPMOFC_UNKNOWN_MONITOR, `flow monitor ${m.monitorId} does not exist`);
        const cm = compileMatch(m.match);
        if (isOFError(cm)) return cm;
        const mon = { ...m, cm };
        next.set(m.monitorId, mon);
        if ((m.flags & OFPFMF_INITIAL) !== 0) initial.push(mon);
        break;
      }
      case OFPFMC_DELETE:
        if (!next.delete(m.monitorId)) return fail(OFPMOFC_UNKNOWN_MONITOR, `flow monitor ${m.monitorId} does not exist`);
        break;
      default:
        return fail(OFPMOFC_BAD_COMMAND, `flow monitor command ${m.command}`);
    }
  }
  table.clear();
  for (const [k, v] of next) table.set(k, v);
  return initial;
}

/** The rule's match covers (is at least as specific as) the monitor's (§6.4 non-strict). */
function covers(mon: CompiledMatch, rule: CompiledMatch): boolean {
  for (let i = 0; i < KEY_WORDS; i++) {
    const m = mon.mask[i]!;
    if (((rule.mask[i]! & m) >>> 0) !== m || ((rule.value[i]! ^ mon.value[i]!) & m) !== 0) return false;
  }
  return true;
}

function selects(mon: Monitor, rule: Rule, cm: CompiledMatch): boolean {
  if (mon.tableId !== OFPTT_ALL && mon.tableId !== rule.tableId) return false;
  if (mon.outPort !== OFPP_ANY && !ruleOutputsTo(rule, mon.outPort)) return false;
  if (mon.outGroup !== OFPG_ANY && !ruleSendsToGroup(rule, mon.outGroup)) return false;
  return covers(mon.cm, cm);
}

function fullUpdate(event: 0 | 1 | 2 | 3, rule: Rule, reason: number, withInstructions: boolean): FlowUpdate {
  return {
    event, tableId: rule.tableId, reason, idleTimeout: rule.idleTimeout, hardTimeout: rule.hardTimeout,
    priority: rule.priority, cookie: rule.cookie, match: rule.match, instructions: withInstructions ? rule.instructions : [],
  };
}

/** The INITIAL updates of `monitors` over the installed rules, each rule once. */
export function initialUpdates(pipeline: Pipeline, monitors: readonly Monitor[]): FlowUpdate[] {
  const out: FlowUpdate[] = [];
  if (monitors.length === 0) return out;
  for (let t = 0; t < pipeline.nTables; t++) {
    const table = pipeline.table(t);
    if (table.size === 0) continue;
    for (const rule of table.rules()) {
      const cm = table.compiledMatchOf(rule);
      const mon = monitors.find((m) => selects(m, rule, cm));
      if (mon) out.push(fullUpdate(OFPFME_INITIAL, rule, 0, (mon.flags & OFPFMF_INSTRUCTIONS) !== 0));
    }
  }
  return out;
}

/** `updates` as flow monitor replies of `xid`: REPLY_MORE on all but the last; one empty
 * reply when there are none. */
export function monitorReplies(xid: number, updates: readonly FlowUpdate[]): OFMessage[] {
  const out: OFMessage[] = [];
  for (let i = 0; i < updates.length || out.length === 0; i += UPDATES_PER_REPLY) {
    const part = updates.slice(i, i + UPDATES_PER_REPLY);
    const more = i + UPDATES_PER_REPLY < updates.length;
    out.push({ type: 'flow_monitor_reply', xid, flags: more ? OFPMPF_REPLY_MORE : 0, updates: part });
    if (updates.length === 0) break;
  }
  return out;
}

const EVENT_FLAG: Readonly<Record<1 | 2 | 3, number>> = { [OFPFME_ADDED]: OFPFMF_ADD, [OFPFME_REMOVED]: OFPFMF_REMOVED, [OFPFME_MODIFIED]: OFPFMF_MODIFY };

/** Tells every monitoring session of `changes`, made by `origin` (null: the switch itself,
 * a timeout) with the request `originXid`. */
export function notifyFlowChanges(
  sessions: Iterable<MonitoringSession>, origin: MonitoringSession | null, originXid: number, changes: readonly FlowChange[],
): void {
  if (changes.length === 0) return;
  let compiled: (CompiledMatch | null)[] | null = null;
  for (const s of sessions) {
    if (!s.monitors || s.monitors.size === 0) continue;
    compiled ??= changes.map((c) => { const cm = compileMatch(c.rule.match); return isOFError(cm) ? null : cm; });
    const own = s === origin;
    const updates: FlowUpdate[] = [];
    let abbrev = false;
    changes.forEach((c, i) => {
      const cm = compiled![i];
      if (!cm) return;
      let full: Monitor | null = null;
      for (const mon of s.monitors!.values()) {
        if ((mon.flags & EVENT_FLAG[c.event]) === 0 || !selects(mon, c.rule, cm)) continue;
        if (own && (mon.flags & (OFPFMF_NO_ABBREV | OFPFMF_ONLY_OWN)) === 0) { abbrev = true; continue; }
        full = mon;
        break;
      }
      if (full) updates.push(fullUpdate(c.event, c.rule, c.event === OFPFME_REMOVED ? c.reason : 0, (full.flags & OFPFMF_INSTRUCTIONS) !== 0));
    });
    if (abbrev) updates.push({ event: OFPFME_ABBREV, xid: originXid });
    if (updates.length > 0) for (const m of monitorReplies(0, updates)) s.conn.send(m);
  }
}
