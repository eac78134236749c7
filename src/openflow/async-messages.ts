/**
 * Switch-initiated messages (OF1.3.5 §7.4): the Bridge's 'packet-in', 'flow-removed' and
 * 'port-status' events turned into PACKET_IN / FLOW_REMOVED / PORT_STATUS and sent to the
 * connections that asked for them (§7.3.10 async masks, per role).
 *
 * Packet-in data (§7.4.1, §7.3.2):
 *  - the length sent is the output action's max_len, or the connection's miss_send_len
 *    when the reason is OFPR_NO_MATCH (table-miss);
 *  - OFPCML_NO_BUFFER (0xffff) means: the whole packet, buffer_id = OFP_NO_BUFFER;
 *  - otherwise a packet that fits is sent whole and unbuffered, a longer one is buffered
 *    (PacketBuffers) and cut; when the pool is full it goes whole with OFP_NO_BUFFER
 *    ("if no buffer is used, the entire packet must be included").
 *  - One token of the per-bridge rate limit per packet-in event (not per connection),
 *    taken when the datapath asks the agent to admit the event, before it is built
 *    (OpenFlowAgent.admit); refused events are counted in the limiter's `dropped` and as
 *    the datapath's `packet_in_limit` drops. The buffer is shared by all connections
 *    that receive the event.
 *  - A connection whose send queue is full (a controller that stops reading) does not get
 *    the message: OFConnection.sendDroppable drops and counts it there, and the other
 *    connections still get theirs.
 * The match carries in_port, plus metadata and tunnel_id when non-zero (§7.4.1: fields
 * that are "relevant"; zero metadata/tunnel carry no information).
 */
import { OFPXMT_OFB_IN_PORT, OFPXMT_OFB_METADATA, OFPXMT_OFB_TUNNEL_ID, OXM_TUN_DST, OXM_TUN_SRC } from '../packet/oxm.js';
import { OFPCML_NO_BUFFER, OFPFF_SEND_FLOW_REM, OFPR_NO_MATCH, OFP_NO_BUFFER, type OxmField, type PortReason } from '../pipeline/types.js';
import type { BridgePortInfo, BridgeFlowRemoved, BridgePacketIn } from './bridge-surface.js';
import { flowRemoved, portDesc } from './convert.js';
import type { PacketBuffers } from './packet-buffers.js';
import { flowRemovedReasonFor, packetInReasonFor, type Session } from './session.js';

function be(n: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = n;
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function packetInMatch(pi: BridgePacketIn): OxmField[] {
  const m: OxmField[] = [{ field: OFPXMT_OFB_IN_PORT, value: be(BigInt(pi.inPort >>> 0), 4) }];
  if (pi.metadata !== 0n) m.push({ field: OFPXMT_OFB_METADATA, value: be(pi.metadata, 8) });
  if (pi.tunnelId !== 0n) m.push({ field: OFPXMT_OFB_TUNNEL_ID, value: be(pi.tunnelId, 8) });
  // Open vSwitch's NXM tun_src / tun_dst, as ovs-vswitchd puts them in a packet-in's match
  if (pi.tunSrc !== 0) m.push({ field: OXM_TUN_SRC, value: be(BigInt(pi.tunSrc >>> 0), 4) });
  if (pi.tunDst !== 0) m.push({ field: OXM_TUN_DST, value: be(BigInt(pi.tunDst >>> 0), 4) });
  return m;
}

/** What became of packet-in events (addition, for metrics): PACKET_IN messages queued (one
 * per connection) and messages dropped because a connection's send queue was full. */
export interface PacketInCounts {
  sent: number;
  backlogDropped: number;
}

/** Sends an admitted packet-in event (the rate limit was applied when the datapath asked
 * the agent, before the event was built) to every connection that wants it. */
export function sendPacketIn(pi: BridgePacketIn, sessions: Iterable<Session>, buffers: PacketBuffers, counts: PacketInCounts): void {
  const targets = [...sessions].filter((s) => s.wants('packetInMask', pi.reason));
  if (targets.length === 0) return;
  const match = packetInMatch(pi);
  let bufferId: number | null = null; // allocated on first need, shared by all targets
  for (const s of targets) {
    const len = pi.reason === OFPR_NO_MATCH ? s.missSendLen : pi.maxLen;
    let id = OFP_NO_BUFFER;
    let data = pi.data;
    if (len !== OFPCML_NO_BUFFER && pi.data.length > len) {
      if (bufferId === null) bufferId = buffers.alloc(pi.data, pi.inPort);
      id = bufferId;
      if (id !== OFP_NO_BUFFER) data = pi.data.subarray(0, len);
    }
    const queued = s.conn.sendDroppable({
      type: 'packet_in', xid: 0, bufferId: id, totalLen: pi.totalLen, reason: packetInReasonFor(s.conn.version, pi.reason),
      tableId: pi.tableId, cookie: pi.cookie, match, data,
    });
    if (queued) counts.sent++;
    else counts.backlogDropped++;
  }
}

export function sendFlowRemoved(ev: BridgeFlowRemoved, sessions: Iterable<Session>, nowMs: number): void {
  if ((ev.rule.flags & OFPFF_SEND_FLOW_REM) === 0) return; // §6.4: only when asked for
  const msgs = new Map<number, ReturnType<typeof flowRemoved>>(); // by the reason each version is told
  for (const s of sessions) {
    if (!s.wants('flowRemovedMask', ev.reason)) continue;
    const reason = flowRemovedReasonFor(s.conn.version, ev.reason);
    let msg = msgs.get(reason);
    if (!msg) msgs.set(reason, (msg = flowRemoved(ev.rule, reason, nowMs, 0)));
    s.conn.send(msg);
  }
}

export function sendPortStatus(reason: PortReason, info: BridgePortInfo, sessions: Iterable<Session>): void {
  const port = portDesc(info);
  for (const s of sessions) {
    if (!s.wants('portStatusMask', reason)) continue;
    s.conn.send({ type: 'port_status', xid: 0, reason, port });
  }
}
