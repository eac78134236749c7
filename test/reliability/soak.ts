/**
 * Soak (issue #13 §4), as a tool: `npm run soak -- --minutes N [--flows 10000]
 * [--churn 1000] [--fraction 0.8] [--size 128] [--sample S] [--max-slope MiB/min]`; a
 * one-minute run is in CI (test/integration/reliability-soak.test.ts). Needs root.
 *
 * The real daemon (`sluice start`, secure fail mode) between two namespaces a → b. Its
 * table 0 gets `flows` flows through the mgmt socket (ovs-ofctl add-flows from a file):
 * the traffic's flow (in_port=1, ip, nw_dst=10.79.0.99 → output:2) and flows for other
 * destinations. Then, all through the run:
 *  - churn: `churn` flow-mods/s (ADD and DELETE_STRICT, alternately, of flows the traffic
 *    does not use; about 500 of them exist at a time) on one long-lived OpenFlow
 *    connection to unix:RUNDIR/BRIDGE.mgmt, encoded with the codec, a barrier every
 *    100 ms (a flow-mod counts as applied when a later barrier is answered);
 *  - traffic: test/integration/flood.py in a, UDP to b's MAC. The forwarding rate is
 *    measured first (with the churn on: 2 s flat out to warm up, then 5 s flat out), then
 *    `fraction` of it is offered;
 *  - samples every `sample` s: the daemon's VmRSS (/proc/PID/status) and /metrics.
 *
 * Required (each failure is a line of `failures`):
 *  - the daemon is alive at the end (zero crashes) and the churn saw no OFPT_ERROR;
 *  - the RSS slope (MiB per minute, least squares over the samples after the first 20 %)
 *    is below `maxSlope`;
 *  - the counters balance, over the soak phase (deltas):
 *      frames the generator sent = rx_packets + rx_dropped of the ingress port (and the
 *        kernel's rx count of that veth);
 *      for the switch, Σ rx = Σ tx + Σ tx_dropped + Σ tx_errors + the datapath's drops,
 *        every reason (sluice_datapath_dropped_total: table misses, runts, ...);
 *      for the ingress port, its rx = what the other ports sent and dropped on transmit
 *        (every flow has in_port=1, so nothing else can be output) + its share of the
 *        drops (the misses of the other ports are their whole rx).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MessageFramer, decodeMessage, encodeMessage, type OFMessage } from '../../src/openflow/index.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { OFPFC_ADD, OFPFC_DELETE_STRICT, OFPP_ANY } from '../../src/pipeline/types.js';
import { Lab, killAll, macOf, quietNetns, sh, startSluice } from '../integration/datapath-lab.js';
import { apply, fm, oxm, out } from '../unit/pipeline-helpers.js';
import { parseExposition, type Exposition } from '../unit/metrics-parse.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FLOOD = fileURLToPath(new URL('../integration/flood.py', import.meta.url));
const TRAFFIC_DST = '10.79.0.99'; // flood.py's destination address

interface SoakOptions {
  minutes: number;
  flows: number;
  /** flow-mods per second */
  churn: number;
  /** of the measured forwarding rate */
  fraction: number;
  /** frame size in bytes */
  size: number;
  sampleSec: number;
  /** MiB per minute */
  maxSlope: number;
  progress?: (line: string) => void;
}

export const SOAK_DEFAULTS: Omit<SoakOptions, 'minutes'> = { flows: 10_000, churn: 1000, fraction: 0.8, size: 128, sampleSec: 5, maxSlope: 2 };

interface PortRow { name: string; ofport: string; rx: number; rxDropped: number; tx: number; txDropped: number; txErrors: number }
interface Counters {
  ports: PortRow[];
  /** the datapath's drops, all reasons */
  drops: number;
  lookups: number; matches: number; rules: number;
}
interface SoakSample { t: number; rssMiB: number; rules: number; rx: number; tx: number }

interface SoakResult {
  measuredRate: number;
  limitedBy: 'switch' | 'generator';
  offeredRate: number;
  seconds: number;
  sent: number;
  kernelRx: number;
  churn: { sent: number; applied: number; errors: number; perSecond: number };
  samples: SoakSample[];
  slopeMiBPerMin: number;
  /** deltas over the soak phase */
  delta: Counters;
  ingress: string;
  alive: boolean;
  failures: string[];
}

/** One OpenFlow connection to the mgmt socket that sends flow-mods at a fixed rate. */
class Churner {
  sent = 0;
  applied = 0;
  errors = 0;
  private adds = 0;
  private dels = 0;
  private xid = 1;
  private readonly framer = new MessageFramer();
  private readonly barriers: [xid: number, upTo: number][] = [];
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private lastBarrier = 0;
  private readonly window = 500;

  private constructor(private readonly sock: Socket, private readonly rate: number) {}

  static async connect(path: string, rate: number): Promise<Churner> {
    const sock = createConnection(path);
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    const c = new Churner(sock, rate);
    let hello = false;
    sock.on('data', (chunk: Buffer) => {
      for (const raw of c.framer.push(chunk).messages) {
        const m = decodeMessage(raw);
        if (isOFError(m)) continue;
        if (m.type === 'hello') hello = true;
        else if (m.type === 'echo_request') c.send({ type: 'echo_reply', xid: m.xid, data: m.data });
        else if (m.type === 'error') c.errors++;
        else if (m.type === 'barrier_reply') {
          while (c.barriers.length > 0 && c.barriers[0]![0] <= m.xid) c.applied = c.barriers.shift()![1];
        }
      }
    });
    sock.on('error', () => {});
    c.send({ type: 'hello', xid: c.xid++, versions: [4] });
    const end = Date.now() + 5000;
    while (!hello) {
      if (Date.now() > end) throw new Error(`no OpenFlow hello on ${path}`);
      await sleep(5);
    }
    return c;
  }

  private send(m: OFMessage): boolean {
    return this.sock.destroyed ? false : this.sock.write(encodeMessage(m));
  }

  /** Flow j of the churn set: in_port=1, ip, nw_dst=10.91.hi.lo → output:2 (never the traffic's). */
  private flowMod(j: number, command: number): OFMessage {
    const dst = (10 << 24) | (91 << 16) | (j % 4096);
    return {
      type: 'flow_mod', xid: this.xid++,
      ...fm({
        command, priority: 5, outPort: OFPP_ANY,
        match: [oxm('in_port', 1), oxm('eth_type', 0x0800), oxm('ipv4_dst', dst >>> 0)],
        instructions: command === OFPFC_ADD ? [apply(out(2))] : [],
      }),
    };
  }

  start(): void {
    this.t0 = performance.now();
    this.timer = setInterval(() => this.tick(), 10);
  }

  private tick(): void {
    const now = performance.now();
    const due = Math.floor(((now - this.t0) / 1000) * this.rate) - this.sent;
    // the rate is kept when the switch keeps up; a full socket buffer skips a tick
    for (let i = 0; i < due; i++) {
      const add = this.adds - this.dels < this.window || (this.adds + this.dels) % 2 === 0;
      const ok = this.send(add ? this.flowMod(this.adds++, OFPFC_ADD) : this.flowMod(this.dels++, OFPFC_DELETE_STRICT));
      this.sent++;
      if (!ok) break;
    }
    if (now - this.lastBarrier >= 100) {
      this.lastBarrier = now;
      const x = this.xid++;
      this.barriers.push([x, this.sent]);
      this.send({ type: 'barrier_request', xid: x });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const x = this.xid++;
    this.barriers.push([x, this.sent]);
    this.send({ type: 'barrier_request', xid: x });
    const end = Date.now() + 10_000;
    while (this.applied < this.sent && Date.now() < end) await sleep(10);
    this.sock.end();
  }
}

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function counters(e: Exposition, bridge: string): Counters {
  const get = (name: string, labels: Record<string, string>) =>
    e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
  const names = [...new Set(e.samples.filter((s) => s.name === 'sluice_port_rx_packets_total' && s.labels.bridge === bridge).map((s) => s.labels.port!))];
  const ports = names.map((name) => {
    const l = { bridge, port: name };
    const ofport = e.samples.find((s) => s.name === 'sluice_port_rx_packets_total' && s.labels.port === name)!.labels.ofport!;
    return {
      name, ofport, rx: get('sluice_port_rx_packets_total', l), rxDropped: get('sluice_port_rx_dropped_total', l),
      tx: get('sluice_port_tx_packets_total', l), txDropped: get('sluice_port_tx_dropped_total', l), txErrors: get('sluice_port_tx_errors_total', l),
    };
  });
  const b = { bridge };
  return {
    ports,
    drops: get('sluice_datapath_dropped_total', b),
    lookups: get('sluice_table_lookups_total', b), matches: get('sluice_table_matches_total', b), rules: get('sluice_table_rules', { bridge, table: '0' }),
  };
}

function minus(a: Counters, b: Counters): Counters {
  return {
    ports: a.ports.map((p) => {
      const q = b.ports.find((x) => x.name === p.name);
      return q ? { ...p, rx: p.rx - q.rx, rxDropped: p.rxDropped - q.rxDropped, tx: p.tx - q.tx, txDropped: p.txDropped - q.txDropped, txErrors: p.txErrors - q.txErrors } : p;
    }),
    drops: a.drops - b.drops,
    lookups: a.lookups - b.lookups, matches: a.matches - b.matches, rules: a.rules,
  };
}

const kernelRx = (dev: string) => Number(readFileSync(`/sys/class/net/${dev}/statistics/rx_packets`, 'utf8'));

/** Runs flood.py in `ns` for `seconds` at `rate`; resolves to the count it sent. */
function flood(ns: string, dst: string, size: number, rate: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn('ip', ['netns', 'exec', ns, 'python3', FLOOD, 'eth0', dst, String(size), String(Math.round(rate)), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let outText = '';
    let errText = '';
    c.stdout.on('data', (d: Buffer) => (outText += d.toString()));
    c.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(Number(outText.trim())) : reject(new Error(`flood.py exited ${code}: ${errText}`))));
  });
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const say = opts.progress ?? (() => {});
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-soak-'));
  const failures: string[] = [];
  try {
    const a = await quietNetns(lab, 'a');
    const b = await quietNetns(lab, 'b');
    const ao = lab.name('ao');
    const bo = lab.name('bo');
    await lab.veth(a, 'eth0', ao, '10.79.0.1/24');
    await lab.veth(b, 'eth0', bo, '10.79.0.2/24');
    const bMac = await macOf(b, 'eth0');
    const br = lab.name('sk');
    const rd = join(dir, 'rd');
    const d = await startSluice(['--bridge', br, '--fail-mode', 'secure', '--rundir', rd, '--metrics', '127.0.0.1:0',
      '--port', `${ao}@ofport=1`, '--port', `${bo}@ofport=2`]);
    const pid = d.child.pid!;
    const url = /metrics on (http:\/\/\S+)/.exec(await d.waitFor(/metrics on http/))![1]!;
    const scrape = async () => counters(parseExposition(await (await fetch(url)).text()), br);
    const mgmt = join(rd, `${br}.mgmt`);

    // the flows: the traffic's and flows-1 others, all from port 1
    const lines = [`priority=100,in_port=1,ip,nw_dst=${TRAFFIC_DST},actions=output:2`];
    for (let i = 0; lines.length < opts.flows; i++) lines.push(`priority=10,in_port=1,ip,nw_dst=10.90.${i >> 8}.${i & 255},actions=output:2`);
    const file = join(dir, 'flows.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const t0 = performance.now();
    await sh(`ovs-ofctl -O OpenFlow13 add-flows unix:${mgmt} ${file}`, 120_000);
    say(`${opts.flows} flows installed with ovs-ofctl add-flows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const churn = await Churner.connect(mgmt, opts.churn);
    churn.start();

    // the forwarding rate, with the churn on: 2 s flat out to warm up (JIT, caches), then
    // 5 s flat out measured
    await flood(a, bMac, opts.size, 5_000_000, 2);
    await sleep(500);
    const m0 = await scrape();
    const tm0 = performance.now();
    await flood(a, bMac, opts.size, 5_000_000, 5);
    const m1 = await scrape();
    const txOf = (c: Counters) => c.ports.find((p) => p.name === bo)?.tx ?? 0;
    const measuredRate = (txOf(m1) - txOf(m0)) / ((performance.now() - tm0) / 1000);
    const offeredRate = Math.max(1, Math.floor(measuredRate * opts.fraction));
    // ring drops at the ingress while flat out: the switch, not the generator, set the rate
    const rxdOf = (c: Counters) => c.ports.find((p) => p.name === ao)?.rxDropped ?? 0;
    const limitedBy = rxdOf(m1) > rxdOf(m0) ? 'switch' : 'generator';
    say(`forwarding rate ${Math.round(measuredRate)} frames/s (${opts.size} B, churn ${opts.churn}/s, limited by the ${limitedBy}); offering ${offeredRate} frames/s`);
    await sleep(1000);

    // the soak
    const seconds = Math.round(opts.minutes * 60);
    const base = await scrape();
    const kBase = kernelRx(ao);
    const start = performance.now();
    const churnBase = churn.sent;
    const appliedBase = churn.applied;
    const gen = flood(a, bMac, opts.size, offeredRate, seconds);
    let genDone = false;
    void gen.finally(() => (genDone = true)).catch(() => {});
    const samples: SoakSample[] = [];
    while (!genDone) {
      await sleep(opts.sampleSec * 1000);
      if (d.exitCode !== null) break;
      const t = (performance.now() - start) / 1000;
      const c = minus(await scrape(), base);
      const s: SoakSample = { t, rssMiB: rssMiB(pid), rules: c.rules, rx: c.ports.find((p) => p.name === ao)?.rx ?? 0, tx: c.ports.find((p) => p.name === bo)?.tx ?? 0 };
      samples.push(s);
      say(`${t.toFixed(0).padStart(5)} s  RSS ${s.rssMiB.toFixed(1)} MiB  rules ${s.rules}  rx ${s.rx}  tx ${s.tx}  churn applied ${churn.applied}/${churn.sent}  errors ${churn.errors}`);
    }
    const sent = await gen.catch((e: Error) => { failures.push(e.message); return 0; });
    const elapsed = (performance.now() - start) / 1000;
    await churn.stop(); // waits for the barrier after the last flow-mod
    const churnSent = churn.sent - churnBase;
    await sleep(1000); // let the last frames through
    const alive = d.exitCode === null;
    if (!alive) failures.push(`the daemon exited (status ${d.exitCode}): ${d.lines.slice(-5).join(' | ')}`);
    const delta = minus(alive ? await scrape() : base, base);
    const kRx = kernelRx(ao) - kBase;

    // RSS slope over the samples after the first 20 %
    const late = samples.filter((s) => s.t >= 0.2 * seconds);
    const slopeMiBPerMin = slope(late.map((s) => s.t / 60), late.map((s) => s.rssMiB));
    if (late.length < 3) failures.push(`only ${late.length} RSS samples after the first 20 %`);
    if (slopeMiBPerMin > opts.maxSlope) failures.push(`RSS grows ${slopeMiBPerMin.toFixed(2)} MiB/min (limit ${opts.maxSlope})`);
    if (churn.errors !== 0) failures.push(`${churn.errors} OFPT_ERROR replies to the churn`);

    // the balance
    const ing = delta.ports.find((p) => p.name === ao);
    if (alive && ing) {
      if (ing.rx + ing.rxDropped !== sent) failures.push(`generator sent ${sent}, ingress ${ao} rx ${ing.rx} + rx_dropped ${ing.rxDropped} = ${ing.rx + ing.rxDropped}`);
      if (kRx !== sent) failures.push(`generator sent ${sent}, the kernel counted ${kRx} on ${ao}`);
      const sum = (f: (p: PortRow) => number) => delta.ports.reduce((x, p) => x + f(p), 0);
      const dpDrops = delta.drops;
      const rx = sum((p) => p.rx);
      const out = sum((p) => p.tx + p.txDropped + p.txErrors);
      if (rx !== out + dpDrops) failures.push(`switch: rx ${rx} ≠ tx+tx_dropped+tx_errors ${out} + datapath drops ${dpDrops} (unaccounted ${rx - out - dpDrops})`);
      const others = delta.ports.filter((p) => p !== ing);
      const otherRx = others.reduce((x, p) => x + p.rx, 0);
      const ingOut = others.reduce((x, p) => x + p.tx + p.txDropped + p.txErrors, 0);
      const ingDrops = dpDrops - otherRx; // the other ports' whole rx is dropped too (table misses)
      if (ing.rx !== ingOut + ingDrops) failures.push(`port ${ao}: rx ${ing.rx} ≠ out ${ingOut} + drops ${ingDrops} (unaccounted ${ing.rx - ingOut - ingDrops})`);
    }
    return {
      measuredRate, limitedBy, offeredRate, seconds: elapsed, sent, kernelRx: kRx,
      churn: { sent: churnSent, applied: churn.applied - appliedBase, errors: churn.errors, perSecond: churnSent / elapsed },
      samples, slopeMiBPerMin, delta, ingress: ao, alive, failures,
    };
  } finally {
    await killAll();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeSoak(r: SoakResult): string {
  const d = r.delta;
  const rows = d.ports.map((p) =>
    `  port ${p.name.padEnd(12)} ofport ${p.ofport.padEnd(5)} rx ${p.rx}  rx_dropped ${p.rxDropped}  tx ${p.tx}  tx_dropped ${p.txDropped}  tx_errors ${p.txErrors}`);
  const first = r.samples[0];
  const last = r.samples[r.samples.length - 1];
  return [
    `soak ${(r.seconds / 60).toFixed(1)} min: forwarding rate ${Math.round(r.measuredRate)}/s measured (limited by the ${r.limitedBy}), ${r.offeredRate}/s offered; generator sent ${r.sent} (kernel rx on ${r.ingress}: ${r.kernelRx})`,
    `  churn: ${r.churn.sent} flow-mods (${Math.round(r.churn.perSecond)}/s), ${r.churn.applied} applied by a barrier, ${r.churn.errors} errors`,
    `  RSS ${first?.rssMiB.toFixed(1)} → ${last?.rssMiB.toFixed(1)} MiB over ${r.samples.length} samples; slope after the first 20 %: ${r.slopeMiBPerMin.toFixed(3)} MiB/min`,
    ...rows,
    `  datapath drops ${d.drops} (all reasons); table lookups ${d.lookups}  matches ${d.matches}  misses ${d.lookups - d.matches}`,
    `  daemon ${r.alive ? 'alive (0 crashes)' : 'DEAD'}; ${r.failures.length === 0 ? 'every counter balances' : `${r.failures.length} failure(s):`}`,
    ...r.failures.map((f) => `    ${f}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      flows: { type: 'string', default: String(SOAK_DEFAULTS.flows) },
      churn: { type: 'string', default: String(SOAK_DEFAULTS.churn) },
      fraction: { type: 'string', default: String(SOAK_DEFAULTS.fraction) },
      size: { type: 'string', default: String(SOAK_DEFAULTS.size) },
      sample: { type: 'string', default: String(SOAK_DEFAULTS.sampleSec) },
      'max-slope': { type: 'string', default: String(SOAK_DEFAULTS.maxSlope) },
    },
  });
  const num = (k: keyof typeof values) => {
    const n = Number(values[k]);
    if (!Number.isFinite(n) || n <= 0) {
      process.stderr.write(`soak: --${k} "${values[k]}": expected a positive number\n`);
      process.exit(2);
    }
    return n;
  };
  const r = await runSoak({
    minutes: num('minutes'), flows: num('flows'), churn: num('churn'), fraction: num('fraction'), size: num('size'),
    sampleSec: num('sample'), maxSlope: num('max-slope'), progress: (l) => process.stdout.write(l + '\n'),
  });
  process.stdout.write(describeSoak(r) + '\n');
  process.exit(r.failures.length === 0 ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
