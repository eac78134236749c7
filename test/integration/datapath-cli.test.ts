/**
 * `sluice start` end to end (needs root and the native addon): the real CLI as a child
 * process forwarding between namespaces.
 *   - user mistakes: one line `sluice: ...`, exit 2 (bad flag, missing interface);
 *   - two namespaces over AF_PACKET ports: ping both ways, ARP resolved, counters from
 *     SIGUSR1, iperf3 TCP with the default offloads on, clean stop (exit 0, LOCAL TAP gone);
 *   - the same over TAP ports created by the daemon and moved into the namespaces.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { iperf, ping } from './ports-lab.js';
import { Lab, killAll, macOf, quietNetns, sh, sluice, startSluice, type Daemon } from './datapath-lab.js';

const need = needs('root', 'native', 'ethtool', 'ip', 'iperf3', 'ping', 'sysctl');

describe('sluice start: user mistakes', () => {
  it('a bad flag prints one line and exits 2', async () => {
    const d = sluice(['start', '--bridge', 'br0', '--frobnicate']);
    expect(await d.wait()).toBe(2);
    expect(d.lines).toEqual(["sluice: unknown option '--frobnicate'"]);
  });

  it('a bad value names the flag and exits 2', async () => {
    const d = sluice(['start', '--bridge', 'br0', '--fail-mode', 'open', '--port', 'veth-a']);
    expect(await d.wait()).toBe(2);
    expect(d.lines).toEqual(['sluice: --fail-mode "open": expected standalone or secure']);
    const e = sluice(['start', '--bridge', 'br0', '--dpid', 'nothex']);
    expect(await e.wait()).toBe(2);
    expect(e.lines).toHaveLength(1);
    expect(e.lines[0]).toMatch(/^sluice: --dpid "nothex"/);
  });

  it('an invalid config file names the file and the problem, exit 2', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'sluice-it-')), 'bad.json');
    writeFileSync(f, JSON.stringify({ bridges: [{ name: 'br0', ports: [{ spec: 'veth-a', ofport: 'one' }] }] }));
    const d = sluice(['start', '--config', f]);
    expect(await d.wait()).toBe(2);
    expect(d.lines).toEqual([`sluice: config ${f}: bridges[0].ports[0].ofport: expected an integer 1..4294967040`]);
  });

  need.it('a tunnel port with a bad remote_ip, key or local_ip prints one line naming the option and exits 2', async () => {
    const cases: [string, RegExp][] = [
      ['vxlan:t1,key=5', /remote_ip/],
      ['vxlan:t1,remote_ip=10.9.9,key=5', /remote_ip "10\.9\.9" is not an IPv4 address/],
      ['geneve:t1,remote_ip=10.9.9.9,key=16777216', /key "16777216" is out of range/],
      // 192.0.2.0/24 (TEST-NET-1) is on no interface of this machine
      ['gre:t1,remote_ip=10.9.9.9,local_ip=192.0.2.77,key=1', /local_ip 192\.0\.2\.77 is not an address of this host/],
    ];
    const br = new Lab().name('br');
    for (const [spec, re] of cases) {
      const d = sluice(['start', '--bridge', br, '--port', spec]);
      expect(await d.wait()).toBe(2);
      const errs = d.lines.filter((l) => l.startsWith('sluice: '));
      expect(errs, spec).toHaveLength(1);
      expect(errs[0], spec).toMatch(re);
      expect(errs[0], spec).toMatch(/t1/);
    }
    await expect(sh(`ip link show ${br}`)).rejects.toThrow(); // no LOCAL port left behind
  }, 60_000);

  need.it('a missing interface prints one line naming it and exits 2', async () => {
    const lab = new Lab();
    const missing = lab.name('nx');
    const d = sluice(['start', '--bridge', lab.name('br'), '--port', missing]);
    try {
      expect(await d.wait()).toBe(2);
      const errs = d.lines.filter((l) => l.startsWith('sluice: '));
      expect(errs).toHaveLength(1);
      expect(errs[0]).toContain(`no interface ${missing} in this namespace`);
      expect(errs[0]).toMatch(new RegExp(`port "?${missing}`));
      // the LOCAL port it may have opened before failing was removed again
      await expect(sh(`ip link show ${lab.name('br')}`)).rejects.toThrow();
    } finally {
      await lab.cleanup();
    }
  });
});

need.describe('sluice start: two namespaces over AF_PACKET', () => {
  const lab = new Lab();
  let A = '';
  let B = '';
  let d: Daemon;

  beforeAll(async () => {
    A = await quietNetns(lab, 'A');
    B = await quietNetns(lab, 'B');
    await lab.veth(A, lab.name('ai'), lab.name('ao'), '10.81.0.1/24');
    await lab.veth(B, lab.name('bi'), lab.name('bo'), '10.81.0.2/24');
    // one port from a config file, one from the command line
    const cfg = join(mkdtempSync(join(tmpdir(), 'sluice-it-')), 'sluice.json');
    writeFileSync(cfg, JSON.stringify({ bridges: [{ name: lab.name('br'), failMode: 'standalone', ports: [lab.name('ao')] }] }));
    d = await startSluice(['--config', cfg, '--port', `${lab.name('bo')}@ofport=7`]);
  });
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  it('logs one line per port opened, with its ofport', () => {
    expect(d.lines.some((l) => / info  \S+: port \S+ao up \(ofport \d+, afpacket\)/.test(l))).toBe(true);
    expect(d.lines.some((l) => l.includes(`port ${lab.name('bo')} up (ofport 7, afpacket)`))).toBe(true);
    expect(d.lines.find((l) => l.includes('bridge started'))).toMatch(/^\d{4}-\d\d-\d\dT\S+Z info  \S+br: bridge started \(dpid 0x[0-9a-f]{16}, fail-mode standalone, 2 ports\)/);
  });

  it('pings both ways and resolves ARP', async () => {
    expect((await ping(A, '10.81.0.2')).ok).toBe(true);
    expect((await ping(B, '10.81.0.1')).ok).toBe(true);
    const neigh = await sh(`ip -n ${A} neigh show 10.81.0.2`);
    expect(neigh).toContain(await macOf(B, lab.name('bi')));
  });

  it('counts what crossed (SIGUSR1)', async () => {
    const s = await d.stats();
    const a = s.get(lab.name('ao'))!;
    const b = s.get(lab.name('bo'))!;
    expect(b.ofport).toBe(7);
    expect(a.link).toBe('up');
    // 3 requests + 3 replies each way plus ARP, in both directions
    expect(a.rx_packets).toBeGreaterThanOrEqual(6);
    expect(b.tx_packets).toBeGreaterThanOrEqual(6);
    expect(b.rx_packets).toBeGreaterThanOrEqual(6);
    expect(a.tx_packets).toBeGreaterThanOrEqual(6);
  });

  it('carries iperf3 TCP with the default offloads on', async () => {
    const offload = await sh(`ip netns exec ${A} ethtool -k ${lab.name('ai')} 2>/dev/null | grep -E '^tcp-segmentation-offload' || true`);
    const gbps = await iperf(A, B, '10.81.0.2', 2);
    console.log(`iperf3 A→B through sluice (AF_PACKET, ${offload.trim() || 'offloads: default'}): ${gbps.toFixed(2)} Gbit/s`);
    expect(gbps).toBeGreaterThan(0);
    const s = await d.stats();
    expect(s.get(lab.name('bo'))!.tx_bytes).toBeGreaterThan(1_000_000);
  }, 40_000);

  it('stops cleanly on SIGTERM: exit 0, counters logged, LOCAL TAP removed', async () => {
    const from = d.lines.length;
    expect(await d.stop()).toBe(0);
    const tail = d.lines.slice(from);
    expect(tail.some((l) => l.includes('stopping (SIGTERM)'))).toBe(true);
    expect(tail.some((l) => l.includes(`stats port ${lab.name('ao')} `))).toBe(true);
    expect(tail.some((l) => l.includes('bridge stopped'))).toBe(true);
    await expect(sh(`ip link show ${lab.name('br')}`)).rejects.toThrow();
  });
});

need.describe('sluice start: TAP ports moved into namespaces', () => {
  const lab = new Lab();

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  it('pings both ways, and removes the TAPs at exit', async () => {
    const A = await quietNetns(lab, 'A');
    const B = await quietNetns(lab, 'B');
    const ta = lab.name('ta');
    const tb = lab.name('tb');
    const d = await startSluice(['--bridge', lab.name('br'), '--port', `tap:${ta}`, '--port', `tap:${tb}`]);
    for (const [ns, t, addr] of [[A, ta, '10.82.0.1/24'], [B, tb, '10.82.0.2/24']] as const) {
      await sh(`ip link set ${t} netns ${ns} && ip -n ${ns} addr add ${addr} dev ${t} && ip -n ${ns} link set ${t} up`);
    }
    expect((await ping(A, '10.82.0.2')).ok).toBe(true);
    expect((await ping(B, '10.82.0.1')).ok).toBe(true);
    const s = await d.stats();
    expect(s.get(ta)?.rx_packets).toBeGreaterThanOrEqual(6);
    expect(await d.stop()).toBe(0);
    await expect(sh(`ip -n ${A} link show ${ta}`)).rejects.toThrow();
    await expect(sh(`ip -n ${B} link show ${tb}`)).rejects.toThrow();
  }, 40_000);
});
