/**
 * The OpenFlow agent of one bridge: every connection's messages mapped onto the Bridge,
 * and the Bridge's events sent back as async messages (OF1.3.5 §6, §7.3, §7.4).
 *
 * Invariants
 *  - Sequential: a message is handled completely (its mod applied, its reply or error
 *    written) before the next one is read, so BARRIER_REPLY is written only after every
 *    earlier message took effect (§6.2) — the reply needs no bookkeeping, and must stay so.
 *  - Errors a peer causes go back as OFPT_ERROR with the message's xid and its first 64
 *    bytes; nothing a peer sends throws.
 *  - A SLAVE gets OFPBRC_IS_SLAVE for state-changing messages (§6.3.7).
 *  - Fail mode (§6.4 "connection interruption"): when the last *controller* connection
 *    goes, a standalone bridge turns failOpen on (learning switch) until a controller is
 *    back; a secure bridge changes nothing. Service connections (ovs-ofctl, the mgmt
 *    socket) do not count and get no async messages unless they ask with SET_ASYNC (on
 *    OpenFlow 1.0, which lacks it: with a nonzero miss_send_len, as Open vSwitch does).
 */
import {
  OFPBFC_MSG_FAILED, OFPBRC_BAD_EXPERIMENTER, OFPBRC_BAD_PORT, OFPBRC_BAD_TYPE, OFPET_BUNDLE_FAILED, OFPBRC_IS_SLAVE, OFPET_BAD_REQUEST, OFPET_PORT_MOD_FAILED,
  OFPET_QUEUE_OP_FAILED, OFPET_SWITCH_CONFIG_FAILED, OFPET_TABLE_MOD_FAILED, OFPPMFC_BAD_CONFIG,
  OFPPMFC_BAD_HW_ADDR, OFPPMFC_BAD_PORT, OFPQOFC_BAD_PORT, OFPSCFC_BAD_FLAGS, OFPTMFC_BAD_CONFIG, OFPTMFC_BAD_TABLE, isOFError, ofError,
  describeOFError, type OFError,
} from '../pipeline/errors.js';
import { NO_LOG, type Logger } from '../pipeline/logger.js';
import type { ModResult, RemovedRule } from '../pipeline/pipeline.js';
import {
  OFPPC_NO_FLOOD, OFPPC_NO_FWD, OFPPC_NO_PACKET_IN, OFPPC_NO_RECV, OFPPC_PORT_DOWN, OFPP_ANY, OFPP_TABLE, OFPTT_ALL,
  OFPP_CONTROLLER, OFPP_LOCAL, OFPFC_ADD, OFPFC_DELETE, OFPFC_DELETE_STRICT, OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPG_ANY, OFP_NO_BUFFER, OFPRR_HARD_TIMEOUT,
  OFPRR_IDLE_TIMEOUT, type Action, type FlowMod, type PortReason,
} from '../pipeline/types.js';
import { Bundles, DEFAULT_BUNDLE_TIMEOUT_MS, type BundledMessage } from './bundles.js';
import { applyMonitorRequest, initialUpdates, monitorReplies, notifyFlowChanges, type FlowChange } from './flow-monitors.js';
import { sendFlowRemoved, sendPacketIn, sendPortStatus, type PacketInCounts } from './async-messages.js';
import type { AgentBridge, BridgePortInfo, BridgeFlowRemoved, BridgePacketIn } from './bridge-surface.js';
import { OFPCR_ROLE_SLAVE, OFPC_FRAG_NORMAL } from './constants.js';
import type { OFConnection } from './connection.js';
import type { AsyncMaskUpdate, OFMessage } from './message-types.js';
import { portDesc } from './convert.js';
import { answerMultipart } from './multipart-handler.js';
import { PacketBuffers } from './packet-buffers.js';
import { TokenBucket } from '../pipeline/token-bucket.js';
import { splitReply } from './reply-split.js';
import { OFP10_VERSION } from './of10/constants.js';
import { OFP14_VERSION, OFPCRR_MASTER_REQUEST, OFPFME_ADDED, OFPFME_MODIFIED, OFPFME_REMOVED, OFPTC14_EVICTION, OFPTC14_VACANCY_EVENTS } from './of14/constants.js';
import { ROLE_STATUS_DEFAULT, RoleManager, Session, asyncDefaults14, defaultAsyncConfig, isStateChanging } from './session.js';
import { SWITCH_CAPABILITIES } from './switch-description.js';

export interface AgentOptions {
  /** The Bridge's clock (ms); rule durations are measured on it. Default performance.now. */
  readonly now?: () => number;
  /** Packet buffer pool size (n_buffers), a power of two ≤ 256; default 256. */
  readonly nBuffers?: number;
  /** Packet-in rate limit per bridge: per second and burst (default 1000/s, 100). */
  readonly packetInRate?: number;
  readonly packetInBurst?: number;
  /** An OpenFlow 1.4 bundle not committed within this many ms is discarded (default 10 s). */
  readonly bundleTimeoutMs?: number;
  /** Largest multipart reply message (default 65535); smaller values are for tests. */
  readonly maxReplyBytes?: number;
  readonly log?: Logger;
}

export class OpenFlowAgent {
  readonly buffers: PacketBuffers;
  readonly packetInLimiter: TokenBucket;
  private readonly sessions = new Set<Session>();
  private readonly roles = new RoleManager();
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly maxReplyBytes: number | undefined;
  private readonly bundleTimeoutMs: number;
  /** Addition (metrics): PACKET_IN messages sent, one per receiving connection, and those
   * dropped at a connection whose send queue was full. Events refused by the rate limit are
   * counted in packetInLimiter.dropped. */
  readonly packetIns: PacketInCounts = { sent: 0, backlogDropped: 0 };
  private readonly onPacketIn = (pi: BridgePacketIn): void => {
    sendPacketIn(pi, this.sessions, this.buffers, this.packetIns);
  };
  private readonly onFlowRemoved = (ev: BridgeFlowRemoved): void => {
    sendFlowRemoved(ev, this.sessions, this.now());
    // flow monitors: timeouts (flow-mod and group/meter deletes are reported where applied)
    if (ev.reason === OFPRR_IDLE_TIMEOUT || ev.reason === OFPRR_HARD_TIMEOUT) {
      notifyFlowChanges(this.sessions, null, 0, [{ event: OFPFME_REMOVED, rule: ev.rule, reason: ev.reason }]);
    }
  };
  private readonly onPortStatus = (reason: PortReason, info: BridgePortInfo): void => {
    sendPortStatus(reason, info, this.sessions);
  };

  constructor(readonly bridge: AgentBridge, opts: AgentOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.buffers = new PacketBuffers(opts.nBuffers ?? 256, 5000, this.now);
    this.packetInLimiter = new TokenBucket(opts.packetInRate, opts.packetInBurst, this.now);
    this.log = opts.log ?? NO_LOG;
    this.maxReplyBytes = opts.maxReplyBytes;
    this.bundleTimeoutMs = opts.bundleTimeoutMs ?? DEFAULT_BUNDLE_TIMEOUT_MS;
    bridge.packetInAdmission = (reason) => this.admit(reason);
    bridge.on('packet-in', this.onPacketIn);
    bridge.on('flow-removed', this.onFlowRemoved);
    bridge.on('port-status', this.onPortStatus);
  }

  /** Whether an output to CONTROLLER with `reason` becomes a packet-in: some connection
   * wants it (role, async mask) and the per-bridge rate limit has a token. No allocation. */
  private admit(reason: number): 'no_controller' | 'packet_in_limit' | null {
    let wanted = false;
    for (const s of this.sessions) {
      if (s.wants('packetInMask', reason)) {
        wanted = true;
        break;
      }
    }
    if (!wanted) return 'no_controller';
    return this.packetInLimiter.take() ? null : 'packet_in_limit';
  }

  /** Connections that completed the hello exchange. */
  get connected(): readonly Session[] {
    return [...this.sessions].filter((s) => s.conn.isReady);
  }

  /** Takes over a connection: `controller` = counts for fail mode and gets async messages. */
  attach(conn: OFConnection, controller: boolean): Session {
    const s = new Session(conn, controller);
    if (!controller) s.async = { packetInMask: [0, 0], portStatusMask: [0, 0], flowRemovedMask: [0, 0] };
    this.sessions.add(s);
    let wasReady = false;
    // Each `sluice dump-flows` / `ovs-ofctl` run is a connection on the mgmt socket: routine,
    // so debug; controllers and TCP service connections are news for the operator.
    const news = controller || !conn.name.startsWith('punix:');
    const note = (m: string): void => (news ? this.log.info(m) : this.log.debug(m));
    conn.on('ready', () => {
      wasReady = true;
      if (controller && conn.version >= OFP14_VERSION) s.async = asyncDefaults14(s.async);
      note(`${this.bridge.name}: ${conn.name} connected (OpenFlow 0x0${conn.version})`);
      if (controller && this.bridge.failOpen) this.bridge.failOpen = false;
    });
    conn.on('message', (msg, raw) => this.handle(s, msg, raw));
    conn.on('close', (reason) => {
      this.sessions.delete(s);
      s.bundles?.clear();
      // A connection that never finished the hello (controller not up yet) is one more
      // failed attempt of the backoff loop, not news for the operator.
      const line = `${this.bridge.name}: ${conn.name} disconnected: ${reason}`;
      if (wasReady) note(line);
      else this.log.debug(line);
      if (controller) this.checkFailMode();
    });
    return s;
  }

  /** Stops listening to the bridge and closes every connection. */
  close(): void {
    this.bridge.off('packet-in', this.onPacketIn);
    this.bridge.off('flow-removed', this.onFlowRemoved);
    this.bridge.off('port-status', this.onPortStatus);
    for (const s of [...this.sessions]) s.conn.close('agent stopped');
  }

  private checkFailMode(): void {
    const anyController = [...this.sessions].some((s) => s.isController && s.conn.isReady);
    if (!anyController && this.bridge.failMode === 'standalone' && !this.bridge.failOpen) {
      this.log.warn(`${this.bridge.name}: no controller connected: fail-open (standalone learning switch)`);
      this.bridge.failOpen = true;
    }
  }

  private fail(s: Session, e: OFError, raw: Uint8Array): void {
    this.log.debug(`${this.bridge.name}: ${s.conn.name}: ${describeOFError(e)}`);
    s.conn.sendError(e, raw);
  }

  /** Handles one decoded message from `s` completely (reply or error written). On a bridge
   * whose datapath runs elsewhere (datapath workers) a barrier, a statistics request and a
   * delete (its flow-removed counts) first wait for the bridge to settle; the session's
   * later messages wait behind it, so replies keep their order. */
  handle(s: Session, msg: OFMessage, raw: Uint8Array): void {
    if (s.settling) {
      s.held.push([msg, raw]);
      return;
    }
    const wait = needsSettled(msg) ? this.bridge.settle?.() ?? null : null;
    if (wait === null) {
      this.handleNow(s, msg, raw);
      return;
    }
    s.settling = true;
    void wait.then(() => {
      s.settling = false;
      this.handleNow(s, msg, raw);
      while (!s.settling && s.held.length !== 0) {
        const [m, r] = s.held.shift()!;
        this.handle(s, m, r);
      }
    });
  }

  private handleNow(s: Session, msg: OFMessage, raw: Uint8Array): void {
    if (s.role === OFPCR_ROLE_SLAVE && isStateChanging(msg.type)) {
      this.fail(s, ofError(OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE, `${msg.type} refused: this connection is a slave`), raw);
      return;
    }
    const e = this.dispatch(s, msg);
    if (e !== null) this.fail(s, e, raw);
  }

  private dispatch(s: Session, msg: OFMessage): OFError | null {
    const b = this.bridge;
    const reply = (m: OFMessage): null => { s.conn.send(m); return null; };
    switch (msg.type) {
      case 'features_request':
        return reply({
          type: 'features_reply', xid: msg.xid, datapathId: b.dpid, nBuffers: this.buffers.size,
          nTables: b.pipeline.nTables, auxiliaryId: 0, capabilities: SWITCH_CAPABILITIES,
          ports: b.ports().map(portDesc), // the OF1.0 reply carries them; the 1.3 one does not
        });
      case 'get_config_request':
        return reply({ type: 'get_config_reply', xid: msg.xid, flags: s.flags, missSendLen: s.missSendLen });
      case 'set_config':
        // Only OFPC_FRAG_NORMAL: Sluice neither drops nor reassembles fragments (§7.3.2).
        if (msg.flags !== OFPC_FRAG_NORMAL) return ofError(OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_FLAGS, `config flags 0x${msg.flags.toString(16)}: only OFPC_FRAG_NORMAL is supported`);
        s.flags = msg.flags;
        s.missSendLen = msg.missSendLen;
        // OpenFlow 1.0 has no SET_ASYNC: there a service connection asks for async messages
        // by setting a nonzero miss_send_len, as in Open vSwitch (`ovs-ofctl monitor`).
        if (!s.isController && s.conn.version === OFP10_VERSION && msg.missSendLen > 0) s.async = defaultAsyncConfig();
        return null;
      case 'flow_mod': {
        const fm = s.conn.version === OFP10_VERSION ? modifyOrAdd10(b, msg) : msg;
        const r = b.flowMod(fm);
        if (isOFError(r)) return r;
        if (this.monitoring()) notifyFlowChanges(this.sessions, s, msg.xid, flowModChanges(b, fm, r.removed));
        if (msg.bufferId === OFP_NO_BUFFER) return null;
        // §7.3.4.1: the buffered packet goes through the tables after the mod is applied.
        return this.releaseBuffer(msg.bufferId, null, [{ type: 'output', port: OFPP_TABLE, maxLen: 0 }]);
      }
      case 'group_mod':
        return this.removedBy(s, msg.xid, b.groupMod({ command: msg.command, type: msg.groupType, groupId: msg.groupId, buckets: msg.buckets, ...(msg.commandBucketId !== undefined ? { commandBucketId: msg.commandBucketId } : {}) }));
      case 'meter_mod':
        return this.removedBy(s, msg.xid, b.meterMod(msg));
      case 'packet_out':
        if (msg.bufferId !== OFP_NO_BUFFER) return this.releaseBuffer(msg.bufferId, msg.inPort, msg.actions);
        return b.packetOut(msg.inPort, msg.actions, msg.data, msg.metadata ?? 0n);
      case 'port_mod':
        return portMod(b, msg.portNo, msg.hwAddr, msg.config, msg.mask);
      case 'table_mod':
        // §7.3.3: in OF1.3 the table config bits are deprecated; only the table id matters.
        if (msg.tableId !== OFPTT_ALL && msg.tableId >= b.pipeline.nTables) {
          return ofError(OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_TABLE, `table ${msg.tableId} does not exist`);
        }
        // OF1.4.1 §7.3.3: eviction and vacancy events, which Sluice does not do
        if ((msg.config & (OFPTC14_EVICTION | OFPTC14_VACANCY_EVENTS)) !== 0) {
          return ofError(OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_CONFIG, 'table eviction and vacancy events are not supported');
        }
        return null;
      case 'table_desc_request': {
        const tables = Array.from({ length: b.pipeline.nTables }, (_, tableId) => ({ tableId, config: 0 }));
        // 8 bytes per table: 255 tables fit one reply
        return reply({ type: 'table_desc_reply', xid: msg.xid, flags: 0, tables });
      }
      case 'queue_desc_request':
        if (msg.portNo !== OFPP_ANY && !b.port(msg.portNo)) return ofError(OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT, `port ${msg.portNo} does not exist`);
        return reply({ type: 'queue_desc_reply', xid: msg.xid, flags: 0, queues: [] }); // no queues
      case 'multipart_request': {
        const body = answerMultipart({ bridge: b, nowMs: this.now() }, msg.body);
        if (isOFError(body)) return body;
        for (const m of splitReply(msg.xid, body, this.maxReplyBytes, (x) => s.conn.encode(x))) s.conn.write(m);
        return null;
      }
      case 'barrier_request':
        return reply({ type: 'barrier_reply', xid: msg.xid });
      case 'queue_get_config_request':
        if (msg.port !== OFPP_ANY && !b.port(msg.port)) return ofError(OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT, `port ${msg.port} does not exist`);
        return reply({ type: 'queue_get_config_reply', xid: msg.xid, port: msg.port, queues: [] });
      case 'role_request': {
        const demoted: Session[] = [];
        const r = this.roles.request(s, msg.role, msg.generationId, this.sessions, demoted);
        if (isOFError(r)) return r;
        // OF1.4.1 §7.4.4: a master another controller displaced is told (1.3/1.0: no form, nothing sent).
        for (const o of demoted) {
          if (o.wants('roleStatusMask', OFPCRR_MASTER_REQUEST)) {
            o.conn.send({ type: 'role_status', xid: 0, role: o.role, reason: OFPCRR_MASTER_REQUEST, generationId: this.roles.currentGenerationId });
          }
        }
        return reply({ type: 'role_reply', xid: msg.xid, role: r, generationId: this.roles.currentGenerationId });
      }
      case 'get_async_request':
        return reply({ type: 'get_async_reply', xid: msg.xid, ...s.async });
      case 'set_async':
        // 1.3 sets every mask; 1.4 only those it has a property for (OF1.4.1 §7.3.10).
        s.async = {
          packetInMask: mergeMask(s.async.packetInMask, msg.packetInMask), portStatusMask: mergeMask(s.async.portStatusMask, msg.portStatusMask),
          flowRemovedMask: mergeMask(s.async.flowRemovedMask, msg.flowRemovedMask),
          roleStatusMask: mergeMask(s.async.roleStatusMask ?? ROLE_STATUS_DEFAULT, msg.roleStatusMask),
        };
        return null;
      case 'flow_monitor_request': {
        s.monitors ??= new Map();
        const r = applyMonitorRequest(s.monitors, msg, b.pipeline.nTables);
        if (isOFError(r)) return r;
        for (const m of monitorReplies(msg.xid, initialUpdates(b.pipeline, r))) s.conn.send(m);
        return null;
      }
      case 'bundle_control': {
        const r = this.bundlesOf(s).control(msg, (messages) => this.commitBundle(s, messages));
        return isOFError(r) ? r : reply(r);
      }
      case 'bundle_add_message':
        return this.bundlesOf(s).add(msg);
      case 'experimenter':
        return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER, `experimenter 0x${msg.experimenter.toString(16)} is not supported`);
      case 'error':
      case 'error_experimenter':
        this.log.warn(`${b.name}: ${s.conn.name} sent an error: ${msg.type === 'error' ? `type ${msg.errType} code ${msg.code}` : 'experimenter'}`);
        return null;
      default:
        return ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, `${msg.type} is not a controller-to-switch message`);
    }
  }

  /** Whether some connection has flow monitors (the changes are worked out only then). */
  private monitoring(): boolean {
    for (const s of this.sessions) if (s.monitors !== null && s.monitors.size > 0) return true;
    return false;
  }

  /** A group- or meter-mod's result, its removed rules told to the flow monitors. */
  private removedBy(s: Session, xid: number, r: ModResult): OFError | null {
    if (isOFError(r)) return r;
    if (r.removed.length > 0 && this.monitoring()) {
      notifyFlowChanges(this.sessions, s, xid, r.removed.map((x) => ({ event: OFPFME_REMOVED, rule: x.rule, reason: x.reason })));
    }
    return null;
  }

  private bundlesOf(s: Session): Bundles {
    s.bundles ??= new Bundles(this.bundleTimeoutMs, (_id, xid, e) => s.conn.sendError(e, new Uint8Array(0), xid));
    return s.bundles;
  }

  /**
   * Commits a bundle atomically (OF1.4.1 §6.8.2): every message is first applied, in
   * order, to a copy of the pipeline (Pipeline.trialCopy: the groups, the meters and the
   * tables the flow-mods name); the first failure is reported
   * with that message's xid and ends the commit with OFPBFC_MSG_FAILED, the switch
   * unchanged. Only then are the same messages applied to the bridge, in the same order
   * and within this one call, so that no packet and no other message sees half of them.
   */
  private commitBundle(s: Session, messages: readonly BundledMessage[]): OFError | null {
    const b = this.bridge;
    const named = messages.flatMap(({ message: m }) => (m.type === 'flow_mod' ? [m.tableId] : []));
    const trial = b.pipeline.trialCopy(named.includes(OFPTT_ALL) ? 'all' : new Set(named));
    const now = this.now();
    for (const { message: m, raw } of messages) {
      let e: OFError | null = null;
      switch (m.type) {
        case 'flow_mod': e = modError(trial.flowMod(m, now)); break;
        case 'group_mod': e = modError(trial.groupMod({ command: m.command, type: m.groupType, groupId: m.groupId, buckets: m.buckets, ...(m.commandBucketId !== undefined ? { commandBucketId: m.commandBucketId } : {}) }, now)); break;
        case 'meter_mod': e = modError(trial.meterMod(m, now)); break;
        case 'port_mod': e = portModCheck(b, m.portNo, m.hwAddr, m.mask); break;
        case 'packet_out': // sent at the commit, in its place in the order (Bundles admits unbuffered ones only)
          e = m.inPort !== OFPP_CONTROLLER && m.inPort !== OFPP_LOCAL && !b.port(m.inPort)
            ? ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_PORT, `packet-out in_port ${m.inPort} does not exist`)
            : trial.checkPacketOut(m.actions);
          break;
        default: break; // Bundles.add admits nothing else
      }
      if (e !== null) {
        this.fail(s, e, raw);
        return ofError(OFPET_BUNDLE_FAILED, OFPBFC_MSG_FAILED, `bundled ${m.type} xid ${m.xid} failed: ${e.name}; nothing was changed`);
      }
    }
    // one change for the datapath: a bridge with workers hands them the whole bundle at once
    const apply = (): OFError | null => {
      for (const { message: m } of messages) {
        const e = this.dispatch(s, m);
        if (e !== null) { // cannot happen after the trial; said loudly if it does
          this.log.error(`${b.name}: bundle commit: ${m.type} failed after its trial succeeded: ${describeOFError(e)}`);
          return ofError(OFPET_BUNDLE_FAILED, OFPBFC_MSG_FAILED, `bundled ${m.type} failed after its trial: ${e.name}`);
        }
      }
      return null;
    };
    return b.atomically ? b.atomically(apply) : apply();
  }

  /** Sends a buffered packet through `actions`; `inPort` null = the port it came in on. */
  private releaseBuffer(id: number, inPort: number | null, actions: readonly Action[]): OFError | null {
    const p = this.buffers.take(id);
    if (isOFError(p)) return p;
    return this.bridge.packetOut(inPort ?? p.inPort, actions, p.data);
  }
}

/** A SET_ASYNC mask over the current one: a null or absent half keeps its value. */
function mergeMask(old: readonly [number, number], upd: AsyncMaskUpdate | undefined): readonly [number, number] {
  return [upd?.[0] ?? old[0], upd?.[1] ?? old[1]];
}

/** What a successful flow-mod changed, for the flow monitors: the rule an ADD installed,
 * the rules a MODIFY selected, the rules a DELETE removed (OF1.4.1 §7.3.5.19). */
function flowModChanges(b: AgentBridge, fm: FlowMod, removed: readonly RemovedRule[]): FlowChange[] {
  if (fm.command === OFPFC_DELETE || fm.command === OFPFC_DELETE_STRICT) {
    return removed.map((x) => ({ event: OFPFME_REMOVED, rule: x.rule, reason: x.reason }));
  }
  if (fm.tableId >= b.pipeline.nTables) return [];
  const strict = fm.command !== OFPFC_MODIFY;
  const hits = b.pipeline.table(fm.tableId).select({
    match: fm.match, strict, priority: fm.priority, cookie: fm.command === OFPFC_ADD ? 0n : fm.cookie,
    cookieMask: fm.command === OFPFC_ADD ? 0n : fm.cookieMask, outPort: OFPP_ANY, outGroup: OFPG_ANY,
  });
  if (isOFError(hits)) return [];
  const event = fm.command === OFPFC_ADD ? OFPFME_ADDED : OFPFME_MODIFIED;
  return hits.map((rule) => ({ event, rule, reason: 0 }));
}

const modError = (r: ModResult): OFError | null => (isOFError(r) ? r : null);

/** Messages whose answer reads what the datapath counted or must follow every change. */
const needsSettled = (m: OFMessage): boolean =>
  m.type === 'barrier_request' || m.type === 'multipart_request' ||
  (m.type === 'flow_mod' && (m.command === OFPFC_DELETE || m.command === OFPFC_DELETE_STRICT));

/** OpenFlow 1.0 (§4.6): a MODIFY that matches no rule acts like an ADD (1.3 changes
 *  nothing). Rules a 1.0 connection writes are in table 0. */
function modifyOrAdd10(b: AgentBridge, fm: FlowMod): FlowMod {
  if (fm.command !== OFPFC_MODIFY && fm.command !== OFPFC_MODIFY_STRICT) return fm;
  const hits = b.pipeline.table(fm.tableId).select({
    match: fm.match, strict: fm.command === OFPFC_MODIFY_STRICT, priority: fm.priority, cookie: 0n, cookieMask: 0n,
    outPort: OFPP_ANY, outGroup: OFPG_ANY,
  });
  return Array.isArray(hits) && hits.length === 0 ? { ...fm, command: OFPFC_ADD } : fm;
}

/** OF1.3.5 §7.2.1 ofp_port_config bits this switch honours (the Bridge's datapath acts on
 *  each: PORT_DOWN, NO_RECV, NO_FWD, NO_PACKET_IN, and OF1.0's NO_FLOOD, which FLOOD and
 *  NORMAL skip as Open vSwitch does). Any other bit in a mask is refused. */
const PORT_CONFIG_SUPPORTED = OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD | OFPPC_NO_PACKET_IN | OFPPC_NO_FLOOD;

/** OFPT_PORT_MOD (§7.3.4.3): the port must exist and hw_addr must be the port's own (a
 *  sanity check against a stale port number); only the masked config bits change. */
function portMod(b: AgentBridge, portNo: number, hwAddr: Uint8Array, config: number, mask: number): OFError | null {
  return portModCheck(b, portNo, hwAddr, mask) ?? b.portMod(portNo, config & mask, mask);
}

/** portMod's checks, changing nothing (a bundle's trial). */
function portModCheck(b: AgentBridge, portNo: number, hwAddr: Uint8Array, mask: number): OFError | null {
  const info = b.port(portNo);
  if (!info) return ofError(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT, `port ${portNo} does not exist`);
  if (!sameBytes(info.hwAddr, hwAddr)) return ofError(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_HW_ADDR, `hw_addr does not match port ${portNo}`);
  const bad = (mask >>> 0) & ~PORT_CONFIG_SUPPORTED;
  if (bad !== 0) return ofError(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_CONFIG, `unsupported config bits 0x${bad.toString(16)}`);
  return null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
