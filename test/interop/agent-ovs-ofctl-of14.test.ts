// Open vSwitch's `ovs-ofctl -O OpenFlow14` against a Sluice bridge (memory ports) on ptcp:
// show and dump-ports-desc read 1.4's ofp_port with its Ethernet property, dump-ports
// 1.4's port stats, mod-port sends 1.4's port-mod; `--bundle add-flows` installs all of a
// file or, with one bad line in the middle, nothing (the failing line's error, then
// OFPBFC_MSG_FAILED); a dump running while a bundle commits never sees half of it;
// `--bundle replace-flows`; `-O OpenFlow13 --bundle` (ONF EXT-230); `monitor watch:` (flow
// monitors) seeing others' adds, modifies and deletes; and the 1.4 messages ovs-ofctl has no command for (role-status,
// async config, bundle control) read back with `ovs-ofctl ofp-print`, an independent decoder.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import type { OFMessage } from '../../src/openflow/index.js';
import { encodeMessage14 } from '../../src/openflow/of14/encode.js';
import type { MemoryPort } from '../../src/ports/memory.js';
import { OfctlLab } from './ofctl-lab.js';

const need = needs('ovs-ofctl');
const run = promisify(execFile);

/** dump-flows lines without cookie/duration (which vary), sorted. */
const flowLines = (out: string): string[] =>
  out.split('\n').filter((l) => l.includes('table=')).map((l) => l.replace(/^\s*cookie=\S+ duration=\S+ /, '').trim()).sort();

need.describe('ovs-ofctl -O OpenFlow14 against Sluice', () => {
  const lab = new OfctlLab('br14', { failMode: 'secure', dpid: 0xa14n, ports: 3 });
  const of14 = (verb: string, ...args: string[]) => lab.ofctl14(verb, ...args);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-of14-'));
  const file = (name: string, lines: string[]): string => {
    const f = join(dir, name);
    writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };
  beforeAll(() => lab.start());
  afterAll(() => {
    lab.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('show: 1.4 features reply, then the 1.4 port description with its Ethernet property', async () => {
    const out = await of14('show');
    expect(out).toMatch(/^OFPT_FEATURES_REPLY \(OF1\.4\) \(xid=0x\w+\): dpid:0000000000000a14\n/);
    expect(out).toContain('OFPST_PORT_DESC reply (OF1.4)');
    for (const p of [1, 2, 3]) {
      expect(out).toMatch(new RegExp(` ${p}\\(p${p}\\): addr:[0-9a-f:]{17}\\n\\s+config:\\s+0\\n\\s+state:\\s+LIVE\\n\\s+current:\\s+10GB-FD COPPER`));
    }
    expect(out).toContain('speed: 10000 Mbps now, 10000 Mbps max');
    expect(out).toContain('OFPT_GET_CONFIG_REPLY (OF1.4)');
  });

  it('mod-port (1.4 port-mod with properties) takes a port down and up again', async () => {
    expect(await of14('mod-port', 'p2', 'down')).toBe('');
    expect(await of14('dump-ports-desc')).toMatch(/ 2\(p2\): addr:[0-9a-f:]{17}\n\s+config:\s+PORT_DOWN\n/);
    expect(await of14('mod-port', 'p2', 'up')).toBe('');
    expect(await of14('dump-ports-desc')).toMatch(/ 2\(p2\): addr:[0-9a-f:]{17}\n\s+config:\s+0\n\s+state:\s+LIVE/);
  });

  it('dump-ports: 1.4 port stats count the frames a flow forwarded', async () => {
    expect(await of14('add-flow', 'priority=5,in_port=1,actions=output:2')).toBe('');
    const [[p1], [, h2]] = lab.pairs as [[MemoryPort, MemoryPort], [MemoryPort, MemoryPort]];
    for (let i = 0; i < 3; i++) p1.inject(new Uint8Array(60).fill(0xab, 0, 6).fill(2, 6, 12));
    await new Promise((r) => setTimeout(r, 100));
    expect(h2.rxBurst()).toBe(3);
    const out = await of14('dump-ports');
    expect(out).toMatch(/^OFPST_PORT reply \(OF1\.4\) \(xid=0x\w+\): 3 ports/);
    expect(out).toMatch(/port {2}1: rx pkts=3, bytes=180,/);
    expect(out).toMatch(/port {2}2: rx pkts=0, bytes=0, [^\n]*\n\s+tx pkts=3, bytes=180,/);
    expect(out).toMatch(/duration=\d+\.\d+s/);
    expect(await of14('del-flows')).toBe('');
  });

  it('--bundle add-flows: every line installed at once', async () => {
    const f = file('good.txt', [
      'priority=10,in_port=1,actions=output:2', 'priority=10,in_port=2,actions=output:1', 'table=1,priority=3,ip,actions=drop',
    ]);
    expect(await of14('add-flows', '--bundle', f)).toBe('');
    expect(flowLines(await of14('dump-flows'))).toEqual([
      'table=0, n_packets=0, n_bytes=0, priority=10,in_port=1 actions=output:2',
      'table=0, n_packets=0, n_bytes=0, priority=10,in_port=2 actions=output:1',
      'table=1, n_packets=0, n_bytes=0, priority=3,ip actions=drop',
    ]);
  });

  it('--bundle add-flows with one bad line in the middle installs nothing: its error, then OFPBFC_MSG_FAILED', async () => {
    const before = flowLines(await of14('dump-flows'));
    const f = file('bad.txt', [
      'priority=11,in_port=1,actions=output:3', 'priority=11,in_port=2,actions=output:99', 'priority=11,in_port=3,actions=output:1',
    ]);
    const out = await of14('add-flows', '--bundle', f);
    expect(out).toMatch(/^FAILED /);
    expect(out).toMatch(/Error OFPBAC_BAD_OUT_PORT for: OFPT_FLOW_MOD \(OF1\.4\) \(xid=0x\w+\): ADD priority=11,in_port=2 actions=output:99/);
    expect(out).toMatch(/Error OFPBFC_MSG_FAILED for: OFPT_BUNDLE_CONTROL \(OF1\.4\) \(xid=0x\w+\):\n bundle_id=\w+ type=COMMIT_REQUEST flags=atomic ordered/);
    expect(flowLines(await of14('dump-flows'))).toEqual(before);
    // the last line fails (a group the switch does not have): the first is not kept either
    const g = file('bad-group.txt', ['priority=12,in_port=1,actions=drop', 'priority=12,in_port=3,actions=group:77']);
    expect(await of14('add-flows', '--bundle', g)).toMatch(/Error OFPBAC_BAD_OUT_GROUP for: OFPT_FLOW_MOD \(OF1\.4\)[^\n]*priority=12,in_port=3 actions=group:77/);
    expect(flowLines(await of14('dump-flows'))).toEqual(before);
  });

  it('a dump running while a bundle of 300 flows commits sees none or all of them', { timeout: 60_000 }, async () => {
    expect(await of14('del-flows')).toBe('');
    const f = file('many.txt', Array.from({ length: 300 }, (_, i) => `priority=100,ip,nw_dst=10.1.${i >> 8}.${i & 255},actions=output:2`));
    const counts: number[] = [];
    let done = false;
    const bundle = new Promise<number | null>((resolve) => {
      const p = spawn('ovs-ofctl', ['-O', 'OpenFlow14', '--bundle', 'add-flows', lab.target, f], { stdio: 'ignore' });
      p.on('exit', (code) => { done = true; resolve(code); });
    });
    while (!done) counts.push(flowLines(await of14('dump-flows')).length);
    expect(await bundle).toBe(0);
    counts.push(flowLines(await of14('dump-flows')).length);
    expect(counts.every((n) => n === 0 || n === 300)).toBe(true);
    expect(counts.at(-1)).toBe(300);
  });

  it('--bundle replace-flows: the table becomes the file, in one commit', async () => {
    const f = file('replace.txt', ['priority=10,in_port=1,actions=output:3', 'priority=20,in_port=3,actions=output:1']);
    expect(await of14('replace-flows', '--bundle', f)).toBe('');
    expect(flowLines(await of14('dump-flows'))).toEqual([
      'table=0, n_packets=0, n_bytes=0, priority=10,in_port=1 actions=output:3',
      'table=0, n_packets=0, n_bytes=0, priority=20,in_port=3 actions=output:1',
    ]);
    expect(await of14('diff-flows', f)).toBe('');
  });

  it('ovs-ofctl -O OpenFlow13 --bundle (ONF EXT-230 experimenter messages): the same all-or-nothing', async () => {
    expect(await of14('del-flows')).toBe('');
    const bad = file('bad13.txt', ['priority=11,in_port=1,actions=output:3', 'priority=11,in_port=2,actions=output:99']);
    const out = await lab.ofctl('add-flows', '--bundle', bad);
    expect(out).toMatch(/Error OFPBAC_BAD_OUT_PORT for: OFPT_FLOW_MOD \(OF1\.3\)/);
    expect(out).toMatch(/Error OFPBFC_MSG_FAILED for: ONFT_BUNDLE_CONTROL \(OF1\.3\)/);
    expect(flowLines(await lab.ofctl('dump-flows'))).toEqual([]);
    const good = file('good13.txt', ['priority=11,in_port=1,actions=output:3', 'priority=11,in_port=2,actions=output:1']);
    expect(await lab.ofctl('add-flows', '--bundle', good)).toBe('');
    expect(flowLines(await lab.ofctl('dump-flows'))).toHaveLength(2);
  });

  it('ovs-ofctl -O OpenFlow14 monitor watch: (flow monitor): the initial flows, then adds, modifies and deletes made by others', { timeout: 30_000 }, async () => {
    expect(await of14('del-flows')).toBe('');
    expect(await of14('add-flow', 'priority=4,in_port=3,actions=output:2')).toBe('');
    const mon = spawn('ovs-ofctl', ['-O', 'OpenFlow14', `--unixctl=${lab.rundir}/monitor14.ctl`, 'monitor', lab.target, 'watch:']);
    let out = '';
    mon.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    mon.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const until = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(re);
    };
    try {
      await until(/event=INITIAL table=0 cookie=0 in_port=3 actions=output:2/);
      expect(await of14('add-flow', 'table=1,priority=5,in_port=1,actions=output:2')).toBe('');
      await until(/OFPST_FLOW_MONITOR reply \(OF1\.4\) \(xid=0x0\):\n event=ADDED table=1 cookie=0 in_port=1 actions=output:2/);
      expect(await of14('mod-flows', 'table=1,in_port=1,actions=output:3')).toBe('');
      await until(/event=MODIFIED table=1 cookie=0 in_port=1 actions=output:3/);
      expect(await of14('del-flows', 'table=1')).toBe('');
      await until(/event=DELETED reason=delete table=1 cookie=0 in_port=1 actions=output:3/);
    } finally {
      mon.kill();
    }
  });

  it('dump-table-desc and queue-get-config (1.4: queue desc) answer; mod-table with eviction is refused (no eviction here)', async () => {
    const desc = await of14('dump-table-desc');
    expect(desc).toMatch(/^OFPST_TABLE_DESC reply \(OF1\.4\)/);
    expect(desc).toMatch(/table 0:/);
    expect(desc).toMatch(/table 254:/);
    expect(await of14('queue-get-config')).toMatch(/^OFPST_QUEUE_DESC reply \(OF1\.4\) \(xid=0x\w+\):/); // 1.4: queue desc, no queues
    expect(await of14('mod-table', '0', 'evict')).toMatch(/OFPTMFC_BAD_CONFIG/);
  });

  it('the verbs whose messages 1.4 kept as in 1.3: groups, meters, aggregate, desc, queue stats, packet-out', async () => {
    expect(await of14('del-flows')).toBe('');
    expect(await of14('add-group', 'group_id=1,type=select,bucket=output:1,bucket=output:2')).toBe('');
    expect(await of14('add-meter', 'meter=1,kbps,bands=type=drop,rate=1000')).toBe('');
    expect(await of14('add-flow', 'priority=5,in_port=1,actions=meter:1,group:1')).toBe('');
    expect(flowLines(await of14('dump-flows'))).toEqual(['table=0, n_packets=0, n_bytes=0, priority=5,in_port=1 actions=meter:1,group:1']);
    expect(await of14('dump-aggregate')).toMatch(/OFPST_AGGREGATE reply \(OF1\.4\) \(xid=0x\w+\): packet_count=0 byte_count=0 flow_count=1/);
    expect(await of14('dump-groups')).toContain('group_id=1,type=select,bucket=actions=output:1,bucket=actions=output:2');
    expect(await of14('dump-group-stats')).toMatch(/group_id=1,duration=[\d.]+s,ref_count=1,packet_count=0/);
    expect(await of14('dump-meters')).toMatch(/meter=1 kbps bands=\ntype=drop rate=1000/);
    expect(await of14('meter-stats')).toMatch(/meter:1 flow_count:1 /);
    expect(await of14('dump-desc')).toContain('Manufacturer: Sluice project');
    expect(await of14('queue-stats')).toMatch(/OFPST_QUEUE reply \(OF1\.4\) \(xid=0x\w+\): 0 queues/);
    expect(await of14('packet-out', '1', 'drop', '0000000000010000000000020800')).toBe('');
    expect(await of14('del-flows')).toBe('');
    expect(await of14('del-groups')).toBe('');
    expect(await of14('del-meters')).toBe('');
  });

  it('our role-status, async config and bundle control read back with ovs-ofctl ofp-print', async () => {
    const print = async (m: OFMessage) => (await run('ovs-ofctl', ['ofp-print', Buffer.from(encodeMessage14(m)!).toString('hex')])).stdout;
    expect(await print({ type: 'role_status', xid: 0, role: 3, reason: 0, generationId: 7n }))
      .toMatch(/^OFPT_ROLE_STATUS \(OF1\.4\) \(xid=0x0\): role=secondary generation_id=7 reason=primary_request/); // OVS 3's words
    const async = await print({
      type: 'get_async_reply', xid: 1, packetInMask: [3, 0], portStatusMask: [7, 7], flowRemovedMask: [15, 0], roleStatusMask: [7, 7],
    });
    expect(async).toMatch(/^OFPT_GET_ASYNC_REPLY \(OF1\.4\) \(xid=0x1\):/);
    expect(async).toMatch(/primary:\n\s+PACKET_IN: no_match action\n\s+PORT_STATUS: add delete modify\n\s+FLOW_REMOVED: idle hard delete group_delete\n\s+ROLE_STATUS: primary_request configuration_changed experimenter_data_changed\n/);
    expect(async).toMatch(/secondary:\n\s+PACKET_IN: \(off\)\n\s+PORT_STATUS: add delete modify\n\s+FLOW_REMOVED: \(off\)\n/);
    expect(await print({ type: 'bundle_control', xid: 2, bundleId: 5, ctrlType: 1, flags: 3 }))
      .toMatch(/^OFPT_BUNDLE_CONTROL \(OF1\.4\) \(xid=0x2\):\n bundle_id=0x5 type=OPEN_REPLY flags=atomic ordered/);
  });
});
