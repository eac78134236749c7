/**
 * `sluice trace` end to end (needs root for the bridge's LOCAL TAP): the real CLI binary
 * against a real daemon (`sluice start --bridge sdXXXXX --port memory:... --rundir TMP
 * --fail-mode secure`), rules installed with ovs-ofctl over the bridge's mgmt socket,
 * the packet given as FLOW, as --hex and as a packet of a pcap file written here; the
 * exact text; mistakes → one line and exit 2 (input) or 1 (daemon refused); a trace
 * leaves the rules' counters at zero (ovs-ofctl dump-flows).
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { parseTraceFlow } from '../../src/control/trace-flow.js';
import { CLI, killAll, sh, startSluice } from './datapath-lab.js';

const need = needs('root', 'native', 'ip', 'ovs-ofctl', 'sysctl');

const root = fileURLToPath(new URL('../..', import.meta.url));
const BR = 'sd' + randomBytes(3).toString('hex').slice(0, 5);

interface Run { code: number; stdout: string; stderr: string }

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, ...args], { cwd: root }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A little-endian µs pcap savefile (LINKTYPE_ETHERNET) holding `frames`. */
function pcapFile(frames: readonly Uint8Array[]): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0); g.writeUInt16LE(2, 4); g.writeUInt16LE(4, 6);
  g.writeUInt32LE(65535, 16); g.writeUInt32LE(1, 20);
  const parts = [g];
  for (const f of frames) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(f.length, 8); h.writeUInt32LE(f.length, 12);
    parts.push(h, Buffer.from(f));
  }
  return Buffer.concat(parts);
}

const frameOf = (flow: string): Uint8Array => {
  const f = parseTraceFlow(flow);
  if (f instanceof Error) throw f;
  return f.frame;
};

const WEB = 'tcp,nw_src=10.1.0.1,nw_dst=10.0.0.2,tp_dst=80';
const WEB_TEXT = [
  'Flow: tcp,in_port=1,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.1.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,tp_src=0,tp_dst=80,tcp_flags=0',
  '',
  'table 0: priority=100,ip,nw_dst=10.0.0.0/8, cookie=0x5',
  '    write_actions: output:2',
  '    write_metadata: 0x7 → metadata=0x7',
  '    action set: output:2 (actset_output=2)',
  '    goto_table: 1',
  'table 1: priority=10,tcp,metadata=0x7,tp_dst=80',
  '    apply_actions: output:3',
  '    end of pipeline, action set executed: output:2',
  '',
  'Final: 2 outputs',
  '    output to port 3 (sdm3)',
  '    output to port 2 (sdm2)',
  '',
].join('\n');

// An all group applied in table 1 copies the packet to each bucket, and the action set
// written in table 0 still runs at the end: port 2 gets two copies.
const GROUP_TEXT = [
  'table 0: priority=100,ip,nw_dst=10.0.0.0/8, cookie=0x5',
  '    write_actions: output:2',
  '    write_metadata: 0x7 → metadata=0x7',
  '    action set: output:2 (actset_output=2)',
  '    goto_table: 1',
  'table 1: priority=20,udp,metadata=0x7',
  '    apply_actions: group:6',
  '    group 6 (all): all 2 buckets, each on its own copy of the packet',
  '        bucket 1: output:2',
  '        bucket 2: set_field:8->ip_dscp,output:3',
  '    end of pipeline, action set executed: output:2',
  '',
  'Final: 3 outputs',
  '    output to port 2 (sdm2)',
  '    output to port 3 (sdm3)',
  '    output to port 2 (sdm2)',
  '',
];

need.describe('sluice trace through the daemon', () => {
  let dir = '';
  let mgmt = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sd-trace-'));
    mgmt = `unix:${join(dir, `${BR}.mgmt`)}`;
    await startSluice(['--bridge', BR, '--port', 'memory:sdm1', '--port', 'memory:sdm2', '--port', 'memory:sdm3',
      '--rundir', dir, '--fail-mode', 'secure']);
    for (const flow of [
      'table=0,priority=100,cookie=0x5,ip,nw_dst=10.0.0.0/8,actions=write_actions(output:2),write_metadata:0x7,goto_table:1',
      'table=1,priority=10,metadata=0x7,tcp,tp_dst=80,actions=output:3',
      'table=0,priority=0,actions=CONTROLLER:65535',
    ]) await sh(`ovs-ofctl -O OpenFlow13 add-flow ${mgmt} '${flow}'`);
  });
  afterAll(async () => {
    await killAll();
    await sh(`ip link del ${BR}`).catch(() => undefined); // the LOCAL TAP, if the daemon left it
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('FLOW: the table-by-table text, exit 0', async () => {
    const r = await run(['trace', BR, `in_port=1,${WEB}`, '--rundir', dir]);
    expect(r).toEqual({ code: 0, stdout: WEB_TEXT, stderr: '' });
    // in_port by name, or from --in-port: the same trace
    expect((await run(['trace', BR, `in_port=sdm1,${WEB}`, '--rundir', dir])).stdout).toBe(WEB_TEXT);
    expect((await run(['trace', BR, WEB, '--in-port', '1', '--rundir', dir])).stdout).toBe(WEB_TEXT);
  });

  it('--hex and --pcap give the same trace for the same bytes', async () => {
    const web = frameOf(WEB);
    const hex = Buffer.from(web).toString('hex');
    expect((await run(['trace', BR, '--hex', hex, '--in-port', '1', '--rundir', dir])).stdout).toBe(WEB_TEXT);
    const file = join(dir, 'two.pcap');
    writeFileSync(file, pcapFile([frameOf('udp,nw_dst=192.168.0.1'), web]));
    expect((await run(['trace', BR, '--pcap', file, '--index', '2', '--in-port', 'sdm1', '--rundir', dir])).stdout).toBe(WEB_TEXT);
    const first = await run(['trace', BR, '--pcap', file, '--in-port', '2', '--rundir', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').slice(2)).toEqual([
      'table 0: priority=0 (table-miss entry)',
      '    apply_actions: CONTROLLER:65535',
      '',
      'Final: to controller (reason no_match, whole packet)',
      '',
    ]);
  });

  it('a trace leaves every rule counter at zero', async () => {
    await run(['trace', BR, `in_port=1,${WEB}`, '--rundir', dir]);
    const dump = await sh(`ovs-ofctl -O OpenFlow13 dump-flows ${mgmt}`);
    const counts = dump.split('\n').filter((l) => l.includes('n_packets=')).map((l) => /n_packets=(\d+), n_bytes=(\d+)/.exec(l)!.slice(1).join('/'));
    expect(counts).toEqual(['0/0', '0/0', '0/0']);
  });

  it('a group in the second table: its buckets, installed with the sluice verbs', async () => {
    expect((await run(['add-group', BR, 'group_id=6,type=all,bucket=output:2,bucket=mod_nw_tos:32,output:3', '--rundir', dir])).code).toBe(0);
    expect((await run(['add-flow', BR, 'table=1,priority=20,metadata=0x7,udp,actions=group:6', '--rundir', dir])).code).toBe(0);
    const r = await run(['trace', BR, 'in_port=1,udp,nw_src=10.1.0.1,nw_dst=10.0.0.2,tp_dst=53', '--rundir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(2)).toEqual(GROUP_TEXT);
    expect((await run(['del-groups', BR, 'group_id=6', '--rundir', dir])).code).toBe(0); // and its flow with it
  });

  it('input mistakes: one line, exit 2; what the daemon refuses: one line, exit 1', async () => {
    expect(await run(['trace', BR, 'in_port=1,tcp,tp_dts=80', '--rundir', dir])).toEqual({
      code: 2, stdout: '', stderr: 'sluice: flow "in_port=1,tcp,tp_dts=80": unknown match field "tp_dts" (did you mean "tp_dst"?) (at column 15)\n',
    });
    expect(await run(['trace', BR, '--pcap', join(dir, 'missing.pcap'), '--in-port', '1', '--rundir', dir])).toEqual({
      code: 2, stdout: '', stderr: `sluice: --pcap ${join(dir, 'missing.pcap')}: no such file\n`,
    });
    expect(await run(['trace', BR, 'in_port=9,ip', '--rundir', dir])).toEqual({
      code: 1, stdout: '', stderr: `sluice: in_port 9: no such port on bridge ${BR} (ports: 1 sdm1, 2 sdm2, 3 sdm3, LOCAL ${BR})\n`,
    });
    const nobr = await run(['trace', 'sdnobridge', 'in_port=1,ip', '--rundir', dir]);
    expect(nobr.code).toBe(1);
    expect(nobr.stderr).toMatch(/^sluice: .*sdnobridge.*\n$/);
  });
});
