// OpenFlow 1.5 sample messages: one of each form 1.5 changed or added, and the 1.4
// samples (1.5 kept their form) as the 1.5 codec decodes them. Shared by the codec test,
// the ofp-print interop test and the openflow15 fuzz target's seeds.
import type { OFMessage } from '../../src/openflow/index.js';
import { OFP15_VERSION } from '../../src/openflow/of15/constants.js';
import { encodeMessage15, tableFeatures15 } from '../../src/openflow/of15/encode.js';
import { OFPXMT_OFB_ACTSET_OUTPUT, OFPXMT_OFB_ETH_SRC, OFPXMT_OFB_ETH_DST, OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IP_PROTO, OFPXMT_OFB_PACKET_TYPE, OFPXMT_OFB_TCP_FLAGS } from '../../src/packet/oxm.js';
import { flowMod } from '../../src/pipeline/types.js';
import { samples14 } from './openflow14-samples.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** tcp,tcp_flags=+syn+ack (the SYN-ACK match of the tests), actset_output=2, packet_type=(0,0). */
export const MATCH15 = [
  { field: OFPXMT_OFB_ETH_TYPE, value: hex('0800') }, { field: OFPXMT_OFB_IP_PROTO, value: hex('06') },
  { field: OFPXMT_OFB_TCP_FLAGS, value: hex('0012'), mask: hex('0012') },
];

/** The 1.5 messages and the 1.4 samples (1.5 kept their form), as the 1.5 codec decodes them. */
export function samples15(): OFMessage[] {
  const inner: OFMessage = { type: 'flow_mod', xid: 97, ...flowMod({ priority: 9, match: [] }) };
  const own: OFMessage[] = [
    { type: 'flow_mod', xid: 80, ...flowMod({ priority: 5, importance: 3, match: MATCH15, instructions: [{ type: 'apply_actions', actions: [{ type: 'meter', meterId: 1 }, { type: 'output', port: 2, maxLen: 0 }] }] }) },
    {
      type: 'flow_mod', xid: 81, ...flowMod({
        priority: 6, match: [{ field: OFPXMT_OFB_ACTSET_OUTPUT, value: hex('00000002') }, { field: OFPXMT_OFB_PACKET_TYPE, value: hex('00000000') }],
        instructions: [{ type: 'apply_actions', actions: [{ type: 'copy_field', nBits: 48, srcOffset: 0, dstOffset: 0, src: OFPXMT_OFB_ETH_SRC, dst: OFPXMT_OFB_ETH_DST }] }],
      }),
    },
    { type: 'packet_out', xid: 82, bufferId: 0xffffffff, inPort: 3, actions: [{ type: 'output', port: 2, maxLen: 0 }], data: hex('ffffffffffff0a0b0c0d0e0f0806') },
    { type: 'packet_out', xid: 83, bufferId: 0xffffffff, inPort: 0xfffffffd, metadata: 0x1234n, actions: [{ type: 'output', port: 0xfffffff9, maxLen: 0 }], data: hex('0a0b0c0d0e0fffffffffffff0800') },
    {
      type: 'flow_removed', xid: 84, cookie: 0x77n, priority: 4, reason: 2, tableId: 1, durationSec: 5, durationNsec: 6,
      idleTimeout: 10, hardTimeout: 20, packetCount: 7n, byteCount: 8n, match: [{ field: 0, value: hex('00000003') }],
    },
    {
      type: 'group_mod', xid: 85, command: 0, groupType: 1, groupId: 5, commandBucketId: 0xffffffff, buckets: [
        { bucketId: 0, weight: 10, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 1, maxLen: 0 }] },
        { bucketId: 7, weight: 20, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 2, maxLen: 0 }] },
      ],
    },
    {
      type: 'group_mod', xid: 86, command: 0, groupType: 3, groupId: 6, commandBucketId: 0xffffffff, buckets: [
        { bucketId: 1, weight: 0, watchPort: 1, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 1, maxLen: 0 }] },
      ],
    },
    { type: 'multipart_request', xid: 87, flags: 0, body: { kind: 'flow', form: 'flow_stats', tableId: 0xff, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: [] } },
    {
      type: 'multipart_reply', xid: 88, flags: 0, body: {
        kind: 'flow', flows: [{
          tableId: 0, durationSec: 3, durationNsec: 4, priority: 5, idleTimeout: 6, hardTimeout: 7, flags: 1, cookie: 0x55n,
          packetCount: 8n, byteCount: 9n, match: MATCH15, instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: 2, maxLen: 0 }] }], idleSec: 2, importance: 4,
        }],
      },
    },
    {
      type: 'multipart_reply', xid: 89, flags: 0, body: {
        kind: 'flow', form: 'flow_stats', flows: [{
          tableId: 1, durationSec: 3, durationNsec: 4, priority: 5, idleTimeout: 0, hardTimeout: 0, flags: 0, cookie: 0n,
          packetCount: 8n, byteCount: 9n, match: [], instructions: [],
        }],
      },
    },
    { type: 'multipart_reply', xid: 90, flags: 0, body: { kind: 'aggregate', packetCount: 11n, byteCount: 12n, flowCount: 3 } },
    {
      type: 'multipart_reply', xid: 91, flags: 0, body: {
        kind: 'group_desc', groups: [{ groupType: 0, groupId: 2, buckets: [{ bucketId: 3, weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 1, maxLen: 0 }] }] }],
      },
    },
    { type: 'multipart_reply', xid: 92, flags: 0, body: { kind: 'meter_features', maxMeter: 0xffff0000, bandTypes: 6, capabilities: 15, maxBands: 16, maxColor: 0 } },
    { type: 'bundle_add_message', xid: 97, bundleId: 9, flags: 1, message: inner, raw: encodeMessage15(inner)! },
  ];
  // 1.4's bundle-add sample carries a 1.4 inner message: 1.5's is above
  const from14 = samples14().filter((m) => m.type !== 'bundle_add_message'
    && !(m.type === 'packet_out' || m.type === 'flow_removed' || m.type === 'group_mod')
    && !(m.type === 'multipart_reply' && (m.body.kind === 'flow' || m.body.kind === 'aggregate' || m.body.kind === 'group_desc' || m.body.kind === 'meter_features'))
    && !(m.type === 'flow_mod' && m.instructions.some((i) => i.type === 'meter')))
    .map((m): OFMessage => {
      if (m.type === 'hello') return { ...m, version: OFP15_VERSION };
      // 1.5's group desc and port desc requests name a group / port (all: OFPG_ALL / OFPP_ANY)
      if (m.type === 'multipart_request' && m.body.kind === 'group_desc') return { ...m, body: { kind: 'group_desc', groupId: 0xfffffffc } };
      if (m.type === 'multipart_request' && m.body.kind === 'port_desc') return { ...m, body: { kind: 'port_desc', portNo: 0xffffffff } };
      // 1.5 deprecated the meter instruction: table features leave it out
      if (m.type === 'multipart_reply' && m.body.kind === 'table_features') return { ...m, body: { ...m.body, tables: tableFeatures15(m.body.tables) } };
      return m;
    });
  return [...from14, ...own];
}
