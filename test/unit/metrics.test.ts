import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMetricsListen, renderMetrics, type MetricsBridge } from '../../src/control/metrics.js';
import { Bridge } from '../../src/datapath/bridge.js';
import { OpenFlowService } from '../../src/openflow/service.js';
import { OFPP_CONTROLLER } from '../../src/pipeline/types.js';
import { MemoryPort } from '../../src/ports/memory.js';
import { TestController } from './agent-helpers.js';
import { ipFrame, MAC } from './datapath-helpers.js';
import { parseExposition, valueOf } from './metrics-parse.js';
import { apply, fm, out } from './pipeline-helpers.js';

const cleanup: (() => void)[] = [];
afterEach(() => { while (cleanup.length) cleanup.pop()!(); });

/** A standalone bridge (NORMAL) with two memory ports, one of them with an awkward name. */
function twoPorts(name: string) {
  const [a, ha] = MemoryPort.pair('a', 'ha', { slots: 256 });
  const [b, hb] = MemoryPort.pair('we"ird\\n\name', 'hb', { slots: 256 });
  ha.open();
  hb.open();
  const bridge = new Bridge({
    name, failMode: 'standalone', localPort: false,
    ports: [{ spec: 'memory:a', port: a }, { spec: 'memory:b', port: b }],
  });
  bridge.start();
  cleanup.push(() => bridge.stop());
  return { bridge, a, b };
}

describe('renderMetrics', () => {
  it('is valid exposition text whose values are the bridge counters', () => {
    const { bridge, a, b } = twoPorts('br-m');
    for (let i = 0; i < 5; i++) a.inject(ipFrame({ src: MAC(1), dst: MAC(2), sport: 1000 + (i % 2) }));
    b.inject(ipFrame({ src: MAC(2), dst: MAC(1) }));
    a.inject(Uint8Array.of(1, 2, 3)); // a runt
    bridge.poll();
    const mb: MetricsBridge[] = [{ name: 'br-m', bridge, openflow: null }];
    const e = parseExposition(renderMetrics(mb));

    for (const p of bridge.ports()) {
      const l = { bridge: 'br-m', port: p.name, ofport: String(p.ofport) };
      expect(valueOf(e, 'sluice_port_rx_packets_total', l)).toBe(p.stats.rxPackets);
      expect(valueOf(e, 'sluice_port_rx_bytes_total', l)).toBe(p.stats.rxBytes);
      expect(valueOf(e, 'sluice_port_tx_packets_total', l)).toBe(p.stats.txPackets);
      expect(valueOf(e, 'sluice_port_tx_bytes_total', l)).toBe(p.stats.txBytes);
      expect(valueOf(e, 'sluice_port_tx_dropped_total', l)).toBe(p.stats.txDropped);
      expect(valueOf(e, 'sluice_port_link_up', l)).toBe(p.linkUp ? 1 : 0);
    }
    expect(bridge.ports().map((p) => p.name)).toContain('we"ird\\n\name'); // escaped and read back intact
    expect(valueOf(e, 'sluice_port_rx_packets_total', { port: 'a' })).toBe(6);
    expect(valueOf(e, 'sluice_port_tx_packets_total', { port: 'we"ird\\n\name' })).toBeGreaterThanOrEqual(5);
    expect(e.samples.some((s) => s.name === 'sluice_port_rx_errors_total')).toBe(false); // not counted by ports

    const cs = bridge.cacheStats();
    expect(cs.hits).toBeGreaterThan(0);
    expect(valueOf(e, 'sluice_flow_cache_hits_total', { bridge: 'br-m' })).toBe(cs.hits);
    expect(valueOf(e, 'sluice_flow_cache_misses_total', { bridge: 'br-m' })).toBe(cs.misses);
    expect(valueOf(e, 'sluice_flow_cache_entries', { bridge: 'br-m' })).toBe(cs.entries);
    expect(valueOf(e, 'sluice_flow_cache_uncacheable_total', { bridge: 'br-m' })).toBe(cs.uncacheable);
    expect(valueOf(e, 'sluice_datapath_dropped_total', { bridge: 'br-m', reason: 'runt' })).toBe(1);
    expect(valueOf(e, 'sluice_busy_poll_turns_total', { bridge: 'br-m' })).toBe(bridge.busyPollStats().turns);
    expect(valueOf(e, 'sluice_busy_poll_frames_total', { bridge: 'br-m' })).toBe(bridge.busyPollStats().frames);
    for (const [reason, n] of Object.entries(bridge.counters().drops)) {
      expect(valueOf(e, 'sluice_datapath_dropped_total', { bridge: 'br-m', reason })).toBe(n);
    }

    // table 0 holds the standalone NORMAL rule; the other 254 tables are idle and left out
    const t0 = bridge.pipeline.tableCounters(0);
    expect(t0.lookupCount).toBeGreaterThanOrEqual(6);
    expect(valueOf(e, 'sluice_table_lookups_total', { bridge: 'br-m', table: '0' })).toBe(t0.lookupCount);
    expect(valueOf(e, 'sluice_table_matches_total', { bridge: 'br-m', table: '0' })).toBe(t0.matchedCount);
    expect(valueOf(e, 'sluice_table_rules', { bridge: 'br-m', table: '0' })).toBe(1);
    expect(e.samples.filter((s) => s.name === 'sluice_table_rules')).toHaveLength(1);
    // no OpenFlow service: no packet-in or controller samples
    expect(e.samples.some((s) => s.name.startsWith('sluice_packet_in') || s.name === 'sluice_controller_connected')).toBe(false);
    expect(e.types.get('sluice_port_link_up')).toBe('gauge');
    expect(e.types.get('sluice_port_rx_packets_total')).toBe('counter');
  });

  it('follows the counters as traffic continues, and renders several bridges as contiguous families', () => {
    const x = twoPorts('br-x');
    const y = twoPorts('br-y');
    const mb: MetricsBridge[] = [{ name: 'br-x', bridge: x.bridge, openflow: null }, { name: 'br-y', bridge: y.bridge, openflow: null }];
    const before = parseExposition(renderMetrics(mb));
    for (let i = 0; i < 3; i++) y.a.inject(ipFrame());
    y.bridge.poll();
    const after = parseExposition(renderMetrics(mb)); // parseExposition rejects interleaved families
    expect(valueOf(after, 'sluice_port_rx_packets_total', { bridge: 'br-y', port: 'a' })).toBe(3 + (valueOf(before, 'sluice_port_rx_packets_total', { bridge: 'br-y', port: 'a' }) ?? NaN));
    expect(valueOf(after, 'sluice_port_rx_packets_total', { bridge: 'br-x', port: 'a' })).toBe(0);
    // with no bridge only the process's own memory families remain
    const none = parseExposition(renderMetrics([]));
    expect(new Set(none.samples.map((m) => m.name))).toEqual(new Set(['process_resident_memory_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes']));
    expect(valueOf(none, 'process_resident_memory_bytes', {})).toBeGreaterThan(valueOf(none, 'nodejs_heap_size_used_bytes', {})!);
  });

  it('reports packet-ins sent and rate-limited, and the controller connection', async () => {
    const { bridge, a } = twoPorts('br-c');
    bridge.flowMod(fm({ tableId: 0, priority: 100, instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] }));
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const svc = new OpenFlowService(bridge, { rundir: null, packetInRate: 0.001, packetInBurst: 2, probeIntervalMs: 0 });
    cleanup.push(() => svc.stop());
    const target = `tcp:127.0.0.1:${port}`;
    const mb: MetricsBridge[] = [{ name: 'br-c', bridge, openflow: svc }];
    await svc.start({ controllers: [target] });
    const sock = await accepted;
    cleanup.push(() => sock.destroy());
    const ctl = new TestController(sock);
    await ctl.handshake();
    expect(valueOf(parseExposition(renderMetrics(mb)), 'sluice_controller_connected', { bridge: 'br-c', target })).toBe(1);

    for (let i = 0; i < 5; i++) a.inject(ipFrame({ sport: 2000 + i }));
    bridge.poll();
    await ctl.next('packet_in');
    const e = parseExposition(renderMetrics(mb));
    expect(valueOf(e, 'sluice_packet_in_sent_total', { bridge: 'br-c' })).toBe(2);
    expect(valueOf(e, 'sluice_packet_in_dropped_total', { bridge: 'br-c' })).toBe(3);

    sock.destroy();
    await new Promise<void>((r) => {
      const poll = () => (valueOf(parseExposition(renderMetrics(mb)), 'sluice_controller_connected', { target }) === 0 ? r() : setTimeout(poll, 10));
      poll();
    });
    expect(valueOf(parseExposition(renderMetrics(mb)), 'sluice_controller_connected', { bridge: 'br-c', target })).toBe(0);
  });
});

describe('parseMetricsListen', () => {
  it('accepts loopback only, with clear errors', () => {
    expect(parseMetricsListen('9100')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseMetricsListen('127.0.0.2:0')).toEqual({ host: '127.0.0.2', port: 0 });
    expect(parseMetricsListen('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
    expect(parseMetricsListen('localhost:9100')).toEqual({ host: 'localhost', port: 9100 });
    const m = (s: string) => (parseMetricsListen(s) as Error).message;
    expect(m('0.0.0.0:9100')).toBe('metrics: 0.0.0.0 is not a loopback address (use 127.0.0.1:9100)');
    expect(m('10.0.0.1:9100')).toBe('metrics: 10.0.0.1 is not a loopback address (use 127.0.0.1:9100)');
    expect(m('127.0.0.1:99999')).toMatch(/^metrics: "99999" in "127.0.0.1:99999" is not a port number/);
    expect(m('127.0.0.1:http')).toMatch(/is not a port number/);
    expect(m('127.evil.com:80')).toMatch(/is not a loopback address/);
  });
});
