/**
 * Data integrity across a two-host Sluice VXLAN overlay, with both userspace offload
 * paths in it (needs root):
 *
 *   V1 ── H1: sluice [p1, vxlan] ══ underlay ══ H2: sluice [vxlan, p2] ── V2
 *
 * V1's TCP sends TSO super-frames; H1 segments them in software and encapsulates each
 * segment; H2 decapsulates and hands consecutive segments to p2 (AF_PACKET with a
 * virtio-net header) merged into GSO super-frames (userspace GRO, native/src/tx.c), whose
 * TCP checksums V2's stack never checks again (they are partial). So the only proof that
 * no byte was lost, reordered or corrupted on the way is the stream itself: a few MB of
 * random bytes must arrive with the sender's sha256 (tcp_sha256.py, both ends).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { ping } from './ports-lab.js';
import { Lab, killAll, sh, type Daemon } from './datapath-lab.js';
import { hostSluice, twoHosts, vmBehind } from './overlay-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ethtool', 'ping', 'python3');
const SCRIPT = fileURLToPath(new URL('./tcp_sha256.py', import.meta.url));
const BYTES = 24 << 20;

/** rx packets and bytes of `dev` in namespace `ns` (ip -s -j). */
async function rxCounters(ns: string, dev: string): Promise<{ packets: number; bytes: number }> {
  const j = JSON.parse(await sh(`ip -n ${ns} -s -j link show ${dev}`)) as { stats64: { rx: { packets: number; bytes: number } } }[];
  return j[0]!.stats64.rx;
}

need.describe('vxlan overlay between two Sluice hosts: TCP data integrity', () => {
  const lab = new Lab();
  const daemons: Daemon[] = [];
  let v1 = '';
  let v2 = '';

  beforeAll(async () => {
    const h = await twoHosts(lab, 44);
    v1 = await vmBehind(lab, h.h1, 'v1', 'p1', '10.50.0.1/24');
    v2 = await vmBehind(lab, h.h2, 'v2', 'p2', '10.50.0.2/24');
    daemons.push(await hostSluice(h.h1, lab.name('b1'), ['p1', `vxlan:vx1,remote_ip=${h.u2},local_ip=${h.u1},key=100`]));
    daemons.push(await hostSluice(h.h2, lab.name('b2'), ['p2', `vxlan:vx2,remote_ip=${h.u1},local_ip=${h.u2},key=100`]));
    expect((await ping(v1, '10.50.0.2')).ok).toBe(true);
  }, 90_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  need.it(`${BYTES >> 20} MiB of random bytes arrive with the sender's sha256`, async () => {
    const before = await rxCounters(v2, 'eth0');
    const recv = sh(`ip netns exec ${v2} timeout 60 python3 ${SCRIPT} recv 10.50.0.2 5599`, 65_000);
    recv.catch(() => undefined);
    const sent = (await sh(`ip netns exec ${v1} timeout 60 python3 ${SCRIPT} send 10.50.0.2 5599 ${BYTES}`, 65_000)).trim();
    const got = (await recv).trim();
    expect(sent).toMatch(new RegExp(`^${BYTES} [0-9a-f]{64}$`));
    expect(got).toBe(sent);
    // V2 received fewer, larger packets than the ~1400-byte segments on the wire: the
    // segments were merged on the way in (GRO on H2's output to p2).
    const after = await rxCounters(v2, 'eth0');
    const avg = (after.bytes - before.bytes) / (after.packets - before.packets);
    console.log(`V2 eth0: ${after.packets - before.packets} packets, ${avg.toFixed(0)} bytes on average`);
    expect(avg).toBeGreaterThan(1500);
    const s = await daemons[1]!.stats();
    expect(s.get('p2')!.tx_errors).toBe(0);
  }, 90_000);
});
