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
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, killAll, macOf, quietNetns, sh, startSluice, type Daemon } from '../integration/datapath-lab.js';
import { Child, dissect, freePort, startCapture, stopAll, stopCapture, waitListening } from '../integration/openflow-capture.js';
import { expectFirstPingViaController } from './osken-first-ping.js';

const APP = fileURLToPath(new URL('./osken-learning-app.py', import.meta.url));
const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'osken-manager', 'python3', 'python3:os_ken', 'ovs-ofctl', 'tshark', 'dumpcap');

need.describe('os-ken MAC-learning app controls Sluice', () => {
  const lab = new Lab();
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-osken-'));
  const pcap = join(rundir, 'channel.pcapng');
  let port = 0;
  let osken: Child;
  let capture: Child;
  let d: Daemon;
  let macs: string[] = [];
  const br = lab.name('br');
  const packetInsFromHosts = () => osken.lines.filter((l) => /SLUICE-PACKET-IN/.test(l) && macs.some((m) => l.includes(`src=${m}`))).length;

  beforeAll(async () => {
    const A = await quietNetns(lab, 'A');
    const B = await quietNetns(lab, 'B');
    await lab.veth(A, 'eth0', lab.name('ao'), '10.84.0.1/24');
    await lab.veth(B, 'eth0', lab.name('bo'), '10.84.0.2/24');
    macs = [await macOf(A, 'eth0'), await macOf(B, 'eth0')];
    port = await freePort();
    osken = Child.spawn('osken-manager', ['--ofp-listen-host', '127.0.0.1', '--ofp-tcp-listen-port', String(port), APP], {
      ...process.env, PYTHONUNBUFFERED: '1',
    });
    await waitListening(port, 30_000);
    capture = await startCapture(port, pcap);
    d = await startSluice([
      '--bridge', br, '--fail-mode', 'secure', '--rundir', rundir,
      '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`,
      '--controller', `tcp:127.0.0.1:${port}`,
    ]);
    await d.waitFor(new RegExp(`tcp:127.0.0.1:${port} connected \\(OpenFlow 0x04\\)`), 20_000);
    await osken.waitFor(/SLUICE-FEATURES dpid=/, 20_000);
  }, 60_000);

  afterAll(async () => {
    await capture?.stop('SIGINT').catch(() => undefined);
    await killAll();
    await osken?.stop().catch(() => undefined);
    await stopAll();
    await lab.cleanup();
    rmSync(rundir, { recursive: true, force: true });
  });

  it('first ping via the controller, then the datapath alone', async () => {
    await expectFirstPingViaController({
      from: `${lab.prefix}A`, to: '10.84.0.2', osken, packetInsFromHosts, ofVersion: 'OpenFlow13', mgmt: `unix:${rundir}/${br}.mgmt`,
    });
  }, 40_000);

  it('tshark dissects the controller channel cleanly', async () => {
    await stopCapture(capture);
    const t = await dissect(pcap, port);
    expect(t.problems).toBe('');
    expect(await t.count('openflow_v4.type == 10')).toBeGreaterThan(0); // OFPT_PACKET_IN
    expect(await t.count('openflow_v4.type == 14')).toBeGreaterThan(0); // OFPT_FLOW_MOD
    expect(await t.count('openflow_v4.type == 6')).toBeGreaterThan(0); // OFPT_FEATURES_REPLY
  }, 30_000);
});
