/**
 * Sluice on both hosts, two tenants on one underlay, for each of vxlan, geneve and gre:
 *
 *   A1 10.50.0.1 ─ pa ┐                                                ┌ pa ─ A2 10.50.0.2
 *                     ├ H1: sluice [bra: pa, ta key=100]  ══ underlay ══ H2: sluice [bra: pa, ta key=100]
 *   B1 10.50.0.1 ─ vb ┘          [brb: tap:vb, tb key=200]                   [brb: tap:vb, tb key=200] └ vb ─ B2 10.50.0.2
 *
 * What a user would do: one bridge per tenant (standalone, NORMAL learning), each with the
 * tenant's VM ports and one tunnel port of the tenant's VNI / key. Tenant A's VMs are on
 * veths, tenant B's on TAP ports that Sluice created and the test moved into the VMs. Both tenants use the SAME
 * inner addresses (and both tunnel ports of a host share one underlay socket), so only the
 * VNI keeps them apart. Asserts: ping both ways in each tenant; iperf3 TCP with the default
 * offloads on (a small floor, never a speed); tenant B's VM sees none of tenant A's frames
 * while A resolves ARP (broadcast) and pings, though it sees its own tenant's; tshark on
 * the underlay sees both VNIs / keys and nothing malformed.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { captureDuring, iperf, ping } from './ports-lab.js';
import { Lab, killAll, macOf, sh, type Daemon } from './datapath-lab.js';
import { hosts, hostSluiceBridges, twoHosts, vmBehind, vmOnTap } from './overlay-lab.js';
import type { TunnelProto } from '../../src/ports/tunnel-wire.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'iperf3', 'ethtool', 'tcpdump', 'tshark');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How each protocol looks on the underlay: capture filter and tshark's key field. */
const WIRE: Record<TunnelProto, { filter: string; field: string; subnet: number }> = {
  vxlan: { filter: 'udp port 4789', field: 'vxlan.vni', subnet: 61 },
  geneve: { filter: 'udp port 6081', field: 'geneve.vni', subnet: 62 },
  gre: { filter: 'ip proto 47', field: 'gre.key', subnet: 63 },
};

for (const proto of ['vxlan', 'geneve', 'gre'] as const) {
  need.describe(`${proto}: Sluice ⇄ Sluice, two tenants on VNI/key 100 and 200`, () => {
    const lab = new Lab();
    const dir = mkdtempSync(join(tmpdir(), `sluice-pair-${proto}-`));
    const vm = { a1: '', a2: '', b1: '', b2: '' };
    let h2 = '';
    const tapB = lab.name('vb');

    beforeAll(async () => {
      const h = await twoHosts(lab, WIRE[proto].subnet);
      h2 = h.h2;
      vm.a1 = await vmBehind(lab, h.h1, 'a1', 'pa', '10.50.0.1/24');
      vm.a2 = await vmBehind(lab, h.h2, 'a2', 'pa', '10.50.0.2/24');
      const tenants = (local: string, remote: string) => [
        { name: lab.name('bra'), ports: ['pa', `${proto}:ta,remote_ip=${remote},local_ip=${local},key=100`] },
        { name: lab.name('brb'), ports: [`tap:${tapB}`, `${proto}:tb,remote_ip=${remote},local_ip=${local},key=200`] },
      ];
      await hostSluiceBridges(h.h1, tenants(h.u1, h.u2));
      await hostSluiceBridges(h.h2, tenants(h.u2, h.u1));
      vm.b1 = await vmOnTap(lab, h.h1, 'b1', tapB, '10.50.0.1/24');
      vm.b2 = await vmOnTap(lab, h.h2, 'b2', tapB, '10.50.0.2/24');
    }, 90_000);

    afterAll(async () => {
      await killAll();
      await lab.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    need.it('pings both ways in each tenant', async () => {
      expect((await ping(vm.a1, '10.50.0.2')).ok).toBe(true);
      expect((await ping(vm.a2, '10.50.0.1')).ok).toBe(true);
      expect((await ping(vm.b1, '10.50.0.2')).ok).toBe(true);
      expect((await ping(vm.b2, '10.50.0.1')).ok).toBe(true);
      // each tenant resolved its own peer: the MACs learned differ per tenant
      const mac = async (ns: string) => /lladdr ([0-9a-f:]{17})/.exec(await sh(`ip -n ${ns} neigh show 10.50.0.2`))?.[1];
      expect(await mac(vm.a1)).toBe(await macOf(vm.a2, 'eth0'));
      expect(await mac(vm.b1)).toBe(await macOf(vm.b2, tapB));
    }, 30_000);

    need.it('carries iperf3 TCP in each tenant with the default offloads on (veth and TAP)', async () => {
      const tso = (ns: string, dev: string) => sh(`ip netns exec ${ns} ethtool -k ${dev} 2>/dev/null | grep -E '^tcp-segmentation-offload' || true`);
      expect(await tso(vm.a1, 'eth0')).toMatch(/: on/);
      expect(await tso(vm.b2, tapB)).toMatch(/: on/);
      expect(await iperf(vm.a1, vm.a2, '10.50.0.2', 2)).toBeGreaterThan(0.05);
      expect(await iperf(vm.b2, vm.b1, '10.50.0.1', 2)).toBeGreaterThan(0.05);
    }, 60_000);

    need.it("keeps tenant A's frames (ARP broadcast and ICMP) away from tenant B's VM", async () => {
      const pcap = join(dir, 'b2.pcap');
      const macA1 = await macOf(vm.a1, 'eth0');
      const macA2 = await macOf(vm.a2, 'eth0');
      const macB1 = await macOf(vm.b1, tapB);
      await captureDuring(vm.b2, tapB, pcap, '', 5, async () => {
        // A forgets its neighbour: its ARP request is a broadcast the bridges flood
        await sh(`ip -n ${vm.a1} neigh flush all && ip -n ${vm.b1} neigh flush all`);
        const [a, b] = await Promise.all([ping(vm.a1, '10.50.0.2', 4), ping(vm.b1, '10.50.0.2', 2)]);
        expect(a.ok && b.ok).toBe(true);
      });
      const frames = (await sh(`tcpdump -e -nn -r ${pcap} 2>/dev/null`)).split('\n').filter(Boolean);
      // the capture works (B's own ARP and pings are there) and holds nothing of A
      expect(frames.filter((l) => l.includes(macB1)).length).toBeGreaterThanOrEqual(3);
      expect(frames.filter((l) => l.includes(macA1) || l.includes(macA2))).toEqual([]);
    }, 20_000);

    need.it(`puts both ${proto === 'gre' ? 'keys' : 'VNIs'} on the underlay, which tshark dissects cleanly`, async () => {
      const pcap = join(dir, 'underlay.pcap');
      await captureDuring(h2, 'u', pcap, WIRE[proto].filter, 4, async () => {
        const [a, b] = await Promise.all([ping(vm.a1, '10.50.0.2', 3), ping(vm.b1, '10.50.0.2', 3)]);
        expect(a.ok && b.ok).toBe(true);
      });
      const out = await sh(`tshark -n -r ${pcap} -T fields -e ${WIRE[proto].field} -Y icmp`);
      const keys = out.trim().split('\n').filter(Boolean).map(Number);
      expect(keys.filter((k) => k === 100).length).toBeGreaterThanOrEqual(6);
      expect(keys.filter((k) => k === 200).length).toBeGreaterThanOrEqual(6);
      expect(keys.every((k) => k === 100 || k === 200)).toBe(true);
      expect(await sh(`tshark -n -r ${pcap} -d tcp.port==5201,data -Y '_ws.malformed || _ws.expert.severity >= error' | wc -l`)).toBe('0\n');
    }, 20_000);
  });
}

/**
 * Three Sluice hosts in a full mesh of fixed-remote vxlan ports, standalone (NORMAL): the
 * way one grows the two-host setup. NORMAL's split horizon (normal.ts) keeps a broadcast
 * that came out of one tunnel from going into the others; without it every ARP request
 * would circle the mesh forever. Asserts every pair pings and the tunnels carried only a
 * handful of packets.
 */
need.describe('vxlan: three Sluice hosts in a full mesh (NORMAL)', () => {
  const lab = new Lab();
  const vms: string[] = [];
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    const h = await hosts(lab, 65, 3);
    for (let i = 0; i < 3; i++) {
      vms.push(await vmBehind(lab, h.ns[i]!, `v${i + 1}`, 'p1', `10.50.0.${i + 1}/24`));
      const mesh = [0, 1, 2].filter((j) => j !== i).map((j) => `vxlan:t${j + 1},remote_ip=${h.addr[j]},local_ip=${h.addr[i]},key=100`);
      daemons.push(await hostSluiceBridges(h.ns[i]!, [{ name: lab.name('br'), ports: ['p1', ...mesh] }]));
    }
  }, 90_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  need.it('pings every pair, and a broadcast does not circle the mesh', async () => {
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) expect((await ping(vms[a]!, `10.50.0.${b + 1}`, 2)).ok).toBe(true);
    await sleep(1000);
    let tunnelRx = 0;
    for (const d of daemons) for (const [name, c] of await d.stats()) if (/^t\d$/.test(name)) tunnelRx += c.rx_packets;
    // 3 ARP exchanges and 3 × 2 echo pairs are ~ 20 packets on the mesh; a loop makes thousands
    expect(tunnelRx).toBeGreaterThanOrEqual(12);
    expect(tunnelRx).toBeLessThan(100);
  }, 30_000);

  need.it('gives the three bridges of one name three datapath ids (one controller can manage them all)', async () => {
    const ids = await Promise.all(daemons.map(async (d) => /bridge started \(dpid (0x[0-9a-f]+)/.exec(await d.waitFor(/bridge started/))![1]));
    expect(new Set(ids).size).toBe(3);
  });
});
