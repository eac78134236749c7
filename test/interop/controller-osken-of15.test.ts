/**
 * os-ken (Debian python3-os-ken) speaking OpenFlow 1.5 as the controller of a real
 * `sluice start` daemon started with `--protocols OpenFlow13,OpenFlow15` (1.5 is offered
 * only when asked for): two namespaces on a secure-mode bridge, the MAC-learning app of
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
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, killAll, macOf, quietNetns, sh, startSluice, type Daemon } from '../integration/datapath-lab.js';
import { Child, dissect, freePort, startCapture, stopAll, stopCapture, waitListening } from '../integration/openflow-capture.js';
import { expectFirstPingViaController } from './osken-first-ping.js';

const APP = fileURLToPath(new URL('./osken-learning-app15.py', import.meta.url));
const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'osken-manager', 'python3', 'python3:os_ken', 'ovs-ofctl', 'tshark', 'dumpcap');

need.describe('os-ken MAC-learning app controls Sluice over OpenFlow 1.5', () => {
  const lab = new Lab();
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-osken15-'));
  const pcap = join(rundir, 'channel.pcapng');
  let port = 0;
  let osken: Child;
  let capture: Child;
  let d: Daemon;
  let macs: string[] = [];
  const br = lab.name('br');
  const mgmt = () => `unix:${rundir}/${br}.mgmt`;
  const packetInsFromHosts = () => osken.lines.filter((l) => /SLUICE-PACKET-IN/.test(l) && macs.some((m) => l.includes(`src=${m}`))).length;

  beforeAll(async () => {
    const A = await quietNetns(lab, 'A');
    const B = await quietNetns(lab, 'B');
    await lab.veth(A, 'eth0', lab.name('ao'), '10.89.0.1/24');
    await lab.veth(B, 'eth0', lab.name('bo'), '10.89.0.2/24');
    macs = [await macOf(A, 'eth0'), await macOf(B, 'eth0')];
    port = await freePort();
    osken = Child.spawn('osken-manager', ['--ofp-listen-host', '127.0.0.1', '--ofp-tcp-listen-port', String(port), APP], {
      ...process.env, PYTHONUNBUFFERED: '1',
    });
    await waitListening(port, 30_000);
    capture = await startCapture(port, pcap);
    d = await startSluice([
      '--bridge', br, '--fail-mode', 'secure', '--rundir', rundir, '--protocols', 'OpenFlow13,OpenFlow15',
      '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`,
      '--controller', `tcp:127.0.0.1:${port}`,
    ]);
    await d.waitFor(new RegExp(`tcp:127.0.0.1:${port} connected \\(OpenFlow 0x06\\)`), 20_000);
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

  it('1.5 is agreed; the meter and the table-miss rule are in, no error', async () => {
    await osken.waitFor(/SLUICE-AGGREGATE flow_count=1 /, 10_000);
    expect(osken.lines.filter((l) => /SLUICE-ERROR/.test(l))).toEqual([]);
    const flows = await sh(`ovs-ofctl -O OpenFlow15 dump-flows ${mgmt()}`);
    expect(flows).toMatch(/OFPST_FLOW reply \(OF1\.5\)/);
    expect(flows).toMatch(/priority=0 actions=CONTROLLER:65535/);
    expect(await sh(`ovs-ofctl -O OpenFlow15 dump-meters ${mgmt()}`)).toMatch(/meter=1 pktps bands=\ntype=drop rate=100000/);
  }, 20_000);

  it('first ping via the controller, then the datapath alone; the flows carry the meter action', async () => {
    await expectFirstPingViaController({
      from: `${lab.prefix}A`, to: '10.89.0.2', osken, packetInsFromHosts, ofVersion: 'OpenFlow15', mgmt: mgmt(),
    });
    const flows = await sh(`ovs-ofctl -O OpenFlow15 dump-flows ${mgmt()}`);
    for (const l of flows.split('\n').filter((x) => /priority=1,/.test(x))) expect(l).toMatch(/actions=meter:1,output:[12]$/);
    expect(await sh(`ovs-ofctl -O OpenFlow15 meter-stats ${mgmt()}`)).toMatch(/meter:1 flow_count:2 packet_in_count:[1-9]/);
    expect(osken.lines.filter((l) => /SLUICE-ERROR/.test(l))).toEqual([]);
  }, 40_000);

  it('os-ken reads the OXS statistics: aggregate flow_count 3, the learned flows counted, meter action first', async () => {
    await osken.waitFor(/SLUICE-AGGREGATE flow_count=3 packet_count=[1-9]/, 10_000);
    await osken.waitFor(/SLUICE-FLOW-DESC priority=1 packet_count=[1-9]\d* actions=OFPActionMeter,OFPActionOutput$/, 10_000);
    expect(osken.lines.some((l) => /SLUICE-FLOW-DESC priority=0 packet_count=[1-9]\d* actions=OFPActionOutput$/.test(l))).toBe(true);
  }, 20_000);

  it('tshark dissects the controller channel cleanly', async () => {
    await stopCapture(capture);
    const t = await dissect(pcap, port);
    // Wireshark 4.0's openflow_v6 dissector throws on the first OXM TLV of any match (os-ken's
    // flow-mods and packet-outs as well as Sluice's packet-ins and flow descs): a frame may
    // be malformed only there, and the messages without a match must dissect cleanly
    expect(await t.count('(_ws.malformed || _ws.expert.severity >= error) && !openflow_v6.oxm.class')).toBe(0);
    expect(await t.count(`tcp.dstport == ${port} && (openflow_v6.type == 6 || openflow_v6.type == 19) && !_ws.malformed`)).toBeGreaterThan(0);
    expect(await t.count('openflow_v6.type == 10')).toBeGreaterThan(0); // OFPT_PACKET_IN
    expect(await t.count('openflow_v6.type == 14')).toBeGreaterThan(0); // OFPT_FLOW_MOD
    expect(await t.count('openflow_v6.type == 13')).toBeGreaterThan(0); // OFPT_PACKET_OUT
    expect(await t.count('openflow_v6.type == 19')).toBeGreaterThan(0); // OFPT_MULTIPART_REPLY
  }, 30_000);
});
