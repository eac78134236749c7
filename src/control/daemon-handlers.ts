/**
 * The control socket's commands (protocol in ctl-protocol.ts) on top of the Daemon core.
 *
 *   add-br {name, dpid?, failMode?}              → {name, dpid}
 *   del-br {name}                                → null
 *   add-port {bridge, spec, ofport?, vlanMode?, tag?, trunks?}   → {ofport}
 *   del-port {bridge, port}                      → null
 *   set-controller {bridge, targets: string[]}   → null
 *   del-controller {bridge}                      → null
 *   list-br                                      → string[] (sorted)
 *   list-ports {bridge}                          → string[] (sorted, LOCAL excluded)
 *   show                                         → ShowResult (daemon-show.ts)
 *   batch {requests: [{cmd, args, where?}...]}   → the results, in order (BATCH_VERBS only)
 *   trace {bridge, ...}                          → {text} (control/trace.ts)
 *
 * Invariant: arguments come from the socket, so every one is checked here (type and
 * range) before the core sees it; a bad one is a SluiceError ('bad_usage', ports/errors.ts)
 * naming the argument. A handler returns its result or the SluiceError; the server sends the
 * error's message as the reply's error.
 */
import type { Bridge } from '../datapath/bridge.js';
import { OFPP_MAX } from '../pipeline/types.js';
import { SluiceError } from '../ports/errors.js';
import { parseProtocols } from '../openflow/codec.js';
import { checkBridgeName, isFailMode, parseDpid, type BridgeSetting } from './config.js';
import type { CtlHandler } from './ctl-server.js';
import type { Daemon } from './daemon.js';
import { parsePortOption, type PortSetting } from './port-option.js';

type TraceRunner = (bridge: Bridge, args: Record<string, unknown>) => unknown;

type Args = Record<string, unknown>;
const isVid = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4095;

function str(args: Args, key: string): string | SluiceError {
  const v = args[key];
  return typeof v === 'string' && v !== '' ? v : new SluiceError('bad_usage', `missing "${key}"`);
}

/** The add-port arguments as a PortSetting; the spec may carry @options like --port. */
export function portSettingFrom(args: Args): PortSetting | SluiceError {
  const spec = str(args, 'spec');
  if (spec instanceof Error) return spec;
  const p = parsePortOption(spec);
  if (p instanceof Error) return p;
  if (args.ofport !== undefined) {
    if (!Number.isInteger(args.ofport) || (args.ofport as number) < 1 || (args.ofport as number) > OFPP_MAX) return new SluiceError('bad_usage', `ofport ${String(args.ofport)}: expected 1..${OFPP_MAX}`);
    p.ofport = args.ofport as number;
  }
  const mode = args.vlanMode ?? (args.tag !== undefined ? 'access' : args.trunks !== undefined ? 'trunk' : undefined);
  if (mode === undefined) return p;
  if (mode !== 'access' && mode !== 'trunk') return new SluiceError('bad_usage', `vlan mode "${String(mode)}": expected access or trunk`);
  if (mode === 'access') {
    if (!isVid(args.tag)) return new SluiceError('bad_usage', 'an access port needs a tag 0..4095');
    if (args.trunks !== undefined) return new SluiceError('bad_usage', 'trunks are for trunk ports, not access ports');
    delete p.trunks;
    return { ...p, vlanMode: 'access', tag: args.tag };
  }
  if (args.tag !== undefined) return new SluiceError('bad_usage', 'a trunk port takes trunks, not a tag');
  if (args.trunks !== undefined && (!Array.isArray(args.trunks) || !args.trunks.every(isVid))) return new SluiceError('bad_usage', 'trunks: expected VLAN ids 0..4095');
  delete p.tag;
  return { ...p, vlanMode: 'trunk', trunks: [...(args.trunks ?? p.trunks ?? [])] };
}

function bridgeSettingFrom(args: Args): BridgeSetting | SluiceError {
  const name = str(args, 'name');
  if (name instanceof Error) return name;
  const bad = checkBridgeName(name);
  if (bad) return bad;
  const s: BridgeSetting = { name, failMode: 'standalone', ports: [] };
  if (args.dpid !== undefined) {
    const d = typeof args.dpid === 'string' ? parseDpid(args.dpid) : undefined;
    if (d === undefined) return new SluiceError('bad_usage', `dpid "${String(args.dpid)}": expected up to 16 hex digits`);
    s.dpid = d;
  }
  if (args.failMode !== undefined) {
    if (typeof args.failMode !== 'string' || !isFailMode(args.failMode)) return new SluiceError('bad_usage', `fail mode "${String(args.failMode)}": expected standalone or secure`);
    s.failMode = args.failMode;
  }
  if (args.protocols !== undefined) {
    const v = typeof args.protocols === 'string' ? parseProtocols(args.protocols) : new Error(`protocols: expected a list such as "OpenFlow13,OpenFlow15"`);
    if (v instanceof Error) return new SluiceError('bad_usage', v.message);
    s.protocols = v;
  }
  return s;
}

/** The commands a batch may hold: the ones that change bridges, ports and controllers. */
export const BATCH_VERBS: readonly string[] = ['add-br', 'del-br', 'add-port', 'del-port', 'set-controller', 'del-controller'];

/**
 * A batch: many change commands in one request (ovs-vsctl's `--`-chained commands; Mininet
 * starts a whole network with one), run in order with one db save at the end. It is checked
 * whole before anything runs; the first failing command stops it, the ones before it stay
 * done, and the error names it by its `where` (the CLI passes "line N") or its position.
 */
async function runBatch(d: Daemon, handlers: Record<string, CtlHandler>, args: Args): Promise<unknown> {
  const reqs = args.requests;
  if (!Array.isArray(reqs)) return new SluiceError('bad_usage', '"requests": expected a list of {"cmd", "args"}');
  const label = (r: { where?: unknown }, i: number) => (typeof r.where === 'string' && r.where !== '' ? r.where : `request ${i + 1}`);
  for (const [i, r] of (reqs as { cmd?: unknown; args?: unknown; where?: unknown }[]).entries()) {
    const ok = typeof r === 'object' && r !== null && typeof r.cmd === 'string' && BATCH_VERBS.includes(r.cmd);
    if (!ok) return new SluiceError('bad_usage', `${label(r ?? {}, i)}: a batch holds only ${BATCH_VERBS.join(', ')}`);
    if (r.args !== undefined && (typeof r.args !== 'object' || r.args === null || Array.isArray(r.args))) return new SluiceError('bad_usage', `${label(r, i)}: "args" must be an object`);
  }
  const list = reqs as { cmd: string; args?: Args; where?: unknown }[];
  // the AF_PACKET ports to open ahead, together (Daemon.batched)
  const specs = list.flatMap((r) => {
    const p = r.cmd === 'add-port' ? portSettingFrom(r.args ?? {}) : undefined;
    return p === undefined || p instanceof Error ? [] : [p.spec];
  });
  return d.batched(async () => {
    const out: unknown[] = [];
    for (const [i, r] of list.entries()) {
      const res = await handlers[r.cmd]!(r.args ?? {});
      if (res instanceof SluiceError) return res.prefixed(`${label(r, i)}: ${r.cmd}: `);
      out.push(res ?? null);
    }
    return out;
  }, specs);
}

export function daemonHandlers(d: Daemon, trace: TraceRunner): Record<string, CtlHandler> {
  const withBridge = <T>(args: Args, key: string, f: (name: string) => T): T | SluiceError => {
    const b = str(args, key);
    return b instanceof Error ? b : f(b);
  };
  const handlers: Record<string, CtlHandler> = {
    batch: (args) => runBatch(d, handlers, args),
    'add-br': async (args) => {
      const s = bridgeSettingFrom(args);
      if (s instanceof Error) return s;
      const rb = await d.addBridge(s);
      return rb instanceof Error ? rb : { name: rb.name, dpid: rb.bridge.dpid.toString(16).padStart(16, '0') };
    },
    'del-br': (args) => withBridge(args, 'name', (n) => d.delBridge(n)),
    'add-port': (args) =>
      withBridge(args, 'bridge', (b) => {
        const p = portSettingFrom(args);
        if (p instanceof Error) return p;
        const n = d.addPort(b, p);
        return n instanceof Error ? n : { ofport: n };
      }),
    'del-port': (args) => withBridge(args, 'bridge', (b) => withBridge(args, 'port', (p) => d.delPort(b, p))),
    'set-controller': (args) =>
      withBridge(args, 'bridge', async (b) => {
        const t = args.targets;
        if (!Array.isArray(t) || !t.every((x) => typeof x === 'string')) return new SluiceError('bad_usage', '"targets": expected a list of controller targets');
        return await d.setControllers(b, t);
      }),
    'del-controller': (args) => withBridge(args, 'bridge', async (b) => await d.delControllers(b)),
    'list-br': () => d.listBridges(),
    'list-ports': (args) => withBridge(args, 'bridge', (b) => d.listPorts(b)),
    show: async () => {
      await d.settle(); // bridges with datapath workers sum their counters first
      return d.show();
    },
    trace: (args) =>
      withBridge(args, 'bridge', (b) => {
        const rb = d.bridge(b);
        return rb instanceof Error ? rb : trace(rb.bridge, args);
      }),
  };
  return handlers;
}
