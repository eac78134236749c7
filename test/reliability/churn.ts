/**
 * Controller churn and roles (issue #13 §2), as a tool: `npm run churn -- [--cycles N]
 * [--flows N] [--mode secure|standalone|both] [--roles N]`; a short run is in CI
 * (test/unit/reliability-churn.test.ts).
 *
 * The switch is the real OpenFlow stack — OpenFlowService (agent, connection, transport
 * with its retry and inactivity probe) on a real Bridge whose ports are memory ports — and
 * the controller a real TCP peer on 127.0.0.1. Each cycle the switch connects, the
 * controller handshakes, installs `flows` flows (ADD, replacing last cycle's), waits for
 * the barrier reply, checks a frame is forwarded by its flow, and leaves in one of five
 * ways, in turn:
 *   clean      FIN after the barrier;
 *   rst        a TCP reset (SO_LINGER 0);
 *   half-open  silence, reading nothing: the switch's inactivity probe closes it;
 *   mid-msg    half of a flow-mod's bytes, then FIN;
 *   multipart  a flow-stats request for every flow, and a reset at the reply's first bytes.
 * While no controller is connected a frame is sent again: secure mode must forward it by
 * the flows (every flow kept), standalone by NORMAL (fail-open: flooded), and back on the
 * flows once the controller is back (OF1.3.5 §6.4; OVS's fail modes).
 *
 * Leaks: the process's RSS, heap and active handles (process.getActiveResourcesInfo) are
 * sampled after each cycle (with a GC when exposed); the averages of the first and last
 * 100 cycles are printed and must not grow.
 *
 * Roles (OF1.3.5 §6.3.7): three controllers on a passive listener; the master changes
 * `roles` times with increasing generation_ids; each change also sends a stale request
 * (refused with OFPRRFC_STALE), a flow-mod from a slave (refused with OFPBRC_IS_SLAVE) and a
 * table-miss frame whose packet-in only the master receives.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeMessage, type OFMessage } from '../../src/openflow/index.js';
import { OpenFlowService } from '../../src/openflow/service.js';
import {
  OFPBRC_IS_SLAVE, OFPET_BAD_REQUEST, OFPET_ROLE_REQUEST_FAILED, OFPRRFC_STALE,
} from '../../src/pipeline/errors.js';
import { OFPG_ANY, OFPP_ANY, OFPP_CONTROLLER, OFPTT_ALL } from '../../src/pipeline/types.js';
import { ipFrame, MAC, rig, type Rig } from '../unit/datapath-helpers.js';
import { TestController } from '../unit/agent-helpers.js';
import { apply, fm, oxm, out } from '../unit/pipeline-helpers.js';

const OFPCR_ROLE_MASTER = 2;
const OFPCR_ROLE_SLAVE = 3;
export const KINDS = ['clean', 'rst', 'half-open', 'mid-msg', 'multipart'] as const;
type Kind = (typeof KINDS)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A listening controller: hands out each accepted connection as a TestController that
 * answers the switch's echo requests. */
export class Controller {
  private readonly waiting: TestController[] = [];
  private constructor(readonly server: Server) {}

  static async listen(): Promise<Controller> {
    const server = createServer();
    const c = new Controller(server);
    server.on('connection', (s) => {
      s.on('error', () => {}); // the tool resets and abandons connections on purpose
      c.waiting.push(new TestController(s, { answerEchoes: true }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return c;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  async accept(ms = 5000): Promise<TestController> {
    const end = Date.now() + ms;
    while (this.waiting.length === 0) {
      if (Date.now() > end) throw new Error(`the switch did not connect within ${ms} ms`);
      await sleep(1);
    }
    return this.waiting.shift()!;
  }

  close(): void {
    this.server.close();
  }
}

/** The flow for destination `i`: in_port=1, eth_dst=02:00:00:01:hi:lo → output:2. */
const dst = (i: number): number[] => [0x02, 0, 0, 1, (i >> 8) & 0xff, i & 0xff];
const macValue = (m: number[]): bigint => m.reduce((a, b) => (a << 8n) | BigInt(b), 0n);
function flowMsg(xid: number, i: number, cookie: bigint): OFMessage {
  return { type: 'flow_mod', xid, ...fm({ priority: 100, cookie, match: [oxm('in_port', 1), oxm('eth_dst', macValue(dst(i)))], instructions: [apply(out(2))] }) };
}

/** Where a frame from port 1 to destination `i` goes: the ports that received it. */
function whereTo(r: Rig, i: number): number[] {
  for (const p of [2, 3]) r.take(p);
  r.send(1, ipFrame({ src: MAC(1), dst: dst(i) }));
  return [2, 3].filter((p) => r.take(p).length > 0);
}

interface Sample { rss: number; heap: number; handles: number }
function sample(): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, handles: process.getActiveResourcesInfo().length };
}

interface ChurnResult {
  mode: 'secure' | 'standalone';
  cycles: number;
  byKind: Record<Kind, number>;
  /** Averages over the first and the last 100 cycles (or the halves, for fewer). */
  first: Sample;
  last: Sample;
  /** Problems found; empty = every check held. */
  failures: string[];
  ms: number;
}

export async function runChurn(opts: { cycles: number; flows: number; mode: 'secure' | 'standalone'; progress?: (s: string) => void }): Promise<ChurnResult> {
  const t0 = performance.now();
  const r = rig(3, { failMode: opts.mode });
  const ctl = await Controller.listen();
  const svc = new OpenFlowService(r.bridge, {
    rundir: null, probeIntervalMs: 40, probeTimeoutMs: 40, backoffMinMs: 2, backoffMaxMs: 10,
  });
  await svc.start({ controllers: [`tcp:127.0.0.1:${ctl.port}`] });
  const failures: string[] = [];
  const fail = (cycle: number, what: string) => { if (failures.length < 20) failures.push(`cycle ${cycle}: ${what}`); };
  const byKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const samples: Sample[] = [];
  let base = 0;
  try {
    for (let c = 0; c < opts.cycles; c++) {
      const kind = KINDS[c % KINDS.length]!;
      const peer = await ctl.accept();
      await peer.handshake();
      for (let i = 0; i < opts.flows; i++) peer.send(flowMsg(peer.nextXid(), i, BigInt(c)));
      await peer.barrier();
      if (c === 0) base = r.bridge.pipeline.table(0).size; // the flows and what the bridge starts with
      const errors = peer.received.filter((r) => r.msg?.type === 'error').length;
      if (errors !== 0) fail(c, `${errors} OFPT_ERROR replies to the flow-mods`);
      const probe = c % opts.flows;
      if (whereTo(r, probe).join() !== '2') fail(c, `connected: frame to flow ${probe} went to [${whereTo(r, probe)}], not [2]`);
      await disconnect(peer, kind, svc);
      byKind[kind]++;
      // the switch has seen the connection go (the agent has no controller session now)
      const end = Date.now() + 2000;
      while (svc.agent.connected.some((s) => s.isController) && Date.now() < end) await sleep(1);
      if (svc.agent.connected.length !== 0) fail(c, `after ${kind}: the switch still counts ${svc.agent.connected.length} connection(s)`);
      const rules = r.bridge.pipeline.table(0).size;
      if (rules !== base) fail(c, `after ${kind}: ${rules} flows in table 0, not ${base}`);
      const seen = whereTo(r, probe).join();
      if (opts.mode === 'secure' && seen !== '2') fail(c, `secure, no controller: frame went to [${seen}], not by its flow to [2]`);
      if (opts.mode === 'standalone' && seen !== '2,3') fail(c, `standalone, no controller: frame went to [${seen}], not flooded by NORMAL to [2,3]`);
      peer.sock.destroy();
      samples.push(sample());
      if (opts.progress && (c + 1) % 100 === 0) opts.progress(`${opts.mode}: ${c + 1}/${opts.cycles} cycles, rss ${(samples.at(-1)!.rss / 2 ** 20).toFixed(0)} MiB`);
    }
    // back on the flows once the controller returns (standalone leaves fail-open)
    const peer = await ctl.accept();
    await peer.handshake();
    await peer.barrier();
    if (whereTo(r, 0).join() !== '2') fail(opts.cycles, `controller back: frame went to [${whereTo(r, 0)}], not by its flow to [2]`);
    peer.sock.destroy();
  } finally {
    svc.stop();
    ctl.close();
    r.bridge.stop();
  }
  const n = Math.min(100, Math.max(1, samples.length >> 1));
  const avg = (xs: Sample[]): Sample => ({
    rss: xs.reduce((a, s) => a + s.rss, 0) / xs.length,
    heap: xs.reduce((a, s) => a + s.heap, 0) / xs.length,
    handles: xs.reduce((a, s) => a + s.handles, 0) / xs.length,
  });
  return { mode: opts.mode, cycles: opts.cycles, byKind, first: avg(samples.slice(0, n)), last: avg(samples.slice(-n)), failures, ms: performance.now() - t0 };
}

async function disconnect(peer: TestController, kind: Kind, svc: OpenFlowService): Promise<void> {
  switch (kind) {
    case 'clean':
      peer.sock.end();
      break;
    case 'rst':
      peer.sock.resetAndDestroy();
      break;
    case 'half-open':
      // read nothing, answer nothing: the probe (40 ms idle + 40 ms) closes the connection
      peer.sock.pause();
      peer.sock.removeAllListeners('data');
      break;
    case 'mid-msg': {
      const bytes = encodeMessage(flowMsg(peer.nextXid(), 0, 0n));
      peer.sock.end(bytes.subarray(0, bytes.length >> 1));
      break;
    }
    case 'multipart': {
      peer.sock.removeAllListeners('data');
      peer.sock.once('data', () => peer.sock.resetAndDestroy());
      peer.sock.write(encodeMessage({
        type: 'multipart_request', xid: peer.nextXid(), flags: 0,
        body: { kind: 'flow', tableId: OFPTT_ALL, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] },
      }));
      break;
    }
  }
  const end = Date.now() + 3000;
  while (svc.agent.connected.length !== 0 && Date.now() < end) await sleep(1);
}

interface RolesResult { changes: number; failures: string[]; ms: number }

export async function runRoles(changes: number): Promise<RolesResult> {
  const t0 = performance.now();
  const r = rig(2);
  const svc = new OpenFlowService(r.bridge, { rundir: null, probeIntervalMs: 0 });
  // a passive controller target (ovs-vsctl set-controller br ptcp:...): controllers connect
  await svc.start({ controllers: ['ptcp:0:127.0.0.1'] });
  const port = (svc.endpointsOpen[0] as unknown as { port: number }).port;
  const failures: string[] = [];
  const fail = (i: number, what: string) => { if (failures.length < 20) failures.push(`change ${i}: ${what}`); };
  const peers: TestController[] = [];
  const wasMaster = new Set<number>();
  try {
    for (let i = 0; i < 3; i++) {
      const s = createConnection({ host: '127.0.0.1', port });
      await new Promise<void>((res) => s.once('connect', () => res()));
      s.on('error', () => {});
      const p = new TestController(s, { answerEchoes: true });
      await p.handshake();
      peers.push(p);
    }
    // every table miss goes to the controllers
    peers[0]!.send({ type: 'flow_mod', xid: 1, ...fm({ priority: 0, instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] }) });
    await peers[0]!.barrier();
    for (let i = 1; i <= changes; i++) {
      const m = i % 3;
      const master = peers[m]!;
      const gen = BigInt(i * 2);
      let x = master.nextXid();
      master.send({ type: 'role_request', xid: x, role: OFPCR_ROLE_MASTER, generationId: gen });
      const rep = await master.next('role_reply', 5000, (q) => q.xid === x);
      if (rep.role !== OFPCR_ROLE_MASTER || rep.generationId !== gen) fail(i, `role reply ${rep.role}/${rep.generationId}, not MASTER/${gen}`);
      // a stale claim from another controller
      const other = peers[(m + 1) % 3]!;
      x = other.nextXid();
      other.send({ type: 'role_request', xid: x, role: OFPCR_ROLE_MASTER, generationId: gen - 1n });
      const e = await other.next('error', 5000, (q) => q.xid === x);
      if (e.errType !== OFPET_ROLE_REQUEST_FAILED || e.code !== OFPRRFC_STALE) fail(i, `stale request answered ${e.errType}/${e.code}`);
      // the previous master was demoted to slave: its flow-mod is refused
      if (i > 1) {
        const prev = peers[(i - 1) % 3]!;
        x = prev.nextXid();
        prev.send(flowMsg(x, 1, 0n));
        const e2 = await prev.next('error', 5000, (q) => q.xid === x);
        if (e2.errType !== OFPET_BAD_REQUEST || e2.code !== OFPBRC_IS_SLAVE) fail(i, `slave's flow-mod answered ${e2.errType}/${e2.code}`);
        x = prev.nextXid();
        prev.send({ type: 'role_request', xid: x, role: 0, generationId: 0n }); // NOCHANGE: what am I?
        const q = await prev.next('role_reply', 5000, (qq) => qq.xid === x);
        if (q.role !== OFPCR_ROLE_SLAVE) fail(i, `previous master is role ${q.role}, not SLAVE`);
      }
      // a table miss: the master gets the packet-in, slaves do not (their default async
      // mask); a controller never made master is still EQUAL and gets it too
      wasMaster.add(m);
      for (const p of peers) p.drain();
      r.send(1, ipFrame({ src: MAC(1), dst: MAC(9) }));
      await master.next('packet_in', 5000);
      for (const j of [0, 1, 2].filter((j) => j !== m && !wasMaster.has(j))) await peers[j]!.next('packet_in', 5000);
      await sleep(5);
      const extra = peers.filter((p, j) => j !== m && wasMaster.has(j) && p.received.some((r) => r.msg?.type === 'packet_in')).length;
      if (extra !== 0) fail(i, `${extra} slave(s) got the packet-in`);
    }
  } finally {
    for (const p of peers) p.sock.destroy();
    svc.stop();
    r.bridge.stop();
  }
  return { changes, failures, ms: performance.now() - t0 };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
export function describeChurn(c: ChurnResult): string {
  return `${c.mode}: ${c.cycles.toLocaleString('en-US')} cycles (${KINDS.map((k) => `${k} ${c.byKind[k]}`).join(', ')}), ` +
    `${c.failures.length === 0 ? 'every check held' : `${c.failures.length} failure(s)`}; ` +
    `first/last 100 cycles: rss ${mib(c.first.rss)} / ${mib(c.last.rss)}, heap ${mib(c.first.heap)} / ${mib(c.last.heap)}, ` +
    `handles ${c.first.handles.toFixed(1)} / ${c.last.handles.toFixed(1)}; ${(c.ms / 1000).toFixed(0)} s`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { cycles: { type: 'string', default: '1000' }, flows: { type: 'string', default: '1000' }, mode: { type: 'string', default: 'both' }, roles: { type: 'string', default: '100' } },
  });
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`churn: --${name} ${v}: expected a whole number`);
      process.exit(2);
    }
    return n;
  };
  const cycles = num('cycles', values.cycles);
  const flows = num('flows', values.flows);
  const roles = num('roles', values.roles);
  const modes = { secure: ['secure'], standalone: ['standalone'], both: ['secure', 'standalone'] } as const;
  const mode = values.mode as keyof typeof modes;
  if (!Object.hasOwn(modes, mode)) {
    console.error(`churn: --mode ${mode}: expected secure, standalone or both`);
    process.exit(2);
  }
  let bad = 0;
  for (const m of modes[mode]) {
    const c = await runChurn({ cycles, flows, mode: m, progress: (s) => console.error(s) });
    console.log(describeChurn(c));
    for (const f of c.failures) console.log(`  ${f}`);
    bad += c.failures.length;
  }
  if (roles > 0) {
    const rr = await runRoles(roles);
    console.log(`roles: ${rr.changes} master changes among 3 controllers, ${rr.failures.length === 0 ? 'every check held' : `${rr.failures.length} failure(s)`}; ${(rr.ms / 1000).toFixed(1)} s`);
    for (const f of rr.failures) console.log(`  ${f}`);
    bad += rr.failures.length;
  }
  process.exit(bad === 0 ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
