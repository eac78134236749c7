// Traffic between two network namespaces through the real `sluice start` on a bridge
// started with `--protocols OpenFlow14`, its rules installed by `ovs-ofctl -O OpenFlow14
// --bundle`: a bundle with one bad line in the middle installs nothing (ping still fails,
// the table stays empty); the same file without the bad line forwards; `--bundle
// replace-flows` swaps the rules in one commit; `sluice add-flows --bundle` is all or
// nothing too; a 1.3-only ovs-ofctl is refused.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { killAll, Lab, quietNetns, sluice, startSluice } from '../integration/datapath-lab.js';
import { ping } from '../integration/ports-lab.js';
import { ovsOfctl } from './ofctl-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl', 'ovs-ofctl');

async function pingsWithin(ns: string, dst: string, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) if ((await ping(ns, dst, 1)).ok) return true;
  return false;
}

need.describe('OpenFlow 1.4 bundles from ovs-ofctl forward real traffic, all or nothing', () => {
  const lab = new Lab();
  const ns = { A: '', B: '' };
  const port = 20000 + Math.floor(Math.random() * 20000);
  const target = `tcp:127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-of14ns-'));
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-of14rd-'));
  const file = (name: string, lines: string[]): string => {
    const f = join(dir, name);
    writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };
  const ofctl = (flags: string[], verb: string, ...args: string[]) => ovsOfctl(flags, target, verb, ...args);
  const of14 = (verb: string, ...args: string[]) => ofctl(['-O', 'OpenFlow14'], verb, ...args);
  const bundle = (verb: string, f: string) => ofctl(['-O', 'OpenFlow14', '--bundle'], verb, f);
  const flowCount = async () => (await of14('dump-flows')).split('\n').filter((l) => l.includes('table=')).length;

  beforeAll(async () => {
    ns.A = await quietNetns(lab, 'A');
    ns.B = await quietNetns(lab, 'B');
    await lab.veth(ns.A, 'eth0', lab.name('ao'), '10.87.0.1/24');
    await lab.veth(ns.B, 'eth0', lab.name('bo'), '10.87.0.2/24');
    await startSluice([
      '--bridge', lab.name('br'), '--fail-mode', 'secure', '--port', `${lab.name('ao')}@ofport=1`,
      '--port', `${lab.name('bo')}@ofport=2`, '--listen', `ptcp:${port}:127.0.0.1`, '--protocols', 'OpenFlow14',
      '--rundir', rundir,
    ]);
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
    rmSync(rundir, { recursive: true, force: true });
  });

  it('a bundle with one bad line in the middle installs nothing: no flow, no ping', async () => {
    const out = await bundle('add-flows', file('bad.txt', [
      'priority=10,in_port=1,actions=output:2', 'priority=10,in_port=2,actions=output:9', 'priority=10,in_port=2,actions=output:1',
    ]));
    expect(out).toMatch(/Error OFPBAC_BAD_OUT_PORT for: OFPT_FLOW_MOD \(OF1\.4\)/);
    expect(out).toMatch(/Error OFPBFC_MSG_FAILED for: OFPT_BUNDLE_CONTROL \(OF1\.4\)/);
    expect(await flowCount()).toBe(0);
    expect((await ping(ns.A, '10.87.0.2', 1)).ok).toBe(false);
  });

  it('the good lines as one bundle: ping passes and the 1.4 counters show it', { timeout: 30_000 }, async () => {
    expect(await bundle('add-flows', file('good.txt', ['priority=10,in_port=1,actions=output:2', 'priority=10,in_port=2,actions=output:1']))).toBe('');
    expect(await flowCount()).toBe(2);
    expect(await pingsWithin(ns.A, '10.87.0.2')).toBe(true);
    expect((await ping(ns.A, '10.87.0.2', 3)).ok).toBe(true);
    expect(await of14('dump-ports', '1')).toMatch(/OFPST_PORT reply \(OF1\.4\)[^\n]*\n\s+port {2}1: rx pkts=[1-9]/);
  });

  it('--bundle replace-flows with only one direction: the replies stop', async () => {
    expect(await bundle('replace-flows', file('one-way.txt', ['priority=10,in_port=1,actions=output:2']))).toBe('');
    expect(await flowCount()).toBe(1);
    expect((await ping(ns.A, '10.87.0.2', 1)).ok).toBe(false);
  });

  it('sluice add-flows --bundle (1.3 + ONF EXT-230 on the mgmt socket): a bad line leaves the table as it was (exit 1), a good file goes in', async () => {
    const run = async (f: string) => {
      const d = sluice(['add-flows', '--bundle', '--rundir', rundir, lab.name('br'), f]);
      const code = await new Promise<number>((resolve) => d.child.on('exit', (c) => resolve(c ?? 1)));
      return { code, out: d.lines.join('\n') };
    };
    const bad = await run(file('sluice-bad.txt', ['priority=30,in_port=2,actions=output:1', 'priority=30,in_port=1,actions=group:5']));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/refused the flow at .*sluice-bad\.txt:2: OFPBAC_BAD_OUT_GROUP/);
    expect(bad.out).toMatch(/the bundle was not committed: nothing was changed/);
    expect(await flowCount()).toBe(1);
    expect((await ping(ns.A, '10.87.0.2', 1)).ok).toBe(false);
    const good = await run(file('sluice-good.txt', ['priority=30,in_port=2,actions=output:1']));
    expect(good.code).toBe(0);
    expect(await flowCount()).toBe(2);
    expect(await pingsWithin(ns.A, '10.87.0.2')).toBe(true);
  });

  it('--protocols OpenFlow14: a 1.3-only ovs-ofctl is refused on that listener', async () => {
    expect(await ofctl(['-O', 'OpenFlow13'], 'show')).toMatch(/FAILED .*version negotiation failed/s);
  });
});
