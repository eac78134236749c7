/**
 * One datapath worker (`--workers N`, issue #14 §3; DESIGN.md "Workers"): a thread that
 * runs a replica of a bridge — its own ports (AF_PACKET sockets joined to the port's
 * PACKET_FANOUT group in hash mode, so the kernel spreads flows over the workers and a flow
 * stays on one worker, in order; TAPs as one queue each of a multi-queue device), its own
 * pipeline copy, flow cache and burst loop. The control thread (threaded-bridge.ts, through
 * pool.ts) sends it every change in the order it applied them.
 *
 * Messages (structured clone): ReplicaRequest in, ReplicaReply out.
 *
 * Invariants
 *  - A replica applies the same mods in the same order as the control thread's pipeline, so
 *    it holds the same rules, groups and meters in the same order (counters.ts).
 *  - Replicas expire no rules (the control thread owns timeouts and sends the deletes).
 *  - Meters: each replica enforces 1/N of every band's rate and burst (an even split of the
 *    meter over N workers; a flow stays on one worker, so one flow gets 1/N of the rate).
 *  - Packet-ins: each replica admits at most 1/N of the bridge's packet-in limit (the agent's
 *    default, token-bucket.ts) before the control thread's own limit, so a flood costs the
 *    threads no more than the limit.
 *  - MAC learning: what a replica learns (new, moved, refreshed ≥ 1 s) goes to the control
 *    thread, which hands it to the other replicas; one applied from there is not sent back.
 *  - A mod the control thread accepted cannot fail here (same state, same checks): a
 *    failure is a bug and is reported as 'error', never silently skipped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isOFError } from '../../pipeline/errors.js';
import { DEFAULT_PACKET_IN_BURST, DEFAULT_PACKET_IN_RATE, TokenBucket } from '../../pipeline/token-bucket.js';
import type { Action, BridgePacketIn, FlowMod, GroupMod, MeterMod } from '../../pipeline/types.js';
import { OFPPR_MODIFY } from '../../pipeline/types.js';
import { AfPacketPort } from '../../ports/afpacket.js';
import { SluiceError } from '../../ports/errors.js';
import type { BridgePortInfo, Port } from '../../ports/port.js';
import { createPort } from '../../ports/spec.js';
import { TapPort } from '../../ports/tap.js';
import { Bridge } from '../bridge.js';
import type { BridgeConfig, BridgePortConfig } from '../config.js';
import { takeCounters, type ReplicaCounters } from './counters.js';

/** What a replica is started with (workerData). */
export interface ReplicaInit {
  /** the bridge's config, ports as specs with their ofports */
  config: BridgeConfig;
  /** this worker's index, 0..n-1, and how many there are */
  index: number;
  n: number;
  /** PACKET_FANOUT group id per AF_PACKET port spec (the same in every worker) */
  fanout: Record<string, number>;
  ringBytes?: number;
  /** Optional module whose default export drives the replica (benchmarks): it gets the
   * bridge and its ports, and resolves with a result sent back as {op:'driven'}. */
  driver?: string;
}

export type ReplicaRequest =
  | { op: 'flow_mod'; fm: FlowMod }
  | { op: 'group_mod'; gm: GroupMod }
  | { op: 'meter_mod'; mm: MeterMod }
  | { op: 'port_mod'; ofport: number; config: number; mask: number }
  | { op: 'packet_out'; inPort: number; actions: readonly Action[]; data: Uint8Array; metadata: bigint }
  | { op: 'add_port'; cfg: BridgePortConfig; fanout: number }
  | { op: 'remove_port'; ofport: number }
  | { op: 'mac_learn'; vlan: number; mac: number; port: number }
  | { op: 'barrier'; id: number }
  | { op: 'counters'; id: number }
  | { op: 'batch'; requests: ReplicaRequest[] }
  | { op: 'stop' };

export type ReplicaReply =
  | { op: 'ready'; links: [number, boolean][] }
  | { op: 'failed'; message: string }
  | { op: 'barrier'; id: number }
  | { op: 'counters'; id: number; counters: ReplicaCounters }
  | { op: 'packet_in'; pi: BridgePacketIn }
  | { op: 'port_status'; ofport: number; linkUp: boolean }
  | { op: 'mac_learned'; vlan: number; mac: number; port: number }
  | { op: 'driven'; result: unknown }
  | { op: 'error'; message: string };

/** A port as this replica opens it: AF_PACKET in its fanout group, TAPs as one queue. */
function replicaPort(spec: string, init: ReplicaInit, group: number | undefined): Port | SluiceError {
  const p = createPort(spec, init.ringBytes === undefined ? {} : { ringBytes: init.ringBytes });
  if (p instanceof SluiceError) return p;
  if (p instanceof AfPacketPort && group !== undefined) {
    return new AfPacketPort(p.ifname, { ...p.options, fanoutGroup: group, fanoutMode: 0 /* PACKET_FANOUT_HASH */ });
  }
  if (p instanceof TapPort) return new TapPort(p.name, { ...p.options, multiQueue: true });
  return p;
}

/** A meter-mod with each band's rate and burst split over n workers. */
function meterShare(mm: MeterMod, n: number): MeterMod {
  if (n === 1) return mm;
  return { ...mm, bands: mm.bands.map((b) => ({ ...b, rate: Math.max(1, Math.ceil(b.rate / n)), burstSize: Math.ceil(b.burstSize / n) })) };
}

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as ReplicaInit;
  const send = (m: ReplicaReply): void => port.postMessage(m);
  const ports = new Map<string, Port>();
  for (const pc of init.config.ports) {
    const p = replicaPort(pc.spec, init, init.fanout[pc.spec]);
    if (p instanceof SluiceError) return send({ op: 'failed', message: p.message });
    ports.set(pc.spec, p);
  }
  const bridge = Bridge.create({
    ...init.config,
    ports: init.config.ports.map((pc) => ({ ...pc, port: ports.get(pc.spec)! })),
    tapQueues: true,
    warmUp: init.index === 0 ? init.config.warmUp : false,
    workers: 1,
  });
  if (bridge instanceof SluiceError) return send({ op: 'failed', message: bridge.message });
  bridge.expiry = false;
  const limiter = new TokenBucket(DEFAULT_PACKET_IN_RATE / init.n, Math.max(1, Math.ceil(DEFAULT_PACKET_IN_BURST / init.n)), () => performance.now());
  bridge.packetInAdmission = () => (limiter.take() ? null : 'packet_in_limit');
  bridge.on('packet-in', (pi: BridgePacketIn) => send({ op: 'packet_in', pi }));
  if (init.index === 0) {
    bridge.on('port-status', (reason: number, info: BridgePortInfo) => {
      if (reason === OFPPR_MODIFY) send({ op: 'port_status', ofport: info.ofport, linkUp: info.linkUp });
    });
  }
  const mac = bridge.macTable();
  let relaying = false;
  mac.onLearn = (vlan, addr, p) => {
    if (!relaying) send({ op: 'mac_learned', vlan, mac: addr, port: p });
  };
  try {
    bridge.start();
  } catch (e) {
    return send({ op: 'failed', message: (e as Error).message });
  }
  const must = (what: string, r: unknown): void => {
    if (isOFError(r) || r instanceof SluiceError) send({ op: 'error', message: `worker ${init.index}: ${what} failed on the replica: ${(r as Error).message}` });
  };
  const handle = (m: ReplicaRequest): void => {
    switch (m.op) {
      case 'flow_mod': must('flow_mod', bridge.flowMod(m.fm)); break;
      case 'group_mod': must('group_mod', bridge.groupMod(m.gm)); break;
      case 'meter_mod': must('meter_mod', bridge.meterMod(meterShare(m.mm, init.n))); break;
      case 'port_mod': must('port_mod', bridge.portMod(m.ofport, m.config, m.mask)); break;
      case 'packet_out': must('packet_out', bridge.packetOut(m.inPort, m.actions, m.data, m.metadata)); break;
      case 'add_port': {
        const p = replicaPort(m.cfg.spec, init, m.fanout);
        if (!(p instanceof SluiceError)) ports.set(m.cfg.spec, p); // the driver's map too
        must(`add_port ${m.cfg.spec}`, p instanceof SluiceError ? p : bridge.addPort({ ...m.cfg, port: p }));
        break;
      }
      case 'remove_port': must('remove_port', bridge.removePort(m.ofport)); break;
      case 'mac_learn':
        relaying = true;
        mac.learn(m.vlan, m.mac, m.port, performance.now());
        relaying = false;
        break;
      case 'barrier': send({ op: 'barrier', id: m.id }); break;
      case 'counters': send({ op: 'counters', id: m.id, counters: takeCounters(bridge) }); break;
      case 'batch': for (const r of m.requests) handle(r); break; // no burst in between
      case 'stop':
        bridge.stop();
        port.close();
        break;
    }
  };
  port.on('message', handle);
  // the driver starts listening before 'ready', so nothing sent after it is missed
  const driven = init.driver === undefined ? null
    : ((await import(init.driver)) as { default: (b: Bridge, ports: Map<string, Port>, index: number) => Promise<unknown> }).default(bridge, ports, init.index);
  send({ op: 'ready', links: bridge.ports().map((p) => [p.ofport, p.linkUp]) });
  if (driven !== null) send({ op: 'driven', result: await driven });
}

if (parentPort !== null) void main();
