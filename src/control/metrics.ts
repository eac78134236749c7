/**
 * Prometheus metrics: `sluice start --metrics 127.0.0.1:9100` serves GET /metrics in the
 * text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 *   sluice_port_*_total{bridge,port,ofport}      port counters (PortStats); link_up gauge
 *   sluice_table_*{bridge,table}                 what OFPMP_TABLE reports (OF1.3.5 §7.3.5.4),
 *                                                for tables that were looked up or hold rules
 *   sluice_flow_cache_*{bridge}                  Bridge.cacheStats()
 *   sluice_datapath_dropped_total{bridge,reason}  Bridge.counters().drops (datapath/drops.ts)
 *   sluice_mac_table_entries{bridge}             addresses NORMAL has learned (≤ mac-table-size)
 *   sluice_worker_rx_frames_total{bridge,worker}  frames each datapath worker read (--workers N)
 *   sluice_busy_poll_{turns,frames}_total{bridge}  busy-poll turns after traffic and the frames
 *                                                they read (datapath/busy-poll.ts)
 *   sluice_packet_in_{sent,dropped}_total{bridge}  PACKET_IN messages sent / events refused by
 *                                                the agent's rate limit
 *   sluice_controller_connected{bridge,target}   1 when the controller connection is up
 *   sluice_tunnel_rx_dropped_total{endpoint,reason}  encapsulated packets a tunnel socket
 *                                                dropped (short header, bad flags, no port...)
 *   process_resident_memory_bytes, nodejs_heap_size_{total,used}_bytes,
 *   nodejs_external_memory_bytes                 the daemon's memory (the names Prometheus's
 *                                                Node.js clients use): RSS against what V8's
 *                                                heap has committed tells heap sizing from
 *                                                buffers held outside it
 *
 * Invariants
 *  - Rendering only reads counters (the same ones the OpenFlow stats replies use): it never
 *    invents or resets a number, so /metrics and `ovs-ofctl dump-ports` always agree.
 *  - The samples of a family are contiguous and follow its HELP and TYPE lines; label values
 *    are escaped (\\, \", \n); counters end in _total.
 *  - Only loopback addresses are served: the page names every port and controller, and has
 *    no authentication (bind a proxy for remote scraping).
 *  - The server never throws on a client's request: 404 for other paths, 405 for methods
 *    other than GET/HEAD, 500 if rendering failed.
 */
import { SluiceError } from '../ports/errors.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { Bridge } from '../datapath/bridge.js';
import type { OpenFlowService } from '../openflow/service.js';
import { OFPP_LOCAL } from '../pipeline/types.js';
import { formatTarget } from '../openflow/target.js';
import { ActiveEndpoint } from '../openflow/transport.js';
import { tunnelEndpoints } from '../ports/tunnel-endpoint.js';

export interface MetricsBridge {
  name: string;
  bridge: Bridge;
  openflow: OpenFlowService | null;
}

export interface MetricsServer {
  /** host:port actually bound (port 0 → the kernel's choice) */
  readonly address: string;
  close(): void;
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string | number>;
type Sample = readonly [Labels, number];

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const formatValue = (v: number): string => (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf');

function family(out: string[], name: string, type: 'counter' | 'gauge', help: string, samples: readonly Sample[]): void {
  if (samples.length === 0) return;
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',');
    out.push(l === '' ? `${name} ${formatValue(value)}` : `${name}{${l}} ${formatValue(value)}`);
  }
}

export function renderMetrics(bridges: readonly MetricsBridge[]): string {
  const out: string[] = [];
  const ports = bridges.flatMap((b) => b.bridge.ports().map((p) => ({ labels: { bridge: b.name, port: p.name, ofport: p.ofport === OFPP_LOCAL ? 'LOCAL' : p.ofport }, p })));
  const portFamily = (suffix: string, help: string, get: (s: (typeof ports)[number]['p']) => number, type: 'counter' | 'gauge' = 'counter') =>
    family(out, `sluice_port_${suffix}`, type, help, ports.map(({ labels, p }) => [labels, get(p)] as const));
  portFamily('rx_packets_total', 'Frames received on the port.', (p) => p.stats.rxPackets);
  portFamily('rx_bytes_total', 'Bytes received on the port.', (p) => p.stats.rxBytes);
  portFamily('rx_dropped_total', 'Frames the port or the kernel dropped on receive.', (p) => p.stats.rxDropped);
  portFamily('tx_packets_total', 'Frames sent on the port.', (p) => p.stats.txPackets);
  portFamily('tx_bytes_total', 'Bytes sent on the port.', (p) => p.stats.txBytes);
  portFamily('tx_dropped_total', 'Frames dropped on transmit because the output was full.', (p) => p.stats.txDropped);
  portFamily('tx_errors_total', 'Transmit errors.', (p) => p.stats.txErrors);
  portFamily('link_up', '1 when the port link is up.', (p) => (p.linkUp ? 1 : 0), 'gauge');

  // OF1.3.5 §7.3.5.4 table stats: the pipeline's counters, which include flow-cache hits
  const tables: { labels: Labels; lookups: number; matches: number; rules: number }[] = [];
  for (const b of bridges) {
    const pl = b.bridge.pipeline;
    for (let t = 0; t < pl.nTables; t++) {
      const c = pl.tableCounters(t);
      const rules = pl.table(t).size;
      if (c.lookupCount > 0 || rules > 0) tables.push({ labels: { bridge: b.name, table: t }, lookups: c.lookupCount, matches: c.matchedCount, rules });
    }
  }
  family(out, 'sluice_table_lookups_total', 'counter', 'Packets looked up in the table.', tables.map((t) => [t.labels, t.lookups]));
  family(out, 'sluice_table_matches_total', 'counter', 'Packets that matched a rule of the table.', tables.map((t) => [t.labels, t.matches]));
  family(out, 'sluice_table_rules', 'gauge', 'Rules in the table.', tables.map((t) => [t.labels, t.rules]));

  const per = (help: string, name: string, type: 'counter' | 'gauge', get: (b: MetricsBridge) => number | null) => {
    const s: Sample[] = [];
    for (const b of bridges) {
      const v = get(b);
      if (v !== null) s.push([{ bridge: b.name }, v]);
    }
    family(out, name, type, help, s);
  };
  per('Packets handled by a flow cache entry.', 'sluice_flow_cache_hits_total', 'counter', (b) => b.bridge.cacheStats().hits);
  per('Packets that missed the flow cache and went to the pipeline.', 'sluice_flow_cache_misses_total', 'counter', (b) => b.bridge.cacheStats().misses);
  per('Valid flow cache entries.', 'sluice_flow_cache_entries', 'gauge', (b) => b.bridge.cacheStats().entries);
  per('Pipeline decisions that could not be cached.', 'sluice_flow_cache_uncacheable_total', 'counter', (b) => b.bridge.cacheStats().uncacheable);
  per('Addresses in the NORMAL learning table.', 'sluice_mac_table_entries', 'gauge', (b) => b.bridge.macTable().size);
  per('Busy-poll turns: reads of every port from the event loop within the window after traffic.', 'sluice_busy_poll_turns_total', 'counter', (b) => b.bridge.busyPollStats().turns);
  per('Frames read by busy-poll turns (not by a readiness wake-up).', 'sluice_busy_poll_frames_total', 'counter', (b) => b.bridge.busyPollStats().frames);
  per('PACKET_IN messages sent to controllers.', 'sluice_packet_in_sent_total', 'counter', (b) => b.openflow?.agent.packetIns.sent ?? null);
  per('Packet-in events refused by the rate limit.', 'sluice_packet_in_dropped_total', 'counter', (b) => b.openflow?.agent.packetInLimiter.dropped ?? null);
  per('PACKET_IN messages dropped because the connection\'s send queue was full (a controller not reading).',
    'sluice_packet_in_backlog_dropped_total', 'counter', (b) => b.openflow?.agent.packetIns.backlogDropped ?? null);

  const perWorker: Sample[] = [];
  for (const b of bridges) b.bridge.workerFrames().forEach((n, i) => perWorker.push([{ bridge: b.name, worker: i }, n]));
  family(out, 'sluice_worker_rx_frames_total', 'counter', 'Frames each datapath worker read from the ports (--workers; the kernel\'s fanout hash spreads flows over them).', perWorker);

  const drops: Sample[] = [];
  for (const b of bridges) {
    for (const [reason, n] of Object.entries(b.bridge.counters().drops)) drops.push([{ bridge: b.name, reason }, n]);
  }
  family(out, 'sluice_datapath_dropped_total', 'counter', 'Frames the datapath dropped, by reason (runt, port_down, table_miss, no_output, meter, ...).', drops);

  const ctl: Sample[] = [];
  const queued: Sample[] = [];
  for (const b of bridges) {
    for (const ep of b.openflow?.endpointsOpen ?? []) {
      if (!(ep instanceof ActiveEndpoint)) continue;
      const labels = { bridge: b.name, target: formatTarget(ep.target) };
      ctl.push([labels, ep.connection?.isReady ? 1 : 0]);
      queued.push([labels, ep.connection?.isReady ? ep.connection.sendQueueBytes : 0]);
    }
  }
  family(out, 'sluice_controller_connected', 'gauge', '1 when the OpenFlow connection to the controller is up.', ctl);
  family(out, 'sluice_controller_send_queue_bytes', 'gauge', 'Bytes queued for the controller and not yet taken by the kernel.', queued);

  // tunnel endpoints are the process's (shared by the bridges' tunnel ports)
  const tunnelDrops: Sample[] = [];
  for (const e of tunnelEndpoints()) {
    for (const [reason, n] of Object.entries(e.dropCounts())) tunnelDrops.push([{ endpoint: e.label, reason }, n]);
  }
  family(out, 'sluice_tunnel_rx_dropped_total', 'counter', 'Encapsulated packets dropped before reaching a tunnel port, by reason.', tunnelDrops);

  const mem = process.memoryUsage();
  family(out, 'process_resident_memory_bytes', 'gauge', 'Resident memory of the daemon.', [[{}, mem.rss]]);
  family(out, 'nodejs_heap_size_total_bytes', 'gauge', 'Memory V8 has committed for its heap (its young generation grows under allocation, then stays).', [[{}, mem.heapTotal]]);
  family(out, 'nodejs_heap_size_used_bytes', 'gauge', 'Memory used by live and not yet collected objects in V8\'s heap.', [[{}, mem.heapUsed]]);
  family(out, 'nodejs_external_memory_bytes', 'gauge', 'Memory held outside V8\'s heap by buffers and native objects (queued messages among them).', [[{}, mem.external]]);
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

/** "HOST:PORT", "[V6]:PORT" or "PORT" (127.0.0.1) → host and port, loopback only. */
export function parseMetricsListen(listen: string): { host: string; port: number } | SluiceError {
  const colon = listen.lastIndexOf(':');
  const host = colon < 0 ? '127.0.0.1' : listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = colon < 0 ? listen : listen.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return new SluiceError('bad_config', `metrics: "${portText}" in "${listen}" is not a port number 0..65535`);
  }
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback) return new SluiceError('bad_config', `metrics: ${host} is not a loopback address (use 127.0.0.1:${portText})`);
  return { host, port: Number(portText) };
}

function handle(req: IncomingMessage, res: ServerResponse, bridges: () => readonly MetricsBridge[]): void {
  const path = (req.url ?? '').split('?', 1)[0];
  const reply = (status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (path !== '/metrics') return reply(404, 'not found: try /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  // bridges with datapath workers sum their counters first (Bridge.settle)
  const list = bridges();
  const waits = list.map((b) => b.bridge.settle()).filter((w) => w !== null);
  void Promise.all(waits).then(() => {
    let text: string;
    try {
      text = renderMetrics(list);
    } catch (e) {
      return reply(500, `cannot render metrics: ${(e as Error).message}\n`);
    }
    reply(200, text, { 'Content-Type': METRICS_CONTENT_TYPE });
  });
}

export function startMetricsServer(listen: string, bridges: () => readonly MetricsBridge[]): Promise<MetricsServer | SluiceError> {
  const where = parseMetricsListen(listen);
  if (where instanceof Error) return Promise.resolve(where);
  const server = createServer((req, res) => handle(req, res, bridges));
  // a malformed request gets Node's 400 and its socket closed; nothing reaches our handler
  server.on('clientError', (_e, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); else socket.destroy(); });
  const shown = where.host.includes(':') ? `[${where.host}]:${where.port}` : `${where.host}:${where.port}`;
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      resolve(new SluiceError('bad_config', e.code === 'EADDRINUSE' ? `metrics: ${shown} is already in use` : `metrics: cannot listen on ${shown}: ${e.code ?? e.message}`));
    });
    server.listen(where.port, where.host, () => {
      server.unref();
      const a = server.address() as AddressInfo;
      const address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
      resolve({ address, close: () => { server.close(); server.closeAllConnections(); } });
    });
  });
}
