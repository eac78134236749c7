/**
 * Sluice's tunnel ports against Open vSwitch 3.1's userspace datapath with native
 * tunneling (the kernel here has no geneve or gretap device; OVS is the peer for all three):
 *
 *   V1 ── H1: sluice [p1, TYPE:tn1 remote=H2 key=K] ══ underlay u ══ H2: OVS netdev br-phy [u] · br-int [TYPE tun0, p2] ── V2
 *
 * for TYPE = vxlan, geneve, gre (and gre with OVS's csum=true). H2 is built by ovs-netdev.sh (beside this file). Asserts,
 * as a user of an overlay would see it: ARP resolves across (and OVS learnt H1's underlay
 * address), ping works both ways, iperf3 TCP runs both ways with the default offloads on in
 * V1, and tshark dissects the captured underlay as TYPE with key K around the inner ICMP,
 * with no malformed packet and no bad IP, UDP or TCP checksum anywhere.
 *
 * V2's transmit offloads are off: OVS's userspace datapath reads p2 with AF_PACKET, which
 * hands it partial checksums as they are (and drops GSO frames), so what V2 sends would reach
 * V1 with bad TCP checksums. OVS's own test suite does the same (CONFIGURE_VETH_OFFLOADS in
 * tests/system-userspace-macros.at); it is a limit of OVS on veth, not of the tunnel.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { captureDuring, iperf, ping } from '../integration/ports-lab.js';
import { Lab, killAll, macOf, sh, type Daemon } from '../integration/datapath-lab.js';
import { hostSluice, twoHosts, vmBehind } from '../integration/overlay-lab.js';
import type { TunnelProto } from '../../src/ports/tunnel-wire.js';

const need = needs(
  'root', 'native', 'ip', 'sysctl', 'ethtool', 'ping', 'iperf3', 'tcpdump', 'tshark',
  'ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-appctl',
);
const OVS_NETDEV = new URL('./ovs-netdev.sh', import.meta.url).pathname;
const ovsNetdev = (args: string, tunOptions = '') => sh(`OVS_TUN_OPTIONS='${tunOptions}' bash ${OVS_NETDEV} ${args}`, 60_000);

interface Case {
  proto: TunnelProto;
  /** underlay subnet 172.31.N.0/24 (41-43 are the kernel and scapy suites') */
  subnet: number;
  key: number;
  /** tcpdump filter for the underlay packets, tshark field with the VNI / key */
  capture: string;
  keyField: string;
  /** more options of OVS's tunnel port, and a tshark filter all of OVS's packets then match */
  ovs?: { options: string; wire: string };
}

const CASES: Case[] = [
  { proto: 'vxlan', subnet: 51, key: 100, capture: 'udp port 4789', keyField: 'vxlan.vni' },
  { proto: 'geneve', subnet: 52, key: 200, capture: 'udp port 6081', keyField: 'geneve.vni' },
  { proto: 'gre', subnet: 53, key: 300, capture: 'ip proto 47', keyField: 'gre.key' },
  // GRE with the checksum present (C bit, RFC 2784): Sluice skips it on receive
  {
    proto: 'gre', subnet: 54, key: 400, capture: 'ip proto 47', keyField: 'gre.key',
    ovs: { options: 'options:csum=true', wire: 'gre.flags.checksum == 1 && gre.flags.key == 1' },
  },
];

for (const c of CASES) {
  need.describe(`${c.proto} port ⇄ Open vSwitch netdev ${c.proto}${c.ovs ? ` (${c.ovs.options})` : ''}`, () => {
    const lab = new Lab();
    const dir = mkdtempSync(join(tmpdir(), `sluice-ovs-${c.proto}-`));
    const ovsDir = join(dir, 'ovs');
    let d: Daemon;
    let v1 = '';
    let v2 = '';
    let h = { h1: '', h2: '', u1: '', u2: '' };

    beforeAll(async () => {
      h = await twoHosts(lab, c.subnet);
      v1 = await vmBehind(lab, h.h1, 'v1', 'p1', '10.50.0.1/24');
      v2 = await vmBehind(lab, h.h2, 'v2', 'p2', '10.50.0.2/24');
      await sh(`ip netns exec ${v2} ethtool -K eth0 tx off >/dev/null`); // see the header
      await ovsNetdev(`start ${h.h2} ${ovsDir} ${c.proto} ${h.u2}/24 ${h.u1} ${c.key} p2`, c.ovs?.options);
      d = await hostSluice(h.h1, lab.name('br'), ['p1', `${c.proto}:tn1,remote_ip=${h.u2},local_ip=${h.u1},key=${c.key}`]);
    }, 60_000);

    afterAll(async () => {
      await killAll();
      await ovsNetdev(`stop ${ovsDir}`).catch(() => undefined);
      await lab.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    need.it('resolves ARP and pings both ways across the overlay', async () => {
      expect((await ping(v1, '10.50.0.2')).ok).toBe(true);
      expect((await ping(v2, '10.50.0.1')).ok).toBe(true);
      expect(await sh(`ip -n ${v1} neigh show 10.50.0.2`)).toContain(`lladdr ${await macOf(v2, 'eth0')}`);
      expect(await sh(`ip -n ${v2} neigh show 10.50.0.1`)).toContain(`lladdr ${await macOf(v1, 'eth0')}`);
      // OVS's tunnel next hop: H1, learnt from the underlay's ARP through br-phy
      expect(await ovsNetdev(`ctl ${ovsDir} ovs-appctl tnl/arp/show`)).toMatch(new RegExp(`^${h.u1.replaceAll('.', '\\.')}\\s+[0-9a-f:]{17}\\s+br-phy`, 'm'));
    }, 30_000);

    need.it('carries iperf3 TCP both ways with the default offloads on in V1', async () => {
      expect(await sh(`ip netns exec ${v1} ethtool -k eth0 | grep -E '^(tx-checksumming|tcp-segmentation-offload):'`)).not.toMatch(/: off/);
      expect(await iperf(v1, v2, '10.50.0.2', 2)).toBeGreaterThan(0.02); // V1's TSO frames: segmented by Sluice
      expect(await iperf(v2, v1, '10.50.0.1', 2)).toBeGreaterThan(0.02);
    }, 60_000);

    need.it(`puts ${c.proto} with key ${c.key} on the wire both ways, which tshark dissects cleanly`, async () => {
      const pcap = join(dir, 'underlay.pcap');
      await captureDuring(h.h1, 'u', pcap, `${c.capture} or icmp`, 6, async () => {
        expect((await ping(v1, '10.50.0.2', 3)).ok).toBe(true);
        expect((await ping(v2, '10.50.0.1', 3)).ok).toBe(true);
        expect(await iperf(v1, v2, '10.50.0.2', 1)).toBeGreaterThan(0.02); // TCP segments for the checksum check
      }, 3000);

      // iperf3's payload (TCP 5201) is decoded as plain data: random bytes would otherwise
      // wake heuristic dissectors (Thrift once reported "Type value not expected" on it)
      const tshark = (args: string) => sh(`tshark -n -r ${pcap} -d tcp.port==5201,data 2>/dev/null ${args}`, 60_000);
      const rows = (await tshark(`-T fields -e ${c.keyField} -e ip.src -e icmp.type -Y '${c.proto} && icmp'`))
        .trim().split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string, string]);
      expect(rows.length).toBeGreaterThanOrEqual(12); // 6 requests and 6 replies
      expect(rows.every(([k]) => Number(k) === c.key)).toBe(true); // gre.key prints as hex
      // ip.src: outer then inner source; icmp.type 8 = echo request, 0 = echo reply
      const seen = new Set(rows.map(([, src, type]) => `${src} ${type}`));
      expect([...seen].sort()).toEqual([
        `${h.u1},10.50.0.1 0`, `${h.u1},10.50.0.1 8`, // Sluice's encapsulation
        `${h.u2},10.50.0.2 0`, `${h.u2},10.50.0.2 8`, // OVS's
      ]);
      expect(Number(await tshark(`-Y '${c.proto} && tcp' | wc -l`))).toBeGreaterThan(100);
      if (c.ovs) {
        const fromOvs = `ip.src == ${h.u2} && ${c.proto}`;
        expect(Number(await tshark(`-Y '${fromOvs}' | wc -l`))).toBeGreaterThan(10);
        expect(await tshark(`-Y '${fromOvs} && !(${c.ovs.wire})' | wc -l`)).toBe('0\n');
      }
      // nothing malformed, no bad checksum (outer IP, UDP when not zero, inner IP and TCP),
      // and no ICMP error from either host's kernel
      const checks = '-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE';
      const bad = await tshark(`${checks} -Y '_ws.malformed || _ws.expert.severity >= error || icmp.type == 3 || icmp.type == 11' -T fields -e frame.number -e ip.src -e udp.srcport -e _ws.expert.message -e icmp.type`);
      expect(bad.trim().split('\n').filter(Boolean).slice(0, 10)).toEqual([]);
    }, 60_000);

    need.it('counts the tunnel port like any other', async () => {
      const s = (await d.stats()).get('tn1')!;
      expect(s.link).toBe('up');
      expect(s.tx_packets).toBeGreaterThan(10);
      expect(s.rx_packets).toBeGreaterThan(10);
    });
  });
}
