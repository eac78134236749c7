/**
 * Patch ports end to end (needs root and the native addon): 16 bridges in one daemon,
 * chained br1 ─patch─ br2 ─patch─ ... ─ br16, a namespace on a veth on br1 and another on
 * br16; every bridge is standalone (NORMAL), so a ping crosses 16 learning switches.
 * Then the middle bridge goes away (the chain breaks, its neighbours' patch links go down)
 * and comes back (peers reconnect whatever the order): the ping works again.
 *
 * The chain is built through the control socket directly (ctlRequest, what every vsctl
 * verb does) to spare 46 CLI start-ups; `sluice show` itself is checked in cli-vsctl.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShowResult } from '../../src/control/daemon-show.js';
import { needs } from '../tools.js';
import { ping } from './ports-lab.js';
import { ctl as ctlRd, killAll, quietNetns, sh, sluice, type Daemon } from './datapath-lab.js';
import { SaLab } from './cli-vsctl-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl');

const N = 16;

need.describe('patch ports: 16 bridges in a chain', () => {
  const lab = new SaLab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sa-'));
  const rd = join(dir, 'rd');
  const br = (i: number) => lab.name(`b${i}`);
  const right = (i: number) => lab.name(`p${i}r`); // brI's end towards brI+1
  const left = (i: number) => lab.name(`p${i}l`); // brI's end towards brI-1
  const ctl = (cmd: string, args: Record<string, unknown> = {}): Promise<unknown> => ctlRd(rd, cmd, args);
  let A = '';
  let B = '';
  let d: Daemon;

  /** brI with its patch ports (to I-1 and I+1 where they exist). */
  async function addBridge(i: number): Promise<void> {
    await ctl('add-br', { name: br(i) });
    await sh(`sysctl -qw net.ipv6.conf.${br(i)}.disable_ipv6=1`); // no chatter from the LOCAL TAP
    if (i > 1) await ctl('add-port', { bridge: br(i), spec: `patch:${left(i)},peer=${right(i - 1)}` });
    if (i < N) await ctl('add-port', { bridge: br(i), spec: `patch:${right(i)},peer=${left(i + 1)}` });
  }

  const patchLinks = async () => {
    const s = (await ctl('show')) as ShowResult;
    return s.bridges.flatMap((b) => b.ports.filter((p) => p.kind === 'patch').map((p) => [p.name, p.linkUp] as const));
  };

  beforeAll(async () => {
    A = await quietNetns(lab, 'A');
    B = await quietNetns(lab, 'B');
    await lab.veth(A, lab.name('ai'), lab.name('ao'), '10.91.0.1/24');
    await lab.veth(B, lab.name('bi'), lab.name('bo'), '10.91.0.2/24');
    d = sluice(['start', '--db', join(dir, 'conf.json'), '--rundir', rd]);
    await d.waitFor(/sluice daemon ready/, 30_000);
    for (let i = 1; i <= N; i++) await addBridge(i);
    await ctl('add-port', { bridge: br(1), spec: lab.name('ao') });
    await ctl('add-port', { bridge: br(N), spec: lab.name('bo') });
  }, 90_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
  });

  it('connects every patch pair', async () => {
    const links = await patchLinks();
    expect(links).toHaveLength(2 * (N - 1));
    expect(links.filter(([, up]) => !up)).toEqual([]);
    expect(((await ctl('list-br')) as string[]).length).toBe(N);
  });

  it('pings end to end across the 16 bridges, both ways', async () => {
    expect((await ping(A, '10.91.0.2')).ok).toBe(true);
    expect((await ping(B, '10.91.0.1')).ok).toBe(true);
  }, 30_000);

  it('breaks when the middle bridge goes, and heals when it comes back', async () => {
    const mid = N / 2;
    await ctl('del-br', { name: br(mid) });
    const links = new Map(await patchLinks());
    expect(links.get(right(mid - 1))).toBe(false);
    expect(links.get(left(mid + 1))).toBe(false);
    expect((await ping(A, '10.91.0.2', 1)).ok).toBe(false);
    await d.waitFor(new RegExp(`${br(mid - 1)}: port ${right(mid - 1)} link down`), 5000);
    await addBridge(mid);
    expect((await patchLinks()).filter(([, up]) => !up)).toEqual([]);
    expect((await ping(A, '10.91.0.2')).ok).toBe(true);
  }, 40_000);
});
