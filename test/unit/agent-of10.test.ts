// The agent with OpenFlow 1.0 connections (over a fake bridge with a real pipeline): what a
// 1.0 controller sees of a bridge a 1.3 controller also programs (table 0 only), 1.0's
// modify-adds rule, errors in 1.0 numbers, async messages per connection version, and a
// 1.0 service connection asking for async messages with miss_send_len.
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { OpenFlowAgent } from '../../src/openflow/agent.js';
import { OFConnection } from '../../src/openflow/connection.js';
import type { OFMessage } from '../../src/openflow/index.js';
import {
  OFPFC_MODIFY, OFPFF_SEND_FLOW_REM, OFPG_ANY, OFPP_ANY, OFPPR_ADD, OFPR_NO_MATCH, OFPTT_ALL, OFP_NO_BUFFER, flowMod,
} from '../../src/pipeline/types.js';
import { FakeBridge, fakePort } from './agent-fake-bridge.js';
import { socketPair, TestController } from './agent-helpers.js';
import { apply, out } from './pipeline-helpers.js';

const open: Socket[] = [];
afterEach(() => { for (const s of open.splice(0)) s.destroy(); });

async function setup() {
  const bridge = new FakeBridge('secure');
  const agent = new OpenFlowAgent(bridge, { now: () => bridge.nowMs });
  const connect = async (version: 1 | 4, controller = true) => {
    const [c, s] = await socketPair();
    open.push(c, s);
    const ctl = new TestController(c, { version });
    agent.attach(new OFConnection(s, { probeIntervalMs: 0 }), controller);
    await ctl.handshake();
    return ctl;
  };
  return { bridge, agent, c10: await connect(1), c13: await connect(4), connect };
}

const flowStats = (xid: number): OFMessage => ({
  type: 'multipart_request', xid, flags: 0,
  body: { kind: 'flow', tableId: OFPTT_ALL, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] },
});
const add = (xid: number, p: Parameters<typeof flowMod>[0]): OFMessage => ({ type: 'flow_mod', xid, ...flowMod(p) });

describe('the agent with an OpenFlow 1.0 connection', () => {
  it('features: the port list in the reply, one table', async () => {
    const { c10 } = await setup();
    c10.send({ type: 'features_request', xid: 3 });
    const r = await c10.next('features_reply');
    expect(r.nTables).toBe(1);
    expect(r.ports?.map((p) => [p.portNo, p.name])).toEqual([[1, 'p1'], [2, 'p2'], [0xfffffffe, 'br0']]);
  });

  it('sees table 0 only: flow stats and flow-removed leave out a 1.3 controller\'s other tables', async () => {
    const { c10, c13 } = await setup();
    c13.send(add(1, { tableId: 0, priority: 5, flags: OFPFF_SEND_FLOW_REM, instructions: [apply(out(1))] }));
    c13.send(add(2, { tableId: 2, priority: 6, flags: OFPFF_SEND_FLOW_REM, instructions: [apply(out(2))] }));
    await c13.barrier();
    c10.send(flowStats(4));
    const r = await c10.next('multipart_reply');
    expect(r.body.kind === 'flow' && r.body.flows.map((f) => [f.tableId, f.priority])).toEqual([[0, 5]]);
    c13.send({ type: 'flow_mod', xid: 5, ...flowMod({ command: 3, tableId: OFPTT_ALL }) });
    await c13.barrier();
    await c13.next('flow_removed', 2000, (m) => m.tableId === 2);
    await c13.next('flow_removed', 2000, (m) => m.tableId === 0);
    expect((await c10.next('flow_removed')).priority).toBe(5);
    await c10.barrier();
    expect(c10.received.filter((x) => x.msg?.type === 'flow_removed')).toEqual([]);
  });

  it('a 1.0 modify that matches nothing adds the rule; a 1.3 one does not', async () => {
    const { bridge, c10, c13 } = await setup();
    c13.send(add(1, { command: OFPFC_MODIFY, priority: 3, instructions: [apply(out(1))] }));
    await c13.barrier();
    expect(bridge.pipeline.table(0).size).toBe(0);
    c10.send(add(2, { command: OFPFC_MODIFY, priority: 3, instructions: [apply(out(1))] }));
    await c10.barrier();
    expect(bridge.pipeline.table(0).size).toBe(1);
  });

  it('errors reach the 1.0 connection in 1.0 numbers', async () => {
    const { c10 } = await setup();
    c10.send({ type: 'port_mod', xid: 9, portNo: 7, hwAddr: new Uint8Array(6), config: 1, mask: 1, advertise: 0 });
    await c10.until(() => c10.received.some((r) => r.raw[1] === 1));
    const raw = c10.received.find((r) => r.raw[1] === 1)!.raw;
    expect([raw[0], (raw[8]! << 8) | raw[9]!, (raw[10]! << 8) | raw[11]!]).toEqual([1, 4, 0]); // PORT_MOD_FAILED/BAD_PORT
  });

  it('packet-in with a buffer id (miss_send_len), released by a 1.0 packet-out naming it', async () => {
    const { bridge, c10 } = await setup();
    c10.send({ type: 'set_config', xid: 1, flags: 0, missSendLen: 20 });
    await c10.barrier();
    const data = new Uint8Array(100).fill(7);
    bridge.emit('packet-in', {
      reason: OFPR_NO_MATCH, tableId: 0, cookie: 0n, inPort: 2, metadata: 0n, tunnelId: 0n, tunSrc: 0, tunDst: 0,
      totalLen: 100, maxLen: 0, data,
    });
    const pi = await c10.next('packet_in');
    expect([pi.totalLen, pi.data.length, pi.bufferId !== OFP_NO_BUFFER]).toEqual([100, 20, true]);
    expect(pi.match).toEqual([{ field: 0, value: Uint8Array.of(0, 0, 0, 2) }]);
    c10.send({ type: 'packet_out', xid: 2, bufferId: pi.bufferId, inPort: 2, actions: [out(1)], data: new Uint8Array(0) });
    await c10.barrier();
    expect(bridge.packetOuts.map((p) => [p.inPort, p.data.length])).toEqual([[2, 100]]);
    c10.send({ type: 'packet_out', xid: 3, bufferId: pi.bufferId, inPort: 2, actions: [out(1)], data: new Uint8Array(0) });
    await c10.until(() => c10.received.some((r) => r.raw[1] === 1));
    const raw = c10.received.find((r) => r.raw[1] === 1)!.raw;
    expect([(raw[8]! << 8) | raw[9]!, (raw[10]! << 8) | raw[11]!]).toEqual([1, 7]); // BAD_REQUEST/BUFFER_EMPTY
  });

  it('vendor stats and vendor messages are refused with BAD_VENDOR', async () => {
    const { c10 } = await setup();
    c10.send({ type: 'multipart_request', xid: 4, flags: 0, body: { kind: 'experimenter', experimenter: 0x2320, expType: 0, data: new Uint8Array(4) } });
    c10.send({ type: 'experimenter', xid: 5, experimenter: 0x2320, expType: 0, data: new Uint8Array(8) });
    await c10.until(() => c10.received.filter((r) => r.raw[1] === 1).length === 2);
    const codes = c10.received.filter((r) => r.raw[1] === 1).map((r) => [r.msg?.xid, (r.raw[8]! << 8) | r.raw[9]!, (r.raw[10]! << 8) | r.raw[11]!]);
    expect(codes).toEqual([[4, 1, 3], [5, 1, 3]]);
  });

  it('port-status goes to each controller in its version; a 1.0 service connection asks with miss_send_len', async () => {
    const { bridge, c10, c13, connect } = await setup();
    const svc = await connect(1, false);
    bridge.emit('port-status', OFPPR_ADD, fakePort(7, 'p7'));
    expect((await c10.next('port_status')).port.portNo).toBe(7);
    expect((await c13.next('port_status')).port.portNo).toBe(7);
    await svc.barrier();
    expect(svc.received.filter((r) => r.msg?.type === 'port_status')).toEqual([]);
    svc.send({ type: 'set_config', xid: 3, flags: 0, missSendLen: 128 });
    await svc.barrier();
    bridge.emit('port-status', OFPPR_ADD, fakePort(8, 'p8'));
    expect((await svc.next('port_status')).port.portNo).toBe(8);
  });
});
