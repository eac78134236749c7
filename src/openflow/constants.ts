/**
 * OpenFlow 1.3 wire constants (OF1.3.5 §7, openflow.h): message types, multipart types,
 * fixed structure sizes and the enums the codec and the agent need (capabilities, roles,
 * switch config flags). Constants the pipeline or the datapath also use (port numbers,
 * port config/state bits, port-status reasons, groups, meters, flow-mod commands,
 * action/instruction numbers) live in src/pipeline/types.ts, and the OXM fields in
 * src/packet/oxm.ts; they are not repeated here.
 *
 * Sizes are the spec's `OFP_ASSERT(sizeof(...) == N)` values; every decoder checks a
 * structure's size before reading it, so these numbers are the codec's bounds.
 */

export const OFP_VERSION = 0x04; // OF1.3
export const OFP_HEADER_LEN = 8;
/** Largest message: the header's length field is 16 bits. */
export const OFP_MAX_MSG_LEN = 0xffff;

// enum ofp_type (§7.1)
export const OFPT_HELLO = 0;
export const OFPT_ERROR = 1;
export const OFPT_ECHO_REQUEST = 2;
export const OFPT_ECHO_REPLY = 3;
export const OFPT_EXPERIMENTER = 4;
export const OFPT_FEATURES_REQUEST = 5;
export const OFPT_FEATURES_REPLY = 6;
export const OFPT_GET_CONFIG_REQUEST = 7;
export const OFPT_GET_CONFIG_REPLY = 8;
export const OFPT_SET_CONFIG = 9;
export const OFPT_PACKET_IN = 10;
export const OFPT_FLOW_REMOVED = 11;
export const OFPT_PORT_STATUS = 12;
export const OFPT_PACKET_OUT = 13;
export const OFPT_FLOW_MOD = 14;
export const OFPT_GROUP_MOD = 15;
export const OFPT_PORT_MOD = 16;
export const OFPT_TABLE_MOD = 17;
export const OFPT_MULTIPART_REQUEST = 18;
export const OFPT_MULTIPART_REPLY = 19;
export const OFPT_BARRIER_REQUEST = 20;
export const OFPT_BARRIER_REPLY = 21;
export const OFPT_QUEUE_GET_CONFIG_REQUEST = 22;
export const OFPT_QUEUE_GET_CONFIG_REPLY = 23;
export const OFPT_ROLE_REQUEST = 24;
export const OFPT_ROLE_REPLY = 25;
export const OFPT_GET_ASYNC_REQUEST = 26;
export const OFPT_GET_ASYNC_REPLY = 27;
export const OFPT_SET_ASYNC = 28;
export const OFPT_METER_MOD = 29;

// Hello elements (§7.5.1)
export const OFPHET_VERSIONBITMAP = 1;

// ofp_match (§7.2.3.1)
export const OFPMT_STANDARD = 0;
export const OFPMT_OXM = 1;

// enum ofp_multipart_type (§7.3.5)
export const OFPMP_DESC = 0;
export const OFPMP_FLOW = 1;
export const OFPMP_AGGREGATE = 2;
export const OFPMP_TABLE = 3;
export const OFPMP_PORT_STATS = 4;
export const OFPMP_QUEUE = 5;
export const OFPMP_GROUP = 6;
export const OFPMP_GROUP_DESC = 7;
export const OFPMP_GROUP_FEATURES = 8;
export const OFPMP_METER = 9;
export const OFPMP_METER_CONFIG = 10;
export const OFPMP_METER_FEATURES = 11;
export const OFPMP_TABLE_FEATURES = 12;
export const OFPMP_PORT_DESC = 13;
export const OFPMP_EXPERIMENTER = 0xffff;

export const OFPMPF_REQ_MORE = 1;
export const OFPMPF_REPLY_MORE = 1;

// enum ofp_table_feature_prop_type (§7.3.5.5.2)
export const OFPTFPT_INSTRUCTIONS = 0;
export const OFPTFPT_INSTRUCTIONS_MISS = 1;
export const OFPTFPT_NEXT_TABLES = 2;
export const OFPTFPT_NEXT_TABLES_MISS = 3;
export const OFPTFPT_WRITE_ACTIONS = 4;
export const OFPTFPT_WRITE_ACTIONS_MISS = 5;
export const OFPTFPT_APPLY_ACTIONS = 6;
export const OFPTFPT_APPLY_ACTIONS_MISS = 7;
export const OFPTFPT_MATCH = 8;
export const OFPTFPT_WILDCARDS = 10;
export const OFPTFPT_WRITE_SETFIELD = 12;
export const OFPTFPT_WRITE_SETFIELD_MISS = 13;
export const OFPTFPT_APPLY_SETFIELD = 14;
export const OFPTFPT_APPLY_SETFIELD_MISS = 15;
export const OFPTFPT_EXPERIMENTER = 0xfffe;
export const OFPTFPT_EXPERIMENTER_MISS = 0xffff;

// Queue properties (§7.3.6)
export const OFPQT_MIN_RATE = 1;
export const OFPQT_MAX_RATE = 2;
export const OFPQT_EXPERIMENTER = 0xffff;

// Controller roles (§7.3.9)
export const OFPCR_ROLE_NOCHANGE = 0;
export const OFPCR_ROLE_EQUAL = 1;
export const OFPCR_ROLE_MASTER = 2;
export const OFPCR_ROLE_SLAVE = 3;

// Capabilities of the datapath (§7.3.1, enum ofp_capabilities)
export const OFPC_FLOW_STATS = 1 << 0;
export const OFPC_TABLE_STATS = 1 << 1;
export const OFPC_PORT_STATS = 1 << 2;
export const OFPC_GROUP_STATS = 1 << 3;
export const OFPC_IP_REASM = 1 << 5;
export const OFPC_QUEUE_STATS = 1 << 6;
export const OFPC_PORT_BLOCKED = 1 << 8;

// Port features (§7.2.1, enum ofp_port_features)
export const OFPPF_10MB_HD = 1 << 0;
export const OFPPF_10MB_FD = 1 << 1;
export const OFPPF_100MB_HD = 1 << 2;
export const OFPPF_100MB_FD = 1 << 3;
export const OFPPF_1GB_HD = 1 << 4;
export const OFPPF_1GB_FD = 1 << 5;
export const OFPPF_10GB_FD = 1 << 6;
export const OFPPF_40GB_FD = 1 << 7;
export const OFPPF_100GB_FD = 1 << 8;
export const OFPPF_1TB_FD = 1 << 9;
export const OFPPF_OTHER = 1 << 10;
export const OFPPF_COPPER = 1 << 11;
export const OFPPF_FIBER = 1 << 12;
export const OFPPF_AUTONEG = 1 << 13;
export const OFPPF_PAUSE = 1 << 14;
export const OFPPF_PAUSE_ASYM = 1 << 15;

// Group capabilities (§7.3.5.10, enum ofp_group_capabilities)
export const OFPGFC_SELECT_WEIGHT = 1 << 0;
export const OFPGFC_SELECT_LIVENESS = 1 << 1;
export const OFPGFC_CHAINING = 1 << 2;
export const OFPGFC_CHAINING_CHECKS = 1 << 3;

// Switch config flags (§7.3.2)
export const OFPC_FRAG_NORMAL = 0;
export const OFPC_FRAG_DROP = 1;
export const OFPC_FRAG_REASM = 2;

// Fixed structure sizes (openflow.h OFP_ASSERTs)
export const OFP_PORT_LEN = 64;
export const OFP_MAX_PORT_NAME_LEN = 16;
export const OFP_MAX_TABLE_NAME_LEN = 32;
export const DESC_STR_LEN = 256;
export const SERIAL_NUM_LEN = 32;
export const OFP_BUCKET_LEN = 16;
export const OFP_METER_BAND_LEN = 16;
export const OFP_FLOW_STATS_LEN = 56; // incl. the 8-byte empty ofp_match
export const OFP_TABLE_FEATURES_LEN = 64;
export const OFP_PORT_STATS_LEN = 112;
export const OFP_QUEUE_STATS_LEN = 40;
export const OFP_GROUP_STATS_LEN = 40;
export const OFP_BUCKET_COUNTER_LEN = 16;
export const OFP_METER_STATS_LEN = 40;
export const OFP_METER_BAND_STATS_LEN = 16;
export const OFP_TABLE_STATS_LEN = 24;
export const OFP_DESC_LEN = 1056;

/** Rounds a length up to the next multiple of 8 (OF1.3.5 §7: structures are 64-bit aligned). */
export const pad8 = (n: number): number => (n + 7) & ~7;
