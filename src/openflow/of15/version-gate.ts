/**
 * What only OpenFlow 1.5 can say, kept out of 1.3 and 1.4 (DESIGN: one internal model,
 * a codec per version). The shared codecs read the 1.5 match fields (tcp_flags,
 * actset_output, packet_type) and actions (copy_field, meter) in any version, since the
 * wire forms are the same TLVs; the 1.3 and 1.4 codecs then refuse a message that uses
 * them, with the error a 1.3 switch gives for a field or action it does not know
 * (OFPBMC_BAD_FIELD, OFPBAC_BAD_TYPE). On the way out, a rule a 1.5 controller installed
 * with the meter action first in apply-actions is shown to 1.3 and 1.4 peers with their
 * meter instruction, as Open vSwitch translates it; a meter action elsewhere has no 1.3
 * form and is left out.
 */
import { OF15_ONLY_FIELDS, OFPXMC_OPENFLOW_BASIC, OFPXMT_OFB_TCP_FLAGS } from '../../packet/oxm.js';

/** 1.5's fields are Sluice's last ids (42..44, after the NXM tunnel fields 40 and 41). */
const FIRST_OF15_FIELD = OFPXMT_OFB_TCP_FLAGS;
import {
  OFPBAC_BAD_TYPE, OFPBMC_BAD_FIELD, OFPET_BAD_ACTION, OFPET_BAD_MATCH, ofError, type OFError,
} from '../../pipeline/errors.js';
import { OFPAT, type Action, type Instruction, type Match } from '../../pipeline/types.js';
import type { FlowUpdate, OFMessage } from '../message-types.js';
import type { TableFeatureProp } from '../multipart-types.js';

// Plain loops: this runs on every flow-mod a 1.3 controller sends (the control path's hot loop).
function matchError(m: Match, version: number): OFError | null {
  for (let i = 0; i < m.length; i++) {
    const f = m[i]!.field;
    if (f >= FIRST_OF15_FIELD) return ofError(OFPET_BAD_MATCH, OFPBMC_BAD_FIELD, `OXM field ${f} is OpenFlow 1.5's, not 0x0${version}'s`);
  }
  return null;
}

function actionsError(actions: readonly Action[], version: number): OFError | null {
  for (let i = 0; i < actions.length; i++) {
    const t = actions[i]!.type;
    if (t === 'copy_field' || t === 'meter') return ofError(OFPET_BAD_ACTION, OFPBAC_BAD_TYPE, `action ${t} is OpenFlow 1.5's, not 0x0${version}'s`);
  }
  return null;
}

function instructionsError(insts: readonly Instruction[], version: number): OFError | null {
  for (const i of insts) {
    if (i.type !== 'apply_actions' && i.type !== 'write_actions') continue;
    const e = actionsError(i.actions, version);
    if (e !== null) return e;
  }
  return null;
}

/** The error a 1.3 or 1.4 peer gets for a decoded message that uses 1.5's vocabulary, or null. */
export function of15Only(m: OFMessage, version: number): OFError | null {
  switch (m.type) {
    case 'flow_mod': return matchError(m.match, version) ?? instructionsError(m.instructions, version);
    case 'packet_out': return actionsError(m.actions, version);
    case 'group_mod': {
      for (const b of m.buckets) { const e = actionsError(b.actions, version); if (e !== null) return e; }
      return null;
    }
    case 'multipart_request':
      return m.body.kind === 'flow' || m.body.kind === 'aggregate' ? matchError(m.body.match, version) : null;
    case 'flow_monitor_request': {
      for (const x of m.monitors) { const e = matchError(x.match, version); if (e !== null) return e; }
      return null;
    }
    case 'bundle_add_message': return of15Only(m.message, version);
    default: return null;
  }
}

/** 1.5's meter action, first in apply-actions, as the meter instruction of 1.3 and 1.4;
 * other meter actions and copy-field actions are left out (no form there). */
function meterAsInstruction(insts: readonly Instruction[]): readonly Instruction[] {
  if (!insts.some((i) => (i.type === 'apply_actions' || i.type === 'write_actions') && i.actions.some((a) => a.type === 'meter' || a.type === 'copy_field'))) return insts;
  const out: Instruction[] = [];
  let meter: number | null = null;
  for (const i of insts) {
    if (i.type !== 'apply_actions' && i.type !== 'write_actions') { out.push(i); continue; }
    const first = i.actions[0];
    if (i.type === 'apply_actions' && first?.type === 'meter' && !insts.some((x) => x.type === 'meter')) meter = first.meterId;
    out.push({ type: i.type, actions: i.actions.filter((a) => a.type !== 'meter' && a.type !== 'copy_field') });
  }
  return meter === null ? out : [{ type: 'meter', meterId: meter }, ...out];
}

const update13 = (u: FlowUpdate): FlowUpdate => (u.event <= 3 && 'instructions' in u ? { ...u, instructions: meterAsInstruction(u.instructions) } : u);

const OF15_ACTION_TYPES: readonly number[] = [OFPAT.copy_field, OFPAT.meter];
const isOf15OxmId = (h: number): boolean => (h >>> 16) === OFPXMC_OPENFLOW_BASIC && OF15_ONLY_FIELDS.includes((h >>> 9) & 0x7f);

function tableProp13(p: TableFeatureProp): TableFeatureProp {
  switch (p.kind) {
    case 'match': case 'wildcards': case 'write_setfield': case 'write_setfield_miss': case 'apply_setfield': case 'apply_setfield_miss':
      return { ...p, oxmIds: p.oxmIds.filter((x) => !isOf15OxmId(x.header)) };
    case 'write_actions': case 'write_actions_miss': case 'apply_actions': case 'apply_actions_miss':
      return { ...p, ids: p.ids.filter((x) => !OF15_ACTION_TYPES.includes(x.type)) };
    default: return p;
  }
}

/** `m` as a 1.3 or 1.4 peer can read it: flow stats and flow monitor updates of rules a
 * 1.5 controller installed, table features without 1.5's fields and actions. */
export function downgrade15(m: OFMessage): OFMessage {
  if (m.type === 'multipart_reply' && m.body.kind === 'table_features') {
    return { ...m, body: { ...m.body, tables: m.body.tables.map((t) => ({ ...t, properties: t.properties.map(tableProp13) })) } };
  }
  if (m.type === 'multipart_reply' && m.body.kind === 'flow') {
    if (m.body.flows.every((f) => meterAsInstruction(f.instructions) === f.instructions)) return m;
    return { ...m, body: { ...m.body, flows: m.body.flows.map((f) => ({ ...f, instructions: meterAsInstruction(f.instructions) })) } };
  }
  if (m.type === 'flow_monitor_reply') return { ...m, updates: m.updates.map(update13) };
  return m;
}
