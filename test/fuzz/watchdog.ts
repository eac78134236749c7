/**
 * A thread that watches the fuzz loop: an input that never returns (an endless loop in
 * synchronous code) cannot be seen from the loop itself. The main thread writes the
 * index and bytes of each input into shared memory; when the index has not moved for
 * `hangMs` (×2 for slack), the watchdog prints seed, index and hex and kills the process.
 */
import { Worker } from 'node:worker_threads';

const MAX_INPUT = 1 << 16;

const WORKER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { meta, bytes, hangMs, seed, target } = workerData;
const m = new Float64Array(meta); const b = new Uint8Array(bytes);
let last = -2, since = Date.now();
setInterval(() => {
  const beats = m[0];
  if (beats !== last) { last = beats; since = Date.now(); return; }
  if (m[2] === 1 || Date.now() - since < 2 * hangMs) return;
  const len = m[3];
  const hex = Buffer.from(b.subarray(0, len)).toString('hex');
  writeSync(2, '\\nHANG ' + target + ': input ' + m[1] + ' (seed ' + seed + ') has run for ' + (Date.now() - since) + ' ms\\n' +
    'replay: npm run fuzz -- --target ' + target + ' --seed ' + seed + ' --index ' + m[1] + '\\n' + 'hex: ' + hex + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

interface Watchdog {
  beat(index: number, input: Uint8Array): void;
  stop(): Promise<void>;
}

export function startWatchdog(target: string, seed: number, hangMs: number): Watchdog {
  const meta = new SharedArrayBuffer(8 * 4); // beats, index, stopped, input length
  const bytes = new SharedArrayBuffer(MAX_INPUT);
  const m = new Float64Array(meta);
  const b = new Uint8Array(bytes);
  const w = new Worker(WORKER, { eval: true, workerData: { meta, bytes, hangMs, seed, target } });
  w.unref();
  return {
    beat(index, input) {
      const len = Math.min(input.length, MAX_INPUT);
      b.set(input.subarray(0, len));
      m[3] = len;
      m[1] = index;
      m[0]!++;
    },
    async stop() {
      m[2] = 1;
      await w.terminate();
    },
  };
}
