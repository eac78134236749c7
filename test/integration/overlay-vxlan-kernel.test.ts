/**
 * Sluice's vxlan port against the Linux kernel's vxlan device (RFC 7348) on the other host:
 *
 *   V1 ── H1: sluice [p1, vxlan:vx1 remote=H2 key=100] ══ underlay ══ H2: br100 [vx100 (kernel), p2] ── V2
 *
 * Asserts, as a user of an overlay would see it: ARP resolves across, ping works both ways,
 * iperf3 TCP runs with the default offloads on (TSO super-frames from V1 are segmented
 * before encapsulation), tshark dissects the captured underlay as VXLAN with VNI 100 and
 * nothing malformed, and the port's counters moved.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { iperf, ping } from './ports-lab.js';
import { Lab, killAll, sh, type Daemon } from './datapath-lab.js';
import { hostSluice, kernelPeer } from './overlay-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'iperf3', 'ethtool', 'tcpdump', 'tshark', 'ovs-ofctl');

need.describe('vxlan port ⇄ kernel vxlan', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ovl-'));
  let d: Daemon;
  let v1 = '';
  let v2 = '';
  let h = { h1: '', h2: '', u1: '', u2: '' };

  beforeAll(async () => {
    ({ v1, v2, ...h } = await kernelPeer(lab, 41));
    d = await hostSluice(h.h1, lab.name('br'), ['p1', `vxlan:vx1,remote_ip=${h.u2},local_ip=${h.u1},key=100`]);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  need.it('resolves ARP and pings both ways across the overlay', async () => {
    expect((await ping(v1, '10.50.0.2')).ok).toBe(true);
    expect((await ping(v2, '10.50.0.1')).ok).toBe(true);
    expect(await sh(`ip -n ${v1} neigh show 10.50.0.2`)).toMatch(/lladdr [0-9a-f:]{17}/);
  });

  need.it('carries iperf3 TCP with the default offloads on', async () => {
    expect(await sh(`ip netns exec ${v1} ethtool -k eth0 2>/dev/null | grep -E '^tcp-segmentation-offload' || true`)).not.toMatch(/: off/);
    const gbps = await iperf(v1, v2, '10.50.0.2', 2);
    expect(gbps).toBeGreaterThan(0.05);
  }, 30_000);

  need.it('puts VXLAN with VNI 100 on the wire, which tshark dissects cleanly', async () => {
    const pcap = join(dir, 'underlay.pcap');
    const cap = sh(`ip netns exec ${h.h2} timeout 4 tcpdump -i u -w ${pcap} -U udp port 4789 2>/dev/null; true`, 10_000);
    await new Promise((r) => setTimeout(r, 800));
    expect((await ping(v1, '10.50.0.2', 3)).ok).toBe(true);
    await cap;
    const out = await sh(`tshark -n -r ${pcap} -T fields -e vxlan.vni -e ip.src -e icmp.type -Y 'vxlan && icmp'`);
    const lines = out.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(6); // 3 requests from Sluice, 3 replies from the kernel
    expect(lines.every((l) => l.startsWith('100\t'))).toBe(true);
    // ip.src lists the outer then the inner source; icmp.type 8 = an echo request from Sluice
    expect(lines.some((l) => l === `100\t${h.u1},10.50.0.1\t8`)).toBe(true);
    expect(await sh(`tshark -n -r ${pcap} -Y '_ws.malformed || _ws.expert.severity >= error' | wc -l`)).toBe('0\n');
  }, 20_000);

  need.it('counts the tunnel port like any other', async () => {
    const s = await d.stats();
    const vx = s.get('vx1')!;
    expect(vx.tx_packets).toBeGreaterThan(10);
    expect(vx.rx_packets).toBeGreaterThan(10);
    expect(vx.link).toBe('up');
  });
});

/**
 * A flow-based port (remote_ip=flow,key=flow), as OVS flow-based tunnels: the controller's
 * rules pick the remote and the VNI with set_field, and match what came in on tun_src and
 * tun_id. The rules go in with ovs-ofctl.
 */
need.describe('flow-based vxlan port: remote and VNI from set_field', () => {
  const lab = new Lab();
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-ovlf-'));
  let v1 = '';
  let v2 = '';
  let h = { h1: '', h2: '', u1: '', u2: '' };
  const br = lab.name('br');
  const ofctl = (args: string) => sh(`ovs-ofctl -O OpenFlow13 ${args}`);

  beforeAll(async () => {
    ({ v1, v2, ...h } = await kernelPeer(lab, 43));
    await hostSluice(h.h1, br, ['p1@ofport=1', `vxlan:vxf,remote_ip=flow,key=flow,local_ip=${h.u1}@ofport=2`], ['--fail-mode', 'secure', '--rundir', rundir]);
    const mgmt = `unix:${rundir}/${br}.mgmt`;
    await ofctl(`add-flow ${mgmt} 'in_port=1,actions=set_field:${h.u2}->tun_dst,set_field:100->tun_id,output:2'`);
    await ofctl(`add-flow ${mgmt} 'in_port=2,tun_src=${h.u2},tun_id=100,actions=output:1'`);
    await ofctl(`add-flow ${mgmt} 'priority=0,actions=drop'`);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(rundir, { recursive: true, force: true });
  });

  need.it('reaches the remote the rule chose, and matches tun_src and tun_id on the way back', async () => {
    expect((await ping(v1, '10.50.0.2')).ok).toBe(true);
    expect((await ping(v2, '10.50.0.1')).ok).toBe(true);
    const dump = await ofctl(`dump-flows unix:${rundir}/${br}.mgmt`);
    const back = dump.split('\n').find((l) => l.includes(`tun_src=${h.u2}`)) ?? '';
    expect(back).toMatch(/tun_id=0x64/);
    expect(Number(/n_packets=(\d+)/.exec(back)?.[1])).toBeGreaterThanOrEqual(4);
  }, 30_000);
});
