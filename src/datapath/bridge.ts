/**
 * Bridge — one OpenFlow switch: its ports, its pipeline, its datapath, its timers. The
 * daemon (sluice start) and the OpenFlow agent drive it through this class only (the
 * BRIDGE CONTRACT; names here are fixed, additions are marked "addition").
 *
 * Invariants
 *  - Every change that can alter forwarding bumps the pipeline generation before the next
 *    packet: flow/group/meter mods (the pipeline does it), port add/remove/up/down and
 *    config changes, fail-open changes (here). The datapath folds in the MAC table's
 *    version, so its flow cache is never stale.
 *  - A port failure (rxBurst/txBurst → -errno, or linkUp() false at the 1 s poll) takes
 *    the port down: 'port-status' modify, generation bump (fast-failover reroutes), its
 *    MAC entries flushed. The bridge keeps running; the port comes back when linkUp() does.
 *  - Errors are values: a controller's mistakes are OFErrors (flowMod/groupMod/meterMod,
 *    packetOut, portMod), an operator's SluiceErrors (create, addPort, removePort). Only
 *    the lifecycle throws: the constructor (create()'s error; the daemon calls create())
 *    and start() (a 'port_failed' SluiceError, after closing what it had opened).
 *  - Timers (rule expiry, MAC aging, link polling) are unref()'d: they keep no process up.
 *  - Standalone installs `priority=0,actions=NORMAL` in table 0 as a real flow (as
 *    `ovs-vsctl add-br` does); secure starts with empty tables.
 */
import { EventEmitter } from 'node:events';
import { FlowKey, setTunnelMeta, type TunnelMeta } from '../packet/flow-key.js';
import { parseFrame } from '../packet/parse.js';
import type { Decision } from '../pipeline/decision.js';
import {
  OFPBRC_BAD_PORT, OFPET_BAD_REQUEST, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT, isOFError, ofError, type OFError,
} from '../pipeline/errors.js';
import { NO_LOG } from '../pipeline/logger.js';
import { Pipeline, type ModResult, type RemovedRule } from '../pipeline/pipeline.js';
import {
  OFPFF_SEND_FLOW_REM, OFPPR_ADD, OFPPR_DELETE, OFPPR_MODIFY, OFPP_CONTROLLER, OFPP_LOCAL, OFPP_MAX, OFPP_NORMAL, flowMod as mkFlowMod,
  type Action, type FlowMod, type GroupMod, type MeterMod,
} from '../pipeline/types.js';
import { SluiceError, type SluiceErrorCode } from '../ports/errors.js';
import type { Port } from '../ports/port.js';
import { createPort } from '../ports/spec.js';
import { TapPort } from '../ports/tap.js';
import { BridgePort, DEFAULT_SPEED_KBPS, macFromName } from './bridge-port.js';
import { Datapath } from './datapath.js';
import { dropRecord } from './drops.js';
import type { BridgePortInfo, DatapathCounters, Logger } from './events.js';
import { DEFAULT_FLOW_CACHE_ENTRIES } from './flow-cache.js';
import { DEFAULT_MAC_AGING_MS, DEFAULT_MAC_TABLE_SIZE, MacLearningTable } from './mac-learning.js';
import { normalPlan, type NormalPlan } from './normal.js';
import { Reparser } from './run-ops.js';
import { warmUpOnce } from './warmup.js';
import { DEFAULT_BUSY_POLL_US } from './busy-poll.js';
import { Receiver } from './receive.js';
import { checkPortVlans, type BridgeConfig, type BridgePortConfig } from './config.js';

export type { BridgePacketIn, BridgePortInfo } from './events.js';
export type { BridgeConfig, BridgePortConfig } from './config.js';

const TICK_MS = 1000;

/** What `make` builds, or the SluiceError its constructor threw (a config's mistake). */
export function madeOrError<T>(make: () => T): T | SluiceError {
  try {
    return make();
  } catch (e) {
    if (e instanceof SluiceError) return e;
    throw e;
  }
}

export class Bridge extends EventEmitter {
  readonly name: string;
  readonly dpid: bigint;
  readonly pipeline: Pipeline;
  /** Who decides whether an output to CONTROLLER becomes a packet-in (the OpenFlow agent:
   * a controller that wants it, and the rate limit); null = every one does. */
  packetInAdmission: ((reason: number) => 'no_controller' | 'packet_in_limit' | null) | null = null;
  failMode: 'standalone' | 'secure';
  protected readonly dp: Datapath;
  protected readonly mac: MacLearningTable;
  protected readonly log: Logger;
  protected readonly now: () => number;
  private readonly burst: number;
  private readonly local: BridgePort | null = null;
  protected readonly cfgs = new Map<BridgePort, BridgePortConfig>();
  /** Reads the ports: readiness, re-drains, the busy-poll window (receive.ts). */
  private readonly rx: Receiver;
  protected timer: NodeJS.Timeout | null = null;
  protected started = false;
  /** false: the ports are read and written elsewhere (datapath workers, workers/threaded-bridge.ts):
   * addPort registers a port without opening it. */
  protected opensPorts = true;
  private readonly warmUp: boolean;
  /** The config this bridge was made from (a threaded bridge hands it to its workers). */
  protected readonly settings: BridgeConfig;
  /** Addition: false = tick() expires no rules (a worker's replica: the control thread owns
   * timeouts and sends the deletes, workers/replica.ts). */
  expiry = true;

  /** A bridge from an operator's config, or the SluiceError naming what is wrong with it. */
  static create(cfg: BridgeConfig, opts: { log?: Logger; now?: () => number } = {}): Bridge | SluiceError {
    return madeOrError(() => new Bridge(cfg, opts));
  }

  /** Throws what create() returns; for configs written in code. */
  constructor(cfg: BridgeConfig, opts: { log?: Logger; now?: () => number } = {}) {
    super();
    this.settings = cfg;
    this.name = cfg.name;
    this.failMode = cfg.failMode;
    // Every message goes to the given logger and out as a 'log' event (level, message).
    const base = opts.log ?? NO_LOG;
    const logTo = (level: keyof Logger) => (msg: string): void => {
      base[level](msg);
      this.emit('log', level, msg);
    };
    this.log = { info: logTo('info'), warn: logTo('warn'), error: logTo('error'), debug: logTo('debug') };
    this.now = opts.now ?? (() => performance.now());
    this.burst = Math.min(256, Math.max(32, cfg.burst ?? 64));
    this.warmUp = cfg.warmUp !== false;
    this.mac = new MacLearningTable(cfg.macAgingMs ?? DEFAULT_MAC_AGING_MS, cfg.macTableSize ?? DEFAULT_MAC_TABLE_SIZE);
    const reparser = new Reparser();
    this.pipeline = new Pipeline({
      ...(cfg.nTables !== undefined ? { nTables: cfg.nTables } : {}),
      ...(cfg.maxRulesPerTable !== undefined ? { maxRulesPerTable: cfg.maxRulesPerTable } : {}),
      portExists: (p) => this.dp.ports.has(p),
      portLive: (p) => this.dp.ports.get(p)?.live ?? false,
      reparse: (frame, ops, inPort, out) => reparser.reparse(frame, ops, inPort, out),
    });
    this.dp = new Datapath(this.pipeline, this.mac, {
      packetIn: (pi) => this.emit('packet-in', pi),
      admitPacketIn: (reason) => (this.packetInAdmission === null ? null : this.packetInAdmission(reason)),
      portError: (p, errno) => this.portFailed(p, errno),
    }, this.now, cfg.flowCache === false ? null : cfg.cacheEntries ?? DEFAULT_FLOW_CACHE_ENTRIES);
    this.dp.zeroCopy = cfg.zeroCopy !== false;
    this.rx = new Receiver(this.dp, this.burst, cfg.busyPollUs ?? DEFAULT_BUSY_POLL_US, (p) => this.cfgs.has(p));
    if (cfg.localPort !== false) {
      let tap = createPort(`tap:${cfg.name}`);
      if (tap instanceof Error) throw new SluiceError('bad_config', `bridge ${cfg.name}: local port: ${tap.message}`);
      if (cfg.tapQueues === true && tap instanceof TapPort) tap = new TapPort(tap.name, { ...tap.options, multiQueue: true });
      this.local = this.register(OFPP_LOCAL, tap, { spec: `tap:${cfg.name}` }, macFromName(cfg.name));
    }
    this.dpid = cfg.dpid ?? this.defaultDpid();
    for (const pc of cfg.ports) {
      const r = this.addPort(pc);
      if (r instanceof SluiceError) throw r.prefixed(`bridge ${cfg.name}: `);
    }
    if (cfg.failMode === 'standalone') {
      const r = this.pipeline.flowMod(mkFlowMod({
        priority: 0, instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_NORMAL, maxLen: 0 }] }],
      }), this.now());
      if (isOFError(r)) throw new SluiceError('bad_config', `bridge ${cfg.name}: NORMAL flow: ${r.message}`);
    }
  }

  /** OVS: the datapath id is the bridge's (LOCAL port's) MAC in the low 48 bits. */
  private defaultDpid(): bigint {
    const m = this.local?.hwAddr ?? macFromName(this.name);
    let d = 0n;
    for (const b of m) d = (d << 8n) | BigInt(b);
    return d;
  }

  // ---- lifecycle

  start(): void {
    if (this.started) return;
    if (this.warmUp) warmUpOnce(Bridge);
    const opened: BridgePort[] = [];
    for (const p of this.dp.portList) {
      try {
        p.port.open();
        opened.push(p);
      } catch (e) {
        for (const o of opened) o.port.close();
        throw new SluiceError('port_failed', `bridge ${this.name}: port ${p.port.name}: ${(e as Error).message}`, { cause: e });
      }
    }
    this.started = true;
    this.rx.polling = true;
    for (const p of opened) this.rx.arm(p);
    this.startTicking();
    this.log.debug(`bridge ${this.name} started with ${opened.length} ports`);
  }

  /** The 1 s housekeeping timer (tick()), unref()'d. */
  protected startTicking(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const p of this.dp.portList) {
      p.port.onReadable(null);
      p.port.close(); // a TAP port removes its device on close
      p.linkUp = false;
    }
    this.rx.stop();
  }

  /** Addition: stop(), resolved once every port is closed (at once here; a bridge with
   * datapath workers waits for their threads, workers/threaded-bridge.ts). */
  stopped(): Promise<void> {
    this.stop();
    return Promise.resolve();
  }

  /** Addition: runs `apply` (changes to the tables) so that no packet sees part of them:
   * here it runs between two bursts anyway; a bridge with datapath workers also hands the
   * changes to each worker as one message (workers/threaded-bridge.ts). OpenFlow bundles
   * commit through it. */
  atomically<T>(apply: () => T): T {
    return apply();
  }

  /** Addition: resolves once the bridge forwards (at once here; a bridge with datapath
   * workers waits for their threads and ports, workers/threaded-bridge.ts); rejects with the
   * SluiceError start() would have thrown. */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  /** Addition: null when the tables and counters read here are exact now; otherwise a
   * promise that resolves once they are (every change sent to the datapath workers applied,
   * their counters summed in; workers/threaded-bridge.ts). The OpenFlow agent waits for it before a
   * barrier reply and before statistics. */
  settle(): Promise<void> | null {
    return null;
  }

  /** Addition: drains every port until no frames are waiting, synchronously (tests,
   * benchmarks). Returns the number of drain rounds. */
  poll(): number {
    return this.rx.drainAll();
  }

  /** Addition: the 1 s housekeeping, callable directly (tests): rule expiry with
   * 'flow-removed', MAC aging, link-state polling. */
  tick(): void {
    const now = this.now();
    if (this.expiry) this.emitRemoved(this.pipeline.expire(now));
    this.mac.expire(now);
    if (!this.started) return;
    for (const p of this.dp.portList) {
      const up = p.port.linkUp();
      if (up !== p.linkUp) this.setLink(p, up);
    }
  }

  private portFailed(p: BridgePort, errno: number): void {
    if (!p.linkUp || !this.cfgs.has(p)) return; // already down, or removed meanwhile
    this.log.warn(`bridge ${this.name}: port ${p.port.name} failed (errno ${-errno}): down`);
    this.setLink(p, false);
  }

  protected setLink(p: BridgePort, up: boolean): void {
    p.linkUp = up;
    this.portChanged(p);
    this.emit('port-status', OFPPR_MODIFY, this.info(p));
  }

  private portChanged(p: BridgePort): void {
    this.pipeline.bumpGeneration();
    if (!p.live) this.mac.flushPort(p.ofport);
  }

  // ---- ports

  get failOpen(): boolean {
    return this.dp.failOpen;
  }

  set failOpen(v: boolean) {
    if (v === this.dp.failOpen) return;
    this.dp.failOpen = v;
    this.pipeline.bumpGeneration();
  }

  ports(): BridgePortInfo[] {
    return this.dp.portList.map((p) => this.info(p));
  }

  /** Each port's link state (LOCAL included); cheaper than ports() (no counters: a socket
   * option per AF_PACKET port), for the daemon's 1 s link poll. */
  links(): { ofport: number; name: string; linkUp: boolean }[] {
    return this.dp.portList.map((p) => ({ ofport: p.ofport, name: p.port.name, linkUp: p.linkUp }));
  }

  /** Whether a port (LOCAL included) has this name; cheaper than ports() (no counters). */
  hasPort(name: string): boolean {
    return this.dp.portList.some((p) => p.port.name === name);
  }

  port(ofport: number): BridgePortInfo | undefined {
    const p = this.dp.ports.get(ofport);
    return p ? this.info(p) : undefined;
  }

  protected info(p: BridgePort): BridgePortInfo {
    return {
      ofport: p.ofport, name: p.port.name, kind: p.port.kind, hwAddr: p.hwAddr.slice(), linkUp: p.linkUp,
      config: p.config, state: p.state, currSpeedKbps: DEFAULT_SPEED_KBPS, stats: p.port.stats(), addedMs: p.addedMs,
      ...(p.port.tunnel ? { tunnel: p.port.tunnel } : {}),
    };
  }

  private register(ofport: number, port: Port, cfg: BridgePortConfig, hw: Uint8Array): BridgePort {
    port.ofport = ofport;
    const p = new BridgePort(ofport, port, hw, cfg, Math.max(256, this.burst * 2), (x) => this.dp.flushPort(x));
    p.addedMs = this.now();
    this.dp.ports.set(ofport, p);
    this.dp.portList = [...this.dp.ports.values()].sort((a, b) => a.ofport - b.ofport);
    this.cfgs.set(p, cfg);
    const vnet = this.dp.portList.some((x) => x.port.vnet);
    for (const x of this.dp.portList) x.tx.batch.vnet = vnet;
    return p;
  }

  addPort(cfg: BridgePortConfig): BridgePortInfo | SluiceError {
    const port = cfg.port ?? createPort(cfg.spec);
    if (port instanceof SluiceError) return port;
    const bad = (why: string, code: SluiceErrorCode = 'bad_config') => new SluiceError(code, `port "${cfg.spec}": ${why}`);
    for (const p of this.dp.portList) if (p.port.name === port.name) return bad(`a port named ${port.name} is already on ${this.name}`);
    let ofport = cfg.ofport;
    if (ofport !== undefined) {
      if (!Number.isInteger(ofport) || ofport < 1 || ofport > OFPP_MAX) return bad(`ofport ${ofport} is not 1..${OFPP_MAX}`);
      if (this.dp.ports.has(ofport)) return bad(`ofport ${ofport} is taken`);
    } else {
      ofport = 1;
      while (this.dp.ports.has(ofport)) ofport++;
    }
    const vlanProblem = checkPortVlans(cfg);
    if (vlanProblem !== null) return bad(vlanProblem);
    if (this.started && this.opensPorts) {
      try {
        port.open();
      } catch (e) {
        return bad((e as Error).message, 'port_failed');
      }
    }
    const p = this.register(ofport, port, cfg, macFromName(`${this.name}/${port.name}`));
    if (this.started) {
      if (this.opensPorts) this.rx.arm(p);
      this.pipeline.bumpGeneration();
      this.emit('port-status', OFPPR_ADD, this.info(p));
    }
    return this.info(p);
  }

  removePort(ofport: number): SluiceError | null {
    const p = this.dp.ports.get(ofport);
    if (!p || p === this.local) return new SluiceError('refused', `no port ${ofport} to remove on ${this.name}`);
    const info = this.info(p);
    p.port.onReadable(null);
    this.dp.dropPort(p);
    if (this.started && this.opensPorts) p.port.close();
    this.dp.ports.delete(ofport);
    this.dp.portList = this.dp.portList.filter((x) => x !== p);
    this.cfgs.delete(p);
    this.pipeline.bumpGeneration();
    this.mac.flushPort(ofport);
    this.emit('port-status', OFPPR_DELETE, { ...info, linkUp: false });
    return null;
  }

  /** Addition (OFPT_PORT_MOD, OF1.3.5 §7.3.4.3): sets the config bits in `mask` to `config`. */
  portMod(ofport: number, config: number, mask: number): OFError | null {
    const p = this.dp.ports.get(ofport);
    if (!p) return ofError(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT, `port ${ofport} does not exist`);
    const next = (p.config & ~mask) | (config & mask);
    if (next === p.config) return null;
    p.config = next;
    this.portChanged(p);
    this.emit('port-status', OFPPR_MODIFY, this.info(p));
    return null;
  }

  // ---- OpenFlow state

  flowMod(fm: FlowMod): ModResult {
    return this.afterMod(this.pipeline.flowMod(fm, this.now()));
  }

  groupMod(gm: GroupMod): ModResult {
    return this.afterMod(this.pipeline.groupMod(gm, this.now()));
  }

  meterMod(mm: MeterMod): ModResult {
    return this.afterMod(this.pipeline.meterMod(mm, this.now()));
  }

  private afterMod(r: ModResult): ModResult {
    if (!isOFError(r)) this.emitRemoved(r.removed);
    return r;
  }

  protected emitRemoved(removed: readonly RemovedRule[]): void {
    for (const x of removed) if ((x.rule.flags & OFPFF_SEND_FLOW_REM) !== 0) this.emit('flow-removed', x);
  }

  /** OFPT_PACKET_OUT (OF1.3.5 §7.3.7). `inPort` may be a port, OFPP_CONTROLLER or OFPP_LOCAL. */
  packetOut(inPort: number, actions: readonly Action[], data: Uint8Array, metadata = 0n): OFError | null {
    const e = this.checkPacketOut(inPort, actions);
    if (e !== null) return e;
    const d = this.pipeline.packetOutDecision(data, inPort, actions, { metadata });
    this.dp.packetOut(d, inPort, data);
    return null;
  }

  /** What is wrong with a packet-out's in_port and actions (OF1.3.5 §7.3.7), or null. */
  protected checkPacketOut(inPort: number, actions: readonly Action[]): OFError | null {
    if (inPort !== OFPP_CONTROLLER && inPort !== OFPP_LOCAL && !this.dp.ports.has(inPort)) {
      return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_PORT, `packet-out in_port ${inPort} does not exist`);
    }
    return this.pipeline.checkPacketOut(actions);
  }

  /** pipeline.decide with trace:true: changes no counters. */
  trace(inPort: number, frame: Uint8Array, tunnel?: TunnelMeta): Decision {
    const key = new FlowKey();
    parseFrame(frame, 0, frame.length, inPort, key);
    // Tunnel metadata, as a tunnel port sets it on a packet it received.
    if (tunnel) setTunnelMeta(key, tunnel.idHi, tunnel.idLo, tunnel.src, tunnel.dst);
    return this.pipeline.decide(key, this.now(), { trace: true, frame });
  }

  /** Addition: what NORMAL would do with a packet whose key words are `words` arriving on
   * `inPort` (for trace; nothing is learned or sent). */
  normalPlan(inPort: number, words: Uint32Array): NormalPlan {
    return normalPlan(this.dp, words, inPort, this.now());
  }

  cacheStats(): { hits: number; misses: number; entries: number; uncacheable: number } {
    const c = this.dp.cache;
    if (!c) return { hits: 0, misses: 0, entries: 0, uncacheable: 0 };
    return { hits: c.hits, misses: c.misses, entries: c.entries(this.dp.generation()), uncacheable: this.dp.uncacheable };
  }

  /** Addition: frames read from the ports (every burst; a datapath worker's share of the
   * bridge's traffic, workers/threaded-bridge.ts). */
  receivedFrames(): number {
    return this.dp.received;
  }

  /** Addition: frames each datapath worker read (workers/threaded-bridge.ts); none here: this
   * bridge forwards in the daemon's own thread. */
  workerFrames(): number[] {
    return [];
  }

  /** Addition: busy-poll turns this bridge took part in and the frames they read. */
  busyPollStats(): { turns: number; frames: number } {
    return { turns: this.rx.turns, frames: this.rx.polledFrames };
  }

  /** Addition: the datapath's drops by reason (a snapshot). */
  counters(): DatapathCounters {
    return { drops: dropRecord(this.dp.drops) };
  }

  /** Addition: the learned addresses (for `sluice fdb/show`). */
  macTable(): MacLearningTable {
    return this.mac;
  }
}
