/**
 * Sluice's vxlan port against the Linux kernel's vxlan device (RFC 7348) on the other host:
 *
 *   V1 ── H1: sluice [p1, vxlan:vx1 remote=H2 key=100] ══ underlay ══ H2: br100 [vx100 (kernel), p2] ── V2
 *
 * Asserts, as a user of an overlay would see it: ARP resolves across, ping works both ways,
 * iperf3 TCP runs with the default offloads on (TSO super-frames from V1 are segmented
 * before encapsulation and leave with UDP GSO: MTU-sized datagrams with valid, non-zero
 * UDP checksums and one source port for the flow, checked with tshark), tshark dissects
 * the captured underlay as VXLAN with VNI 100 and nothing malformed, and the port's
 * counters moved.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { captureDuring, iperf, ping, startCapture } from './ports-lab.js';
import { Lab, killAll, sh, type Daemon } from './datapath-lab.js';
import { hostKernelVxlan, hostSluice, hosts, kernelPeer, vmBehind } from './overlay-lab.js';

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
    await captureDuring(h.h2, 'u', pcap, 'udp port 4789', 4, async () => expect((await ping(v1, '10.50.0.2', 3)).ok).toBe(true));
    const out = await sh(`tshark -n -r ${pcap} -T fields -e vxlan.vni -e ip.src -e icmp.type -Y 'vxlan && icmp'`);
    const lines = out.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(6); // 3 requests from Sluice, 3 replies from the kernel
    expect(lines.every((l) => l.startsWith('100\t'))).toBe(true);
    // ip.src lists the outer then the inner source; icmp.type 8 = an echo request from Sluice
    expect(lines.some((l) => l === `100\t${h.u1},10.50.0.1\t8`)).toBe(true);
    expect(await sh(`tshark -n -r ${pcap} -d tcp.port==5201,data -Y '_ws.malformed || _ws.expert.severity >= error' | wc -l`)).toBe('0\n');
  }, 20_000);

  need.it('TCP super-frames leave as UDP GSO datagrams: MTU-sized, valid non-zero UDP checksums, one source port per flow', async () => {
    const pcap = join(dir, 'gso.pcap');
    await captureDuring(h.h2, 'u', pcap, `udp port 4789 and src host ${h.u1}`, 5, () => iperf(v1, v2, '10.50.0.2', 1), 3000);
    // the underlay veth's transmit checksum offload is off: what tcpdump sees on H2 is the final checksum
    const rows = (await sh(`tshark -n -r ${pcap} -o udp.check_checksum:TRUE -E occurrence=f -T fields -e ip.len -e udp.srcport -e udp.checksum -e udp.checksum.status -e tcp.srcport`))
      .trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
    const big = rows.filter((r) => Number(r[0]) > 1000); // the iperf3 data flow's segments
    expect(big.length).toBeGreaterThan(100);
    expect(big.every((r) => Number(r[0]) <= 1500)).toBe(true);
    // GSO super-frames leave with the kernel's checksum (status 1 = good); a lone segment
    // without GSO goes through the raw socket with checksum 0 (allowed, not verified)
    const gso = big.filter((r) => r[2] !== '0x0000');
    expect(gso.length).toBeGreaterThan(big.length / 2);
    expect(gso.filter((r) => r[3] !== '1'), 'bad UDP checksums').toEqual([]);
    const dataPort = big[0]![4];
    expect(new Set(rows.filter((r) => r[4] === dataPort).map((r) => r[1])).size).toBe(1); // one flow, one source port
  }, 30_000);

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

/**
 * One flow-based port, two remotes: H1 runs Sluice with `vxlan:vxf,remote_ip=flow,key=flow`;
 * H2 and H3 run kernel vxlan devices towards H1, all three on one bridged underlay:
 *
 *   V1 10.50.0.1 ─ H1: sluice [p1, vxf (flow)] ═╗
 *   V2 10.50.0.2 ─ H2: br100 [vx100 → H1]  ═════╬═ ul: bridge
 *   V3 10.50.0.3 ─ H3: br100 [vx100 → H1]  ═════╝
 *
 * The rules pick the remote by the inner destination (nw_dst for IP, arp_tpa for ARP), as
 * a controller of flow-based tunnels would. Each peer is reached, and captures on the
 * other peer's underlay interface show that nothing of that conversation went there.
 */
need.describe('flow-based vxlan port: one port, a remote per destination (three hosts)', () => {
  const lab = new Lab();
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-ovl3-'));
  const br = lab.name('br');
  const ofctl = (args: string) => sh(`ovs-ofctl -O OpenFlow13 ${args}`);
  let h: { ns: string[]; addr: string[] } = { ns: [], addr: [] };
  const v: string[] = [];

  beforeAll(async () => {
    h = await hosts(lab, 64, 3);
    const [h1, h2, h3] = h.ns as [string, string, string];
    const [u1, u2, u3] = h.addr as [string, string, string];
    v.push(await vmBehind(lab, h1, 'v1', 'p1', '10.50.0.1/24'));
    v.push(await vmBehind(lab, h2, 'v2', 'p2', '10.50.0.2/24'));
    v.push(await vmBehind(lab, h3, 'v3', 'p3', '10.50.0.3/24'));
    await hostKernelVxlan(h2, 100, u2, u1, ['p2']);
    await hostKernelVxlan(h3, 100, u3, u1, ['p3']);
    await hostSluice(h1, br, ['p1@ofport=1', `vxlan:vxf,remote_ip=flow,key=flow,local_ip=${u1}@ofport=2`], ['--fail-mode', 'secure', '--rundir', rundir]);
    const mgmt = `unix:${rundir}/${br}.mgmt`;
    for (const [inner, remote] of [['10.50.0.2', u2], ['10.50.0.3', u3]]) {
      const to = `actions=set_field:${remote}->tun_dst,set_field:100->tun_id,output:2`;
      await ofctl(`add-flow ${mgmt} 'in_port=1,ip,nw_dst=${inner},${to}'`);
      await ofctl(`add-flow ${mgmt} 'in_port=1,arp,arp_tpa=${inner},${to}'`);
    }
    await ofctl(`add-flow ${mgmt} 'in_port=2,tun_id=100,actions=output:1'`);
    await ofctl(`add-flow ${mgmt} 'priority=0,actions=drop'`);
  }, 90_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(rundir, { recursive: true, force: true });
  });

  need.it('reaches each peer by ping, both ways', async () => {
    expect((await ping(v[0]!, '10.50.0.2')).ok).toBe(true);
    expect((await ping(v[0]!, '10.50.0.3')).ok).toBe(true);
    expect((await ping(v[1]!, '10.50.0.1')).ok).toBe(true);
    expect((await ping(v[2]!, '10.50.0.1')).ok).toBe(true);
  }, 30_000);

  /** VXLAN datagrams captured on each host's underlay while V1 pings `dst`. */
  async function vxlanSeen(dst: string): Promise<number[]> {
    const pcaps = h.ns.map((_, i) => join(rundir, `u${i + 1}-${dst}.pcap`));
    const ends = await Promise.all(h.ns.map((ns, i) => startCapture(ns, 'u', pcaps[i]!, 'udp port 4789', 4)));
    await sh(`ip -n ${v[0]} neigh flush all`); // the ARP request must be steered too
    expect((await ping(v[0]!, dst, 3)).ok).toBe(true);
    await Promise.all(ends.map((end) => end()));
    const counts: number[] = [];
    for (const f of pcaps) counts.push(Number(await sh(`tshark -n -r ${f} -Y vxlan | wc -l`)));
    expect(await sh(`tshark -n -r ${pcaps[0]} -d tcp.port==5201,data -Y '_ws.malformed || _ws.expert.severity >= error' | wc -l`)).toBe('0\n');
    return counts;
  }

  need.it("sends V1 → V2 only to H2 and V1 → V3 only to H3 (captures on the other's underlay)", async () => {
    const toV2 = await vxlanSeen('10.50.0.2');
    expect(toV2[1]).toBeGreaterThanOrEqual(8); // ARP and 3 echo requests and their replies
    expect(toV2[2]).toBe(0);
    const toV3 = await vxlanSeen('10.50.0.3');
    expect(toV3[2]).toBeGreaterThanOrEqual(8);
    expect(toV3[1]).toBe(0);
  }, 30_000);
});

/**
 * A frame that does not fit the underlay once encapsulated: with df=true (the default) the
 * kernel refuses the outer packet and the port counts it as tx_dropped, nothing goes out
 * fragmented; with df=false the kernel fragments the outer packet and the kernel vxlan peer
 * reassembles it. The VMs' MTU is 1500 here, the underlay's 1400.
 */
need.describe('underlay MTU: df=true drops and counts, df=false fragments', () => {
  const lab = new Lab();
  let v1 = '';
  let v2 = '';
  let h = { h1: '', h2: '', u1: '', u2: '' };

  beforeAll(async () => {
    ({ v1, v2, ...h } = await kernelPeer(lab, 44));
    await sh(`ip -n ${h.h1} link set u mtu 1400 && ip -n ${h.h2} link set u mtu 1400 && ` +
      `ip -n ${v1} link set eth0 mtu 1500 && ip -n ${v2} link set eth0 mtu 1500`);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  const big = (ns: string, dst: string) => sh(`ip netns exec ${ns} ping -c 3 -i 0.2 -W 2 -M do -s 1420 ${dst}`).then(() => true, () => false);
  const fragments = async (during: () => Promise<unknown>) => {
    const cap = sh(`ip netns exec ${h.h2} timeout 4 tcpdump -n -i u -c 50 'ip[6:2] & 0x3fff != 0' 2>/dev/null; true`, 10_000);
    await new Promise((r) => setTimeout(r, 800));
    await during();
    return (await cap).split('\n').filter(Boolean);
  };

  need.it('df=true: small frames pass, a 1448-byte frame is dropped and counted, no fragment on the wire', async () => {
    const d = await hostSluice(h.h1, lab.name('br'), ['p1', `vxlan:vx1,remote_ip=${h.u2},local_ip=${h.u1},key=100`]);
    try {
      expect((await ping(v1, '10.50.0.2')).ok).toBe(true);
      const before = (await d.stats()).get('vx1')!;
      let ok = true;
      expect(await fragments(async () => { ok = await big(v1, '10.50.0.2'); })).toEqual([]);
      expect(ok).toBe(false);
      const after = (await d.stats()).get('vx1')!;
      expect(after.tx_dropped - before.tx_dropped).toBeGreaterThanOrEqual(3);
    } finally {
      await d.stop();
    }
  }, 40_000);

  need.it('df=false: the same frames cross, as outer fragments', async () => {
    await hostSluice(h.h1, lab.name('br'), ['p1', `vxlan:vx1,remote_ip=${h.u2},local_ip=${h.u1},key=100,df=false`]);
    expect((await ping(v1, '10.50.0.2')).ok).toBe(true);
    let ok = false;
    // 3 requests and 3 replies, each in two outer fragments
    expect((await fragments(async () => { ok = await big(v1, '10.50.0.2'); })).filter((l) => /ip-proto-17|VXLAN/.test(l)).length).toBeGreaterThanOrEqual(12);
    expect(ok).toBe(true);
  }, 40_000);
});
