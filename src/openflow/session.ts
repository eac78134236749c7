/**
 * What the switch remembers about one controller connection (OF1.3.5 §6.3.7 roles,
 * §7.3.10 asynchronous configuration, §7.3.2 switch configuration), and the role rules
 * that span all connections of a bridge.
 *
 * Invariants
 *  - A new connection is EQUAL, with the spec's default async masks: master/equal get
 *    packet-in NO_MATCH|ACTION (not INVALID_TTL), all port-status, all flow-removed;
 *    slave gets all port-status only.
 *  - At most one MASTER: promoting one demotes every other master to SLAVE (§6.3.7).
 *  - generation_id (§6.3.7): once defined, a MASTER/SLAVE request whose id is older
 *    ((int64)(id - cached) < 0) is OFPRRFC_STALE; otherwise the id is remembered.
 *  - A SLAVE may not change switch state or send packets (§6.3.7): isStateChanging().
 */
import {
  OFPET_ROLE_REQUEST_FAILED, OFPRRFC_BAD_ROLE, OFPRRFC_STALE, ofError, type OFError,
} from '../pipeline/errors.js';
import {
  OFPPR_ADD, OFPPR_DELETE, OFPPR_MODIFY, OFPRR_DELETE, OFPRR_GROUP_DELETE, OFPRR_HARD_TIMEOUT, OFPRR_IDLE_TIMEOUT, OFPRR_METER_DELETE,
  OFPR_ACTION, OFPR_ACTION_SET, OFPR_GROUP, OFPR_INVALID_TTL, OFPR_NO_MATCH, OFPR_PACKET_OUT,
} from '../pipeline/types.js';
import {
  OFPCR_ROLE_EQUAL, OFPCR_ROLE_MASTER, OFPCR_ROLE_NOCHANGE, OFPCR_ROLE_SLAVE,
} from './constants.js';
import type { Bundles } from './bundles.js';
import { OFP14_VERSION } from './of14/constants.js';
import type { FlowMonitorTable } from './flow-monitors.js';
import type { OFConnection } from './connection.js';
import type { AsyncConfig, OFMessage, OFMessageType } from './message-types.js';

const OFP_DEFAULT_MISS_SEND_LEN = 128;

// Async masks are bit sets indexed by reason (§7.3.10): bit N set = reason N is sent.
const ALL_PORT_REASONS = (1 << OFPPR_ADD) | (1 << OFPPR_DELETE) | (1 << OFPPR_MODIFY);
const ALL_FLOW_REMOVED =
  (1 << OFPRR_IDLE_TIMEOUT) | (1 << OFPRR_HARD_TIMEOUT) | (1 << OFPRR_DELETE) | (1 << OFPRR_GROUP_DELETE);
const PIN_DEFAULT = (1 << OFPR_NO_MATCH) | (1 << OFPR_ACTION);

/** OF1.4.1 §7.3.10: role-status (reasons MASTER_REQUEST, CONFIG, EXPERIMENTER) goes to
 * every role by default. */
export const ROLE_STATUS_DEFAULT: readonly [number, number] = [0b111, 0b111];

export function defaultAsyncConfig(): AsyncConfig {
  return {
    packetInMask: [PIN_DEFAULT, 0],
    portStatusMask: [ALL_PORT_REASONS, ALL_PORT_REASONS],
    flowRemovedMask: [ALL_FLOW_REMOVED, 0],
    roleStatusMask: ROLE_STATUS_DEFAULT,
  };
}

export class Session {
  role = OFPCR_ROLE_EQUAL;
  async: AsyncConfig = defaultAsyncConfig();
  flags = 0;
  missSendLen = OFP_DEFAULT_MISS_SEND_LEN;
  /** Messages received while an earlier one waits for the bridge to settle (a barrier or a
   * statistics request on a bridge with datapath workers): handled after it, in order. */
  readonly held: [OFMessage, Uint8Array][] = [];
  settling = false;
  /** OpenFlow 1.4 bundles (bundles.ts), made on the first bundle message. */
  bundles: Bundles | null = null;
  /** OpenFlow 1.4 flow monitors (flow-monitors.ts), made on the first monitor request. */
  monitors: FlowMonitorTable | null = null;

  constructor(readonly conn: OFConnection, readonly isController: boolean) {}

  /** Whether an async message of `kind` with `reason` goes to this connection: it completed
   * the hello exchange and its role's async mask has the reason (§7.3.10). */
  wants(kind: 'packetInMask' | 'portStatusMask' | 'flowRemovedMask' | 'roleStatusMask', reason: number): boolean {
    if (!this.conn.isReady) return false;
    if (kind === 'flowRemovedMask') reason = flowRemovedReasonFor(this.conn.version, reason);
    else if (kind === 'packetInMask') reason = packetInReasonFor(this.conn.version, reason);
    const mask = (this.async[kind] ?? ROLE_STATUS_DEFAULT)[this.role === OFPCR_ROLE_SLAVE ? 1 : 0];
    return reason < 32 && ((mask >>> reason) & 1) === 1;
  }
}

/** The flow-removed reason a connection of `version` is told: 1.4's METER_DELETE is
 * OFPRR_DELETE before 1.4 (OF1.3.5 §7.4.2 has no meter reason). */
export function flowRemovedReasonFor(version: number, reason: number): number {
  return reason === OFPRR_METER_DELETE && version < OFP14_VERSION ? OFPRR_DELETE : reason;
}

/** The packet-in reason a connection of `version` is told: 1.4's ACTION_SET, GROUP and
 * PACKET_OUT are OFPR_ACTION before 1.4. No allocation (asked per packet). */
export function packetInReasonFor(version: number, reason: number): number {
  return reason > OFPR_INVALID_TTL && version < OFP14_VERSION ? OFPR_ACTION : reason;
}

/** OF1.4.1 §7.3.10: a 1.4 master/equal connection also gets METER_DELETE flow-removed, and
 * packet-ins of the reasons 1.4 split ACTION into, by default; applied when the connection
 * turns out to speak 1.4. */
export function asyncDefaults14(a: AsyncConfig): AsyncConfig {
  const pin = (1 << OFPR_ACTION_SET) | (1 << OFPR_GROUP) | (1 << OFPR_PACKET_OUT);
  const pinMaster = (a.packetInMask[0] & (1 << OFPR_ACTION)) !== 0 ? a.packetInMask[0] | pin : a.packetInMask[0];
  return {
    ...a, packetInMask: [pinMaster, a.packetInMask[1]],
    flowRemovedMask: [a.flowRemovedMask[0] | (1 << OFPRR_METER_DELETE), a.flowRemovedMask[1]],
  };
}

const STATE_CHANGING: ReadonlySet<OFMessageType> = new Set<OFMessageType>([
  'packet_out', 'flow_mod', 'group_mod', 'port_mod', 'table_mod', 'meter_mod', 'bundle_control', 'bundle_add_message',
]);

export const isStateChanging = (t: OFMessageType): boolean => STATE_CHANGING.has(t);

/** Role bookkeeping across the sessions of one bridge. */
export class RoleManager {
  private generationId: bigint | null = null;

  get currentGenerationId(): bigint {
    return this.generationId ?? 0n;
  }

  /** Applies a ROLE_REQUEST from `s`; returns the role now in force, or the error.
   * Masters it demotes to SLAVE are pushed on `demoted` (for OF1.4 role-status). */
  request(s: Session, role: number, generationId: bigint, all: Iterable<Session>, demoted: Session[] = []): OFError | number {
    if (role > OFPCR_ROLE_SLAVE) return ofError(OFPET_ROLE_REQUEST_FAILED, OFPRRFC_BAD_ROLE, `role ${role} is not a role`);
    if (role === OFPCR_ROLE_NOCHANGE) return s.role;
    if (role === OFPCR_ROLE_MASTER || role === OFPCR_ROLE_SLAVE) {
      if (this.generationId !== null && BigInt.asIntN(64, generationId - this.generationId) < 0n) {
        return ofError(OFPET_ROLE_REQUEST_FAILED, OFPRRFC_STALE, `generation_id ${generationId} is older than ${this.generationId}`);
      }
      this.generationId = BigInt.asUintN(64, generationId);
    }
    if (role === OFPCR_ROLE_MASTER) {
      for (const o of all) {
        if (o !== s && o.role === OFPCR_ROLE_MASTER) {
          o.role = OFPCR_ROLE_SLAVE;
          demoted.push(o);
        }
      }
    }
    s.role = role;
    return role;
  }
}
