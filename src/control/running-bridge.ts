/**
 * One running bridge of the daemon: its Bridge (datapath), its OpenFlowService, the
 * BridgeSetting it was made from (kept current: it is what gets persisted), and its log.
 *
 * What it logs (scope "BR:" / "BR: port P", see log.ts):
 *   `BR: port P up (ofport 1, afpacket)`         per port opened at start
 *   `BR: bridge started (dpid 0x..., fail-mode standalone, 2 ports)`   when ready — the
 *                                                 integration tests and the demo wait for it
 *   `BR: port P added (ofport 3, tap)` / `deleted` / `link down (ofport 1)`
 *   `BR: openflow listening on punix:...` / `openflow controller tcp:...`
 *   `BR: stats port P ofport=1 link=up rx_packets=...`  (statsLines: SIGUSR1 and at stop)
 *   `BR: stats tunnel vxlan 172.31.0.1:4789 short_header=0 ... no_port=0`  (drops by reason)
 *
 * Invariants
 *  - start() either returns a running bridge (ports open, OpenFlow up) or a SluiceError
 *    (ports/errors.ts) with nothing left open (TAPs removed, sockets closed).
 *  - stop() stops OpenFlow first (listeners, connections, the mgmt socket), then the
 *    datapath (TAPs removed); it is idempotent.
 *  - The OpenFlow service is replaced whole on a controller change (a stopped agent is
 *    detached from the bridge and cannot be restarted); `listen` is kept.
 */
import { Bridge, type BridgeConfig, type BridgePortInfo } from '../datapath/bridge.js';
import { ThreadedBridge } from '../datapath/workers/threaded-bridge.js';
import { OpenFlowService } from '../openflow/service.js';
import { formatTarget } from '../openflow/target.js';
import { ActiveEndpoint } from '../openflow/transport.js';
import type { Logger } from '../pipeline/logger.js';
import { OFPPR_ADD, OFPPR_DELETE, OFPP_LOCAL, type PortReason } from '../pipeline/types.js';
import { asSluiceError, type SluiceError } from '../ports/errors.js';
import type { Port } from '../ports/port.js';
import { tunnelEndpoints } from '../ports/tunnel-endpoint.js';
import type { BridgeSetting } from './config.js';
import { scoped } from './log.js';

interface TlsFiles {
  key: string;
  cert: string;
  ca: string;
}

export interface RunningBridgeOptions {
  /** Directory of the mgmt socket BRIDGE.mgmt; null = none (unit tests). */
  rundir: string | null;
  log: Logger;
  tls?: TlsFiles;
  /** false: no LOCAL TAP (unit tests without root). Default true. */
  localPort?: boolean;
  /** Exact-match flow cache entries of every bridge (--flow-cache-entries); default the
   * datapath's 65,536 (8 MiB, touched as flows come). */
  cacheEntries?: number;
  /** The receive ring of AF_PACKET ports whose spec gives none (--ring-size): the worker
   * threads of a bridge with --workers open their own sockets with it. */
  ringBytes?: number;
}

const ofportName = (n: number): string => (n === OFPP_LOCAL ? 'LOCAL' : String(n));
const hex16 = (n: bigint): string => '0x' + n.toString(16).padStart(16, '0');

export function statsLine(p: BridgePortInfo): string {
  const s = p.stats;
  return (
    `stats port ${p.name} ofport=${ofportName(p.ofport)} link=${p.linkUp ? 'up' : 'down'} ` +
    `rx_packets=${s.rxPackets} rx_bytes=${s.rxBytes} rx_dropped=${s.rxDropped} ` +
    `tx_packets=${s.txPackets} tx_bytes=${s.txBytes} tx_dropped=${s.txDropped} tx_errors=${s.txErrors}`
  );
}


export class RunningBridge {
  private readonly link = new Map<number, boolean>();
  private stopped = false;

  private constructor(
    readonly setting: BridgeSetting,
    readonly bridge: Bridge,
    public openflow: OpenFlowService,
    readonly log: Logger,
    private readonly opts: RunningBridgeOptions,
  ) {}

  get name(): string {
    return this.setting.name;
  }

  /** Builds, starts and connects a bridge. `ports[i]` is the port object for setting.ports[i]. */
  static async start(setting: BridgeSetting, ports: readonly Port[], opts: RunningBridgeOptions): Promise<RunningBridge | SluiceError> {
    const log = scoped(opts.log, setting.name);
    const cfg: BridgeConfig = {
      name: setting.name, failMode: setting.failMode, flowCache: setting.flowCache ?? true,
      ports: setting.ports.map((p, i) => ({ ...p, port: ports[i]! })),
      ...(setting.dpid !== undefined ? { dpid: setting.dpid } : {}),
      ...(opts.localPort === false ? { localPort: false } : {}),
      ...(opts.cacheEntries !== undefined ? { cacheEntries: opts.cacheEntries } : {}),
      ...(setting.flowLimit !== undefined ? { maxRulesPerTable: setting.flowLimit } : {}),
      ...(setting.macTableSize !== undefined ? { macTableSize: setting.macTableSize } : {}),
      ...(setting.macAgingTime !== undefined ? { macAgingMs: setting.macAgingTime * 1000 } : {}),
      ...(setting.busyPoll !== undefined ? { busyPollUs: setting.busyPoll } : {}),
      ...(setting.workers !== undefined ? { workers: setting.workers } : {}),
    };
    // the bridge's own messages already name the bridge
    const bridge = (cfg.workers ?? 1) > 1
      ? ThreadedBridge.createThreaded(cfg, { log: opts.log, ...(opts.ringBytes !== undefined ? { ringBytes: opts.ringBytes } : {}) })
      : Bridge.create(cfg, { log: opts.log });
    if (bridge instanceof Error) return bridge;
    const svc = RunningBridge.service(bridge, opts, setting.protocols);
    const rb = new RunningBridge(setting, bridge, svc, log, opts);
    rb.watch();
    try {
      bridge.start();
      await bridge.ready();
    } catch (e) {
      return asSluiceError(e, 'port_failed');
    }
    for (const p of bridge.ports()) {
      rb.link.set(p.ofport, p.linkUp);
      log.info(`port ${p.name} ${p.linkUp ? 'up' : 'down'} (ofport ${ofportName(p.ofport)}, ${p.kind})`);
    }
    // OpenFlow after the ports: a controller's first FEATURES/PORT_DESC must see them all.
    const e = await rb.startOpenFlow(svc);
    if (e) {
      bridge.stop();
      return e;
    }
    const n = setting.ports.length;
    const workers = bridge instanceof ThreadedBridge ? `, ${bridge.workers} datapath workers` : '';
    log.info(`bridge started (dpid ${hex16(bridge.dpid)}, fail-mode ${bridge.failMode}, ${n} port${n === 1 ? '' : 's'}${setting.flowCache === false ? ', flow cache off' : ''}${workers})`);
    return rb;
  }

  private static service(bridge: Bridge, opts: RunningBridgeOptions, versions: readonly number[] | undefined): OpenFlowService {
    return new OpenFlowService(bridge, {
      rundir: opts.rundir, log: opts.log, ...(opts.tls ? { tls: opts.tls } : {}), ...(versions ? { versions } : {}),
    });
  }

  private async startOpenFlow(svc: OpenFlowService): Promise<SluiceError | null> {
    try {
      await svc.start({ controllers: this.setting.controllers ?? [], listen: this.setting.listen ?? [] });
    } catch (e) {
      return asSluiceError(e, 'bad_config');
    }
    for (const ep of svc.endpointsOpen) {
      const k = ep.target.kind;
      this.log.info(`${k === 'tcp' || k === 'ssl' || k === 'unix' ? 'openflow controller' : 'openflow listening on'} ${formatTarget(ep.target)}`);
    }
    return null;
  }

  /** Replaces the controller list: the OpenFlow service restarts with it (listeners kept). */
  async setControllers(targets: readonly string[]): Promise<SluiceError | null> {
    const before = { controllers: this.setting.controllers, listen: this.setting.listen };
    const put = (controllers: readonly string[] | undefined, listen: readonly string[] | undefined) => {
      if (controllers && controllers.length > 0) this.setting.controllers = [...controllers];
      else delete this.setting.controllers;
      if (listen && listen.length > 0) this.setting.listen = [...listen];
      else delete this.setting.listen;
    };
    this.openflow.stop();
    // ovs-vsctl set-controller: passive targets make the bridge listen, active ones connect
    const passive = (t: string) => /^(ptcp|pssl|punix):/.test(t);
    put(targets.filter((t) => !passive(t)), targets.filter(passive));
    this.openflow = RunningBridge.service(this.bridge, this.opts, this.setting.protocols);
    const e = await this.startOpenFlow(this.openflow);
    if (!e) return null;
    // put the old lists back so that the bridge keeps working as before
    put(before.controllers, before.listen);
    this.openflow = RunningBridge.service(this.bridge, this.opts, this.setting.protocols);
    await this.startOpenFlow(this.openflow);
    return e;
  }

  /** Controllers in setting order with whether each completed the OpenFlow hello. */
  controllerStates(): { target: string; connected: boolean }[] {
    const active = this.openflow.endpointsOpen.filter((ep): ep is ActiveEndpoint => ep instanceof ActiveEndpoint);
    return (this.setting.controllers ?? []).map((target, i) => ({ target, connected: active[i]?.connection?.isReady ?? false }));
  }

  private watch(): void {
    this.bridge.on('port-status', (reason: PortReason, p: BridgePortInfo) => {
      if (reason === OFPPR_ADD) this.log.info(`port ${p.name} added (ofport ${p.ofport}, ${p.kind})`);
      else if (reason === OFPPR_DELETE) {
        this.log.info(`port ${p.name} deleted (ofport ${p.ofport})`);
        this.link.delete(p.ofport);
        return;
      }
      this.noteLink(p);
    });
  }

  private noteLink(p: Pick<BridgePortInfo, 'ofport' | 'name' | 'linkUp'>): void {
    const before = this.link.get(p.ofport);
    this.link.set(p.ofport, p.linkUp);
    if (before !== undefined && before !== p.linkUp) {
      (p.linkUp ? this.log.info : this.log.warn)(`port ${p.name} link ${p.linkUp ? 'up' : 'down'} (ofport ${p.ofport})`);
    }
  }

  /** Notes link changes no port-status reported (the daemon's 1 s poll). */
  pollLinks(): void {
    for (const p of this.bridge.links()) this.noteLink(p);
  }

  statsLines(): string[] {
    const c = this.bridge.cacheStats();
    return [
      ...this.bridge.ports().map(statsLine),
      // the underlay sockets tunnel ports share: what they dropped before any port saw it
      ...tunnelEndpoints().map((e) => `stats tunnel ${e.label} ${Object.entries(e.dropCounts()).map(([k, v]) => `${k}=${v}`).join(' ')}`),
      `stats flow-cache hits=${c.hits} misses=${c.misses} entries=${c.entries} uncacheable=${c.uncacheable}`,
    ];
  }

  dumpStats(): void {
    for (const l of this.statsLines()) this.log.info(l);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.openflow.stop();
    this.bridge.stop();
    this.bridge.removeAllListeners();
  }

  /** stop(), resolved once the datapath has closed its ports (worker threads included). */
  async close(): Promise<void> {
    const closed = this.bridge.stopped();
    this.stop();
    await closed;
  }
}
