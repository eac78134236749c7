// bench:ab's report (bench/ab/report.ts): figures read off bench:pipeline's lines, medians
// with their spread per tree, ratios only where both trees have the figure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { abReport, pipelineFigures, summary } from '../../bench/ab/report.js';

describe('bench:ab report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ab-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads one figure per bench:pipeline line, skipping lines without one', () => {
    expect(pipelineFigures([
      'parse               mix of 4 frame kinds: 12,345,678 frames/s (eth 1, ipv4 2)',
      'classifier lookup  100,000 rules / 20 masks: 2,500,000.5 lookups/s (hits 90%)',
      '(bench took 40 s; node v20.1.0, gc exposed)',
    ].join('\n'))).toEqual([
      ['parse mix of 4 frame kinds (frames/s)', 12345678],
      ['classifier lookup 100,000 rules / 20 masks (lookups/s)', 2500000.5],
    ]);
  });

  it('gives the median and the range, or nothing for no values', () => {
    expect(summary([3, 1, 2])).toEqual({ med: 2, text: '2 (1–3)' });
    expect(summary([4, 1, 2, 3])?.med).toBe(2.5);
    expect(summary([])).toBeUndefined();
  });

  it('tabulates both trees over the rounds, and OVS from bench:e2e', () => {
    for (const r of [1, 2, 3]) {
      writeFileSync(join(dir, `pipeline-head-${r}.txt`), `decide 3 tables: ${100 + r} decisions/s\n`);
      writeFileSync(join(dir, `pipeline-base-${r}.txt`), `decide 3 tables: ${50 + r} decisions/s\n`);
      writeFileSync(join(dir, `e2e-${r}.tsv`), `sluice\tkpps_1\t${200 + r}\nbase\tkpps_1\tfail\novs\tkpps_1\t${100 * r}\n`);
    }
    const t = abReport(dir, 3, 'h1', 'b1');
    expect(t).toContain('| pipeline: decide 3 tables (decisions/s) | 102 (101–103) | 52 (51–53) | 1.96x |  |');
    // a failed base figure is not a zero: no median, no ratio
    expect(t).toContain('| e2e: kpps_1 | 202 (201–203) | - | - | 200 (100–300) |');
  });
});
