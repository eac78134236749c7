/**
 * The os-ken controller tests' one set-up (controller-osken*.test.ts): two quiet namespaces
 * A and B on veths, os-ken with an app of ours listening on a free port, a capture of the
 * controller channel, and a real `sluice start` daemon (secure, the two veths as ofport 1
 * and 2) whose bridge connects to os-ken — ready when the daemon logs the agreed version
 * and the app has seen the features reply.
 *
 *   ns A ── veth ── sluice (secure, --controller tcp:127.0.0.1:P) ── veth ── ns B
 *                                  │
 *                         osken-manager --ofp-tcp-listen-port P
 *
 * Call oskenLab() inside a describe: it registers the beforeAll and afterAll (everything
 * stopped and removed, also when a test fails).
 */
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, killAll, macOf, quietNetns, startSluice, type Daemon } from '../integration/datapath-lab.js';
import { Child, freePort, startCapture, stopAll, waitListening } from '../integration/openflow-capture.js';

interface OskenLabOptions {
  /** the app, a file next to this one */
  app: string;
  /** the hosts' /24, e.g. '10.84.0' (A is .1, B is .2) */
  subnet: string;
  /** the wire version the daemon must log as agreed (0x04, 0x05, 0x06) */
  version: number;
  /** os-ken's environment beyond the process's */
  env?: Record<string, string>;
  /** extra `sluice start` arguments, e.g. ['--protocols', 'OpenFlow13,OpenFlow15'] */
  sluiceArgs?: string[];
}

interface OskenLab {
  readonly lab: Lab;
  readonly rundir: string;
  readonly pcap: string;
  readonly br: string;
  /** the bridge's mgmt socket, for ovs-ofctl */
  readonly mgmt: string;
  /** the namespace of host A */
  readonly hostA: string;
  /** B's address */
  readonly addrB: string;
  port: number;
  osken: Child;
  capture: Child;
  daemon: Daemon;
  /** packet-ins the app logged for frames from A or B */
  packetInsFromHosts(): number;
}

export function oskenLab(o: OskenLabOptions): OskenLab {
  const lab = new Lab();
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-osken-'));
  const br = lab.name('br');
  let macs: string[] = [];
  const t = {
    lab, rundir, br, pcap: join(rundir, 'channel.pcapng'), mgmt: `unix:${rundir}/${br}.mgmt`,
    hostA: `${lab.prefix}A`, addrB: `${o.subnet}.2`, port: 0,
    osken: undefined as unknown as Child, capture: undefined as unknown as Child, daemon: undefined as unknown as Daemon,
    packetInsFromHosts: () => t.osken.lines.filter((l) => /SLUICE-PACKET-IN/.test(l) && macs.some((m) => l.includes(`src=${m}`))).length,
  };

  beforeAll(async () => {
    const A = await quietNetns(lab, 'A');
    const B = await quietNetns(lab, 'B');
    await lab.veth(A, 'eth0', lab.name('ao'), `${o.subnet}.1/24`);
    await lab.veth(B, 'eth0', lab.name('bo'), `${o.subnet}.2/24`);
    macs = [await macOf(A, 'eth0'), await macOf(B, 'eth0')];
    t.port = await freePort();
    const app = fileURLToPath(new URL(`./${o.app}`, import.meta.url));
    t.osken = Child.spawn('osken-manager', ['--ofp-listen-host', '127.0.0.1', '--ofp-tcp-listen-port', String(t.port), app], {
      ...process.env, PYTHONUNBUFFERED: '1', ...o.env,
    });
    await waitListening(t.port, 30_000);
    t.capture = await startCapture(t.port, t.pcap);
    t.daemon = await startSluice([
      '--bridge', br, '--fail-mode', 'secure', '--rundir', rundir, ...(o.sluiceArgs ?? []),
      '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`,
      '--controller', `tcp:127.0.0.1:${t.port}`,
    ]);
    const v = `0x${o.version.toString(16).padStart(2, '0')}`;
    await t.daemon.waitFor(new RegExp(`tcp:127.0.0.1:${t.port} connected \\(OpenFlow ${v}\\)`), 20_000);
    await t.osken.waitFor(/SLUICE-FEATURES dpid=/, 20_000);
  }, 60_000);

  afterAll(async () => {
    await t.capture?.stop('SIGINT').catch(() => undefined);
    await killAll();
    await t.osken?.stop().catch(() => undefined);
    await stopAll();
    await lab.cleanup();
    rmSync(rundir, { recursive: true, force: true });
  });
  return t;
}
