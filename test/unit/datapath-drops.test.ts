/**
 * Every drop counted, by reason (issue #13 §5; src/datapath/drops.ts): a mixed workload
 * through a Bridge hits every reason the datapath names, each frame either leaves by one
 * port, goes to the controller, or is dropped for one counted reason, so that
 *   Σ rx − Σ tx − packet-ins = Σ drops
 * holds exactly, and each reason counts exactly the frames sent to hit it.
 */
import { describe, expect, it } from 'vitest';
import { DROP_REASONS } from '../../src/datapath/drops.js';
import { isOFError } from '../../src/pipeline/errors.js';
import {
  OFPGC_ADD, OFPGT_ALL, OFPMC_ADD, OFPMF_PKTPS, OFPPC_NO_FWD, OFPPC_NO_PACKET_IN, OFPPC_NO_RECV,
  OFPP_CONTROLLER, OFPP_NORMAL, OFPR_ACTION,
} from '../../src/pipeline/types.js';
import { ipFrame, MAC, rig } from './datapath-helpers.js';
import { apply, bucket, fm, goto, oxm, out } from './pipeline-helpers.js';

const udpTo = (dport: number, inPort = 1) => [oxm('in_port', inPort), oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('udp_dst', dport)];

describe('datapath drops by reason', () => {
  it('a mixed workload: each reason counts its frames, and rx − tx − packet-ins = Σ drops', () => {
    const r = rig(6, { failMode: 'secure' }, [{}, {}, {}, {}, { vlanMode: 'access', tag: 10 }]);
    const b = r.bridge;
    // port 3 receives nothing; port 4 forwards nothing and sends no packet-ins; port 5 is an access port in VLAN 10
    expect(b.portMod(3, OFPPC_NO_RECV, OFPPC_NO_RECV)).toBeNull();
    expect(b.portMod(4, OFPPC_NO_FWD | OFPPC_NO_PACKET_IN, OFPPC_NO_FWD | OFPPC_NO_PACKET_IN)).toBeNull();
    const ok = (x: unknown) => expect(isOFError(x) ? x.message : 'ok').toBe('ok');
    const add = (p: Parameters<typeof fm>[0]) => ok(b.flowMod(fm(p)));
    add({ match: udpTo(1), instructions: [apply(out(2))] }); // forwarded
    add({ match: udpTo(10), instructions: [goto(1)] }); // table 1 is empty: a miss there
    add({ match: udpTo(11), instructions: [] }); // no output
    ok(b.meterMod({ command: OFPMC_ADD, flags: OFPMF_PKTPS, meterId: 1, bands: [{ type: 'drop', rate: 1, burstSize: 0 }] }));
    add({ match: udpTo(12), instructions: [{ type: 'meter', meterId: 1 }, apply(out(2))] });
    add({ match: udpTo(13), instructions: [apply(out(6))] }); // port 6, removed below: no such port
    add({ match: udpTo(14), instructions: [apply(out(4))] }); // port 4: NO_FWD
    add({ match: udpTo(15), instructions: [apply(out(1))] }); // back out the ingress port by number
    add({ match: udpTo(16, 4), instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] }); // from NO_PACKET_IN port 4
    add({ match: udpTo(17), instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] }); // admitted, limited, unwanted below
    // a chain of 17 groups: deeper than the executor's guard (16)
    for (let g = 17; g >= 1; g--) {
      const actions = g === 17 ? [out(2)] : [{ type: 'group' as const, groupId: g + 1 }];
      ok(b.groupMod({ command: OFPGC_ADD, type: OFPGT_ALL, groupId: g, buckets: [bucket(actions)] }));
    }
    add({ match: udpTo(18), instructions: [apply({ type: 'group', groupId: 1 })] });
    add({ match: udpTo(19), instructions: [goto(2)] }); // table 2's table-miss entry: to the controller, as a miss
    add({ tableId: 2, priority: 0, instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] });
    for (const p of [1, 2, 4, 5]) add({ priority: 1, match: [oxm('in_port', p)], instructions: [apply(out(OFPP_NORMAL))] });
    expect(b.removePort(6)).toBeNull();
    // the controller: admits two of udp 17, then the rate limit; NO_MATCH is wanted by no one
    let tokens = 2;
    b.packetInAdmission = (reason) => (reason !== OFPR_ACTION ? 'no_controller' : tokens-- > 0 ? null : 'packet_in_limit');

    const f = (dport: number, o: Parameters<typeof ipFrame>[0] = {}) => ipFrame({ dport, ...o });
    r.send(1, f(1), f(1), new Uint8Array(10), f(10), f(11), f(12), f(12), f(12), f(13), f(14), f(15), f(17), f(17), f(17), f(17), f(18), f(19));
    r.send(3, f(1), f(1)); // port 3 does not receive
    r.send(4, f(16, { src: MAC(4) }));
    // NORMAL (frames no udp rule takes): learn MAC(2) on port 2, flooded in VLAN 0 to 1 and 3
    // (4 is NO_FWD, 5 carries VLAN 10 only); then a frame to MAC(2) from port 2 itself
    r.send(2, f(99, { src: MAC(2), dst: MAC(5) }));
    r.send(2, f(99, { src: MAC(7), dst: MAC(2) }));
    // learn MAC(44) on port 4 while it forwards (flooded to 1, 2 and 3), then make it NO_FWD
    // and send to MAC(44) from port 1
    b.portMod(4, 0, OFPPC_NO_FWD);
    r.send(4, f(99, { src: MAC(44), dst: MAC(5) }));
    b.portMod(4, OFPPC_NO_FWD, OFPPC_NO_FWD);
    r.send(1, f(99, { src: MAC(1), dst: MAC(44) }));
    // the access port refuses a frame tagged with another VLAN
    r.send(5, f(99, { src: MAC(5), vlan: 20 }));

    const d = b.counters().drops;
    expect(d).toMatchObject({
      runt: 1, port_down: 2, table_miss: 1, no_output: 1, meter: 2, no_port: 1, port_no_fwd: 1, in_port: 1,
      no_packet_in: 1, no_controller: 1, packet_in_limit: 2, depth: 1, normal_vlan: 1, normal_in_port: 1, normal_no_fwd: 1,
    });
    expect(Object.keys(d)).toEqual([...DROP_REASONS]);
    expect(DROP_REASONS.filter((x) => d[x] === 0)).toEqual([]); // the workload hits every reason
    const stats = b.ports().map((p) => p.stats);
    const rx = stats.reduce((a, s) => a + s.rxPackets, 0);
    const tx = stats.reduce((a, s) => a + s.txPackets, 0);
    const drops = Object.values(d).reduce((a, n) => a + n, 0);
    // two frames were flooded by NORMAL, one by 2 ports, one by 3: 5 transmissions, 2 frames
    const extraTx = (2 - 1) + (3 - 1);
    expect(rx - (tx - extraTx) - r.packetIns.length).toBe(drops);
    expect(r.packetIns).toHaveLength(2);
  });
});
