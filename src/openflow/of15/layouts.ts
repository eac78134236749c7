/**
 * Fixed-layout OpenFlow 1.5 structures that differ from 1.4's and 1.3's (OF1.5.1
 * openflow.h), one table of Fields each, as ../layouts.ts does for 1.3: the decoder and
 * the encoder go through the same table. Offsets count from the structure's first byte
 * (the ofp_header included for a message); pads are fields, so the fields tile
 * [0, length). A trailing match is the last field at its 8-byte empty size; what follows
 * it (stats, actions, buckets, properties) is read and written by its own codec.
 */
import type { Layout } from '../layouts.js';

/** struct ofp_packet_out (§7.3.7), 24 bytes with an empty match; actions then data follow. */
export const OFP15_PACKET_OUT = {
  HEADER: [0, 8],
  BUFFER_ID: [8, 12],
  ACTIONS_LEN: [12, 14],
  PAD: [14, 16],
  MATCH: [16, 24],
} as const satisfies Layout;

/** struct ofp_flow_removed (§7.4.2), 32 bytes with an empty match; ofp_stats follows. */
export const OFP15_FLOW_REMOVED = {
  HEADER: [0, 8],
  TABLE_ID: [8, 9],
  REASON: [9, 10],
  PRIORITY: [10, 12],
  IDLE_TIMEOUT: [12, 14],
  HARD_TIMEOUT: [14, 16],
  COOKIE: [16, 24],
  MATCH: [24, 32],
} as const satisfies Layout;

/** struct ofp_flow_desc (§7.3.5.2, OFPMP_FLOW_DESC), 32 bytes with an empty match; ofp_stats
 * then the instructions follow. */
export const OFP15_FLOW_DESC = {
  LENGTH: [0, 2],
  PAD: [2, 4],
  TABLE_ID: [4, 5],
  PAD2: [5, 6],
  PRIORITY: [6, 8],
  IDLE_TIMEOUT: [8, 10],
  HARD_TIMEOUT: [10, 12],
  FLAGS: [12, 14],
  IMPORTANCE: [14, 16],
  COOKIE: [16, 24],
  MATCH: [24, 32],
} as const satisfies Layout;

/** struct ofp_flow_stats of 1.5 (§7.3.5.3, OFPMP_FLOW_STATS), 16 bytes with an empty
 * match; ofp_stats follows. */
export const OFP15_FLOW_STATS = {
  LENGTH: [0, 2],
  PAD: [2, 4],
  TABLE_ID: [4, 5],
  REASON: [5, 6],
  PRIORITY: [6, 8],
  MATCH: [8, 16],
} as const satisfies Layout;

/** struct ofp_group_mod (§7.3.4.3), 24 bytes before its buckets (and properties). */
export const OFP15_GROUP_MOD = {
  HEADER: [0, 8],
  COMMAND: [8, 10],
  TYPE: [10, 11],
  PAD: [11, 12],
  GROUP_ID: [12, 16],
  BUCKET_ARRAY_LEN: [16, 18],
  PAD2: [18, 20],
  COMMAND_BUCKET_ID: [20, 24],
} as const satisfies Layout;

/** struct ofp_bucket of 1.5 (§7.3.4.3), 8 bytes before its actions and properties. */
export const OFP15_BUCKET = {
  LEN: [0, 2],
  ACTION_ARRAY_LEN: [2, 4],
  BUCKET_ID: [4, 8],
} as const satisfies Layout;

/** struct ofp_group_desc of 1.5 (§7.3.5.9), 16 bytes before its buckets (and properties). */
export const OFP15_GROUP_DESC = {
  LENGTH: [0, 2],
  TYPE: [2, 3],
  PAD: [3, 4],
  GROUP_ID: [4, 8],
  BUCKET_ARRAY_LEN: [8, 10],
  PAD2: [10, 16],
} as const satisfies Layout;

/** struct ofp_meter_features of 1.5 (§7.3.5.13), 24 bytes: 1.3's and a `features` word. */
export const OFP15_METER_FEATURES = {
  MAX_METER: [0, 4],
  BAND_TYPES: [4, 8],
  CAPABILITIES: [8, 12],
  MAX_BANDS: [12, 13],
  MAX_COLOR: [13, 14],
  PAD: [14, 16],
  FEATURES: [16, 20],
  PAD2: [20, 24],
} as const satisfies Layout;
