/**
 * Interop: every OpenFlow 1.4 message Sluice ENCODES (test/unit/openflow14-samples.ts: the
 * 1.3 samples in their 1.4 form and the messages 1.4 changed or added) is decoded by an
 * independent implementation, Open vSwitch's `ovs-ofctl ofp-print HEX`, as OpenFlow 1.4,
 * without error; for the structures 1.4 changed, its text shows the values we put in.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import type { OFMessage } from '../../src/openflow/index.js';
import { encodeMessage14 } from '../../src/openflow/of14/encode.js';
import { samples14 } from '../unit/openflow14-samples.js';

const need = needs('ovs-ofctl');

const nameOf = (m: OFMessage) => `${m.type}${m.type === 'multipart_request' || m.type === 'multipart_reply' ? '/' + m.body.kind : ''} xid=${m.xid}`;

/** Substrings ovs-ofctl must print for the 1.4 forms (values from openflow14-samples.ts). */
const EXPECT: Record<number, string[]> = {
  60: ['OFPT_PORT_STATUS (OF1.4) (xid=0x3c): MOD: 1(veth0): addr:0a:0b:0c:0d:0e:0f', 'config:     PORT_DOWN', 'state:      LIVE', 'speed: 10000 Mbps now'],
  61: ['OFPT_PORT_MOD (OF1.4) (xid=0x3d): port: 1: addr:0a:0b:0c:0d:0e:0f', 'config: PORT_DOWN', 'advertise: 1GB-FD'],
  62: ['OFPT_GET_ASYNC_REPLY (OF1.4) (xid=0x3e)', 'PACKET_IN: no_match action', 'FLOW_REMOVED: idle hard delete group_delete'],
  63: ['OFPT_SET_ASYNC (OF1.4) (xid=0x3f)', 'PACKET_IN: no_match'],
  64: ['OFPT_ROLE_STATUS (OF1.4) (xid=0x40): role=secondary generation_id=1234605616436508552 reason=primary_request'],
  65: ['OFPT_BUNDLE_CONTROL (OF1.4) (xid=0x41):', 'bundle_id=0x9 type=COMMIT_REQUEST flags=atomic ordered'],
  70: ['OFPT_BUNDLE_ADD_MESSAGE (OF1.4) (xid=0x46):', 'bundle_id=0x9 flags=atomic', 'OFPT_FLOW_MOD (OF1.4) (xid=0x46): ADD priority=7 actions=drop'],
  66: ['OFPST_PORT_DESC reply (OF1.4) (xid=0x42): flags=[more]', '2(veth1): addr:0a:0b:0c:0d:0e:0f', 'current:    10MB-FD COPPER', 'advertised: 1GB-FD'],
  67: ['OFPST_PORT reply (OF1.4) (xid=0x43): 1 ports', 'port  1: rx pkts=1, bytes=3, drop=5, errs=7, frame=9, over=10, crc=11', 'tx pkts=2, bytes=4, drop=6, errs=8, coll=12', 'duration=13.000000014s'],
  71: ['OFPST_FLOW_MONITOR request (OF1.4) (xid=0x47):', 'id=1 flags=initial,add,delete,modify,actions', 'id=2 flags=delete,modify,own out_port=2 table=1 in_port=3'],
  72: ['OFPST_FLOW_MONITOR reply (OF1.4) (xid=0x48):', 'event=INITIAL table=1 idle_timeout=10 hard_timeout=20 cookie=0x99 in_port=3 actions=output:2', 'event=DELETED reason=delete table=0 cookie=0', 'event=ABBREV xid=0x1234', 'event=PAUSED'],
  73: ['OFPST_TABLE_DESC request (OF1.4) (xid=0x49)'],
  74: ['OFPST_TABLE_DESC reply (OF1.4) (xid=0x4a):', 'table 0:', 'table 1:'],
  75: ['OFPST_QUEUE_DESC request (OF1.4) (xid=0x4b): port=ANY'],
  76: ['OFPST_QUEUE_DESC reply (OF1.4) (xid=0x4c): port=1', 'queue 2:'],
  68: ['OFPST_QUEUE reply (OF1.4) (xid=0x44): 1 queues', 'port 1 queue 2: bytes=3, pkts=4, errors=5, duration=6.000000007s'],
};
/** Messages OVS cannot decode by design (unknown experimenter): a warning, not a layout error. */
const UNKNOWN_TO_OVS = new Set(['experimenter', 'multipart_request/experimenter', 'multipart_reply/experimenter']);

need.describe('ovs-ofctl ofp-print decodes what Sluice encodes in OpenFlow 1.4', () => {
  for (const m of samples14()) {
    const name = nameOf(m);
    it(name, () => {
      const hex = Buffer.from(encodeMessage14(m)!).toString('hex');
      const run = spawnSync('ovs-ofctl', ['ofp-print', hex], { encoding: 'utf8' });
      const out = run.stdout + run.stderr; // OVS logs parse warnings on stderr
      if (UNKNOWN_TO_OVS.has(name.split(' ')[0]!)) expect(out).toContain('OFPBRC_BAD_SUBTYPE');
      else {
        expect(out).not.toMatch(/decode error|WARN|too short/);
        expect(out).toMatch(/^OFP.* \(OF1\.4\) /);
      }
      for (const s of EXPECT[m.xid] ?? []) expect(out).toContain(s);
    });
  }
});
