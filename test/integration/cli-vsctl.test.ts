/**
 * The vsctl verbs end to end (needs root and the native addon): the real `sluice start`
 * daemon with a --db in a temp dir, driven by the real CLI (`sluice add-br ...`), then
 * stopped and started again on the same db.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { needs } from '../tools.js';
import { killAll, sh, sluice, type Daemon } from './datapath-lab.js';
import { SaLab, helloController, vsctl } from './cli-vsctl-lab.js';

const need = needs('root', 'native', 'ip', 'ovs-ofctl', 'sysctl');

/** A TCP port nothing listens on now (the kernel's choice, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), 'sluice-sa-'));

async function startDaemon(args: string[], readyRe = /sluice daemon ready/): Promise<Daemon> {
  const d = sluice(['start', ...args]);
  await d.waitFor(readyRe, 30_000);
  return d;
}

/** `show` without what changes from run to run (pid) or with the network (is_connected). */
const stableShow = (s: string) => s.replace(/pid \d+/, 'pid N').replace(/is_connected: \w+/g, 'is_connected: ?').replace(/ *datapath_drops: .*\n/g, ''); // counters restart with the daemon

describe('sluice verbs without a daemon', () => {
  it('exit 1 with one line saying no daemon runs', async () => {
    const rd = tmp();
    const r = await vsctl(rd, 'list-br');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sluice: no sluice daemon is running (no socket ${rd}/sluice.ctl); start one with \`sluice start\` --rundir ${rd}\n`);
  });

  it('bad flag values are refused before anything is sent (exit 2)', async () => {
    const rd = tmp();
    expect(await vsctl(rd, 'add-port', 'br0', 'veth-a', '--tag', '5000')).toEqual({ code: 2, stdout: '', stderr: 'sluice: --tag "5000": expected a VLAN id 0..4095\n' });
    expect((await vsctl(rd, 'add-port', 'br0', 'veth-a', '--trunks', '10,x')).stderr).toMatch(/^sluice: --trunks "10,x": "x" is not a VLAN id/);
    expect((await vsctl(rd, 'add-port', 'br0', 'bogus:x')).stderr).toMatch(/unknown port kind "bogus"/);
    expect((await vsctl(rd, 'add-br', 'br0', '--fail-mode', 'open')).stderr).toBe('sluice: --fail-mode "open": expected standalone or secure\n');
    expect((await vsctl(rd, 'set-controller', 'br0', 'bogus:6653')).code).toBe(2);
  });
});

need.describe('sluice vsctl verbs on a daemon with a db', () => {
  const lab = new SaLab();
  const dir = tmp();
  const rd = join(dir, 'rd');
  const db = join(dir, 'db', 'conf.json');
  const b1 = lab.name('b1');
  const b2 = lab.name('b2');
  const veth = lab.name('v1');
  let d: Daemon;
  let ctl: { port: number; close(): void };

  beforeAll(async () => {
    await sh(`ip link add ${veth} type veth peer name ${lab.name('v1p')} && ip link set ${veth} up && ip link set ${lab.name('v1p')} up`);
    ctl = await helloController();
    d = await startDaemon(['--db', db, '--rundir', rd, '--metrics', '127.0.0.1:0'], /sluice daemon ready \(0 bridges, control socket /);
  }, 40_000);
  afterAll(async () => {
    ctl.close();
    await killAll();
    await lab.cleanup();
  });

  it('add-br, list-br (sorted), duplicate and unknown bridges', async () => {
    expect(await vsctl(rd, 'add-br', b2, '--dpid', '0xa2', '--fail-mode', 'secure')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await vsctl(rd, 'add-br', b1)).code).toBe(0);
    expect((await vsctl(rd, 'list-br')).stdout).toBe(`${b1}\n${b2}\n`);
    expect(await vsctl(rd, 'add-br', b1)).toEqual({ code: 1, stdout: '', stderr: `sluice: bridge ${b1} already exists\n` });
    expect((await vsctl(rd, 'list-ports', lab.name('b9'))).stderr).toBe(`sluice: no bridge ${lab.name('b9')} (bridges: ${b1}, ${b2})\n`);
    await d.waitFor(new RegExp(`${b2}: bridge started \\(dpid 0x00000000000000a2, fail-mode secure, 0 ports\\)`));
    await sh(`ip link show ${b1}`); // the LOCAL TAP exists
  }, 30_000);

  it('add-port: AF_PACKET, TAP with a tag, trunk, patch; errors name the port', async () => {
    expect((await vsctl(rd, 'add-port', b1, veth, '--ofport', '5')).code).toBe(0);
    expect((await vsctl(rd, 'add-port', b1, `tap:${lab.name('t1')}`, '--tag', '10')).code).toBe(0);
    expect((await vsctl(rd, 'add-port', b1, `tap:${lab.name('t2')}`, '--vlan-mode', 'trunk', '--trunks', '10,20-21')).code).toBe(0);
    expect((await vsctl(rd, 'add-port', b1, `patch:${lab.name('p12')},peer=${lab.name('p21')}`)).code).toBe(0);
    expect((await vsctl(rd, 'add-port', b2, `patch:${lab.name('p21')},peer=${lab.name('p12')}`)).code).toBe(0);
    expect((await vsctl(rd, 'list-ports', b1)).stdout).toBe([lab.name('p12'), lab.name('t1'), lab.name('t2'), veth].sort().join('\n') + '\n');
    const missing = await vsctl(rd, 'add-port', b1, lab.name('nx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^sluice: port "${lab.name('nx')}": .*no interface ${lab.name('nx')} in this namespace`));
    expect((await vsctl(rd, 'add-port', b1, `tap:${lab.name('t3')}`, '--ofport', '5')).stderr).toMatch(/ofport 5 is taken/);
    expect(await vsctl(rd, 'del-port', b1, 'veth-x')).toEqual({ code: 1, stdout: '', stderr: `sluice: no port veth-x on ${b1}\n` });
    // one interface is a port of one bridge (as OVS): b2 is refused b1's veth, and b1's LOCAL
    const again = await vsctl(rd, 'add-port', b2, veth);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `sluice: port "${veth}": ${veth} is already a port of bridge ${b1} (an interface belongs to one bridge; sluice del-port ${b1} ${veth} first)\n` });
    expect((await vsctl(rd, 'add-port', b2, `tap:${b1}`)).stderr).toContain(`${b1} is already a port of bridge ${b1}`);
    expect((await vsctl(rd, 'list-ports', b2)).stdout).not.toContain(veth);
    expect(readFileSync(db, 'utf8').split(`"${veth}`).length - 1).toBe(1); // saved once
    await d.waitFor(new RegExp(`${b1}: port ${lab.name('t1')} added \\(ofport 1, tap\\)`));
  }, 60_000);

  it('set-controller / del-controller, shown with is_connected', async () => {
    expect((await vsctl(rd, 'set-controller', b2, `tcp:127.0.0.1:${ctl.port}`)).code).toBe(0);
    let shown = '';
    for (let i = 0; i < 40 && !shown.includes('is_connected: true'); i++) shown = (await vsctl(rd, 'show')).stdout;
    expect(shown).toContain(`        Controller "tcp:127.0.0.1:${ctl.port}"\n            is_connected: true\n`);
    expect((await vsctl(rd, 'set-controller', b1, 'tcp:127.0.0.1:1')).code).toBe(0);
    expect((await vsctl(rd, 'show')).stdout).toContain('        Controller "tcp:127.0.0.1:1"\n            is_connected: false\n');
    expect((await vsctl(rd, 'set-controller', lab.name('b9'), 'tcp:127.0.0.1:1')).stderr).toMatch(/^sluice: no bridge /);
    // a passive target, as ovs-vsctl set-controller takes it: the bridge listens
    const port = await freePort();
    expect((await vsctl(rd, 'set-controller', b2, `tcp:127.0.0.1:${ctl.port}`, `ptcp:${port}:127.0.0.1`)).code).toBe(0);
    expect(await sh(`ovs-ofctl -O OpenFlow13 dump-tables tcp:127.0.0.1:${port}`)).toMatch(/table 0:/);
    expect((await vsctl(rd, 'show')).stdout).toContain(`        Listen "ptcp:${port}:127.0.0.1"\n`);
  }, 60_000);

  it('--metrics: the daemon serves its bridges and ports in Prometheus format', async () => {
    const line = d.lines.find((l) => /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(l));
    expect(line).toBeDefined();
    const url = /(http:\/\/\S+\/metrics)/.exec(line!)![1]!;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`sluice_port_link_up{bridge="${b1}",port="${veth}",ofport="5"} 1`);
    expect(text).toMatch(new RegExp(`sluice_flow_cache_hits_total\\{bridge="${b2}"\\} \\d+`));
    const bad = sluice(['start', '--db', join(tmp(), 'm.json'), '--rundir', tmp(), '--metrics', '0.0.0.0:9750']);
    expect(await bad.wait()).toBe(2);
    expect(bad.lines).toEqual(['sluice: --metrics 0.0.0.0:9750: metrics: 0.0.0.0 is not a loopback address (use 127.0.0.1:9750)']);
  }, 30_000);

  it('show: bridges, dpid, fail mode, ports with ofport, type, link, VLANs, patch peers', async () => {
    const out = (await vsctl(rd, 'show')).stdout;
    expect(out.split('\n')[0]).toMatch(new RegExp(`^sluice daemon \\(pid \\d+, control socket ${rd}/sluice.ctl, db ${db}\\)$`));
    expect(out).toContain(`    Bridge ${b2}\n        datapath_id: "00000000000000a2"\n        fail_mode: secure\n`);
    expect(out).toContain(`        Port ${veth}\n            Interface ${veth}\n                ofport: 5\n                type: afpacket\n                link_state: up\n`);
    expect(out).toContain(`        Port ${lab.name('t1')}\n            tag: 10\n            Interface ${lab.name('t1')}\n                ofport: 1\n                type: tap\n`);
    expect(out).toContain(`        Port ${lab.name('t2')}\n            trunks: [10, 20, 21]\n`);
    expect(out).toContain(`            Interface ${lab.name('p21')}\n                ofport: 1\n                type: patch\n                options: {peer=${lab.name('p12')}}\n                link_state: up\n`);
    expect(out).toContain(`        Port ${b1}\n            Interface ${b1}\n                ofport: LOCAL\n                type: internal\n`);
  }, 30_000);

  it('keeps bridges, ports, ofports and controllers across a restart on the same db', async () => {
    const before = { br: (await vsctl(rd, 'list-br')).stdout, p1: (await vsctl(rd, 'list-ports', b1)).stdout, show: stableShow((await vsctl(rd, 'show')).stdout) };
    expect(await d.stop()).toBe(0);
    await expect(sh(`ip link show ${b1}`)).rejects.toThrow(); // TAPs removed at exit
    d = await startDaemon(['--db', db, '--rundir', rd], /sluice daemon ready \(2 bridges/);
    expect((await vsctl(rd, 'list-br')).stdout).toBe(before.br);
    expect((await vsctl(rd, 'list-ports', b1)).stdout).toBe(before.p1);
    expect(stableShow((await vsctl(rd, 'show')).stdout)).toBe(before.show);
  }, 60_000);

  it('a second daemon on the same rundir is refused (exit 2), the first keeps running', async () => {
    const e = sluice(['start', '--db', join(tmp(), 'other.json'), '--rundir', rd]);
    expect(await e.wait()).toBe(2);
    expect(e.lines).toEqual([`sluice: another sluice daemon is running on ${rd}/sluice.ctl`]);
    expect((await vsctl(rd, 'list-br')).code).toBe(0);
  }, 30_000);

  it('del-port, del-controller, del-br (its TAP goes away), and the patch peer goes down', async () => {
    expect((await vsctl(rd, 'del-port', b1, lab.name('t2'))).code).toBe(0);
    expect((await vsctl(rd, 'list-ports', b1)).stdout).not.toContain(lab.name('t2'));
    expect((await vsctl(rd, 'del-controller', b1)).code).toBe(0);
    expect((await vsctl(rd, 'show')).stdout).not.toContain('tcp:127.0.0.1:1"');
    expect((await vsctl(rd, 'del-br', b1)).code).toBe(0);
    expect((await vsctl(rd, 'list-br')).stdout).toBe(`${b2}\n`);
    await expect(sh(`ip link show ${b1}`)).rejects.toThrow();
    expect((await vsctl(rd, 'show')).stdout).toMatch(new RegExp(`Interface ${lab.name('p21')}\\n.*\\n.*\\n.*\\n\\s+link_state: down`));
    expect(JSON.stringify(JSON.parse(readFileSync(db, 'utf8')))).not.toContain(b1);
  }, 60_000);
});

need.describe('sluice start with a corrupt db', () => {
  afterAll(killAll);
  it('exits 2 with one line naming the file and the line, and leaves the file as it was', async () => {
    const dir = tmp();
    const db = join(dir, 'conf.json');
    const bytes = '{\n  "bridges": [\n    { "name": "sa0", }\n  ]\n}\n';
    writeFileSync(db, bytes);
    const d = sluice(['start', '--db', db, '--rundir', join(dir, 'rd')]);
    expect(await d.wait()).toBe(2);
    expect(d.lines).toHaveLength(1);
    expect(d.lines[0]).toMatch(new RegExp(`^sluice: .*${db}.*line 3`));
    expect(readFileSync(db, 'utf8')).toBe(bytes);
  }, 30_000);
});

need.describe('a configured interface that is gone when the daemon restarts', () => {
  const lab = new SaLab();
  const dir = tmp();
  const rd = join(dir, 'rd');
  const db = join(dir, 'conf.json');
  const br = lab.name('g1');
  const keep = lab.name('gk');
  const gone = lab.name('gg');
  let d: Daemon;
  const veth = (n: string) => sh(`ip link add ${n} type veth peer name ${n}p && ip link set ${n} up && ip link set ${n}p up`);

  beforeAll(async () => {
    await veth(keep);
    await veth(gone);
    d = await startDaemon(['--db', db, '--rundir', rd]);
    expect((await vsctl(rd, 'add-br', br)).code).toBe(0);
    expect((await vsctl(rd, 'add-port', br, keep, '--ofport', '3')).code).toBe(0);
    expect((await vsctl(rd, 'add-port', br, gone, '--ofport', '4')).code).toBe(0);
    expect(await d.stop()).toBe(0);
    await sh(`ip link del ${gone}`);
  }, 40_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  it('starts anyway, keeps the port configured with its error, and attaches it when it comes back', async () => {
    d = await startDaemon(['--db', db, '--rundir', rd], /sluice daemon ready \(1 bridges/);
    expect(d.lines.some((l) => l.includes(`port "${gone}"`) && l.includes('stays configured'))).toBe(true);
    const show = (await vsctl(rd, 'show')).stdout;
    expect(show).toContain(`        Port ${gone}\n            Interface ${gone}\n                ofport: 4\n                type: afpacket\n                link_state: down\n                error: "`);
    expect((await vsctl(rd, 'list-ports', br)).stdout).toBe(`${keep}\n`);
    expect(readFileSync(db, 'utf8')).toContain(`"spec": "${gone}"`); // not lost from the db
    await veth(gone);
    await d.waitFor(new RegExp(`port ${gone} attached \\(ofport 4\\)`), 15_000);
    expect((await vsctl(rd, 'list-ports', br)).stdout).toBe([gone, keep].sort().join('\n') + '\n');
  }, 40_000);

  it('del-port removes a detached port from the configuration', async () => {
    await sh(`ip link del ${gone}`);
    expect(await d.stop()).toBe(0);
    d = await startDaemon(['--db', db, '--rundir', rd], /sluice daemon ready \(1 bridges/);
    expect((await vsctl(rd, 'show')).stdout).toContain('error: "');
    expect((await vsctl(rd, 'del-port', br, gone)).code).toBe(0);
    expect((await vsctl(rd, 'show')).stdout).not.toContain(gone);
    expect(readFileSync(db, 'utf8')).not.toContain(gone);
  }, 40_000);
});
