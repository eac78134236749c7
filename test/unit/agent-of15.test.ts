// The agent with OpenFlow 1.5 connections (over a fake bridge with a real pipeline): 1.5 is
// agreed only where offered (a bridge's default protocols do not include it); a 1.5
// controller's flow-mod with tcp_flags and the meter action, read back as OXS flow desc,
// flow stats (OFPMP_FLOW_STATS) and aggregate replies; flow-removed with OXS stats; the
// 1.5 packet-out's metadata reaching the bridge; the deprecated meter instruction refused;
// and a 1.3 controller on the same bridge seeing the 1.5 rule with its meter instruction
// (and refused when it sends 1.5's vocabulary itself).
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { OpenFlowAgent } from '../../src/openflow/agent.js';
import { codecFor } from '../../src/openflow/codec.js';
import { OFConnection } from '../../src/openflow/connection.js';
import type { OFMessage } from '../../src/openflow/index.js';
import {
  OFPBIC_UNKNOWN_INST, OFPBMC_BAD_FIELD, OFPET_BAD_INSTRUCTION, OFPET_BAD_MATCH, OFPET_HELLO_FAILED,
} from '../../src/pipeline/errors.js';
import { OFPFF_SEND_FLOW_REM, OFPMC_ADD, OFPMF_PKTPS, OFPP_ANY, OFPG_ANY, OFPTT_ALL, OFPFC_DELETE, flowMod } from '../../src/pipeline/types.js';
import { FakeBridge } from './agent-fake-bridge.js';
import { socketPair, TestController } from './agent-helpers.js';
import { apply, out, oxm } from './pipeline-helpers.js';

const open: Socket[] = [];
afterEach(() => { for (const s of open.splice(0)) s.destroy(); });

async function setup(versions: readonly number[] = [1, 4, 5, 6]) {
  const bridge = new FakeBridge('secure');
  const agent = new OpenFlowAgent(bridge, { now: () => bridge.nowMs });
  const connect = async (version: 4 | 6, handshake = true) => {
    const [c, s] = await socketPair();
    open.push(c, s);
    const ctl = new TestController(c, { version });
    agent.attach(new OFConnection(s, { probeIntervalMs: 0, versions }), true);
    if (handshake) await ctl.handshake();
    return ctl;
  };
  return { bridge, agent, connect };
}

const TCP_SYNACK = [oxm('eth_type', 0x0800), oxm('ip_proto', 6), oxm('tcp_flags', 0x012, 0x012)];
const stats = (xid: number, form?: 'flow_stats'): OFMessage => ({
  type: 'multipart_request', xid, flags: 0,
  body: { kind: 'flow', ...(form ? { form } : {}), tableId: OFPTT_ALL, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] },
});

describe('agent: OpenFlow 1.5', () => {
  it('a 1.5-only controller is refused where 1.5 is not offered (the default protocols)', async () => {
    const { connect } = await setup([1, 4, 5]);
    const c = await connect(6, false);
    c.send({ type: 'hello', xid: 1, version: 6, versions: [6] });
    await c.next('hello');
    expect(await c.next('error')).toMatchObject({ errType: OFPET_HELLO_FAILED });
    await c.waitClosed();
  });

  it('flow-mod with tcp_flags and the meter action; OXS flow desc, flow stats and aggregate; flow-removed with OXS', async () => {
    const { bridge, connect } = await setup();
    const c = await connect(6);
    c.send({ type: 'meter_mod', xid: 2, command: OFPMC_ADD, flags: OFPMF_PKTPS, meterId: 1, bands: [{ type: 'drop', rate: 100, burstSize: 0 }] });
    const insts = [apply({ type: 'meter', meterId: 1 }, out(2))];
    c.send({ type: 'flow_mod', xid: 3, ...flowMod({ priority: 7, flags: OFPFF_SEND_FLOW_REM, match: TCP_SYNACK, instructions: insts }) });
    await c.barrier();
    expect(c.drain().filter((r) => r.msg?.type === 'error')).toEqual([]);
    bridge.pipeline.table(0).rules().next().value!.packetCount = 3;
    c.send(stats(10));
    const desc = await c.next('multipart_reply', 2000, (m) => m.xid === 10);
    expect(desc.body).toMatchObject({ kind: 'flow', flows: [{ priority: 7, packetCount: 3n, match: TCP_SYNACK, instructions: insts }] });
    expect('form' in desc.body).toBe(false);
    c.send(stats(11, 'flow_stats'));
    expect((await c.next('multipart_reply', 2000, (m) => m.xid === 11)).body).toMatchObject({ kind: 'flow', form: 'flow_stats', flows: [{ priority: 7, packetCount: 3n }] });
    c.send({ type: 'multipart_request', xid: 12, flags: 0, body: { kind: 'aggregate', tableId: OFPTT_ALL, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] } });
    expect((await c.next('multipart_reply', 2000, (m) => m.xid === 12)).body).toEqual({ kind: 'aggregate', packetCount: 3n, byteCount: 0n, flowCount: 1 });
    c.send({ type: 'flow_mod', xid: 13, ...flowMod({ command: OFPFC_DELETE, tableId: OFPTT_ALL }) });
    expect(await c.next('flow_removed')).toMatchObject({ priority: 7, packetCount: 3n, match: TCP_SYNACK });
  });

  it('packet-out: the 1.5 match gives in_port and metadata; the meter instruction is OFPBIC_UNKNOWN_INST', async () => {
    const { bridge, connect } = await setup();
    const c = await connect(6);
    c.send({ type: 'packet_out', xid: 4, bufferId: 0xffffffff, inPort: 1, metadata: 0x99n, actions: [out(2)], data: new Uint8Array(60) });
    await c.barrier();
    expect(bridge.packetOuts).toEqual([{ inPort: 1, metadata: 0x99n, actions: [out(2)], data: new Uint8Array(60) }]);
    // a 1.3 flow-mod with the meter instruction, in 1.5's header
    const raw = codecFor(4)!.encode({ type: 'flow_mod', xid: 5, ...flowMod({ instructions: [{ type: 'meter', meterId: 1 }] }) })!;
    raw[0] = 6;
    c.sendRaw(raw);
    expect(await c.next('error')).toMatchObject({ xid: 5, errType: OFPET_BAD_INSTRUCTION, code: OFPBIC_UNKNOWN_INST });
  });

  it('a 1.3 controller beside: sees the 1.5 rule with its meter instruction, and is refused tcp_flags', async () => {
    const { connect } = await setup();
    const c15 = await connect(6);
    const c13 = await connect(4);
    c15.send({ type: 'meter_mod', xid: 2, command: OFPMC_ADD, flags: OFPMF_PKTPS, meterId: 1, bands: [{ type: 'drop', rate: 100, burstSize: 0 }] });
    c15.send({ type: 'flow_mod', xid: 3, ...flowMod({ priority: 7, match: [oxm('in_port', 1)], instructions: [apply({ type: 'meter', meterId: 1 }, out(2))] }) });
    await c15.barrier();
    c13.send(stats(20));
    expect((await c13.next('multipart_reply', 2000, (m) => m.xid === 20)).body).toMatchObject({
      kind: 'flow', flows: [{ priority: 7, instructions: [{ type: 'meter', meterId: 1 }, { type: 'apply_actions', actions: [out(2)] }] }],
    });
    const raw = codecFor(6)!.encode({ type: 'flow_mod', xid: 21, ...flowMod({ match: TCP_SYNACK }) })!;
    raw[0] = 4;
    c13.sendRaw(raw);
    expect(await c13.next('error')).toMatchObject({ xid: 21, errType: OFPET_BAD_MATCH, code: OFPBMC_BAD_FIELD });
  });
});
