/**
 * Starting and stopping the two switches under test, each pointed at the benchmark's
 * controller on 127.0.0.1:CTL_PORT. Both run in the caller's network namespace (run.sh puts
 * the whole benchmark in its own switch namespace), with ports IF1 = ofport 1, IF2 = ofport 2.
 *
 *   Sluice: `sluice start ... --controller tcp:127.0.0.1:P` when the CLI has that flag,
 *           else bench/openflow/sluice-switch.ts (Bridge + OpenFlowService in a child
 *           process); `how` says which ran.
 *   OVS:    ovsdb-server + ovs-vswitchd with private OVS_RUNDIR/DBDIR/LOGDIR/SYSCONFDIR
 *           under `dir`, userspace datapath (datapath_type=netdev), fail-mode secure,
 *           OpenFlow13 only, in-band control off.
 *
 * Invariant: every process is stopped by the PID we started or that its pidfile names,
 * never by name; stop() is safe to call twice and after a failed start.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SwitchUnderTest {
  readonly name: string;
  /** How it was run, for the report. */
  readonly how: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopPid(pid: number): Promise<void> {
  const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
  if (!alive()) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 100 && alive(); i++) await sleep(100); // up to 10 s: a profile may be being written
  if (alive()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

function waitForLine(child: ChildProcess, text: string, log: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms (see ${log})`)), timeoutMs);
    const onData = (b: Buffer) => {
      appendFileSync(log, b);
      seen = (seen + b.toString()).slice(-4096);
      if (seen.includes(text)) { clearTimeout(t); resolve(); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`exited with ${code} before "${text}" (see ${log})`)); });
  });
}

export async function startSluice(repo: string, dir: string, ctlPort: number, if1: string, if2: string): Promise<SwitchUnderTest> {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'sluice.log');
  const node = [process.execPath, '--import', 'tsx'];
  let help = '';
  try {
    help = execFileSync(node[0]!, [...node.slice(1), 'src/cli/main.ts', 'start', '--help'], { cwd: repo, encoding: 'utf8', timeout: 20_000 });
  } catch { /* no usable CLI: use the harness */ }
  const hasFlag = help.includes('--controller');
  // A private rundir: the mgmt socket br0.mgmt must not clash with another Sluice's br0.
  const rundir = help.includes('--rundir') ? ['--rundir', join(dir, 'run')] : [];
  const args = hasFlag
    ? ['src/cli/main.ts', 'start', '--bridge', 'br0', '--fail-mode', 'secure', '--controller', `tcp:127.0.0.1:${ctlPort}`,
      ...rundir, '--port', `${if1}@ofport=1`, '--port', `${if2}@ofport=2`]
    : ['bench/openflow/sluice-switch.ts', String(ctlPort), if1, if2];
  const how = hasFlag ? 'sluice start --controller (the daemon)' : 'bench/openflow/sluice-switch.ts (Bridge + OpenFlowService, child process)';
  // OFB_SLUICE_NODE_ARGS: extra node flags for Sluice only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const extra = (process.env.OFB_SLUICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(node[0]!, [...extra, ...node.slice(1), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode === null && child.pid) await stopPid(child.pid);
  };
  try {
    await waitForLine(child, 'bridge started', log, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { name: 'sluice', how, stop };
}

export async function startOvs(dir: string, ctlPort: number, if1: string, if2: string): Promise<SwitchUnderTest> {
  const d = (s: string) => join(dir, s);
  for (const s of ['run', 'db', 'log', 'etc']) mkdirSync(d(s), { recursive: true });
  const env = { ...process.env, OVS_RUNDIR: d('run'), OVS_DBDIR: d('db'), OVS_LOGDIR: d('log'), OVS_SYSCONFDIR: d('etc') };
  const db = `unix:${d('run/db.sock')}`;
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    for (const f of ['ovs-vswitchd', 'ovsdb-server']) {
      const pf = d(`run/${f}.pid`);
      if (existsSync(pf)) await stopPid(Number(readFileSync(pf, 'utf8').trim()));
    }
  };
  try {
    run('ovsdb-tool', ['create', d('db/conf.db'), '/usr/share/openvswitch/vswitch.ovsschema']);
    run('ovsdb-server', [d('db/conf.db'), `--remote=punix:${d('run/db.sock')}`, `--pidfile=${d('run/ovsdb-server.pid')}`,
      `--log-file=${d('log/ovsdb-server.log')}`, '--detach', '--no-chdir']);
    run('ovs-vsctl', [`--db=${db}`, '--no-wait', 'init']);
    run('ovs-vswitchd', [db, `--pidfile=${d('run/ovs-vswitchd.pid')}`, `--log-file=${d('log/ovs-vswitchd.log')}`, '--detach', '--no-chdir']);
    run('ovs-vsctl', [`--db=${db}`, '--timeout=20',
      'add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev', 'fail-mode=secure', 'protocols=OpenFlow13',
      'other-config:disable-in-band=true',
      '--', 'add-port', 'br0', if1, '--', 'set', 'interface', if1, 'ofport_request=1',
      '--', 'add-port', 'br0', if2, '--', 'set', 'interface', if2, 'ofport_request=2',
      '--', 'set-controller', 'br0', `tcp:127.0.0.1:${ctlPort}`]);
    const version = run('ovs-vswitchd', ['--version']).split('\n')[0]!.trim();
    return { name: 'ovs', how: `${version}, datapath_type=netdev`, stop };
  } catch (e) {
    await stop();
    const err = e as Error & { stderr?: string };
    throw new Error(`OVS did not start: ${err.message.split('\n')[0]} ${err.stderr ?? ''} (logs in ${d('log')})`);
  }
}
