/**
 * Runs inside each datapath worker of the threaded-bridge unit test (ThreadedBridge's
 * `driver` option): on the BroadcastChannel 'sluice-test-workers' it takes commands
 * addressed to its worker and answers on the same channel:
 *   {worker, id, cmd:'inject', spec, frames}  injects the frames into that memory port and
 *                                             forwards them (Bridge.poll)
 *   {worker, id, cmd:'rules'}                 answers with the rules in its tables
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { Bridge } from '../../src/datapath/bridge.js';
import type { MemoryPort } from '../../src/ports/memory.js';
import type { Port } from '../../src/ports/port.js';

export interface DriverCommand { worker: number; id: number; cmd: 'inject' | 'rules'; spec?: string; frames?: Uint8Array[] }
export interface DriverAnswer { worker: number; id: number; rules?: number }

export default function drive(bridge: Bridge, ports: Map<string, Port>, index: number): Promise<never> {
  const ch = new BroadcastChannel('sluice-test-workers');
  ch.unref(); // the worker exits when its bridge stops
  ch.onmessage = (ev) => {
    const m = (ev as { data: DriverCommand }).data;
    if (m.worker !== index) return;
    if (m.cmd === 'inject') {
      const port = ports.get(m.spec!) as MemoryPort;
      for (const f of m.frames!) port.inject(f);
      bridge.poll();
      ch.postMessage({ worker: index, id: m.id } satisfies DriverAnswer);
    } else {
      let rules = 0;
      for (let t = 0; t < bridge.pipeline.nTables; t++) rules += bridge.pipeline.table(t).size;
      ch.postMessage({ worker: index, id: m.id, rules } satisfies DriverAnswer);
    }
  };
  return new Promise<never>(() => undefined);
}
