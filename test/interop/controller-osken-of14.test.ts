/**
 * os-ken (Debian python3-os-ken) speaking OpenFlow 1.4 as the controller of a real
 * `sluice start` daemon: two namespaces on a secure-mode bridge, the MAC-learning app of
 * osken-learning-app.py with SLUICE_OFP=14 (OFP_VERSIONS = [1.4]; its table-miss rule goes
 * in through an os-ken-encoded bundle: open, add, commit).
 *
 *   ns A ── veth ── sluice (secure, --controller tcp:127.0.0.1:P) ── veth ── ns B
 *                                  │
 *                         osken-manager --ofp-tcp-listen-port P
 *
 * Asserts: 1.4 is negotiated, the bundle's open and commit are answered (no error) and the
 * table-miss rule is there; the first ping goes through the controller (packet-ins counted from the app's
 * stdout), the app installs priority-1 flows, a second batch of pings is forwarded by the
 * datapath alone (no new packet-in from A or B), `ovs-ofctl dump-flows` on the mgmt socket
 * shows the priority-1 flows with n_packets > 0; and tshark's OpenFlow dissector finds
 * nothing malformed in the captured controller channel, which holds OF1.4 PACKET_IN,
 * FLOW_MOD and BUNDLE messages.
 */
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import { sh } from '../integration/datapath-lab.js';
import { dissect, stopCapture } from '../integration/openflow-capture.js';
import { expectFirstPingViaController } from './osken-first-ping.js';
import { oskenLab } from './osken-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'osken-manager', 'python3', 'python3:os_ken', 'ovs-ofctl', 'tshark', 'dumpcap');

need.describe('os-ken MAC-learning app controls Sluice over OpenFlow 1.4', () => {
  const t = oskenLab({ app: 'osken-learning-app.py', subnet: '10.88.0', version: 5, env: { SLUICE_OFP: '14' } });

  it('the table-miss rule came in through a bundle: open and commit answered, no error', async () => {
    await t.osken.waitFor(/SLUICE-BUNDLE-REPLY type=5 id=1/, 10_000); // OFPBCT_COMMIT_REPLY
    expect(t.osken.lines.filter((l) => /SLUICE-BUNDLE-REPLY type=1 id=1/.test(l))).toHaveLength(1); // OPEN_REPLY
    expect(t.osken.lines.filter((l) => /SLUICE-ERROR/.test(l))).toEqual([]);
    const flows = await sh(`ovs-ofctl -O OpenFlow14 dump-flows ${t.mgmt}`);
    expect(flows).toMatch(/OFPST_FLOW reply \(OF1\.4\)/);
    expect(flows).toMatch(/priority=0 actions=CONTROLLER:65535/);
  }, 20_000);

  it('first ping via the controller, then the datapath alone', async () => {
    await expectFirstPingViaController({
      from: t.hostA, to: '10.88.0.2', osken: t.osken, packetInsFromHosts: t.packetInsFromHosts, ofVersion: 'OpenFlow14', mgmt: t.mgmt,
    });
  }, 40_000);

  it('tshark dissects the controller channel cleanly', async () => {
    await stopCapture(t.capture);
    const ws = await dissect(t.pcap, t.port);
    expect(ws.problems).toBe('');
    expect(await ws.count('openflow_v5.type == 10')).toBeGreaterThan(0); // OFPT_PACKET_IN
    expect(await ws.count('openflow_v5.type == 14')).toBeGreaterThan(0); // OFPT_FLOW_MOD
    expect(await ws.count('openflow_v5.type == 6')).toBeGreaterThan(0); // OFPT_FEATURES_REPLY
    // frames, not messages: os-ken's open, add and commit may share one segment
    expect(await ws.count('openflow_v5.type == 33')).toBeGreaterThanOrEqual(2); // OFPT_BUNDLE_CONTROL both ways
    expect(await ws.count('openflow_v5.type == 34')).toBeGreaterThanOrEqual(1); // OFPT_BUNDLE_ADD_MESSAGE
  }, 30_000);
});
