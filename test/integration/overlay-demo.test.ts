/**
 * `npm run demo:overlay` (bench/demo-overlay.ts) end to end (needs root and the addon): two
 * Sluice hosts, two tenants on TAP ports moved into VM namespaces; each tenant must reach
 * its peer, tenant A must reach nothing of tenant B, the demo must exit 0 and leave no
 * namespace or link with its prefix behind.
 */
import { it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { sh } from './ports-lab.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const need = needs('root', 'native', 'ip', 'ping', 'sysctl', 'ethtool', 'tcpdump');

need.describe('npm run demo:overlay', () => {
  it('reaches each tenant peer, isolates the tenants, exits 0 and cleans up', async () => {
    const child = run(process.execPath, ['--import', 'tsx', 'bench/demo-overlay.ts'], { cwd: root, timeout: 90_000 });
    const pid = child.child.pid!;
    const { stdout } = await child;
    const p = `so${pid}`;
    for (const [vm, dst] of [['a1', '10.60.0.2'], ['a2', '10.60.0.1'], ['b1', '10.60.0.12'], ['b2', '10.60.0.11']]) {
      expect(stdout).toContain(`ping ${p}${vm} → ${dst}: 3 received`);
    }
    expect(stdout).toContain(`ping ${p}a1 → 10.60.0.11: no reply`);
    expect(stdout).toContain(`ping ${p}a1 → 10.60.0.12: no reply`);
    expect(stdout).toMatch(new RegExp(`capture on ${p}b2: [1-9]\\d* frames, 0 of them from tenant A`));
    // the TAPs kept working after the move: the daemon still counts them as up
    expect(stdout).toMatch(new RegExp(`stats port ${p}ta1 ofport=1 link=up rx_packets=[1-9]`));
    expect(stdout).toContain('demo: OK');
    expect(await sh(`ip netns list | grep '^${p}' || true`)).toBe('');
    expect(await sh(`ip -o link show | grep ' ${p}' || true`)).toBe('');
  }, 100_000);
});
