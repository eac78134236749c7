// The layout tables of src/openflow/layouts.ts, which the decoder and the encoder share:
// each tiles its structure (no gap, no overlap, pads named) and has the spec's size
// (OF1.3.5 openflow.h OFP_ASSERTs), and a flow-mod written from them is the literal
// bytes of the spec's layout.
import { describe, expect, it } from 'vitest';
import {
  OFP_BUCKET_LEN, OFP_FLOW_STATS_LEN, OFP_HEADER_LEN, OFP_METER_BAND_LEN, OFP_PORT_LEN, OFP_PORT_STATS_LEN,
} from '../../src/openflow/constants.js';
import { decodeMessage, encodeMessage } from '../../src/openflow/index.js';
import {
  OFP_BUCKET, OFP_FLOW_MOD, OFP_FLOW_STATS, OFP_FLOW_STATS_REQUEST, OFP_METER_BAND, OFP_METER_BAND_TAIL, OFP_PORT,
  OFP_PORT_STATS, OFP_GROUP_MOD, OFP_PORT_MOD, OFP_METER_MOD, OFP_PACKET_IN, OFP_FLOW_REMOVED, layoutLength, type Layout,
} from '../../src/openflow/layouts.js';
import { flowMod } from '../../src/pipeline/types.js';

function tiles(l: Layout): void {
  const fields = Object.entries(l).sort((a, b) => a[1][0] - b[1][0]);
  let at = 0;
  for (const [name, [start, end]] of fields) {
    expect({ name, start }).toEqual({ name, start: at });
    expect(end).toBeGreaterThan(start);
    at = end;
  }
}

describe('openflow layouts', () => {
  it('each table tiles its structure and has the spec size', () => {
    const cases: [string, Layout, number][] = [
      ['ofp_flow_mod', OFP_FLOW_MOD, 56], ['ofp_port', OFP_PORT, OFP_PORT_LEN],
      ['ofp_bucket', OFP_BUCKET, OFP_BUCKET_LEN], ['ofp_meter_band', OFP_METER_BAND, OFP_METER_BAND_LEN],
      ['ofp_flow_stats_request', OFP_FLOW_STATS_REQUEST, 40], ['ofp_flow_stats', OFP_FLOW_STATS, OFP_FLOW_STATS_LEN],
      ['ofp_port_stats', OFP_PORT_STATS, OFP_PORT_STATS_LEN],
      ['ofp_group_mod', OFP_GROUP_MOD, 16], ['ofp_port_mod', OFP_PORT_MOD, 40], ['ofp_meter_mod', OFP_METER_MOD, 16],
      ['ofp_packet_in', OFP_PACKET_IN, 32], ['ofp_flow_removed', OFP_FLOW_REMOVED, 56],
    ];
    for (const [name, l, size] of cases) {
      tiles(l);
      expect({ name, size: layoutLength(l) }).toEqual({ name, size });
    }
    expect(OFP_FLOW_MOD.HEADER).toEqual([0, OFP_HEADER_LEN]);
    expect(OFP_METER_BAND_TAIL).toEqual([OFP_METER_BAND.PREC_LEVEL[0], OFP_METER_BAND.PAD[1]]);
  });

  it('ofp_flow_mod: every fixed field at its spec offset, both ways', () => {
    const msg = {
      type: 'flow_mod' as const, xid: 0x01020304, ...flowMod({
        cookie: 0x1112131415161718n, cookieMask: 0x2122232425262728n, tableId: 0x31, command: 0x02,
        idleTimeout: 0x4142, hardTimeout: 0x5152, priority: 0x6162, bufferId: 0x71727374,
        outPort: 0x81828384, outGroup: 0x91929394, flags: 0xa1a2,
      }),
    };
    const hex = Buffer.from(encodeMessage(msg)).toString('hex');
    // header (length 56, no instructions) | fixed part | pad | empty match (type 1, length 4, 4 pad bytes)
    expect(hex).toBe(
      '040e003801020304' + '1112131415161718' + '2122232425262728' + '31' + '02' + '4142' + '5152' + '6162'
      + '71727374' + '81828384' + '91929394' + 'a1a2' + '0000' + '0001000400000000',
    );
    const back = decodeMessage(encodeMessage(msg));
    expect(back).toMatchObject({
      cookie: msg.cookie, cookieMask: msg.cookieMask, tableId: 0x31, command: 2, idleTimeout: 0x4142,
      hardTimeout: 0x5152, priority: 0x6162, bufferId: 0x71727374, outPort: 0x81828384,
      outGroup: 0x91929394, flags: 0xa1a2, match: [], instructions: [],
    });
  });
});
