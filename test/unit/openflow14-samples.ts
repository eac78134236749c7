// OpenFlow 1.4 sample messages: one of each form 1.4 changed or added, and the 1.3 samples
// (1.4 kept their form) as the 1.4 codec decodes them. Shared by the codec test and the
// openflow14 fuzz target's seeds.
import type { OFMessage } from '../../src/openflow/index.js';
import type { PortDesc } from '../../src/openflow/multipart-types.js';
import * as C from '../../src/openflow/of14/constants.js';
import { encodeMessage14 } from '../../src/openflow/of14/encode.js';
import { flowMod } from '../../src/pipeline/types.js';
import { sampleMessages } from './openflow-samples.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

export const PORT: PortDesc = {
  portNo: 1, hwAddr: hex('0a0b0c0d0e0f'), name: 'veth0', config: 0x1, state: 0x4,
  curr: 0x802, advertised: 0x20, supported: 0x40, peer: 0x80, currSpeed: 10_000_000, maxSpeed: 0,
};

/** The 1.4 messages and the 1.3 samples (1.4 kept their form), as the 1.4 codec decodes them. */
export function samples14(): OFMessage[] {
  const inner: OFMessage = { type: 'flow_mod', xid: 70, ...flowMod({ priority: 7, match: [] }) };
  const own: OFMessage[] = [
    { type: 'port_status', xid: 60, reason: 2, port: PORT },
    { type: 'port_mod', xid: 61, portNo: 1, hwAddr: PORT.hwAddr, config: 1, mask: 1, advertise: 0x20 },
    { type: 'get_async_reply', xid: 62, packetInMask: [3, 1], portStatusMask: [7, 7], flowRemovedMask: [15, 0], roleStatusMask: [7, 0] },
    { type: 'set_async', xid: 63, packetInMask: [1, null], roleStatusMask: [null, 0] },
    { type: 'role_status', xid: 64, role: 3, reason: C.OFPCRR_MASTER_REQUEST, generationId: 0x1122334455667788n },
    { type: 'bundle_control', xid: 65, bundleId: 9, ctrlType: C.OFPBCT_COMMIT_REQUEST, flags: C.OFPBF_ATOMIC | C.OFPBF_ORDERED },
    { type: 'bundle_add_message', xid: 70, bundleId: 9, flags: C.OFPBF_ATOMIC, message: inner, raw: encodeMessage14(inner)! },
    { type: 'multipart_reply', xid: 66, flags: 1, body: { kind: 'port_desc', ports: [PORT, { ...PORT, portNo: 2, name: 'veth1' }] } },
    {
      type: 'multipart_reply', xid: 67, flags: 0, body: {
        kind: 'port_stats', ports: [{
          portNo: 1, rxPackets: 1n, txPackets: 2n, rxBytes: 3n, txBytes: 4n, rxDropped: 5n, txDropped: 6n, rxErrors: 7n,
          txErrors: 8n, rxFrameErr: 9n, rxOverErr: 10n, rxCrcErr: 11n, collisions: 12n, durationSec: 13, durationNsec: 14,
        }],
      },
    },
    {
      type: 'flow_monitor_request', xid: 71, flags: 0, monitors: [
        { monitorId: 1, outPort: 0xffffffff, outGroup: 0xffffffff, flags: 0x1f, tableId: 0xff, command: 0, match: [] },
        { monitorId: 2, outPort: 2, outGroup: 0xffffffff, flags: 0x4c, tableId: 1, command: 1, match: [{ field: 0, value: new Uint8Array([0, 0, 0, 3]) }] },
      ],
    },
    {
      type: 'flow_monitor_reply', xid: 72, flags: 0, updates: [
        { event: 0, tableId: 1, reason: 0, idleTimeout: 10, hardTimeout: 20, priority: 7, cookie: 0x99n, match: [{ field: 0, value: new Uint8Array([0, 0, 0, 3]) }], instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: 2, maxLen: 0 }] }] },
        { event: 2, tableId: 0, reason: 2, idleTimeout: 0, hardTimeout: 0, priority: 1, cookie: 0n, match: [], instructions: [] },
        { event: 4, xid: 0x1234 },
        { event: 5 },
      ],
    },
    { type: 'table_desc_request', xid: 73, flags: 0 },
    { type: 'table_desc_reply', xid: 74, flags: 0, tables: [{ tableId: 0, config: 0 }, { tableId: 1, config: 0 }] },
    { type: 'queue_desc_request', xid: 75, flags: 0, portNo: 0xffffffff, queueId: 0xffffffff },
    { type: 'queue_desc_reply', xid: 76, flags: 0, queues: [{ portNo: 1, queueId: 2 }] },
    { type: 'multipart_reply', xid: 68, flags: 0, body: { kind: 'queue', queues: [{ portNo: 1, queueId: 2, txBytes: 3n, txPackets: 4n, txErrors: 5n, durationSec: 6, durationNsec: 7 }] } },
  ];
  // 1.4 removed queue-get-config (OFPT 22, 23)
  const from13 = sampleMessages().filter((m) => !m.type.startsWith('queue_get_config')).map((m): OFMessage => {
    if (m.type === 'hello') return { ...m, version: C.OFP14_VERSION };
    if (m.type === 'get_async_reply') return { ...m, roleStatusMask: m.roleStatusMask ?? [7, 7] };
    return m;
  });
  return [...from13, ...own];
}
