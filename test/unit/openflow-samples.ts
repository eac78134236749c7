/**
 * One realistic value of every OpenFlow 1.3 message and multipart body the codec knows,
 * shared by the round-trip, fuzz and interop tests (so that "every message type" is one
 * list, kept in one place).
 */
import type { OFMessage, PortDesc } from '../../src/openflow/index.js';
import type { Action, Instruction, Match } from '../../src/pipeline/types.js';

const b = (...x: number[]) => new Uint8Array(x);

export const SAMPLE_MATCH: Match = [
  { field: 0, value: b(0, 0, 0, 1) }, // in_port=1
  { field: 5, value: b(0x08, 0x00) }, // eth_type=0x0800
  { field: 3, value: b(0, 0x11, 0x22, 0, 0, 0), mask: b(0xff, 0xff, 0xff, 0, 0, 0) },
  { field: 10, value: b(6) }, // ip_proto=6
  { field: 12, value: b(10, 0, 0, 0), mask: b(255, 0, 0, 0) }, // ipv4_dst=10.0.0.0/8
  { field: 14, value: b(0, 80) }, // tcp_dst=80
];

const SAMPLE_ACTIONS: Action[] = [
  { type: 'set_field', field: { field: 4, value: b(0x02, 0, 0, 0, 0, 0x01) } },
  { type: 'push_vlan', ethertype: 0x8100 },
  { type: 'set_field', field: { field: 6, value: b(0x10, 0x0a) } }, // vlan_vid=10|OFPVID_PRESENT
  { type: 'dec_nw_ttl' },
  { type: 'set_queue', queueId: 3 },
  { type: 'group', groupId: 7 },
  { type: 'output', port: 2, maxLen: 0 },
  { type: 'output', port: 0xfffffffd, maxLen: 128 },
];

export const ALL_ACTIONS: Action[] = [
  { type: 'output', port: 1, maxLen: 0 }, { type: 'copy_ttl_out' }, { type: 'copy_ttl_in' },
  { type: 'set_mpls_ttl', ttl: 9 }, { type: 'dec_mpls_ttl' }, { type: 'push_vlan', ethertype: 0x88a8 },
  { type: 'pop_vlan' }, { type: 'push_mpls', ethertype: 0x8847 }, { type: 'pop_mpls', ethertype: 0x0800 },
  { type: 'set_queue', queueId: 1 }, { type: 'group', groupId: 2 }, { type: 'set_nw_ttl', ttl: 64 },
  { type: 'dec_nw_ttl' }, { type: 'set_field', field: { field: 12, value: b(192, 168, 0, 1) } },
  { type: 'push_pbb', ethertype: 0x88e7 }, { type: 'pop_pbb' },
];

const SAMPLE_INSTRUCTIONS: Instruction[] = [
  { type: 'meter', meterId: 5 },
  { type: 'apply_actions', actions: SAMPLE_ACTIONS },
  { type: 'clear_actions' },
  { type: 'write_actions', actions: [{ type: 'output', port: 3, maxLen: 0 }] },
  { type: 'write_metadata', metadata: 0x1234n, mask: 0xffffn },
  { type: 'goto_table', tableId: 4 },
];

const SAMPLE_PORT: PortDesc = {
  portNo: 1, hwAddr: b(0x02, 0, 0, 0, 0, 0x01), name: 'veth0', config: 0, state: 4,
  curr: 0x840, advertised: 0, supported: 0, peer: 0, currSpeed: 10_000_000, maxSpeed: 0,
};

const FRAME = new Uint8Array(60).map((_, i) => i);

export function sampleMessages(): OFMessage[] {
  const flowReq = { tableId: 0xff, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: SAMPLE_MATCH.slice(0, 2) };
  return [
    { type: 'hello', xid: 1, versions: [1, 4] },
    { type: 'error', xid: 2, errType: 1, code: 6, data: b(4, 20, 0, 8, 0, 0, 0, 9) }, // data: a barrier request
    { type: 'error_experimenter', xid: 3, expType: 5, experimenter: 0x2320, data: b(4, 20, 0, 8, 0, 0, 0, 9) },
    { type: 'echo_request', xid: 4, data: b(1, 2, 3, 4) },
    { type: 'echo_reply', xid: 5, data: b(1, 2, 3, 4) },
    { type: 'experimenter', xid: 6, experimenter: 0x00002320, expType: 99, data: b(0, 0, 0, 0, 0, 0, 0, 1) },
    { type: 'features_request', xid: 7 },
    { type: 'features_reply', xid: 8, datapathId: 0x0000_0011_2233_4455n, nBuffers: 256, nTables: 254, auxiliaryId: 0, capabilities: 0x4f },
    { type: 'get_config_request', xid: 9 },
    { type: 'get_config_reply', xid: 10, flags: 0, missSendLen: 128 },
    { type: 'set_config', xid: 11, flags: 0, missSendLen: 0xffe5 },
    { type: 'packet_in', xid: 12, bufferId: 0xffffffff, totalLen: 60, reason: 1, tableId: 3, cookie: 0xabcn, match: [{ field: 0, value: b(0, 0, 0, 7) }], data: FRAME },
    { type: 'flow_removed', xid: 13, cookie: 0x55n, priority: 100, reason: 0, tableId: 1, durationSec: 10, durationNsec: 5000, idleTimeout: 10, hardTimeout: 0, packetCount: 42n, byteCount: 4200n, match: SAMPLE_MATCH },
    { type: 'port_status', xid: 14, reason: 2, port: SAMPLE_PORT },
    { type: 'packet_out', xid: 15, bufferId: 0xffffffff, inPort: 0xfffffffd, actions: [{ type: 'output', port: 0xfffffffb, maxLen: 0 }], data: FRAME },
    {
      type: 'flow_mod', xid: 16, cookie: 0x1234n, cookieMask: 0n, tableId: 0, command: 0, idleTimeout: 30, hardTimeout: 300,
      priority: 1000, bufferId: 0xffffffff, outPort: 0xffffffff, outGroup: 0xffffffff, flags: 1, match: SAMPLE_MATCH, instructions: SAMPLE_INSTRUCTIONS,
    },
    {
      type: 'group_mod', xid: 17, command: 0, groupType: 1, groupId: 7, buckets: [
        { weight: 50, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 1, maxLen: 0 }] },
        { weight: 50, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'set_field', field: { field: 3, value: b(2, 0, 0, 0, 0, 2) } }, { type: 'output', port: 2, maxLen: 0 }] },
      ],
    },
    { type: 'port_mod', xid: 18, portNo: 1, hwAddr: b(0x02, 0, 0, 0, 0, 1), config: 1, mask: 1, advertise: 0 },
    { type: 'table_mod', xid: 19, tableId: 1, config: 3 },
    { type: 'multipart_request', xid: 20, flags: 0, body: { kind: 'desc' } },
    { type: 'multipart_request', xid: 21, flags: 0, body: { kind: 'flow', ...flowReq } },
    { type: 'multipart_request', xid: 22, flags: 0, body: { kind: 'aggregate', ...flowReq, tableId: 2, cookie: 5n, cookieMask: 0xffn } },
    { type: 'multipart_request', xid: 23, flags: 0, body: { kind: 'table' } },
    { type: 'multipart_request', xid: 24, flags: 0, body: { kind: 'port_stats', portNo: 0xffffffff } },
    { type: 'multipart_request', xid: 25, flags: 0, body: { kind: 'queue', portNo: 1, queueId: 0xffffffff } },
    { type: 'multipart_request', xid: 26, flags: 0, body: { kind: 'group', groupId: 0xfffffffc } },
    { type: 'multipart_request', xid: 27, flags: 0, body: { kind: 'group_desc' } },
    { type: 'multipart_request', xid: 28, flags: 0, body: { kind: 'group_features' } },
    { type: 'multipart_request', xid: 29, flags: 0, body: { kind: 'meter', meterId: 0xffffffff } },
    { type: 'multipart_request', xid: 30, flags: 0, body: { kind: 'meter_config', meterId: 1 } },
    { type: 'multipart_request', xid: 31, flags: 0, body: { kind: 'meter_features' } },
    { type: 'multipart_request', xid: 32, flags: 0, body: { kind: 'table_features', tables: [] } },
    { type: 'multipart_request', xid: 33, flags: 0, body: { kind: 'port_desc' } },
    { type: 'multipart_request', xid: 34, flags: 0, body: { kind: 'experimenter', experimenter: 0x2320, expType: 1, data: b(9, 9, 9, 9) } },
    ...sampleReplies(),
    { type: 'barrier_request', xid: 50 },
    { type: 'barrier_reply', xid: 51 },
    { type: 'queue_get_config_request', xid: 52, port: 1 },
    {
      type: 'queue_get_config_reply', xid: 53, port: 1, queues: [
        { queueId: 1, port: 1, properties: [{ kind: 'min_rate', rate: 100 }, { kind: 'max_rate', rate: 900 }] },
        { queueId: 2, port: 1, properties: [] },
      ],
    },
    { type: 'role_request', xid: 54, role: 2, generationId: 17n },
    { type: 'role_reply', xid: 55, role: 3, generationId: 18n },
    { type: 'get_async_request', xid: 56 },
    { type: 'get_async_reply', xid: 57, packetInMask: [3, 1], portStatusMask: [7, 7], flowRemovedMask: [15, 0] },
    { type: 'set_async', xid: 58, packetInMask: [1, 0], portStatusMask: [7, 0], flowRemovedMask: [3, 0] },
    { type: 'meter_mod', xid: 59, command: 0, flags: 1 | 4 | 8, meterId: 1, bands: [{ type: 'drop', rate: 1000, burstSize: 100 }, { type: 'dscp_remark', rate: 500, burstSize: 50, precLevel: 1 }] },
  ];
}

function sampleReplies(): OFMessage[] {
  const counters = { packetCount: 10n, byteCount: 1000n };
  return [
    { type: 'multipart_reply', xid: 35, flags: 0, body: { kind: 'desc', mfrDesc: 'Sluice project', hwDesc: 'userspace', swDesc: '0.1.0', serialNum: 'none', dpDesc: 'br0' } },
    {
      type: 'multipart_reply', xid: 36, flags: 0, body: {
        kind: 'flow', flows: [{
          tableId: 0, durationSec: 12, durationNsec: 34, priority: 1000, idleTimeout: 0, hardTimeout: 0, flags: 0,
          cookie: 0x1234n, ...counters, match: SAMPLE_MATCH, instructions: SAMPLE_INSTRUCTIONS.slice(1, 2),
        }],
      },
    },
    { type: 'multipart_reply', xid: 37, flags: 0, body: { kind: 'aggregate', ...counters, flowCount: 3 } },
    { type: 'multipart_reply', xid: 38, flags: 0, body: { kind: 'table', tables: [{ tableId: 0, activeCount: 3, lookupCount: 100n, matchedCount: 90n }] } },
    {
      type: 'multipart_reply', xid: 39, flags: 0, body: {
        kind: 'port_stats', ports: [{
          portNo: 1, rxPackets: 1n, txPackets: 2n, rxBytes: 3n, txBytes: 4n, rxDropped: 5n, txDropped: 6n,
          rxErrors: 7n, txErrors: 8n, rxFrameErr: 9n, rxOverErr: 10n, rxCrcErr: 11n, collisions: 12n, durationSec: 13, durationNsec: 14,
        }],
      },
    },
    { type: 'multipart_reply', xid: 40, flags: 0, body: { kind: 'queue', queues: [{ portNo: 1, queueId: 2, txBytes: 3n, txPackets: 4n, txErrors: 5n, durationSec: 6, durationNsec: 7 }] } },
    { type: 'multipart_reply', xid: 41, flags: 0, body: { kind: 'group', groups: [{ groupId: 7, refCount: 1, ...counters, durationSec: 1, durationNsec: 2, buckets: [counters, counters] }] } },
    { type: 'multipart_reply', xid: 42, flags: 0, body: { kind: 'group_desc', groups: [{ groupType: 0, groupId: 7, buckets: [{ weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 1, maxLen: 0 }] }] }] } },
    { type: 'multipart_reply', xid: 43, flags: 0, body: { kind: 'group_features', types: 0xf, capabilities: 0x5, maxGroups: [100, 100, 100, 100], actions: [0x1ffff, 0x1ffff, 0x1ffff, 0x1ffff] } },
    { type: 'multipart_reply', xid: 44, flags: 0, body: { kind: 'meter', meters: [{ meterId: 1, flowCount: 2, packetInCount: 3n, byteInCount: 4n, durationSec: 5, durationNsec: 6, bands: [{ packetBandCount: 7n, byteBandCount: 8n }] }] } },
    { type: 'multipart_reply', xid: 45, flags: 0, body: { kind: 'meter_config', meters: [{ flags: 1, meterId: 1, bands: [{ type: 'drop', rate: 1000, burstSize: 0 }] }] } },
    { type: 'multipart_reply', xid: 46, flags: 0, body: { kind: 'meter_features', maxMeter: 1024, bandTypes: 6, capabilities: 0xf, maxBands: 8, maxColor: 0 } },
    {
      type: 'multipart_reply', xid: 47, flags: 1, body: {
        kind: 'table_features', tables: [{
          tableId: 0, name: 'classifier', metadataMatch: 0xffffffffffffffffn, metadataWrite: 0xffffffffffffffffn, config: 0, maxEntries: 1_000_000,
          properties: [
            { kind: 'instructions', ids: [{ type: 1 }, { type: 2 }, { type: 3 }, { type: 4 }, { type: 5 }, { type: 6 }] },
            { kind: 'next_tables', tableIds: [1, 2, 3] },
            { kind: 'write_actions', ids: [{ type: 0 }, { type: 22 }] },
            { kind: 'apply_actions', ids: [{ type: 0 }, { type: 17 }, { type: 25 }] },
            { kind: 'match', oxmIds: [{ header: 0x80000004 }, { header: 0x80000a02 }, { header: 0x80001805 }] },
            { kind: 'wildcards', oxmIds: [{ header: 0x80000004 }] },
            { kind: 'write_setfield', oxmIds: [{ header: 0x80000606 }] },
            { kind: 'apply_setfield', oxmIds: [{ header: 0x80000606 }, { header: 0x80001804 }] },
            { kind: 'experimenter', experimenter: 0x2320, expType: 1, data: b(1, 2, 3, 4) },
          ],
        }],
      },
    },
    { type: 'multipart_reply', xid: 48, flags: 0, body: { kind: 'port_desc', ports: [SAMPLE_PORT, { ...SAMPLE_PORT, portNo: 2, name: 'veth1' }] } },
    { type: 'multipart_reply', xid: 49, flags: 0, body: { kind: 'experimenter', experimenter: 0x2320, expType: 2, data: b(1, 2, 3, 4) } },
  ];
}
