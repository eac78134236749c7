/**
 * A bridge whose datapath runs in N worker threads (`--workers N`, issue #14 §3; DESIGN.md
 * "Workers"). To the daemon and the OpenFlow agent it is a Bridge (same contract); inside,
 * this thread is the control thread:
 *
 *   - its pipeline is authoritative: it checks every mod (errors come from here), answers
 *     dump-flows and trace, owns the rule timeouts; every change it accepts goes to the
 *     replicas (replica.ts) in the order it was applied;
 *   - it opens no port: each replica opens every port itself (AF_PACKET in a PACKET_FANOUT
 *     hash group, TAPs as one queue each of a multi-queue device);
 *   - packet-outs run on worker 0; packet-ins from every worker pass the agent's admission
 *     here; link changes are worker 0's; learned MACs are shared (pool.ts relays them).
 *
 * Invariants
 *  - settle() resolves once every change made before it is applied on every worker and the
 *    workers' counters (flows, tables, groups, meters, ports, drops, cache) are summed into
 *    this bridge: the agent waits for it before a barrier reply, statistics and deletes
 *    (flow-removed counts), so what a controller reads is exact at that point.
 *  - Changes made before the threads are up are kept and sent first, in order.
 *  - Rule timeouts: every tick sums the counters first (a rule's last use is the latest on
 *    any worker), expires here, and sends the deletes.
 *  - Ports other than afpacket, tap and memory are refused (at creation, or when added) with
 *    one line naming the port.
 */
import { isOFError, type OFError } from '../../pipeline/errors.js';
import type { ModResult } from '../../pipeline/pipeline.js';
import type { Rule } from '../../pipeline/rule.js';
import { OFPFC_DELETE_STRICT, OFPP_LOCAL, flowMod as mkFlowMod, type Action, type FlowMod, type GroupMod, type MeterMod } from '../../pipeline/types.js';
import { SluiceError } from '../../ports/errors.js';
import { createPort } from '../../ports/spec.js';
import { Bridge, madeOrError, type BridgeConfig, type BridgePortConfig, type BridgePortInfo } from '../bridge.js';
import type { BridgePort } from '../bridge-port.js';
import { D_NO_CONTROLLER, D_PACKET_IN_LIMIT, dropRecord } from '../drops.js';
import type { DatapathCounters, Logger } from '../events.js';
import { applyCounters, type ReplicaCounters } from './counters.js';
import type { ReplicaReply, ReplicaRequest } from './replica.js';
import { DatapathWorkers, fanoutGroup } from './pool.js';

/** Kinds a replica can open once per worker (afpacket: fanout; tap: multi-queue). */
const THREADED_KINDS = new Set(['afpacket', 'tap', 'memory']);

interface ThreadedOptions {
  log?: Logger;
  ringBytes?: number;
  /** a module each worker runs with its replica (benchmarks: replica.ts) */
  driver?: string;
}

/** A DELETE_STRICT that removes exactly `rule` (its table, priority and match). */
const deleteStrict = (rule: Rule): FlowMod => mkFlowMod({ command: OFPFC_DELETE_STRICT, tableId: rule.tableId, priority: rule.priority, match: rule.match });

export class ThreadedBridge extends Bridge {
  readonly workers: number;
  private pool: DatapathWorkers | null = null;
  private starting: Promise<void> | null = null;
  /** posted before the threads were up: [message, only this worker] */
  private backlog: [ReplicaRequest, number | undefined][] = [];
  private sum: ReplicaCounters | null = null;
  private ticking = false;

  static createThreaded(cfg: BridgeConfig, opts: ThreadedOptions = {}): ThreadedBridge | SluiceError {
    return madeOrError(() => new ThreadedBridge(cfg, opts));
  }

  constructor(cfg: BridgeConfig, private readonly opts: ThreadedOptions = {}) {
    // this thread forwards nothing: no warm-up here (worker 0 warms its own)
    super({ ...cfg, warmUp: false }, opts.log !== undefined ? { log: opts.log } : {});
    this.opensPorts = false;
    this.workers = cfg.workers ?? 2;
    this.warmReplicas = cfg.warmUp !== false;
  }

  private readonly warmReplicas: boolean;

  private send(m: ReplicaRequest, only?: number): void {
    if (this.batch !== null) this.batch.push([m, only]);
    else if (this.pool !== null) this.pool.post(m, only);
    else this.backlog.push([m, only]);
  }

  /** Changes made inside atomically(), sent as one message per worker when it ends. */
  private batch: [ReplicaRequest, number | undefined][] | null = null;

  override atomically<T>(apply: () => T): T {
    if (this.batch !== null) return apply(); // nested: the outer one sends
    this.batch = [];
    try {
      return apply();
    } finally {
      const sent = this.batch;
      this.batch = null;
      // each worker gets its part of the batch in one message: it applies all of it between
      // two bursts (a packet-out for worker 0 only stays in its place in the order)
      for (let w = 0; w < this.workers; w++) {
        const mine = sent.filter(([, only]) => only === undefined || only === w).map(([m]) => m);
        if (mine.length !== 0) this.send({ op: 'batch', requests: mine }, w);
      }
    }
  }

  /** The replicas' config: this bridge's ports as specs with the ofports given here. */
  private replicaConfig(): BridgeConfig {
    const ports: BridgePortConfig[] = [];
    for (const p of this.dp.portList) {
      if (p.ofport === OFPP_LOCAL) continue;
      const { port: _obj, ...cfg } = this.cfgs.get(p)!;
      ports.push({ ...cfg, ofport: p.ofport });
    }
    const { ports: _given, ...rest } = this.settings;
    return {
      ...rest, dpid: this.dpid, failMode: this.failMode, ports, localPort: this.dp.ports.has(OFPP_LOCAL),
      warmUp: this.warmReplicas, workers: 1,
    };
  }

  // ---- lifecycle

  override start(): void {
    if (this.started) return;
    this.started = true;
    this.starting = this.spawn();
    this.starting.catch(() => { /* ready() reports it */ });
    this.startTicking();
  }

  private async spawn(): Promise<void> {
    let pool: DatapathWorkers;
    try {
      pool = await DatapathWorkers.start(this.workers, this.replicaConfig(), {
        ...(this.opts.ringBytes !== undefined ? { ringBytes: this.opts.ringBytes } : {}),
        ...(this.opts.driver !== undefined ? { driver: this.opts.driver } : {}),
        onEvent: (i, m) => this.onEvent(i, m),
      });
    } catch (e) {
      this.started = false;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      throw new SluiceError('port_failed', `bridge ${this.name}: ${(e as Error).message}`, { cause: e });
    }
    if (!this.started) {
      await pool.stop(); // stopped while the threads came up
      return;
    }
    this.pool = pool;
    for (const [m, only] of this.backlog) pool.post(m, only);
    this.backlog = [];
    for (const [ofport, up] of pool.links[0] ?? []) {
      const p = this.dp.ports.get(ofport);
      if (p !== undefined) p.linkUp = up;
    }
    this.log.debug(`bridge ${this.name} started with ${this.dp.portList.length} ports on ${this.workers} datapath workers`);
  }

  /** What each worker's driver resolved with (ThreadedOptions.driver), once started. */
  get driven(): Promise<unknown>[] {
    return this.pool?.driven ?? [];
  }

  override ready(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  override stop(): void {
    if (!this.started) return;
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) void pool.stop();
    for (const p of this.dp.portList) p.linkUp = false;
  }

  /** Stops and waits until the worker threads have closed their ports (TAPs removed). */
  override async stopped(): Promise<void> {
    const pool = this.pool;
    this.stop();
    if (pool !== null) await pool.stop();
  }

  // ---- events from the workers

  private onEvent(i: number, m: ReplicaReply): void {
    switch (m.op) {
      case 'packet_in': {
        const refused = this.packetInAdmission === null ? null : this.packetInAdmission(m.pi.reason);
        if (refused === null) this.emit('packet-in', m.pi);
        else this.dp.drops[refused === 'no_controller' ? D_NO_CONTROLLER : D_PACKET_IN_LIMIT]!++;
        return;
      }
      case 'port_status': {
        const p = this.dp.ports.get(m.ofport);
        if (p !== undefined && p.linkUp !== m.linkUp && this.started) this.setLink(p, m.linkUp);
        return;
      }
      case 'mac_learned':
        this.mac.learn(m.vlan, m.mac, m.port, this.now());
        this.pool?.postOthers({ op: 'mac_learn', vlan: m.vlan, mac: m.mac, port: m.port }, i);
        return;
      case 'error':
        this.log.error(`bridge ${this.name}: ${m.message}`);
        return;
      default:
    }
  }

  // ---- changes: applied here, then on every worker

  override flowMod(fm: FlowMod): ModResult {
    const r = super.flowMod(fm);
    if (!isOFError(r)) this.send({ op: 'flow_mod', fm });
    return r;
  }

  override groupMod(gm: GroupMod): ModResult {
    const r = super.groupMod(gm);
    if (!isOFError(r)) this.send({ op: 'group_mod', gm });
    return r;
  }

  override meterMod(mm: MeterMod): ModResult {
    const r = super.meterMod(mm);
    if (!isOFError(r)) this.send({ op: 'meter_mod', mm });
    return r;
  }

  override portMod(ofport: number, config: number, mask: number): OFError | null {
    const r = super.portMod(ofport, config, mask);
    if (r === null) this.send({ op: 'port_mod', ofport, config, mask });
    return r;
  }

  override packetOut(inPort: number, actions: readonly Action[], data: Uint8Array, metadata = 0n): OFError | null {
    const e = this.checkPacketOut(inPort, actions);
    if (e !== null) return e;
    this.send({ op: 'packet_out', inPort, actions, data, metadata }, 0);
    return null;
  }

  override addPort(cfg: BridgePortConfig): BridgePortInfo | SluiceError {
    // (also called by Bridge's constructor for the configured ports)
    const port = cfg.port ?? createPort(cfg.spec);
    if (port instanceof SluiceError) return port;
    if (!THREADED_KINDS.has(port.kind)) {
      return new SluiceError('bad_config', `port ${port.name} is a ${port.kind} port: datapath workers (--workers ${this.settings.workers ?? 2}) share afpacket, tap and memory ports only; use --workers 1`);
    }
    const r = super.addPort({ ...cfg, port });
    if (r instanceof SluiceError || !this.started) return r;
    const { port: _obj, ...plain } = cfg;
    this.send({ op: 'add_port', cfg: { ...plain, ofport: r.ofport }, fanout: fanoutGroup() });
    return r;
  }

  override removePort(ofport: number): SluiceError | null {
    const r = super.removePort(ofport);
    if (r === null && this.started) this.send({ op: 'remove_port', ofport });
    return r;
  }

  // ---- reads: the workers' sums

  override settle(): Promise<void> | null {
    if (this.starting === null) return null; // not started: nothing runs elsewhere
    return this.refresh();
  }

  /** Sums the workers' counters into this bridge (retried if its tables changed meanwhile). */
  private async refresh(): Promise<void> {
    await this.starting?.catch(() => undefined);
    for (let tries = 0; tries < 5; tries++) {
      const pool = this.pool;
      if (pool === null) return;
      const c = await pool.counters();
      if (c === null) return;
      if (applyCounters(this.pipeline, c)) {
        this.sum = c;
        return;
      }
    }
  }

  override tick(): void {
    if (this.pool === null || this.ticking) return;
    this.ticking = true;
    void this.refresh().then(() => {
      const now = this.now();
      const removed = this.pipeline.expire(now);
      for (const x of removed) this.send({ op: 'flow_mod', fm: deleteStrict(x.rule) });
      this.emitRemoved(removed);
      this.mac.expire(now);
    }).finally(() => {
      this.ticking = false;
    });
  }

  protected override info(p: BridgePort): BridgePortInfo {
    const i = super.info(p);
    const s = this.sum?.ports.get(p.ofport);
    return s === undefined ? i : { ...i, stats: { ...s } };
  }

  override cacheStats(): { hits: number; misses: number; entries: number; uncacheable: number } {
    return this.sum === null ? { hits: 0, misses: 0, entries: 0, uncacheable: 0 } : { ...this.sum.cache };
  }

  override busyPollStats(): { turns: number; frames: number } {
    return this.sum === null ? { turns: 0, frames: 0 } : { ...this.sum.busyPoll };
  }

  /** Frames each worker has read from the ports, by worker index (as of the last settle). */
  override workerFrames(): number[] {
    return this.sum === null ? [] : [...this.sum.perWorker];
  }

  override counters(): DatapathCounters {
    const own = dropRecord(this.dp.drops);
    if (this.sum !== null) for (const k of Object.keys(own) as (keyof typeof own)[]) own[k] += this.sum.drops[k] ?? 0;
    return { drops: own };
  }
}
