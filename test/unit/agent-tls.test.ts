/**
 * TLS to and from controllers (issue #13 §6), with keys and certificates made by openssl:
 * mutual authentication against the CA of --ssl-ca; a peer certificate another CA signed,
 * or an expired one, is refused, and the log line says which (tlsRefusal).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, expect } from 'vitest';
import { PassiveEndpoint, ActiveEndpoint } from '../../src/openflow/transport.js';
import { parseTarget, type Target } from '../../src/openflow/target.js';
import { needs } from '../tools.js';

const need = needs('openssl');
const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let made = false;
/** Two CAs; switch, ctl and expired signed by "ca", rogue by "other". */
function pki(): void {
  if (made) return;
  made = true;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '1', '-subj', `/CN=${ca}`);
  }
  for (const [who, ca, days] of [['switch', 'ca', '1'], ['ctl', 'ca', '1'], ['rogue', 'other', '1'], ['expired', 'ca', '-1']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    openssl('x509', '-req', '-in', `${who}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
      '-out', `${who}.pem`, '-days', days);
  }
}
const f = (n: string) => readFileSync(join(dir, n));
const files = (who: string) => ({ key: join(dir, `${who}.key`), cert: join(dir, `${who}.pem`), ca: join(dir, 'ca.pem') });

/** A controller listening with `who`'s certificate; counts the handshakes that succeed. */
async function controller(who: string): Promise<{ port: number; accepted: () => number }> {
  let n = 0;
  const server = tls.createServer({ key: f(`${who}.key`), cert: f(`${who}.pem`), ca: f('ca.pem'), requestCert: true, rejectUnauthorized: true }, (s) => {
    n++;
    s.destroy();
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => server.close());
  return { port: (server.address() as { port: number }).port, accepted: () => n };
}

async function firstError(target: string, who: string): Promise<string> {
  const errors: string[] = [];
  const ep = new ActiveEndpoint(parseTarget(target) as Target, { probeIntervalMs: 0, tls: files(who), onError: (m) => errors.push(m) }, () => {});
  cleanup.push(() => ep.close());
  const deadline = Date.now() + 5000;
  while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return errors[0] ?? 'no error reported';
}

need.describe('TLS to a controller', () => {
  need.it('connects when both certificates are signed by the CA', async () => {
    pki();
    const ctl = await controller('ctl');
    const ep = new ActiveEndpoint(parseTarget(`ssl:127.0.0.1:${ctl.port}`) as Target, { probeIntervalMs: 0, tls: files('switch') }, () => {});
    cleanup.push(() => ep.close());
    const deadline = Date.now() + 5000;
    while (ctl.accepted() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(ctl.accepted()).toBe(1);
  });

  need.it('refuses a controller whose certificate another CA signed, and says so', async () => {
    pki();
    const ctl = await controller('rogue');
    const e = await firstError(`ssl:127.0.0.1:${ctl.port}`, 'switch');
    expect(e).toBe(`ssl:127.0.0.1:${ctl.port}: TLS peer refused: its certificate is not signed by the CA of --ssl-ca (UNABLE_TO_VERIFY_LEAF_SIGNATURE); retrying in 1000 ms`);
    expect(ctl.accepted()).toBe(0);
  });

  need.it('refuses a controller whose certificate has expired, and says so', async () => {
    pki();
    const ctl = await controller('expired');
    const e = await firstError(`ssl:127.0.0.1:${ctl.port}`, 'switch');
    expect(e).toBe(`ssl:127.0.0.1:${ctl.port}: TLS peer refused: its certificate has expired (CERT_HAS_EXPIRED); retrying in 1000 ms`);
    expect(ctl.accepted()).toBe(0);
  });
});

need.describe('TLS from a controller (pssl)', () => {
  async function listen() {
    const errors: string[] = [];
    let accepted = 0;
    const ep = await PassiveEndpoint.listen(parseTarget('pssl:0:127.0.0.1') as Target,
      { probeIntervalMs: 0, tls: files('switch'), onError: (m) => errors.push(m) }, () => { accepted++; });
    if (ep instanceof Error) throw ep;
    cleanup.push(() => ep.close());
    return { port: ep.port, errors, accepted: () => accepted };
  }
  async function dial(port: number, who: string | null): Promise<void> {
    const mine = who === null ? {} : { key: f(`${who}.key`), cert: f(`${who}.pem`) };
    const s = tls.connect({ host: '127.0.0.1', port, ...mine, ca: f('ca.pem'), checkServerIdentity: () => undefined });
    cleanup.push(() => s.destroy());
    s.on('error', () => {});
    await new Promise((r) => { s.once('secureConnect', r); s.once('close', r); setTimeout(r, 3000).unref(); });
  }

  need.it('admits a controller with a certificate the CA signed', async () => {
    pki();
    const l = await listen();
    await dial(l.port, 'ctl');
    const deadline = Date.now() + 3000;
    while (l.accepted() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(l.accepted()).toBe(1);
    expect(l.errors).toEqual([]);
  });

  need.it('refuses one whose certificate another CA signed, that expired, or with none, with a log line each', async () => {
    pki();
    const l = await listen();
    await dial(l.port, 'rogue');
    await dial(l.port, 'expired');
    await dial(l.port, null);
    const deadline = Date.now() + 3000;
    while (l.errors.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(l.accepted()).toBe(0);
    expect(l.errors.map((e) => e.replace(/:\d+:/, ':P:').replace(/← 127\.0\.0\.1:\d+/, '← client'))).toEqual([
      'pssl:P:127.0.0.1 ← client: TLS peer refused: its certificate is not signed by the CA of --ssl-ca (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
      'pssl:P:127.0.0.1 ← client: TLS peer refused: its certificate has expired (CERT_HAS_EXPIRED)',
      'pssl:P:127.0.0.1 ← client: TLS peer refused: it sent no certificate (mutual authentication is required) (NO_PEER_CERTIFICATE)',
    ]);
  });
});
