/**
 * os-ken (Debian python3-os-ken) speaking OpenFlow 1.5 as the controller of a real
 * `sluice start` daemon (1.5 is offered by default): two namespaces on a secure-mode bridge, the MAC-learning app of
 * osken-learning-app15.py (OFP_VERSIONS = [1.5]: 1.5's packet-out with a match, the meter
 * action in its flows, OXS statistics polled every second).
 *
 *   ns A ── veth ── sluice (secure, --controller tcp:127.0.0.1:P) ── veth ── ns B
 *                                  │
 *                         osken-manager --ofp-tcp-listen-port P
 *
 * Asserts: 1.5 is negotiated and os-ken reports no error; the first ping goes through the
 * controller (packet-ins counted from the app's stdout), the app installs priority-1 flows
 * (meter:1, output), a second batch of pings is forwarded by the datapath alone (no new
 * packet-in from A or B), `ovs-ofctl -O OpenFlow15 dump-flows` on the mgmt socket shows
 * them used; os-ken decodes the OXS aggregate and flow-desc replies (flow_count 3, the
 * learned flows' packet counts, the meter action first); the meter counted the packets;
 * tshark's OpenFlow 1.5 dissector finds nothing malformed but inside OXM match fields
 * (Wireshark 4.0 throws on every OXM TLV in 1.5, os-ken's own flow-mods and packet-outs
 * included).
 */
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import { sh } from '../integration/datapath-lab.js';
import { dissect, stopCapture } from '../integration/openflow-capture.js';
import { expectFirstPingViaController } from './osken-first-ping.js';
import { oskenLab } from './osken-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'osken-manager', 'python3', 'python3:os_ken', 'ovs-ofctl', 'tshark', 'dumpcap');

need.describe('os-ken MAC-learning app controls Sluice over OpenFlow 1.5', () => {
  const t = oskenLab({ app: 'osken-learning-app15.py', subnet: '10.89.0', version: 6 });

  it('1.5 is agreed; the meter and the table-miss rule are in, no error', async () => {
    await t.osken.waitFor(/SLUICE-AGGREGATE flow_count=1 /, 10_000);
    expect(t.osken.lines.filter((l) => /SLUICE-ERROR/.test(l))).toEqual([]);
    const flows = await sh(`ovs-ofctl -O OpenFlow15 dump-flows ${t.mgmt}`);
    expect(flows).toMatch(/OFPST_FLOW reply \(OF1\.5\)/);
    expect(flows).toMatch(/priority=0 actions=CONTROLLER:65535/);
    expect(await sh(`ovs-ofctl -O OpenFlow15 dump-meters ${t.mgmt}`)).toMatch(/meter=1 pktps bands=\ntype=drop rate=100000/);
  }, 20_000);

  it('first ping via the controller, then the datapath alone; the flows carry the meter action', async () => {
    await expectFirstPingViaController({
      from: t.hostA, to: '10.89.0.2', osken: t.osken, packetInsFromHosts: t.packetInsFromHosts, ofVersion: 'OpenFlow15', mgmt: t.mgmt,
    });
    const flows = await sh(`ovs-ofctl -O OpenFlow15 dump-flows ${t.mgmt}`);
    for (const l of flows.split('\n').filter((x) => /priority=1,/.test(x))) expect(l).toMatch(/actions=meter:1,output:[12]$/);
    expect(await sh(`ovs-ofctl -O OpenFlow15 meter-stats ${t.mgmt}`)).toMatch(/meter:1 flow_count:2 packet_in_count:[1-9]/);
    expect(t.osken.lines.filter((l) => /SLUICE-ERROR/.test(l))).toEqual([]);
  }, 40_000);

  it('os-ken reads the OXS statistics: aggregate flow_count 3, the learned flows counted, meter action first', async () => {
    await t.osken.waitFor(/SLUICE-AGGREGATE flow_count=3 packet_count=[1-9]/, 10_000);
    await t.osken.waitFor(/SLUICE-FLOW-DESC priority=1 packet_count=[1-9]\d* actions=OFPActionMeter,OFPActionOutput$/, 10_000);
    expect(t.osken.lines.some((l) => /SLUICE-FLOW-DESC priority=0 packet_count=[1-9]\d* actions=OFPActionOutput$/.test(l))).toBe(true);
  }, 20_000);

  it('tshark dissects the controller channel cleanly', async () => {
    await stopCapture(t.capture);
    const ws = await dissect(t.pcap, t.port);
    // Wireshark 4.0's openflow_v6 dissector throws on the first OXM TLV of any match (os-ken's
    // flow-mods and packet-outs as well as Sluice's packet-ins and flow descs): a frame may
    // be malformed only there, and the messages without a match must dissect cleanly
    expect(await ws.count('(_ws.malformed || _ws.expert.severity >= error) && !openflow_v6.oxm.class')).toBe(0);
    expect(await ws.count(`tcp.dstport == ${t.port} && (openflow_v6.type == 6 || openflow_v6.type == 19) && !_ws.malformed`)).toBeGreaterThan(0);
    expect(await ws.count('openflow_v6.type == 10')).toBeGreaterThan(0); // OFPT_PACKET_IN
    expect(await ws.count('openflow_v6.type == 14')).toBeGreaterThan(0); // OFPT_FLOW_MOD
    expect(await ws.count('openflow_v6.type == 13')).toBeGreaterThan(0); // OFPT_PACKET_OUT
    expect(await ws.count('openflow_v6.type == 19')).toBeGreaterThan(0); // OFPT_MULTIPART_REPLY
  }, 30_000);
});
