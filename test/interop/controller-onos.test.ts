/**
 * ONOS's OF1.3 conversation replayed (onos-replay.ts) against two real `sluice start`
 * daemons, then LLDP link discovery across two veth pairs wired crosswise:
 *
 *   br1 (dpid 0xa1) port 1 ── veth ── port 2 br2 (dpid 0xb2)
 *   br1 (dpid 0xa1) port 2 ── veth ── port 1 br2 (dpid 0xb2)
 *
 * Both bridges are secure (table-miss drops: only the replay's LLDP rule sends anything up)
 * and connect to the replay controller on tcp:127.0.0.1:<random port>. The links derived
 * from the LLDP packet-ins must be exactly the four directed links of that wiring; and
 * tshark's OpenFlow dissector finds nothing malformed in the captured channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OFPCR_ROLE_MASTER } from '../../src/openflow/index.js';
import { OFPP_LOCAL } from '../../src/pipeline/types.js';
import { Lab, killAll, sh, startSluice, type Daemon } from '../integration/datapath-lab.js';
import { type Child, dissect, freePort, startCapture, stopAll, stopCapture } from '../integration/openflow-capture.js';
import { lldpFrame, parseLldp, ReplayController, type Link, type ReplaySwitch } from './onos-replay.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'tshark', 'dumpcap');

const DPID1 = 0xa1n;
const DPID2 = 0xb2n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (l: Link) => `${l.srcDpid.toString(16)}:${l.srcPort}->${l.dstDpid.toString(16)}:${l.dstPort}`;

describe('LLDP probe frames', () => {
  it('carry dpid and port and parse back; other frames are ignored', () => {
    const f = lldpFrame(0xa1n, 7, Uint8Array.of(2, 0, 0, 0, 0, 9));
    expect(f.length).toBe(60);
    expect([...f.subarray(0, 6)]).toEqual([0x01, 0x80, 0xc2, 0, 0, 0x0e]);
    // chassis id TLV: type 1, length 1 + 21 ("dpid:" + 16 hex), subtype 7
    expect([...f.subarray(14, 17)]).toEqual([0x02, 22, 7]);
    expect(parseLldp(f)).toEqual({ dpid: 0xa1n, port: 7 });
    const notLldp = f.slice();
    notLldp[13] = 0x00;
    expect(parseLldp(notLldp)).toBeNull();
  });
});

need.describe('ONOS replay against two Sluice daemons', () => {
  const lab = new Lab();
  const rundir = mkdtempSync(join(tmpdir(), 'sluice-onos-'));
  const pcap = join(rundir, 'channel.pcapng');
  let port = 0;
  let capture: Child;
  let ctl: ReplayController;
  const hs = new Map<ReplaySwitch, Promise<Awaited<ReturnType<ReplaySwitch['handshake']>>>>();
  const daemons: Daemon[] = [];
  const v = (s: string) => lab.name(s); // veth ends: 1a↔2b (br1 port 1 ↔ br2 port 2), 1b↔2a

  beforeAll(async () => {
    for (const [a, b] of [['1a', '2b'], ['1b', '2a']] as const) {
      await sh(`ip link add ${v(a)} type veth peer name ${v(b)} && ` +
        `sysctl -qw net.ipv6.conf.${v(a)}.disable_ipv6=1 net.ipv6.conf.${v(b)}.disable_ipv6=1 && ` +
        `ip link set ${v(a)} up && ip link set ${v(b)} up`);
    }
    port = await freePort();
    ctl = await ReplayController.listen(port, (s) => {
      const p = s.handshake();
      p.catch(() => undefined); // asserted in the test
      hs.set(s, p);
    });
    capture = await startCapture(port, pcap);
    for (const [n, dpid, p1, p2] of [['b1', DPID1, '1a', '1b'], ['b2', DPID2, '2a', '2b']] as const) {
      daemons.push(await startSluice([
        '--bridge', lab.name(n), '--dpid', `0x${dpid.toString(16)}`, '--fail-mode', 'secure',
        // one rundir per daemon: each has its own control socket (sluice.ctl)
        '--rundir', join(rundir, n),
        '--port', `${v(p1)}@ofport=1`, '--port', `${v(p2)}@ofport=2`, '--controller', `tcp:127.0.0.1:${port}`,
      ]));
    }
  }, 60_000);

  afterAll(async () => {
    await capture?.stop('SIGINT').catch(() => undefined);
    ctl?.close();
    await killAll();
    await stopAll();
    await lab.cleanup();
    rmSync(rundir, { recursive: true, force: true });
  });

  it('completes the handshake with each switch', async () => {
    const end = Date.now() + 10_000;
    while (ctl.switches.length < 2 && Date.now() < end) await sleep(50);
    expect(ctl.switches.length).toBe(2);
    for (const [s, p] of hs) {
      const r = await p;
      expect(r.missSendLen).toBe(0xffff);
      expect(r.role).toBe(OFPCR_ROLE_MASTER);
      expect(r.nTables).toBeGreaterThan(0);
      expect(r.mfrDesc.length).toBeGreaterThan(0);
      expect(s.portDescReplies).toBeGreaterThanOrEqual(1);
      const nums = s.ports.map((x) => x.portNo).sort((a, b) => a - b);
      expect(nums).toEqual([1, 2, OFPP_LOCAL]);
    }
    expect(ctl.switches.map((s) => s.dpid).sort()).toEqual([DPID1, DPID2]);
  }, 20_000);

  it('discovers the crosswise links by LLDP', async () => {
    for (const s of ctl.switches) await s.installLldpPunt();
    let sent = 0;
    for (const s of ctl.switches) sent += s.probe();
    expect(sent).toBe(4);
    const expected = [
      `a1:1->b2:2`, `b2:2->a1:1`, `a1:2->b2:1`, `b2:1->a1:2`,
    ].sort();
    const seen = () => [...new Set(ctl.switches.flatMap((s) => s.linksSeen()).map(fmt))].sort();
    const end = Date.now() + 10_000;
    while (seen().length < expected.length && Date.now() < end) await sleep(50);
    expect(seen()).toEqual(expected);
  }, 20_000);

  it('tshark dissects the controller channel cleanly', async () => {
    await stopCapture(capture);
    const t = await dissect(pcap, port);
    expect(t.problems).toBe('');
    expect(await t.count('openflow_v4.type == 10')).toBeGreaterThanOrEqual(4); // OFPT_PACKET_IN (LLDP)
    expect(await t.count('openflow_v4.type == 14')).toBeGreaterThanOrEqual(2); // OFPT_FLOW_MOD
    expect(await t.count('openflow_v4.type == 25')).toBeGreaterThanOrEqual(2); // OFPT_ROLE_REPLY
  }, 30_000);

  it('logs the controller going away and keeps retrying', async () => {
    const from = daemons.map((d) => d.lines.length);
    ctl.close();
    for (const [i, d] of daemons.entries()) {
      await d.waitFor(new RegExp(`tcp:127.0.0.1:${port} disconnected`), 5000, from[i]);
      await d.waitFor(new RegExp(`tcp:127.0.0.1:${port}: .*retrying in \\d+ ms`), 5000, from[i]);
      expect(d.exitCode).toBeNull();
    }
  }, 15_000);
});

need.describe('the tshark check itself', () => {
  it('flags a truncated OFPT_FLOW_MOD as malformed', async () => {
    const p = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bad-'));
    const file = join(dir, 'bad.pcapng');
    const srv = createServer((sock) => sock.on('data', () => undefined));
    await new Promise<void>((r) => srv.listen(p, '127.0.0.1', () => r()));
    const cap = await startCapture(p, file);
    try {
      const c = connect({ host: '127.0.0.1', port: p });
      await new Promise<void>((r) => c.once('connect', () => r()));
      // OF1.3 header: type 14 (FLOW_MOD), length 16: far shorter than ofp_flow_mod's 56 bytes
      c.write(Uint8Array.of(4, 14, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
      await sleep(200);
      c.destroy();
      await stopCapture(cap);
      const t = await dissect(file, p);
      expect(t.problems).toMatch(/OFPT_FLOW_MOD.*Malformed/);
    } finally {
      await cap.stop('SIGINT');
      srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
