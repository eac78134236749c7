/**
 * Fixed-layout OpenFlow 1.4 structures that differ from 1.3's (OF1.4.1 openflow.h), one
 * table of Fields each, as ../layouts.ts does for 1.3: the decoder and the encoder go
 * through the same table. Offsets count from the structure's first byte (the ofp_header
 * included for a message); pads are fields, so the fields tile [0, length).
 * A trailing property list is not a field: it follows at the layout's length.
 */
import type { Layout } from '../layouts.js';

/** struct ofp_port (§7.2.1), 40 bytes before its properties. */
export const OFP14_PORT = {
  PORT_NO: [0, 4],
  LENGTH: [4, 6],
  PAD: [6, 8],
  HW_ADDR: [8, 14],
  PAD2: [14, 16],
  NAME: [16, 32],
  CONFIG: [32, 36],
  STATE: [36, 40],
} as const satisfies Layout;

/** struct ofp_port_desc_prop_ethernet (§7.2.1.1), 32 bytes. */
export const OFP14_PORT_DESC_PROP_ETHERNET = {
  TYPE: [0, 2],
  LENGTH: [2, 4],
  PAD: [4, 8],
  CURR: [8, 12],
  ADVERTISED: [12, 16],
  SUPPORTED: [16, 20],
  PEER: [20, 24],
  CURR_SPEED: [24, 28],
  MAX_SPEED: [28, 32],
} as const satisfies Layout;

/** struct ofp_port_stats (§7.3.5.7), 80 bytes before its properties. */
export const OFP14_PORT_STATS = {
  LENGTH: [0, 2],
  PAD: [2, 4],
  PORT_NO: [4, 8],
  DURATION_SEC: [8, 12],
  DURATION_NSEC: [12, 16],
  RX_PACKETS: [16, 24],
  TX_PACKETS: [24, 32],
  RX_BYTES: [32, 40],
  TX_BYTES: [40, 48],
  RX_DROPPED: [48, 56],
  TX_DROPPED: [56, 64],
  RX_ERRORS: [64, 72],
  TX_ERRORS: [72, 80],
} as const satisfies Layout;

/** struct ofp_port_stats_prop_ethernet (§7.3.5.7), 40 bytes. */
export const OFP14_PORT_STATS_PROP_ETHERNET = {
  TYPE: [0, 2],
  LENGTH: [2, 4],
  PAD: [4, 8],
  RX_FRAME_ERR: [8, 16],
  RX_OVER_ERR: [16, 24],
  RX_CRC_ERR: [24, 32],
  COLLISIONS: [32, 40],
} as const satisfies Layout;

/** struct ofp_queue_stats (§7.3.5.8), 48 bytes before its properties. */
export const OFP14_QUEUE_STATS = {
  LENGTH: [0, 2],
  PAD: [2, 8],
  PORT_NO: [8, 12],
  QUEUE_ID: [12, 16],
  TX_BYTES: [16, 24],
  TX_PACKETS: [24, 32],
  TX_ERRORS: [32, 40],
  DURATION_SEC: [40, 44],
  DURATION_NSEC: [44, 48],
} as const satisfies Layout;

/** struct ofp_port_mod (§7.3.4.3), 32 bytes before its properties. */
export const OFP14_PORT_MOD = {
  HEADER: [0, 8],
  PORT_NO: [8, 12],
  PAD: [12, 16],
  HW_ADDR: [16, 22],
  PAD2: [22, 24],
  CONFIG: [24, 28],
  MASK: [28, 32],
} as const satisfies Layout;

/** struct ofp_port_mod_prop_ethernet (§7.3.4.3), 8 bytes. */
export const OFP14_PORT_MOD_PROP_ETHERNET = {
  TYPE: [0, 2],
  LENGTH: [2, 4],
  ADVERTISE: [4, 8],
} as const satisfies Layout;

/** struct ofp_async_config_prop_reasons (§7.3.10), 8 bytes. */
export const OFP14_ASYNC_CONFIG_PROP_REASONS = {
  TYPE: [0, 2],
  LENGTH: [2, 4],
  MASK: [4, 8],
} as const satisfies Layout;

/** struct ofp_role_status (§7.4.4), 24 bytes before its properties. */
export const OFP14_ROLE_STATUS = {
  HEADER: [0, 8],
  ROLE: [8, 12],
  REASON: [12, 13],
  PAD: [13, 16],
  GENERATION_ID: [16, 24],
} as const satisfies Layout;

/** struct ofp_bundle_ctrl_msg (§7.3.9.1), 16 bytes before its properties. */
export const OFP14_BUNDLE_CTRL = {
  HEADER: [0, 8],
  BUNDLE_ID: [8, 12],
  TYPE: [12, 14],
  FLAGS: [14, 16],
} as const satisfies Layout;

/** struct ofp_bundle_add_msg (§7.3.9.2), 16 bytes before the inner message. */
export const OFP14_BUNDLE_ADD = {
  HEADER: [0, 8],
  BUNDLE_ID: [8, 12],
  PAD: [12, 14],
  FLAGS: [14, 16],
} as const satisfies Layout;

/** struct ofp_flow_monitor_request (§7.3.5.19.1), 24 bytes with an empty match. */
export const OFP14_FLOW_MONITOR_REQUEST = {
  MONITOR_ID: [0, 4],
  OUT_PORT: [4, 8],
  OUT_GROUP: [8, 12],
  FLAGS: [12, 14],
  TABLE_ID: [14, 15],
  COMMAND: [15, 16],
  MATCH: [16, 24],
} as const satisfies Layout;

/** struct ofp_flow_update_full (§7.3.5.19.2), 32 bytes with an empty match; the
 * instructions follow the match. */
export const OFP14_FLOW_UPDATE_FULL = {
  LENGTH: [0, 2],
  EVENT: [2, 4],
  TABLE_ID: [4, 5],
  REASON: [5, 6],
  IDLE_TIMEOUT: [6, 8],
  HARD_TIMEOUT: [8, 10],
  PRIORITY: [10, 12],
  ZEROS: [12, 16],
  COOKIE: [16, 24],
  MATCH: [24, 32],
} as const satisfies Layout;

/** struct ofp_flow_update_abbrev (§7.3.5.19.2), 8 bytes (paused/resumed: xid is zeros). */
export const OFP14_FLOW_UPDATE_ABBREV = {
  LENGTH: [0, 2],
  EVENT: [2, 4],
  XID: [4, 8],
} as const satisfies Layout;
