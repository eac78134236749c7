/**
 * What a Mininet fabric needs of the daemon, seen the way a user sees it (needs root, the
 * native addon and ovs-ofctl). The daemon runs in a namespace of this test run (prefix
 * "fb" + 5 hex digits), with its veths and LOCAL TAPs; the namespace goes at the end.
 *  - The LOCAL port's link is the kernel's: `ip link set BR down` shows as link_state down
 *    in `sluice show` and as LINK_DOWN in `ovs-ofctl show`, and back up again (as OVS
 *    reports its internal port from the netdev).
 *  - A batch opens its AF_PACKET ports together (src/ports/open-many.ts): every port is
 *    attached and up; a batch that stops at a bad line leaves no socket open for the
 *    lines it did not reach; del-br in a batch closes every socket of the bridges.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { needs } from '../tools.js';
import { killAll, Lab, sh, sluice, type Daemon } from './datapath-lab.js';
import { vsctl } from './cli-vsctl-lab.js';

const need = needs('root', 'native', 'ip', 'ovs-ofctl', 'sysctl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ovs-ofctl's view of the bridge's ports (`show`). */
function ofctlShow(rundir: string, br: string): string {
  const r = spawnSync('ovs-ofctl', ['-O', 'OpenFlow13', 'show', `unix:${rundir}/${br}.mgmt`], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ovs-ofctl show: ${r.stderr}`);
  return r.stdout;
}

/** The LOCAL port's block of `ovs-ofctl show`: " LOCAL(br): addr:...\n     config: ...\n     state: ...". */
const localBlock = (show: string): string => /\n LOCAL\([^)]*\):[^\n]*\n(?: {5}[^\n]*\n)*/.exec(show)?.[0] ?? '';

/** `sluice show`'s Interface block of port `name`. */
const showBlock = (show: string, name: string): string => new RegExp(`Interface ${name}\\n(?: {16}[^\\n]*\\n)*`).exec(show)?.[0] ?? '';

/** Polls f until it returns true (the bridge polls link state every second). */
async function until(f: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await f()) return true;
    if (Date.now() > end) return false;
    await sleep(100);
  }
}

/** AF_PACKET sockets open in the namespace (/proc/net/packet, one line each after the header). */
async function packetSockets(ns: string): Promise<number> {
  const out = await sh(`ip netns exec ${ns} cat /proc/net/packet`);
  return out.trim().split('\n').length - 1;
}

need.describe('a fabric daemon: LOCAL link state and batches of AF_PACKET ports', () => {
  const lab = new Lab('fb' + randomBytes(3).toString('hex').slice(0, 5));
  const rd = join(mkdtempSync(join(tmpdir(), 'sluice-fb-')), 'rd');
  const br = (i: number) => lab.name(`s${i}`);
  const eth = (i: number, p: number) => lab.name(`s${i}e${p}`);
  let ns: string;
  let d: Daemon;

  beforeAll(async () => {
    ns = await lab.netns('ns');
    const cmds: string[] = [];
    for (let i = 1; i <= 3; i++) {
      for (let p = 1; p <= 4; p++) cmds.push(`link add ${eth(i, p)} type veth peer name ${eth(i, p)}x`, `link set ${eth(i, p)} up`, `link set ${eth(i, p)}x up`);
    }
    const links = join(rd, '..', 'links.txt');
    writeFileSync(links, cmds.join('\n') + '\n');
    await sh(`ip -n ${ns} -batch ${links}`);
    d = sluice(['start', '--rundir', rd, '--ring-size', '512k'], ns);
    await d.waitFor(/sluice daemon ready/, 30_000);
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  it('a batch of 3 bridges x 4 AF_PACKET ports: all attached and up, one socket each', async () => {
    const lines = [];
    for (let i = 1; i <= 3; i++) {
      lines.push(`add-br ${br(i)} --dpid ${i} --fail-mode secure`);
      for (let p = 1; p <= 4; p++) lines.push(`add-port ${br(i)} ${eth(i, p)} --ofport ${p}`);
    }
    const file = join(rd, '..', 'batch.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    expect(await vsctl(rd, 'batch', file)).toMatchObject({ code: 0, stderr: '' });
    const show = (await vsctl(rd, 'show')).stdout;
    for (let i = 1; i <= 3; i++) {
      for (let p = 1; p <= 4; p++) {
        expect(showBlock(show, eth(i, p))).toBe(`Interface ${eth(i, p)}\n                ofport: ${p}\n                type: afpacket\n                link_state: up\n`);
      }
    }
    expect(await packetSockets(ns)).toBe(12);
  }, 60_000);

  it("LOCAL's link follows the TAP's: down in show and ovs-ofctl after `ip link set BR down`, up again after up", async () => {
    const b = br(1);
    await sh(`ip -n ${ns} link set ${b} up`);
    expect(await until(async () => showBlock((await vsctl(rd, 'show')).stdout, b).includes('link_state: up'))).toBe(true);
    expect(localBlock(ofctlShow(rd, b))).toMatch(/\n {5}config: {5}0\n {5}state: {6}LIVE\n/);

    await sh(`ip -n ${ns} link set ${b} down`);
    expect(await until(async () => showBlock((await vsctl(rd, 'show')).stdout, b).includes('link_state: down'))).toBe(true);
    expect(showBlock((await vsctl(rd, 'show')).stdout, b)).toBe(`Interface ${b}\n                ofport: LOCAL\n                type: internal\n                link_state: down\n`);
    expect(localBlock(ofctlShow(rd, b))).toMatch(/\n {5}state: {6}LINK_DOWN\n/);

    await sh(`ip -n ${ns} link set ${b} up`);
    expect(await until(async () => showBlock((await vsctl(rd, 'show')).stdout, b).includes('link_state: up'))).toBe(true);
    expect(localBlock(ofctlShow(rd, b))).toMatch(/\n {5}state: {6}LIVE\n/);
  }, 60_000);

  it('a batch that stops at a bad line keeps the lines before it and leaves no socket open for the rest', async () => {
    await sh(`ip -n ${ns} link add ${lab.name('x1')} type veth peer name ${lab.name('x1p')} && ip -n ${ns} link set ${lab.name('x1')} up`);
    await sh(`ip -n ${ns} link add ${lab.name('x2')} type veth peer name ${lab.name('x2p')} && ip -n ${ns} link set ${lab.name('x2')} up`);
    const before = await packetSockets(ns);
    const file = join(rd, '..', 'bad.txt');
    // line 3 names an interface of another bridge: refused by the daemon; line 4's port was opened ahead
    const s9 = lab.name('s9');
    writeFileSync(file, [`add-br ${s9}`, `add-port ${s9} ${lab.name('x1')}`, `add-port ${s9} ${eth(1, 1)}`, `add-port ${s9} ${lab.name('x2')}`].join('\n') + '\n');
    const r = await vsctl(rd, 'batch', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sluice: line 3: add-port: port "${eth(1, 1)}": ${eth(1, 1)} is already a port of bridge ${br(1)} (an interface belongs to one bridge; sluice del-port ${br(1)} ${eth(1, 1)} first)\n`);
    expect((await vsctl(rd, 'list-ports', lab.name('s9'))).stdout).toBe(`${lab.name('x1')}\n`);
    expect(await packetSockets(ns)).toBe(before + 1);
  }, 60_000);

  it('del-br of every bridge in one batch closes all their sockets', async () => {
    const file = join(rd, '..', 'del.txt');
    writeFileSync(file, [1, 2, 3, 9].map((i) => `del-br ${br(i)}`).join('\n') + '\n');
    expect(await vsctl(rd, 'batch', file)).toMatchObject({ code: 0, stderr: '' });
    expect((await vsctl(rd, 'list-br')).stdout).toBe('');
    expect(await packetSockets(ns)).toBe(0);
    await expect(sh(`ip -n ${ns} link show ${br(1)}`)).rejects.toThrow(); // LOCAL TAP gone
  }, 60_000);
});

describe('fabric-ports test helpers', () => {
  it('localBlock finds the LOCAL port of ovs-ofctl show', () => {
    const show = 'OFPT_FEATURES_REPLY\n 1(a): addr:00\n     config:     0\n LOCAL(br): addr:02\n     config:     0\n     state:      LINK_DOWN\n     speed: 0 Mbps now\nOFPT_GET_CONFIG_REPLY';
    expect(localBlock(show)).toBe('\n LOCAL(br): addr:02\n     config:     0\n     state:      LINK_DOWN\n     speed: 0 Mbps now\n');
  });
});
