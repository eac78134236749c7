/**
 * What a test needs from outside, declared once per test file and checked before it runs:
 *
 *   const need = needs('root', 'native', 'ip', 'iperf3');
 *   need.describe('TAP ports', () => { ... });        // or need.it(...), need.ready
 *
 * A need is 'root', 'native' (the built addon), or a tool of test/tools.txt (a program on
 * PATH, or python3:MODULE importable by Debian's /usr/bin/python3).
 *
 * Invariants
 *  - Outside CI, a test whose needs are not met is skipped, never failed: its title says
 *    what is missing and how to get it ("skipped: needs tcpdump (apt-get install tcpdump)"),
 *    and the same line is printed once on stderr.
 *  - In CI (CI=true) nothing is skipped for a missing need: the suite registers one failing
 *    test naming it instead, so a package missing from .ci/run cannot hide as a skip.
 *  - The list of tools and their packages is test/tools.txt alone; a need that is not in
 *    it throws at collection time (a typo is not a skip).
 */
import { describe, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { nativeAvailable } from '../src/ports/native.js';
import { readTools, type ToolEntry } from './tools-file.js';

const SYSTEM_PYTHON = '/usr/bin/python3';
const PATH = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
const have = new Map<string, boolean>();
let table: Map<string, ToolEntry> | undefined;

function entry(tool: string): ToolEntry {
  table ??= new Map(readTools().map((e) => [e.tool, e]));
  const e = table.get(tool);
  if (!e) throw new Error(`needs('${tool}'): not in test/tools.txt; add it with the Debian package that brings it`);
  return e;
}

function present(tool: string): boolean {
  let ok = have.get(tool);
  if (ok !== undefined) return ok;
  if (tool === 'root') ok = process.getuid?.() === 0;
  else if (tool === 'native') ok = nativeAvailable();
  else if (tool.startsWith('python3:')) {
    ok = spawnSync(SYSTEM_PYTHON, ['-c', `import ${tool.slice('python3:'.length)}`], { stdio: 'ignore' }).status === 0;
  } else {
    ok = spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore', env: { ...process.env, PATH } }).status === 0;
  }
  have.set(tool, ok);
  return ok;
}

/** How to get what is missing, e.g. "tcpdump (apt-get install tcpdump)". */
function remedy(need: string): string {
  if (need === 'root') return 'root (network namespaces, raw sockets)';
  if (need === 'native') return 'the native addon (npm install builds it)';
  return `${need} (apt-get install ${entry(need).pkg})`;
}

const strictCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';
const warned = new Set<string>();

interface Needs {
  /** every need is met */
  readonly ready: boolean;
  /** "needs a, b" for the unmet ones ('' when ready) */
  readonly why: string;
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => unknown, timeout?: number): void;
}

export function needs(...list: string[]): Needs {
  for (const n of list) if (n !== 'root' && n !== 'native') entry(n); // typos throw here
  const missing = list.filter((n) => !present(n));
  const why = missing.length === 0 ? '' : `needs ${missing.map(remedy).join(', ')}`;
  const ready = missing.length === 0;
  const failInCI = (name: string) => () => {
    throw new Error(`CI=true: ${name} cannot be skipped: it ${why}. Add the package to test/tools.txt (installed by .ci/run).`);
  };
  const announce = () => {
    if (!warned.has(why)) process.stderr.write(`skipped: ${why}\n`);
    warned.add(why);
  };
  return {
    ready,
    why,
    describe(name, fn) {
      if (ready) describe(name, fn);
      else if (strictCI()) describe(name, () => it(`requirements (${why})`, failInCI(name)));
      else {
        announce();
        describe.skip(`${name} — skipped: ${why}`, fn);
      }
    },
    it(name, fn, timeout) {
      if (ready) it(name, fn, timeout);
      else if (strictCI()) it(`${name} — requirements (${why})`, failInCI(name));
      else {
        announce();
        it.skip(`${name} — skipped: ${why}`, fn, timeout);
      }
    },
  };
}
