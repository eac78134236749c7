/**
 * The control-path vocabulary of OpenFlow 1.3, independent of the wire: matches, actions,
 * instructions, flow-mods, group-mods, meter-mods. The wire codec (src/openflow/) decodes
 * into these and encodes from them; the pipeline validates and executes them.
 *
 * Plain objects with a string discriminant (`type`), so that tests and the CLI can write
 * them literally. Constants keep the specification's names (OF1.3.5 §7); this file is the
 * one home of the spec numbers that the pipeline, the datapath and the OpenFlow agent
 * share (ports and their config/state bits, port-status and flow-removed reasons, ...),
 * imported from here by name, never written again as numbers.
 */

// ---- Reserved port numbers (OF1.3.5 §7.2.1, enum ofp_port_no)
export const OFPP_MAX = 0xffffff00;
export const OFPP_IN_PORT = 0xfffffff8;
export const OFPP_TABLE = 0xfffffff9;
export const OFPP_NORMAL = 0xfffffffa;
export const OFPP_FLOOD = 0xfffffffb;
export const OFPP_ALL = 0xfffffffc;
export const OFPP_CONTROLLER = 0xfffffffd;
export const OFPP_LOCAL = 0xfffffffe;
export const OFPP_ANY = 0xffffffff;

// ---- Port config bits (§7.2.1, enum ofp_port_config): what a controller sets by PORT_MOD
export const OFPPC_PORT_DOWN = 1 << 0;
export const OFPPC_NO_RECV = 1 << 2;
/** OF1.0's OFPPC_NO_FLOOD (bit 4); OF1.3 dropped it but Open vSwitch still honours it. */
export const OFPPC_NO_FLOOD = 1 << 4;
export const OFPPC_NO_FWD = 1 << 5;
export const OFPPC_NO_PACKET_IN = 1 << 6;

// ---- Port state bits (§7.2.1, enum ofp_port_state): what the switch reports
export const OFPPS_LINK_DOWN = 1 << 0;
export const OFPPS_BLOCKED = 1 << 1;
export const OFPPS_LIVE = 1 << 2;

// ---- Port-status reasons (§7.4.3, enum ofp_port_reason)
export const OFPPR_ADD = 0;
export const OFPPR_DELETE = 1;
export const OFPPR_MODIFY = 2;
export type PortReason = typeof OFPPR_ADD | typeof OFPPR_DELETE | typeof OFPPR_MODIFY;

// ---- Groups (§7.3.4.2)
export const OFPG_MAX = 0xffffff00;
export const OFPG_ALL = 0xfffffffc;
export const OFPG_ANY = 0xffffffff;

// ---- Meters (§7.3.4.4)
export const OFPM_MAX = 0xffff0000;
export const OFPM_SLOWPATH = 0xfffffffd;
export const OFPM_CONTROLLER = 0xfffffffe;
export const OFPM_ALL = 0xffffffff;

// ---- Tables
export const OFPTT_MAX = 0xfe;
export const OFPTT_ALL = 0xff;

// ---- Buffers / controller max_len
export const OFP_NO_BUFFER = 0xffffffff;
export const OFPCML_MAX = 0xffe5;
export const OFPCML_NO_BUFFER = 0xffff;

// ---- Flow-mod commands and flags (§7.3.4.1)
export const OFPFC_ADD = 0;
export const OFPFC_MODIFY = 1;
export const OFPFC_MODIFY_STRICT = 2;
export const OFPFC_DELETE = 3;
export const OFPFC_DELETE_STRICT = 4;

export const OFPFF_SEND_FLOW_REM = 1 << 0;
export const OFPFF_CHECK_OVERLAP = 1 << 1;
export const OFPFF_RESET_COUNTS = 1 << 2;
export const OFPFF_NO_PKT_COUNTS = 1 << 3;
export const OFPFF_NO_BYT_COUNTS = 1 << 4;

// ---- Flow-removed reasons (§7.4.2)
export const OFPRR_IDLE_TIMEOUT = 0;
export const OFPRR_HARD_TIMEOUT = 1;
export const OFPRR_DELETE = 2;
export const OFPRR_GROUP_DELETE = 3;
/** OF1.4 (§7.4.2): removed because its meter was deleted; 1.3 and 1.0 connections are told
 * OFPRR_DELETE, the reason 1.3 gives it. */
export const OFPRR_METER_DELETE = 4;

// ---- Packet-in reasons (§7.4.1)
export const OFPR_NO_MATCH = 0;
export const OFPR_ACTION = 1;
export const OFPR_INVALID_TTL = 2;
// OF1.4 (§7.4.1) splits ACTION by where the output was: an apply-actions output stays
// OFPR_ACTION (1.4's OFPR_APPLY_ACTION); 1.3 and 1.0 connections are told OFPR_ACTION for these.
export const OFPR_ACTION_SET = 3;
export const OFPR_GROUP = 4;
export const OFPR_PACKET_OUT = 5;

/**
 * A packet-in as the datapath emits it ('packet-in', from an output to OFPP_CONTROLLER) and
 * the OpenFlow agent turns into OFPT_PACKET_IN (openflow/message-types.ts PacketIn is that
 * wire message). Defined here, below both.
 */
export interface BridgePacketIn {
  reason: number /* OFPR_* */;
  tableId: number;
  cookie: bigint;
  inPort: number;
  metadata: bigint;
  tunnelId: bigint;
  /** the outer addresses (host-order IPv4) of a packet from a tunnel port, as rewritten by the pipeline; 0 = none */
  tunSrc: number;
  tunDst: number;
  totalLen: number;
  /** the op's max_len; OFPCML_NO_BUFFER = whole packet, unbuffered */
  maxLen: number;
  /** a COPY of the frame (the agent truncates it or keeps it in its buffer pool) */
  data: Uint8Array;
}

// ---- Group-mod (§7.3.4.2)
export const OFPGC_ADD = 0;
export const OFPGC_MODIFY = 1;
export const OFPGC_DELETE = 2;
/** OF1.5: add buckets to a group (where: command_bucket_id), remove some. */
export const OFPGC_INSERT_BUCKET = 3;
export const OFPGC_REMOVE_BUCKET = 5;
/** OF1.5 special bucket ids (enum ofp_group_bucket). */
export const OFPG_BUCKET_MAX = 0xffffff00;
export const OFPG_BUCKET_FIRST = 0xfffffffd;
export const OFPG_BUCKET_LAST = 0xfffffffe;
export const OFPG_BUCKET_ALL = 0xffffffff;
export const OFPGT_ALL = 0;
export const OFPGT_SELECT = 1;
export const OFPGT_INDIRECT = 2;
export const OFPGT_FF = 3;

// ---- Meter-mod (§7.3.4.4)
export const OFPMC_ADD = 0;
export const OFPMC_MODIFY = 1;
export const OFPMC_DELETE = 2;
export const OFPMF_KBPS = 1 << 0;
export const OFPMF_PKTPS = 1 << 1;
export const OFPMF_BURST = 1 << 2;
export const OFPMF_STATS = 1 << 3;
export const OFPMBT_DROP = 1;
export const OFPMBT_DSCP_REMARK = 2;
export const OFPMBT_EXPERIMENTER = 0xffff;

/** One OXM TLV of class OFPXMC_OPENFLOW_BASIC. `value` and `mask` are big-endian bytes
 * of the field's wire length (see OXM_FIELDS[field].bytes). */
export interface OxmField {
  readonly field: number;
  readonly value: Uint8Array;
  readonly mask?: Uint8Array;
}

/** An OpenFlow match: the list of OXM TLVs, in the order given. */
export type Match = readonly OxmField[];

// ---- Actions (§7.2.5). Discriminant = spec name without OFPAT_, lower case.
export type Action =
  | { readonly type: 'output'; readonly port: number; readonly maxLen: number }
  | { readonly type: 'copy_ttl_out' }
  | { readonly type: 'copy_ttl_in' }
  | { readonly type: 'set_mpls_ttl'; readonly ttl: number }
  | { readonly type: 'dec_mpls_ttl' }
  | { readonly type: 'push_vlan'; readonly ethertype: number }
  | { readonly type: 'pop_vlan' }
  | { readonly type: 'push_mpls'; readonly ethertype: number }
  | { readonly type: 'pop_mpls'; readonly ethertype: number }
  | { readonly type: 'set_queue'; readonly queueId: number }
  | { readonly type: 'group'; readonly groupId: number }
  | { readonly type: 'set_nw_ttl'; readonly ttl: number }
  | { readonly type: 'dec_nw_ttl' }
  | { readonly type: 'set_field'; readonly field: OxmField }
  | { readonly type: 'push_pbb'; readonly ethertype: number }
  | { readonly type: 'pop_pbb' }
  /** OF1.5 (§7.2.6.8): copies `nBits` bits of field `src` (from bit `srcOffset`, counted
   * from the least significant bit) into field `dst` (from bit `dstOffset`); fields are
   * OXM field ids (packet/oxm.ts). */
  | {
      readonly type: 'copy_field'; readonly nBits: number; readonly srcOffset: number; readonly dstOffset: number;
      readonly src: number; readonly dst: number;
    }
  /** OF1.5 (§7.2.6.9): the meter action, which replaces 1.3's meter instruction. */
  | { readonly type: 'meter'; readonly meterId: number }
  | { readonly type: 'experimenter'; readonly experimenter: number; readonly data: Uint8Array };

export type ActionType = Action['type'];

/** Wire numbers of action types (enum ofp_action_type; copy_field and meter are OF1.5's). */
export const OFPAT: Readonly<Record<ActionType, number>> = {
  output: 0, copy_ttl_out: 11, copy_ttl_in: 12, set_mpls_ttl: 15, dec_mpls_ttl: 16,
  push_vlan: 17, pop_vlan: 18, push_mpls: 19, pop_mpls: 20, set_queue: 21, group: 22,
  set_nw_ttl: 23, dec_nw_ttl: 24, set_field: 25, push_pbb: 26, pop_pbb: 27,
  copy_field: 28, meter: 29, experimenter: 0xffff,
};

// ---- Instructions (§7.2.4)
export type Instruction =
  | { readonly type: 'goto_table'; readonly tableId: number }
  | { readonly type: 'write_metadata'; readonly metadata: bigint; readonly mask: bigint }
  | { readonly type: 'write_actions'; readonly actions: readonly Action[] }
  | { readonly type: 'apply_actions'; readonly actions: readonly Action[] }
  | { readonly type: 'clear_actions' }
  | { readonly type: 'meter'; readonly meterId: number }
  | { readonly type: 'experimenter'; readonly experimenter: number; readonly data: Uint8Array };

export type InstructionType = Instruction['type'];

/** Wire numbers of instruction types (enum ofp_instruction_type). */
export const OFPIT: Readonly<Record<InstructionType, number>> = {
  goto_table: 1, write_metadata: 2, write_actions: 3, apply_actions: 4, clear_actions: 5,
  meter: 6, experimenter: 0xffff,
};

/** OFPT_FLOW_MOD as a value (§7.3.4.1). */
export interface FlowMod {
  readonly cookie: bigint;
  readonly cookieMask: bigint;
  readonly tableId: number;
  readonly command: number;
  readonly idleTimeout: number;
  readonly hardTimeout: number;
  readonly priority: number;
  readonly bufferId: number;
  readonly outPort: number;
  readonly outGroup: number;
  readonly flags: number;
  readonly match: Match;
  readonly instructions: readonly Instruction[];
  /** OF1.4+ (§7.3.4.1): the flow's importance, kept with it and reported in flow stats
   * (Sluice never evicts, the only use the spec gives it); absent = 0. */
  readonly importance?: number;
}

export interface Bucket {
  /** OF1.5's bucket_id (§7.3.4.3); absent = the bucket's position in the group. */
  readonly bucketId?: number;
  readonly weight: number;
  readonly watchPort: number;
  readonly watchGroup: number;
  readonly actions: readonly Action[];
}

/** OFPT_GROUP_MOD as a value (§7.3.4.2). */
export interface GroupMod {
  readonly command: number;
  readonly type: number;
  readonly groupId: number;
  readonly buckets: readonly Bucket[];
  /** OF1.5's command_bucket_id (§7.3.4.3), for OFPGC_INSERT_BUCKET / OFPGC_REMOVE_BUCKET:
   * OFPG_BUCKET_FIRST, _LAST, _ALL or a bucket id. */
  readonly commandBucketId?: number;
}

export type MeterBand =
  | { readonly type: 'drop'; readonly rate: number; readonly burstSize: number }
  | { readonly type: 'dscp_remark'; readonly rate: number; readonly burstSize: number; readonly precLevel: number }
  | { readonly type: 'experimenter'; readonly rate: number; readonly burstSize: number; readonly experimenter: number };

/** OFPT_METER_MOD as a value (§7.3.4.4). */
export interface MeterMod {
  readonly command: number;
  readonly flags: number;
  readonly meterId: number;
  readonly bands: readonly MeterBand[];
}

/** Fills a FlowMod with the defaults ovs-ofctl would use, for tests and the CLI. */
export function flowMod(partial: Partial<FlowMod>): FlowMod {
  return {
    cookie: 0n, cookieMask: 0n, tableId: 0, command: OFPFC_ADD, idleTimeout: 0, hardTimeout: 0,
    priority: 0x8000, bufferId: OFP_NO_BUFFER, outPort: OFPP_ANY, outGroup: OFPG_ANY, flags: 0,
    match: [], instructions: [],
    ...partial,
  };
}
