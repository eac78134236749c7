/**
 * The part of the Bridge (src/datapath/bridge.ts) that the OpenFlow agent uses, written
 * down structurally so that the agent depends on the contract, not on the datapath's
 * file: the real Bridge satisfies `AgentBridge`, and so does the tests' fake.
 *
 * Invariants: every name and signature here is copied from the Bridge contract; nothing
 * is added that the Bridge does not promise. The values it carries (BridgePortInfo,
 * BridgePacketIn) are defined once, below both (ports/port.ts, pipeline/types.ts).
 * Events the agent listens to:
 *   'packet-in'    (pi: BridgePacketIn)
 *   'port-status'  (reason: OFPPR_ADD | OFPPR_DELETE | OFPPR_MODIFY, info: BridgePortInfo)
 *   'flow-removed' ({ rule, reason })
 */
import type { OFError } from '../pipeline/errors.js';
import type { Pipeline, ModResult } from '../pipeline/pipeline.js';
import type { Rule } from '../pipeline/rule.js';
import type { Action, BridgePacketIn, FlowMod, GroupMod, MeterMod, PortReason } from '../pipeline/types.js';
import type { BridgePortInfo } from '../ports/port.js';

export type { BridgePacketIn } from '../pipeline/types.js';
export type { BridgePortInfo } from '../ports/port.js';

export interface BridgeFlowRemoved { readonly rule: Rule; readonly reason: number }

export interface AgentBridge {
  readonly name: string;
  readonly dpid: bigint;
  readonly pipeline: Pipeline;
  failMode: 'standalone' | 'secure';
  failOpen: boolean;
  /** Set by the agent: asked before an output to CONTROLLER becomes a packet-in; null =
   * send it, otherwise why not. Called per packet, so it must not allocate. */
  packetInAdmission: ((reason: number) => 'no_controller' | 'packet_in_limit' | null) | null;
  ports(): BridgePortInfo[];
  port(ofport: number): BridgePortInfo | undefined;
  flowMod(fm: FlowMod): ModResult;
  groupMod(gm: GroupMod): ModResult;
  meterMod(mm: MeterMod): ModResult;
  /** OFPT_PORT_MOD (§7.3.4.3): sets the `mask` config bits to `config`; OFPPMFC_BAD_PORT
   *  for no such port. A change makes the Bridge emit 'port-status' (modify). */
  portMod(ofport: number, config: number, mask: number): OFError | null;
  /** `metadata`: OF1.5's packet-out match may set it (0 otherwise). */
  packetOut(inPort: number, actions: readonly Action[], data: Uint8Array, metadata?: bigint): OFError | null;
  /** null when what the agent reads is exact now; else resolves once it is (a bridge with
   *  datapath workers: every change applied on all of them, their counters summed in). */
  settle?(): Promise<void> | null;
  /** Runs `apply` so that no packet sees part of its changes (a bundle commit). */
  atomically?<T>(apply: () => T): T;
  on(event: 'packet-in', fn: (pi: BridgePacketIn) => void): unknown;
  on(event: 'port-status', fn: (reason: PortReason, info: BridgePortInfo) => void): unknown;
  on(event: 'flow-removed', fn: (ev: BridgeFlowRemoved) => void): unknown;
  off(event: 'packet-in', fn: (pi: BridgePacketIn) => void): unknown;
  off(event: 'port-status', fn: (reason: PortReason, info: BridgePortInfo) => void): unknown;
  off(event: 'flow-removed', fn: (ev: BridgeFlowRemoved) => void): unknown;
}
