/**
 * `sluice start` flags → the one bridge to run. Pure: no I/O apart from reading the config
 * file through `load`, so every rule here is unit tested.
 *
 * Precedence: the config file (if any) is the base; --bridge, --dpid and --fail-mode
 * override it, --port appends ports, --no-flow-cache turns the cache off.
 *
 * Invariant: every user mistake comes back as ONE Error whose message names the flag or
 * the config key and the offending value; the caller prints it on one line and exits 2.
 */
import { checkBridgeName, checkPorts, isFailMode, loadConfigFile, parseDpid, type BridgeSetting, type DaemonConfig } from '../control/config.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../control/log.js';
import { parsePortOption } from '../control/port-option.js';

export interface StartFlags {
  bridge?: string;
  dpid?: string;
  port?: string[];
  failMode?: string;
  config?: string;
  logLevel?: string;
  flowCache?: boolean;
}

export interface StartPlan {
  bridge: BridgeSetting;
  logLevel: LogLevel;
}

export function planStart(f: StartFlags, load: (file: string) => DaemonConfig | Error = loadConfigFile): StartPlan | Error {
  const logLevel = f.logLevel ?? 'info';
  if (!isLogLevel(logLevel)) return new Error(`--log-level "${logLevel}": expected one of ${LOG_LEVELS.join(', ')}`);

  let base: BridgeSetting | undefined;
  if (f.config !== undefined) {
    const c = load(f.config);
    if (c instanceof Error) return c;
    base = c.bridges[0];
  }
  const name = f.bridge ?? base?.name;
  if (name === undefined) return new Error('missing --bridge NAME (or --config FILE naming a bridge)');
  const nameErr = checkBridgeName(name);
  if (nameErr) return new Error(`--bridge: ${nameErr}`);

  const b: BridgeSetting = { name, failMode: base?.failMode ?? 'standalone', ports: [...(base?.ports ?? [])] };
  if (base?.dpid !== undefined) b.dpid = base.dpid;
  if (base?.flowCache !== undefined) b.flowCache = base.flowCache;
  if (f.dpid !== undefined) {
    const d = parseDpid(f.dpid);
    if (d === undefined) return new Error(`--dpid "${f.dpid}": expected up to 16 hex digits (0x1a or 00:00:00:00:00:00:00:1a)`);
    b.dpid = d;
  }
  if (f.failMode !== undefined) {
    if (!isFailMode(f.failMode)) return new Error(`--fail-mode "${f.failMode}": expected standalone or secure`);
    b.failMode = f.failMode;
  }
  for (const text of f.port ?? []) {
    const p = parsePortOption(text);
    if (p instanceof Error) return new Error(`--port: ${p.message}`);
    b.ports.push(p);
  }
  const dup = checkPorts(b.ports);
  if (dup) return new Error(`--port: ${dup}`);
  if (f.flowCache === false) b.flowCache = false;
  return { bridge: b, logLevel };
}
