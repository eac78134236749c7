/**
 * Imports point downwards (a folder is a layer, one of Sluice's habits): each folder of src/ may
 * import only the folders below it. packet/ and ports/ are the ground; the pipeline stands
 * on packet/; the datapath and the OpenFlow agent are peers on the pipeline (the agent
 * knows the Bridge through openflow/bridge-surface.ts, not by importing datapath/);
 * control/ drives them all; cli/ stands on top. A set-field that needs the OXM table reads
 * it from packet/oxm.ts, so packet/ imports nothing of the pipeline.
 *
 * Static and dynamic imports (import('...')) are both read; `import type` counts too (a
 * type import is still knowledge of the upper layer).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** What each layer may import besides itself. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  packet: [],
  ports: ['packet'],
  pipeline: ['packet'],
  datapath: ['pipeline', 'packet', 'ports'],
  openflow: ['pipeline', 'packet', 'ports'],
  control: ['datapath', 'openflow', 'pipeline', 'packet', 'ports'],
  cli: ['control', 'datapath', 'openflow', 'pipeline', 'packet', 'ports'],
};

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g;

function crossings(): string[] {
  const out: string[] = [];
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
  for (const f of files) {
    const layer = f.split('/')[0]!;
    const allowed = MAY_IMPORT[layer];
    if (allowed === undefined) {
      out.push(`${f}: folder ${layer}/ has no place in the layer list`);
      continue;
    }
    const text = readFileSync(join(SRC, f), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = relative(SRC, normalize(join(SRC, dirname(f), m[1]!)));
      const to = target.split('/')[0]!;
      if (to !== layer && !allowed.includes(to)) out.push(`${f} imports ${m[1]} (${layer}/ → ${to}/)`);
    }
  }
  return out;
}

describe('layers of src/', () => {
  it('every import points down (or stays in its folder)', () => {
    expect(crossings()).toEqual([]);
  });

  it('the import reader sees static, type and dynamic imports', () => {
    const seen = [
      "import { a } from '../pipeline/types.js';",
      "import type { B } from '../../pipeline/x.js';",
      "const { runDaemon } = await import('./daemon.js');",
    ].map((s) => [...s.matchAll(IMPORT)].map((m) => m[1]));
    expect(seen).toEqual([['../pipeline/types.js'], ['../../pipeline/x.js'], ['./daemon.js']]);
  });
});
