/**
 * The fast path (DESIGN.md "Rules of the fast path"): one burst from a ready port →
 *
 *   parse every frame into its burst slot's reused FlowKey → hash → touch the cache lines
 *   for each frame: flow cache lookup
 *       hit:  account the entry's rules/groups/buckets, run its ops (meters per packet)
 *       miss: pipeline.decide → run → cache the entry if decision.cacheable, shared
 *             with every flow whose decision is the same (entry-intern.ts)
 *   outputs go to per-port staging queues: unmodified frames by reference into the
 *   input port's receive memory (zero copy), rewritten ones copied; after the burst,
 *   ONE txBurst per port that has output (it sends from both buffers, in order).
 *
 * Invariants
 *  - A cached entry is used only under the generation it was made in. The datapath
 *    generation changes whenever the pipeline's does (flow/group/meter mods, expiry, port
 *    changes, fail-open: the bridge bumps it) or the MAC table's version does. It is
 *    checked per packet, so even a change made by an event listener in the middle of a
 *    burst (packet-in → flow-mod) applies to the very next packet.
 *  - Counters are exact at every moment: pipeline.account() runs per packet, before the
 *    ops, on cache hits and misses alike, and for every decision that looked up a table
 *    (a table miss that drops included: OF1.3.5 §7.3.5.4 lookup_count); meters count
 *    themselves in Meter.apply.
 *  - Nothing is allocated per packet on a hit. A miss allocates its Decision and entry.
 *  - A frame the parser gave up on (M_MALFORMED: truncated, bad lengths) is dropped as
 *    `malformed` before the tables: no rule ever acts on a half-parsed frame (a runt,
 *    < 14 bytes, is dropped as `runt` the same way). Every drop is counted by reason
 *    (drops.ts).
 *  - Reserved ports resolved here (OF1.3.5 §4.5): FLOOD/ALL = every live port but the
 *    ingress one and ports with OFPPC_NO_FWD (FLOOD also OFPPC_NO_FLOOD); NORMAL in
 *    normal.ts; CONTROLLER = a 'packet-in' with a copy of the frame (unless the ingress
 *    port has OFPPC_NO_PACKET_IN); LOCAL = the bridge's internal port. (A packet-out's
 *    output:TABLE is already a branch through the tables in its Decision.)
 */
import {
  FlowKey, KEY_WORDS, M_MALFORMED, OFPVID_PRESENT, W_METADATA_HI, W_METADATA_LO, W_TUNNEL_HI, W_TUNNEL_LO, hashKeyWords, vlanVidOf, W_TUN_DST, W_TUN_SRC,
} from '../packet/flow-key.js';
import { parseFrame } from '../packet/parse.js';
import type { Decision, Op } from '../pipeline/decision.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Rule } from '../pipeline/rule.js';
import {
  OFPPC_NO_FLOOD, OFPPC_NO_FWD, OFPPC_NO_PACKET_IN, OFPPC_NO_RECV, OFPPC_PORT_DOWN,
  OFPP_ALL, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_NORMAL, OFPR_ACTION,
} from '../pipeline/types.js';
import type { FrameBatch } from '../ports/port.js';
import type { BridgePort } from './bridge-port.js';
import {
  DROP_REASONS, D_MALFORMED, D_NO_CONTROLLER, D_NO_OUTPUT, D_NO_PACKET_IN, D_NO_PORT, D_PACKET_IN_LIMIT, D_PORT_DOWN, D_PORT_NO_FWD, D_RUNT, D_TABLE_MISS,
} from './drops.js';
import type { BridgePacketIn } from './events.js';
import { EntryInterner, type CacheEntry } from './entry-intern.js';
import { FlowCache } from './flow-cache.js';
import { type MacLearningTable } from './mac-learning.js';
import { normalForward, type NormalContext } from './normal.js';
import { OpRunner, type OutputOp, type Sink, type WorkFrame } from './run-ops.js';
import { setTunnelFromBatch, tagTunnel } from './tunnel-tags.js';

const ETH_HLEN = 14;

interface DatapathHooks {
  packetIn(pi: BridgePacketIn): void;
  /** Asked before a packet-in is built: null = send it; otherwise why not (no controller
   * wants packet-ins of this reason, or the rate limit refused it). Allocates nothing. */
  admitPacketIn(reason: number): 'no_controller' | 'packet_in_limit' | null;
  /** rxBurst/txBurst returned -errno: the port failed. */
  portError(p: BridgePort, errno: number): void;
}

const NORMAL_OP: Op = { op: 'output', port: OFPP_NORMAL, maxLen: 0, reason: OFPR_ACTION, tableId: 0, cookie: 0n };
/** Fail-open (standalone bridge without controllers): every packet goes to NORMAL. */
const FAIL_OPEN: Decision<Rule> = {
  ops: [NORMAL_OP], rules: [], groups: [], buckets: [], meters: [], tablesVisited: [], matched: [],
  cacheable: true, generation: 0,
};

export class Datapath implements Sink, NormalContext {
  readonly ports = new Map<number, BridgePort>();
  portList: BridgePort[] = [];
  readonly cache: FlowCache<CacheEntry> | null;
  /** Frames dropped, by reason (drops.ts D_* index). */
  readonly drops = new Float64Array(DROP_REASONS.length);
  /** Outputs staged and drops counted so far: execute() tells from them whether a packet
   * went anywhere or was dropped with a reason. */
  private outs = 0;
  private dropped = 0;
  /** Packet-ins built during a burst, handed to the listeners once its outputs are sent
   * (so a flood toward the controller does not delay the burst's forwarding). */
  private readonly pendingPins: BridgePacketIn[] = [];
  uncacheable = 0;
  /** Frames drain() has received (the busy poller tells traffic from none by it). */
  received = 0;
  failOpen = false;
  /** Unmodified frames are sent from the receive memory (TxQueue.pushRef); false = copy
   * every frame into the staging queue (the "before" of bench/datapath.bench.ts). */
  zeroCopy = true;
  /** The receive memory of the burst being forwarded (null outside a burst). */
  private rxBuf: Uint8Array | null = null;
  private rxVnet = false;
  private readonly runner = new OpRunner(this);
  private poRunner: OpRunner | null = null;
  private readonly savedWords = new Uint32Array(KEY_WORDS);
  /** Keys and hashes of the burst being forwarded, parsed ahead of the lookups so that the
   * flow cache's memory can be touched for the whole burst first (FlowCache.touch). */
  private readonly burstKeys: FlowKey[] = [];
  private burstHashes = new Uint32Array(256);
  /** Where touch() results go, so the compiler keeps the loads. */
  touched = 0;
  /** Flows with equal decisions share one cache entry (entry-intern.ts). */
  private readonly interner = new EntryInterner();
  private readonly dirty: BridgePort[] = [];
  private dpGen = 1;
  private lastPg = -1;
  private lastMv = -1;
  // The packet being run (saved/restored around nested runs from packet-out).
  private cur: CacheEntry | null = null;
  private hit = false;
  private inPort = 0;
  private now = 0;
  private inBurst = false;

  constructor(
    readonly pipeline: Pipeline,
    readonly mac: MacLearningTable,
    private readonly hooks: DatapathHooks,
    private readonly clock: () => number,
    cacheEntries: number | null,
  ) {
    this.cache = cacheEntries === null ? null : new FlowCache<CacheEntry>(cacheEntries);
  }

  port(ofport: number): BridgePort | undefined {
    return this.ports.get(ofport);
  }

  /** The generation cache entries are made and looked up under (see module comment). */
  generation(): number {
    const pg = this.pipeline.generation;
    const mv = this.mac.version;
    if (pg !== this.lastPg || mv !== this.lastMv) {
      this.lastPg = pg;
      this.lastMv = mv;
      this.dpGen = (this.dpGen + 1) >>> 0 || 1;
    }
    return this.dpGen;
  }

  /** Receives and forwards up to `maxBursts` bursts from `p`. Returns true when the last
   * burst was full (more may be waiting: the caller schedules another drain). */
  drain(p: BridgePort, burstSize: number, maxBursts: number): boolean {
    // A port's own limit caps the burst: a short burst then still means "empty".
    const burst = Math.min(burstSize, p.port.maxBurst);
    for (let b = 0; b < maxBursts; b++) {
      const n = p.port.rxBurst(burst);
      if (n < 0) {
        this.hooks.portError(p, n);
        return false;
      }
      if (n === 0) return false;
      this.received += n;
      this.burst(p, p.port.burst, n);
      if (n < burst) return false;
    }
    return true;
  }

  /** Forwards the n frames of `batch` received on `p`, then flushes every output queue. */
  burst(p: BridgePort, batch: FrameBatch, n: number): void {
    if ((p.config & (OFPPC_NO_RECV | OFPPC_PORT_DOWN)) !== 0) {
      this.drops[D_PORT_DOWN]! += n;
      return;
    }
    const now = this.clock();
    this.inBurst = true;
    // the burst's ingress port and time, read by frame()/execute() and the Sink outputs
    this.inPort = p.ofport;
    this.now = now;
    this.rxBuf = this.zeroCopy ? batch.buf : null;
    this.rxVnet = batch.vnet;
    try {
      // Parse (and hash) the whole burst first, touch the flow-cache lines its lookups will
      // read, then forward frame by frame in order. Frames are not changed in the receive
      // memory (rewrites copy first), so a key parsed ahead stays the frame's key.
      const keys = this.burstKeys;
      while (keys.length < n) keys.push(new FlowKey());
      if (this.burstHashes.length < n) this.burstHashes = new Uint32Array(n);
      const hashes = this.burstHashes;
      const cache = this.cache;
      const tun = batch.tun ?? null; // frames from a tunnel port carry its metadata
      for (let i = 0; i < n; i++) {
        const len = batch.lens[i]!;
        if (len < ETH_HLEN) continue;
        const k = keys[i]!;
        parseFrame(batch.buf, batch.offs[i]!, len, p.ofport, k);
        if (tun !== null) setTunnelFromBatch(k, tun, i);
        if (cache !== null) hashes[i] = hashKeyWords(k.words);
      }
      if (cache !== null && n > 1) this.touched = cache.touch(hashes, n);
      for (let i = 0; i < n; i++) {
        const len = batch.lens[i]!;
        if (len < ETH_HLEN) this.drops[D_RUNT]!++;
        else this.frame(batch, i, keys[i]!, hashes[i]!);
      }
    } finally {
      this.inBurst = false;
      // Must flush before the next rxBurst on `p`: queues may reference its frames.
      this.flush();
      this.rxBuf = null;
      if (this.pendingPins.length !== 0) this.emitPacketIns();
    }
  }

  /** Forwards frame `i` of `batch` (of the burst's port, at the burst's time) whose key is
   * parsed (and hashed when there is a cache). A frame the parser gave up on part way is
   * dropped and counted, never forwarded half-parsed. */
  private frame(batch: FrameBatch, i: number, key: FlowKey, h: number): void {
    if (key.meta[M_MALFORMED] === 1) {
      this.drop(D_MALFORMED);
      return;
    }
    this.runner.setKey(key);
    const cache = this.cache;
    if (cache !== null) {
      const e = cache.lookup(key.words, h, this.generation());
      if (e !== undefined) {
        this.execute(e, true, batch, i);
        return;
      }
      this.savedWords.set(key.words);
    }
    const pg = this.pipeline.generation;
    const off = batch.offs[i]!;
    const d = this.failOpen ? FAIL_OPEN : this.pipeline.decide(key, this.now, { frame: batch.buf.subarray(off, off + batch.lens[i]!) });
    const e: CacheEntry = { d, macRef: null };
    this.execute(e, false, batch, i);
    if (cache === null) return;
    if (!d.cacheable) this.uncacheable++;
    else if (this.pipeline.generation === pg) {
      const gen = this.generation();
      if (!cache.insert(this.savedWords, h, gen, this.interner.intern(e, gen))) this.uncacheable++;
    }
  }

  private execute(e: CacheEntry, hit: boolean, batch: FrameBatch, i: number): void {
    const len = batch.lens[i]!;
    this.cur = e;
    this.hit = hit;
    // Every table the packet visited counts it, hit or miss (OF1.3.5 §7.3.5.4
    // ofp_table_stats lookup_count / matched_count): a drop on a miss without a
    // table-miss entry matched no rule but still looked up. Only the fail-open (NORMAL)
    // decision visits no table. A cached entry replays the same tables and results.
    if (e.d.tablesVisited.length !== 0) this.pipeline.account(e.d, 1, len, this.now);
    const outs = this.outs;
    const dropped = this.dropped;
    this.runner.run(e.d.ops, batch.buf, batch.offs[i]!, len, batch.vnet, this.inPort, this.now);
    this.cur = null;
    // went nowhere and no path said why: the tables dropped it (a miss without a
    // table-miss entry), or its actions had no output that took it
    if (this.outs === outs && this.dropped === dropped) {
      const m = e.d.matched;
      this.drop(m.length !== 0 && !m[m.length - 1] ? D_TABLE_MISS : D_NO_OUTPUT);
    }
  }

  // ---- packet-out (OF1.3.5 §7.3.7)

  /** Runs a packet-out's decision (pipeline.packetOutDecision: output:TABLE is a branch
   * through the tables in it) on `data` as if received on `inPort`, counting the rules
   * it matched. */
  packetOut(d: Decision<Rule>, inPort: number, data: Uint8Array): void {
    const r = (this.poRunner ??= new OpRunner(this));
    const saved = [this.cur, this.hit, this.inPort, this.now] as const;
    const now = this.clock();
    parseFrame(data, 0, data.length, inPort, r.key);
    this.cur = null;
    this.hit = false;
    this.inPort = inPort;
    this.now = now;
    // output:TABLE looked the packet up (§7.3.5.4), whether or not a rule matched.
    if (d.tablesVisited.length !== 0) this.pipeline.account(d, 1, data.length, now);
    r.run(d.ops, data, 0, data.length, false, inPort, now);
    [this.cur, this.hit, this.inPort, this.now] = saved;
    if (!this.inBurst) this.flush();
  }

  // ---- Sink: outputs

  output(port: number, f: WorkFrame, op: OutputOp): void {
    switch (port) {
      case OFPP_CONTROLLER: this.packetIn(f, op); return;
      case OFPP_NORMAL: normalForward(this, f, this.inPort, this.cur, this.hit, this.now); return;
      case OFPP_FLOOD:
      case OFPP_ALL: {
        const skip = port === OFPP_FLOOD ? OFPPC_NO_FWD | OFPPC_NO_FLOOD : OFPPC_NO_FWD;
        const ports = this.portList;
        for (let i = 0; i < ports.length; i++) {
          const p = ports[i]!;
          if (p.ofport !== this.inPort && p.live && (p.config & skip) === 0) this.stage(p, f);
        }
        return;
      }
      default: {
        const p = this.ports.get(port);
        if (p === undefined) this.drop(D_NO_PORT);
        else if ((p.config & (OFPPC_NO_FWD | OFPPC_PORT_DOWN)) !== 0) this.drop(D_PORT_NO_FWD);
        else this.stage(p, f);
      }
    }
  }

  drop(reason: number): void {
    this.drops[reason]!++;
    this.dropped++;
  }

  /** The packet-ins of the burst just forwarded, to the listeners (the agent). */
  private emitPacketIns(): void {
    const pins = this.pendingPins;
    for (let i = 0; i < pins.length; i++) this.hooks.packetIn(pins[i]!);
    pins.length = 0;
  }

  private packetIn(f: WorkFrame, op: OutputOp): void {
    const inRec = this.ports.get(this.inPort);
    if (inRec !== undefined && (inRec.config & OFPPC_NO_PACKET_IN) !== 0) {
      this.drop(D_NO_PACKET_IN);
      return;
    }
    // admission first: a refused packet-in costs no copy and no allocation
    const refused = this.hooks.admitPacketIn(op.reason);
    if (refused !== null) {
      this.drop(refused === 'no_controller' ? D_NO_CONTROLLER : D_PACKET_IN_LIMIT);
      return;
    }
    this.outs++;
    const w = f.key.words;
    const pi: BridgePacketIn = {
      reason: op.reason, tableId: op.tableId, cookie: op.cookie, inPort: this.inPort,
      // §7.4.1: the values the pipeline had at this output; decide() records those it
      // changed in the op, the others are still the packet's own (the key's).
      metadata: op.metadata ?? (BigInt(w[W_METADATA_HI]!) << 32n) | BigInt(w[W_METADATA_LO]!),
      tunnelId: op.tunnelId ?? (BigInt(w[W_TUNNEL_HI]!) << 32n) | BigInt(w[W_TUNNEL_LO]!),
      tunSrc: op.tunSrc ?? w[W_TUN_SRC]!, tunDst: op.tunDst ?? w[W_TUN_DST]!,
      totalLen: f.len, maxLen: op.maxLen, data: f.buf.slice(f.start, f.start + f.len),
    };
    if (this.inBurst) this.pendingPins.push(pi);
    else this.hooks.packetIn(pi);
  }

  private stage(p: BridgePort, f: WorkFrame): void {
    this.outs++;
    if (p.tx.count === 0) this.dirty.push(p);
    // Not owned = not rewritten: still the bytes (and header) in the receive memory.
    if (!f.owned && f.buf === this.rxBuf) p.tx.pushRef(f.buf, this.rxVnet, f.start, f.len);
    else p.tx.push(f.buf, f.start, f.len, f.hasVnet ? f.vh : null);
    if (p.tunnel) tagTunnel(p, f.key.words);
  }

  stageVlan(p: BridgePort, f: WorkFrame, vid: number): void {
    const tv = vlanVidOf(f.key.words);
    const tagged = (tv & OFPVID_PRESENT) !== 0;
    const plain = tagged
      ? vid === (tv & 0xfff) && f.buf[f.start + 12] === 0x81 && f.buf[f.start + 13] === 0x00
      : vid < 0;
    if (plain) {
      this.stage(p, f);
      return;
    }
    this.outs++;
    if (p.tx.count === 0) this.dirty.push(p);
    p.tx.pushWithVlan(f.buf, f.start, f.len, f.hasVnet ? f.vh : null, tagged, vid);
    if (p.tunnel) tagTunnel(p, f.key.words);
  }

  /** Sends one port's staged frames (one txBurst). */
  flushPort(p: BridgePort): void {
    if (p.tx.count === 0) return;
    const r = p.port.txBurst(p.tx.batch);
    p.tx.reset();
    if (r < 0) this.hooks.portError(p, r);
  }

  flush(): void {
    const d = this.dirty;
    for (let i = 0; i < d.length; i++) this.flushPort(d[i]!);
    d.length = 0;
  }

  /** Forgets a removed port's pending output. */
  dropPort(p: BridgePort): void {
    p.tx.reset();
    const i = this.dirty.indexOf(p);
    if (i >= 0) this.dirty.splice(i, 1);
  }
}

