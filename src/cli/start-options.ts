/**
 * `sluice start` flags → what the daemon runs. Pure: no I/O apart from reading the config
 * file through `load`, so every rule here is unit tested.
 *
 * Two ways to say which bridges to run:
 *  - the persistent db (`--db FILE`, default /var/lib/sluice/conf.json): every change made
 *    through the control socket (add-br, add-port, ...) is saved there; used alone when
 *    neither --bridge nor --config is given;
 *  - flag bridges: --config FILE (any number of bridges) and/or --bridge NAME with the
 *    per-bridge flags. Without --db nothing is persisted (as before the db existed); with
 *    --db the flag bridges are added to the db's (replacing one of the same name).
 *
 * Precedence for the flag bridge: the config file is the base; --bridge selects the
 * config's bridge of that name (or renames the config's only bridge, or adds a new one);
 * --dpid, --fail-mode and the limits (--flow-limit, --mac-table-size, --mac-aging-time, as
 * OVS's other_config keys) override, --port appends ports, --no-flow-cache turns the cache
 * off, --controller and --listen append OpenFlow targets, --protocols (OVS's `protocols`
 * column: OpenFlow10,OpenFlow13,OpenFlow14,OpenFlow15, all by default) sets the versions the bridge offers. The mgmt socket
 * punix:RUNDIR/BRIDGE.mgmt is always offered (as OVS does), RUNDIR defaulting to /run/sluice.
 *
 * TLS: an ssl: controller or pssl: listener needs --ssl-key, --ssl-cert and --ssl-ca (the
 * switch authenticates the controller and vice versa, OF1.3.5 §6.3.3); the files are read
 * when the connection is made, so a missing file is reported per connection attempt.
 *
 * Invariant: every user mistake comes back as ONE SluiceError whose message names the flag or
 * the config key and the offending value; the caller prints it on one line and exits 2.
 */
import { SluiceError } from '../ports/errors.js';
import { checkBridgeName, checkPorts, checkTarget, isFailMode, LIMIT_KEYS, LIMITS, limitExpected, loadConfigFile, parseDpid, parseLimit, type BridgeSetting, type DaemonConfig } from '../control/config.js';
import { DEFAULT_DB } from '../control/db.js';
import { DEFAULT_RUNDIR } from '../openflow/service.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../control/log.js';
import { parsePortOption } from '../control/port-option.js';
import { parseProtocols } from '../openflow/codec.js';
import { parseRingSize, RING_SIZE_EXPECTED } from '../ports/afpacket.js';

export interface StartFlags {
  bridge?: string;
  dpid?: string;
  port?: string[];
  failMode?: string;
  config?: string;
  db?: string;
  metrics?: string;
  logLevel?: string;
  flowCache?: boolean;
  controller?: string[];
  listen?: string[];
  rundir?: string;
  sslKey?: string;
  sslCert?: string;
  sslCa?: string;
  flowLimit?: string;
  macTableSize?: string;
  macAgingTime?: string;
  busyPoll?: string;
  workers?: string;
  protocols?: string;
  ringSize?: string;
  flowCacheEntries?: string;
}

export interface StartPlan {
  /** Bridges named by --config / --bridge (empty in db-only mode). */
  bridges: BridgeSetting[];
  /** The persistent config file, or null: nothing is persisted. */
  db: string | null;
  /** HOST:PORT of the Prometheus endpoint, when --metrics is given. */
  metrics?: string;
  /** --ring-size: the receive ring of AF_PACKET ports without ring= (default 64 MiB). */
  ringBytes?: number;
  /** --flow-cache-entries: each bridge's exact-match cache (default 65,536). */
  cacheEntries?: number;
  logLevel: LogLevel;
  /** Directory of the control socket sluice.ctl and the mgmt sockets BRIDGE.mgmt. */
  rundir: string;
  /** PEM files for ssl/pssl targets; set only when all three flags are given. */
  tls?: { key: string; cert: string; ca: string };
}

/** The flags that shape one bridge: they need --bridge (or a config naming one bridge). */
const PER_BRIDGE: ReadonlyArray<[keyof StartFlags, string]> = [
  ['dpid', '--dpid'], ['port', '--port'], ['failMode', '--fail-mode'], ['controller', '--controller'], ['listen', '--listen'], ['protocols', '--protocols'],
  ...LIMIT_KEYS.map((k) => [k, LIMITS[k].flag] as [keyof StartFlags, string]),
];

export function planStart(f: StartFlags, load: (file: string) => DaemonConfig | SluiceError = loadConfigFile): StartPlan | SluiceError {
  const logLevel = f.logLevel ?? 'info';
  if (!isLogLevel(logLevel)) return new SluiceError('bad_usage', `--log-level "${logLevel}": expected one of ${LOG_LEVELS.join(', ')}`);
  const rundir = f.rundir ?? DEFAULT_RUNDIR;
  if (rundir === '') return new SluiceError('bad_usage', '--rundir: expected a directory');
  if (f.db === '') return new SluiceError('bad_usage', '--db: expected a file name');
  if (f.metrics !== undefined && !/^\S+:\d{1,5}$/.test(f.metrics)) return new SluiceError('bad_usage', `--metrics "${f.metrics}": expected HOST:PORT (e.g. 127.0.0.1:9108)`);

  let bridges: BridgeSetting[] = [];
  if (f.config !== undefined) {
    const c = load(f.config);
    if (c instanceof Error) return c;
    bridges = c.bridges.map((b) => ({ ...b, ports: [...b.ports] }));
  }
  const flagBridges = f.bridge !== undefined || f.config !== undefined;
  const perBridge = PER_BRIDGE.find(([k]) => f[k] !== undefined) ?? (f.flowCache === false ? ['flowCache', '--no-flow-cache'] : undefined);
  if (f.bridge !== undefined || (perBridge && bridges.length === 1)) {
    const b = applyBridgeFlags(f, bridges);
    if (b instanceof Error) return b;
  } else if (perBridge) {
    return new SluiceError('bad_usage', flagBridges ? `${perBridge[1]} needs --bridge NAME: the config names ${bridges.length} bridges` : `missing --bridge NAME for ${perBridge[1]}`);
  }

  const plan: StartPlan = { bridges, db: f.db ?? (flagBridges ? null : DEFAULT_DB), logLevel, rundir };
  if (f.metrics !== undefined) plan.metrics = f.metrics;
  if (f.ringSize !== undefined) {
    const n = parseRingSize(f.ringSize);
    if (n === undefined) return new SluiceError('bad_usage', `--ring-size "${f.ringSize}": ${RING_SIZE_EXPECTED}`);
    plan.ringBytes = n;
  }
  if (f.flowCacheEntries !== undefined) {
    const n = /^\d{1,8}$/.test(f.flowCacheEntries) ? Number(f.flowCacheEntries) : 0;
    if (n < 64 || n > 1 << 22 || (n & (n - 1)) !== 0) return new SluiceError('bad_usage', `--flow-cache-entries "${f.flowCacheEntries}": expected a power of two from 64 to 4194304 (default 65536)`);
    plan.cacheEntries = n;
  }
  const files = [f.sslKey, f.sslCert, f.sslCa];
  const given = files.filter((x) => x !== undefined).length;
  if (given !== 0 && given !== 3) return new SluiceError('bad_usage', '--ssl-key, --ssl-cert and --ssl-ca go together: give all three');
  if (f.sslKey !== undefined && f.sslCert !== undefined && f.sslCa !== undefined) plan.tls = { key: f.sslKey, cert: f.sslCert, ca: f.sslCa };
  const targets = bridges.flatMap((b) => [...(b.controllers ?? []), ...(b.listen ?? [])]);
  const ssl = targets.find((t) => t.startsWith('ssl:') || t.startsWith('pssl:'));
  if (ssl !== undefined && plan.tls === undefined) return new SluiceError('bad_usage', `"${ssl}" needs --ssl-key, --ssl-cert and --ssl-ca`);
  return plan;
}

/** Applies --bridge and the per-bridge flags to `bridges` (in place); returns the bridge or a SluiceError. */
function applyBridgeFlags(f: StartFlags, bridges: BridgeSetting[]): BridgeSetting | SluiceError {
  let i = f.bridge === undefined ? 0 : bridges.findIndex((x) => x.name === f.bridge);
  if (i < 0 && bridges.length === 1) i = 0; // --bridge renames the config's only bridge
  const base = i >= 0 ? bridges[i] : undefined;
  const name = f.bridge ?? base?.name;
  if (name === undefined) return new SluiceError('bad_usage', 'missing --bridge NAME (or --config FILE naming a bridge)');
  const nameErr = checkBridgeName(name);
  if (nameErr) return new SluiceError('bad_usage', `--bridge: ${nameErr.message}`);
  if (bridges.some((x, j) => j !== i && x.name === name)) return new SluiceError('bad_usage', `--bridge ${name}: the config already has a bridge of that name`);

  const b: BridgeSetting = { name, failMode: base?.failMode ?? 'standalone', ports: [...(base?.ports ?? [])] };
  if (base?.dpid !== undefined) b.dpid = base.dpid;
  if (base?.flowCache !== undefined) b.flowCache = base.flowCache;
  if (f.dpid !== undefined) {
    const d = parseDpid(f.dpid);
    if (d === undefined) return new SluiceError('bad_usage', `--dpid "${f.dpid}": expected up to 16 hex digits (0x1a or 00:00:00:00:00:00:00:1a)`);
    b.dpid = d;
  }
  if (f.failMode !== undefined) {
    if (!isFailMode(f.failMode)) return new SluiceError('bad_usage', `--fail-mode "${f.failMode}": expected standalone or secure`);
    b.failMode = f.failMode;
  }
  for (const text of f.port ?? []) {
    const p = parsePortOption(text);
    if (p instanceof Error) return new SluiceError('bad_usage', `--port: ${p.message}`);
    b.ports.push(p);
  }
  const dup = checkPorts(b.ports);
  if (dup) return new SluiceError('bad_usage', `--port: ${dup.message}`);
  if (f.flowCache === false) b.flowCache = false;
  for (const key of LIMIT_KEYS) {
    if (base?.[key] !== undefined) b[key] = base[key];
    const text = f[key];
    if (text === undefined) continue;
    const n = parseLimit(key, text);
    if (n === undefined) return new SluiceError('bad_usage', `${LIMITS[key].flag} "${text}": ${limitExpected(key)}`);
    b[key] = n;
  }

  if (base?.protocols !== undefined) b.protocols = [...base.protocols];
  if (f.protocols !== undefined) {
    const v = parseProtocols(f.protocols);
    if (v instanceof Error) return new SluiceError('bad_usage', `--protocols "${f.protocols}": ${v.message}`);
    b.protocols = v;
  }
  const controllers = [...(base?.controllers ?? [])];
  const listen = [...(base?.listen ?? [])];
  for (const [flag, list, add, passive] of [['--controller', controllers, f.controller, false], ['--listen', listen, f.listen, true]] as const) {
    for (const t of add ?? []) {
      const e = checkTarget(t, passive);
      if (e) return new SluiceError('bad_usage', `${flag}: ${e.message}`);
      list.push(t);
    }
  }
  if (controllers.length > 0) b.controllers = controllers;
  if (listen.length > 0) b.listen = listen;
  if (i >= 0) bridges[i] = b;
  else bridges.push(b);
  return b;
}

/** The db's bridges with the flag bridges added; a flag bridge replaces a db bridge of the same name. */
export function mergeBridges(db: readonly BridgeSetting[], flags: readonly BridgeSetting[]): BridgeSetting[] {
  const out = db.filter((b) => !flags.some((x) => x.name === b.name));
  return [...out, ...flags];
}
