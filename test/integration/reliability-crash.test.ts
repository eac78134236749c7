/**
 * Crash safety (issue #13 §4), the short runs: ten `kill -9` during db writes (the tool,
 * test/reliability/crash.ts; `npm run crash` does 100), and a restart with traffic
 * flowing: a standalone bridge between two namespaces with a ping every 10 ms, the daemon
 * killed, started again on its db; the pings are answered again within 2 s of the start.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCrash, runCrash } from '../reliability/crash.js';
import { needs } from '../tools.js';
import { Lab, killAll, quietNetns, sh, sluice } from './datapath-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl');

need.describe('crash safety', () => {
  need.it('ten kill -9 during db writes: the db is whole and current after each', async () => {
    const c = await runCrash({ rounds: 10, seed: 7 });
    expect(c.failures, describeCrash(c)).toEqual([]);
    expect(c.writes).toBeGreaterThan(10);
  }, 120_000);

  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-restart-'));
  let a = '';
  let b = '';
  beforeAll(async () => {
    a = await quietNetns(lab, 'a');
    b = await quietNetns(lab, 'b');
    await lab.veth(a, 'eth0', lab.name('ao'), '10.82.0.1/24');
    await lab.veth(b, 'eth0', lab.name('bo'), '10.82.0.2/24');
  }, 30_000);
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  need.it('restart with traffic flowing: pings answered again within 2 s of sluice start', async () => {
    const db = join(dir, 'conf.json');
    const rd = join(dir, 'rd');
    const br = lab.name('rb');
    const start = () => sluice(['start', '--db', db, '--rundir', rd, '--bridge', br, '--port', lab.name('ao'), '--port', lab.name('bo'), '--fail-mode', 'standalone']);
    let d = start();
    await d.waitFor(/bridge started/, 30_000);
    // pings every 10 ms for 12 s, each answer with its receive time (-D)
    const pings = sh(`ip netns exec ${a} ping -D -i 0.01 -W 0.2 -w 12 10.82.0.2 || true`, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    d.child.kill('SIGKILL');
    await d.wait();
    await new Promise((r) => setTimeout(r, 1000));
    const startedAt = Date.now() / 1000;
    d = start();
    await d.waitFor(/bridge started/, 30_000);
    const out = await pings;
    const answers = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]));
    const after = answers.filter((t) => t > startedAt);
    expect(answers.filter((t) => t < startedAt).length).toBeGreaterThan(100); // it was flowing before
    expect(after.length).toBeGreaterThan(100); // and flows again after
    expect(after[0]! - startedAt).toBeLessThan(2);
  }, 60_000);
});
