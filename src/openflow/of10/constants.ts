/**
 * OpenFlow 1.0 wire constants (OpenFlow Switch Specification 1.0.0, openflow.h): message
 * types, stats types, wildcard bits, action types, port numbers, port/feature bits and
 * the 1.0 error type/code numbers. This file is the one home of the 1.0 numbers; the 1.3
 * ones live in ../constants.ts and src/pipeline/types.ts / errors.ts. The two sets differ
 * (OFPT_PORT_MOD is 15 in 1.0 and 16 in 1.3, OFPT_BARRIER_REQUEST 18 vs 20, ports are 16
 * bits, ...), so nothing here may be used on a 1.3 connection and vice versa.
 */

export const OFP10_VERSION = 0x01;

// enum ofp_type (1.0.0 §5.1)
export const OFPT10_HELLO = 0;
export const OFPT10_ERROR = 1;
export const OFPT10_ECHO_REQUEST = 2;
export const OFPT10_ECHO_REPLY = 3;
export const OFPT10_VENDOR = 4;
export const OFPT10_FEATURES_REQUEST = 5;
export const OFPT10_FEATURES_REPLY = 6;
export const OFPT10_GET_CONFIG_REQUEST = 7;
export const OFPT10_GET_CONFIG_REPLY = 8;
export const OFPT10_SET_CONFIG = 9;
export const OFPT10_PACKET_IN = 10;
export const OFPT10_FLOW_REMOVED = 11;
export const OFPT10_PORT_STATUS = 12;
export const OFPT10_PACKET_OUT = 13;
export const OFPT10_FLOW_MOD = 14;
export const OFPT10_PORT_MOD = 15;
export const OFPT10_STATS_REQUEST = 16;
export const OFPT10_STATS_REPLY = 17;
export const OFPT10_BARRIER_REQUEST = 18;
export const OFPT10_BARRIER_REPLY = 19;
export const OFPT10_QUEUE_GET_CONFIG_REQUEST = 20;
export const OFPT10_QUEUE_GET_CONFIG_REPLY = 21;

// enum ofp_stats_types (§5.3.5)
export const OFPST10_DESC = 0;
export const OFPST10_FLOW = 1;
export const OFPST10_AGGREGATE = 2;
export const OFPST10_TABLE = 3;
export const OFPST10_PORT = 4;
export const OFPST10_QUEUE = 5;
/** Not in the 1.0 spec: Open vSwitch's OFPST_PORT_DESC for 1.0 (empty request, a list of
 * ofp_phy_port back), which `ovs-ofctl dump-ports-desc` sends without -O. */
export const OFPST10_PORT_DESC = 13;
export const OFPST10_VENDOR = 0xffff;

// Port numbers (§5.2.1, enum ofp_port): 16 bits
export const OFPP10_MAX = 0xff00;
export const OFPP10_ALL = 0xfffc;
export const OFPP10_NONE = 0xffff;

// enum ofp_flow_wildcards (§5.2.3)
export const OFPFW10_IN_PORT = 1 << 0;
export const OFPFW10_DL_VLAN = 1 << 1;
export const OFPFW10_DL_SRC = 1 << 2;
export const OFPFW10_DL_DST = 1 << 3;
export const OFPFW10_DL_TYPE = 1 << 4;
export const OFPFW10_NW_PROTO = 1 << 5;
export const OFPFW10_TP_SRC = 1 << 6;
export const OFPFW10_TP_DST = 1 << 7;
/** nw_src: a 6-bit count of wildcarded low bits at bit 8 (≥ 32 = all). */
export const OFPFW10_NW_SRC_SHIFT = 8;
export const OFPFW10_NW_DST_SHIFT = 14;
export const OFPFW10_NW_BITS_MASK = 0x3f;
export const OFPFW10_DL_VLAN_PCP = 1 << 20;
export const OFPFW10_NW_TOS = 1 << 21;
export const OFPFW10_ALL = (1 << 22) - 1;
/** dl_vlan value meaning "no 802.1Q header" (§5.2.3 OFP_VLAN_NONE). */
export const OFP10_VLAN_NONE = 0xffff;

// enum ofp_action_type (§5.2.4)
export const OFPAT10_OUTPUT = 0;
export const OFPAT10_SET_VLAN_VID = 1;
export const OFPAT10_SET_VLAN_PCP = 2;
export const OFPAT10_STRIP_VLAN = 3;
export const OFPAT10_SET_DL_SRC = 4;
export const OFPAT10_SET_DL_DST = 5;
export const OFPAT10_SET_NW_SRC = 6;
export const OFPAT10_SET_NW_DST = 7;
export const OFPAT10_SET_NW_TOS = 8;
export const OFPAT10_SET_TP_SRC = 9;
export const OFPAT10_SET_TP_DST = 10;
export const OFPAT10_ENQUEUE = 11;
export const OFPAT10_VENDOR = 0xffff;

// enum ofp_flow_mod_flags (§5.3.3): 1.0's third bit is EMERG, not RESET_COUNTS
export const OFPFF10_SEND_FLOW_REM = 1 << 0;
export const OFPFF10_CHECK_OVERLAP = 1 << 1;
export const OFPFF10_EMERG = 1 << 2;

// enum ofp_capabilities (§5.3.1)
const OFPC10_FLOW_STATS = 1 << 0;
const OFPC10_TABLE_STATS = 1 << 1;
const OFPC10_PORT_STATS = 1 << 2;
const OFPC10_IP_REASM = 1 << 5;
const OFPC10_QUEUE_STATS = 1 << 6;
export const OFPC10_ARP_MATCH_IP = 1 << 7;
/** The capability bits 1.0 and 1.3 share, at the same positions (1.3's bit 3 is
 * GROUP_STATS, 1.0's is STP; 1.0's ARP_MATCH_IP and 1.3's PORT_BLOCKED have no peer). */
export const OFPC10_SHARED_WITH_13 = OFPC10_FLOW_STATS | OFPC10_TABLE_STATS | OFPC10_PORT_STATS | OFPC10_IP_REASM | OFPC10_QUEUE_STATS;

// enum ofp_port_features (§5.2.1): 1.0 has no 40G/100G/1T bits, so COPPER.. move down
export const OFPPF10_10MB_HD = 1 << 0;
export const OFPPF10_10MB_FD = 1 << 1;
export const OFPPF10_100MB_HD = 1 << 2;
export const OFPPF10_100MB_FD = 1 << 3;
export const OFPPF10_1GB_HD = 1 << 4;
export const OFPPF10_1GB_FD = 1 << 5;
export const OFPPF10_10GB_FD = 1 << 6;
export const OFPPF10_COPPER = 1 << 7;
export const OFPPF10_FIBER = 1 << 8;
export const OFPPF10_AUTONEG = 1 << 9;
export const OFPPF10_PAUSE = 1 << 10;
export const OFPPF10_PAUSE_ASYM = 1 << 11;

// enum ofp_port_state (§5.2.1): only LINK_DOWN is shared with 1.3 (the rest is STP)
export const OFPPS10_LINK_DOWN = 1 << 0;

// enum ofp_error_type and codes (§5.4.4)
export const OFPET10_HELLO_FAILED = 0;
export const OFPET10_BAD_REQUEST = 1;
export const OFPET10_BAD_ACTION = 2;
export const OFPET10_FLOW_MOD_FAILED = 3;
export const OFPET10_PORT_MOD_FAILED = 4;
export const OFPET10_QUEUE_OP_FAILED = 5;

export const OFPBRC10_BAD_LEN = 6;
export const OFPBRC10_EPERM = 5;
export const OFPBAC10_BAD_ARGUMENT = 5;
export const OFPFMFC10_ALL_TABLES_FULL = 0;
export const OFPFMFC10_OVERLAP = 1;
export const OFPFMFC10_EPERM = 2;
export const OFPFMFC10_BAD_EMERG_TIMEOUT = 3;
export const OFPFMFC10_BAD_COMMAND = 4;
export const OFPFMFC10_UNSUPPORTED = 5;

// Fixed structure sizes (openflow.h OFP_ASSERTs)
export const OFP10_MATCH_LEN = 40;
export const OFP10_PHY_PORT_LEN = 48;
export const OFP10_FLOW_STATS_LEN = 88;
export const OFP10_TABLE_STATS_LEN = 64;
export const OFP10_PORT_STATS_LEN = 104;
export const OFP10_QUEUE_STATS_LEN = 32;
export const OFP10_AGGREGATE_REPLY_LEN = 24;
