/**
 * A controller that stays connected but stops reading its socket (issue #13 §0, §3 "slow
 * controller"): the real daemon, a real TCP controller that handshakes, then never reads
 * again while it keeps sending echo requests, and a flood of frames that miss the table
 * toward it. Required, as OVS bounds its rconn backlog:
 *   - the connection's send queue stays bounded (sluice_controller_send_queue_bytes), the
 *     packet-ins past it are dropped and counted (sluice_packet_in_backlog_dropped_total);
 *   - the connection stays up (its echoes are read and answered on the socket's queue);
 *   - forwarding by explicit flows between two other ports goes on;
 *   - the daemon's RSS does not grow with the flood.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { parseExposition, valueOf } from '../unit/metrics-parse.js';
import { TestController } from '../unit/agent-helpers.js';
import { Lab, killAll, quietNetns, sh, startSluice, type Daemon } from './datapath-lab.js';
import { ping } from './ports-lab.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'ovs-ofctl', 'timeout', 'python3');

const FLOOD = fileURLToPath(new URL('./flood.py', import.meta.url));

need.describe('a controller that never reads', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-slowctl-'));
  const br = lab.name('br');
  let a = '';
  let b = '';
  let c = '';
  let server: Server;
  let ctlSock: Socket | undefined;
  let echo: NodeJS.Timeout | undefined;
  let daemon: Daemon;
  const metricsPort = 19_000 + (process.pid % 500);

  beforeAll(async () => {
    a = await quietNetns(lab, 'a');
    b = await quietNetns(lab, 'b');
    c = await quietNetns(lab, 'c');
    await lab.veth(a, 'eth0', lab.name('ao'), '10.79.0.1/24');
    await lab.veth(b, 'eth0', lab.name('bo'), '10.79.1.1/24');
    await lab.veth(c, 'eth0', lab.name('co'), '10.79.1.2/24');
    server = createServer((sock) => {
      ctlSock = sock;
      const ctl = new TestController(sock);
      void ctl.handshake().then(() => {
        sock.pause(); // from here on the controller never reads
        echo = setInterval(() => ctl.send({ type: 'echo_request', xid: 1, data: new Uint8Array(0) }), 500);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    daemon = await startSluice(['--bridge', br, '--port', `${lab.name('ao')}@ofport=1`, '--port', `${lab.name('bo')}@ofport=2`,
      '--port', `${lab.name('co')}@ofport=3`, '--fail-mode', 'secure', '--rundir', dir,
      '--controller', `tcp:127.0.0.1:${port}`, '--metrics', `127.0.0.1:${metricsPort}`]);
    const mgmt = `unix:${dir}/${br}.mgmt`;
    await sh(`ovs-ofctl -O OpenFlow13 add-flow ${mgmt} 'priority=0,actions=CONTROLLER:65535'`);
    await sh(`ovs-ofctl -O OpenFlow13 add-flow ${mgmt} 'in_port=2,actions=output:3'`);
    await sh(`ovs-ofctl -O OpenFlow13 add-flow ${mgmt} 'in_port=3,actions=output:2'`);
  }, 60_000);

  afterAll(async () => {
    if (echo) clearInterval(echo);
    ctlSock?.destroy();
    server?.close();
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function metrics() {
    const e = parseExposition(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    const target = { bridge: br, target: `tcp:127.0.0.1:${(server.address() as { port: number }).port}` };
    return {
      queued: valueOf(e, 'sluice_controller_send_queue_bytes', target),
      connected: valueOf(e, 'sluice_controller_connected', target),
      dropped: valueOf(e, 'sluice_packet_in_backlog_dropped_total', { bridge: br }) ?? 0,
      sent: valueOf(e, 'sluice_packet_in_sent_total', { bridge: br }) ?? 0,
      rss: valueOf(e, 'process_resident_memory_bytes', {})!,
      heap: valueOf(e, 'nodejs_heap_size_total_bytes', {})!,
    };
  }

  need.it('bounds the send queue, drops and counts packet-ins, keeps the connection and forwarding', async () => {
    expect((await metrics()).connected).toBe(1);
    // 1400-byte frames that miss toward the controller, 5,000/s for 14 s; the packet-in limit
    // (1000/s) alone would queue about 1.4 MB/s for a controller that never reads
    const flood = sh(`ip netns exec ${a} timeout 20 python3 ${FLOOD} eth0 02:00:00:00:00:99 1400 5000 14`, 30_000);
    await new Promise((r) => setTimeout(r, 4000));
    const m0 = await metrics();
    expect(m0.dropped).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 8000));
    const m1 = await metrics();
    // forwarding by explicit flows goes on during the flood
    const p = await ping(b, '10.79.1.2', 5);
    await flood;
    expect(m1.connected).toBe(1);
    expect(m1.queued).toBeLessThan(256 * 1024 + 1500);
    expect(m1.dropped).toBeGreaterThan(m0.dropped + 1000);
    expect(m1.sent).toBeGreaterThan(0);
    expect(p.ok).toBe(true);
    // 8 s of the flood would have queued about 11 MB; the RSS moves far less. V8's young
    // generation may grow once under the allocation (a step of up to a few semi-spaces, then
    // flat, with --busy-poll 0 as well): what V8 committed is taken out, so anything held
    // outside its heap, where queued messages live (Buffers), counts in full
    const grew = (m1.rss - m0.rss) - (m1.heap - m0.heap);
    expect(grew, `RSS +${(m1.rss - m0.rss) >> 10} KiB, V8 heap +${(m1.heap - m0.heap) >> 10} KiB`).toBeLessThan(6 * 1024 * 1024);
  }, 60_000);
});
