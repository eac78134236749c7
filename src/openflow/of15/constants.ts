/**
 * OpenFlow 1.5 wire constants (OF1.5.1 §7, openflow.h of 1.5): what 1.5 added or
 * renumbered next to 1.4 (../of14/constants.ts) and 1.3 (../constants.ts). 1.5 kept the
 * message types 0..34 and added OFPT_CONTROLLER_STATUS; it renamed OFPMP_FLOW to
 * OFPMP_FLOW_DESC (same number) and OFPMP_METER_CONFIG to OFPMP_METER_DESC, and added
 * multipart types 17..19. The new match fields (tcp_flags, actset_output, packet_type)
 * live with the other OXM fields in src/packet/oxm.ts, the new actions (copy_field,
 * meter) in src/pipeline/types.ts, the new error codes in src/pipeline/errors.ts.
 */

export const OFP15_VERSION = 0x06;

// enum ofp_type: 1.5's addition (switch to controller only)
export const OFPT15_CONTROLLER_STATUS = 35;
/** The last message type of 1.5. */
export const OFPT15_MAX = OFPT15_CONTROLLER_STATUS;

// enum ofp_multipart_type: 1.5's additions
/** Flow statistics with OXS stats and a reason (struct ofp_flow_stats of 1.5). */
export const OFPMP15_FLOW_STATS = 17;
export const OFPMP15_CONTROLLER_STATUS = 18;
export const OFPMP15_BUNDLE_FEATURES = 19;
/** OFPMP_FLOW_DESC: 1.3's OFPMP_FLOW, renamed, its reply reshaped (ofp_flow_desc). */
export const OFPMP15_FLOW_DESC = 1;

// enum ofp_flow_stats_reason (§7.3.5.2)
export const OFPFSR_STATS_REQUEST = 0;

// enum ofp_oxs_class and the OXS basic stat fields (§7.2.4)
export const OFPXSC_OPENFLOW_BASIC = 0x8002;
export const OFPXST_OFB_DURATION = 0;
export const OFPXST_OFB_IDLE_TIME = 1;
export const OFPXST_OFB_FLOW_COUNT = 3;
export const OFPXST_OFB_PACKET_COUNT = 4;
export const OFPXST_OFB_BYTE_COUNT = 5;

// enum ofp_instruction_type: 1.5 deprecated the meter instruction (type 6)
export const OFPIT15_DEPRECATED = 6;

// 1.5's group commands (OFPGC_INSERT_BUCKET, OFPGC_REMOVE_BUCKET) and special bucket ids
// (OFPG_BUCKET_*) are the pipeline's: src/pipeline/types.ts.

// enum ofp_group_bucket_prop_type (§7.3.4.3.1)
export const OFPGBPT_WEIGHT = 0;
export const OFPGBPT_WATCH_PORT = 1;
export const OFPGBPT_WATCH_GROUP = 2;
export const OFPGBPT_EXPERIMENTER = 0xffff;

// enum ofp_meter_feature_flags (§7.3.5.13): where the meter action may stand
export const OFPMFF_ACTION_SET = 1 << 0;
export const OFPMFF_ANY_POSITION = 1 << 1;
export const OFPMFF_MULTI_LIST = 1 << 2;

// enum ofp_async_config_prop_type: 1.5's additions, accepted and ignored (Sluice sends
// neither flow-stats triggers nor controller-status)
export const OFPACPT15_FLOW_STATS_SLAVE = 12;
export const OFPACPT15_FLOW_STATS_MASTER = 13;
export const OFPACPT15_CONT_STATUS_SLAVE = 14;
export const OFPACPT15_CONT_STATUS_MASTER = 15;

// Sizes (OFP_ASSERT of openflow.h 1.5)
export const OFP15_PACKET_OUT_LEN = 24; // with the 8-byte empty match
export const OFP15_FLOW_REMOVED_LEN = 32; // with the 8-byte empty match, before the stats
export const OFP15_FLOW_DESC_LEN = 32; // with the 8-byte empty match
export const OFP15_FLOW_STATS_LEN = 16; // with the 8-byte empty match
export const OFP15_STATS_HEADER_LEN = 4; // struct ofp_stats: reserved(16) length(16), then OXS
export const OFP15_GROUP_MOD_LEN = 24;
export const OFP15_BUCKET_LEN = 8;
export const OFP15_GROUP_DESC_LEN = 16;
export const OFP15_METER_FEATURES_LEN = 24;
export const OFP15_GROUP_BUCKET_PROP_LEN = 8; // weight and watch properties
