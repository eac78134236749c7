/**
 * Bodies of OFPT_MULTIPART_REQUEST / OFPT_MULTIPART_REPLY (OF1.3.5 §7.3.5), discriminated
 * by `kind` (the spec's OFPMP_ name without prefix, lower case). A reply body holds the
 * whole array of one message; splitting long replies over several messages with
 * OFPMPF_REPLY_MORE is the sender's business (the `flags` of the message).
 *
 * The structures these bodies share with messages (struct ofp_port, which PORT_STATUS
 * also carries) are here too, so that message-types.ts imports this file and not back.
 */
import type { Bucket, Instruction, Match, MeterBand } from '../pipeline/types.js';

/** struct ofp_port (§7.2.1). `hwAddr` is 6 bytes, `name` at most 15 bytes of UTF-8. */
export interface PortDesc {
  readonly portNo: number; readonly hwAddr: Uint8Array; readonly name: string;
  readonly config: number; readonly state: number;
  readonly curr: number; readonly advertised: number; readonly supported: number; readonly peer: number;
  readonly currSpeed: number; readonly maxSpeed: number;
}

/** ofp_flow_stats_request / ofp_aggregate_stats_request (§7.3.5.2, §7.3.5.3). */
export interface FlowStatsRequest {
  readonly tableId: number; readonly outPort: number; readonly outGroup: number;
  readonly cookie: bigint; readonly cookieMask: bigint; readonly match: Match;
}
/** OpenFlow 1.5 has two flow statistics: OFPMP_FLOW_DESC (1.3's OFPMP_FLOW, with
 * instructions) and OFPMP_FLOW_STATS (17: match and stats only); 'flow_stats' marks the
 * second, absent the first. A reply has the form of its request. */
export type FlowStatsForm = 'flow_stats';
export interface ExperimenterBody { readonly experimenter: number; readonly expType: number; readonly data: Uint8Array }

export type MultipartRequestBody =
  | { readonly kind: 'desc' }
  | ({ readonly kind: 'flow'; readonly form?: FlowStatsForm } & FlowStatsRequest)
  | ({ readonly kind: 'aggregate' } & FlowStatsRequest)
  | { readonly kind: 'table' }
  | { readonly kind: 'port_stats'; readonly portNo: number }
  | { readonly kind: 'queue'; readonly portNo: number; readonly queueId: number }
  | { readonly kind: 'group'; readonly groupId: number }
  /** groupId / portNo: OF1.5's group desc and port desc requests name one (OFPG_ALL / OFPP_ANY = all); 1.3's ask for all */
  | { readonly kind: 'group_desc'; readonly groupId?: number }
  | { readonly kind: 'group_features' }
  | { readonly kind: 'meter'; readonly meterId: number }
  | { readonly kind: 'meter_config'; readonly meterId: number }
  | { readonly kind: 'meter_features' }
  | { readonly kind: 'table_features'; readonly tables: readonly TableFeatures[] }
  | { readonly kind: 'port_desc'; readonly portNo?: number }
  | ({ readonly kind: 'experimenter' } & ExperimenterBody);

export type MultipartKind = MultipartRequestBody['kind'];

export interface DescStats {
  readonly mfrDesc: string; readonly hwDesc: string; readonly swDesc: string;
  readonly serialNum: string; readonly dpDesc: string;
}
export interface FlowStats {
  readonly tableId: number; readonly durationSec: number; readonly durationNsec: number;
  readonly priority: number; readonly idleTimeout: number; readonly hardTimeout: number;
  readonly flags: number; readonly cookie: bigint; readonly packetCount: bigint; readonly byteCount: bigint;
  readonly match: Match; readonly instructions: readonly Instruction[];
  /** Seconds since the flow last matched a packet (since it was added if never): OF1.5's
   * OXS idle_time, which only the 1.5 codec writes. */
  readonly idleSec?: number;
  /** OF1.4+ importance (absent = 0); 1.3 has no room for it. */
  readonly importance?: number;
}
export interface AggregateStats { readonly packetCount: bigint; readonly byteCount: bigint; readonly flowCount: number }
export interface TableStats {
  readonly tableId: number; readonly activeCount: number; readonly lookupCount: bigint; readonly matchedCount: bigint;
}
export interface PortStats {
  readonly portNo: number;
  readonly rxPackets: bigint; readonly txPackets: bigint; readonly rxBytes: bigint; readonly txBytes: bigint;
  readonly rxDropped: bigint; readonly txDropped: bigint; readonly rxErrors: bigint; readonly txErrors: bigint;
  readonly rxFrameErr: bigint; readonly rxOverErr: bigint; readonly rxCrcErr: bigint; readonly collisions: bigint;
  readonly durationSec: number; readonly durationNsec: number;
}
export interface QueueStats {
  readonly portNo: number; readonly queueId: number;
  readonly txBytes: bigint; readonly txPackets: bigint; readonly txErrors: bigint;
  readonly durationSec: number; readonly durationNsec: number;
}
export interface BucketCounter { readonly packetCount: bigint; readonly byteCount: bigint }
export interface GroupStats {
  readonly groupId: number; readonly refCount: number; readonly packetCount: bigint; readonly byteCount: bigint;
  readonly durationSec: number; readonly durationNsec: number; readonly buckets: readonly BucketCounter[];
}
export interface GroupDesc { readonly groupType: number; readonly groupId: number; readonly buckets: readonly Bucket[] }
export interface GroupFeatures {
  readonly types: number; readonly capabilities: number;
  readonly maxGroups: readonly [number, number, number, number];
  readonly actions: readonly [number, number, number, number];
}
export interface MeterBandStats { readonly packetBandCount: bigint; readonly byteBandCount: bigint }
export interface MeterStats {
  readonly meterId: number; readonly flowCount: number; readonly packetInCount: bigint; readonly byteInCount: bigint;
  readonly durationSec: number; readonly durationNsec: number; readonly bands: readonly MeterBandStats[];
}
export interface MeterConfig { readonly flags: number; readonly meterId: number; readonly bands: readonly MeterBand[] }
export interface MeterFeatures {
  readonly maxMeter: number; readonly bandTypes: number; readonly capabilities: number;
  readonly maxBands: number; readonly maxColor: number;
}

/** An instruction or action id in a table-features list: the type, and for experimenter its id. */
export interface FeatureId { readonly type: number; readonly experimenter?: number }
/** An OXM id (a TLV header); experimenter-class ids carry their experimenter (§7.2.3.2). */
export interface OxmId { readonly header: number; readonly experimenter?: number }

export type TableFeatureProp =
  | { readonly kind: 'instructions' | 'instructions_miss'; readonly ids: readonly FeatureId[] }
  | { readonly kind: 'next_tables' | 'next_tables_miss'; readonly tableIds: readonly number[] }
  | {
      readonly kind: 'write_actions' | 'write_actions_miss' | 'apply_actions' | 'apply_actions_miss';
      readonly ids: readonly FeatureId[];
    }
  | {
      readonly kind: 'match' | 'wildcards' | 'write_setfield' | 'write_setfield_miss'
        | 'apply_setfield' | 'apply_setfield_miss';
      readonly oxmIds: readonly OxmId[];
    }
  | ({ readonly kind: 'experimenter' | 'experimenter_miss' } & ExperimenterBody);

/** struct ofp_table_features (§7.3.5.5.1). */
export interface TableFeatures {
  readonly tableId: number; readonly name: string;
  readonly metadataMatch: bigint; readonly metadataWrite: bigint;
  readonly config: number; readonly maxEntries: number;
  readonly properties: readonly TableFeatureProp[];
}

export type MultipartReplyBody =
  | ({ readonly kind: 'desc' } & DescStats)
  | { readonly kind: 'flow'; readonly flows: readonly FlowStats[]; readonly form?: FlowStatsForm }
  | ({ readonly kind: 'aggregate' } & AggregateStats)
  | { readonly kind: 'table'; readonly tables: readonly TableStats[] }
  | { readonly kind: 'port_stats'; readonly ports: readonly PortStats[] }
  | { readonly kind: 'queue'; readonly queues: readonly QueueStats[] }
  | { readonly kind: 'group'; readonly groups: readonly GroupStats[] }
  | { readonly kind: 'group_desc'; readonly groups: readonly GroupDesc[] }
  | ({ readonly kind: 'group_features' } & GroupFeatures)
  | { readonly kind: 'meter'; readonly meters: readonly MeterStats[] }
  | { readonly kind: 'meter_config'; readonly meters: readonly MeterConfig[] }
  | ({ readonly kind: 'meter_features' } & MeterFeatures)
  | { readonly kind: 'table_features'; readonly tables: readonly TableFeatures[] }
  | { readonly kind: 'port_desc'; readonly ports: readonly PortDesc[] }
  | ({ readonly kind: 'experimenter' } & ExperimenterBody);

/** Wire numbers of multipart kinds (enum ofp_multipart_type). */
export const OFPMP: Readonly<Record<MultipartKind, number>> = {
  desc: 0, flow: 1, aggregate: 2, table: 3, port_stats: 4, queue: 5, group: 6, group_desc: 7,
  group_features: 8, meter: 9, meter_config: 10, meter_features: 11, table_features: 12,
  port_desc: 13, experimenter: 0xffff,
};
