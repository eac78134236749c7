/**
 * Interop: every OpenFlow 1.5 message Sluice ENCODES (test/unit/openflow15-samples.ts: the
 * 1.4 samples in their 1.5 form and the messages 1.5 changed or added) is decoded by an
 * independent implementation, Open vSwitch's `ovs-ofctl ofp-print HEX`, as OpenFlow 1.5,
 * without error; for the structures 1.5 changed, its text shows the values we put in.
 * OVS 3.1 does not know OFPMP_FLOW_STATS (17, 1.5's new flow statistics): those two
 * samples are checked to be refused as an unknown statistic, not as a layout error.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import type { OFMessage } from '../../src/openflow/index.js';
import { encodeMessage15 } from '../../src/openflow/of15/encode.js';
import { samples15 } from '../unit/openflow15-samples.js';

const need = needs('ovs-ofctl');

const nameOf = (m: OFMessage) => `${m.type}${m.type === 'multipart_request' || m.type === 'multipart_reply' ? '/' + m.body.kind : ''} xid=${m.xid}`;

/** Substrings ovs-ofctl must print for the 1.5 forms (values from openflow15-samples.ts). */
const EXPECT: Record<number, string[]> = {
  80: ['OFPT_FLOW_MOD (OF1.5) (xid=0x50): ADD priority=5,tcp,tcp_flags=+syn+ack importance:3 actions=meter:1,output:2'],
  81: ['OFPT_FLOW_MOD (OF1.5) (xid=0x51): ADD priority=6,actset_output=2 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]'],
  82: ['OFPT_PACKET_OUT (OF1.5) (xid=0x52): in_port=3 actions=output:2 data_len=14'],
  83: ['OFPT_PACKET_OUT (OF1.5) (xid=0x53): metadata=0x1234,in_port=CONTROLLER actions=TABLE data_len=14'],
  84: ['OFPT_FLOW_REMOVED (OF1.5) (xid=0x54): priority=4,in_port=3 reason=delete table_id=1 cookie:0x77 duration5.000000006s idle10 hard20 pkts7 bytes8'],
  85: ['ADD group_id=5,type=select,bucket=bucket_id:0,weight:10,actions=output:1,bucket=bucket_id:7,weight:20,actions=output:2'],
  86: ['ADD group_id=6,type=ff,bucket=bucket_id:1,watch_port:1,actions=output:1'],
  88: ['OFPST_FLOW reply (OF1.5) (xid=0x58):', 'cookie=0x55, duration=3.000000004s, table=0, n_packets=8, n_bytes=9, idle_timeout=6, hard_timeout=7, send_flow_rem importance=4, idle_age=2, priority=5,tcp,tcp_flags=+syn+ack actions=output:2'],
  90: ['OFPST_AGGREGATE reply (OF1.5) (xid=0x5a): packet_count=11 byte_count=12 flow_count=3'],
  91: ['OFPST_GROUP_DESC reply (OF1.5) (xid=0x5b):', 'group_id=2,type=all,bucket=bucket_id:3,actions=output:1'],
  92: ['OFPST_METER_FEATURES reply (OF1.5) (xid=0x5c):', 'max_meter:4294901760 max_bands:16 max_color:0'],
  97: ['OFPT_BUNDLE_ADD_MESSAGE (OF1.5) (xid=0x61):', 'OFPT_FLOW_MOD (OF1.5) (xid=0x61): ADD priority=9 actions=drop'],
  27: ['OFPST_GROUP_DESC request (OF1.5) (xid=0x1b): group_id=ALL'],
  33: ['OFPST_PORT_DESC request (OF1.5) (xid=0x21): port=ANY'],
};
/** Messages OVS cannot decode by design (unknown experimenter, OFPMP_FLOW_STATS): a warning, not a layout error. */
const UNKNOWN_TO_OVS: Record<string, string> = {
  experimenter: 'OFPBRC_BAD_SUBTYPE', 'multipart_request/experimenter': 'OFPBRC_BAD_SUBTYPE', 'multipart_reply/experimenter': 'OFPBRC_BAD_SUBTYPE',
};
const FLOW_STATS_17 = new Set([87, 89]);

need.describe('ovs-ofctl ofp-print decodes what Sluice encodes in OpenFlow 1.5', () => {
  for (const m of samples15()) {
    const name = nameOf(m);
    it(name, () => {
      const hex = Buffer.from(encodeMessage15(m)!).toString('hex');
      const run = spawnSync('ovs-ofctl', ['ofp-print', hex], { encoding: 'utf8' });
      const out = run.stdout + run.stderr; // OVS logs parse warnings on stderr
      const unknown = UNKNOWN_TO_OVS[name.split(' ')[0]!];
      if (unknown !== undefined) expect(out).toContain(unknown);
      else if (FLOW_STATS_17.has(m.xid)) expect(out).toContain('unknown OpenFlow message (version 6, type 1' /* 18 or 19 */);
      else {
        expect(out).not.toMatch(/decode error|WARN|too short/);
        expect(out).toMatch(/^OFP.* \(OF1\.5\) /);
      }
      for (const s of EXPECT[m.xid] ?? []) expect(out).toContain(s);
    });
  }
});
