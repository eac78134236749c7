// The churn tool's short run (test/reliability/churn.ts; `npm run churn` runs 1,000
// cycles): every disconnect kind in secure and standalone mode, flows kept or NORMAL as
// the mode says, no leaked handles; then master changes among three controllers.
import { describe, expect, it } from 'vitest';
import { KINDS, describeChurn, runChurn, runRoles } from '../reliability/churn.js';

describe('controller churn (short)', () => {
  for (const mode of ['secure', 'standalone'] as const) {
    it(`${mode}: 50 cycles of 200 flows, every disconnect kind`, async () => {
      const c = await runChurn({ cycles: 50, flows: 200, mode });
      expect(c.failures, describeChurn(c)).toEqual([]);
      for (const k of KINDS) expect(c.byKind[k]).toBe(10);
      // sockets and timers of gone connections are released
      expect(c.last.handles).toBeLessThanOrEqual(c.first.handles + 1);
    }, 60_000);
  }

  it('roles: 30 master changes, stale requests refused, slaves get no packet-ins and no writes', async () => {
    const r = await runRoles(30);
    expect(r.failures).toEqual([]);
  }, 60_000);
});
