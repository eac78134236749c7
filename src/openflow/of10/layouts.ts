/**
 * Fixed-layout OpenFlow 1.0 structures (OpenFlow 1.0.0 openflow.h), one table of Fields
 * each, read and written through the same table (as ../layouts.ts does for 1.3).
 *
 * Invariants: offsets from the structure's first byte (the ofp_header included for a
 * message); pads are fields, so the fields tile [0, length) and the length is the spec's
 * OFP_ASSERT(sizeof ...) (test/unit/openflow10-codec.test.ts checks it). A trailing list
 * (actions, ports, data) is not part of the layout.
 */
import type { Layout } from '../layouts.js';

/** struct ofp_match (§5.2.3), 40 bytes. */
export const OFP10_MATCH = {
  WILDCARDS: [0, 4],
  IN_PORT: [4, 6],
  DL_SRC: [6, 12],
  DL_DST: [12, 18],
  DL_VLAN: [18, 20],
  DL_VLAN_PCP: [20, 21],
  PAD1: [21, 22],
  DL_TYPE: [22, 24],
  NW_TOS: [24, 25],
  NW_PROTO: [25, 26],
  PAD2: [26, 28],
  NW_SRC: [28, 32],
  NW_DST: [32, 36],
  TP_SRC: [36, 38],
  TP_DST: [38, 40],
} as const satisfies Layout;

/** struct ofp_flow_mod (§5.3.3), 72 bytes before its actions. */
export const OFP10_FLOW_MOD = {
  HEADER: [0, 8],
  MATCH: [8, 48],
  COOKIE: [48, 56],
  COMMAND: [56, 58],
  IDLE_TIMEOUT: [58, 60],
  HARD_TIMEOUT: [60, 62],
  PRIORITY: [62, 64],
  BUFFER_ID: [64, 68],
  OUT_PORT: [68, 70],
  FLAGS: [70, 72],
} as const satisfies Layout;

/** struct ofp_flow_removed (§5.4.2), 88 bytes. */
export const OFP10_FLOW_REMOVED = {
  HEADER: [0, 8],
  MATCH: [8, 48],
  COOKIE: [48, 56],
  PRIORITY: [56, 58],
  REASON: [58, 59],
  PAD: [59, 60],
  DURATION_SEC: [60, 64],
  DURATION_NSEC: [64, 68],
  IDLE_TIMEOUT: [68, 70],
  PAD2: [70, 72],
  PACKET_COUNT: [72, 80],
  BYTE_COUNT: [80, 88],
} as const satisfies Layout;

/** struct ofp_packet_in (§5.4.1): 18 bytes, then the frame (sizeof is 20 with the
 * compiler's tail padding; the frame starts at offset 18). */
export const OFP10_PACKET_IN = {
  HEADER: [0, 8],
  BUFFER_ID: [8, 12],
  TOTAL_LEN: [12, 14],
  IN_PORT: [14, 16],
  REASON: [16, 17],
  PAD: [17, 18],
} as const satisfies Layout;

/** struct ofp_packet_out (§5.3.6), 16 bytes before its actions and frame. */
export const OFP10_PACKET_OUT = {
  HEADER: [0, 8],
  BUFFER_ID: [8, 12],
  IN_PORT: [12, 14],
  ACTIONS_LEN: [14, 16],
} as const satisfies Layout;

/** struct ofp_switch_features (§5.3.1), 32 bytes before its ofp_phy_port list. */
export const OFP10_SWITCH_FEATURES = {
  HEADER: [0, 8],
  DATAPATH_ID: [8, 16],
  N_BUFFERS: [16, 20],
  N_TABLES: [20, 21],
  PAD: [21, 24],
  CAPABILITIES: [24, 28],
  ACTIONS: [28, 32],
} as const satisfies Layout;

/** struct ofp_phy_port (§5.2.1), 48 bytes. */
export const OFP10_PHY_PORT = {
  PORT_NO: [0, 2],
  HW_ADDR: [2, 8],
  NAME: [8, 24],
  CONFIG: [24, 28],
  STATE: [28, 32],
  CURR: [32, 36],
  ADVERTISED: [36, 40],
  SUPPORTED: [40, 44],
  PEER: [44, 48],
} as const satisfies Layout;

/** struct ofp_port_mod (§5.3.3), 32 bytes. */
export const OFP10_PORT_MOD = {
  HEADER: [0, 8],
  PORT_NO: [8, 10],
  HW_ADDR: [10, 16],
  CONFIG: [16, 20],
  MASK: [20, 24],
  ADVERTISE: [24, 28],
  PAD: [28, 32],
} as const satisfies Layout;

/** struct ofp_flow_stats_request / ofp_aggregate_stats_request (§5.3.5), 44 bytes. */
export const OFP10_FLOW_STATS_REQUEST = {
  MATCH: [0, 40],
  TABLE_ID: [40, 41],
  PAD: [41, 42],
  OUT_PORT: [42, 44],
} as const satisfies Layout;

/** struct ofp_flow_stats (§5.3.5), 88 bytes before its actions. */
export const OFP10_FLOW_STATS = {
  LENGTH: [0, 2],
  TABLE_ID: [2, 3],
  PAD: [3, 4],
  MATCH: [4, 44],
  DURATION_SEC: [44, 48],
  DURATION_NSEC: [48, 52],
  PRIORITY: [52, 54],
  IDLE_TIMEOUT: [54, 56],
  HARD_TIMEOUT: [56, 58],
  PAD2: [58, 64],
  COOKIE: [64, 72],
  PACKET_COUNT: [72, 80],
  BYTE_COUNT: [80, 88],
} as const satisfies Layout;

/** struct ofp_table_stats (§5.3.5), 64 bytes. */
export const OFP10_TABLE_STATS = {
  TABLE_ID: [0, 1],
  PAD: [1, 4],
  NAME: [4, 36],
  WILDCARDS: [36, 40],
  MAX_ENTRIES: [40, 44],
  ACTIVE_COUNT: [44, 48],
  LOOKUP_COUNT: [48, 56],
  MATCHED_COUNT: [56, 64],
} as const satisfies Layout;

/** struct ofp_port_stats (§5.3.5), 104 bytes: port_no, pad, then 12 64-bit counters in
 * the order of PORT_STATS10_COUNTERS. */
export const OFP10_PORT_STATS = {
  PORT_NO: [0, 2],
  PAD: [2, 8],
  COUNTERS: [8, 104],
} as const satisfies Layout;

/** struct ofp_queue_stats (§5.3.5), 32 bytes. */
export const OFP10_QUEUE_STATS = {
  PORT_NO: [0, 2],
  PAD: [2, 4],
  QUEUE_ID: [4, 8],
  TX_BYTES: [8, 16],
  TX_PACKETS: [16, 24],
  TX_ERRORS: [24, 32],
} as const satisfies Layout;

/** struct ofp_aggregate_stats_reply (§5.3.5), 24 bytes. */
export const OFP10_AGGREGATE_REPLY = {
  PACKET_COUNT: [0, 8],
  BYTE_COUNT: [8, 16],
  FLOW_COUNT: [16, 20],
  PAD: [20, 24],
} as const satisfies Layout;
