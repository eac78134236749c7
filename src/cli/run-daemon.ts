/**
 * The foreground daemon behind `sluice start`: any number of bridges, the control socket
 * RUNDIR/sluice.ctl the vsctl verbs talk to, optionally the persistent db and /metrics.
 *
 * Start-up, in this order (so that a failure leaves nothing behind):
 *   1. the db is loaded (a corrupt one: one line naming file, line and reason, exit 2,
 *      the file untouched); the flag bridges (--bridge/--config) are merged in;
 *   2. the control socket is bound (another daemon on it: exit 2, nothing created);
 *   3. the bridges start, each logging `BR: port P up (...)` then `BR: bridge started (...)`;
 *      a bridge that cannot start (bad port, missing interface) stops the rest, exit 2;
 *   4. the merged config is saved (with a db), /metrics starts (with --metrics);
 *   5. `sluice daemon ready (N bridges, control socket RUNDIR/sluice.ctl)`.
 *
 * Then: SIGUSR1 logs per-port counters of every bridge; SIGINT/SIGTERM/SIGHUP stop every
 * bridge (OpenFlow closed, TAPs removed), remove the control socket, exit 0.
 * Exit codes: 0 after a signal; 2 configuration or start-up error; 1 unexpected failure.
 *
 * Invariant: every bridge that started is stopped exactly once on every exit path.
 */
import { CtlServer } from '../control/ctl-server.js';
import { ctlPath } from '../control/ctl-client.js';
import { Daemon } from '../control/daemon.js';
import { daemonHandlers } from '../control/daemon-handlers.js';
import { loadDb, removeStaleTemps } from '../control/db.js';
import { createLogger } from '../control/log.js';
import { startMetricsServer, type MetricsServer } from '../control/metrics.js';
import { runTrace } from '../control/trace.js';
import { mergeBridges, type StartPlan } from './start-options.js';
import { fail } from './cli-common.js';

export { statsLine } from '../control/running-bridge.js';

/** Link state is also polled at this period (a fallback when no port-status event comes). */
const LINK_POLL_MS = 1000;
/** Detached ports (configured, not attachable at restore) are retried every 5 polls. */
const RETRY_POLLS = 5;

/** Starts everything and returns; the process then lives on its sockets, ports and signals. */
export async function runDaemon(plan: StartPlan): Promise<void> {
  const log = createLogger(plan.logLevel);
  const usageError = (msg: string): never => fail(msg, 'bad_config');

  let bridges = plan.bridges;
  if (plan.db !== null) {
    const db = loadDb(plan.db);
    if (db instanceof Error) return usageError(db.message);
    removeStaleTemps(plan.db); // a save cut short by kill -9
    bridges = mergeBridges(db.bridges, plan.bridges);
  }

  const control = ctlPath(plan.rundir);
  const daemon = new Daemon({
    rundir: plan.rundir, log, db: plan.db, control, ...(plan.tls ? { tls: plan.tls } : {}), ...(plan.ringBytes ? { ringBytes: plan.ringBytes } : {}),
    ...(plan.cacheEntries ? { cacheEntries: plan.cacheEntries } : {}),
  });
  let ready: () => void = () => {};
  const started = new Promise<void>((r) => (ready = r));
  const handlers = daemonHandlers(daemon, runTrace);
  // requests that arrive while the bridges start wait for them
  const gated = Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, async (a: Record<string, unknown>) => (await started, h(a))]));
  const ctl = new CtlServer(control, gated);
  try {
    await ctl.listen();
  } catch (e) {
    return usageError((e as Error).message);
  }

  let metrics: MetricsServer | null = null;
  const shutdown = async () => {
    metrics?.close();
    await daemon.stopAll(); // waits for datapath worker threads to close their ports
    ctl.close();
  };

  // Bridges named by flags must start whole (a missing interface is a usage error, exit 2);
  // bridges restored from the db start even when a port cannot be attached (control/daemon.ts).
  // All of them as one batch: their AF_PACKET ports are opened together (open-many.ts).
  const fromFlags = new Set(plan.bridges.map((b) => b.name));
  const failed = await daemon.batched(async () => {
    for (const b of bridges) {
      const rb = fromFlags.has(b.name) ? await daemon.addBridge(b, false) : await daemon.restoreBridge(b);
      if (rb instanceof Error) return { b, rb };
    }
    return null;
  }, bridges.flatMap((b) => b.ports.map((p) => p.spec)));
  if (failed !== null) {
    await shutdown();
    if (failed instanceof Error) return usageError(failed.message);
    const { b, rb } = failed;
    // a flag bridge is named on the command line: "bridge br0: port x: ..." reads as "port x: ..."
    return usageError(bridges.length === 1 ? rb.message.replace(`bridge ${b.name}: `, '') : rb.message);
  }
  if (plan.db === null) log.info('configuration not persisted (no --db)');
  else if (plan.bridges.length > 0) daemon.persist();

  if (plan.metrics !== undefined) {
    const m = await startMetricsServer(plan.metrics, () => daemon.metricsBridges());
    if (m instanceof Error) {
      await shutdown();
      return usageError(`--metrics ${plan.metrics}: ${m.message}`);
    }
    metrics = m;
    log.info(`metrics on http://${m.address}/metrics`);
  }
  ready();
  const n = daemon.runningBridges().length;
  log.info(`sluice daemon ready (${n} bridges, control socket ${control})`); // fixed wording: tests and scripts match on it

  const dumpStats = () => {
    for (const rb of daemon.runningBridges()) rb.dumpStats();
  };
  const dumpSettled = () => void daemon.settle().then(dumpStats);
  let polls = 0;
  const poll = setInterval(() => {
    for (const rb of daemon.runningBridges()) rb.pollLinks();
    if (++polls % RETRY_POLLS === 0) daemon.retryDetached();
  }, LINK_POLL_MS);

  let stopping = false;
  const stop = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(poll);
    log.info(`stopping (${why})`);
    void (async () => {
      try {
        await daemon.settle(); // the last counters of bridges with datapath workers
        dumpStats();
        const names = daemon.listBridges();
        await shutdown();
        for (const name of names) log.info(`${name}: bridge stopped`);
      } catch (e) {
        log.error(`stop failed: ${(e as Error).message}`);
        code = 1;
      }
      process.exit(code);
    })();
  };
  process.on('SIGUSR1', dumpSettled);
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGHUP', () => stop('SIGHUP', 0));
  process.on('uncaughtException', (e) => {
    log.error(`unexpected failure: ${e.stack ?? e.message}`);
    stop('failure', 1);
  });
}
