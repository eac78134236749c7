/**
 * test/tools.txt read as entries: the one list of outside tools (program or python3:MODULE)
 * and the Debian package of each. No test framework here, so scripts (bench/demo.ts) read
 * the same list as the tests (tools.ts) and the installer (install-tools.sh).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ToolEntry {
  tool: string;
  pkg: string;
  /** in Debian's essential set: listed, but tests need not declare it */
  essential: boolean;
}

const TOOLS_FILE = fileURLToPath(new URL('./tools.txt', import.meta.url));

export function readTools(text = readFileSync(TOOLS_FILE, 'utf8')): ToolEntry[] {
  const out: ToolEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [tool = '', pkg = '', flag] = line.split(/\s+/);
    out.push({ tool, pkg, essential: flag === 'essential' });
  }
  return out;
}

/** The Debian package that brings `tool`; throws for a tool not in the list. */
export function packageOf(tool: string): string {
  const e = readTools().find((t) => t.tool === tool);
  if (!e) throw new Error(`${tool} is not in test/tools.txt; add it with the Debian package that brings it`);
  return e.pkg;
}
