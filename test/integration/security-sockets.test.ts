/**
 * The daemon's unix sockets admit root only (issue #13 §6): the control socket
 * (RUNDIR/sluice.ctl) and each bridge's management socket (RUNDIR/BRIDGE.mgmt) are 0600,
 * and a run directory the daemon creates is 0700. Checked the way it matters: an
 * unprivileged user (nobody, through setpriv) tries to connect, and is refused even when
 * the directory lets it through; root connects.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../tools.js';
import { Lab, killAll, sh, startSluice } from './datapath-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'setpriv', 'env', 'python3');

/** Connects to a unix socket as `user` (a uid, or 'root'); "ok" or the error's name. */
async function connectAs(uid: number | 'root', path: string): Promise<string> {
  const py = `import socket,sys
s=socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print('ok')
except OSError as e:
    print(type(e).__name__)`;
  // the system's python3: a per-user install under /root is not reachable for nobody
  const as = uid === 'root' ? '' : `setpriv --reuid=${uid} --regid=${uid} --clear-groups env -i PATH=/usr/bin:/bin `;
  return (await sh(`${as}python3 -c "${py}" ${path}`)).trim();
}

need.describe('the control and management sockets', () => {
  const lab = new Lab();
  const top = mkdtempSync(join(tmpdir(), 'sluice-sec-'));
  const rundir = join(top, 'run', 'sluice'); // does not exist: the daemon creates it
  const br = lab.name('br');

  beforeAll(async () => {
    chmodSync(top, 0o755);
    await startSluice(['--bridge', br, '--rundir', rundir]);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(top, { recursive: true, force: true });
  });

  need.it('are 0600 in a 0700 run directory the daemon made', () => {
    expect(statSync(rundir).mode & 0o777).toBe(0o700);
    expect(statSync(join(rundir, 'sluice.ctl')).mode & 0o777).toBe(0o600);
    expect(statSync(join(rundir, `${br}.mgmt`)).mode & 0o777).toBe(0o600);
  });

  need.it('refuse an unprivileged user even when the directory is open to it', async () => {
    chmodSync(join(top, 'run'), 0o755);
    chmodSync(rundir, 0o755); // an operator widened it: the sockets still guard themselves
    try {
      for (const sock of ['sluice.ctl', `${br}.mgmt`]) {
        expect(await connectAs(65534, join(rundir, sock))).toBe('PermissionError');
        expect(await connectAs('root', join(rundir, sock))).toBe('ok');
      }
    } finally {
      chmodSync(rundir, 0o700);
    }
  });
});
