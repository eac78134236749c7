/**
 * Two "hosts" for overlay tests, each a network namespace with an underlay address, joined
 * by one underlay veth; each host has "VMs" (namespaces) behind it:
 *
 *   V1 (10.50.0.1/24, MTU 1450) ── veth ── H1 (172.31.U.1) ══ underlay ══ H2 (172.31.U.2) ── veth ── V2 (10.50.0.2/24)
 *
 * More hosts share one underlay: `hosts(lab, subnet, n)` puts a Linux bridge in its own
 * namespace (`ul`) and joins host i (172.31.U.i) to it:
 *
 *   H1 (172.31.U.1) ─┐
 *   H2 (172.31.U.2) ─┼─ ul: bridge ub
 *   H3 (172.31.U.3) ─┘
 *
 * Which switch runs on each host is the test's: `hostSluice` starts a Sluice daemon inside
 * a host with the given ports (`hostSluiceBridges`: several bridges, one daemon, as a host
 * with one bridge per tenant runs it); `hostKernelVxlan` builds a Linux bridge with a
 * kernel vxlan device. Everything is named with the lab prefix; Lab.cleanup removes the
 * namespaces (and so every link in them), killAll() the daemons.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lab, quietNetns, sh, sluice, type Daemon } from './datapath-lab.js';

interface Hosts {
  h1: string;
  h2: string;
  /** underlay addresses of h1 and h2 */
  u1: string;
  u2: string;
}

/** Two hosts joined by an underlay veth (named `u` in each host). The underlay does not
 * offload transmit checksums: like a wire behind a NIC, it delivers complete checksums.
 * (A veth would hand the peer a kernel vxlan's inner TCP checksum still partial, which a
 * userspace endpoint reading a UDP socket cannot tell from a bad one.) */
export async function twoHosts(lab: Lab, subnet: number): Promise<Hosts> {
  const h1 = await quietNetns(lab, 'h1');
  const h2 = await quietNetns(lab, 'h2');
  const u1 = `172.31.${subnet}.1`;
  const u2 = `172.31.${subnet}.2`;
  await sh(
    `ip -n ${h1} link add u type veth peer name u netns ${h2} && ` +
      `ip -n ${h1} addr add ${u1}/24 dev u && ip -n ${h1} link set u up && ` +
      `ip -n ${h2} addr add ${u2}/24 dev u && ip -n ${h2} link set u up && ` +
      `ip netns exec ${h1} ethtool -K u tx off >/dev/null && ip netns exec ${h2} ethtool -K u tx off >/dev/null`,
  );
  return { h1, h2, u1, u2 };
}

/** `n` hosts (`h1`..`hN`, underlay address 172.31.`subnet`.i on their `u`) joined by a
 * Linux bridge in the namespace `ul`; transmit checksums off on each `u` as in twoHosts. */
export async function hosts(lab: Lab, subnet: number, n: number): Promise<{ ns: string[]; addr: string[] }> {
  const ul = await quietNetns(lab, 'ul');
  await sh(`ip -n ${ul} link add ub type bridge && ip -n ${ul} link set ub up`);
  const ns: string[] = [];
  const addr: string[] = [];
  for (let i = 1; i <= n; i++) {
    const h = await quietNetns(lab, `h${i}`);
    const a = `172.31.${subnet}.${i}`;
    await sh(
      `ip -n ${h} link add u type veth peer name h${i} netns ${ul} && ` +
        `ip -n ${ul} link set h${i} master ub && ip -n ${ul} link set h${i} up && ` +
        `ip -n ${h} addr add ${a}/24 dev u && ip -n ${h} link set u up && ip netns exec ${h} ethtool -K u tx off >/dev/null`,
    );
    ns.push(h);
    addr.push(a);
  }
  return { ns, addr };
}

/** A VM namespace `vm` with eth0 (addr, MTU) whose other end is `port` in `host`. */
export async function vmBehind(lab: Lab, host: string, vm: string, port: string, addr: string, mtu = 1450): Promise<string> {
  const ns = await quietNetns(lab, vm);
  await sh(
    `ip -n ${host} link add ${port} type veth peer name eth0 netns ${ns} && ip -n ${host} link set ${port} up && ` +
      `ip -n ${ns} link set eth0 mtu ${mtu} && ip -n ${ns} addr add ${addr} dev eth0 && ip -n ${ns} link set eth0 up`,
  );
  return ns;
}

/** A VM namespace `vm` on a TAP port: moves `dev` (a `tap:` port Sluice created in `host`)
 * into it, as a hypervisor hands a TAP to a VM, and addresses it there. The port keeps its
 * fd, so it keeps forwarding (tap.ts). */
export async function vmOnTap(lab: Lab, host: string, vm: string, dev: string, addr: string, mtu = 1450): Promise<string> {
  const ns = await quietNetns(lab, vm);
  await sh(
    `ip -n ${host} link set ${dev} netns ${ns} && ip netns exec ${ns} sysctl -qw net.ipv6.conf.${dev}.disable_ipv6=1 && ` +
      `ip -n ${ns} link set ${dev} mtu ${mtu} && ip -n ${ns} addr add ${addr} dev ${dev} && ip -n ${ns} link set ${dev} up`,
  );
  return ns;
}

/** `sluice start` inside `host` with one bridge; resolves when the bridge is up. */
export async function hostSluice(host: string, bridge: string, ports: string[], extra: string[] = []): Promise<Daemon> {
  const d = sluice(['start', '--bridge', bridge, ...ports.flatMap((p) => ['--port', p]), ...extra], host);
  await d.waitFor(/bridge started/, 30_000);
  await sh(`ip netns exec ${host} sysctl -qw net.ipv6.conf.${bridge}.disable_ipv6=1`);
  return d;
}

interface BridgeSpec {
  name: string;
  /** `--port` syntax */
  ports: string[];
  failMode?: 'standalone' | 'secure';
}

/** `sluice start --config` inside `host` with several bridges (one daemon: its tunnel ports
 * on one local_ip share the underlay socket); resolves when every bridge is up. */
export async function hostSluiceBridges(host: string, bridges: BridgeSpec[], extra: string[] = []): Promise<Daemon> {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-cfg-')), 'bridges.json');
  writeFileSync(file, JSON.stringify({ bridges: bridges.map((b) => ({ failMode: 'standalone', ...b })) }, null, 2));
  const d = sluice(['start', '--config', file, ...extra], host);
  for (const b of bridges) {
    await d.waitFor(new RegExp(`${b.name}: bridge started`), 30_000);
    await sh(`ip netns exec ${host} sysctl -qw net.ipv6.conf.${b.name}.disable_ipv6=1`);
  }
  return d;
}

/** A Linux bridge in `host` joining `ports` and a kernel vxlan device (VNI, remote). */
export async function hostKernelVxlan(host: string, vni: number, local: string, remote: string, ports: string[], dev = `vx${vni}`): Promise<void> {
  await sh(
    `ip -n ${host} link add br${vni} type bridge && ip -n ${host} link set br${vni} up && ` +
      `ip -n ${host} link add ${dev} type vxlan id ${vni} local ${local} remote ${remote} dstport 4789 && ` +
      `ip -n ${host} link set ${dev} master br${vni} && ip -n ${host} link set ${dev} up` +
      ports.map((p) => ` && ip -n ${host} link set ${p} master br${vni}`).join(''),
  );
}

/** The kernel-peer topology: V1 behind H1 (whose switch the caller starts, port p1), V2
 * behind H2, bridged there with a kernel vxlan device of VNI 100 whose remote is H1. */
export async function kernelPeer(lab: Lab, subnet: number): Promise<Hosts & { v1: string; v2: string }> {
  const h = await twoHosts(lab, subnet);
  const v1 = await vmBehind(lab, h.h1, 'v1', 'p1', '10.50.0.1/24');
  const v2 = await vmBehind(lab, h.h2, 'v2', 'p2', '10.50.0.2/24');
  await hostKernelVxlan(h.h2, 100, h.u2, h.u1, ['p2']);
  return { ...h, v1, v2 };
}
