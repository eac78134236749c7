/**
 * What each message that test/interop/osken-encode.py builds with os-ken must decode to
 * (a subset match on the decoded value), shared by the fixture test and the live interop test.
 */
import { decodeMessage, type OFMessage } from '../../src/openflow/index.js';
import { describeOFError, isOFError } from '../../src/pipeline/errors.js';

const b = (...x: number[]) => new Uint8Array(x);
const ANY = 0xffffffff;

export function decodeHex(h: string): OFMessage {
  const r = decodeMessage(new Uint8Array(Buffer.from(h, 'hex')));
  if (isOFError(r)) throw new Error(describeOFError(r));
  return r;
}

/** What each os-ken message must decode to (subset match on the decoded value). */
export const OSKEN_EXPECTED: Record<string, object> = {
  hello: { type: 'hello', xid: 1, version: 4, versions: [] },
  echo_request: { type: 'echo_request', xid: 2, data: new TextEncoder().encode('ping') },
  barrier_request: { type: 'barrier_request', xid: 3 },
  features_request: { type: 'features_request', xid: 4 },
  set_config: { type: 'set_config', xid: 5, flags: 0, missSendLen: 256 },
  flow_mod_all: {
    type: 'flow_mod', xid: 6, cookie: 0x1122334455667788n, cookieMask: 0xffffn, tableId: 1, command: 2,
    idleTimeout: 10, hardTimeout: 20, priority: 300, bufferId: ANY, outPort: ANY, outGroup: ANY, flags: 3,
    match: [
      { field: 0, value: b(0, 0, 0, 1) }, { field: 1, value: b(0, 0, 0, 2) },
      { field: 2, value: b(0, 0, 0, 0, 0, 0, 0x12, 0x34), mask: b(0, 0, 0, 0, 0, 0, 0xff, 0xff) },
      { field: 3, value: b(0, 0x11, 0x22, 0x33, 0x44, 0x55) },
      { field: 4, value: b(2, 0, 0, 0, 0, 0), mask: b(0xff, 0xff, 0xff, 0, 0, 0) },
      { field: 5, value: b(8, 0) }, { field: 6, value: b(0x10, 0x0a) }, { field: 7, value: b(3) },
      { field: 8, value: b(46) }, { field: 9, value: b(1) }, { field: 10, value: b(6) },
      { field: 11, value: b(10, 0, 0, 0), mask: b(255, 0, 0, 0) }, { field: 12, value: b(192, 168, 1, 1) },
      { field: 13, value: b(0x04, 0xd2) }, { field: 14, value: b(0, 80) }, { field: 34, value: b(0, 0, 0, 16) },
      { field: 37, value: b(0x12, 0x34, 0x56), mask: b(0xff, 0xff, 0xff) },
      { field: 38, value: b(0, 0, 0, 0, 0, 0xab, 0xcd, 0xef) },
      { field: 39, value: b(0, 1), mask: b(1, 0xff) },
    ],
    instructions: [
      { type: 'meter', meterId: 5 },
      {
        type: 'apply_actions', actions: [
          { type: 'output', port: 2, maxLen: 0 }, { type: 'copy_ttl_out' }, { type: 'copy_ttl_in' },
          { type: 'set_mpls_ttl', ttl: 9 }, { type: 'dec_mpls_ttl' }, { type: 'push_vlan', ethertype: 0x8100 },
          { type: 'pop_vlan' }, { type: 'push_mpls', ethertype: 0x8847 }, { type: 'pop_mpls', ethertype: 0x0800 },
          { type: 'set_queue', queueId: 3 }, { type: 'group', groupId: 7 }, { type: 'set_nw_ttl', ttl: 64 },
          { type: 'dec_nw_ttl' }, { type: 'set_field', field: { field: 12, value: b(10, 1, 2, 3) } },
          { type: 'set_field', field: { field: 6, value: b(0x10, 0x05) } },
          { type: 'push_pbb', ethertype: 0x88e7 }, { type: 'pop_pbb' },
          { type: 'experimenter', experimenter: 0x2320, data: b(0, 1, 2, 3, 4, 5, 6, 7) },
          { type: 'output', port: 0xfffffffd, maxLen: 0xffff },
        ],
      },
      { type: 'clear_actions' },
      { type: 'write_actions', actions: [{ type: 'output', port: 3, maxLen: 0 }] },
      { type: 'write_metadata', metadata: 0xabcn, mask: 0xfffn },
      { type: 'goto_table', tableId: 4 },
    ],
  },
  flow_mod_ipv6: {
    type: 'flow_mod', xid: 7, priority: 5, command: 0,
    match: [
      { field: 5, value: b(0x86, 0xdd) }, { field: 10, value: b(58) },
      { field: 26, value: b(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) },
      { field: 27, value: b(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), mask: b(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
      { field: 28, value: b(0, 1, 0x23, 0x45) }, { field: 29, value: b(135) }, { field: 30, value: b(0) },
      { field: 31, value: b(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) },
      { field: 32, value: b(0, 0, 0, 0, 0, 1) },
    ],
    instructions: [],
  },
  flow_mod_arp_delete: {
    type: 'flow_mod', xid: 8, command: 3, tableId: 0xff, outPort: 3, outGroup: ANY,
    match: [
      { field: 5, value: b(8, 6) }, { field: 21, value: b(0, 1) }, { field: 22, value: b(10, 0, 0, 1) },
      { field: 23, value: b(10, 0, 0, 2) }, { field: 24, value: b(0, 0, 0, 0, 0, 1) }, { field: 25, value: b(0, 0, 0, 0, 0, 2) },
    ],
  },
  group_mod: {
    type: 'group_mod', xid: 9, command: 0, groupType: 3, groupId: 9, buckets: [
      { weight: 0, watchPort: 1, watchGroup: ANY, actions: [{ type: 'output', port: 1, maxLen: 0 }] },
      { weight: 0, watchPort: 2, watchGroup: ANY, actions: [{ type: 'set_field', field: { field: 3, value: b(0, 0, 0, 0, 0, 9) } }, { type: 'output', port: 2, maxLen: 0 }] },
    ],
  },
  meter_mod: {
    type: 'meter_mod', xid: 10, command: 0, flags: 5, meterId: 3,
    bands: [{ type: 'drop', rate: 1000, burstSize: 10 }, { type: 'dscp_remark', rate: 500, burstSize: 5, precLevel: 2 }],
  },
  packet_out: {
    type: 'packet_out', xid: 11, bufferId: ANY, inPort: 0xfffffffd,
    actions: [{ type: 'output', port: 0xfffffffb, maxLen: 0 }], data: new Uint8Array(60).map((_, i) => i),
  },
  port_mod: { type: 'port_mod', xid: 12, portNo: 1, hwAddr: b(2, 0, 0, 0, 0, 1), config: 0x20, mask: 0x20, advertise: 0 },
  table_mod: { type: 'table_mod', xid: 13, tableId: 2, config: 0 },
  role_request: { type: 'role_request', xid: 14, role: 2, generationId: 0x0102030405060708n },
  set_async: { type: 'set_async', xid: 15, packetInMask: [3, 1], portStatusMask: [7, 0], flowRemovedMask: [15, 2] },
  get_async_request: { type: 'get_async_request', xid: 16 },
  queue_get_config_request: { type: 'queue_get_config_request', xid: 17, port: 1 },
  mp_desc: { type: 'multipart_request', xid: 20, flags: 0, body: { kind: 'desc' } },
  mp_flow: {
    type: 'multipart_request', xid: 21, body: {
      kind: 'flow', tableId: 1, outPort: ANY, outGroup: ANY, cookie: 0x10n, cookieMask: 0xffn,
      match: [{ field: 0, value: b(0, 0, 0, 1) }, { field: 5, value: b(8, 0) }],
    },
  },
  mp_aggregate: { type: 'multipart_request', xid: 22, body: { kind: 'aggregate', tableId: 0xff, outPort: 2, outGroup: ANY, match: [] } },
  mp_table: { type: 'multipart_request', xid: 23, body: { kind: 'table' } },
  mp_port_stats: { type: 'multipart_request', xid: 24, body: { kind: 'port_stats', portNo: ANY } },
  mp_queue: { type: 'multipart_request', xid: 25, body: { kind: 'queue', portNo: 1, queueId: ANY } },
  mp_group: { type: 'multipart_request', xid: 26, body: { kind: 'group', groupId: 0xfffffffc } },
  mp_group_desc: { type: 'multipart_request', xid: 27, body: { kind: 'group_desc' } },
  mp_group_features: { type: 'multipart_request', xid: 28, body: { kind: 'group_features' } },
  mp_meter: { type: 'multipart_request', xid: 29, body: { kind: 'meter', meterId: ANY } },
  mp_meter_config: { type: 'multipart_request', xid: 30, body: { kind: 'meter_config', meterId: 3 } },
  mp_meter_features: { type: 'multipart_request', xid: 31, body: { kind: 'meter_features' } },
  mp_table_features: {
    type: 'multipart_request', xid: 32, body: {
      kind: 'table_features', tables: [{
        tableId: 0, name: 't0', metadataMatch: 0xffn, metadataWrite: 0xfn, config: 0, maxEntries: 100,
        properties: [
          { kind: 'instructions', ids: [{ type: 1 }, { type: 4 }] },
          { kind: 'next_tables', tableIds: [1, 2] },
          { kind: 'apply_actions', ids: [{ type: 0 }, { type: 18 }] },
          // os-ken writes OXM ids with a zero length byte; the header is kept as given
          { kind: 'match', oxmIds: [{ header: 0x80000000 }, { header: 0x80000700 }] },
        ],
      }],
    },
  },
  mp_port_desc: { type: 'multipart_request', xid: 33, body: { kind: 'port_desc' } },
  mp_experimenter: { type: 'multipart_request', xid: 34, body: { kind: 'experimenter', experimenter: 0x2320, expType: 7, data: new TextEncoder().encode('abcd') } },
};

