/**
 * Sluice's VXLAN, Geneve and GRE encapsulation against scapy's (overlay_scapy.py):
 *
 *   V1 ── H1: sluice standalone [p1, vxlan:vx1 key=100, geneve:gn1 key=200, gre:gr1 key=300] ══ H2 (scapy)
 *
 *  - encapsulation: an ARP broadcast from V1 is flooded into the three tunnels; each packet
 *    captured on H2's underlay equals, byte for byte, the packet scapy builds from the same
 *    header fields and inner frame;
 *  - decapsulation: scapy sends an ARP request inside each tunnel; V1 learns each sender,
 *    and its replies go back into the tunnel the request came from (MAC learned behind it);
 *  - malformed packets (VXLAN flags, Geneve critical option, GRE version, a short header,
 *    a VNI no port takes) are dropped and counted by reason on the daemon's stats.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { captureDuring, ping } from '../integration/ports-lab.js';
import { Lab, killAll, sh, type Daemon } from '../integration/datapath-lab.js';
import { hostSluice, twoHosts, vmBehind } from '../integration/overlay-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ethtool', 'ping', 'tcpdump', 'python3', 'python3:scapy', 'tshark');
const SCAPY = new URL('./overlay_scapy.py', import.meta.url).pathname;
const scapy = (args: string, ns?: string) => sh(`${ns === undefined ? '' : `ip netns exec ${ns} `}/usr/bin/python3 ${SCAPY} ${args}`, 30_000);

need.describe('overlay encapsulation against scapy', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-scapy-'));
  let d: Daemon;
  let v1 = '';
  let h = { h1: '', h2: '', u1: '', u2: '' };

  beforeAll(async () => {
    h = await twoHosts(lab, 42);
    v1 = await vmBehind(lab, h.h1, 'v1', 'p1', '10.50.0.1/24');
    const opts = `remote_ip=${h.u2},local_ip=${h.u1}`;
    d = await hostSluice(h.h1, lab.name('br'), ['p1', `vxlan:vx1,${opts},key=100`, `geneve:gn1,${opts},key=200`, `gre:gr1,${opts},key=300`], ['--metrics', '127.0.0.1:0']);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const capture = (file: string, during: () => Promise<unknown>) =>
    captureDuring(h.h2, 'u', file, 'udp port 4789 or udp port 6081 or ip proto 47', 4, during);

  need.it('encapsulates exactly as scapy does, in all three tunnels', async () => {
    const file = join(dir, 'flood.pcap');
    await capture(file, () => ping(v1, '10.50.0.77', 1)); // nobody: V1's ARP request is flooded
    const rows = (await scapy(`check ${file} ${h.u1}`)).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { proto: string; key: number; same: boolean });
    for (const [proto, key] of [['vxlan', 100], ['geneve', 200], ['gre', 300]] as const) {
      const mine = rows.filter((r) => r.proto === proto);
      expect(mine.length, proto).toBeGreaterThan(0);
      expect(mine.every((r) => r.key === key && r.same), JSON.stringify(mine)).toBe(true);
    }
  }, 30_000);

  need.it('decapsulates scapy-built packets and answers into the tunnel they came from', async () => {
    const file = join(dir, 'replies.pcap');
    await capture(file, () => scapy(`send ${h.u1} vxlan:100:02:00:00:00:00:01:10.50.0.11 geneve:200:02:00:00:00:00:02:10.50.0.12 gre:300:02:00:00:00:00:03:10.50.0.13`, h.h2));
    for (const [ip, mac] of [['10.50.0.11', '02:00:00:00:00:01'], ['10.50.0.12', '02:00:00:00:00:02'], ['10.50.0.13', '02:00:00:00:00:03']]) {
      expect(await sh(`ip -n ${v1} neigh show ${ip}`)).toContain(`lladdr ${mac}`);
    }
    // V1's three ARP replies, each in its own tunnel (NORMAL learned the MACs behind them)
    // (the requests themselves are flooded into the other tunnels too, as OVS floods them)
    const rows = (await scapy(`check ${file} ${h.u1}`)).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { proto: string; key: number; same: boolean; arp_op: number | null });
    const replies = rows.filter((r) => r.arp_op === 2);
    expect(replies.map((r) => `${r.proto}/${r.key}`).sort()).toEqual(['geneve/200', 'gre/300', 'vxlan/100']);
    expect(rows.every((r) => r.same)).toBe(true);
  }, 30_000);

  need.it('drops malformed encapsulations and counts them by reason', async () => {
    await scapy(`send ${h.u1} bad:vxlan-flags bad:vxlan-short bad:vxlan-unknown-vni bad:geneve-critical bad:gre-version`, h.h2);
    await new Promise((r) => setTimeout(r, 300));
    const from = d.lines.length;
    d.child.kill('SIGUSR1');
    await d.waitFor(/stats flow-cache/, 5000, from);
    const line = (proto: string) => d.lines.slice(from).find((l) => l.includes(`stats tunnel ${proto} ${h.u1}`)) ?? '';
    expect(line('vxlan')).toMatch(/short_header=1 bad_flags=1 .*no_port=1/);
    expect(line('geneve')).toMatch(/critical_option=1/);
    expect(line('gre')).toMatch(/bad_version=1/);
    expect(await sh(`ip -n ${v1} neigh show 10.50.0.99`)).toBe(''); // nothing of them reached V1
    // the same counts on /metrics (served on the host's loopback, so fetched from inside it)
    const url = /metrics on (http:\S+)/.exec(await d.waitFor(/metrics on http/))![1]!;
    const page = await sh(`ip netns exec ${h.h1} python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('${url}').read().decode())"`);
    expect(page).toContain(`sluice_tunnel_rx_dropped_total{endpoint="vxlan ${h.u1}:4789",reason="bad_flags"} 1`);
    expect(page).toContain(`sluice_tunnel_rx_dropped_total{endpoint="gre ${h.u1}",reason="bad_version"} 1`);
  }, 20_000);

  need.it('passes Congestion Experienced on to an ECN-capable inner packet and drops a Not-ECT one (RFC 6040)', async () => {
    const file = join(dir, 'ecn.pcap');
    await captureDuring(v1, 'eth0', file, 'udp port 9999', 4, () => scapy(`send ${h.u1} ecn:2 ecn:0`, h.h2));
    // one datagram arrived (the ECT(0) one), marked CE, with a valid IPv4 header checksum
    const got = await sh(`tshark -n -r ${file} -o ip.check_checksum:TRUE -T fields -e ip.dsfield.dscp -e ip.dsfield.ecn -e ip.checksum.status`);
    expect(got.trim().split('\n')).toEqual(['46\t3\t1']); // checksum status 1 = good (0 bad, 2 unverified)
    const from = d.lines.length;
    d.child.kill('SIGUSR1');
    await d.waitFor(/stats flow-cache/, 5000, from);
    expect(d.lines.slice(from).find((l) => l.includes(`stats tunnel vxlan ${h.u1}`))).toMatch(/ecn_ce_not_ect=1/);
  }, 20_000);
});
