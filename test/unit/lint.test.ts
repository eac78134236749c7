/**
 * The lint, as a test so that CI (test/run-suite.sh) fails on a finding: `npm run lint`, that
 * is ESLint with test/lint/eslint.config.js over src, bench and test (type imports, floating
 * promises, unused exports, unneeded assertions). It takes about 40 s on 2 cores, most of it
 * building the TypeScript program. The findings are the failure message; `npm run lint -- --fix`
 * fixes most of them.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ESLINT = join(ROOT, 'node_modules/eslint/bin/eslint.js'); // its package exports no bin path

describe('lint', () => {
  it('ESLint finds nothing in src, bench and test', async () => {
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, [ESLINT, '-c', 'test/lint/eslint.config.js', 'src', 'bench', 'test'],
        { cwd: ROOT, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => resolve(err ? `${stdout}${stderr}` || String(err) : ''));
    });
    expect(out).toBe('');
  }, 180_000);
});
