/**
 * The soak's short run (test/reliability/soak.ts; `npm run soak -- --minutes 10` is the
 * full one): one minute of the real daemon between two namespaces with 10k flows, traffic
 * at 80 % of the measured forwarding rate and 1,000 flow-mods/s of churn. Zero crashes,
 * every counter balances, the churn is applied without an error. RSS: one minute is a
 * few V8 GC cycles, so the slope is only held to a loose bound here (a leak of 0.5 MiB/s
 * would still fail); the 10-minute run holds it to 2 MiB/min.
 */
import { expect } from 'vitest';
import { describeSoak, runSoak, SOAK_DEFAULTS } from '../reliability/soak.js';
import { needs } from '../tools.js';

const need = needs('root', 'native', 'ip', 'sysctl', 'ovs-ofctl', 'python3');

need.describe('soak (1 minute)', () => {
  need.it('zero crashes, counters balance, churn applied, RSS bounded', async () => {
    const r = await runSoak({ ...SOAK_DEFAULTS, minutes: 1, sampleSec: 2, maxSlope: 30 });
    const text = describeSoak(r);
    process.stderr.write(text + '\n');
    expect(r.failures, text).toEqual([]);
    expect(r.alive).toBe(true);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.churn.perSecond).toBeGreaterThan(900);
    expect(r.churn.applied).toBeGreaterThanOrEqual(r.churn.sent);
  }, 150_000);
});
