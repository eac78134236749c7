// OpenFlow 1.0 sample messages in the internal model, one or more per 1.0 message type,
// written so that a 1.0 encode → decode round trip gives them back exactly (fields 1.0
// does not carry are at the values the 1.0 decoder fills in: table 0, cookie mask 0, ...).
import type { OFMessage } from '../../src/openflow/index.js';
import { OFPG_ANY, OFPP_ANY, OFPP_CONTROLLER, OFP_NO_BUFFER, type Match } from '../../src/pipeline/types.js';

const b = (...x: number[]) => new Uint8Array(x);
const mac = (last: number) => b(0x02, 0, 0, 0, 0, last);

const SAMPLE_MATCH10: Match = [
  { field: 0, value: b(0, 0, 0, 1) },
  { field: 3, value: mac(2) },
  { field: 4, value: mac(1) },
  { field: 5, value: b(0x08, 0x00) },
  { field: 6, value: b(0x10, 0x0a) },
  { field: 7, value: b(3) },
  { field: 8, value: b(46) },
  { field: 10, value: b(6) },
  { field: 11, value: b(10, 0, 0, 0), mask: b(255, 0, 0, 0) },
  { field: 12, value: b(192, 168, 1, 7) },
  { field: 13, value: b(0x30, 0x39) },
  { field: 14, value: b(0, 80) },
];

const port = (n: number) => ({
  portNo: n, hwAddr: mac(n), name: `p${n}`, config: 1, state: 1, curr: (1 << 6) | (1 << 11), advertised: 0,
  supported: (1 << 6) | (1 << 11), peer: 0, currSpeed: 0, maxSpeed: 0,
});

export function sampleMessages10(): OFMessage[] {
  const out = [
    { type: 'hello', xid: 1, version: 1, versions: [] },
    { type: 'error', xid: 2, errType: 5, code: 3, data: b(1, 14, 0, 8) },
    { type: 'echo_request', xid: 3, data: b(1, 2, 3) },
    { type: 'echo_reply', xid: 4, data: b() },
    { type: 'experimenter', xid: 5, experimenter: 0x2320, expType: 0, data: b(0, 0, 0, 0x10) },
    { type: 'features_request', xid: 6 },
    {
      type: 'features_reply', xid: 7, datapathId: 0xa1n, nBuffers: 256, nTables: 1, auxiliaryId: 0,
      capabilities: 0x47, ports: [port(1), port(2)],
    },
    { type: 'get_config_request', xid: 8 },
    { type: 'get_config_reply', xid: 9, flags: 0, missSendLen: 128 },
    { type: 'set_config', xid: 10, flags: 0, missSendLen: 0xffff },
    {
      type: 'packet_in', xid: 0, bufferId: 0x101, totalLen: 60, reason: 1, tableId: 0, cookie: 0n,
      match: [{ field: 0, value: b(0, 0, 0, 2) }], data: b(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 8, 0),
    },
    {
      type: 'flow_removed', xid: 0, cookie: 0x1234n, priority: 100, reason: 2, tableId: 0, durationSec: 7,
      durationNsec: 5000, idleTimeout: 10, hardTimeout: 0, packetCount: 3n, byteCount: 180n, match: SAMPLE_MATCH10,
    },
    { type: 'port_status', xid: 0, reason: 2, port: port(3) },
    {
      type: 'packet_out', xid: 11, bufferId: OFP_NO_BUFFER, inPort: OFPP_CONTROLLER,
      actions: [{ type: 'output', port: 2, maxLen: 0 }], data: b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 8, 6),
    },
    {
      type: 'flow_mod', xid: 12, cookie: 0xabn, cookieMask: 0n, tableId: 0, command: 0, idleTimeout: 30,
      hardTimeout: 60, priority: 1000, bufferId: OFP_NO_BUFFER, outPort: OFPP_ANY, outGroup: OFPG_ANY, flags: 1,
      match: SAMPLE_MATCH10,
      instructions: [{
        type: 'apply_actions', actions: [
          { type: 'set_field', field: { field: 6, value: b(0x10, 0x14) } },
          { type: 'set_field', field: { field: 7, value: b(5) } },
          { type: 'set_field', field: { field: 4, value: mac(9) } },
          { type: 'set_field', field: { field: 3, value: mac(8) } },
          { type: 'set_field', field: { field: 11, value: b(10, 1, 1, 1) } },
          { type: 'set_field', field: { field: 12, value: b(10, 2, 2, 2) } },
          { type: 'set_field', field: { field: 8, value: b(10) } },
          { type: 'set_field', field: { field: 13, value: b(0x1f, 0x90) } },
          { type: 'set_field', field: { field: 14, value: b(0, 81) } },
          { type: 'pop_vlan' },
          { type: 'set_queue', queueId: 7 }, { type: 'output', port: 3, maxLen: 0 },
          { type: 'output', port: OFPP_CONTROLLER, maxLen: 128 },
        ],
      }],
    },
    {
      type: 'flow_mod', xid: 13, cookie: 0n, cookieMask: 0n, tableId: 0, command: 3, idleTimeout: 0, hardTimeout: 0,
      priority: 0, bufferId: OFP_NO_BUFFER, outPort: 2, outGroup: OFPG_ANY, flags: 0, match: [], instructions: [],
    },
    { type: 'port_mod', xid: 14, portNo: 1, hwAddr: mac(1), config: 1, mask: 1, advertise: 1 << 5 },
    { type: 'multipart_request', xid: 15, flags: 0, body: { kind: 'desc' } },
    {
      type: 'multipart_request', xid: 16, flags: 0,
      body: { kind: 'flow', tableId: 0, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] },
    },
    {
      type: 'multipart_request', xid: 17, flags: 0,
      body: { kind: 'aggregate', tableId: 0, outPort: 2, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: SAMPLE_MATCH10 },
    },
    { type: 'multipart_request', xid: 18, flags: 0, body: { kind: 'table' } },
    { type: 'multipart_request', xid: 19, flags: 0, body: { kind: 'port_stats', portNo: OFPP_ANY } },
    { type: 'multipart_request', xid: 20, flags: 0, body: { kind: 'queue', portNo: OFPP_ANY, queueId: 0xffffffff } },
    { type: 'multipart_request', xid: 24, flags: 0, body: { kind: 'port_desc' } },
    { type: 'multipart_reply', xid: 24, flags: 0, body: { kind: 'port_desc', ports: [port(1), port(4)] } },
    { type: 'multipart_request', xid: 21, flags: 0, body: { kind: 'experimenter', experimenter: 0x2320, expType: 0, data: b(1, 2, 3, 4) } },
    {
      type: 'multipart_reply', xid: 15, flags: 0,
      body: { kind: 'desc', mfrDesc: 'Sluice project', hwDesc: 'hw', swDesc: 'sw', serialNum: 'sn', dpDesc: 'br0' },
    },
    {
      type: 'multipart_reply', xid: 16, flags: 1,
      body: {
        kind: 'flow', flows: [{
          tableId: 0, durationSec: 1, durationNsec: 2, priority: 3, idleTimeout: 4, hardTimeout: 5, flags: 0, cookie: 6n,
          packetCount: 7n, byteCount: 8n, match: SAMPLE_MATCH10,
          instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: 2, maxLen: 0 }] }],
        }],
      },
    },
    { type: 'multipart_reply', xid: 17, flags: 0, body: { kind: 'aggregate', packetCount: 10n, byteCount: 600n, flowCount: 2 } },
    { type: 'multipart_reply', xid: 18, flags: 0, body: { kind: 'table', tables: [{ tableId: 0, activeCount: 2, lookupCount: 9n, matchedCount: 4n }] } },
    {
      type: 'multipart_reply', xid: 19, flags: 0,
      body: {
        kind: 'port_stats', ports: [{
          portNo: 1, rxPackets: 1n, txPackets: 2n, rxBytes: 3n, txBytes: 4n, rxDropped: 5n, txDropped: 6n, rxErrors: 7n,
          txErrors: 8n, rxFrameErr: 9n, rxOverErr: 10n, rxCrcErr: 11n, collisions: 12n, durationSec: 0, durationNsec: 0,
        }],
      },
    },
    {
      type: 'multipart_reply', xid: 20, flags: 0,
      body: { kind: 'queue', queues: [{ portNo: 1, queueId: 2, txBytes: 3n, txPackets: 4n, txErrors: 5n, durationSec: 0, durationNsec: 0 }] },
    },
    { type: 'barrier_request', xid: 22 },
    { type: 'barrier_reply', xid: 22 },
    { type: 'queue_get_config_request', xid: 23, port: 1 },
    { type: 'queue_get_config_reply', xid: 23, port: 1, queues: [] },
  ] satisfies OFMessage[];
  return out;
}
