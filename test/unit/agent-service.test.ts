import { afterEach, describe, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as tls from 'node:tls';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenFlowService } from '../../src/openflow/service.js';
import { ActiveEndpoint, type PassiveEndpoint } from '../../src/openflow/transport.js';
import { parseTarget, type Target } from '../../src/openflow/target.js';
import { FakeBridge } from './agent-fake-bridge.js';
import { TestController } from './agent-helpers.js';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

function tmpRundir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-agent-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function connectTo(opts: { port: number; host: string } | { path: string }): Promise<TestController> {
  const s: Socket = createConnection(opts as never);
  cleanup.push(() => s.destroy());
  await new Promise<void>((r) => s.once('connect', () => r()));
  const c = new TestController(s);
  await c.handshake();
  return c;
}

describe('OpenFlowService', () => {
  it('listens on ptcp (127.0.0.1) and on punix:<rundir>/<bridge>.mgmt, and cleans up on stop', async () => {
    const rundir = tmpRundir();
    const svc = new OpenFlowService(new FakeBridge(), { rundir, probeIntervalMs: 0 });
    await svc.start({ listen: ['ptcp:0'] });
    cleanup.push(() => svc.stop());
    const tcp = svc.endpointsOpen.find((e) => e.target.kind === 'ptcp') as PassiveEndpoint;
    expect(tcp.port).toBeGreaterThan(0);
    const a = await connectTo({ host: '127.0.0.1', port: tcp.port });
    a.send({ type: 'features_request', xid: 1 });
    expect((await a.next('features_reply')).datapathId).toBe(0x0000_0200_0000_00aan);
    const mgmt = join(rundir, 'br0.mgmt');
    expect(svc.mgmtPath).toBe(mgmt);
    const b = await connectTo({ path: mgmt });
    b.send({ type: 'barrier_request', xid: 2 });
    expect((await b.next('barrier_reply')).xid).toBe(2);
    svc.stop();
    await a.waitClosed();
    await b.waitClosed();
    expect(existsSync(mgmt)).toBe(false);
  });

  it('refuses bad targets with an error naming them, leaving nothing open', async () => {
    const svc = new OpenFlowService(new FakeBridge(), { rundir: null });
    await expect(svc.start({ controllers: ['tcp:1.2.3.4'], listen: ['ptcp:notaport'] })).rejects.toThrow(/ptcp:notaport: port "notaport"/);
    expect(svc.endpointsOpen).toEqual([]);
  });

  it('reports a port already in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanup.push(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const svc = new OpenFlowService(new FakeBridge(), { rundir: null });
    await expect(svc.start({ listen: [`ptcp:${port}`] })).rejects.toThrow(new RegExp(`ptcp:${port}:127.0.0.1: cannot listen`));
  });

  it('active controller: connects, and reconnects with backoff after the controller drops it', async () => {
    const server = createServer();
    const accepted: TestController[] = [];
    const times: number[] = [];
    server.on('connection', (s) => { times.push(Date.now()); cleanup.push(() => s.destroy()); accepted.push(new TestController(s)); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const bridge = new FakeBridge('standalone');
    const svc = new OpenFlowService(bridge, { rundir: null, probeIntervalMs: 0, backoffMinMs: 50, backoffMaxMs: 200 });
    await svc.start({ controllers: [`tcp:127.0.0.1:${port}`] });
    cleanup.push(() => svc.stop());
    const deadline = Date.now() + 2000;
    while (accepted.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const c1 = accepted[0]!;
    await c1.handshake();
    c1.send({ type: 'features_request', xid: 3 });
    expect((await c1.next('features_reply')).xid).toBe(3);
    c1.sock.destroy();
    while (accepted.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(accepted.length).toBe(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(40); // waited the backoff
    expect(bridge.failOpen).toBe(true); // standalone, no controller for a while
    await accepted[1]!.handshake();
    await accepted[1]!.until(() => !bridge.failOpen);
    expect(bridge.failOpen).toBe(false);
  });
});

describe('transport', () => {
  it('backs off 1×, 2×, 4×, then stays at the maximum while the controller keeps dropping us', async () => {
    const times: number[] = [];
    const server = createServer((s) => { times.push(Date.now()); s.destroy(); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const ep = new ActiveEndpoint(parseTarget(`tcp:127.0.0.1:${port}`) as Target, { probeIntervalMs: 0, backoffMinMs: 40, backoffMaxMs: 160 }, () => {});
    cleanup.push(() => ep.close());
    const deadline = Date.now() + 3000;
    while (times.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toHaveLength(4);
    // 40, 80, 160, 160 (+ connection time); generous upper bounds for a loaded machine
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(155);
    expect(gaps[3]).toBeGreaterThanOrEqual(155);
    expect(gaps[3]).toBeLessThan(320);
    ep.close();
    const n = times.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(times.length).toBe(n); // closed: no more attempts
  });

  needs('openssl').it('ssl: mutual TLS with key/cert/CA files, then the OpenFlow hello', async () => {
    const dir = tmpRundir();
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
    for (const who of ['switch', 'ctl']) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
      openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1');
    }
    const f = (n: string) => readFileSync(join(dir, n));
    const got: TestController[] = [];
    const server = tls.createServer({ key: f('ctl.key'), cert: f('ctl.pem'), ca: f('ca.pem'), requestCert: true, rejectUnauthorized: true }, (s) => {
      cleanup.push(() => s.destroy());
      got.push(new TestController(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const svc = new OpenFlowService(new FakeBridge(), {
      rundir: null, probeIntervalMs: 0, tls: { key: join(dir, 'switch.key'), cert: join(dir, 'switch.pem'), ca: join(dir, 'ca.pem') },
    });
    await svc.start({ controllers: [`ssl:127.0.0.1:${port}`] });
    cleanup.push(() => svc.stop());
    const deadline = Date.now() + 3000;
    while (got.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const c = got[0]!;
    await c.handshake();
    c.send({ type: 'features_request', xid: 9 });
    expect((await c.next('features_reply')).xid).toBe(9);
  });
});
