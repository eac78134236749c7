import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig, type DaemonConfig } from '../../src/control/config.js';
import { loadDb, saveDb } from '../../src/control/db.js';
import { lineColumn, scanJson } from '../../src/control/json-position.js';

const msg = (v: unknown): string => (v instanceof Error ? v.message : 'no error');
const fresh = (): string => mkdtempSync(join(tmpdir(), 'sb-db-'));

function sample(): DaemonConfig {
  const c = validateConfig({
    bridges: [
      { name: 'br0', dpid: '0x1a', ports: ['veth-a@ofport=3,vlan=access:10', 'tap:vm1'], controllers: ['tcp:127.0.0.1'] },
      { name: 'br1', failMode: 'secure', flowCache: false, ports: [{ spec: 'memory:m', vlanMode: 'trunk', trunks: [5] }], listen: ['ptcp:6634'] },
    ],
  });
  if (c instanceof Error) throw c;
  return c;
}

describe('saveDb / loadDb', () => {
  it('round-trips a config, creating the directory, in the documented text form', () => {
    const f = join(fresh(), 'a', 'b', 'conf.json');
    saveDb(f, sample());
    expect(loadDb(f)).toEqual(sample());
    const text = readFileSync(f, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "version": 1,\n  "bridges": [\n')).toBe(true);
    expect(JSON.parse(text).bridges[0].dpid).toBe('0x000000000000001a');
  });
  it('a save removes the temp files of writers that died mid-save (kill -9), not a live one\'s', () => {
    const d = fresh();
    const f = join(d, 'conf.json');
    const dead = spawnSync('true').pid; // exited and reaped: no such process now
    writeFileSync(`${f}.tmp-${dead}`, '{"half":');
    writeFileSync(`${f}.tmp-${process.ppid}`, '{"other":'); // a live writer's
    writeFileSync(join(d, 'other.json.tmp-1'), 'x'); // not this db's
    saveDb(f, sample());
    expect(readdirSync(d).sort()).toEqual(['conf.json', `conf.json.tmp-${process.ppid}`, 'other.json.tmp-1']);
    expect(loadDb(f)).toEqual(sample());
  });
  it('a missing file is an empty config', () => {
    expect(loadDb(join(fresh(), 'none.json'))).toEqual({ bridges: [] });
  });
  it('an empty file is an error, and the file is left alone', () => {
    const f = join(fresh(), 'c.json');
    writeFileSync(f, '  \n');
    expect(msg(loadDb(f))).toBe(`${f}: empty file`);
    expect(readFileSync(f, 'utf8')).toBe('  \n');
  });
  it('invalid JSON names the line and column', () => {
    const f = join(fresh(), 'c.json');
    const cases: [string, string][] = [
      ['{\n  "bridges": [\n    { "name": "br0" }\n  ]\n', 'line 5, column 1: '], // truncated
      ['{\n  "bridges": [\n    { "name": "br0", }\n  ]\n}\n', 'line 3, column 22: '], // trailing comma
      ['{\n  "bridges": [ }\n}', 'line 2, column 16: unexpected "}"'], // V8 gives no position here
      ['{\n  "bridges": []\n} x', 'line 3, column 3: '],
    ];
    for (const [text, where] of cases) {
      writeFileSync(f, text);
      expect(msg(loadDb(f)).startsWith(`${f} ${where}`), `${JSON.stringify(text)} → ${msg(loadDb(f))}`).toBe(true);
      expect(readFileSync(f, 'utf8')).toBe(text); // never rewritten
    }
  });
  it('a bad value names the line of its key and the key path', () => {
    const f = join(fresh(), 'c.json');
    const text = '{\n  "version": 1,\n  "bridges": [\n    {\n      "name": "br0",\n      "ports": [\n        "veth-a",\n        {\n          "spec": "veth-b",\n          "ofport": -1\n        }\n      ]\n    }\n  ]\n}\n';
    writeFileSync(f, text);
    expect(msg(loadDb(f))).toBe(`${f} line 10: bridges[0].ports[1].ofport: expected an integer 1..4294967040`);
    // a missing key is reported on the line of its object
    writeFileSync(f, '{"bridges": [\n {"name": "b", "ports": [\n  {"spec": "v", "vlanMode": "access"}]}]}');
    expect(msg(loadDb(f))).toBe(`${f} line 3: bridges[0].ports[0].tag: an access port needs a VLAN id 0..4095`);
    writeFileSync(f, '{"bridges": [{"name": "b"},\n{"name": "b"}]}');
    expect(msg(loadDb(f))).toBe(`${f} line 2: bridges[1].name: bridge b appears twice`);
    writeFileSync(f, '{\n"version": 2, "bridges": []}');
    expect(msg(loadDb(f))).toMatch(new RegExp(`^${f} line 2: version: expected 1`));
    writeFileSync(f, '[]');
    expect(msg(loadDb(f))).toBe(`${f}: expected a JSON object with "bridges"`);
  });
  it('ignores a leftover temp file and replaces the file atomically', () => {
    const dir = fresh();
    const f = join(dir, 'conf.json');
    saveDb(f, sample());
    writeFileSync(`${f}.tmp-${process.ppid}`, '{ half-writ'); // a live writer's, kept
    expect(loadDb(f)).toEqual(sample());
    const before = statSync(f).ino;
    saveDb(f, { bridges: [] });
    // rename(2) put a new inode in place; no temp file of ours is left behind
    expect(statSync(f).ino).not.toBe(before);
    expect(loadDb(f)).toEqual({ bridges: [] });
    expect(readdirSync(dir).sort()).toEqual(['conf.json', `conf.json.tmp-${process.ppid}`]);
  });
  it('reports unreadable files and failed saves with the file and errno', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'isdir'));
    expect(msg(loadDb(join(dir, 'isdir')))).toMatch(new RegExp(`^${dir}/isdir: cannot read: EISDIR`));
    writeFileSync(join(dir, 'file'), '');
    expect(() => saveDb(join(dir, 'file', 'conf.json'), sample())).toThrow(new RegExp(`^${dir}/file/conf.json: cannot save: (ENOTDIR|EEXIST)`));
  });
  it('reports permission errors (as an unprivileged user)', () => {
    if (process.getuid?.() !== 0) return; // needs root to switch to nobody; as non-root chmod alone shows it
    const dir = fresh();
    chmodSync(dir, 0o755);
    const f = join(dir, 'conf.json');
    writeFileSync(f, '{"bridges": []}');
    chmodSync(f, 0o600);
    const script = `import('${join(process.cwd(), 'src/control/db.ts')}').then((m) => {
      const r = m.loadDb(${JSON.stringify(f)}); console.log(r instanceof Error ? r.message : 'ok');
      try { m.saveDb(${JSON.stringify(f)}, { bridges: [] }); console.log('saved'); } catch (e) { console.log(e.message); }
    })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: process.cwd() });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      `${f}: cannot read: EACCES (permission denied)`,
      `${f}: cannot save: EACCES (permission denied)`,
    ]);
    expect(readFileSync(f, 'utf8')).toBe('{"bridges": []}');
  });
});

describe('scanJson', () => {
  it('maps key paths to their offsets and agrees with JSON.parse on validity', () => {
    const text = '{"a": [1, {"b": true}], "c": "x\\"y"}';
    const s = scanJson(text);
    expect(s.error).toBeNull();
    expect(s.paths.get('a')).toBe(1);
    expect(s.paths.get('a[1].b')).toBe(text.indexOf('"b"'));
    expect(s.paths.get('c')).toBe(text.indexOf('"c"'));
    for (const bad of ['{"a" 1}', '[1,]', '"\\x"', '01', '{"a":1}}', 'nul', '"a\nb"']) {
      expect(scanJson(bad).error, bad).not.toBeNull();
    }
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
