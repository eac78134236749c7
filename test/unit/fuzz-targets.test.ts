/**
 * The fuzz campaign at CI size (#13 §1): every target of test/fuzz at a small count,
 * 80,000 inputs in all, plus its regression corpus (test/fuzz/corpus/TARGET.txt: inputs
 * that once broke an invariant). The 1M runs are test/fuzz/campaign.sh; their figures are
 * in the README's "Reliability" section. A failure prints the replay command.
 */
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../fuzz/corpus.js';
import { runCampaign, type CampaignResult } from '../fuzz/runner.js';
import { makeTarget, type TargetName } from '../fuzz/targets.js';

/** Inputs per target: 80,000 in all, weighted by each target's speed (about 10 s in all
 * on a 2-core machine). */
const COUNTS: Record<TargetName, number> = { openflow: 20_000, openflow10: 10_000, openflow14: 20_000, openflow15: 20_000, frames: 20_000, 'flow-syntax': 6_000, db: 4_000 };
const SEED = 0x5eed;

function report(r: CampaignResult, target: string): string[] {
  return r.findings.map((f) => `${f.kind} at index ${f.index}: ${f.what.split('\n')[0]} — npm run fuzz -- --target ${target} --seed ${SEED} --index ${f.index} (hex ${f.hex.slice(0, 200)})`);
}

describe('fuzz campaign at CI size', () => {
  for (const [name, count] of Object.entries(COUNTS) as [TargetName, number][]) {
    it(`${name}: ${count.toLocaleString('en-US')} inputs, no crash, no hang, no broken invariant`, async () => {
      const r = await runCampaign(await makeTarget(name), { seed: SEED, count });
      expect(report(r, name)).toEqual([]);
      expect(r.inputs).toBe(count);
    }, 60_000);

    it(`${name}: the regression corpus passes`, async () => {
      const corpus = loadCorpus(name);
      expect(corpus.length).toBeGreaterThan(0);
      const r = await runCampaign(await makeTarget(name), { seed: 0, count: 0, inputs: corpus.map((c) => c.input) });
      expect(r.findings.map((f) => `${corpus[f.index]?.note ?? 'end'}: ${f.what}`)).toEqual([]);
    });
  }

  it('is deterministic for a seed, and an input is rebuilt from its index alone', async () => {
    const { Rand } = await import('../fuzz/rand.js');
    const t = await makeTarget('frames');
    const a = Array.from({ length: 50 }, (_, i) => t.generate(new Rand(7, 9000 + i), 9000 + i));
    const b = Array.from({ length: 50 }, (_, i) => t.generate(new Rand(7, 9049 - i), 9049 - i)).reverse();
    expect(b).toEqual(a);
    t.close();
  });
});
