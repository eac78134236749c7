/**
 * OpenFlow messages as plain values (OF1.3.5 §7.3–§7.5, and the few OF1.4.1 added): one interface per message,
 * discriminated by `type` (the spec's OFPT_ name without prefix, lower case), all carrying
 * the header's `xid`. `OFMessage` is their union; the codec maps it to and from bytes.
 *
 * Conventions: 64-bit counters, cookies and ids are bigint; byte strings are Uint8Array
 * (copies, never views into a receive buffer); lists are readonly arrays. Reserved and
 * padding fields of the wire are not represented (they are written as zeros).
 * Group-mod's group type is `groupType` here, since `type` is the discriminant.
 */
import type { Action, Bucket, FlowMod, Instruction, Match, MeterBand, MeterMod } from '../pipeline/types.js';
import type { MultipartReplyBody, MultipartRequestBody, PortDesc } from './multipart-types.js';

export interface Hello {
  readonly type: 'hello'; readonly xid: number;
  /** Header version; defaults to OF1.3 on encode. Hello is decoded at any version (§6.3.1). */
  readonly version?: number;
  /** Versions from the OFPHET_VERSIONBITMAP element; empty = no element. */
  readonly versions: readonly number[];
}
export interface ErrorMsg {
  readonly type: 'error'; readonly xid: number;
  readonly errType: number; readonly code: number; readonly data: Uint8Array;
}
/** OFPET_EXPERIMENTER error (§7.4.4: ofp_error_experimenter_msg). */
export interface ErrorExperimenter {
  readonly type: 'error_experimenter'; readonly xid: number;
  readonly expType: number; readonly experimenter: number; readonly data: Uint8Array;
}
export interface EchoRequest { readonly type: 'echo_request'; readonly xid: number; readonly data: Uint8Array }
export interface EchoReply { readonly type: 'echo_reply'; readonly xid: number; readonly data: Uint8Array }
export interface Experimenter {
  readonly type: 'experimenter'; readonly xid: number;
  readonly experimenter: number; readonly expType: number; readonly data: Uint8Array;
}
export interface FeaturesRequest { readonly type: 'features_request'; readonly xid: number }
export interface FeaturesReply {
  readonly type: 'features_reply'; readonly xid: number;
  readonly datapathId: bigint; readonly nBuffers: number; readonly nTables: number;
  readonly auxiliaryId: number; readonly capabilities: number;
  /** The switch's ports: carried by the OF1.0 features reply (ofp_phy_port list); a 1.3
   * reply has none (port-desc multipart instead) and ignores this. */
  readonly ports?: readonly PortDesc[];
}
export interface GetConfigRequest { readonly type: 'get_config_request'; readonly xid: number }
export interface SwitchConfig { readonly flags: number; readonly missSendLen: number }
export interface GetConfigReply extends SwitchConfig { readonly type: 'get_config_reply'; readonly xid: number }
export interface SetConfig extends SwitchConfig { readonly type: 'set_config'; readonly xid: number }

export interface PacketIn {
  readonly type: 'packet_in'; readonly xid: number;
  readonly bufferId: number; readonly totalLen: number; readonly reason: number;
  readonly tableId: number; readonly cookie: bigint; readonly match: Match; readonly data: Uint8Array;
}
export interface FlowRemoved {
  readonly type: 'flow_removed'; readonly xid: number;
  readonly cookie: bigint; readonly priority: number; readonly reason: number; readonly tableId: number;
  readonly durationSec: number; readonly durationNsec: number;
  readonly idleTimeout: number; readonly hardTimeout: number;
  readonly packetCount: bigint; readonly byteCount: bigint; readonly match: Match;
}
export interface PortStatus {
  readonly type: 'port_status'; readonly xid: number; readonly reason: number; readonly port: PortDesc;
}
export interface PacketOut {
  readonly type: 'packet_out'; readonly xid: number;
  readonly bufferId: number; readonly inPort: number; readonly actions: readonly Action[]; readonly data: Uint8Array;
  /** OF1.5's packet-out carries a match (§7.3.7): in_port (above) and metadata, the
   * pipeline fields the packet starts with; absent = 0. */
  readonly metadata?: bigint;
}
export interface FlowModMsg extends FlowMod { readonly type: 'flow_mod'; readonly xid: number }
export interface GroupModMsg {
  readonly type: 'group_mod'; readonly xid: number;
  readonly command: number; readonly groupType: number; readonly groupId: number;
  readonly buckets: readonly Bucket[];
  /** OF1.5's command_bucket_id (§7.3.4.3): OFPG_BUCKET_ALL unless a bucket command names one. */
  readonly commandBucketId?: number;
}
export interface PortMod {
  readonly type: 'port_mod'; readonly xid: number;
  readonly portNo: number; readonly hwAddr: Uint8Array;
  readonly config: number; readonly mask: number; readonly advertise: number;
}
export interface TableMod { readonly type: 'table_mod'; readonly xid: number; readonly tableId: number; readonly config: number }
export interface MultipartRequest {
  readonly type: 'multipart_request'; readonly xid: number; readonly flags: number;
  readonly body: MultipartRequestBody;
}
export interface MultipartReply {
  readonly type: 'multipart_reply'; readonly xid: number; readonly flags: number;
  readonly body: MultipartReplyBody;
}
export interface BarrierRequest { readonly type: 'barrier_request'; readonly xid: number }
export interface BarrierReply { readonly type: 'barrier_reply'; readonly xid: number }
export interface QueueGetConfigRequest { readonly type: 'queue_get_config_request'; readonly xid: number; readonly port: number }
export type QueueProp =
  | { readonly kind: 'min_rate'; readonly rate: number }
  | { readonly kind: 'max_rate'; readonly rate: number }
  | { readonly kind: 'experimenter'; readonly experimenter: number; readonly data: Uint8Array };
/** struct ofp_packet_queue (§7.3.6). */
export interface PacketQueue { readonly queueId: number; readonly port: number; readonly properties: readonly QueueProp[] }
export interface QueueGetConfigReply {
  readonly type: 'queue_get_config_reply'; readonly xid: number; readonly port: number;
  readonly queues: readonly PacketQueue[];
}
export interface RoleMsg { readonly xid: number; readonly role: number; readonly generationId: bigint }
export interface RoleRequest extends RoleMsg { readonly type: 'role_request' }
export interface RoleReply extends RoleMsg { readonly type: 'role_reply' }
export interface GetAsyncRequest { readonly type: 'get_async_request'; readonly xid: number }
/** struct ofp_async_config (§7.3.10): [0] = master/equal, [1] = slave. OpenFlow 1.4
 * writes it as properties (OFPACPT_*) and adds role-status (optional here: 1.3 lacks it). */
export interface AsyncConfig {
  readonly packetInMask: readonly [number, number];
  readonly portStatusMask: readonly [number, number];
  readonly flowRemovedMask: readonly [number, number];
  readonly roleStatusMask?: readonly [number, number];
}
export interface GetAsyncReply extends AsyncConfig { readonly type: 'get_async_reply'; readonly xid: number }
/** One mask of a SET_ASYNC: [master/equal, slave], null = that half is not changed. */
export type AsyncMaskUpdate = readonly [number | null, number | null];
/** A 1.3 SET_ASYNC sets every mask; a 1.4 one only the masks it has properties for
 * (OF1.4.1 §7.3.10): the absent ones are undefined or null here and stay as they were. */
export interface SetAsync {
  readonly type: 'set_async'; readonly xid: number;
  readonly packetInMask?: AsyncMaskUpdate; readonly portStatusMask?: AsyncMaskUpdate;
  readonly flowRemovedMask?: AsyncMaskUpdate; readonly roleStatusMask?: AsyncMaskUpdate;
}
export interface MeterModMsg extends MeterMod { readonly type: 'meter_mod'; readonly xid: number }

// ---- OpenFlow 1.4 (OF1.4.1 §7.3.9, §7.4.4): 1.0 has no form for them, 1.3 only for bundles (ONF EXT-230).

/** OFPT_ROLE_STATUS: this connection's role changed (reason OFPCRR_*). */
export interface RoleStatus {
  readonly type: 'role_status'; readonly xid: number;
  readonly role: number; readonly reason: number; readonly generationId: bigint;
}
/** OFPT_BUNDLE_CONTROL (struct ofp_bundle_ctrl_msg); properties are not represented. */
export interface BundleControl {
  readonly type: 'bundle_control'; readonly xid: number;
  readonly bundleId: number; readonly ctrlType: number; readonly flags: number;
}
/** OFPT_BUNDLE_ADD_MESSAGE (struct ofp_bundle_add_msg): `message` is the decoded inner
 * message, `raw` its bytes (the data of an error about it). */
/** struct ofp_flow_monitor_request (§7.3.5.19.1). */
export interface FlowMonitor {
  readonly monitorId: number; readonly outPort: number; readonly outGroup: number;
  readonly flags: number; readonly tableId: number; readonly command: number; readonly match: Match;
}
/** One ofp_flow_update_*: full (INITIAL, ADDED, REMOVED, MODIFIED), abbreviated (the xid
 * of the change this controller made itself), or PAUSED / RESUMED. */
export type FlowUpdate =
  | {
      readonly event: 0 | 1 | 2 | 3; readonly tableId: number; readonly reason: number;
      readonly idleTimeout: number; readonly hardTimeout: number; readonly priority: number;
      readonly cookie: bigint; readonly match: Match; readonly instructions: readonly Instruction[];
    }
  | { readonly event: 4; readonly xid: number }
  | { readonly event: 5 | 6 };
/** OFPMP_FLOW_MONITOR request / reply (§7.3.5.19): kept out of the multipart bodies because
 * 1.3 and 1.0 have no form for them. */
export interface FlowMonitorRequest {
  readonly type: 'flow_monitor_request'; readonly xid: number; readonly flags: number; readonly monitors: readonly FlowMonitor[];
}
export interface FlowMonitorReply {
  readonly type: 'flow_monitor_reply'; readonly xid: number; readonly flags: number; readonly updates: readonly FlowUpdate[];
}
/** OFPMP_TABLE_DESC (§7.3.5.6): each table's config (no properties: Sluice has none). */
export interface TableDescRequest { readonly type: 'table_desc_request'; readonly xid: number; readonly flags: number }
export interface TableDescReply {
  readonly type: 'table_desc_reply'; readonly xid: number; readonly flags: number;
  readonly tables: readonly { readonly tableId: number; readonly config: number }[];
}
/** OFPMP_QUEUE_DESC (§7.3.5.10): Sluice has no queues, so a reply lists none. */
export interface QueueDescRequest { readonly type: 'queue_desc_request'; readonly xid: number; readonly flags: number; readonly portNo: number; readonly queueId: number }
export interface QueueDescReply {
  readonly type: 'queue_desc_reply'; readonly xid: number; readonly flags: number;
  readonly queues: readonly { readonly portNo: number; readonly queueId: number }[];
}
export interface BundleAddMessage {
  readonly type: 'bundle_add_message'; readonly xid: number;
  readonly bundleId: number; readonly flags: number; readonly message: OFMessage; readonly raw: Uint8Array;
}

export type OFMessage =
  | Hello | ErrorMsg | ErrorExperimenter | EchoRequest | EchoReply | Experimenter
  | FeaturesRequest | FeaturesReply | GetConfigRequest | GetConfigReply | SetConfig
  | PacketIn | FlowRemoved | PortStatus | PacketOut | FlowModMsg | GroupModMsg | PortMod | TableMod
  | MultipartRequest | MultipartReply | BarrierRequest | BarrierReply
  | QueueGetConfigRequest | QueueGetConfigReply | RoleRequest | RoleReply
  | GetAsyncRequest | GetAsyncReply | SetAsync | MeterModMsg
  | RoleStatus | BundleControl | BundleAddMessage | FlowMonitorRequest | FlowMonitorReply
  | TableDescRequest | TableDescReply | QueueDescRequest | QueueDescReply;

/** The message types only OpenFlow 1.4 has: the 1.3 codec encodes none of them (bundles it
 * does, as ONF's EXT-230 experimenter messages). */
export const OF14_ONLY_TYPES: ReadonlySet<OFMessageType> = new Set<OFMessageType>([
  'role_status', 'flow_monitor_request', 'flow_monitor_reply', 'table_desc_request', 'table_desc_reply',
  'queue_desc_request', 'queue_desc_reply',
]);

export type OFMessageType = OFMessage['type'];

// Re-exported so that users of the codec need one import for the message vocabulary.
export type { Action, Bucket, FlowMod, Instruction, Match, MeterBand, MeterMod };
