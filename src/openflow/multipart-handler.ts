/**
 * OFPT_MULTIPART_REQUEST → reply body (OF1.3.5 §7.3.5), read from the bridge's state.
 *
 * Invariants
 *  - Read-only: answering a request changes no counter and no table.
 *  - Flow and aggregate stats select rules exactly like a non-strict flow-mod delete would
 *    (table, out_port, out_group, cookie/mask, match; §7.3.5.2), through FlowTable.select.
 *  - Unknown ids in group / meter / port requests: group and meter → an empty list (the
 *    request names something that is not there); port → OFPBRC_BAD_PORT.
 *  - The body may be long; splitting it into messages is reply-split.ts's job.
 */
import {
  OFPBRC_BAD_PORT, OFPBRC_BAD_TABLE_ID, OFPBRC_BAD_EXPERIMENTER, OFPET_BAD_REQUEST,
  OFPET_TABLE_FEATURES_FAILED, OFPTFFC_EPERM, isOFError, ofError, type OFError,
} from '../pipeline/errors.js';
import type { Rule } from '../pipeline/rule.js';
import { OFPG_ALL, OFPM_ALL, OFPP_ANY, OFPTT_ALL } from '../pipeline/types.js';
import type { AgentBridge } from './bridge-surface.js';
import {
  flowStats, groupDesc, groupStats, meterConfig, meterStats, portDesc, portStats,
} from './convert.js';
import type { FlowStatsRequest, MultipartReplyBody, MultipartRequestBody } from './multipart-types.js';
import { descStats, groupFeatures, meterFeatures, tableFeatures } from './switch-description.js';

interface MultipartContext {
  readonly bridge: AgentBridge;
  readonly nowMs: number;
}

function selectRules(b: AgentBridge, req: FlowStatsRequest): Rule[] | OFError {
  const p = b.pipeline;
  if (req.tableId !== OFPTT_ALL && req.tableId >= p.nTables) {
    return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TABLE_ID, `table ${req.tableId} does not exist (${p.nTables} tables)`);
  }
  const out: Rule[] = [];
  const first = req.tableId === OFPTT_ALL ? 0 : req.tableId;
  const last = req.tableId === OFPTT_ALL ? p.nTables - 1 : req.tableId;
  for (let t = first; t <= last; t++) {
    const sel = p.table(t).select({
      match: req.match, strict: false, priority: 0, cookie: req.cookie, cookieMask: req.cookieMask,
      outPort: req.outPort, outGroup: req.outGroup,
    });
    if (isOFError(sel)) return sel;
    for (const r of sel) out.push(r);
  }
  return out;
}

export function answerMultipart(ctx: MultipartContext, body: MultipartRequestBody): MultipartReplyBody | OFError {
  const b = ctx.bridge;
  const now = ctx.nowMs;
  switch (body.kind) {
    case 'desc':
      return { kind: 'desc', ...descStats(b.name, b.dpid) };
    case 'flow': {
      const rules = selectRules(b, body);
      if (isOFError(rules)) return rules;
      const flows = rules.map((r) => flowStats(r, now));
      return body.form !== undefined ? { kind: 'flow', flows, form: body.form } : { kind: 'flow', flows };
    }
    case 'aggregate': {
      const rules = selectRules(b, body);
      if (isOFError(rules)) return rules;
      let packets = 0n;
      let bytes = 0n;
      for (const r of rules) {
        packets += BigInt(r.packetCount);
        bytes += BigInt(r.byteCount);
      }
      return { kind: 'aggregate', packetCount: packets, byteCount: bytes, flowCount: rules.length };
    }
    case 'table': {
      const tables = [];
      for (let t = 0; t < b.pipeline.nTables; t++) {
        const c = b.pipeline.tableCounters(t);
        tables.push({
          tableId: t, activeCount: b.pipeline.table(t).size,
          lookupCount: BigInt(c.lookupCount), matchedCount: BigInt(c.matchedCount),
        });
      }
      return { kind: 'table', tables };
    }
    case 'port_stats': {
      if (body.portNo === OFPP_ANY) {
        return { kind: 'port_stats', ports: b.ports().map((p) => portStats(p, now - p.addedMs)) };
      }
      const p = b.port(body.portNo);
      if (!p) return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_PORT, `port ${body.portNo} does not exist`);
      return { kind: 'port_stats', ports: [portStats(p, now - p.addedMs)] };
    }
    case 'port_desc': {
      const ports = body.portNo === undefined || body.portNo === OFPP_ANY ? b.ports() : b.ports().filter((p) => p.ofport === body.portNo);
      return { kind: 'port_desc', ports: ports.map(portDesc) };
    }
    case 'queue':
      return { kind: 'queue', queues: [] }; // no queues (§7.3.5.8): nothing to report
    case 'group': {
      const groups = body.groupId === OFPG_ALL ? [...b.pipeline.groups.all()] : [b.pipeline.group(body.groupId)];
      return { kind: 'group', groups: groups.filter((g) => g !== undefined).map((g) => groupStats(g, now)) };
    }
    case 'group_desc': {
      const all = body.groupId === undefined || body.groupId === OFPG_ALL;
      return { kind: 'group_desc', groups: [...b.pipeline.groups.all()].filter((g) => all || g.groupId === body.groupId).map(groupDesc) };
    }
    case 'group_features':
      return { kind: 'group_features', ...groupFeatures() };
    case 'meter':
    case 'meter_config': {
      const meters = body.meterId === OFPM_ALL ? [...b.pipeline.meters.all()] : [b.pipeline.meter(body.meterId)];
      const present = meters.filter((m) => m !== undefined);
      return body.kind === 'meter'
        ? { kind: 'meter', meters: present.map((m) => meterStats(m, now)) }
        : { kind: 'meter_config', meters: present.map(meterConfig) };
    }
    case 'meter_features':
      return { kind: 'meter_features', ...meterFeatures() };
    case 'table_features':
      // §7.3.5.5: a request with a body asks to reconfigure the tables; Sluice's tables
      // are fixed, so only the read form (empty body) is accepted.
      if (body.tables.length > 0) {
        return ofError(OFPET_TABLE_FEATURES_FAILED, OFPTFFC_EPERM, 'table features cannot be changed');
      }
      return { kind: 'table_features', tables: tableFeatures(b.pipeline) };
    case 'experimenter':
      return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER, `experimenter 0x${body.experimenter.toString(16)} is not supported`);
  }
}
