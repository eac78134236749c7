/**
 * `npm run demo` (bench/demo.ts) end to end (needs root and the addon): it must ping both
 * ways through the real CLI, print the per-port counters, exit 0 and leave nothing behind.
 */
import { it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { sh } from './ports-lab.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const need = needs('root', 'native', 'ip', 'ping', 'sysctl');

need.describe('npm run demo', () => {
  it('pings both ways, prints counters, exits 0 and cleans up', async () => {
    const child = run(process.execPath, ['--import', 'tsx', 'bench/demo.ts'], { cwd: root, timeout: 60_000 });
    const pid = child.child.pid!;
    const { stdout } = await child;
    expect(stdout).toMatch(/ping sd\d+a → 10\.199\.0\.2: 3 received/);
    expect(stdout).toMatch(/ping sd\d+b → 10\.199\.0\.1: 3 received/);
    expect(stdout).toMatch(new RegExp(`\\n  sd${pid}a0 ofport=1 link=up rx_packets=\\d+`));
    expect(stdout).toContain('demo: OK');
    expect(await sh(`ip netns list | grep '^sd${pid}' || true`)).toBe('');
    expect(await sh(`ip -o link show | grep ' sd${pid}' || true`)).toBe('');
  }, 70_000);
});
