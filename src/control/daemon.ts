/**
 * The daemon's state: any number of running bridges keyed by name, the patch ports that
 * wire them together, and the persistent configuration they were made from.
 *
 * Every method is one operator action (the control socket's verbs map onto them) and
 * returns, in the operational error model (ports/errors.ts), its result or a SluiceError
 * (`X | SluiceError`; an action with no result returns `SluiceError | null`) whose message
 * is one line for the operator ("no bridge br9 (bridges: br0, br1)", "no port veth-x on
 * br0"); none throws for a user mistake.
 *
 * Invariants
 *  - config() is exactly what runs: each bridge's BridgeSetting is updated on every
 *    successful change, and every port in it carries the ofport it got, so a restart from
 *    the saved config numbers the ports the same way (OVS keeps ofport in its db too).
 *  - After every successful change the config is saved to the db file (atomic write, db.ts)
 *    when the daemon has one; a failed change leaves the running state and the file as
 *    they were.
 *  - A configured port that cannot be attached when the daemon restores its db (a veth
 *    that is gone after a reboot) does not stop the daemon: the bridge starts without it,
 *    the port stays in the config (so it is not lost), show() lists it with its error, and
 *    retryDetached() attaches it once it can (OVS keeps such an Interface with an error).
 *  - Patch ports are connected exactly when both ends exist and name each other, whatever
 *    the order they were created in; deleting one end (or its bridge) takes the survivor's
 *    link down (its bridge reports port-status). Patch port names are unique in the daemon.
 */
import type { BridgePortInfo } from '../datapath/bridge.js';
import { OFPP_LOCAL } from '../pipeline/types.js';
import { SluiceError } from '../ports/errors.js';
import { PatchPort } from '../ports/patch.js';
import type { Port } from '../ports/port.js';
import { closingTogether, closingTogetherAsync, openTogether } from '../ports/open-many.js';
import { createPort } from '../ports/spec.js';
import { checkAnyTarget, type BridgeSetting, type DaemonConfig } from './config.js';
import { RunningBridge, type RunningBridgeOptions } from './running-bridge.js';
import type { ShowBridge, ShowResult } from './daemon-show.js';
import { saveDb } from './db.js';
import type { MetricsBridge } from './metrics.js';
import type { PortSetting } from './port-option.js';

interface DaemonOptions extends RunningBridgeOptions {
  /** The persistent config file; null = nothing persisted. */
  db: string | null;
  /** Path of the control socket (for show). */
  control: string;
  /** Saves the config (default db.ts saveDb); tests pass a recorder. */
  save?: (file: string, cfg: DaemonConfig) => void;
}

const errMsg = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The port name and kind a spec gives (createPort checks it; nothing is opened); a spec
 * createPort refuses gives itself as the name and kind 'unknown'. */
function specInfo(spec: string): { name: string; kind: string } {
  const p = createPort(spec);
  return p instanceof Error ? { name: spec, kind: 'unknown' } : { name: p.name, kind: p.kind };
}
/** The port name a spec gives (specInfo's name). */
const portName = (spec: string): string => specInfo(spec).name;

export class Daemon {
  private readonly running = new Map<string, RunningBridge>();
  private readonly patches = new Map<string, { rb: RunningBridge; port: PatchPort }>();
  private readonly starting = new Set<string>();
  /** Per bridge: configured ports not attached (restore failed), with the last error. */
  private readonly detached = new Map<string, { setting: PortSetting; error: string }[]>();
  /** Inside batched(): saves are put off to its end (one write for the whole batch). */
  private deferSaves = 0;
  private unsaved = false;
  /** Inside batched(): AF_PACKET ports opened ahead, together (open-many.ts), by spec. */
  private readonly preopened = new Map<string, Port>();

  constructor(private readonly opts: DaemonOptions) {}

  get db(): string | null {
    return this.opts.db;
  }

  /** The running configuration (copies: safe to serialise or change). */
  config(): DaemonConfig {
    return {
      bridges: [...this.running.values()].map((rb) => {
        const s = rb.setting;
        const ports = [...s.ports, ...(this.detached.get(rb.name) ?? []).map((d) => d.setting)];
        return { ...s, ports: ports.map((p) => ({ ...p, ...(p.trunks ? { trunks: [...p.trunks] } : {}) })) };
      }),
    };
  }

  /** Saves the config to the db file, if any. */
  persist(): SluiceError | null {
    if (this.opts.db === null) return null;
    if (this.deferSaves > 0) {
      this.unsaved = true;
      return null;
    }
    try {
      (this.opts.save ?? saveDb)(this.opts.db, this.config());
      return null;
    } catch (e) {
      const m = `cannot save the configuration to ${this.opts.db}: ${errMsg(e)}`;
      this.opts.log.error(m);
      return new SluiceError('refused', m, { cause: e });
    }
  }

  /**
   * Runs `f` (several operator actions, e.g. a Mininet network's bridges and ports) with
   * the saves to the db put off to the end: one write instead of one per action, whatever
   * `f` returns; what `f` changed before a failure stays changed (and saved).
   * The AF_PACKET ports of `portSpecs` (the batch's add-ports) are opened ahead, all at
   * once, and the sockets `f` closes are closed together at its end (open-many.ts: each
   * costs the kernel an RCU grace period, and waits in parallel overlap). A port opened
   * ahead that `f` does not use is closed at the end.
   */
  async batched<T>(f: () => Promise<T>, portSpecs: readonly string[] = []): Promise<T | SluiceError> {
    this.deferSaves++;
    let r: T;
    try {
      r = await closingTogetherAsync(async () => {
        this.preopen(portSpecs);
        try {
          return await f();
        } finally {
          for (const p of this.preopened.values()) p.close();
          this.preopened.clear();
        }
      });
    } finally {
      this.deferSaves--;
    }
    if (this.deferSaves > 0 || !this.unsaved) return r;
    this.unsaved = false;
    return this.persist() ?? r;
  }

  bridge(name: string): RunningBridge | SluiceError {
    const rb = this.running.get(name);
    if (rb) return rb;
    const names = this.listBridges();
    return new SluiceError('refused', `no bridge ${name} (${names.length === 0 ? 'no bridges yet: sluice add-br NAME' : `bridges: ${names.join(', ')}`})`);
  }

  listBridges(): string[] {
    return [...this.running.keys()].sort();
  }

  /** Port names of a bridge, sorted, without the LOCAL port (as ovs-vsctl list-ports). */
  listPorts(bridge: string): string[] | SluiceError {
    const rb = this.bridge(bridge);
    if (rb instanceof Error) return rb;
    return rb.bridge.ports().filter((p) => p.ofport !== OFPP_LOCAL).map((p) => p.name).sort();
  }

  /** Starts a bridge with its ports and OpenFlow; `persist: false` while the daemon starts up. */
  async addBridge(setting: BridgeSetting, persist = true): Promise<RunningBridge | SluiceError> {
    if (this.running.has(setting.name) || this.starting.has(setting.name)) return new SluiceError('refused', `bridge ${setting.name} already exists`);
    const s: BridgeSetting = { ...setting, ports: setting.ports.map((p) => ({ ...p })) };
    const ports: Port[] = [];
    for (const p of s.ports) {
      const port = this.makePort(p.spec, ports);
      if (port instanceof Error) return port.prefixed(`bridge ${s.name}: `);
      ports.push(port);
    }
    this.starting.add(s.name); // the name is taken while the bridge starts
    const rb = await RunningBridge.start(s, ports, this.opts);
    this.starting.delete(s.name);
    if (rb instanceof Error) return rb;
    this.running.set(s.name, rb);
    const byName = new Map(rb.bridge.ports().map((p) => [p.name, p.ofport]));
    s.ports.forEach((p, i) => (p.ofport = byName.get(ports[i]!.name)));
    for (const port of ports) if (port instanceof PatchPort) this.attachPatch(rb, port);
    if (persist) this.persist();
    return rb;
  }

  /**
   * Starts a bridge from the saved config. When it cannot start with all its ports, it
   * starts without them and attaches them one by one; those that fail stay configured but
   * detached (logged, shown with their error, retried by retryDetached()).
   */
  async restoreBridge(setting: BridgeSetting): Promise<RunningBridge | SluiceError> {
    const whole = await this.addBridge(setting, false);
    if (!(whole instanceof Error) || setting.ports.length === 0) return whole;
    const rb = await this.addBridge({ ...setting, ports: [] }, false);
    if (rb instanceof Error) return rb;
    for (const p of setting.ports) {
      const r = this.attachPort(rb, p);
      if (r instanceof Error) {
        const list = this.detached.get(rb.name) ?? [];
        list.push({ setting: { ...p }, error: r.message });
        this.detached.set(rb.name, list);
        rb.log.error(`${r.message}: the port stays configured and is attached when it can be (sluice del-port ${rb.name} ${portName(p.spec)} removes it)`);
      }
    }
    return rb;
  }

  /** Tries again to attach the detached ports (the daemon calls it every few seconds). */
  retryDetached(): void {
    for (const [name, list] of this.detached) {
      const rb = this.running.get(name);
      if (!rb) {
        this.detached.delete(name);
        continue;
      }
      const left = list.filter((d) => {
        const r = this.attachPort(rb, d.setting);
        if (r instanceof Error) {
          d.error = r.message;
          return true;
        }
        rb.log.info(`port ${portName(d.setting.spec)} attached (ofport ${r})`);
        return false;
      });
      if (left.length === 0) this.detached.delete(name);
      else this.detached.set(name, left);
    }
  }

  /** Stops a bridge: OpenFlow closed, ports closed, its LOCAL TAP removed, patch peers down. */
  delBridge(name: string): SluiceError | null {
    const rb = this.bridge(name);
    if (rb instanceof Error) return rb;
    for (const [n, e] of [...this.patches]) if (e.rb === rb) this.detachPatch(n);
    rb.stop();
    this.running.delete(name);
    this.detached.delete(name);
    rb.log.info('bridge deleted');
    return this.persist();
  }

  /** Adds a port to a running bridge; returns the ofport it got. */
  addPort(bridge: string, p: PortSetting): number | SluiceError {
    const rb = this.bridge(bridge);
    if (rb instanceof Error) return rb;
    const name = portName(p.spec);
    if (this.detached.get(bridge)?.some((d) => portName(d.setting.spec) === name)) {
      return new SluiceError('refused', `port ${name} is already configured on ${bridge} (detached: see sluice show)`);
    }
    const r = this.attachPort(rb, p);
    if (r instanceof Error) return r;
    return this.persist() ?? r;
  }

  /** Opens and adds one port to a running bridge and records it in its setting. */
  private attachPort(rb: RunningBridge, p: PortSetting): number | SluiceError {
    const port = this.makePort(p.spec, [], rb.name);
    if (port instanceof Error) return port;
    const info = rb.bridge.addPort({ ...p, port });
    if (info instanceof Error) return info;
    rb.setting.ports.push({ ...p, ofport: info.ofport });
    if (port instanceof PatchPort) this.attachPatch(rb, port);
    return info.ofport;
  }

  delPort(bridge: string, name: string): SluiceError | null {
    const rb = this.bridge(bridge);
    if (rb instanceof Error) return rb;
    const info = rb.bridge.ports().find((x) => x.name === name && x.ofport !== OFPP_LOCAL);
    if (!info) {
      const list = this.detached.get(bridge) ?? [];
      const left = list.filter((d) => portName(d.setting.spec) !== name);
      if (left.length === list.length) return new SluiceError('refused', `no port ${name} on ${bridge}`);
      if (left.length === 0) this.detached.delete(bridge);
      else this.detached.set(bridge, left);
      return this.persist();
    }
    if (this.patches.get(name)?.rb === rb) this.detachPatch(name);
    rb.bridge.removePort(info.ofport);
    rb.setting.ports = rb.setting.ports.filter((x) => x.ofport !== info.ofport);
    return this.persist();
  }

  /** Replaces the bridge's controllers (empty = none), as ovs-vsctl set-controller: active
   * targets are connected to, passive ones (ptcp:, pssl:, punix:) listened on. */
  async setControllers(bridge: string, targets: readonly string[]): Promise<SluiceError | null> {
    const rb = this.bridge(bridge);
    if (rb instanceof Error) return rb;
    for (const t of targets) {
      const e = checkAnyTarget(t);
      if (e) return e;
    }
    const e = await rb.setControllers(targets);
    if (e) return e;
    return this.persist();
  }

  delControllers(bridge: string): Promise<SluiceError | null> {
    return this.setControllers(bridge, []);
  }

  /** Resolves once every bridge's counters are exact (Bridge.settle: datapath workers). */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()].map((rb) => rb.bridge.settle()));
  }

  show(): ShowResult {
    const bridges: ShowBridge[] = [...this.running.values()].map((rb) => ({
      name: rb.name,
      dpid: rb.bridge.dpid.toString(16).padStart(16, '0'),
      failMode: rb.bridge.failMode,
      workers: rb.bridge.workerFrames(),
      drops: rb.bridge.counters().drops,
      controllers: rb.controllerStates(),
      listen: [...(rb.setting.listen ?? [])],
      ports: [
        ...rb.bridge.ports().map((p) => this.showPort(rb, p)),
        ...(this.detached.get(rb.name) ?? []).map((d) => ({
          ...specInfo(d.setting.spec), ofport: d.setting.ofport ?? -1, linkUp: false, error: d.error,
        })),
      ],
    }));
    return { pid: process.pid, control: this.opts.control, db: this.opts.db, bridges };
  }

  private showPort(rb: RunningBridge, p: BridgePortInfo): ShowBridge['ports'][number] {
    const s = rb.setting.ports.find((x) => x.ofport === p.ofport);
    const out: ShowBridge['ports'][number] = { name: p.name, ofport: p.ofport, kind: p.kind, linkUp: p.linkUp };
    if (s?.vlanMode === 'access' && s.tag !== undefined) out.tag = s.tag;
    if (s?.vlanMode === 'trunk') out.trunks = [...(s.trunks ?? [])];
    const patch = this.patches.get(p.name);
    if (patch?.rb === rb) out.peer = patch.port.peerName;
    return out;
  }

  metricsBridges(): MetricsBridge[] {
    return [...this.running.values()].map((rb) => ({ name: rb.name, bridge: rb.bridge, openflow: rb.openflow }));
  }

  runningBridges(): RunningBridge[] {
    return [...this.running.values()];
  }

  /** Stops every bridge (daemon exit); the config file is left as it is. Resolves once
   * datapath worker threads have closed their ports. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    // the sockets this thread closes are closed together (open-many.ts)
    const closed = closingTogether(() => all.map((rb) => rb.close()));
    this.running.clear();
    await Promise.all(closed);
    for (const e of this.patches.values()) e.port.disconnect(); // bridges stopped: no link-down noise
    this.patches.clear();
  }

  /** createPort, plus: a port's name (its interface) must be new in the daemon, as in OVS,
   * where one interface is a port of one bridge only (`pending`: ports of a bridge being made). */
  private makePort(spec: string, pending: readonly Port[], attachingTo?: string): Port | SluiceError {
    const port = this.createPort(spec);
    if (port instanceof Error) return port;
    const owner = this.portOwner(port.name, attachingTo);
    if (owner !== null && !(port instanceof PatchPort)) {
      return new SluiceError('refused', `port "${spec}": ${port.name} is already a port of bridge ${owner} (an interface belongs to one bridge; sluice del-port ${owner} ${port.name} first)`);
    }
    if (port instanceof PatchPort) {
      const other = this.patches.get(port.name);
      if (other) return new SluiceError('refused', `port "${spec}": a patch port named ${port.name} is already on ${other.rb.name}`);
      if (pending.some((x) => x instanceof PatchPort && x.name === port.name)) return new SluiceError('bad_config', `port "${spec}": patch port ${port.name} given twice`);
    }
    const ahead = this.preopened.get(spec);
    if (ahead === undefined) return port;
    this.preopened.delete(spec);
    return ahead;
  }

  private createPort(spec: string): Port | SluiceError {
    return createPort(spec, this.opts.ringBytes === undefined ? {} : { ringBytes: this.opts.ringBytes });
  }

  /** Opens the AF_PACKET ports of `specs` together, for makePort to take (batched()). */
  private preopen(specs: readonly string[]): void {
    const ports = new Map<string, Port>();
    for (const spec of new Set(specs)) {
      const p = this.createPort(spec);
      if (!(p instanceof Error) && this.portOwner(p.name) === null) ports.set(spec, p);
    }
    const opened = new Set<Port>(openTogether([...ports.values()]));
    for (const [spec, p] of ports) if (opened.has(p)) this.preopened.set(spec, p);
  }

  /** The bridge that has a port (attached, detached or its LOCAL port) named `name`, or
   * null; a port detached from `attachingTo` is the one being attached again, not a rival. */
  private portOwner(name: string, attachingTo?: string): string | null {
    for (const rb of this.running.values()) {
      if (rb.name === name || rb.bridge.hasPort(name)) return rb.name;
    }
    for (const [br, list] of this.detached) {
      if (br !== attachingTo && list.some((d) => portName(d.setting.spec) === name)) return br;
    }
    return null;
  }

  private attachPatch(rb: RunningBridge, port: PatchPort): void {
    this.patches.set(port.name, { rb, port });
    const peer = this.patches.get(port.peerName);
    if (!peer || peer.port.peerName !== port.name) {
      rb.log.info(`port ${port.name}: patch peer ${port.peerName} does not exist yet: link down`);
      return;
    }
    const e = PatchPort.connect(port, peer.port);
    if (e) {
      rb.log.warn(`port ${port.name}: ${e.message}`);
      return;
    }
    // tick: the bridges see the links come up now rather than at their next 1 s poll
    rb.bridge.tick();
    if (peer.rb !== rb) peer.rb.bridge.tick();
  }

  private detachPatch(name: string): void {
    const e = this.patches.get(name);
    if (!e) return;
    this.patches.delete(name);
    const peer = e.port.peer ? this.patches.get(e.port.peerName) : undefined;
    e.port.disconnect();
    if (peer) peer.rb.bridge.tick();
  }
}
