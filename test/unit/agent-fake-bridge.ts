// A stand-in for src/datapath/bridge.ts with the contract's surface (AgentBridge), over a
// real Pipeline: mods really apply, packet-outs are recorded, events are emitted by hand.
import { EventEmitter } from 'node:events';
import { OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT, isOFError, ofError, type OFError } from '../../src/pipeline/errors.js';
import { Pipeline, type ModResult } from '../../src/pipeline/pipeline.js';
import {
  OFPFF_SEND_FLOW_REM, OFPPR_MODIFY, OFPP_CONTROLLER, OFPP_LOCAL, OFPP_MAX,
  type Action, type FlowMod, type GroupMod, type MeterMod,
} from '../../src/pipeline/types.js';
import type { AgentBridge, BridgePortInfo } from '../../src/openflow/bridge-surface.js';

export function fakePort(ofport: number, name: string): BridgePortInfo {
  return {
    ofport, name, kind: 'memory', hwAddr: new Uint8Array([2, 0, 0, 0, 0, ofport & 0xff]), linkUp: true,
    config: 0, state: 0, currSpeedKbps: 10_000_000, addedMs: 0,
    stats: { rxPackets: ofport * 10, rxBytes: ofport * 1000, rxDropped: 0, txPackets: 5, txBytes: 500, txDropped: 1, txErrors: 0 },
  };
}

export class FakeBridge extends EventEmitter implements AgentBridge {
  readonly name = 'br0';
  readonly dpid = 0x0000_0200_0000_00aan;
  readonly pipeline: Pipeline;
  failMode: 'standalone' | 'secure';
  failOpen = false;
  readonly portList: BridgePortInfo[] = [fakePort(1, 'p1'), fakePort(2, 'p2'), fakePort(OFPP_LOCAL, 'br0')];
  readonly packetOuts: { inPort: number; actions: readonly Action[]; data: Uint8Array; metadata?: bigint }[] = [];
  nowMs = 1000;
  packetInAdmission: ((reason: number) => 'no_controller' | 'packet_in_limit' | null) | null = null;

  constructor(failMode: 'standalone' | 'secure' = 'secure', nTables = 4) {
    super();
    this.failMode = failMode;
    this.pipeline = new Pipeline({
      nTables,
      portExists: (p) => this.portList.some((x) => x.ofport === p),
      portLive: () => true,
    });
  }

  ports(): BridgePortInfo[] { return this.portList; }
  port(ofport: number): BridgePortInfo | undefined { return this.portList.find((p) => p.ofport === ofport); }

  private emitRemoved(r: ModResult): ModResult {
    if (!isOFError(r)) for (const x of r.removed) if (x.rule.flags & OFPFF_SEND_FLOW_REM) this.emit('flow-removed', x);
    return r;
  }
  flowMod(fm: FlowMod): ModResult { return this.emitRemoved(this.pipeline.flowMod(fm, this.nowMs)); }
  groupMod(gm: GroupMod): ModResult { return this.emitRemoved(this.pipeline.groupMod(gm, this.nowMs)); }
  meterMod(mm: MeterMod): ModResult { return this.emitRemoved(this.pipeline.meterMod(mm, this.nowMs)); }

  portMod(ofport: number, config: number, mask: number): OFError | null {
    const i = this.portList.findIndex((p) => p.ofport === ofport);
    if (i < 0) return ofError(OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT, `port ${ofport} does not exist`);
    const old = this.portList[i]!;
    const next = (old.config & ~mask) | (config & mask);
    if (next === old.config) return null;
    this.portList[i] = { ...old, config: next };
    this.emit('port-status', OFPPR_MODIFY, this.portList[i]);
    return null;
  }

  packetOut(inPort: number, actions: readonly Action[], data: Uint8Array, metadata = 0n): OFError | null {
    const e = this.pipeline.checkPacketOut(actions);
    if (e) return e;
    if (inPort > OFPP_MAX && inPort !== OFPP_CONTROLLER && inPort !== OFPP_LOCAL) return null;
    this.packetOuts.push(metadata !== 0n ? { inPort, actions, data, metadata } : { inPort, actions, data });
    return null;
  }
}
