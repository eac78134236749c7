/**
 * The ofctl verbs of `sluice` end to end (needs root and the native addon): a real daemon
 * (`sluice start --fail-mode secure`, two TAP ports) and the real CLI binary for every
 * verb. Format parity: every dump is compared, line for line, with what
 * `ovs-ofctl -O OpenFlow13 ... unix:RUNDIR/BRIDGE.mgmt` prints for the same daemon at the
 * same moment, after masking durations and dropping ovs-ofctl's `OFPST_... reply` header.
 * Errors: syntax (exit 2, nothing sent), refusals (exit 1, error names), no such bridge,
 * daemon gone. Every name starts with "sc" + a random suffix; rundir is a fresh temp dir.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { CLI, Lab, killAll, sh, startSluice, type Daemon } from './datapath-lab.js';

const need = needs('root', 'native', 'ip', 'ovs-ofctl', 'sysctl');

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Lab with this suite's own name prefix ("sc"), so cleanup removes only our links. */
class ScLab extends Lab {
  override readonly prefix = 'sc' + randomBytes(2).toString('hex');
}

interface Run { code: number; out: string[]; err: string[] }

function runCli(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdin.end(stdin ?? '');
    const lines = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));
    child.on('close', (code) => resolve({ code: code ?? 1, out: lines(out), err: lines(err) }));
  });
}

function ovsOfctl(args: string[]): { code: number; out: string[]; err: string } {
  const r = spawnSync('ovs-ofctl', ['-O', 'OpenFlow13', ...args], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status ?? 1, out: r.stdout.replace(/\n$/, '').split('\n'), err: r.stderr };
}

/** Durations move between two dumps: mask them. */
const mask = (lines: string[]) => lines.map((l) => l.replace(/duration=[\d.]+s/g, 'duration=Xs'));

need.describe('sluice ofctl verbs against a real daemon', () => {
  const lab = new ScLab();
  const br = lab.name('br');
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-sc-'));
  const mgmt = `unix:${join(rundir, `${br}.mgmt`)}`;
  const R = ['--rundir', rundir];
  let d: Daemon;

  /** Our dump and ovs-ofctl's, both as masked lines (ovs-ofctl's header line dropped). */
  async function both(verb: string, ...extra: string[]): Promise<[string[], string[]]> {
    const ours = await runCli([verb, br, ...extra, ...R]);
    expect(ours.err).toEqual([]);
    expect(ours.code).toBe(0);
    const theirs = ovsOfctl([verb, mgmt, ...extra]);
    expect(theirs.code).toBe(0);
    // ovs-ofctl's header line names the reply message (not printed by --no-stats)
    const header = /^OFPST_\w+ reply \(OF1\.3\)/.test(theirs.out[0] ?? '') ? 1 : 0;
    expect(header || extra.includes('--no-stats')).toBeTruthy();
    return [mask(ours.out), mask(theirs.out.slice(header))];
  }
  const flowCount = async () => (await runCli(['dump-flows', br, ...R])).out.length;

  beforeAll(async () => {
    d = await startSluice(['--bridge', br, '--port', `tap:${lab.name('ta')}`, '--port', `tap:${lab.name('tb')}`,
      '--rundir', rundir, '--fail-mode', 'secure']);
    // no IPv6 chatter on the TAPs: port counters must not move between two dumps
    for (const t of ['ta', 'tb']) await sh(`sysctl -qw net.ipv6.conf.${lab.name(t)}.disable_ipv6=1`).catch(() => undefined);
  });
  afterAll(async () => {
    await killAll();
    await lab.cleanup();
    rmSync(rundir, { recursive: true, force: true });
  });

  it('add-flow, add-group, add-meter install what they say (exit 0, silent)', async () => {
    for (const args of [
      ['add-group', br, 'group_id=1,type=select,bucket=output:1,bucket=weight:5,actions=output:2'],
      ['add-group', br, 'group_id=2,type=all,bucket=output:1,bucket=actions=set_field:10.0.0.9->ip_dst,output:2'],
      ['add-meter', br, 'meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100'],
      ['add-meter', br, 'meter=2,pktps,bands=type=dscp_remark,rate=10,prec_level=1'],
      ['add-flow', br, 'priority=100,ip,nw_dst=10.0.0.0/8,actions=output:2'],
      ['add-flow', br, 'table=0,cookie=0x1f,priority=50,tcp,tp_dst=80,actions=meter:1,group:1'],
      ['add-flow', br, 'table=1,idle_timeout=300,hard_timeout=600,send_flow_rem,priority=5,dl_vlan=10,actions=pop_vlan,goto_table:2'],
      ['add-flow', br, 'table=2,arp,actions=clear_actions,write_actions(output:1)'],
      ['add-flow', br, 'table=0,priority=0,actions=drop'],
    ]) {
      const r = await runCli([...args, ...R]);
      expect({ args, ...r }).toEqual({ args, code: 0, out: [], err: [] });
    }
    expect(await flowCount()).toBe(5);
  });

  it('dump-flows prints what ovs-ofctl prints, also with a filter', async () => {
    const [ours, theirs] = await both('dump-flows');
    expect(ours).toHaveLength(5);
    expect(ours).toEqual(theirs);
    expect(ours).toContain(' cookie=0x0, duration=Xs, table=0, n_packets=0, n_bytes=0, priority=100,ip,nw_dst=10.0.0.0/8 actions=output:2');
    const [brief, briefOvs] = await both('dump-flows', '--no-stats');
    expect(brief).toEqual(briefOvs);
    expect(brief).toContain(' priority=100,ip,nw_dst=10.0.0.0/8 actions=output:2');
    for (const filter of ['table=1', 'tcp', 'cookie=0x1f/0xffffffffffffffff', 'out_port=2']) {
      const [o, t] = await both('dump-flows', filter);
      expect({ filter, o }).toEqual({ filter, o: t });
    }
  });

  it('dump-groups, dump-meters, dump-tables, dump-ports print what ovs-ofctl prints', async () => {
    for (const verb of ['dump-groups', 'dump-meters', 'dump-tables', 'dump-ports']) {
      const [ours, theirs] = await both(verb);
      expect(ours.length, verb).toBeGreaterThan(0);
      expect({ verb, ours }).toEqual({ verb, ours: theirs });
    }
    const [p1, t1] = await both('dump-ports', '1');
    expect(p1).toEqual(t1);
    expect(p1[0]).toMatch(/^ {2}port {2}1: rx pkts=\d+/);
    const [pl, tl] = await both('dump-ports', 'LOCAL');
    expect(pl).toEqual(tl);
  });

  it('dump-ports-desc prints what ovs-ofctl prints, also for a port that is down', async () => {
    expect(ovsOfctl(['mod-port', mgmt, '2', 'down']).code).toBe(0); // config PORT_DOWN
    const [ours, theirs] = await both('dump-ports-desc');
    expect(ours).toEqual(theirs);
    expect(ours).toContain(` 2(${lab.name('tb')}): addr:${ours.find((l) => l.startsWith(` 2(`))!.split('addr:')[1]}`);
    expect(ours).toContain('     config:     PORT_DOWN');
    expect(ours.filter((l) => l.startsWith('     speed: '))).toHaveLength(3);
    expect(ovsOfctl(['mod-port', mgmt, '2', 'up']).code).toBe(0);
  });

  it('an explicit unix:PATH target works like the bridge name', async () => {
    const r = await runCli(['dump-groups', mgmt]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([' group_id=1,type=select,bucket=actions=output:1,bucket=weight:5,actions=output:2',
      ' group_id=2,type=all,bucket=actions=output:1,bucket=actions=set_field:10.0.0.9->ip_dst,output:2']);
  });

  it('add-flows from a file: comments and blank lines skipped; a bad line 3 names FILE:3 and installs nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sc-flows-'));
    try {
      const good = join(dir, 'good.txt');
      writeFileSync(good, '# web\n\ntable=3,priority=1,tcp,tp_dst=443,actions=output:1\n  table=3,priority=2,udp,actions=drop\n');
      expect(await runCli(['add-flows', br, good, ...R])).toEqual({ code: 0, out: [], err: [] });
      expect((await runCli(['dump-flows', br, 'table=3', ...R])).out).toHaveLength(2);

      const before = await flowCount();
      const bad = join(dir, 'bad.txt');
      writeFileSync(bad, 'table=4,priority=1,actions=drop\ntable=4,priority=2,actions=drop\ntable=4,ip,nw_dst=10.0.0.300,actions=drop\n');
      const r = await runCli(['add-flows', br, bad, ...R]);
      expect(r.code).toBe(2);
      expect(r.err).toEqual([`sluice: ${bad}:3: bad value for nw_dst: "10.0.0.300" (at column 19)`]);
      expect(await flowCount()).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("add-flows - reads stdin; a refusal names the line and the error, the other flows stay", async () => {
    const r = await runCli(['add-flows', br, '-', ...R], 'table=5,priority=1,actions=drop\ntable=5,priority=2,actions=output:99\n');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`sluice: ${br} refused the flow at (stdin):2: OFPBAC_BAD_OUT_PORT (bad_action, bad_out_port): table=5,priority=2,actions=output:99`]);
    expect((await runCli(['dump-flows', br, 'table=5', ...R])).out).toHaveLength(1);
  });

  it('mod-flows and del-flows, loose and --strict', async () => {
    expect((await runCli(['mod-flows', br, 'table=3,tcp,actions=output:2', ...R])).code).toBe(0);
    const t3 = (await runCli(['dump-flows', br, 'table=3', ...R])).out;
    expect(t3.find((l) => l.includes('tp_dst=443'))).toMatch(/ actions=output:2$/);
    // strict: only priority=2,udp matches exactly; the loose match "udp" at priority 9 deletes nothing
    expect((await runCli(['del-flows', br, 'table=3,priority=9,udp', '--strict', ...R])).code).toBe(0);
    expect((await runCli(['dump-flows', br, 'table=3', ...R])).out).toHaveLength(2);
    expect((await runCli(['del-flows', br, 'table=3,priority=2,udp', '--strict', ...R])).code).toBe(0);
    expect((await runCli(['dump-flows', br, 'table=3', ...R])).out).toHaveLength(1);
    expect((await runCli(['del-flows', br, 'table=3', ...R])).code).toBe(0);
    expect((await runCli(['dump-flows', br, 'table=3', ...R])).out).toEqual([]);
  });

  it('switch refusals: exit 1 with the error names and the flow', async () => {
    const port = await runCli(['add-flow', br, 'priority=7,actions=output:99', ...R]);
    expect(port).toEqual({ code: 1, out: [], err: [`sluice: ${br} refused the flow: OFPBAC_BAD_OUT_PORT (bad_action, bad_out_port): priority=7,actions=output:99`] });
    const group = await runCli(['add-flow', br, 'priority=7,actions=group:9', ...R]);
    expect(group.err).toEqual([`sluice: ${br} refused the flow: OFPBAC_BAD_OUT_GROUP (bad_action, bad_out_group): priority=7,actions=group:9`]);
    const dupGroup = await runCli(['add-group', br, 'group_id=1,type=all,bucket=output:1', ...R]);
    expect(dupGroup.code).toBe(1);
    expect(dupGroup.err[0]).toMatch(new RegExp(`^sluice: ${br} refused the group: OFPGMFC_GROUP_EXISTS \\(group_mod_failed, group_exists\\): `));
  });

  it('a bad --timeout is a usage error', async () => {
    const r = await runCli(['dump-flows', br, '--timeout', 'soon', ...R]);
    expect(r).toEqual({ code: 2, out: [], err: ['sluice: --timeout "soon": expected a number of seconds > 0'] });
    expect((await runCli(['dump-tables', br, '--timeout', '2.5', ...R])).code).toBe(0);
  });

  it('syntax errors exit 2 without connecting; Nicira extensions are refused with a hint', async () => {
    const typo = await runCli(['add-flow', 'scnobr', 'ip,nw_dts=10.0.0.1,actions=drop', ...R]); // no such bridge: 2, not 1
    expect(typo).toEqual({ code: 2, out: [], err: ['sluice: unknown match field "nw_dts" (did you mean "nw_dst"?) (at column 4)'] });
    const resubmit = await runCli(['add-flow', br, 'actions=resubmit:1', ...R]);
    expect(resubmit.code).toBe(2);
    expect(resubmit.err).toEqual(['sluice: resubmit is an Open vSwitch extension, not OpenFlow: use goto_table:N (at column 9)']);
  });

  it('del-groups and del-meters, one and all', async () => {
    expect((await runCli(['del-groups', br, 'group_id=2', ...R])).code).toBe(0);
    expect((await runCli(['dump-groups', br, ...R])).out).toHaveLength(1);
    // group 1 is used by a flow: deleting it deletes that flow too (OF1.3.5 §6.5)
    expect((await runCli(['del-groups', br, ...R])).code).toBe(0);
    expect((await runCli(['dump-groups', br, ...R])).out).toEqual([]);
    expect((await runCli(['del-meters', br, 'meter=2', ...R])).code).toBe(0);
    expect((await runCli(['dump-meters', br, ...R])).out.filter((l) => l.startsWith('meter='))).toEqual(['meter=1 kbps burst stats bands=']);
    expect((await runCli(['del-meters', br, ...R])).code).toBe(0);
    expect((await runCli(['dump-meters', br, ...R])).out).toEqual([]);
    const [ours, theirs] = await both('dump-flows');
    expect(ours).toEqual(theirs);
  });

  it('unknown bridge, and the daemon stopped: exit 1 with what to do', async () => {
    const none = await runCli(['dump-flows', 'scnobr', ...R]);
    expect(none).toEqual({ code: 1, out: [], err: [
      `sluice: no bridge scnobr on this host (no ${join(rundir, 'scnobr.mgmt')}): is \`sluice start\` running? list bridges with \`sluice list-br\``,
    ] });
    expect(await d.stop()).toBe(0);
    const gone = await runCli(['dump-flows', br, ...R]);
    expect(gone.code).toBe(1);
    expect(gone.err).toEqual([
      `sluice: no bridge ${br} on this host (no ${join(rundir, `${br}.mgmt`)}): is \`sluice start\` running? list bridges with \`sluice list-br\``,
    ]);
  });
});
