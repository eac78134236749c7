/**
 * ThreadedBridge (`--workers N`, src/datapath/workers/threaded-bridge.ts) with memory ports: two real
 * worker threads, each a replica that a driver (workers-driver.ts) feeds frames, and the
 * control thread read as the agent reads it (after settle()). Checked:
 *   - mods made before start reach the workers; flows, tables and ports count the sum over
 *     workers, exactly, and per-worker frames stay apart;
 *   - group counters add up; a meter is split over the workers (together they pass what one
 *     meter of the configured rate would);
 *   - an idle timeout sees the last use on any worker, expires on the control thread and is
 *     deleted on every worker;
 *   - a packet-out runs on worker 0, a port added at run time forwards on the workers,
 *     changes made atomically() reach every worker, packet-ins come from every worker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { ThreadedBridge } from '../../src/datapath/workers/threaded-bridge.js';
import { oxmFieldByName } from '../../src/packet/oxm.js';
import {
  OFPGC_ADD, OFPGT_ALL, OFPMC_ADD, OFPMF_BURST, OFPMF_PKTPS, OFPP_CONTROLLER, flowMod, type Instruction, type OxmField,
} from '../../src/pipeline/types.js';
import type { BridgePacketIn } from '../../src/pipeline/types.js';
import { ipFrame } from './datapath-helpers.js';
import type { DriverAnswer, DriverCommand } from './workers-driver.js';

const DRIVER = fileURLToPath(new URL('./workers-driver.ts', import.meta.url));

function inPort(n: number): OxmField {
  const info = oxmFieldByName('in_port')!;
  return { field: info.id, value: Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff) };
}
const output = (port: number): Instruction => ({ type: 'apply_actions', actions: [{ type: 'output', port, maxLen: 0xffff }] });

let bridges: ThreadedBridge[] = [];
let ch: BroadcastChannel | null = null;
let nextId = 1;

afterEach(async () => {
  ch?.close();
  ch = null;
  await Promise.all(bridges.map((b) => b.stopped()));
  bridges = [];
});

async function threaded(ports: string[]): Promise<ThreadedBridge> {
  const b = new ThreadedBridge({
    name: 'wk', failMode: 'secure', localPort: false, warmUp: false, workers: 2,
    ports: ports.map((spec, i) => ({ spec, ofport: i + 1 })),
  }, { driver: DRIVER });
  bridges.push(b);
  return b;
}

/** Asks worker `worker`'s driver to do `cmd`; resolves with its answer. */
function ask(worker: number, cmd: Omit<DriverCommand, 'worker' | 'id'>): Promise<DriverAnswer> {
  ch ??= new BroadcastChannel('sluice-test-workers');
  const id = nextId++;
  return new Promise((resolve) => {
    const on = (ev: unknown) => {
      const a = (ev as { data: DriverAnswer }).data;
      if (a.id !== id) return;
      ch!.removeEventListener('message', on);
      resolve(a);
    };
    ch!.addEventListener('message', on);
    ch!.postMessage({ worker, id, ...cmd } satisfies DriverCommand);
  });
}

const frames = (n: number, sport = 1000) => Array.from({ length: n }, (_, i) => ipFrame({ sport: sport + i }));
const inject = (worker: number, spec: string, fs: Uint8Array[]) => ask(worker, { cmd: 'inject', spec, frames: fs });
/** Frames sent on port n: a memory port without a peer (each worker's own) counts what it
 * sends as dropped (tx_dropped), so sent = tx + tx_dropped. */
const sent = (b: ThreadedBridge, n: number) => b.port(n)!.stats.txPackets + b.port(n)!.stats.txDropped;

describe('ThreadedBridge: two worker threads', () => {
  it('applies mods made before start, and counts the sum over workers exactly', async () => {
    const b = await threaded(['memory:a', 'memory:b']);
    b.flowMod(flowMod({ priority: 10, match: [inPort(1)], instructions: [output(2)] }));
    b.start();
    await b.ready();
    await b.settle(); // as a controller's barrier: the mods are on every worker
    await inject(0, 'memory:a', frames(7));
    await inject(1, 'memory:a', frames(5, 2000));
    await b.settle();
    const [rule] = [...b.pipeline.table(0).rules()];
    expect(rule!.packetCount).toBe(12);
    expect(rule!.byteCount).toBe(12 * ipFrame().length);
    expect(b.pipeline.tableCounters(0)).toEqual({ lookupCount: 12, matchedCount: 12 });
    expect(b.port(1)!.stats.rxPackets).toBe(12);
    expect(sent(b, 2)).toBe(12);
    expect(b.workerFrames()).toEqual([7, 5]);
    expect(b.cacheStats().hits + b.cacheStats().misses).toBe(12);
  }, 30_000);

  it('adds up group counters and splits a meter over the workers', async () => {
    const b = await threaded(['memory:a', 'memory:b', 'memory:c']);
    b.start();
    await b.ready();
    expect(b.groupMod({ command: OFPGC_ADD, type: OFPGT_ALL, groupId: 1, buckets: [{ weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'output', port: 2, maxLen: 0 }] }] })).toEqual({ removed: [] });
    // 10 packets/s with a burst of 20: one meter passes 20 of a sudden 40
    expect(b.meterMod({ command: OFPMC_ADD, meterId: 1, flags: OFPMF_PKTPS | OFPMF_BURST, bands: [{ type: 'drop', rate: 10, burstSize: 20 }] })).toEqual({ removed: [] });
    b.flowMod(flowMod({ priority: 10, match: [inPort(1)], instructions: [{ type: 'meter', meterId: 1 }, output(2)] }));
    b.flowMod(flowMod({ priority: 10, match: [inPort(3)], instructions: [{ type: 'apply_actions', actions: [{ type: 'group', groupId: 1 }] }] }));
    await b.settle();
    await Promise.all([inject(0, 'memory:c', frames(3)), inject(1, 'memory:c', frames(4, 4000))]);
    await b.settle();
    const g = b.pipeline.group(1)!;
    expect(g.packetCount).toBe(7);
    expect(g.buckets[0]!.packetCount).toBe(7);
    expect(sent(b, 2)).toBe(7);
    await Promise.all([inject(0, 'memory:a', frames(20)), inject(1, 'memory:a', frames(20, 3000))]);
    await b.settle();
    const passed = sent(b, 2) - 7;
    // split 1/2 per worker: 10 + 10 (a token or two may refill meanwhile); unsplit it would be 40
    expect(passed).toBeGreaterThanOrEqual(20);
    expect(passed).toBeLessThanOrEqual(24);
    const m = b.pipeline.meter(1)!;
    expect(m.packetInCount).toBe(40);
    expect(m.bands[0]!.packetCount).toBe(40 - passed);
  }, 30_000);

  it('expires an idle rule from its last use on any worker, everywhere', async () => {
    const b = await threaded(['memory:a', 'memory:b']);
    b.start();
    await b.ready();
    const removed: number[] = [];
    b.on('flow-removed', () => removed.push(Date.now()));
    b.flowMod(flowMod({ priority: 10, match: [inPort(1)], idleTimeout: 2, flags: 1 /* OFPFF_SEND_FLOW_REM */, instructions: [output(2)] }));
    await b.settle();
    // used on worker 1 only, every 0.5 s for 3 s: longer than the timeout, never idle for it
    for (let i = 0; i < 6; i++) {
      await inject(1, 'memory:a', frames(1));
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(b.pipeline.table(0).size).toBe(1);
    expect(removed).toHaveLength(0);
    const stoppedAt = Date.now();
    const deadline = stoppedAt + 6000;
    while (b.pipeline.table(0).size !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(b.pipeline.table(0).size).toBe(0);
    expect(removed[0]! - stoppedAt).toBeGreaterThanOrEqual(1000); // not before its idle time
    await b.settle();
    expect((await ask(0, { cmd: 'rules' })).rules).toBe(0);
    expect((await ask(1, { cmd: 'rules' })).rules).toBe(0);
  }, 30_000);

  it('runs packet-outs on worker 0, forwards on a port added at run time, sends packet-ins from every worker', async () => {
    const b = await threaded(['memory:a', 'memory:b']);
    const pins: BridgePacketIn[] = [];
    b.on('packet-in', (pi: BridgePacketIn) => pins.push(pi));
    b.start();
    await b.ready();
    expect(b.packetOut(OFPP_CONTROLLER, [{ type: 'output', port: 2, maxLen: 0 }], ipFrame())).toBeNull();
    const added = b.addPort({ spec: 'memory:c', ofport: 3 });
    expect(added).toMatchObject({ ofport: 3, kind: 'memory' });
    // as a bundle commits: both rules reach each worker in one message
    b.atomically(() => {
      b.flowMod(flowMod({ priority: 10, match: [inPort(3)], instructions: [output(2)] }));
      b.flowMod(flowMod({ priority: 10, match: [inPort(1)], instructions: [output(OFPP_CONTROLLER)] }));
    });
    await b.settle();
    expect((await ask(0, { cmd: 'rules' })).rules).toBe(2);
    expect((await ask(1, { cmd: 'rules' })).rules).toBe(2);
    expect(sent(b, 2)).toBe(1);
    await inject(1, 'memory:c', frames(4));
    await inject(0, 'memory:a', frames(2));
    await inject(1, 'memory:a', frames(3, 5000));
    await b.settle();
    expect(b.port(3)!.stats.rxPackets).toBe(4);
    expect(sent(b, 2)).toBe(5);
    const deadline = Date.now() + 5000;
    while (pins.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pins.map((p) => p.inPort)).toEqual([1, 1, 1, 1, 1]);
    expect(new Set(pins.map((p) => p.data.length))).toEqual(new Set([ipFrame().length]));
  }, 30_000);
});
