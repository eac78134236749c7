// The ofctl client against an in-process Bridge (memory ports) behind a real OpenFlowService
// on a temp rundir: handshake, mods with a barrier, refusals reported by index, multipart
// replies split with OFPMPF_REPLY_MORE, bundles (all or none), and the failures the operator sees (no bridge,
// daemon gone, silent peer, peer without OF1.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfctlClient, type Request } from '../../src/cli/ofctl/client.js';
import { SluiceError } from '../../src/ports/errors.js';
import { resolveTarget, type ResolvedTarget } from '../../src/cli/ofctl/target.js';
import { parseFlow } from '../../src/openflow/syntax/index.js';
import { Bridge } from '../../src/datapath/bridge.js';
import { OpenFlowService } from '../../src/openflow/service.js';
import type { PassiveEndpoint } from '../../src/openflow/transport.js';
import { encodeMessage, type FlowStats } from '../../src/openflow/index.js';
import { MemoryPort } from '../../src/ports/memory.js';
import type { FlowMod } from '../../src/pipeline/types.js';

const rundir = mkdtempSync(join(tmpdir(), 'sluice-ofctl-client-'));
afterAll(() => rmSync(rundir, { recursive: true, force: true }));
const target = (arg: string): ResolvedTarget => resolveTarget(arg, rundir) as ResolvedTarget;
const flow = (text: string): Request => ({ type: 'flow_mod', ...(parseFlow(text, { command: 'add' }) as FlowMod) });
const ok = <T>(v: T | SluiceError): T => {
  if (v instanceof SluiceError) throw new Error(`unexpected SluiceError: ${v.message}`);
  return v;
};

/** A unix-socket server at rundir/NAME.mgmt that runs `onConn` for each connection. */
async function fakeSwitch(name: string, onConn: (s: Socket) => void): Promise<Server> {
  const srv = createServer(onConn);
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(join(rundir, `${name}.mgmt`), resolve);
  });
  return srv;
}

describe('OfctlClient against a Sluice bridge', () => {
  const [p1] = MemoryPort.pair('p1', 'h1');
  const [p2] = MemoryPort.pair('p2', 'h2');
  let bridge: Bridge;
  let svc: OpenFlowService;

  beforeAll(async () => {
    bridge = new Bridge({
      name: 'scu0', failMode: 'secure', localPort: false,
      ports: [{ spec: 'memory:p1', port: p1, ofport: 1 }, { spec: 'memory:p2', port: p2, ofport: 2 }],
    });
    bridge.start();
    svc = new OpenFlowService(bridge, { rundir });
    await svc.start({ listen: ['ptcp:0'] });
  });
  afterAll(() => {
    svc?.stop();
    bridge?.stop();
  });

  it('connects by bridge name, installs flows and reads them back', async () => {
    const c = ok(await OfctlClient.connect(target('scu0')));
    expect(ok(await c.modify([flow('priority=10,ip,actions=output:2'), flow('table=1,priority=5,actions=drop')]))).toEqual([]);
    const bodies = ok(await c.multipart({ kind: 'flow', tableId: 0xff, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: [] }));
    const flows = bodies.flatMap<FlowStats>((b) => (b.kind === 'flow' ? b.flows : []));
    expect(flows.map((f) => [f.tableId, f.priority]).sort()).toEqual([[0, 10], [1, 5]]);
    c.close();
  });

  it('connects to an explicit tcp:IP:PORT target too', async () => {
    const port = (svc.endpointsOpen.find((e) => e.target.kind === 'ptcp') as PassiveEndpoint).port;
    const c = ok(await OfctlClient.connect(target(`tcp:127.0.0.1:${port}`)));
    expect(c.label).toBe(`tcp:127.0.0.1:${port}`);
    expect(ok(await c.multipart({ kind: 'desc' }))[0]).toMatchObject({ kind: 'desc', dpDesc: 'scu0' });
    c.close();
  });

  it('reports each refused mod by its index, after the barrier, and keeps the others', async () => {
    const c = ok(await OfctlClient.connect(target('scu0')));
    const r = ok(await c.modify([flow('priority=20,actions=output:1'), flow('priority=21,actions=output:99'), flow('priority=22,actions=group:7')]));
    expect(r.map((x) => [x.index, x.error.errType, x.error.code])).toEqual([[1, 2, 4], [2, 2, 9]]);
    const t0 = ok(await c.multipart({ kind: 'flow', tableId: 0, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: [] }));
    const prios = t0.flatMap((b) => (b.kind === 'flow' ? b.flows.map((f) => f.priority) : []));
    expect(prios).toContain(20);
    expect(prios).not.toContain(21);
    c.close();
  });

  it('--bundle: one atomic bundle (ONF EXT-230 over 1.3): a refused mod leaves nothing, all good mods go in', async () => {
    const c = ok(await OfctlClient.connect(target('scu0')));
    const table4 = async () => ok(await c.multipart({ kind: 'flow', tableId: 4, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: [] }))
      .flatMap((b) => (b.kind === 'flow' ? b.flows.map((f) => f.priority) : []));
    const r = ok(await c.modifyBundled([flow('table=4,priority=30,actions=output:1'), flow('table=4,priority=31,actions=output:99'), flow('table=4,priority=32,actions=output:2')]));
    expect(r.map((x) => [x.index, x.error.errType, x.error.code])).toEqual([[1, 2, 4]]); // OFPBAC_BAD_OUT_PORT
    expect(await table4()).toEqual([]);
    expect(ok(await c.modifyBundled([flow('table=4,priority=30,actions=output:1'), flow('table=4,priority=32,actions=output:2')]))).toEqual([]);
    expect((await table4()).sort()).toEqual([30, 32]);
    c.close();
  });

  it('collects a multipart reply split over several messages (OFPMPF_REPLY_MORE)', async () => {
    const c = ok(await OfctlClient.connect(target('scu0')));
    // ~100 bytes per flow stats entry: 1500 flows need more than one 64 KiB message
    const mods = Array.from({ length: 1500 }, (_, i) => flow(`table=3,priority=${i + 1},tcp,tp_dst=${i + 1},actions=drop`));
    expect(ok(await c.modify(mods))).toEqual([]);
    const bodies = ok(await c.multipart({ kind: 'flow', tableId: 3, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: [] }));
    expect(bodies.length).toBeGreaterThan(1);
    expect(bodies.reduce((n, b) => n + (b.kind === 'flow' ? b.flows.length : 0), 0)).toBe(1500);
    c.close();
  });

  it('a refused multipart request resolves to a SluiceError naming the error', async () => {
    const c = ok(await OfctlClient.connect(target('scu0')));
    const r = await c.multipart({ kind: 'experimenter', experimenter: 0x2320, expType: 0, data: new Uint8Array(0) });
    expect(r).toBeInstanceOf(SluiceError);
    expect((r as SluiceError).message).toBe('scu0 refused the request: OFPBRC_BAD_EXPERIMENTER (bad_request, bad_experimenter)');
    expect((r as SluiceError).cause).toMatchObject({ type: 'error', errType: 1, code: 3 });
    // the connection is still good after a refusal
    expect(ok(await c.multipart({ kind: 'desc' }))[0]).toMatchObject({ kind: 'desc', dpDesc: 'scu0' });
    c.close();
  });
});

describe('OfctlClient failures', () => {
  it('no socket: no such bridge', async () => {
    const r = await OfctlClient.connect(target('scnone'));
    expect(r).toBeInstanceOf(SluiceError);
    expect((r as SluiceError).message).toBe(`no bridge scnone on this host (no ${rundir}/scnone.mgmt): is \`sluice start\` running? list bridges with \`sluice list-br\``);
  });

  needs('python3').it('a socket file left by a dead daemon: not running', async () => {
    // bind without listen, then exit: the file stays and connect() is refused
    execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(join(rundir, 'scdead.mgmt'))})`]);
    const r = await OfctlClient.connect(target('scdead'));
    expect((r as SluiceError).message).toBe(`bridge scdead is not running (${rundir}/scdead.mgmt refuses connections): start it with \`sluice start\``);
  });

  it('a peer that never answers: timeout', async () => {
    const srv = await fakeSwitch('scmute', () => undefined);
    const t0 = Date.now();
    const r = await OfctlClient.connect(target('scmute'), 300);
    expect((r as SluiceError).message).toBe('scmute did not answer within 300 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    srv.close();
  });

  it('a peer that only speaks OpenFlow 1.0: handshake failed, with the reason', async () => {
    const srv = await fakeSwitch('scof10', (s) => s.write(encodeMessage({ type: 'hello', xid: 1, version: 1, versions: [] })));
    const r = await OfctlClient.connect(target('scof10'), 2000);
    expect((r as SluiceError).message).toMatch(/^scof10: OpenFlow 1.3 handshake failed: hello failed: no common OpenFlow version: we support OpenFlow13, peer offers OpenFlow10$/);
    srv.close();
  });

  it('a switch that closes mid-request fails the pending call', async () => {
    const srv = await fakeSwitch('scdrop', (s) => {
      s.write(encodeMessage({ type: 'hello', xid: 1, versions: [4] }));
      let got = 0; // our HELLO is 16 bytes (header + version bitmap): anything past it is the request
      s.on('data', (d: Buffer) => { got += d.length; if (got > 16) s.destroy(); });
    });
    const c = ok(await OfctlClient.connect(target('scdrop'), 2000));
    const r = await c.multipart({ kind: 'desc' });
    expect((r as SluiceError).message).toMatch(/^scdrop closed the connection: /);
    srv.close();
  });
});
