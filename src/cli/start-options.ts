/**
 * `sluice start` flags → the one bridge to run. Pure: no I/O apart from reading the config
 * file through `load`, so every rule here is unit tested.
 *
 * Precedence: the config file (if any) is the base; --bridge, --dpid and --fail-mode
 * override it, --port appends ports, --no-flow-cache turns the cache off, --controller and
 * --listen append OpenFlow targets to the file's. The mgmt socket punix:RUNDIR/BRIDGE.mgmt
 * is always offered (as OVS does), RUNDIR defaulting to /run/sluice.
 *
 * TLS: an ssl: controller or pssl: listener needs --ssl-key, --ssl-cert and --ssl-ca (the
 * switch authenticates the controller and vice versa, OF1.3.5 §6.3.3); the files are read
 * when the connection is made, so a missing file is reported per connection attempt.
 *
 * Invariant: every user mistake comes back as ONE Error whose message names the flag or
 * the config key and the offending value; the caller prints it on one line and exits 2.
 */
import { checkBridgeName, checkPorts, checkTarget, isFailMode, loadConfigFile, parseDpid, type BridgeSetting, type DaemonConfig } from '../control/config.js';
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
  controller?: string[];
  listen?: string[];
  rundir?: string;
  sslKey?: string;
  sslCert?: string;
  sslCa?: string;
}

export const DEFAULT_RUNDIR = '/run/sluice';

export interface StartPlan {
  bridge: BridgeSetting;
  logLevel: LogLevel;
  /** Directory of the mgmt socket BRIDGE.mgmt. */
  rundir: string;
  /** PEM files for ssl/pssl targets; set only when all three flags are given. */
  tls?: { key: string; cert: string; ca: string };
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

  const controllers = [...(base?.controllers ?? [])];
  const listen = [...(base?.listen ?? [])];
  for (const [flag, list, add, passive] of [['--controller', controllers, f.controller, false], ['--listen', listen, f.listen, true]] as const) {
    for (const t of add ?? []) {
      const e = checkTarget(t, passive);
      if (e) return new Error(`${flag}: ${e}`);
      list.push(t);
    }
  }
  if (controllers.length > 0) b.controllers = controllers;
  if (listen.length > 0) b.listen = listen;

  const plan: StartPlan = { bridge: b, logLevel, rundir: f.rundir ?? DEFAULT_RUNDIR };
  if (plan.rundir === '') return new Error('--rundir: expected a directory');
  const files = [f.sslKey, f.sslCert, f.sslCa];
  const given = files.filter((x) => x !== undefined).length;
  if (given !== 0 && given !== 3) return new Error('--ssl-key, --ssl-cert and --ssl-ca go together: give all three');
  if (f.sslKey !== undefined && f.sslCert !== undefined && f.sslCa !== undefined) plan.tls = { key: f.sslKey, cert: f.sslCert, ca: f.sslCa };
  const ssl = [...controllers, ...listen].find((t) => t.startsWith('ssl:') || t.startsWith('pssl:'));
  if (ssl !== undefined && plan.tls === undefined) return new Error(`"${ssl}" needs --ssl-key, --ssl-cert and --ssl-ca`);
  return plan;
}
