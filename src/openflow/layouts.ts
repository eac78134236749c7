/**
 * Fixed-layout OpenFlow 1.3 structures, each named once as a table of Fields (wire.ts),
 * as smoltcp's `mod field { pub const SRC_PORT: Field = 0..2; ... }`: the decoder reads
 * and the encoder writes through the same table, so the two cannot disagree on an offset.
 *
 * Invariants
 *  - Offsets are the spec's (OF1.3.5 openflow.h): from the structure's first byte, the
 *    ofp_header included for a message. Pads are fields too (PAD*), so the fields of a
 *    table tile [0, length) with no gap and no overlap, the length being the spec's
 *    OFP_ASSERT(sizeof ...) (test/unit/openflow-layouts.test.ts checks both).
 *  - A variable part (a match, a list) is the last field, at its fixed minimum size
 *    (MATCH is the 8-byte empty ofp_match); it is read and written by its own codec.
 */
import type { Field } from './wire.js';

/** A structure's layout: field name → Field. */
export type Layout = Readonly<Record<string, Field>>;

/** struct ofp_flow_mod (§7.3.4.1), 56 bytes with an empty match. */
export const OFP_FLOW_MOD = {
  HEADER: [0, 8],
  COOKIE: [8, 16],
  COOKIE_MASK: [16, 24],
  TABLE_ID: [24, 25],
  COMMAND: [25, 26],
  IDLE_TIMEOUT: [26, 28],
  HARD_TIMEOUT: [28, 30],
  PRIORITY: [30, 32],
  BUFFER_ID: [32, 36],
  OUT_PORT: [36, 40],
  OUT_GROUP: [40, 44],
  FLAGS: [44, 46],
  /** pad in 1.3; the flow's importance in 1.4 and 1.5 (§7.3.4.1 of 1.4.1) */
  IMPORTANCE: [46, 48],
  MATCH: [48, 56],
} as const satisfies Layout;

/** struct ofp_group_mod (§7.3.4.2), 16 bytes before its buckets. */
export const OFP_GROUP_MOD = {
  HEADER: [0, 8],
  COMMAND: [8, 10],
  TYPE: [10, 11],
  PAD: [11, 12],
  GROUP_ID: [12, 16],
} as const satisfies Layout;

/** struct ofp_port_mod (§7.3.4.3), 40 bytes. */
export const OFP_PORT_MOD = {
  HEADER: [0, 8],
  PORT_NO: [8, 12],
  PAD: [12, 16],
  HW_ADDR: [16, 22],
  PAD2: [22, 24],
  CONFIG: [24, 28],
  MASK: [28, 32],
  ADVERTISE: [32, 36],
  PAD3: [36, 40],
} as const satisfies Layout;

/** struct ofp_meter_mod (§7.3.4.4), 16 bytes before its bands. */
export const OFP_METER_MOD = {
  HEADER: [0, 8],
  COMMAND: [8, 10],
  FLAGS: [10, 12],
  METER_ID: [12, 16],
} as const satisfies Layout;

/** struct ofp_packet_in (§7.4.1), 32 bytes with an empty match (2 pad bytes and the
 * frame follow the match, wherever it ends). */
export const OFP_PACKET_IN = {
  HEADER: [0, 8],
  BUFFER_ID: [8, 12],
  TOTAL_LEN: [12, 14],
  REASON: [14, 15],
  TABLE_ID: [15, 16],
  COOKIE: [16, 24],
  MATCH: [24, 32],
} as const satisfies Layout;

/** struct ofp_flow_removed (§7.4.2), 56 bytes with an empty match. */
export const OFP_FLOW_REMOVED = {
  HEADER: [0, 8],
  COOKIE: [8, 16],
  PRIORITY: [16, 18],
  REASON: [18, 19],
  TABLE_ID: [19, 20],
  DURATION_SEC: [20, 24],
  DURATION_NSEC: [24, 28],
  IDLE_TIMEOUT: [28, 30],
  HARD_TIMEOUT: [30, 32],
  PACKET_COUNT: [32, 40],
  BYTE_COUNT: [40, 48],
  MATCH: [48, 56],
} as const satisfies Layout;

/** struct ofp_port (§7.2.1), 64 bytes. */
export const OFP_PORT = {
  PORT_NO: [0, 4],
  PAD: [4, 8],
  HW_ADDR: [8, 14],
  PAD2: [14, 16],
  NAME: [16, 32],
  CONFIG: [32, 36],
  STATE: [36, 40],
  CURR: [40, 44],
  ADVERTISED: [44, 48],
  SUPPORTED: [48, 52],
  PEER: [52, 56],
  CURR_SPEED: [56, 60],
  MAX_SPEED: [60, 64],
} as const satisfies Layout;

/** struct ofp_bucket (§7.3.4.2), 16 bytes before its actions. */
export const OFP_BUCKET = {
  LEN: [0, 2],
  WEIGHT: [2, 4],
  WATCH_PORT: [4, 8],
  WATCH_GROUP: [8, 12],
  PAD: [12, 16],
} as const satisfies Layout;

/** struct ofp_meter_band_* (§7.3.4.4): the 12-byte header, then 4 type-specific bytes
 * (dscp_remark: prec_level and 3 pad bytes; experimenter: its id; drop: 4 pad bytes). */
export const OFP_METER_BAND = {
  TYPE: [0, 2],
  LEN: [2, 4],
  RATE: [4, 8],
  BURST_SIZE: [8, 12],
  /** dscp_remark's prec_level (then 3 pad bytes); experimenter's id is the whole TAIL */
  PREC_LEVEL: [12, 13],
  PAD: [13, 16],
} as const satisfies Layout;

/** The 4 type-specific bytes of a meter band (drop: pad; experimenter: experimenter id). */
export const OFP_METER_BAND_TAIL: Field = [12, 16];

/** struct ofp_flow_stats_request (§7.3.5.2), the body of a flow / aggregate multipart
 * request, 40 bytes with an empty match. */
export const OFP_FLOW_STATS_REQUEST = {
  TABLE_ID: [0, 1],
  PAD: [1, 4],
  OUT_PORT: [4, 8],
  OUT_GROUP: [8, 12],
  PAD2: [12, 16],
  COOKIE: [16, 24],
  COOKIE_MASK: [24, 32],
  MATCH: [32, 40],
} as const satisfies Layout;

/** struct ofp_flow_stats (§7.3.5.2), 56 bytes with an empty match, then instructions. */
export const OFP_FLOW_STATS = {
  LENGTH: [0, 2],
  TABLE_ID: [2, 3],
  PAD: [3, 4],
  DURATION_SEC: [4, 8],
  DURATION_NSEC: [8, 12],
  PRIORITY: [12, 14],
  IDLE_TIMEOUT: [14, 16],
  HARD_TIMEOUT: [16, 18],
  FLAGS: [18, 20],
  /** pad in 1.3; the flow's importance in 1.4 (ofp_flow_stats of 1.4.1) */
  IMPORTANCE: [20, 22],
  PAD2: [22, 24],
  COOKIE: [24, 32],
  PACKET_COUNT: [32, 40],
  BYTE_COUNT: [40, 48],
  MATCH: [48, 56],
} as const satisfies Layout;

/** struct ofp_port_stats (§7.3.5.6), 112 bytes. */
export const OFP_PORT_STATS = {
  PORT_NO: [0, 4],
  PAD: [4, 8],
  RX_PACKETS: [8, 16],
  TX_PACKETS: [16, 24],
  RX_BYTES: [24, 32],
  TX_BYTES: [32, 40],
  RX_DROPPED: [40, 48],
  TX_DROPPED: [48, 56],
  RX_ERRORS: [56, 64],
  TX_ERRORS: [64, 72],
  RX_FRAME_ERR: [72, 80],
  RX_OVER_ERR: [80, 88],
  RX_CRC_ERR: [88, 96],
  COLLISIONS: [96, 104],
  DURATION_SEC: [104, 108],
  DURATION_NSEC: [108, 112],
} as const satisfies Layout;

/** Length of a layout: the end of its last field. */
export function layoutLength(l: Layout): number {
  let end = 0;
  for (const f of Object.values(l)) end = Math.max(end, f[1]);
  return end;
}
