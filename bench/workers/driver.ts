/**
 * The load a worker replica drives in `npm run bench:workers` (scale.ts): it waits for the
 * "go" on a BroadcastChannel, then for RUN_MS injects bursts of 64-byte UDP frames into
 * its `memory:in` port and forwards them (Bridge.poll), as bench/datapath.bench.ts does in
 * one thread. Worker i uses its own slice of source ports, so with `flows` flows in total
 * each worker has flows/n of them (PACKET_FANOUT's hash would split a real port the same way).
 * Resolves with the frames it injected and the milliseconds it ran.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { Bridge } from '../../src/datapath/bridge.js';
import type { Port } from '../../src/ports/port.js';
import type { MemoryPort } from '../../src/ports/memory.js';
import { udpFrame } from '../datapath.bench.js';

const BURST = 64;

export interface DriveSettings { runMs: number; flows: number; workers: number }

export default function drive(bridge: Bridge, ports: Map<string, Port>, index: number): Promise<{ frames: number; ms: number }> {
  const inPort = ports.get('memory:in') as MemoryPort;
  const ch = new BroadcastChannel('sluice-bench-workers');
  return new Promise((resolve) => {
    ch.onmessage = (ev) => {
      const s = (ev as { data: DriveSettings }).data;
      ch.close();
      const mine = Math.max(1, Math.floor(s.flows / s.workers));
      const frames = Array.from({ length: mine }, (_, i) => {
        const flow = index * mine + i;
        return udpFrame(1024 + (flow % 60000), 5000 + (flow % 64));
      });
      let sent = 0;
      let next = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < s.runMs) {
        for (let r = 0; r < 16; r++) {
          for (let i = 0; i < BURST; i++) {
            inPort.inject(frames[next]!);
            next = next + 1 === mine ? 0 : next + 1;
          }
          bridge.poll();
          sent += BURST;
        }
        t = performance.now();
      }
      resolve({ frames: sent, ms: t - t0 });
    };
  });
}
