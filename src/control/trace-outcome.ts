/**
 * The "Final:" line of `sluice trace`: where the packet goes, from the Decision's ops
 * (outputs in group buckets included), with ports named by ofport and name.
 *
 * Invariants
 *  - Reserved ports are resolved the way the datapath resolves them: IN_PORT is the
 *    packet's in_port; an output to the in_port by number is not sent (OF1.3.5 §4.5,
 *    run-ops.ts); FLOOD is every live port but the in_port and OFPPC_NO_FWD/NO_FLOOD
 *    ports, ALL the same without the NO_FLOOD exclusion; NORMAL is the learning switch.
 *  - NORMAL is described by the datapath's own logic run read-only (Bridge.normalPlan): the
 *    in_port's access/trunk VLAN, the MAC table with aging, the ports that carry the VLAN.
 *  - An output after a meter is marked as subject to it: the trace does not run meters.
 *  - An output to a tunnel port says what it encapsulates with (tunnel-spec describeEncap):
 *    the remote and key from the port or, for remote_ip=flow/key=flow, from tun_dst/tun_id.
 */
import type { Bridge, BridgePortInfo } from '../datapath/bridge.js';
import { isGroupMac, macToString } from '../datapath/mac-learning.js';
import { W_IP, W_TUN_DST, W_TUNNEL_LO } from '../packet/flow-key.js';
import { describeEncap } from '../ports/tunnel-spec.js';
import type { Decision, Op } from '../pipeline/decision.js';
import {
  OFPCML_NO_BUFFER, OFPPC_NO_FLOOD, OFPPC_NO_FWD, OFPPC_PORT_DOWN, OFPP_ALL, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_IN_PORT, OFPP_LOCAL, OFPP_NORMAL,
  OFPR_ACTION, OFPR_ACTION_SET, OFPR_GROUP, OFPR_INVALID_TTL, OFPR_NO_MATCH, OFPR_PACKET_OUT,
} from '../pipeline/types.js';

interface Output {
  readonly port: number;
  readonly maxLen: number;
  readonly reason: number;
  readonly meters: readonly number[];
}

const REASONS: Readonly<Record<number, string>> = {
  [OFPR_NO_MATCH]: 'no_match', [OFPR_ACTION]: 'action', [OFPR_INVALID_TTL]: 'invalid_ttl',
  // OF1.4's finer reasons: the trace keeps 1.3's word for them
  [OFPR_ACTION_SET]: 'action', [OFPR_GROUP]: 'action', [OFPR_PACKET_OUT]: 'action',
};

function collect(ops: readonly Op[], meters: readonly number[], out: Output[]): void {
  let m = meters;
  for (const o of ops) {
    if (o.op === 'meter') m = [...m, o.meter.meterId];
    else if (o.op === 'output') out.push({ port: o.port, maxLen: o.maxLen, reason: o.reason, meters: m });
    else if (o.op === 'branch') collect(o.ops, m, out);
  }
}

/** portLabel, plus for a tunnel port the encapsulation its output applies to the packet
 * whose end-of-pipeline key is `words`. */
function outLabel(bridge: Bridge, ofport: number, words: Uint32Array): string {
  const t = bridge.port(ofport)?.tunnel;
  if (t === undefined) return portLabel(bridge, ofport);
  return `${portLabel(bridge, ofport)} [${describeEncap(t, words[W_TUNNEL_LO]!, words[W_TUN_DST]!, words[W_IP]! >>> 24)}]`;
}

function portLabel(bridge: Bridge, ofport: number): string {
  const p = bridge.port(ofport);
  if (ofport === OFPP_LOCAL) return `LOCAL (${p?.name ?? bridge.name})`;
  return p ? `port ${ofport} (${p.name})` : `port ${ofport}`;
}

const live = (p: BridgePortInfo): boolean => p.linkUp && (p.config & OFPPC_PORT_DOWN) === 0;

/** `words`: the packet's key as it is at the end of the pipeline (for NORMAL's lookup). */
export function describeOutcome(bridge: Bridge, inPort: number, d: Decision, words: Uint32Array): string {
  const outs: Output[] = [];
  collect(d.ops, [], outs);
  if (outs.length === 0) return `Final: dropped: ${dropReason(d)}`;
  const texts = outs.map((o) => describe(bridge, inPort, o, words) + meterNote(o.meters));
  if (texts.length === 1) return `Final: ${texts[0]!}`;
  return [`Final: ${texts.length} outputs`, ...texts.map((t) => `    ${t}`)].join('\n');
}

function dropReason(d: Decision): string {
  const steps = d.trace ?? [];
  const last = steps[steps.length - 1];
  if (last && last.rule === null) return `no match in table ${last.tableId} and no table-miss entry (OF1.3.5 §5.4)`;
  if (last) return `the pipeline ended in table ${last.tableId} without an output action`;
  return 'no table was looked up';
}

function meterNote(meters: readonly number[]): string {
  if (meters.length === 0) return '';
  return `, unless meter ${meters.join(' or meter ')} drops it`;
}

function describe(bridge: Bridge, inPort: number, o: Output, words: Uint32Array): string {
  switch (o.port) {
    case OFPP_CONTROLLER: {
      const len = o.maxLen === OFPCML_NO_BUFFER ? 'whole packet' : `first ${o.maxLen} bytes`;
      return `to controller (reason ${REASONS[o.reason] ?? o.reason}, ${len})`;
    }
    case OFPP_NORMAL:
      return normal(bridge, inPort, words);
    case OFPP_FLOOD:
    case OFPP_ALL: {
      const mask = o.port === OFPP_FLOOD ? OFPPC_NO_FWD | OFPPC_NO_FLOOD : OFPPC_NO_FWD;
      const to = bridge.ports().filter((p) => p.ofport !== inPort && live(p) && (p.config & mask) === 0);
      const name = o.port === OFPP_FLOOD ? 'FLOOD' : 'ALL';
      return to.length ? `${name}: output to ${to.map((p) => outLabel(bridge, p.ofport, words)).join(', ')}` : `${name}: no other live port`;
    }
    case OFPP_IN_PORT:
      return `output to the in_port, ${portLabel(bridge, inPort)}`;
    default: {
      const p = bridge.port(o.port);
      if (!p) return `output to port ${o.port}, which does not exist: not sent`;
      // §4.5: a packet goes back out its in_port only through OFPP_IN_PORT.
      if (o.port === inPort) return `not sent: ${portLabel(bridge, o.port)} is the in_port (that needs output:IN_PORT)`;
      if (!live(p)) return `output to ${portLabel(bridge, o.port)}, which is down: not sent`;
      return `output to ${outLabel(bridge, o.port, words)}`;
    }
  }
}

function normal(bridge: Bridge, inPort: number, words: Uint32Array): string {
  // The datapath's own NORMAL logic, read-only: the in_port's VLAN mode, the MAC table
  // with aging at the bridge's clock, and the ports that carry the VLAN.
  const plan = bridge.normalPlan(inPort, words);
  const head = `NORMAL (learning switch): ${macToString(plan.dst)}`;
  const outs = () => plan.out.map((o) => `${outLabel(bridge, o.ofport, words)}${o.vid >= 0 ? ` tagged ${o.vid}` : ''}`).join(', ');
  switch (plan.kind) {
    case 'refused': return `${head}: dropped, the in_port does not carry the packet's VLAN`;
    case 'in_port': return `${head} on VLAN ${plan.vlan} was learned on the in_port → dropped`;
    case 'learned':
      return plan.out.length > 0
        ? `${head} on VLAN ${plan.vlan} was learned on ${outs()} → output there`
        : `${head} on VLAN ${plan.vlan} was learned on a port that is down or does not carry the VLAN → dropped`;
    default: {
      const why = isGroupMac(plan.dst) ? 'is a group address' : 'is not learned';
      return plan.out.length > 0
        ? `${head} on VLAN ${plan.vlan} ${why} → flooded to ${outs()}`
        : `${head} on VLAN ${plan.vlan} ${why} → no other port carries the VLAN: dropped`;
    }
  }
}
