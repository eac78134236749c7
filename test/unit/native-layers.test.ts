/**
 * The native addon's files depend on each other one way (native/README.md): each module
 * X.c has its own X.h declaring only what it exports, and a file that calls into another
 * includes that one's header, so the includes between modules are its dependencies. They
 * must form no circle (tx.c ↔ offload.c and handle/link/poll/rx/tap did, when one shared
 * header declared everything). A call without its include does not slip past: the
 * compiler reports the implicit declaration (an error since GCC 14, a warning before,
 * and the build has none).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NATIVE = fileURLToPath(new URL('../../native/src', import.meta.url));

const INCLUDE = /^#include "([^"]+)\.h"/gm;

/** Module (basename) -> the other modules its .c and .h include. */
function includeGraph(files: ReadonlyMap<string, string>): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const [name, text] of files) {
    const mod = name.replace(/\.[ch]$/, '');
    const to = g.get(mod) ?? new Set<string>();
    g.set(mod, to);
    for (const m of text.matchAll(INCLUDE)) if (m[1] !== mod) to.add(m[1]!);
  }
  return g;
}

/** Each circle once, as a path that returns to its start. */
function circles(g: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const out: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    path.push(n);
    for (const m of [...(g.get(n) ?? [])].sort()) {
      if (state.get(m) === 'open') out.push([...path.slice(path.indexOf(m)), m].join(' → '));
      else if (!state.has(m)) visit(m);
    }
    path.pop();
    state.set(n, 'done');
  };
  for (const n of [...g.keys()].sort()) if (!state.has(n)) visit(n);
  return out;
}

function nativeFiles(): Map<string, string> {
  const names = readdirSync(NATIVE).filter((f) => /\.[ch]$/.test(f));
  return new Map(names.map((f) => [f, readFileSync(join(NATIVE, f), 'utf8')]));
}

describe('native/src dependencies', () => {
  it('form no circle', () => {
    expect(circles(includeGraph(nativeFiles()))).toEqual([]);
  });

  it('every module has its own header, and there is no shared one', () => {
    const names = new Set(nativeFiles().keys());
    const sources = [...names].filter((f) => f.endsWith('.c') && f !== 'addon.c');
    expect(sources.filter((c) => !names.has(c.replace(/\.c$/, '.h')))).toEqual([]);
    expect(names.has('common.h')).toBe(false);
  });

  it('the reader finds a circle', () => {
    const files = new Map([
      ['tx.c', '#include "tx.h"\n#include "offload.h"\n'],
      ['offload.c', '#include "offload.h"\n#include "handle.h"\n'],
      ['offload.h', '#include "tx.h"\n'],
      ['handle.h', ''],
    ]);
    expect(circles(includeGraph(files))).toEqual(['offload → tx → offload']);
  });
});
