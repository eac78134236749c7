/**
 * os-ken (Debian python3-os-ken) speaking OpenFlow 1.0 as the controller of a real
 * `sluice start` daemon on its default protocols: two namespaces on a secure-mode bridge,
 * the MAC-learning app of osken-learning-app.py with SLUICE_OFP=10 (OFP_VERSIONS = [1.0]:
 * 1.0's flow-mod with actions, the 40-byte match on in_port/dl_src/dl_dst, the packet-in's
 * in_port field). The set-up is osken-lab.ts.
 *
 * Asserts: 1.0 is negotiated (the bridge also offers 1.3 to 1.5); the first ping goes
 * through the controller (packet-ins counted from the app's stdout), the app installs its
 * priority-1 flows, the next pings are forwarded by the datapath alone, and
 * `ovs-ofctl -O OpenFlow10 dump-flows` shows the flows used; tshark's OpenFlow 1.0
 * dissector finds nothing malformed in the controller channel.
 */
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import { dissect, stopCapture } from '../integration/openflow-capture.js';
import { expectFirstPingViaController } from './osken-first-ping.js';
import { oskenLab } from './osken-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'osken-manager', 'python3', 'python3:os_ken', 'ovs-ofctl', 'tshark', 'dumpcap');

need.describe('os-ken MAC-learning app controls Sluice over OpenFlow 1.0', () => {
  const t = oskenLab({ app: 'osken-learning-app.py', subnet: '10.87.0', version: 1, env: { SLUICE_OFP: '10' } });

  it('first ping via the controller, then the datapath alone', async () => {
    await expectFirstPingViaController({
      from: t.hostA, to: t.addrB, osken: t.osken, packetInsFromHosts: t.packetInsFromHosts, ofVersion: 'OpenFlow10', mgmt: t.mgmt,
    });
    expect(t.osken.lines.filter((l) => /SLUICE-ERROR/.test(l))).toEqual([]);
  }, 40_000);

  it('tshark dissects the controller channel cleanly', async () => {
    await stopCapture(t.capture);
    const ws = await dissect(t.pcap, t.port);
    expect(ws.problems).toBe('');
    expect(await ws.count('openflow_1_0.type == 10')).toBeGreaterThan(0); // OFPT_PACKET_IN
    expect(await ws.count('openflow_1_0.type == 14')).toBeGreaterThan(0); // OFPT_FLOW_MOD
    expect(await ws.count('openflow_1_0.type == 13')).toBeGreaterThan(0); // OFPT_PACKET_OUT
  }, 30_000);
});
