/**
 * `npm run bench:openflow` (started by bench/openflow/run.sh inside its switch namespace):
 * the OpenFlow control path of Sluice against Open vSwitch's userspace datapath, in one run.
 *
 *  (a) flow-mod rate: 100k ADD flow-mods (distinct exact ipv4_dst, output:1) written on the
 *      controller connection back to back, then a barrier; time = first byte written →
 *      barrier reply (OF1.3.5 §6.2: the reply means every earlier message is processed).
 *      The messages are encoded before the clock starts: the switch is measured, not us.
 *      Then an aggregate-stats request (§7.3.5.3) must count exactly 100k rules.
 *  (b) reactive round trip: a table-miss rule sends frames to the controller; per probe,
 *      host A (namespace) sends one UDP datagram from a new source port, the switch sends
 *      a packet-in, the controller answers with a flow-mod for that source port and a
 *      packet-out to port 2, and host B (namespace) receives it. Timestamps (one monotonic
 *      clock for the machine): sent at A, packet-in at the controller, packet-out written,
 *      received at B. Median and p99 over the samples after a short warm-up.
 *
 * Environment (set by run.sh): OFB_TMP, OFB_NS_A, OFB_NS_B, OFB_IP_B, OFB_IF1, OFB_IF2,
 * OFB_SWITCHES ("sluice ovs"), OFB_RULES (100000), OFB_SAMPLES (200), OFB_CTL_PORT,
 * OFB_SLUICE_NODE_ARGS (extra node flags for Sluice, e.g. --cpu-prof).
 *
 * Invariants: every switch is stopped in a finally block; the host helpers are killed on
 * exit; a failure of one switch is reported in its column and the other still runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { encodeMessage, type OFMessage } from '../src/openflow/index.js';
import { BenchController } from './openflow/controller.js';
import { aggregateRequest, deleteAll, installBatch, packetOut, probeOf, reactiveFlow, tableMiss } from './openflow/messages.js';
import { fmtInt, fmtRatio, fmtUs, summarize, type Summary } from './openflow/stats.js';
import { startOvs, startSluice, type SwitchUnderTest } from './openflow/switches.js';

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is not set (run through bench/openflow/run.sh)`);
  return v;
};
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const TMP = env('OFB_TMP');
const RULES = Number(env('OFB_RULES', '100000'));
const SAMPLES = Number(env('OFB_SAMPLES', '200'));
const WARMUP = 10;
const CTL_PORT = Number(env('OFB_CTL_PORT', '16653'));
const UDP_DPORT = 9000;
const IF1 = env('OFB_IF1');
const IF2 = env('OFB_IF2');

interface Result {
  how: string;
  error?: string;
  flowModsPerSec?: number;
  installMs?: number;
  rulesCounted?: number;
  switchErrors?: number;
  loop?: Summary; toController?: Summary; controller?: Summary; toHost?: Summary;
  lost?: number;
}

const log = (m: string) => process.stderr.write(`  ${m}\n`);
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;

/** A host helper in a namespace, with its stdout as a line stream. */
class Host {
  readonly child: ChildProcess;
  private handlers: ((line: string) => void)[] = [];
  constructor(ns: string, args: string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'bench/openflow/host.ts', ...args],
      { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (l) => { for (const h of this.handlers) h(l); });
  }
  on(h: (line: string) => void): void { this.handlers.push(h); }
  waitFor(prefix: string, timeoutMs: number): Promise<string | null> {
    return new Promise((resolve) => {
      const h = (l: string) => { if (l.startsWith(prefix)) done(l); };
      const t = setTimeout(() => done(null), timeoutMs);
      const done = (l: string | null) => { clearTimeout(t); this.handlers = this.handlers.filter((x) => x !== h); resolve(l); };
      this.handlers.push(h);
    });
  }
  send(line: string): void { this.child.stdin!.write(line + '\n'); }
  kill(): void { if (this.child.exitCode === null) this.child.kill('SIGTERM'); }
}

async function barrier(ctl: BenchController, xid: number, timeoutMs = 120_000): Promise<void> {
  const r = await ctl.request(encodeMessage({ type: 'barrier_request', xid }), xid, timeoutMs);
  if (r.type !== 'barrier_reply') throw new Error(`barrier: got ${r.type}`);
}

async function flowModRate(ctl: BenchController, batch: Buffer, res: Result): Promise<void> {
  ctl.write(deleteAll(0x7e000001));
  await barrier(ctl, 0x7e000002);
  const errorsBefore = ctl.errors;
  const CHUNK = 256 * 1024;
  const t0 = process.hrtime.bigint();
  for (let off = 0; off < batch.length; off += CHUNK) {
    if (!ctl.write(batch.subarray(off, Math.min(batch.length, off + CHUNK)))) await ctl.drain();
  }
  await barrier(ctl, 0x7e000003);
  const t1 = process.hrtime.bigint();
  res.installMs = ms(t0, t1);
  res.flowModsPerSec = RULES / (res.installMs / 1000);
  res.switchErrors = ctl.errors - errorsBefore;
  const agg: OFMessage = await ctl.request(aggregateRequest(0x7e000004), 0x7e000004, 60_000);
  if (agg.type === 'multipart_reply' && agg.body.kind === 'aggregate') res.rulesCounted = agg.body.flowCount;
  log(`${fmtInt(RULES)} flow-mods in ${res.installMs.toFixed(0)} ms → ${fmtInt(res.flowModsPerSec)}/s; aggregate says ${res.rulesCounted} rules; ${res.switchErrors} errors`);
}

async function roundTrips(ctl: BenchController, a: Host, b: Host, portBase: number, res: Result): Promise<void> {
  ctl.write(deleteAll(0x7d000001));
  ctl.write(tableMiss(0x7d000002));
  await barrier(ctl, 0x7d000003);
  const atController = new Map<number, { inNs: bigint; outNs: bigint }>();
  let xid = 0x7c000000;
  let packetIns = 0, others = 0;
  ctl.onPacketIn = (pi, arrived) => {
    packetIns++;
    const p = probeOf(pi.data);
    if (!p) { others++; return; } // not one of our probes (should not happen: IPv6 is off)
    const reply = Buffer.concat([reactiveFlow(xid++, 1, p.udpSrc, 2), packetOut(xid++, 1, 2, pi.data)]);
    ctl.write(reply);
    atController.set(p.seq, { inNs: arrived, outNs: process.hrtime.bigint() });
  };
  const loop: number[] = [], toCtl: number[] = [], inCtl: number[] = [], toHost: number[] = [];
  let lost = 0;
  for (let seq = 0; seq < WARMUP + SAMPLES; seq++) {
    const got = b.waitFor(`got ${seq} `, 1000);
    a.send(`${seq} ${portBase + seq}`);
    const line = await got;
    if (seq < WARMUP) continue;
    const c = atController.get(seq);
    if (!line || !c) { lost++; continue; }
    const [, , sent, arrived] = line.split(' ');
    const sentNs = BigInt(sent!), arrivedNs = BigInt(arrived!);
    loop.push(Number(arrivedNs - sentNs) / 1000);
    toCtl.push(Number(c.inNs - sentNs) / 1000);
    inCtl.push(Number(c.outNs - c.inNs) / 1000);
    toHost.push(Number(arrivedNs - c.outNs) / 1000);
  }
  ctl.onPacketIn = null;
  Object.assign(res, { loop: summarize(loop), toController: summarize(toCtl), controller: summarize(inCtl), toHost: summarize(toHost), lost });
  log(`loop median ${fmtUs(res.loop!.median)}, p99 ${fmtUs(res.loop!.p99)} over ${loop.length} probes; ${lost} lost; ` +
    `${packetIns} packet-ins (${others} not probes)`);
}

async function benchOne(name: string, ctl: BenchController, batch: Buffer, a: Host, b: Host, portBase: number): Promise<Result> {
  process.stderr.write(`-- ${name}\n`);
  const res: Result = { how: '' };
  let sw: SwitchUnderTest | null = null;
  try {
    sw = name === 'sluice'
      ? await startSluice(REPO, join(TMP, 'sluice'), CTL_PORT, IF1, IF2)
      : await startOvs(join(TMP, 'ovs'), CTL_PORT, IF1, IF2);
    res.how = sw.how;
    await ctl.waitForSwitch(30_000);
    await flowModRate(ctl, batch, res);
    await roundTrips(ctl, a, b, portBase, res);
  } catch (e) {
    res.error = (e as Error).message;
    log(`FAILED: ${res.error}`);
  } finally {
    ctl.disconnect();
    await sw?.stop();
  }
  return res;
}

function report(results: Map<string, Result>): void {
  const s = results.get('sluice'), o = results.get('ovs');
  const rows: [string, (r: Result) => number | undefined, (v: number) => string, boolean][] = [
    [`flow-mods/s (${fmtInt(RULES)} rules → barrier reply)`, (r) => r.flowModsPerSec, fmtInt, true],
    ['rules counted afterwards (aggregate stats)', (r) => r.rulesCounted, fmtInt, false],
    ['errors from the switch during install', (r) => r.switchErrors, fmtInt, false],
    ['loop A → packet-in → packet-out → B, median', (r) => r.loop?.median, fmtUs, true],
    ['loop A → packet-in → packet-out → B, p99', (r) => r.loop?.p99, fmtUs, true],
    ['  A → packet-in at controller, median', (r) => r.toController?.median, fmtUs, true],
    ['  A → packet-in at controller, p99', (r) => r.toController?.p99, fmtUs, true],
    ['  controller (packet-in → flow-mod+packet-out written), median', (r) => r.controller?.median, fmtUs, false],
    ['  controller, p99', (r) => r.controller?.p99, fmtUs, false],
    ['  packet-out written → B, median', (r) => r.toHost?.median, fmtUs, true],
    ['  packet-out written → B, p99', (r) => r.toHost?.p99, fmtUs, true],
    ['probes lost (of the samples)', (r) => r.lost, fmtInt, false],
  ];
  const w = 64;
  const cell = (r: Result | undefined, f: (r: Result) => number | undefined, fmt: (v: number) => string) => {
    if (!r) return 'not run';
    const v = f(r);
    return v === undefined ? (r.error ? 'failed' : 'n/a') : fmt(v);
  };
  const out = [`${'figure'.padEnd(w)} ${'sluice'.padStart(12)} ${'ovs'.padStart(12)} ${'sluice/ovs'.padStart(11)}`];
  for (const [label, f, fmt, ratio] of rows) {
    const sv = s ? f(s) : undefined, ov = o ? f(o) : undefined;
    out.push(`${label.padEnd(w)} ${cell(s, f, fmt).padStart(12)} ${cell(o, f, fmt).padStart(12)} ${(ratio && sv !== undefined && ov !== undefined ? fmtRatio(sv, ov) : '').padStart(11)}`);
  }
  for (const [n, r] of results) out.push(`${n}: ${r.how || '(did not start)'}${r.error ? ` — FAILED: ${r.error}` : ''}`);
  out.push(`(latencies: ${SAMPLES} probes after ${WARMUP} warm-up; flow-mod ratio > 1 = Sluice faster, latency ratio < 1 = Sluice faster)`);
  process.stdout.write(out.join('\n') + '\n');
}

async function main(): Promise<void> {
  const names = env('OFB_SWITCHES', 'sluice ovs').split(/\s+/).filter(Boolean);
  process.stderr.write(`encoding ${fmtInt(RULES)} flow-mods...\n`);
  const batch = installBatch(RULES);
  const ctl = new BenchController();
  await ctl.listen(CTL_PORT);
  const b = new Host(env('OFB_NS_B'), ['recv', String(UDP_DPORT)]);
  const a = new Host(env('OFB_NS_A'), ['send', env('OFB_IP_B'), String(UDP_DPORT)]);
  const killHosts = () => { a.kill(); b.kill(); };
  process.on('exit', killHosts);
  try {
    const up = await Promise.all([b.waitFor('ready', 20_000), a.waitFor('ready', 20_000)]);
    if (up.includes(null)) throw new Error('host helpers did not start');
    const results = new Map<string, Result>();
    for (const [i, n] of names.entries()) results.set(n, await benchOne(n, ctl, batch, a, b, 20000 + i * 1000));
    report(results);
  } finally {
    killHosts();
    ctl.close();
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`bench:openflow: ${(e as Error).message}\n`);
  process.exit(1);
});
