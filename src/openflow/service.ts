/**
 * OpenFlowService: everything OpenFlow about one bridge — its agent, the controllers it
 * connects to, the listeners it offers (OVS's "controller" and "manager/service" sides).
 *
 *   start({ controllers: ['tcp:10.0.0.1'], listen: ['ptcp:6634'] })
 *     controllers → connections that count for fail mode and get async messages
 *     listen      → service connections (ovs-ofctl, sluice CLI); plus, by default,
 *                   punix:<rundir>/<bridge>.mgmt as OVS offers
 *   `versions` (the bridge's protocols) is what controllers and listeners offer; the mgmt
 *   socket offers those and every default version (1.5, not complete, only when the
 *   bridge's protocols name it).
 *
 * Invariants: every target string is parsed before anything opens; a bad one fails
 * start() with an Error naming it, and nothing stays open. stop() closes everything it
 * opened (listeners, connections, socket files) and is idempotent.
 */
import { join } from 'node:path';
import { OpenFlowAgent, type AgentOptions } from './agent.js';
import { DEFAULT_VERSIONS } from './codec.js';
import type { AgentBridge } from './bridge-surface.js';
import type { OFConnection } from './connection.js';
import { isPassive, parseTarget, type Target } from './target.js';
import { ActiveEndpoint, PassiveEndpoint, makeRundir, type Endpoint, type TransportOptions } from './transport.js';

interface ServiceOptions extends AgentOptions, Omit<TransportOptions, 'onError'> {
  /** Directory of the mgmt sockets (default DEFAULT_RUNDIR, /run/sluice); null = no mgmt socket. */
  readonly rundir?: string | null;
}

interface StartConfig {
  readonly controllers?: readonly string[];
  readonly listen?: readonly string[];
}

/** The daemon's run directory (sockets): the control socket and each bridge's mgmt socket. */
export const DEFAULT_RUNDIR = '/run/sluice';

export class OpenFlowService {
  readonly agent: OpenFlowAgent;
  private endpoints: Endpoint[] = [];

  constructor(readonly bridge: AgentBridge, private readonly opts: ServiceOptions = {}) {
    this.agent = new OpenFlowAgent(bridge, opts);
  }

  /** The mgmt socket path of this bridge, or null when disabled. */
  get mgmtPath(): string | null {
    const dir = this.opts.rundir === undefined ? DEFAULT_RUNDIR : this.opts.rundir;
    return dir === null ? null : join(dir, `${this.bridge.name}.mgmt`);
  }

  /** Listeners and controller endpoints now open. */
  get endpointsOpen(): readonly Endpoint[] {
    return this.endpoints;
  }

  async start(cfg: StartConfig): Promise<void> {
    const parse = (list: readonly string[]): Target[] => list.map((s) => {
      const t = parseTarget(s);
      if (t instanceof Error) throw t;
      return t;
    });
    const controllers = parse(cfg.controllers ?? []);
    const listen = parse(cfg.listen ?? []);
    const mgmt = this.mgmtPath;
    if (mgmt !== null) makeRundir(this.opts.rundir ?? DEFAULT_RUNDIR);
    const mgmtTargets: Target[] = mgmt === null ? [] : [{ kind: 'punix', path: mgmt }];
    const tOpts: TransportOptions = { ...this.opts, onError: (m) => this.opts.log?.warn(`${this.bridge.name}: ${m}`) };
    const mgmtVersions = [...new Set([...DEFAULT_VERSIONS, ...(this.opts.versions ?? [])])].sort((a, b) => a - b);
    const mgmtOpts: TransportOptions = { ...tOpts, versions: mgmtVersions };
    try {
      for (const [targets, isController] of [[controllers, true], [listen, false], [mgmtTargets, false]] as const) {
        for (const t of targets) {
          const attach = (c: OFConnection): void => { this.agent.attach(c, isController); };
          if (isPassive(t)) {
            const ep = await PassiveEndpoint.listen(t, targets === mgmtTargets ? mgmtOpts : tOpts, attach);
            if (ep instanceof Error) throw ep;
            this.endpoints.push(ep);
          } else {
            this.endpoints.push(new ActiveEndpoint(t, tOpts, attach));
          }
        }
      }
    } catch (e) {
      this.stop();
      throw e;
    }
  }

  stop(): void {
    for (const ep of this.endpoints) ep.close();
    this.endpoints = [];
    this.agent.close();
  }
}
