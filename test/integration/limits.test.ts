/**
 * Limits as a user sees them (issue #13 §3), with the real daemon:
 *  - `--flow-limit 100`: ovs-ofctl adds 100 flows; the 101st is refused with
 *    OFPFMFC_TABLE_FULL (ovs-ofctl prints the error), the 100 stay and forward;
 *  - `--mac-table-size 1000`: one namespace sends frames from 50,000 random source MACs
 *    through a standalone bridge while two others ping each other through it. The pings
 *    keep working, and their addresses stay learned (the ping port never gets a frame
 *    flooded to it because a ping's destination was forgotten); /metrics shows the MAC
 *    table at ≤ 1000 entries; the daemon's RSS stays bounded;
 *  - bad values are refused in one line with exit status 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { needs } from '../tools.js';
import { parseExposition, valueOf } from '../unit/metrics-parse.js';
import { Lab, killAll, macOf, quietNetns, sh, sluice, startSluice } from './datapath-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl', 'ovs-ofctl', 'python3');
const here = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

need.describe('limits: flow-limit, mac-table-size', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-limits-'));
  let a = '';
  let b = '';
  let f = '';
  beforeAll(async () => {
    a = await quietNetns(lab, 'a');
    b = await quietNetns(lab, 'b');
    f = await quietNetns(lab, 'f');
    await lab.veth(a, 'eth0', lab.name('ao'), '10.84.0.1/24');
    await lab.veth(b, 'eth0', lab.name('bo'), '10.84.0.2/24');
    await lab.veth(f, 'eth0', lab.name('fo'), '10.84.0.3/24');
  }, 30_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  need.it('bad limits: one line naming the value, exit 2', async () => {
    for (const [args, re] of [
      [['--flow-limit', '0'], /^sluice: --flow-limit "0": expected an integer 1\.\.4294967295/],
      [['--mac-table-size', 'x'], /^sluice: --mac-table-size "x": expected an integer 1\.\.16777216/],
      [['--mac-aging-time', '-5'], /^sluice: --mac-aging-time "-5": expected an integer/],
    ] as const) {
      const d = sluice(['start', '--bridge', lab.name('bx'), ...args]);
      expect(await d.wait()).toBe(2);
      const lines = d.lines.filter((l) => l.trim() !== '');
      expect(lines.length, lines.join('\n')).toBe(1);
      expect(lines[0]).toMatch(re);
    }
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ bridges: [{ name: lab.name('bx'), flowLimit: 0 }] }));
    const d = sluice(['start', '--config', cfg]);
    expect(await d.wait()).toBe(2);
    expect(d.lines.filter((l) => l.trim() !== '')).toEqual([`sluice: config ${cfg}: bridges[0].flowLimit: expected an integer 1..4294967295 (rules per flow table, default 1000000)`]);
  }, 60_000);

  need.it('--flow-limit 100: the 101st flow gets OFPFMFC_TABLE_FULL, the first 100 stay and forward', async () => {
    const rd = join(dir, 'rd-flows');
    const br = lab.name('fl');
    const d = await startSluice(['--bridge', br, '--fail-mode', 'secure', '--flow-limit', '100', '--rundir', rd,
      '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`]);
    const mgmt = `unix:${rd}/${br}.mgmt`;
    const ofctl = (...args: string[]) => spawnSync('ovs-ofctl', ['-O', 'OpenFlow13', ...args], { encoding: 'utf8', timeout: 20_000 });
    const flows = ['priority=100,in_port=1,actions=output:2', 'priority=100,in_port=2,actions=output:1'];
    for (let i = 0; i < 98; i++) flows.push(`priority=10,ip,nw_dst=10.85.${i >> 8}.${i & 255},actions=drop`);
    const file = join(dir, 'flows.txt');
    writeFileSync(file, flows.join('\n') + '\n');
    const add = ofctl('add-flows', mgmt, file);
    expect(add.status, add.stderr).toBe(0);
    const over = ofctl('add-flow', mgmt, 'priority=10,ip,nw_dst=10.86.0.1,actions=drop');
    expect(over.status).not.toBe(0);
    expect(over.stderr).toMatch(/OFPFMFC_TABLE_FULL/);
    // another table has its own limit
    expect(ofctl('add-flow', mgmt, 'table=1,priority=1,actions=drop').status).toBe(0);
    const dump = ofctl('dump-flows', mgmt, 'table=0');
    expect(dump.stdout.split('\n').filter((l) => /priority=/.test(l)).length).toBe(100);
    // modifying an existing flow is not an addition: still accepted when full
    expect(ofctl('mod-flows', mgmt, 'priority=10,ip,nw_dst=10.85.0.5,actions=drop').status).toBe(0);
    await sh(`ip netns exec ${a} ping -c 3 -i 0.2 -W 2 10.84.0.2`);
    await d.stop();
  }, 60_000);

  need.it('--mac-table-size 1000 under a flood of 50,000 source MACs: pings keep working, active MACs stay, table ≤ 1000, RSS bounded', async () => {
    const rd = join(dir, 'rd-mac');
    const br = lab.name('mt');
    const d = await startSluice(['--bridge', br, '--mac-table-size', '1000', '--rundir', rd, '--metrics', '127.0.0.1:0',
      '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`, '--port', `${lab.name('fo')}@ofport=3`]);
    const url = /metrics on (http:\/\/\S+)/.exec(await d.waitFor(/metrics on http/))![1]!;
    const scrape = async () => parseExposition(await (await fetch(url)).text());
    // learn a and b, then count what the flood port gets from now on
    await sh(`ip netns exec ${a} ping -c 2 -i 0.2 -W 2 10.84.0.2`);
    await sleep(200);
    const before = (await d.stats()).get(lab.name('fo'))!;
    const rss0 = rssKiB(d.child.pid!);
    const dst = '02:00:00:00:99:99'; // unknown: every flood frame is flooded to a and b too
    const flood = sh(`ip netns exec ${f} python3 ${join(here, 'mac-flood.py')} eth0 ${dst} 50000 10000 1`, 60_000);
    const ping = sh(`ip netns exec ${a} ping -c 300 -i 0.02 -W 1 10.84.0.2`, 60_000);
    let maxEntries = 0;
    let done = false;
    void flood.finally(() => (done = true));
    while (!done) {
      maxEntries = Math.max(maxEntries, valueOf(await scrape(), 'sluice_mac_table_entries', { bridge: br }) ?? -1);
      await sleep(200);
    }
    expect(Number((await flood).trim())).toBe(50_000);
    const pings = await ping;
    expect(pings).toMatch(/ 300 received/);
    const entries = valueOf(await scrape(), 'sluice_mac_table_entries', { bridge: br });
    expect(entries).toBe(1000);
    expect(maxEntries).toBeLessThanOrEqual(1000);
    await sleep(300);
    const fo = (await d.stats()).get(lab.name('fo'))!;
    const stats = await d.stats();
    const table = [...stats].map(([k, v]) => `${k} ${JSON.stringify(v)}`).join('\n');
    // every frame sent arrived (or was counted as dropped at receive)
    expect(fo.rx_packets + fo.rx_dropped - before.rx_packets - before.rx_dropped, table).toBeGreaterThanOrEqual(50_000);
    // a's and b's addresses were never evicted: no ping was flooded toward the flood port
    expect(fo.tx_packets - before.tx_packets, table).toBe(0);
    const rss1 = rssKiB(d.child.pid!);
    expect(rss1 - rss0).toBeLessThan(64 * 1024); // KiB: bounded, not proportional to 50k entries of churn
    expect(d.exitCode).toBeNull();
    await d.stop();
  }, 120_000);
});
