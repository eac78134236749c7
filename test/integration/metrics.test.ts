/**
 * `/metrics` over real HTTP with a real bridge: an AF_PACKET port on a veth whose far end is
 * in a namespace (needs root and the native addon). Frames the namespace sends must show up
 * in the scraped counters exactly as the bridge counts them. Everything is named with this
 * file's own prefix ("sb" + random) and removed in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { METRICS_CONTENT_TYPE, startMetricsServer, type MetricsBridge, type MetricsServer } from '../../src/control/metrics.js';
import { Bridge } from '../../src/datapath/bridge.js';
import { needs } from '../tools.js';
import { parseExposition, valueOf } from '../unit/metrics-parse.js';
import { sh } from './ports-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

need.describe('metrics server', () => {
  const P = 'sb' + randomBytes(3).toString('hex').slice(0, 5);
  const ns = `${P}ns`;
  const outer = `${P}o`;
  const brName = `${P}br`;
  let bridge: Bridge | null = null;
  let server: MetricsServer | null = null;
  const url = (path: string) => `http://${server!.address}${path}`;

  beforeAll(async () => {
    await sh(
      `ip netns add ${ns} && ip -n ${ns} link set lo up && ` +
        `ip netns exec ${ns} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 && ` +
        `ip link add ${outer} type veth peer name eth0 netns ${ns} && sysctl -qw net.ipv6.conf.${outer}.disable_ipv6=1 && ` +
        `ip link set ${outer} up && ip -n ${ns} addr add 10.231.7.1/24 dev eth0 && ip -n ${ns} link set eth0 up`,
    );
    bridge = new Bridge({ name: brName, failMode: 'standalone', localPort: false, ports: [{ spec: `afpacket:${outer}` }] });
    bridge.start();
    const mb: MetricsBridge[] = [{ name: brName, bridge, openflow: null }];
    const s = await startMetricsServer('127.0.0.1:0', () => mb);
    if (s instanceof Error) throw s;
    server = s;
  });
  afterAll(async () => {
    server?.close();
    bridge?.stop();
    await sh(`ip netns del ${ns}`).catch(() => undefined);
    await sh(`ip link del ${outer}`).catch(() => undefined);
  });

  it('serves the bridge counters as Prometheus text', async () => {
    // ARP requests for an absent host: frames into the bridge, nothing comes back
    await sh(`ip netns exec ${ns} ping -c 3 -i 0.2 -W 1 10.231.7.2 || true`);
    const end = Date.now() + 5000;
    while (bridge!.ports()[0]!.stats.rxPackets < 3 && Date.now() < end) await sleep(25);
    const res = await fetch(url('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
    const e = parseExposition(await res.text());
    const p = bridge!.ports()[0]!;
    expect(p.stats.rxPackets).toBeGreaterThanOrEqual(3);
    const l = { bridge: brName, port: outer, ofport: String(p.ofport) };
    expect(valueOf(e, 'sluice_port_rx_packets_total', l)).toBe(p.stats.rxPackets);
    expect(valueOf(e, 'sluice_port_rx_bytes_total', l)).toBe(p.stats.rxBytes);
    expect(valueOf(e, 'sluice_port_link_up', l)).toBe(1);
    expect(valueOf(e, 'sluice_table_lookups_total', { bridge: brName, table: '0' })).toBe(bridge!.pipeline.tableCounters(0).lookupCount);
    expect(valueOf(e, 'sluice_flow_cache_misses_total', { bridge: brName })).toBeGreaterThanOrEqual(1);
  });

  it('answers 404 for other paths and 405 for other methods, and survives a garbage request', async () => {
    expect((await fetch(url('/'))).status).toBe(404);
    expect((await fetch(url('/metrics/x'))).status).toBe(404);
    const post = await fetch(url('/metrics'), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(url('/metrics?x=1'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    const [host, port] = [server!.address.slice(0, server!.address.lastIndexOf(':')), Number(server!.address.split(':').pop())];
    const reply = await new Promise<string>((resolve) => {
      const s = createConnection({ host, port }, () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(url('/metrics'))).status).toBe(200);
  });

  it('refuses non-loopback addresses and names an address in use', async () => {
    const r = await startMetricsServer('0.0.0.0:9100', () => []);
    expect(r instanceof Error ? r.message : 'listening').toBe('metrics: 0.0.0.0 is not a loopback address (use 127.0.0.1:9100)');
    const busy = await startMetricsServer(server!.address, () => []);
    expect(busy instanceof Error ? busy.message : 'listening').toBe(`metrics: ${server!.address} is already in use`);
  });
});
