/**
 * The daemon's configuration file (`sluice start --config FILE`), JSON:
 *
 *   { "bridges": [ { "name": "br0", "dpid": "0x00000000000000a1", "failMode": "standalone",
 *                    "flowCache": true,
 *                    "ports": [ "veth-a", "tap:vm1@vlan=access:10",
 *                               { "spec": "veth-b", "ofport": 7, "vlanMode": "trunk", "trunks": [10, 20] } ],
 *                    "controllers": [ "tcp:127.0.0.1:6653" ], "listen": [ "ptcp:6634" ],
 *                    "flowLimit": 1000000, "macTableSize": 8192, "macAgingTime": 300,
 *                    "busyPoll": 200, "workers": 2,
 *                    "protocols": [ "OpenFlow10", "OpenFlow13", "OpenFlow14" ] } ] }
 *
 * A port is either a string in the `--port` syntax (port-option.ts) or an object with the
 * datapath's BridgePortConfig keys. `controllers` (active: tcp/ssl/unix) and `listen`
 * (passive: ptcp/pssl/punix) are OpenFlow targets in ovs-vsctl syntax (openflow/target.ts).
 * The limits are OVS's bridge other_config keys: `flowLimit` (rules per flow table; a
 * flow-mod past it gets OFPFMFC_TABLE_FULL), `macTableSize` (NORMAL's learning table; full,
 * it evicts from the port holding the most addresses) and `macAgingTime` (seconds); beside them
 * `busyPoll`, how long (µs) the bridge keeps polling its rings after traffic before it sleeps
 * (datapath/busy-poll.ts), and `workers`, the datapath's threads (a number or "auto": one per
 * core; datapath/workers/threaded-bridge.ts); absent = the defaults (LIMITS below). `protocols` is OVS's bridge
 * column of that name: the OpenFlow versions offered to controllers and listeners (absent =
 * all Sluice implements).
 * Any number of bridges (0 or more) with distinct names; the persistent db (db.ts) stores
 * the same shape, written back with configToJson().
 *
 * Invariants
 *  - Loading never throws: an unreadable file, invalid JSON or a bad value comes back as
 *    a SluiceError whose message names the file and the key path (`bridges[0].ports[1].ofport`).
 *  - A loaded config has been fully checked (names, dpid, fail mode, port specs, VLAN ids,
 *    unique ofports, unique bridge names), so starting a bridge can only fail on the system
 *    (missing device).
 *  - configToJson() is the inverse of validateConfig(): validateConfig(configToJson(c))
 *    deep-equals c for every valid c (ports always come back as objects).
 */
import { SluiceError } from '../ports/errors.js';
import { readFileSync } from 'node:fs';
import { DEFAULT_BUSY_POLL_US } from '../datapath/busy-poll.js';
import { autoWorkers } from '../datapath/workers/pool.js';
import { DEFAULT_MAC_AGING_MS, DEFAULT_MAC_TABLE_SIZE } from '../datapath/mac-learning.js';
import { DEFAULT_MAX_RULES } from '../pipeline/flow-table.js';
import { OFPP_MAX } from '../pipeline/types.js';
import { formatProtocols, parseProtocols } from '../openflow/codec.js';
import { isPassive, parseTarget } from '../openflow/target.js';
import { parsePortOption, type PortSetting } from './port-option.js';
import { quote } from './quote.js';

type FailMode = 'standalone' | 'secure';

export interface BridgeSetting {
  name: string;
  dpid?: bigint;
  failMode: FailMode;
  ports: PortSetting[];
  flowCache?: boolean;
  /** Controllers to connect to (tcp:IP[:PORT], ssl:IP:PORT, unix:PATH); set only when non-empty. */
  controllers?: string[];
  /** Extra OpenFlow listeners (ptcp:PORT[:IP], pssl:PORT[:IP], punix:PATH); set only when non-empty. */
  listen?: string[];
  /** Rules per flow table (OVS other_config:flow-limit); absent = LIMITS.flowLimit.default. */
  flowLimit?: number;
  /** Learned addresses (OVS other_config:mac-table-size); absent = LIMITS.macTableSize.default. */
  macTableSize?: number;
  /** Seconds a learned address lives unseen (OVS other_config:mac-aging-time); absent = 300. */
  macAgingTime?: number;
  /** Busy-poll window after traffic, µs (datapath/busy-poll.ts); absent = LIMITS.busyPoll.default. */
  busyPoll?: number;
  /** OpenFlow versions offered (wire numbers, ascending; OVS's `protocols`); absent = the defaults (codec.ts DEFAULT_VERSIONS). */
  protocols?: number[];
  /** Datapath threads (datapath/workers/threaded-bridge.ts); absent = 1, the daemon's own thread. */
  workers?: number;
}

/** The per-bridge limits: config key, `sluice start` flag, range and default (the datapath's). */
export const LIMITS = {
  flowLimit: { flag: '--flow-limit', what: 'rules per flow table', min: 1, max: 0xffffffff, default: DEFAULT_MAX_RULES },
  macTableSize: { flag: '--mac-table-size', what: 'MAC addresses', min: 1, max: 16_777_216, default: DEFAULT_MAC_TABLE_SIZE },
  macAgingTime: { flag: '--mac-aging-time', what: 'seconds', min: 1, max: 1_000_000, default: DEFAULT_MAC_AGING_MS / 1000 },
  busyPoll: { flag: '--busy-poll', what: 'microseconds of polling after traffic, 0 = off', min: 0, max: 1_000_000, default: DEFAULT_BUSY_POLL_US },
  workers: { flag: '--workers', what: 'datapath threads, or auto: one per core', min: 1, max: 64, default: 1 },
} as const;
type LimitKey = keyof typeof LIMITS;
export const LIMIT_KEYS = Object.keys(LIMITS) as LimitKey[];

/** A limit's value: an integer in its range, given as a number or (flags) a decimal string. */
export function parseLimit(key: LimitKey, v: unknown): number | undefined {
  const l = LIMITS[key];
  if (key === 'workers' && v === 'auto') return Math.min(autoWorkers(), l.max);
  const n = typeof v === 'string' ? (/^\d{1,10}$/.test(v) ? Number(v) : NaN) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= l.min && n <= l.max ? n : undefined;
}

export function limitExpected(key: LimitKey): string {
  const l = LIMITS[key];
  return `expected an integer ${l.min}..${l.max} (${l.what}, default ${l.default})`;
}

export interface DaemonConfig {
  bridges: BridgeSetting[];
}

const BRIDGE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** A datapath id: up to 16 hex digits with optional 0x, or 8 colon-separated bytes (OVS other-config:datapath-id). */
export function parseDpid(s: string): bigint | undefined {
  const hex = /^([0-9a-f]{2}:){7}[0-9a-f]{2}$/i.test(s) ? s.replaceAll(':', '') : s.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(hex)) return undefined;
  return BigInt('0x' + hex);
}

export function isFailMode(s: string): s is FailMode {
  return s === 'standalone' || s === 'secure';
}

/** Bridge names become the LOCAL port's TAP device, so they follow interface-name rules. */
export function checkBridgeName(name: string): SluiceError | null {
  return BRIDGE_NAME.test(name) ? null : new SluiceError('bad_config', `bridge name ${quote(name)} must be 1 to 15 letters, digits, _ . -`);
}

/**
 * Checks one OpenFlow target; `passive` says which side it must be (a controller is
 * connected to, a listener is listened on). Returns the error or null.
 */
export function checkTarget(spec: string, passive: boolean): SluiceError | null {
  const t = parseTarget(spec);
  if (t instanceof Error) return t;
  if (isPassive(t) !== passive) {
    return new SluiceError('bad_config', passive
      ? `${quote(spec)} is not a listener: expected ptcp:PORT[:IP], pssl:PORT[:IP] or punix:PATH`
      : `${quote(spec)} is not a controller: expected tcp:IP[:PORT], ssl:IP:PORT or unix:PATH`);
  }
  return null;
}

/** A target for `set-controller`: active (tcp/ssl/unix, the bridge connects) or passive
 * (ptcp/pssl/punix, the bridge listens), as ovs-vsctl set-controller takes both. */
export function checkAnyTarget(spec: string): SluiceError | null {
  const t = parseTarget(spec);
  return t instanceof Error ? t : null;
}

/** Rejects two ports asking for the same ofport; returns the error or null. */
export function checkPorts(ports: readonly PortSetting[]): SluiceError | null {
  const seen = new Map<number, string>();
  for (const p of ports) {
    if (p.ofport === undefined) continue;
    const other = seen.get(p.ofport);
    if (other !== undefined) return new SluiceError('bad_config', `ports ${quote(other)} and ${quote(p.spec)} both ask for ofport ${p.ofport}`);
    seen.set(p.ofport, p.spec);
  }
  return null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isVid = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4095;

function portFrom(v: unknown, path: string): PortSetting | string {
  if (typeof v === 'string') {
    const p = parsePortOption(v);
    return p instanceof Error ? `${path}: ${p.message}` : p;
  }
  if (!isObj(v)) return `${path}: expected a port spec string or an object with "spec"`;
  for (const k of Object.keys(v)) if (!['spec', 'ofport', 'vlanMode', 'tag', 'trunks'].includes(k)) return `${path}.${k}: unknown key`;
  if (typeof v.spec !== 'string') return `${path}.spec: expected a port spec string without @options`;
  const base = parsePortOption(v.spec);
  if (base instanceof Error) return `${path}.spec: ${base.message}`;
  // '@' may occur in a capture file name; only a parsed @option is refused here
  if (base.spec !== v.spec) return `${path}.spec: expected a port spec string without @options`;
  const out: PortSetting = { spec: base.spec };
  if (v.ofport !== undefined) {
    if (!Number.isInteger(v.ofport) || (v.ofport as number) < 1 || (v.ofport as number) > OFPP_MAX) return `${path}.ofport: expected an integer 1..${OFPP_MAX}`;
    out.ofport = v.ofport as number;
  }
  if (v.vlanMode !== undefined && v.vlanMode !== 'access' && v.vlanMode !== 'trunk') return `${path}.vlanMode: expected "access" or "trunk"`;
  if (v.vlanMode === 'access') {
    if (!isVid(v.tag)) return `${path}.tag: an access port needs a VLAN id 0..4095`;
    out.vlanMode = 'access';
    out.tag = v.tag;
  } else if (v.tag !== undefined) return `${path}.tag: only for "vlanMode": "access"`;
  if (v.vlanMode === 'trunk') {
    if (v.trunks !== undefined && (!Array.isArray(v.trunks) || !v.trunks.every(isVid))) return `${path}.trunks: expected an array of VLAN ids 0..4095`;
    out.vlanMode = 'trunk';
    out.trunks = [...(v.trunks ?? [])];
  } else if (v.trunks !== undefined) return `${path}.trunks: only for "vlanMode": "trunk"`;
  return out;
}

function bridgeFrom(v: unknown, path: string): BridgeSetting | string {
  if (!isObj(v)) return `${path}: expected an object`;
  for (const k of Object.keys(v)) if (!['name', 'dpid', 'failMode', 'ports', 'flowCache', 'controllers', 'listen', 'protocols', ...LIMIT_KEYS].includes(k)) return `${path}.${k}: unknown key`;
  if (typeof v.name !== 'string') return `${path}.name: expected a string`;
  const nameErr = checkBridgeName(v.name);
  if (nameErr) return `${path}.name: ${nameErr.message}`;
  const out: BridgeSetting = { name: v.name, failMode: 'standalone', ports: [] };
  if (v.dpid !== undefined) {
    const d = typeof v.dpid === 'string' ? parseDpid(v.dpid) : undefined;
    if (d === undefined) return `${path}.dpid: expected a string of up to 16 hex digits ("0x1a")`;
    out.dpid = d;
  }
  if (v.failMode !== undefined) {
    if (typeof v.failMode !== 'string' || !isFailMode(v.failMode)) return `${path}.failMode: expected "standalone" or "secure"`;
    out.failMode = v.failMode;
  }
  if (v.flowCache !== undefined) {
    if (typeof v.flowCache !== 'boolean') return `${path}.flowCache: expected true or false`;
    out.flowCache = v.flowCache;
  }
  if (v.ports !== undefined) {
    if (!Array.isArray(v.ports)) return `${path}.ports: expected an array`;
    for (let i = 0; i < v.ports.length; i++) {
      const p = portFrom(v.ports[i], `${path}.ports[${i}]`);
      if (typeof p === 'string') return p;
      out.ports.push(p);
    }
  }
  for (const [key, passive] of [['controllers', false], ['listen', true]] as const) {
    const list = v[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return `${path}.${key}: expected an array of strings`;
    for (let i = 0; i < list.length; i++) {
      const e = checkTarget(list[i] as string, passive);
      if (e) return `${path}.${key}[${i}]: ${e.message}`;
    }
    if (list.length > 0) out[key] = [...list];
  }
  for (const key of LIMIT_KEYS) {
    if (v[key] === undefined) continue;
    const n = typeof v[key] === 'number' || v[key] === 'auto' ? parseLimit(key, v[key]) : undefined;
    if (n === undefined) return `${path}.${key}: ${limitExpected(key)}`;
    out[key] = n;
  }
  if (v.protocols !== undefined) {
    const names = v.protocols;
    const versions = Array.isArray(names) && names.every((x) => typeof x === 'string') ? parseProtocols(names.join(',')) : new Error('expected an array of "OpenFlow10", "OpenFlow13", "OpenFlow14", "OpenFlow15"');
    if (versions instanceof Error) return `${path}.protocols: ${versions.message}`;
    out.protocols = versions;
  }
  const dup = checkPorts(out.ports);
  return dup ? `${path}.ports: ${dup.message}` : out;
}

/** Checks a parsed JSON value; the Error message is the key path and the reason. */
export function validateConfig(json: unknown): DaemonConfig | SluiceError {
  if (!isObj(json)) return new SluiceError('bad_config', 'expected a JSON object with "bridges"');
  for (const k of Object.keys(json)) if (k !== 'bridges') return new SluiceError('bad_config', `${k}: unknown key`);
  if (!Array.isArray(json.bridges)) return new SluiceError('bad_config', 'bridges: expected an array of bridges');
  const out: DaemonConfig = { bridges: [] };
  const names = new Set<string>();
  for (let i = 0; i < json.bridges.length; i++) {
    const b = bridgeFrom(json.bridges[i], `bridges[${i}]`);
    if (typeof b === 'string') return new SluiceError('bad_config', b);
    // the name is the LOCAL port's TAP device and the mgmt socket's file name: one per bridge
    if (names.has(b.name)) return new SluiceError('bad_config', `bridges[${i}].name: bridge ${b.name} appears twice`);
    names.add(b.name);
    out.bridges.push(b);
  }
  return out;
}

/** A port as the object form that portFrom() reads back to the same PortSetting. */
function portToJson(p: PortSetting): Record<string, unknown> {
  const o: Record<string, unknown> = { spec: p.spec };
  if (p.ofport !== undefined) o.ofport = p.ofport;
  if (p.vlanMode !== undefined) o.vlanMode = p.vlanMode;
  if (p.vlanMode === 'access') o.tag = p.tag;
  if (p.vlanMode === 'trunk') o.trunks = [...(p.trunks ?? [])];
  return o;
}

/** The JSON form of a config (the inverse of validateConfig); dpid as "0x" + 16 hex digits. */
export function configToJson(cfg: DaemonConfig): { bridges: Record<string, unknown>[] } {
  return {
    bridges: cfg.bridges.map((b) => {
      const o: Record<string, unknown> = { name: b.name };
      if (b.dpid !== undefined) o.dpid = '0x' + b.dpid.toString(16).padStart(16, '0');
      o.failMode = b.failMode;
      if (b.flowCache !== undefined) o.flowCache = b.flowCache;
      o.ports = b.ports.map(portToJson);
      if (b.controllers && b.controllers.length > 0) o.controllers = [...b.controllers];
      if (b.listen && b.listen.length > 0) o.listen = [...b.listen];
      for (const key of LIMIT_KEYS) if (b[key] !== undefined) o[key] = b[key];
      if (b.protocols !== undefined) o.protocols = formatProtocols(b.protocols).split(',');
      return o;
    }),
  };
}

/** Reads and checks FILE; every failure is a SluiceError naming the file. */
export function loadConfigFile(file: string): DaemonConfig | SluiceError {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return new SluiceError('bad_config', `config ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return new SluiceError('bad_config', `config ${file}: invalid JSON: ${(e as Error).message}`);
  }
  const c = validateConfig(json);
  return c instanceof Error ? new SluiceError('bad_config', `config ${file}: ${c.message}`) : c;
}
