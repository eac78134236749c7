/**
 * The foreground daemon behind `sluice start`: runs one Bridge until a signal.
 *
 * What it prints (stderr, one timestamped line each, see control/log.ts):
 *   - per port opened:   `br0: port veth-a up (ofport 1, afpacket)`
 *   - when ready:        `br0: bridge started (dpid 0x..., fail-mode standalone, 2 ports)`
 *                        — the demo and the integration tests wait for this line
 *   - per state change:  `br0: port veth-a link down (ofport 1)`, port added / deleted
 *   - OpenFlow:          `br0: openflow listening on punix:/run/sluice/br0.mgmt` (once per listener),
 *                        `br0: tcp:127.0.0.1:6653 connected (OpenFlow 0x04)`,
 *                        `br0: tcp:127.0.0.1:6653 disconnected: <reason>` (the agent's lines),
 *                        `br0: tcp:127.0.0.1:6653: connection refused; retrying in 2000 ms` (warn)
 *   - on SIGUSR1 and at exit, per port counters in ovs-ofctl dump-ports style:
 *                        `br0: stats port veth-a ofport=1 link=up rx_packets=3 rx_bytes=... tx_errors=0`
 *
 * Exit codes: 0 after SIGINT/SIGTERM (bridge stopped: sockets closed, TAPs removed);
 * 2 when the bridge cannot start because of its configuration (bad port, missing
 * interface: the one-line message names it); 1 on an unexpected failure while running.
 *
 * Invariant: bridge.stop() runs exactly once on every exit path after start(), after the
 * OpenFlow service (listeners, controller connections, the mgmt socket file) was stopped.
 */
import { Bridge, type BridgePortInfo } from '../datapath/bridge.js';
import { OpenFlowService } from '../openflow/service.js';
import { formatTarget } from '../openflow/target.js';
import type { StartPlan } from './start-options.js';
import { createLogger, scoped } from '../control/log.js';
import { OFPP_LOCAL } from '../pipeline/types.js';

/** Link state is also polled at this period: a fallback if no port-status event comes, and the
 * one ref'd handle that keeps the foreground process alive while ports sit idle. */
const LINK_POLL_MS = 1000;

export function statsLine(p: BridgePortInfo): string {
  const s = p.stats;
  return (
    `stats port ${p.name} ofport=${ofportName(p.ofport)} link=${p.linkUp ? 'up' : 'down'} ` +
    `rx_packets=${s.rxPackets} rx_bytes=${s.rxBytes} rx_dropped=${s.rxDropped} ` +
    `tx_packets=${s.txPackets} tx_bytes=${s.txBytes} tx_dropped=${s.txDropped} tx_errors=${s.txErrors}`
  );
}

const ofportName = (n: number) => (n === OFPP_LOCAL ? 'LOCAL' : String(n));
const hex16 = (n: bigint) => '0x' + n.toString(16).padStart(16, '0');

/** Starts the bridge and returns; the process then lives on its ports, timers and signals. */
export async function runDaemon(plan: StartPlan): Promise<void> {
  const cfg = plan.bridge;
  const root = createLogger(plan.logLevel);
  const log = scoped(root, cfg.name);
  // The one bridge is named on the command line: "bridge br0: port x: ..." reads as "port x: ...".
  const usageError = (e: unknown): never => {
    process.stderr.write(`sluice: ${(e as Error).message.replace(`bridge ${cfg.name}: `, '')}\n`);
    process.exit(2);
  };
  let bridge: Bridge;
  try {
    bridge = new Bridge(
      { name: cfg.name, dpid: cfg.dpid, failMode: cfg.failMode, ports: cfg.ports, flowCache: cfg.flowCache ?? true },
      { log: root }, // the bridge's own messages already name the bridge
    );
  } catch (e) {
    return usageError(e);
  }

  const link = new Map<number, boolean>();
  const noteLink = (p: BridgePortInfo) => {
    const before = link.get(p.ofport);
    link.set(p.ofport, p.linkUp);
    if (before !== undefined && before !== p.linkUp) {
      (p.linkUp ? log.info : log.warn)(`port ${p.name} link ${p.linkUp ? 'up' : 'down'} (ofport ${p.ofport})`);
    }
  };
  bridge.on('port-status', (reason: number, p: BridgePortInfo) => {
    if (reason === 0) log.info(`port ${p.name} added (ofport ${p.ofport}, ${p.kind})`);
    else if (reason === 1) {
      log.info(`port ${p.name} deleted (ofport ${p.ofport})`);
      link.delete(p.ofport);
      return;
    }
    noteLink(p);
  });
  bridge.on('log', (m: unknown) => log.debug(typeof m === 'string' ? m : JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))));

  try {
    bridge.start();
  } catch (e) {
    usageError(e);
  }

  for (const p of bridge.ports()) {
    link.set(p.ofport, p.linkUp);
    log.info(`port ${p.name} ${p.linkUp ? 'up' : 'down'} (ofport ${ofportName(p.ofport)}, ${p.kind})`);
  }

  // OpenFlow after the ports: a controller's first FEATURES/PORT_DESC must see them all.
  const svc = new OpenFlowService(bridge, { rundir: plan.rundir, log: root, ...(plan.tls ? { tls: plan.tls } : {}) });
  try {
    await svc.start({ controllers: cfg.controllers ?? [], listen: cfg.listen ?? [] });
  } catch (e) {
    bridge.stop();
    return usageError(e);
  }
  for (const ep of svc.endpointsOpen) {
    const t = formatTarget(ep.target);
    log.info(ep.target.kind === 'tcp' || ep.target.kind === 'ssl' || ep.target.kind === 'unix' ? `openflow controller ${t}` : `openflow listening on ${t}`);
  }

  const nPorts = cfg.ports.length;
  log.info(`bridge started (dpid ${hex16(bridge.dpid)}, fail-mode ${bridge.failMode}, ${nPorts} port${nPorts === 1 ? '' : 's'}${cfg.flowCache === false ? ', flow cache off' : ''})`);

  const dumpStats = () => {
    for (const p of bridge.ports()) log.info(statsLine(p));
    const c = bridge.cacheStats();
    log.info(`stats flow-cache hits=${c.hits} misses=${c.misses} entries=${c.entries} uncacheable=${c.uncacheable}`);
  };
  const poll = setInterval(() => {
    for (const p of bridge.ports()) noteLink(p);
  }, LINK_POLL_MS);

  let stopping = false;
  const stop = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(poll);
    log.info(`stopping (${why})`);
    try {
      dumpStats();
      svc.stop();
      bridge.stop();
      log.info('bridge stopped');
    } catch (e) {
      log.error(`stop failed: ${(e as Error).message}`);
      code = 1;
    }
    process.exit(code);
  };
  process.on('SIGUSR1', dumpStats);
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGHUP', () => stop('SIGHUP', 0));
  process.on('uncaughtException', (e) => {
    log.error(`unexpected failure: ${e.stack ?? e.message}`);
    stop('failure', 1);
  });
}
