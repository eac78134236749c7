/**
 * A table-miss flood toward the controller, the short run of test/reliability/pin-flood.ts
 * (`npm run pin-flood` prints the figures, with TCP between two other ports measured
 * without, with and with a rule-dropped flood): the packet-in rate limit holds, the
 * controller's echoes are answered within 1 s, and the daemon's memory does not grow with
 * the flood. Throughput shares are measurements, printed by the tool, not asserted here.
 */
import { expect } from 'vitest';
import { describePinFlood, runPinFlood } from '../reliability/pin-flood.js';
import { needs } from '../tools.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ping', 'iperf3', 'timeout', 'python3');

need.describe('packet-in flood', () => {
  need.it('50,000 table misses a second: the limit holds, the controller is answered, memory stays', async () => {
    const r = await runPinFlood({ rate: 50_000, seconds: 3 });
    const text = describePinFlood(r);
    expect(r.offeredPerS, text).toBeGreaterThan(10_000);
    // 1000/s and a burst of 100, over a window of several seconds
    expect(r.packetInsPerS, text).toBeLessThan(1100);
    expect(r.packetInsPerS, text).toBeGreaterThan(500);
    expect(r.echoMaxMs, text).toBeLessThan(1000);
    expect(r.rssAfter - r.rssBefore, text).toBeLessThan(40);
    expect(r.tcpDuring, text).toBeGreaterThan(0);
  }, 120_000);
});
