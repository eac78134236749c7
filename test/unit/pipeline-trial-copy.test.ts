// Pipeline.trialCopy (bundles, OF1.4.1 §6.8.2): a private copy to try a bundle's mods on.
// The copy has the same rules (in the tables asked for), groups and meters, reference
// counts recounted; changing the copy changes nothing in the original, and a mod
// succeeds or fails on the copy as it would on the original.
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { OFPFC_DELETE, OFPFF_CHECK_OVERLAP, OFPGC_ADD, OFPGC_DELETE, OFPGT_INDIRECT, OFPMC_ADD, OFPTT_ALL } from '../../src/pipeline/types.js';
import { apply, bucket, fm, out, oxm } from './pipeline-helpers.js';

function setup(): Pipeline {
  const p = new Pipeline({ nTables: 4, maxRulesPerTable: 3, portExists: (x) => x >= 1 && x <= 4, portLive: () => true });
  p.groupMod({ command: OFPGC_ADD, type: OFPGT_INDIRECT, groupId: 7, buckets: [bucket([out(1)])] }, 0);
  p.meterMod({ command: OFPMC_ADD, flags: 1, meterId: 2, bands: [{ type: 'drop', rate: 100, burstSize: 0 }] }, 0);
  p.flowMod(fm({ priority: 5, match: [oxm('in_port', 1)], instructions: [apply({ type: 'group', groupId: 7 })] }), 0);
  p.flowMod(fm({ priority: 6, match: [oxm('in_port', 2)], instructions: [{ type: 'meter', meterId: 2 }, apply(out(3))] }), 0);
  p.flowMod(fm({ tableId: 2, priority: 1, instructions: [apply(out(4))] }), 0);
  return p;
}
const sizes = (p: Pipeline) => [0, 1, 2, 3].map((t) => p.table(t).size);

describe('Pipeline.trialCopy', () => {
  it('copies rules, groups and meters with their reference counts; the original is untouched by the copy\'s changes', () => {
    const p = setup();
    const c = p.trialCopy();
    expect(sizes(c)).toEqual([2, 0, 1, 0]);
    expect([c.group(7)?.ruleRefs, c.meter(2)?.flowCount]).toEqual([1, 1]);
    expect(isOFError(c.flowMod(fm({ command: OFPFC_DELETE, tableId: OFPTT_ALL }), 0))).toBe(false);
    expect(isOFError(c.groupMod({ command: OFPGC_DELETE, type: 0, groupId: 7, buckets: [] }, 0))).toBe(false);
    expect(sizes(c)).toEqual([0, 0, 0, 0]);
    expect(sizes(p)).toEqual([2, 0, 1, 0]);
    expect([p.group(7)?.ruleRefs, p.meter(2)?.flowCount, c.group(7)]).toEqual([1, 1, undefined]);
  });

  it('only the tables asked for; a mod fails on the copy as on the original (table full, overlap)', () => {
    const p = setup();
    const c = p.trialCopy(new Set([0]));
    expect(sizes(c)).toEqual([2, 0, 0, 0]);
    expect(isOFError(c.flowMod(fm({ priority: 9, match: [oxm('in_port', 3)] }), 0))).toBe(false);
    expect(isOFError(c.flowMod(fm({ priority: 9, match: [oxm('in_port', 4)] }), 0))).toBe(true); // 3 rules per table
    expect(isOFError(p.trialCopy().flowMod(fm({ priority: 5, flags: OFPFF_CHECK_OVERLAP, match: [oxm('in_port', 1)] }), 0))).toBe(true);
  });
});
