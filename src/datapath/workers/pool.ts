/**
 * The threads of `--workers N` (issue #14 §3; DESIGN.md "Workers"): N replicas of one
 * bridge's datapath (replica.ts), each fed every change in the order the control
 * thread applied it. threaded-bridge.ts is the bridge that uses them.
 *
 *   control thread                     worker i (i = 0..N-1)
 *   post(mod) ─────── postMessage ───▶ applied in order
 *   barrier() ─────── {barrier id} ──▶ answered after the mods before it
 *   counters() ────── {counters id} ─▶ its snapshot; summed here (counters.ts)
 *   onEvent ◀──────── packet-ins, port status (worker 0), learned MACs, errors
 *
 * Invariants
 *  - barrier() resolves only when every worker has applied everything posted before it.
 *  - counters() sums snapshots each taken after everything posted before it.
 *  - start() resolves when every replica forwards, or rejects with the first one's reason
 *    (one line) after stopping them all.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BridgeConfig } from '../config.js';
import { sumCounters, type ReplicaCounters } from './counters.js';
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from './replica.js';

/** How long a barrier or counters request waits for every worker (they answer between
 * bursts, in microseconds; only a dead or wedged thread takes this long). */
const ASK_TIMEOUT_MS = 5000;

/** `--workers auto`: one per core the process may use. */
export function autoWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A replica thread: the .js next to this file; run from source (tsx, vitest), the .ts
 * through tsx's loader, registered in the thread before the entry is imported. */
function spawnReplica(init: ReplicaInit): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./replica.js', import.meta.url), { workerData: init });
  const entry = new URL('./replica.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: init });
}

/** PACKET_FANOUT group ids are 16 bits and host-wide: start from the pid so that two
 * daemons (or a test's two bridges) do not join each other's groups. */
let nextFanoutGroup = (process.pid * 64) & 0xffff;
export const fanoutGroup = (): number => (nextFanoutGroup = (nextFanoutGroup + 1) & 0xffff);

interface WorkerStartOptions {
  /** a module each replica runs with its bridge and ports (benchmarks) */
  driver?: string;
  ringBytes?: number;
  /** events from replica `index` (packet-ins, port status, learned MACs, errors) */
  onEvent?: (index: number, m: ReplicaReply) => void;
}

export class DatapathWorkers {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { left: number; done: (r: ReplicaCounters[]) => void; got: ReplicaCounters[] }>();
  private nextId = 1;
  /** what each replica's driver resolved with */
  readonly driven: Promise<unknown>[] = [];
  /** each replica's ports' link state when it became ready: [ofport, up] */
  readonly links: [number, boolean][][] = [];
  private stopped = false;
  private stopping: Promise<void> | null = null;

  private constructor(readonly n: number) {}

  /** Starts n replicas of `config` (ports as specs with ofports); resolves when all forward. */
  static async start(n: number, config: BridgeConfig, opts: WorkerStartOptions = {}): Promise<DatapathWorkers> {
    const pool = new DatapathWorkers(n);
    const fanout: Record<string, number> = {};
    for (const pc of config.ports) fanout[pc.spec] = fanoutGroup();
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const init: ReplicaInit = {
        config: { ...config, ports: config.ports.map(({ port: _p, ...pc }) => pc) }, index: i, n, fanout,
        ...(opts.driver !== undefined ? { driver: opts.driver } : {}),
        ...(opts.ringBytes !== undefined ? { ringBytes: opts.ringBytes } : {}),
      };
      const w = spawnReplica(init);
      pool.workers.push(w);
      let driven!: (v: unknown) => void;
      pool.driven.push(new Promise((r) => { driven = r; }));
      ready.push(new Promise<void>((resolve, reject) => {
        w.on('error', (e) => {
          reject(e);
          opts.onEvent?.(i, { op: 'error', message: `worker ${i}: ${e.message}` });
        });
        w.once('exit', (code) => {
          reject(new Error(`worker ${i} exited (code ${code}) before it was ready`));
          if (!pool.stopped) opts.onEvent?.(i, { op: 'error', message: `worker ${i} exited (code ${code})` });
        });
        w.on('message', (m: ReplicaReply) => {
          switch (m.op) {
            case 'ready': pool.links[i] = m.links; resolve(); break;
            case 'failed': reject(new Error(m.message)); break;
            case 'driven': driven(m.result); break;
            case 'barrier': pool.answer(m.id, i, null); break;
            case 'counters': pool.answer(m.id, i, m.counters); break;
            default: opts.onEvent?.(i, m);
          }
        });
      }));
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.stop();
      throw e;
    }
    return pool;
  }

  /** Sends `m` to every replica (or to one). */
  post(m: ReplicaRequest, only?: number): void {
    if (only !== undefined) this.workers[only]!.postMessage(m);
    else for (const w of this.workers) w.postMessage(m);
  }

  /** Sends `m` to every replica but `except`. */
  postOthers(m: ReplicaRequest, except: number): void {
    for (let i = 0; i < this.workers.length; i++) if (i !== except) this.workers[i]!.postMessage(m);
  }

  private ask(op: 'barrier' | 'counters'): Promise<ReplicaCounters[]> {
    const id = this.nextId++;
    return new Promise((done) => {
      // a worker that died never answers: give up after ASK_TIMEOUT_MS with what came
      const t = setTimeout(() => {
        const w = this.waiting.get(id);
        this.waiting.delete(id);
        if (w !== undefined) w.done(w.got);
      }, ASK_TIMEOUT_MS);
      t.unref();
      this.waiting.set(id, { left: this.n, done: (r) => { clearTimeout(t); done(r); }, got: [] });
      this.post({ op, id });
    });
  }

  private answer(id: number, index: number, c: ReplicaCounters | null): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    if (c !== null) w.got[index] = c; // by worker, not by arrival
    if (--w.left === 0) {
      this.waiting.delete(id);
      w.done(w.got);
    }
  }

  /** Resolves once every worker has applied everything posted so far. */
  async barrier(): Promise<void> {
    await this.ask('barrier');
  }

  /** The workers' counters summed, each taken after everything posted so far; null if they
   * do not line up (cannot happen while all apply the same stream; checked, not assumed). */
  async counters(): Promise<ReplicaCounters | null> {
    const all = await this.ask('counters');
    return all.filter((c) => c !== undefined).length === this.n ? sumCounters(all) : null; // filter skips a missing worker's hole
  }

  /** Stops every thread; resolves once all have exited (the same promise on every call). */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers) w.postMessage({ op: 'stop' } satisfies ReplicaRequest);
    await Promise.all(this.workers.map((w) => new Promise<void>((r) => {
      const t = setTimeout(() => void w.terminate().then(() => r()), 2000);
      w.once('exit', () => { clearTimeout(t); r(); });
    })));
    // a barrier or counters request still waiting gets what it has (the threads are gone)
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.done(w.got);
    }
  }
}
