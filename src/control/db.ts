/**
 * The persistent configuration (OVS's conf.db, in JSON): bridges, ports and controllers that
 * `sluice add-br` / `add-port` / `set-controller` changed, reloaded by `sluice start`.
 *
 *   { "version": 1, "bridges": [ ...the config-file shape (config.ts)... ] }
 *
 * Invariants
 *  - loadDb never throws and never writes: a missing file is an empty config; anything else
 *    that is wrong (unreadable, empty, invalid JSON, a bad value) is one Error naming the
 *    file and, where it can be found, the line (and column for syntax errors). A corrupt db
 *    is left exactly as it is for the operator to inspect.
 *  - saveDb replaces the file atomically: the new text goes to FILE.tmp-PID, is fsync'd and
 *    renamed over FILE, then the directory is fsync'd, so after a crash FILE holds either
 *    the old or the new config, never a mix. Leftover .tmp files are never read; the
 *    daemon's start and every save remove those whose writer is gone (a `kill -9` between
 *    open and rename), and leave a live process's own.
 *  - validateConfig(json) is the only checker: what loadDb accepts, `--config` accepts.
 */
import { SluiceError } from '../ports/errors.js';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { configToJson, validateConfig, type DaemonConfig } from './config.js';
import { lineColumn, scanJson } from './json-position.js';
import { oneLine } from './quote.js';

export const DEFAULT_DB = '/var/lib/sluice/conf.json';
/** The db format written today; load accepts it or no version at all. */
const DB_VERSION = 1;

const errnoOf = (e: unknown): string => {
  const x = e as NodeJS.ErrnoException;
  return x.code ? `${x.code} (${x.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')})` : String(x.message ?? e);
};

/** A db version as the error shows it: JSON, at most 40 characters. */
function versionText(v: unknown): string {
  const j = JSON.stringify(v) ?? String(v);
  return j.length > 40 ? `${j.slice(0, 40)}…` : j;
}

/** The JSON syntax error of `text` as "line L, column C: reason". */
function syntaxError(text: string, parseMsg: string): string {
  const scan = scanJson(text);
  const pos = /at position (\d+)/.exec(parseMsg);
  const offset = pos ? Number(pos[1]) : scan.error?.offset ?? text.length;
  // JSON.parse's reason when it has a clear one, the scanner's otherwise
  let reason = parseMsg.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
  if (!pos && scan.error) reason = scan.error.reason;
  reason = reason.charAt(0).toLowerCase() + reason.slice(1);
  const { line, column } = lineColumn(text, offset);
  return `line ${line}, column ${column}: ${reason}`;
}

/** Where the key path at the start of a validateConfig message is: its line, or null. */
function lineOfPath(text: string, message: string): number | null {
  const m = /^([A-Za-z_$][\w$]*(?:\[\d+\]|\.[A-Za-z_$][\w$]*)*): /.exec(message);
  if (!m) return null;
  const paths = scanJson(text).paths;
  // a missing key (an access port without "tag") is reported on its object's line
  for (let p = m[1]!; p !== ''; p = p.replace(/(\[\d+\]|\.[^.[]+|^[^.[]+)$/, '')) {
    const at = paths.get(p);
    if (at !== undefined) return lineColumn(text, at).line;
  }
  return null;
}

export function loadDb(file: string): DaemonConfig | SluiceError {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { bridges: [] };
    return new SluiceError('bad_config', `${file}: cannot read: ${errnoOf(e)}`);
  }
  if (text.trim() === '') return new SluiceError('bad_config', `${file}: empty file`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return new SluiceError('bad_config', `${file} ${syntaxError(text, (e as Error).message)}`);
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'version' in json) {
    const { version, ...rest } = json as Record<string, unknown>;
    if (version !== DB_VERSION) {
      const line = lineOfPath(text, 'version: ');
      return new SluiceError('bad_config', `${file}${line === null ? '' : ` line ${line}`}: version: expected ${DB_VERSION}, this sluice cannot read version ${versionText(version)}`);
    }
    json = rest;
  }
  const c = validateConfig(json);
  if (!(c instanceof Error)) return c;
  const line = lineOfPath(text, c.message);
  return new SluiceError('bad_config', `${file}${line === null ? '' : ` line ${line}`}: ${oneLine(c.message)}`);
}

/** Removes FILE.tmp-PID files whose process no longer exists (the daemon at start, and
 * every save). A missing directory has none. */
export function removeStaleTemps(file: string): void {
  const prefix = `${basename(file)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    rmSync(join(dirname(file), name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, someone else's
  }
}

/** Writes `cfg` atomically (see the invariants); throws an Error naming the file on failure. */
export function saveDb(file: string, cfg: DaemonConfig): void {
  const text = JSON.stringify({ version: DB_VERSION, ...configToJson(cfg) }, null, 2) + '\n';
  const dir = dirname(file);
  const tmp = `${file}.tmp-${process.pid}`;
  let fd: number | null = null;
  try {
    mkdirSync(dir, { recursive: true });
    removeStaleTemps(file);
    fd = openSync(tmp, 'w', 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try { rmSync(tmp, { force: true }); } catch { /* nothing was created */ }
    throw new Error(`${file}: cannot save: ${errnoOf(e)}`);
  }
  // the rename is durable once the directory is on disk; not every filesystem allows this
  try {
    const d = openSync(dir, 'r');
    try { fsyncSync(d); } finally { closeSync(d); }
  } catch { /* best effort */ }
}
