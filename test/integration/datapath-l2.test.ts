/**
 * NORMAL (standalone fail mode) end to end with the real CLI (needs root and the addon):
 *   - MAC learning: once A and B are learned, unicast A→B is not flooded to C;
 *   - VLANs: access ports of VLANs 10 and 20 are isolated; a trunk port carries both, tagged
 *     (its far end is read and written raw: VLAN subinterfaces need the 8021q module, which
 *     not every CI kernel has);
 *   - a port whose peer interface is deleted goes down, the others keep forwarding.
 * All namespaces have IPv6 off, so the counters only see the traffic sent here.
 */
import { it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { needs } from '../tools.js';
import { ping } from './ports-lab.js';
import { AfPacketPort } from '../../src/ports/afpacket.js';
import { Lab, killAll, quietNetns, sh, startSluice } from './datapath-lab.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ip4 = (f: Uint8Array, o: number) => `${f[o]}.${f[o + 1]}.${f[o + 2]}.${f[o + 3]}`;

/** An 802.1Q-tagged ARP frame's VID, op, sender and target IP; undefined for anything else. */
function taggedArp(f: Uint8Array): { vid: number; op: number; spa: string; tpa: string } | undefined {
  if (f.length < 46 || f[12] !== 0x81 || f[13] !== 0x00 || f[16] !== 0x08 || f[17] !== 0x06) return undefined;
  return { vid: ((f[14]! << 8) | f[15]!) & 0xfff, op: f[25]!, spa: ip4(f, 32), tpa: ip4(f, 42) };
}

/** Broadcast ARP who-has `target` from 02:00:00:00:00:44 / 10.83.10.9, tagged with `vid` (IEEE 802.1Q, RFC 826). */
function arpRequest(vid: number, target: string): Uint8Array {
  const f = new Uint8Array(64);
  f.fill(0xff, 0, 6);
  f.set([0x02, 0, 0, 0, 0, 0x44], 6);
  f.set([0x81, 0x00, vid >> 8, vid & 0xff, 0x08, 0x06], 12);
  f.set([0, 1, 0x08, 0x00, 6, 4, 0, 1], 18); // Ethernet/IPv4, request
  f.set([0x02, 0, 0, 0, 0, 0x44, 10, 83, 10, 9], 26);
  f.set(target.split('.').map(Number), 42);
  return f;
}

const need = needs('root', 'native', 'ip', 'ping', 'sysctl', 'tcpdump');

need.describe('NORMAL: learning, VLANs, port loss', () => {
  const lab = new Lab();
  const ns = { A: '', B: '', C: '' };
  const out = (x: string) => lab.name(x + 'o');

  beforeAll(async () => {
    for (const x of ['A', 'B', 'C'] as const) ns[x] = await quietNetns(lab, x);
    await lab.veth(ns.A, 'eth0', out('a'), '10.83.10.1/24');
    await lab.veth(ns.B, 'eth0', out('b'), '10.83.10.2/24');
    await lab.veth(ns.C, 'eth0', out('c'), '10.83.10.3/24');
    // the trunk's far end stays here (ti) and is driven raw by the VLAN test
    await sh(
      `ip link add ${out('t')} type veth peer name ${lab.name('ti')} && ` +
        `sysctl -qw net.ipv6.conf.${out('t')}.disable_ipv6=1 net.ipv6.conf.${lab.name('ti')}.disable_ipv6=1 && ` +
        `ip link set ${out('t')} up && ip link set ${lab.name('ti')} up`,
    );
  });
  afterEach(async () => {
    await killAll(); // a failed test leaves its daemon (and its LOCAL TAP) behind otherwise
  });
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  it('after learning, unicast A→B is not seen at C', async () => {
    const d = await startSluice(['--bridge', lab.name('br'), '--port', out('a'), '--port', out('b'), '--port', out('c')]);
    expect((await ping(ns.A, '10.83.10.2', 1)).ok).toBe(true); // ARP floods, both MACs learned
    // capture ICMP in B and C (promiscuous) while A pings B: B sees it, C must not
    const capture = (n: string) => sh(`ip netns exec ${n} timeout 3 tcpdump -i eth0 -nn -l icmp 2>/dev/null; true`, 10_000);
    const [inB, inC] = [capture(ns.B), capture(ns.C)];
    await new Promise((r) => setTimeout(r, 700));
    const before = await d.stats();
    expect((await ping(ns.A, '10.83.10.2', 5)).ok).toBe(true);
    const after = await d.stats();
    const seen = async (p: Promise<string>) => (await p).split('\n').filter((l) => l.includes('ICMP echo')).length;
    expect(await seen(inB)).toBeGreaterThanOrEqual(10); // 5 requests + 5 replies
    expect(await seen(inC)).toBe(0);
    const delta = (p: string) => after.get(p)!.tx_packets - before.get(p)!.tx_packets;
    expect(delta(out('b'))).toBeGreaterThanOrEqual(5);
    expect(delta(out('a'))).toBeGreaterThanOrEqual(5);
    expect(delta(out('c'))).toBeLessThan(5); // at most stray broadcasts from the LOCAL port
    expect(await d.stop()).toBe(0);
  }, 40_000);

  it('access VLANs are isolated; a trunk carries both, tagged', async () => {
    const d = await startSluice([
      '--bridge', lab.name('br'),
      '--port', `${out('a')}@vlan=access:10`, '--port', `${out('b')}@vlan=access:20`,
      '--port', `${out('c')}@vlan=access:10`, '--port', `${out('t')}@vlan=trunk:10,20`,
    ]);
    // the far end of the trunk, read and written raw from this process
    const trunk = new AfPacketPort(lab.name('ti'), { vnetHdr: false });
    trunk.open();
    const seen: Uint8Array[] = [];
    trunk.onReadable(() => {
      while (trunk.rxBurst() > 0) {
        const b = trunk.burst;
        for (let i = 0; i < b.count; i++) seen.push(b.buf.slice(b.offs[i], b.offs[i]! + b.lens[i]!));
      }
    });
    const send = (f: Uint8Array) => trunk.txBurst({ buf: f, offs: Uint32Array.of(0), lens: Uint32Array.of(f.length), count: 1, vnet: false });
    const arpReplyFrom = (vid: number, ip: string) => seen.some((f) => { const a = taggedArp(f); return a?.vid === vid && a.op === 2 && a.spa === ip; });
    try {
      await sh(`for n in ${ns.A} ${ns.B} ${ns.C}; do ip -n $n neigh flush all; done`);
      expect((await ping(ns.A, '10.83.10.3', 2)).ok).toBe(true); // A and C share VLAN 10
      expect((await ping(ns.A, '10.83.10.2', 2)).ok).toBe(false); // B is in VLAN 20
      // A's ARP for B was flooded in VLAN 10 only: the trunk saw it tagged 10, nothing untagged
      expect(seen.some((f) => { const a = taggedArp(f); return a?.vid === 10 && a.op === 1 && a.tpa === '10.83.10.2'; })).toBe(true);
      // (untagged IPv6 from the LOCAL port may pass in VLAN 0; ARP from the namespaces must be tagged 10)
      const isArp = (f: Uint8Array) => (f[12] === 0x08 && f[13] === 0x06) || taggedArp(f) !== undefined;
      expect(seen.filter((f) => isArp(f) && taggedArp(f)?.vid !== 10).length).toBe(0);
      // tagged frames from the trunk reach the access ports of their VLAN, and replies go back tagged
      send(arpRequest(20, '10.83.10.2'));
      send(arpRequest(10, '10.83.10.1'));
      send(arpRequest(20, '10.83.10.1')); // A is not in VLAN 20: must stay unanswered
      for (let i = 0; i < 100 && !(arpReplyFrom(20, '10.83.10.2') && arpReplyFrom(10, '10.83.10.1')); i++) await sleep(20);
      await sleep(300);
      expect(arpReplyFrom(20, '10.83.10.2')).toBe(true);
      expect(arpReplyFrom(10, '10.83.10.1')).toBe(true);
      expect(arpReplyFrom(20, '10.83.10.1')).toBe(false);
    } finally {
      trunk.onReadable(null);
      trunk.close();
    }
    expect(await d.stop()).toBe(0);
  }, 60_000);

  it('a port whose peer is deleted goes down; the others keep forwarding', async () => {
    const d = await startSluice(['--bridge', lab.name('br'), '--port', out('a'), '--port', out('b'), '--port', out('c')]);
    await sh(`for n in ${ns.A} ${ns.B} ${ns.C}; do ip -n $n neigh flush all; done`);
    expect((await ping(ns.A, '10.83.10.3', 1)).ok).toBe(true);
    const from = d.lines.length;
    await sh(`ip -n ${ns.C} link del eth0`); // takes the switch-side end with it
    await d.waitFor(new RegExp(`port ${out('c')} link down`), 5000, from);
    expect((await d.stats()).get(out('c'))?.link).toBe('down');
    expect((await ping(ns.A, '10.83.10.2', 3)).ok).toBe(true);
    expect((await ping(ns.B, '10.83.10.1', 3)).ok).toBe(true);
    expect(d.exitCode).toBeNull();
    expect(await d.stop()).toBe(0);
  }, 40_000);
});
