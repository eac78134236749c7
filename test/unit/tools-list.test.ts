/**
 * test/tools.txt cannot fall behind the tests (issue: a fresh machine must pass CI):
 *  - every program any test runs, directly or through the helpers and scripts it calls
 *    (bench/demo.ts), is in the list with its Debian package;
 *  - every test file declares with needs(...) each non-essential tool it runs, so a missing
 *    tool skips that file (and fails it in CI) instead of failing it half way;
 *  - the scanner itself finds what it should (it could otherwise pass by finding nothing).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs } from '../tools.js';
import { readTools } from '../tools-file.js';
import { declaredNeeds, programsOf, pythonImports, scriptPrograms, shellPrograms } from '../tools-scan.js';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));
const testFiles = (readdirSync(TEST_DIR, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
const tools = readTools();
const byTool = new Map(tools.map((e) => [e.tool, e]));
const isPython = (p: string) => p.startsWith('python3:');

describe('test/tools.txt', () => {
  it('has one line per tool, each with a package', () => {
    expect(tools.length).toBeGreaterThan(10);
    for (const e of tools) expect(e.pkg, e.tool).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
    expect(new Set(tools.map((e) => e.tool)).size).toBe(tools.length);
  });

  it('lists every program a test file runs', () => {
    const unlisted: string[] = [];
    for (const f of testFiles) {
      for (const p of programsOf(join(TEST_DIR, f))) if (!isPython(p) && !byTool.has(p)) unlisted.push(`${f}: ${p}`);
    }
    expect(unlisted).toEqual([]);
  });

  needs('python3').it('lists every non-standard Python module a test script imports', () => {
    const stdlib = new Set(
      spawnSync('/usr/bin/python3', ['-c', 'import sys; print("\\n".join(sys.stdlib_module_names))'], { encoding: 'utf8' })
        .stdout.split('\n'),
    );
    expect(stdlib.has('json')).toBe(true);
    const unlisted: string[] = [];
    for (const f of testFiles) {
      for (const p of programsOf(join(TEST_DIR, f))) {
        if (isPython(p) && !stdlib.has(p.slice(8)) && !byTool.has(p)) unlisted.push(`${f}: ${p}`);
      }
    }
    expect(unlisted).toEqual([]);
  });
});

describe('each test file declares what it runs', () => {
  for (const f of testFiles) {
    it(f, () => {
      const declared = declaredNeeds(join(TEST_DIR, f));
      const undeclared = [...programsOf(join(TEST_DIR, f))].filter((p) => {
        const e = byTool.get(p);
        return e !== undefined && !e.essential && !declared.has(p);
      });
      expect(undeclared, `add them to needs(...) in ${f}`).toEqual([]);
    });
  }
});

describe('the scanner', () => {
  it('reads shell lines: wrappers, pipes, interpolations, builtins', () => {
    const H = '\u0000';
    expect(shellPrograms(`ip netns exec ${H} timeout 3 tcpdump -i eth0 -nn -l icmp 2>/dev/null; true`)).toEqual(['timeout', 'tcpdump']);
    expect(shellPrograms(`ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1`)).toEqual(['ip', 'awk', 'cut']);
    expect(shellPrograms(`for n in ${H} ${H}; do ip -n $n neigh flush all; done`)).toEqual(['ip']);
    expect(shellPrograms(`ip netns exec ${H} ${H} -c 1 && X=1 /usr/sbin/ethtool -k a0`)).toEqual(['ethtool']);
    expect(shellPrograms(`timeout -s INT 5 iperf3 -s || echo no`)).toEqual(['timeout', 'iperf3']);
    expect(shellPrograms(`tshark -r f -Y '_ws.malformed || x' | wc -l`)).toEqual(['tshark', 'wc']);
  });

  it('follows helpers a test calls, and only those', () => {
    const l2 = programsOf(join(TEST_DIR, 'integration/datapath-l2.test.ts'));
    expect([...l2]).toEqual(expect.arrayContaining(['tcpdump', 'ping', 'ip', 'sysctl']));
    expect(l2.has('iperf3')).toBe(false); // ports-lab's iperf() is not called there
    expect(programsOf(join(TEST_DIR, 'integration/datapath-demo.test.ts')).has('ping')).toBe(true); // via bench/demo.ts
  });

  it('reads a shell script a test runs: its commands, not its comments or its own functions', () => {
    const script = [
      '# ovs-vsctl in a comment is no program',
      '_fail() { echo "$1" >&2; tail -n 5 "$2"; }',
      'start() {',
      '  local -x OVS_RUNDIR="$1"',
      '  ip netns exec "$ns" ovs-vswitchd --detach \\',
      '    --pidfile=x || { _fail "no vswitchd" log; return 1; }',
      '  for i in $(seq 1 5); do ovs-vsctl get x ofport && break; done # ovs-ofctl',
      '}',
      'if [ "$cmd" = start ]; then start "$@"; fi',
    ].join('\n');
    expect(scriptPrograms(script)).toEqual(['tail', 'ovs-vswitchd', 'seq', 'ovs-vsctl']);
    const ovs = programsOf(join(TEST_DIR, 'interop/overlay-ovs.test.ts')); // via ovs-netdev.sh
    expect([...ovs]).toEqual(expect.arrayContaining(['bash', 'ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-appctl', 'sysctl']));
  });

  it('reads a Python script\'s imports', () => {
    expect(pythonImports('import sys, json\nfrom os_ken.ofproto import ofproto_v1_3\n  import scapy.all as s\n')).toEqual(['sys', 'os_ken', 'scapy']);
    expect(pythonImports('"""doc\nfrom its header fields and more\n"""\n')).toEqual([]); // prose is not an import
  });
});
