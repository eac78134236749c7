/**
 * os-ken (Debian python3-os-ken) as the controller of a real `sluice start` daemon:
 * two namespaces on a secure-mode bridge, the MAC-learning app of osken-learning-app.py.
 *
 *   ns A ── veth ── sluice (secure, --controller tcp:127.0.0.1:P) ── veth ── ns B
 *                                  │
 *                         osken-manager --ofp-tcp-listen-port P
 *
 * Asserts: the first ping goes through the controller (packet-ins counted from the app's
 * stdout), the app installs priority-1 flows, a second batch of pings is forwarded by the
 * datapath alone (no new packet-in from A or B), `ovs-ofctl dump-flows` on the mgmt socket
 * shows the priority-1 flows with n_packets > 0; and tshark's OpenFlow dissector finds
 * nothing malformed in the captured controller channel, which holds OF1.3 PACKET_IN and
 * FLOW_MOD messages.
 */
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import { dissect, stopCapture } from '../integration/openflow-capture.js';
import { expectFirstPingViaController } from './osken-first-ping.js';
import { oskenLab } from './osken-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'osken-manager', 'python3', 'python3:os_ken', 'ovs-ofctl', 'tshark', 'dumpcap');

need.describe('os-ken MAC-learning app controls Sluice', () => {
  const t = oskenLab({ app: 'osken-learning-app.py', subnet: '10.84.0', version: 4 });

  it('first ping via the controller, then the datapath alone', async () => {
    await expectFirstPingViaController({
      from: t.hostA, to: '10.84.0.2', osken: t.osken, packetInsFromHosts: t.packetInsFromHosts, ofVersion: 'OpenFlow13', mgmt: t.mgmt,
    });
  }, 40_000);

  it('tshark dissects the controller channel cleanly', async () => {
    await stopCapture(t.capture);
    const ws = await dissect(t.pcap, t.port);
    expect(ws.problems).toBe('');
    expect(await ws.count('openflow_v4.type == 10')).toBeGreaterThan(0); // OFPT_PACKET_IN
    expect(await ws.count('openflow_v4.type == 14')).toBeGreaterThan(0); // OFPT_FLOW_MOD
    expect(await ws.count('openflow_v4.type == 6')).toBeGreaterThan(0); // OFPT_FEATURES_REPLY
  }, 30_000);
});
