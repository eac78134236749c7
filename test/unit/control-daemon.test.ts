/**
 * The daemon core without root: bridges without a LOCAL TAP, memory and patch ports,
 * no mgmt socket, and a recorder in place of the db file.
 */
import { describe, it, expect, afterEach } from 'vitest';
import type { DaemonConfig } from '../../src/control/config.js';
import { Daemon } from '../../src/control/daemon.js';
import { daemonHandlers, portSettingFrom } from '../../src/control/daemon-handlers.js';
import { parsePortOption } from '../../src/control/port-option.js';
import { formatShow } from '../../src/control/daemon-show.js';
import { createLogger } from '../../src/control/log.js';
import { OFPP_CONTROLLER } from '../../src/pipeline/types.js';
import { createPort } from '../../src/ports/spec.js';
import { PatchPort } from '../../src/ports/patch.js';

const lines: string[] = [];
const saved: DaemonConfig[] = [];
const log = createLogger('info', { write: (l: string) => lines.push(l) });
let daemons: Daemon[] = [];

function mkDaemon(db: string | null = '/db/conf.json'): Daemon {
  const d = new Daemon({ rundir: null, log, db, control: '/x/sluice.ctl', localPort: false, save: (_f, c) => saved.push(c) });
  daemons.push(d);
  return d;
}
const port = (text: string) => {
  const p = parsePortOption(text);
  if (p instanceof Error) throw p;
  return p;
};
const br = (name: string, ports: string[] = []) => ({ name, failMode: 'standalone' as const, ports: ports.map(port) });
const msg = (v: unknown) => (v instanceof Error ? v.message : `not an error: ${JSON.stringify(v)}`);
const tick = () => new Promise((r) => setImmediate(r));

afterEach(async () => {
  for (const d of daemons) await d.stopAll();
  daemons = [];
  saved.length = 0;
  lines.length = 0;
});

describe('daemon core: bridges and ports', () => {
  it('adds bridges, refuses a duplicate, lists them sorted, logs bridge started', async () => {
    const d = mkDaemon();
    expect(await d.addBridge(br('b2'))).not.toBeInstanceOf(Error);
    expect(await d.addBridge(br('b1', ['memory:m1']))).not.toBeInstanceOf(Error);
    expect(msg(await d.addBridge(br('b1')))).toBe('bridge b1 already exists');
    expect(d.listBridges()).toEqual(['b1', 'b2']);
    expect(lines.some((l) => / info  b1: bridge started \(dpid 0x[0-9a-f]{16}, fail-mode standalone, 1 port\)$/.test(l.trimEnd()))).toBe(true);
    expect(saved).toHaveLength(2);
  });

  it('records the ofport each port got, so a restart numbers them the same', async () => {
    const d = mkDaemon();
    await d.addBridge(br('b1', ['memory:m1', 'memory:m2@ofport=7']));
    expect(d.addPort('b1', { spec: 'memory:m3' })).toBe(2); // 1 taken by m1, 7 by m2
    const c = saved.at(-1)!;
    expect(c.bridges[0]!.ports).toEqual([{ spec: 'memory:m1', ofport: 1 }, { spec: 'memory:m2', ofport: 7 }, { spec: 'memory:m3', ofport: 2 }]);
    expect(d.listPorts('b1')).toEqual(['m1', 'm2', 'm3']);
    // the same config again, in another daemon: the same numbers
    const e = mkDaemon(null);
    await e.addBridge({ ...c.bridges[0]!, name: 'b9' });
    expect(e.runningBridges()[0]!.bridge.ports().map((p) => [p.name, p.ofport])).toEqual([['m1', 1], ['m3', 2], ['m2', 7]]);
  });

  it('names what is wrong: unknown bridge (with the list), unknown port, bad spec, taken ofport', async () => {
    const d = mkDaemon();
    expect(msg(d.addPort('b1', { spec: 'memory:m1' }))).toBe('no bridge b1 (no bridges yet: sluice add-br NAME)');
    await d.addBridge(br('b1', ['memory:m1']));
    await d.addBridge(br('b0'));
    expect(msg(d.delPort('b9', 'x'))).toBe('no bridge b9 (bridges: b0, b1)');
    expect(msg(d.delPort('b1', 'veth-x'))).toBe('no port veth-x on b1');
    expect(msg(d.addPort('b1', { spec: 'bogus:x' }))).toMatch(/unknown port kind "bogus"/);
    expect(msg(d.addPort('b1', { spec: 'memory:m2', ofport: 1 }))).toMatch(/ofport 1 is taken/);
    expect(msg(d.delBridge('nope'))).toBe('no bridge nope (bridges: b0, b1)');
    const before = saved.length;
    expect(msg(await d.setControllers('b1', ['bogus:6653']))).toMatch(/bogus/);
    expect(saved.length).toBe(before); // failed changes are not saved
  });

  it('deletes ports and bridges and saves each change', async () => {
    const d = mkDaemon();
    await d.addBridge(br('b1', ['memory:m1', 'memory:m2']));
    expect(d.delPort('b1', 'm1')).toBeNull();
    expect(saved.at(-1)!.bridges[0]!.ports).toEqual([{ spec: 'memory:m2', ofport: 2 }]);
    expect(d.delBridge('b1')).toBeNull();
    expect(saved.at(-1)).toEqual({ bridges: [] });
    expect(d.listBridges()).toEqual([]);
  });

  it('replaces controllers (kept in the config, shown not connected) and removes them', async () => {
    const d = mkDaemon();
    await d.addBridge(br('b1'));
    expect(await d.setControllers('b1', ['tcp:127.0.0.1:1', 'tcp:127.0.0.1:2'])).toBeNull();
    expect(saved.at(-1)!.bridges[0]!.controllers).toEqual(['tcp:127.0.0.1:1', 'tcp:127.0.0.1:2']);
    expect(d.show().bridges[0]!.controllers).toEqual([{ target: 'tcp:127.0.0.1:1', connected: false }, { target: 'tcp:127.0.0.1:2', connected: false }]);
    expect(await d.delControllers('b1')).toBeNull();
    expect(saved.at(-1)!.bridges[0]!.controllers).toBeUndefined();
    expect(d.show().bridges[0]!.controllers).toEqual([]);
  });
});

describe('patch ports', () => {
  it('validates the spec', () => {
    expect(createPort('patch:p1,peer=p2')).toBeInstanceOf(PatchPort);
    expect(msg(createPort('patch:p1'))).toMatch(/expected patch:NAME,peer=PEER/);
    expect(msg(createPort('patch:p1,peer=p1'))).toMatch(/cannot be its own peer/);
    expect(msg(createPort('patch:p1,peer=a-name-much-too-long'))).toMatch(/peer "a-name-much-too-long" is not a port name/);
  });

  it('connects in either order, carries frames, and goes down when the peer goes', async () => {
    const d = mkDaemon();
    const b1 = await d.addBridge(br('b1', ['patch:p12,peer=p21']));
    if (b1 instanceof Error) throw b1;
    expect(b1.bridge.ports()[0]!.linkUp).toBe(false); // no peer yet
    const b2 = await d.addBridge(br('b2', []));
    if (b2 instanceof Error) throw b2;
    expect(d.addPort('b2', { spec: 'patch:p21,peer=p12' })).toBe(1);
    expect(b1.bridge.ports()[0]!.linkUp).toBe(true);
    expect(b2.bridge.ports()[0]!.linkUp).toBe(true);
    expect(d.show().bridges.find((b) => b.name === 'b2')!.ports[0]).toEqual({ name: 'p21', ofport: 1, kind: 'patch', linkUp: true, peer: 'p12' });

    const frame = new Uint8Array(60);
    frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06]);
    expect(b1.bridge.packetOut(OFPP_CONTROLLER, [{ type: 'output', port: 1, maxLen: 0 }], frame)).toBeNull();
    for (let i = 0; i < 5; i++) await tick();
    expect(b1.bridge.ports()[0]!.stats.txPackets).toBe(1);
    expect(b2.bridge.ports()[0]!.stats.rxPackets).toBe(1);

    const statusB1: number[] = [];
    b1.bridge.on('port-status', (reason: number, p: { linkUp: boolean }) => statusB1.push(reason * 10 + (p.linkUp ? 1 : 0)));
    expect(d.delBridge('b2')).toBeNull();
    expect(b1.bridge.ports()[0]!.linkUp).toBe(false);
    expect(statusB1).toContain(20); // modify, link down
    // the peer comes back: up again
    await d.addBridge(br('b3', ['patch:p21,peer=p12']));
    expect(b1.bridge.ports()[0]!.linkUp).toBe(true);
  });

  it('refuses a second patch port of the same name', async () => {
    const d = mkDaemon();
    await d.addBridge(br('b1', ['patch:pa,peer=pb']));
    await d.addBridge(br('b2'));
    expect(msg(d.addPort('b2', { spec: 'patch:pa,peer=pc' }))).toBe('port "patch:pa,peer=pc": a patch port named pa is already on b1');
    expect(msg(await d.addBridge(br('b3', ['patch:px,peer=py', 'patch:px,peer=pz'])))).toMatch(/patch port px given twice/);
  });
});

describe('control handlers', () => {
  it('checks add-port arguments', () => {
    expect(portSettingFrom({ spec: 'veth-a', tag: 10 })).toEqual({ spec: 'veth-a', vlanMode: 'access', tag: 10 });
    expect(portSettingFrom({ spec: 'veth-a', vlanMode: 'trunk', trunks: [10, 20], ofport: 3 })).toEqual({ spec: 'veth-a', ofport: 3, vlanMode: 'trunk', trunks: [10, 20] });
    expect(msg(portSettingFrom({ spec: 'veth-a', vlanMode: 'access' }))).toBe('an access port needs a tag 0..4095');
    expect(msg(portSettingFrom({ spec: 'veth-a', ofport: 0 }))).toMatch(/^ofport 0: expected 1\.\./);
    expect(msg(portSettingFrom({}))).toBe('missing "spec"');
  });

  it('serves the verbs on the core, and the trace command names a missing bridge', async () => {
    const d = mkDaemon();
    const traced: string[] = [];
    const h = daemonHandlers(d, (b) => (traced.push(b.name), { text: 'ok' }));
    expect(await h['add-br']!({ name: 'b1', dpid: '0xa1', failMode: 'secure' })).toEqual({ name: 'b1', dpid: '00000000000000a1' });
    expect(msg(await h['add-br']!({ name: 'bad name' }))).toMatch(/must be 1 to 15/);
    expect(msg(await h['add-br']!({ name: 'b2', failMode: 'open' }))).toMatch(/fail mode "open"/);
    // protocols, as OVS's bridge column (Mininet's `protocols` switch parameter): kept in the db
    expect(await h['add-br']!({ name: 'b3', protocols: 'OpenFlow13,OpenFlow10' })).toMatchObject({ name: 'b3' });
    expect(saved.at(-1)!.bridges.find((b) => b.name === 'b3')!.protocols).toEqual([1, 4]);
    expect(msg(await h['add-br']!({ name: 'b4', protocols: 'OpenFlow12' }))).toBe('protocol "OpenFlow12": expected OpenFlow10, OpenFlow13, OpenFlow14, OpenFlow15');
    expect(await h['add-port']!({ bridge: 'b1', spec: 'memory:m1', ofport: 5 })).toEqual({ ofport: 5 });
    expect(await h['list-ports']!({ bridge: 'b1' })).toEqual(['m1']);
    expect(msg(await h['set-controller']!({ bridge: 'b1', targets: 'tcp:1.2.3.4' }))).toMatch(/"targets"/);
    expect(msg(await h.trace!({ bridge: 'b7' }))).toBe('no bridge b7 (bridges: b1, b3)');
    expect(await h.trace!({ bridge: 'b1' })).toEqual({ text: 'ok' });
    expect(traced).toEqual(['b1']);
    const text = formatShow(d.show());
    expect(text).toContain('\n    Bridge b1\n        datapath_id: "00000000000000a1"\n        fail_mode: secure\n');
    expect(text).toContain('        Port m1\n            Interface m1\n                ofport: 5\n                type: memory\n                link_state: up\n');
  });
});
