/**
 * OpenFlow 1.4 wire constants (OF1.4.1 §7, openflow.h of 1.4): what 1.4 added or
 * renumbered next to 1.3 (../constants.ts). Every other number is 1.3's: 1.4 kept the
 * message types 0..29, the multipart types 0..13, the match, actions and instructions.
 * Its error types and codes live with the others in src/pipeline/errors.ts.
 */

export const OFP14_VERSION = 0x05;

// enum ofp_type: the types 1.4 added after OFPT_METER_MOD (29)
export const OFPT14_ROLE_STATUS = 30;
export const OFPT14_TABLE_STATUS = 31;
export const OFPT14_REQUESTFORWARD = 32;
export const OFPT14_BUNDLE_CONTROL = 33;
export const OFPT14_BUNDLE_ADD_MESSAGE = 34;
/** The last message type of 1.4. */
export const OFPT14_MAX = OFPT14_BUNDLE_ADD_MESSAGE;

// enum ofp_multipart_type: 1.4's additions
export const OFPMP14_TABLE_DESC = 14;
export const OFPMP14_QUEUE_DESC = 15;
export const OFPMP14_FLOW_MONITOR = 16;

// enum ofp_flow_monitor_command, ofp_flow_monitor_flags, ofp_flow_update_event (§7.3.5.19)
export const OFPFMC_ADD = 0;
export const OFPFMC_MODIFY = 1;
export const OFPFMC_DELETE = 2;
export const OFPFMF_INITIAL = 1 << 0;
export const OFPFMF_ADD = 1 << 1;
export const OFPFMF_REMOVED = 1 << 2;
export const OFPFMF_MODIFY = 1 << 3;
export const OFPFMF_INSTRUCTIONS = 1 << 4;
export const OFPFMF_NO_ABBREV = 1 << 5;
export const OFPFMF_ONLY_OWN = 1 << 6;
export const OFPFME_INITIAL = 0;
export const OFPFME_ADDED = 1;
export const OFPFME_REMOVED = 2;
export const OFPFME_MODIFIED = 3;
export const OFPFME_ABBREV = 4;
export const OFPFME_PAUSED = 5;
export const OFPFME_RESUMED = 6;

// enum ofp_table_config of 1.4 (§7.3.3): Sluice neither evicts nor reports vacancy
export const OFPTC14_EVICTION = 1 << 2;
export const OFPTC14_VACANCY_EVENTS = 1 << 3;

// enum ofp_port_desc_prop_type (§7.2.1.1)
export const OFPPDPT_ETHERNET = 0;
export const OFPPDPT_OPTICAL = 1;
export const OFPPDPT_EXPERIMENTER = 0xffff;

// enum ofp_port_stats_prop_type (§7.3.5.7)
export const OFPPSPT_ETHERNET = 0;
export const OFPPSPT_OPTICAL = 1;
export const OFPPSPT_EXPERIMENTER = 0xffff;

// enum ofp_port_mod_prop_type (§7.3.4.3)
export const OFPPMPT_ETHERNET = 0;
export const OFPPMPT_OPTICAL = 1;
export const OFPPMPT_EXPERIMENTER = 0xffff;

// enum ofp_queue_stats_prop_type (§7.3.5.8): none but experimenter
export const OFPQSPT_EXPERIMENTER = 0xffff;

// enum ofp_async_config_prop_type (§7.3.10): one property per (message, role) mask
export const OFPACPT_PACKET_IN_SLAVE = 0;
export const OFPACPT_PACKET_IN_MASTER = 1;
export const OFPACPT_PORT_STATUS_SLAVE = 2;
export const OFPACPT_PORT_STATUS_MASTER = 3;
export const OFPACPT_FLOW_REMOVED_SLAVE = 4;
export const OFPACPT_FLOW_REMOVED_MASTER = 5;
export const OFPACPT_ROLE_STATUS_SLAVE = 6;
export const OFPACPT_ROLE_STATUS_MASTER = 7;
export const OFPACPT_TABLE_STATUS_SLAVE = 8;
export const OFPACPT_TABLE_STATUS_MASTER = 9;
export const OFPACPT_REQUESTFORWARD_SLAVE = 10;
export const OFPACPT_REQUESTFORWARD_MASTER = 11;
export const OFPACPT_EXPERIMENTER_SLAVE = 0xfffe;
export const OFPACPT_EXPERIMENTER_MASTER = 0xffff;

// enum ofp_controller_role_reason (§7.4.4)
export const OFPCRR_MASTER_REQUEST = 0;
export const OFPCRR_CONFIG = 1;
export const OFPCRR_EXPERIMENTER = 2;

// enum ofp_bundle_ctrl_type (§7.3.9.1)
export const OFPBCT_OPEN_REQUEST = 0;
export const OFPBCT_OPEN_REPLY = 1;
export const OFPBCT_CLOSE_REQUEST = 2;
export const OFPBCT_CLOSE_REPLY = 3;
export const OFPBCT_COMMIT_REQUEST = 4;
export const OFPBCT_COMMIT_REPLY = 5;
export const OFPBCT_DISCARD_REQUEST = 6;
export const OFPBCT_DISCARD_REPLY = 7;

// enum ofp_bundle_flags (§7.3.9.1)
export const OFPBF_ATOMIC = 1 << 0;
export const OFPBF_ORDERED = 1 << 1;

// The 1.4 packet-in and flow-removed reasons Sluice gives are in the internal model
// (src/pipeline/types.ts OFPR_ACTION_SET, OFPR_GROUP, OFPR_PACKET_OUT, OFPRR_METER_DELETE).

// Sizes (OFP_ASSERT of openflow.h 1.4)
export const OFP14_PORT_LEN = 40;
export const OFP14_PORT_DESC_PROP_ETHERNET_LEN = 32;
export const OFP14_PORT_STATS_LEN = 80;
export const OFP14_PORT_STATS_PROP_ETHERNET_LEN = 40;
export const OFP14_QUEUE_STATS_LEN = 48;
export const OFP14_PORT_MOD_LEN = 32;
export const OFP14_PORT_MOD_PROP_ETHERNET_LEN = 8;
export const OFP14_ASYNC_CONFIG_PROP_REASONS_LEN = 8;
export const OFP14_ROLE_STATUS_LEN = 24;
export const OFP14_BUNDLE_CTRL_LEN = 16;
export const OFP14_BUNDLE_ADD_LEN = 16;
export const OFP14_FLOW_MONITOR_REQUEST_LEN = 24; // with the 8-byte empty match
export const OFP14_TABLE_MOD_LEN = 16;
export const OFP14_TABLE_DESC_LEN = 8;
export const OFP14_QUEUE_DESC_REQUEST_LEN = 8;
export const OFP14_QUEUE_DESC_LEN = 16;
export const OFP14_FLOW_UPDATE_FULL_LEN = 32; // with the 8-byte empty match
export const OFP14_FLOW_UPDATE_ABBREV_LEN = 8;
