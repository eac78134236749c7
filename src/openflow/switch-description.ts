/**
 * What the switch says about itself: OFPT_FEATURES_REPLY capabilities (OF1.3.5 §7.3.1),
 * OFPMP_DESC (§7.3.5.1), group features (§7.3.5.10), meter features (§7.3.5.13) and
 * table features (§7.3.5.5).
 *
 * Invariant: every claim is true of the pipeline in src/pipeline/ — a capability bit, an
 * action, an instruction or an OXM field appears here only if the pipeline executes it.
 * Not claimed: IP_REASM and QUEUE_STATS (no reassembly, no queues), PORT_BLOCKED (no STP),
 * set_queue (accepted by validation but there are no queues), experimenter anything.
 */
import { OXM_FIELDS, oxmHeader } from '../packet/oxm.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import {
  OFPAT, OFPIT, OFPG_MAX, OFPM_MAX, OFPMBT_DROP, OFPMBT_DSCP_REMARK, OFPMF_BURST, OFPMF_KBPS,
  OFPMF_PKTPS, OFPMF_STATS, OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT,
  type ActionType, type InstructionType,
} from '../pipeline/types.js';
import {
  OFPC_FLOW_STATS, OFPC_GROUP_STATS, OFPC_PORT_STATS, OFPC_TABLE_STATS, OFPGFC_CHAINING, OFPGFC_CHAINING_CHECKS,
  OFPGFC_SELECT_LIVENESS, OFPGFC_SELECT_WEIGHT,
} from './constants.js';
import type {
  DescStats, FeatureId, GroupFeatures, MeterFeatures, OxmId, TableFeatureProp, TableFeatures,
} from './multipart-types.js';

const SLUICE_VERSION = '0.1.0';

/** What FEATURES_REPLY claims (§7.3.1): the statistics this switch keeps. */
export const SWITCH_CAPABILITIES = OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS | OFPC_GROUP_STATS;

export function descStats(bridgeName: string, dpid: bigint): DescStats {
  return {
    mfrDesc: 'Sluice project',
    hwDesc: 'Sluice userspace switch (Node.js)',
    swDesc: `sluice ${SLUICE_VERSION}`,
    serialNum: dpid.toString(16).padStart(16, '0'),
    dpDesc: bridgeName,
  };
}

/** Actions the pipeline executes (src/pipeline/execute*.ts). */
const ACTIONS: readonly ActionType[] = [
  'output', 'copy_ttl_out', 'copy_ttl_in', 'set_mpls_ttl', 'dec_mpls_ttl', 'push_vlan', 'pop_vlan',
  'push_mpls', 'pop_mpls', 'group', 'set_nw_ttl', 'dec_nw_ttl', 'set_field', 'push_pbb', 'pop_pbb',
];
const INSTRUCTIONS: readonly InstructionType[] = [
  'goto_table', 'write_metadata', 'write_actions', 'apply_actions', 'clear_actions', 'meter',
];

const actionBitmap = ACTIONS.reduce((m, a) => (m | (1 << OFPAT[a])) >>> 0, 0);

export function groupFeatures(): GroupFeatures {
  const types = (1 << OFPGT_ALL) | (1 << OFPGT_SELECT) | (1 << OFPGT_INDIRECT) | (1 << OFPGT_FF);
  return {
    types,
    capabilities: OFPGFC_SELECT_WEIGHT | OFPGFC_SELECT_LIVENESS | OFPGFC_CHAINING | OFPGFC_CHAINING_CHECKS,
    maxGroups: [OFPG_MAX, OFPG_MAX, OFPG_MAX, OFPG_MAX],
    actions: [actionBitmap, actionBitmap, actionBitmap, actionBitmap],
  };
}

/** The meter table is a map: its only limit is the id space. */
const MAX_BANDS_PER_METER = 16;

export function meterFeatures(): MeterFeatures {
  return {
    maxMeter: OFPM_MAX,
    bandTypes: (1 << OFPMBT_DROP) | (1 << OFPMBT_DSCP_REMARK),
    capabilities: OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS,
    maxBands: MAX_BANDS_PER_METER,
    maxColor: 0,
  };
}

// OXM TLV headers, class(16) field(7) hasmask(1) length(8) (§7.2.3.2), of every field
// Sluice knows: the basic ones and the NXM_1 tunnel fields (tun_src, tun_dst).
// (OpenFlow 1.5's fields and actions are listed too: the 1.3 and 1.4 codecs leave them out,
// of15/version-gate.ts; the 1.5 codec leaves out the meter instruction)
const MATCH_IDS: readonly OxmId[] = OXM_FIELDS.map((f) => ({ header: oxmHeader(f.id, f.maskable) }));
const WILDCARD_IDS: readonly OxmId[] = OXM_FIELDS.map((f) => ({ header: oxmHeader(f.id, false) }));
const SETFIELD_IDS: readonly OxmId[] = OXM_FIELDS.filter((f) => f.settable).map((f) => ({ header: oxmHeader(f.id, false) }));
const ACTION_IDS: readonly FeatureId[] = [...ACTIONS, 'copy_field', 'meter'].map((a) => ({ type: OFPAT[a as ActionType] }));

function tableProps(tableId: number, nTables: number): TableFeatureProp[] {
  // goto_table must go forward (§5.1): the last table cannot have it.
  const insts = INSTRUCTIONS.filter((i) => i !== 'goto_table' || tableId < nTables - 1).map((i) => ({ type: OFPIT[i] }));
  const next: number[] = [];
  for (let t = tableId + 1; t < nTables; t++) next.push(t);
  return [
    { kind: 'instructions', ids: insts }, { kind: 'instructions_miss', ids: insts },
    { kind: 'next_tables', tableIds: next }, { kind: 'next_tables_miss', tableIds: next },
    { kind: 'write_actions', ids: ACTION_IDS }, { kind: 'write_actions_miss', ids: ACTION_IDS },
    { kind: 'apply_actions', ids: ACTION_IDS }, { kind: 'apply_actions_miss', ids: ACTION_IDS },
    { kind: 'match', oxmIds: MATCH_IDS }, { kind: 'wildcards', oxmIds: WILDCARD_IDS },
    { kind: 'write_setfield', oxmIds: SETFIELD_IDS }, { kind: 'write_setfield_miss', oxmIds: SETFIELD_IDS },
    { kind: 'apply_setfield', oxmIds: SETFIELD_IDS }, { kind: 'apply_setfield_miss', oxmIds: SETFIELD_IDS },
  ];
}

export function tableFeatures(pipeline: Pipeline): TableFeatures[] {
  const out: TableFeatures[] = [];
  for (let t = 0; t < pipeline.nTables; t++) {
    out.push({
      tableId: t, name: `table${t}`, metadataMatch: 0xffffffffffffffffn, metadataWrite: 0xffffffffffffffffn,
      config: 0, maxEntries: pipeline.table(t).maxRules, properties: tableProps(t, pipeline.nTables),
    });
  }
  return out;
}
