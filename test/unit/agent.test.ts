import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { OpenFlowAgent, type AgentOptions } from '../../src/openflow/agent.js';
import { OFConnection } from '../../src/openflow/connection.js';
import { encodeMessage, OFPMPF_REPLY_MORE, type OFMessage } from '../../src/openflow/index.js';
import {
  OFPBRC_BUFFER_EMPTY, OFPBRC_BUFFER_UNKNOWN, OFPBRC_IS_SLAVE, OFPBRC_BAD_TABLE_ID, OFPET_BAD_MATCH,
  OFPET_BAD_REQUEST, OFPET_FLOW_MOD_FAILED, OFPET_ROLE_REQUEST_FAILED, OFPET_SWITCH_CONFIG_FAILED,
  OFPFMFC_BAD_TABLE_ID, OFPRRFC_STALE, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT, OFPPMFC_BAD_HW_ADDR, OFPPMFC_BAD_CONFIG,
} from '../../src/pipeline/errors.js';
import {
  OFPCML_NO_BUFFER, OFPFC_DELETE, OFPFF_SEND_FLOW_REM, OFPG_ANY, OFPP_ANY, OFPP_CONTROLLER, OFPP_LOCAL,
  OFPPR_ADD, OFPP_TABLE, OFPR_ACTION, OFPR_NO_MATCH, OFPRR_DELETE, OFPTT_ALL, OFP_NO_BUFFER, flowMod,
} from '../../src/pipeline/types.js';
import { FakeBridge, fakePort } from './agent-fake-bridge.js';
import { socketPair, TestController } from './agent-helpers.js';
import { apply, oxm, out } from './pipeline-helpers.js';
import { rig } from './datapath-helpers.js';

const open: Socket[] = [];
afterEach(() => { for (const s of open.splice(0)) s.destroy(); });

async function setup(opts: AgentOptions & { failMode?: 'standalone' | 'secure'; controller?: boolean } = {}) {
  const bridge = new FakeBridge(opts.failMode ?? 'secure');
  const agent = new OpenFlowAgent(bridge, { now: () => bridge.nowMs, ...opts });
  const connect = async (controller = opts.controller ?? true) => {
    const [c, s] = await socketPair();
    open.push(c, s);
    const ctl = new TestController(c);
    const conn = new OFConnection(s, { probeIntervalMs: 0 });
    agent.attach(conn, controller);
    await ctl.handshake();
    return ctl;
  };
  return { bridge, agent, ctl: await connect(), connect };
}

const flowStatsReq = (xid: number, tableId = OFPTT_ALL): OFMessage => ({
  type: 'multipart_request', xid, flags: 0,
  body: { kind: 'flow', tableId, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] },
});
const addFlow = (xid: number, p: Parameters<typeof flowMod>[0]): OFMessage => ({ type: 'flow_mod', xid, ...flowMod(p) });

describe('features, config, barrier', () => {
  it('FEATURES_REPLY: dpid, n_buffers, n_tables, true capabilities only', async () => {
    const { ctl } = await setup({ nBuffers: 64 });
    ctl.send({ type: 'features_request', xid: 11 });
    const r = await ctl.next('features_reply');
    expect(r).toMatchObject({ xid: 11, datapathId: 0x0000_0200_0000_00aan, nBuffers: 64, nTables: 4, auxiliaryId: 0 });
    expect(r.capabilities).toBe(0b1111); // FLOW, TABLE, PORT, GROUP stats; no IP_REASM (32) / QUEUE_STATS (64)
  });

  it('GET/SET_CONFIG: default miss_send_len 128, set changes it, bad flags refused', async () => {
    const { ctl } = await setup();
    ctl.send({ type: 'get_config_request', xid: 1 });
    expect(await ctl.next('get_config_reply')).toMatchObject({ flags: 0, missSendLen: 128 });
    ctl.send({ type: 'set_config', xid: 2, flags: 0, missSendLen: 256 });
    ctl.send({ type: 'get_config_request', xid: 3 });
    expect(await ctl.next('get_config_reply')).toMatchObject({ xid: 3, missSendLen: 256 });
    ctl.send({ type: 'set_config', xid: 4, flags: 2, missSendLen: 256 });
    const e = await ctl.next('error');
    expect([e.errType, e.xid]).toEqual([OFPET_SWITCH_CONFIG_FAILED, 4]);
  });

  it('BARRIER_REPLY comes after the effects and errors of every earlier message', async () => {
    const { ctl, bridge } = await setup();
    ctl.send(addFlow(20, { priority: 10, match: [oxm('in_port', 1)], instructions: [apply(out(2))] }));
    ctl.send(addFlow(21, { tableId: 9 }));
    ctl.send({ type: 'barrier_request', xid: 22 });
    await ctl.until(() => ctl.received.length >= 2);
    const [first, second] = ctl.drain();
    expect(first!.msg).toMatchObject({ type: 'error', xid: 21, errType: OFPET_FLOW_MOD_FAILED, code: OFPFMFC_BAD_TABLE_ID });
    expect(second!.msg).toMatchObject({ type: 'barrier_reply', xid: 22 });
    expect(bridge.pipeline.table(0).size).toBe(1);
  });

  it('a refused flow-mod gets an error with its xid and first 64 bytes', async () => {
    const { ctl } = await setup();
    const m = addFlow(0xabcd, { match: [oxm('tcp_dst', 80)], instructions: [] }); // missing prerequisites
    ctl.send(m);
    const e = await ctl.next('error');
    expect(e.errType).toBe(OFPET_BAD_MATCH);
    expect(e.xid).toBe(0xabcd);
    expect([...e.data]).toEqual([...encodeMessage(m).subarray(0, 64)]);
  });

  it('answers messages a switch does not take with OFPBRC_BAD_TYPE', async () => {
    const { ctl } = await setup();
    ctl.send({ type: 'features_reply', xid: 5, datapathId: 1n, nBuffers: 0, nTables: 1, auxiliaryId: 0, capabilities: 0 });
    expect(await ctl.next('error')).toMatchObject({ xid: 5, errType: OFPET_BAD_REQUEST });
  });
});

describe('multipart', () => {
  it('flow stats show added flows with filters; aggregate sums them', async () => {
    const { ctl, bridge } = await setup();
    ctl.send(addFlow(1, { priority: 10, cookie: 7n, match: [oxm('in_port', 1)], instructions: [apply(out(2))] }));
    ctl.send(addFlow(2, { priority: 20, match: [oxm('in_port', 2)], instructions: [apply(out(1))] }));
    ctl.send(addFlow(3, { tableId: 1, priority: 5, instructions: [] }));
    ctl.send({ type: 'barrier_request', xid: 4 });
    await ctl.next('barrier_reply');
    bridge.nowMs += 2500;
    ctl.send(flowStatsReq(5));
    const all = await ctl.next('multipart_reply');
    expect(all.body.kind).toBe('flow');
    if (all.body.kind !== 'flow') return;
    expect(all.body.flows.map((f) => [f.tableId, f.priority]).sort()).toEqual([[0, 10], [0, 20], [1, 5]]);
    const f10 = all.body.flows.find((f) => f.priority === 10)!;
    expect([f10.durationSec, f10.durationNsec, f10.cookie]).toEqual([2, 500_000_000, 7n]);
    ctl.send({ ...flowStatsReq(6), body: { kind: 'flow', tableId: 0, outPort: 1, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] } } as OFMessage);
    const byPort = await ctl.next('multipart_reply');
    expect(byPort.body.kind === 'flow' && byPort.body.flows.map((f) => f.priority)).toEqual([20]);
    ctl.send({ type: 'multipart_request', xid: 7, flags: 0, body: { kind: 'aggregate', tableId: OFPTT_ALL, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 7n, cookieMask: 0xffn, match: [] } });
    expect((await ctl.next('multipart_reply')).body).toMatchObject({ kind: 'aggregate', flowCount: 1 });
    ctl.send(flowStatsReq(8, 200));
    expect(await ctl.next('error')).toMatchObject({ xid: 8, errType: OFPET_BAD_REQUEST, code: OFPBRC_BAD_TABLE_ID });
  });

  it('splits a long reply into messages with OFPMPF_REPLY_MORE, same xid, nothing lost', async () => {
    const { ctl } = await setup({ maxReplyBytes: 1000 });
    for (let i = 0; i < 40; i++) ctl.send(addFlow(100 + i, { priority: i + 1, match: [oxm('in_port', 1)], instructions: [apply(out(2))] }));
    ctl.send(flowStatsReq(77));
    await ctl.until(() => ctl.received.some((r) => r.msg?.type === 'multipart_reply' && r.msg.flags === 0));
    const replies = ctl.drain().map((r) => r.msg!).filter((m) => m.type === 'multipart_reply');
    expect(replies.length).toBeGreaterThan(3);
    expect(replies.every((m) => m.xid === 77)).toBe(true);
    expect(replies.slice(0, -1).every((m) => m.flags === OFPMPF_REPLY_MORE)).toBe(true);
    for (const m of replies) expect(encodeMessage(m).length).toBeLessThanOrEqual(1000);
    const prios = replies.flatMap((m) => (m.body.kind === 'flow' ? m.body.flows.map((f) => f.priority) : []));
    expect(prios.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('desc, table, port stats, port desc, queue', async () => {
    const { ctl } = await setup();
    const ask = async (body: Extract<OFMessage, { type: 'multipart_request' }>['body']) => {
      ctl.send({ type: 'multipart_request', xid: 9, flags: 0, body });
      return (await ctl.next('multipart_reply')).body;
    };
    expect(await ask({ kind: 'desc' })).toMatchObject({ mfrDesc: 'Sluice project', dpDesc: 'br0' });
    const t = await ask({ kind: 'table' });
    expect(t.kind === 'table' && t.tables.map((x) => x.tableId)).toEqual([0, 1, 2, 3]);
    const ps = await ask({ kind: 'port_stats', portNo: OFPP_ANY });
    expect(ps.kind === 'port_stats' && ps.ports.map((p) => [p.portNo, p.rxPackets, p.txDropped])).toEqual([[1, 10n, 1n], [2, 20n, 1n], [OFPP_LOCAL, BigInt(OFPP_LOCAL * 10), 1n]]);
    const pd = await ask({ kind: 'port_desc' });
    expect(pd.kind === 'port_desc' && pd.ports.map((p) => [p.portNo, p.name, p.currSpeed])).toEqual([[1, 'p1', 10_000_000], [2, 'p2', 10_000_000], [OFPP_LOCAL, 'br0', 10_000_000]]);
    expect(await ask({ kind: 'queue', portNo: OFPP_ANY, queueId: 0xffffffff })).toEqual({ kind: 'queue', queues: [] });
    ctl.send({ type: 'multipart_request', xid: 10, flags: 0, body: { kind: 'port_stats', portNo: 99 } });
    expect(await ctl.next('error')).toMatchObject({ xid: 10, errType: OFPET_BAD_REQUEST });
  });

  it('groups and meters: stats, desc/config, features', async () => {
    const { ctl } = await setup();
    ctl.send({ type: 'group_mod', xid: 1, command: 0, groupType: 0, groupId: 5, buckets: [{ weight: 0, watchPort: OFPP_ANY, watchGroup: OFPG_ANY, actions: [out(1)] }] });
    ctl.send({ type: 'meter_mod', xid: 2, command: 0, flags: 2 | 8, meterId: 3, bands: [{ type: 'drop', rate: 100, burstSize: 0 }] });
    const ask = async (body: Extract<OFMessage, { type: 'multipart_request' }>['body']) => {
      ctl.send({ type: 'multipart_request', xid: 9, flags: 0, body });
      return (await ctl.next('multipart_reply')).body;
    };
    expect(await ask({ kind: 'group_desc' })).toMatchObject({ groups: [{ groupId: 5, groupType: 0 }] });
    expect(await ask({ kind: 'group', groupId: 0xfffffffc })).toMatchObject({ groups: [{ groupId: 5, refCount: 0, buckets: [{ packetCount: 0n }] }] });
    expect(await ask({ kind: 'group_features' })).toMatchObject({ types: 0b1111 });
    expect(await ask({ kind: 'meter_config', meterId: 0xffffffff })).toMatchObject({ meters: [{ meterId: 3, flags: 10, bands: [{ type: 'drop', rate: 100 }] }] });
    expect(await ask({ kind: 'meter', meterId: 3 })).toMatchObject({ meters: [{ meterId: 3, flowCount: 0, bands: [{}] }] });
    expect(await ask({ kind: 'meter', meterId: 4 })).toMatchObject({ meters: [] });
    expect(await ask({ kind: 'meter_features' })).toMatchObject({ bandTypes: 0b110 });
    const tf = await ask({ kind: 'table_features', tables: [] });
    expect(tf.kind === 'table_features' && tf.tables.length).toBe(4);
    if (tf.kind === 'table_features') {
      const nt = tf.tables[3]!.properties.find((p) => p.kind === 'next_tables');
      expect(nt).toEqual({ kind: 'next_tables', tableIds: [] });
    }
  });
});

describe('roles (OF1.3.5 §6.3.7)', () => {
  it('slave gets IS_SLAVE for state changes; a new master demotes the old; stale generation refused', async () => {
    const { ctl: a, connect, bridge } = await setup();
    const b = await connect();
    a.send({ type: 'role_request', xid: 1, role: 2, generationId: 10n });
    expect(await a.next('role_reply')).toMatchObject({ role: 2, generationId: 10n });
    b.send({ type: 'role_request', xid: 2, role: 2, generationId: 11n });
    expect(await b.next('role_reply')).toMatchObject({ role: 2, generationId: 11n });
    a.send({ type: 'role_request', xid: 3, role: 0, generationId: 0n });
    expect(await a.next('role_reply')).toMatchObject({ role: 3 });
    a.send(addFlow(4, { instructions: [] }));
    expect(await a.next('error')).toMatchObject({ xid: 4, errType: OFPET_BAD_REQUEST, code: OFPBRC_IS_SLAVE });
    expect(bridge.pipeline.table(0).size).toBe(0);
    a.send({ type: 'role_request', xid: 5, role: 2, generationId: 9n });
    expect(await a.next('error')).toMatchObject({ xid: 5, errType: OFPET_ROLE_REQUEST_FAILED, code: OFPRRFC_STALE });
    a.send({ type: 'features_request', xid: 6 }); // reads are allowed to a slave
    expect((await a.next('features_reply')).xid).toBe(6);
  });

  it('GET_ASYNC gives the spec defaults; SET_ASYNC changes them per connection', async () => {
    const { ctl } = await setup();
    ctl.send({ type: 'get_async_request', xid: 1 });
    expect(await ctl.next('get_async_reply')).toMatchObject({ packetInMask: [3, 0], portStatusMask: [7, 7], flowRemovedMask: [15, 0] });
    ctl.send({ type: 'set_async', xid: 2, packetInMask: [1, 1], portStatusMask: [0, 0], flowRemovedMask: [0, 0] });
    ctl.send({ type: 'get_async_request', xid: 3 });
    expect(await ctl.next('get_async_reply')).toMatchObject({ xid: 3, packetInMask: [1, 1], portStatusMask: [0, 0] });
  });
});

describe('async messages and buffers', () => {
  const frame = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);
  const pin = (over: object = {}) => ({
    reason: OFPR_ACTION, tableId: 0, cookie: 5n, inPort: 2, metadata: 0n, tunnelId: 0n, tunSrc: 0, tunDst: 0,
    totalLen: 300, maxLen: 64, data: frame(300), ...over,
  });

  it('PACKET_IN: truncated to max_len with a buffer; PACKET_OUT by buffer_id sends the whole packet once', async () => {
    const { ctl, bridge } = await setup();
    bridge.emit('packet-in', pin({ metadata: 9n }));
    const p = await ctl.next('packet_in');
    expect(p).toMatchObject({ reason: OFPR_ACTION, totalLen: 300, cookie: 5n, tableId: 0 });
    expect(p.data.length).toBe(64);
    expect(p.bufferId).not.toBe(OFP_NO_BUFFER);
    expect(p.match.map((f) => f.field)).toEqual([0, 2]);
    ctl.send({ type: 'packet_out', xid: 30, bufferId: p.bufferId, inPort: 2, actions: [out(1)], data: new Uint8Array(0) });
    ctl.send({ type: 'packet_out', xid: 31, bufferId: p.bufferId, inPort: 2, actions: [out(1)], data: new Uint8Array(0) });
    ctl.send({ type: 'packet_out', xid: 32, bufferId: 0x7777, inPort: 2, actions: [out(1)], data: new Uint8Array(0) });
    const e1 = await ctl.next('error');
    const e2 = await ctl.next('error');
    expect([e1.xid, e1.code, e2.xid, e2.code]).toEqual([31, OFPBRC_BUFFER_EMPTY, 32, OFPBRC_BUFFER_UNKNOWN]);
    expect(bridge.packetOuts.length).toBe(1);
    expect(bridge.packetOuts[0]!.data.length).toBe(300);
  });

  it('PACKET_IN from a tunnel port: tunnel_id, and tun_src / tun_dst as Open vSwitch encodes them (NXM class 1)', async () => {
    const { ctl, bridge } = await setup();
    bridge.emit('packet-in', pin({ tunnelId: 100n, tunSrc: 0xac1f2902, tunDst: 0xac1f2901 }));
    const p = await ctl.next('packet_in');
    expect(p.match.map((f) => [f.field, Buffer.from(f.value).toString('hex')])).toEqual([
      [0, '00000002'], [38, '0000000000000064'], [40, 'ac1f2902'], [41, 'ac1f2901'],
    ]);
  });

  it('buffers, miss_send_len, NO_BUFFER and the rate limit', async () => {
    const { ctl, bridge, agent } = await setup({ packetInBurst: 3, packetInRate: 0.001 });
    ctl.send({ type: 'set_config', xid: 1, flags: 0, missSendLen: 100 });
    ctl.send({ type: 'barrier_request', xid: 2 });
    await ctl.next('barrier_reply');
    bridge.emit('packet-in', pin({ maxLen: OFPCML_NO_BUFFER }));
    bridge.emit('packet-in', pin({ reason: OFPR_NO_MATCH, maxLen: OFPCML_NO_BUFFER }));
    bridge.emit('packet-in', pin({ data: frame(40), totalLen: 40 }));
    bridge.emit('packet-in', pin());
    await ctl.until(() => ctl.received.length >= 4);
    const got = ctl.drain().map((r) => r.msg!).filter((m) => m.type === 'packet_in');
    expect(got.map((m) => m.type === 'packet_in' && [m.bufferId === OFP_NO_BUFFER, m.data.length])).toEqual([
      [true, 300], // NO_BUFFER: everything
      [false, 100], // table-miss: miss_send_len
      [true, 40], // fits: sent whole, nothing to buffer
      [false, 64], // longer than max_len: buffered and cut
    ]);
    // the rate limit is applied when the datapath asks to send one, before it is built:
    // burst 3, then refused; a reason no connection wants is refused as no_controller
    const admit = bridge.packetInAdmission!;
    expect([admit(OFPR_ACTION), admit(OFPR_ACTION), admit(OFPR_ACTION), admit(OFPR_ACTION)]).toEqual([null, null, null, 'packet_in_limit']);
    expect(agent.packetInLimiter.dropped).toBe(1);
    ctl.send({ type: 'set_async', xid: 3, packetInMask: [0, 0], portStatusMask: [0, 0], flowRemovedMask: [0, 0] });
    ctl.send({ type: 'barrier_request', xid: 4 });
    await ctl.next('barrier_reply');
    expect(admit(OFPR_ACTION)).toBe('no_controller');
    expect(agent.packetInLimiter.dropped).toBe(1); // no token spent on it
  });

  it('flow-mod with buffer_id sends the buffered packet through the tables after the mod', async () => {
    const { ctl, bridge } = await setup();
    bridge.emit('packet-in', pin());
    const p = await ctl.next('packet_in');
    ctl.send(addFlow(3, { bufferId: p.bufferId, match: [oxm('in_port', 2)], instructions: [apply(out(1))] }));
    ctl.send({ type: 'barrier_request', xid: 4 });
    await ctl.next('barrier_reply');
    expect(bridge.pipeline.table(0).size).toBe(1);
    expect(bridge.packetOuts).toHaveLength(1);
    expect(bridge.packetOuts[0]).toMatchObject({ inPort: 2, actions: [{ type: 'output', port: OFPP_TABLE }] });
  });

  it('FLOW_REMOVED for flows with SEND_FLOW_REM; PORT_STATUS; slaves get no packet-in', async () => {
    const { ctl, bridge, connect } = await setup();
    const slave = await connect();
    slave.send({ type: 'role_request', xid: 1, role: 3, generationId: 1n });
    await slave.next('role_reply');
    ctl.send(addFlow(2, { priority: 9, flags: OFPFF_SEND_FLOW_REM, match: [oxm('in_port', 1)], instructions: [] }));
    ctl.send(addFlow(3, { command: OFPFC_DELETE, tableId: OFPTT_ALL }));
    const fr = await ctl.next('flow_removed');
    expect(fr).toMatchObject({ priority: 9, reason: OFPRR_DELETE, tableId: 0 });
    expect(fr.match.map((f) => f.field)).toEqual([0]);
    bridge.emit('port-status', OFPPR_ADD, fakePort(7, 'p7'));
    expect(await ctl.next('port_status')).toMatchObject({ reason: OFPPR_ADD, port: { portNo: 7, name: 'p7' } });
    expect(await slave.next('port_status')).toMatchObject({ reason: OFPPR_ADD });
    bridge.emit('packet-in', pin());
    await ctl.next('packet_in');
    await new Promise((r) => setTimeout(r, 30));
    expect(slave.received.filter((r) => r.msg?.type === 'packet_in' || r.msg?.type === 'flow_removed')).toEqual([]);
  });

  it('packet-out with data goes to the bridge; bad actions are refused', async () => {
    const { ctl, bridge } = await setup();
    ctl.send({ type: 'packet_out', xid: 1, bufferId: OFP_NO_BUFFER, inPort: OFPP_CONTROLLER, actions: [out(OFPP_TABLE)], data: frame(60) });
    ctl.send({ type: 'packet_out', xid: 2, bufferId: OFP_NO_BUFFER, inPort: OFPP_CONTROLLER, actions: [out(42)], data: frame(60) });
    const e = await ctl.next('error');
    expect(e.xid).toBe(2);
    expect(bridge.packetOuts).toHaveLength(1);
  });
});

describe('fail mode', () => {
  it('standalone: the last controller leaving turns fail-open on, a new one turns it off', async () => {
    const { ctl, bridge, connect } = await setup({ failMode: 'standalone' });
    const svc = await connect(false);
    ctl.sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(bridge.failOpen).toBe(true);
    svc.sock.destroy(); // service connections do not matter
    const again = await connect(true);
    await again.until(() => !bridge.failOpen);
    expect(bridge.failOpen).toBe(false);
  });

  it('secure: nothing changes when controllers leave', async () => {
    const { ctl, bridge } = await setup({ failMode: 'secure' });
    ctl.sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(bridge.failOpen).toBe(false);
  });
});

describe('PORT_MOD (OF1.3.5 §7.3.4.3)', () => {
  const hw = (p: number) => new Uint8Array([2, 0, 0, 0, 0, p]);
  const portMod = (xid: number, portNo: number, hwAddr: Uint8Array, config: number, mask: number): OFMessage =>
    ({ type: 'port_mod', xid, portNo, hwAddr, config, mask, advertise: 0 });

  it('applies the masked config bits and the bridge reports port-status modify', async () => {
    const { ctl, bridge } = await setup();
    ctl.send(portMod(5, 1, hw(1), 0x1 | 0x40, 0x1 | 0x40 | 0x4)); // PORT_DOWN + NO_PACKET_IN set, NO_RECV cleared
    const ps = await ctl.next('port_status');
    expect(ps).toMatchObject({ reason: 2, port: { portNo: 1, config: 0x41 } });
    expect(bridge.port(1)!.config).toBe(0x41);
    ctl.send({ type: 'barrier_request', xid: 6 });
    await ctl.next('barrier_reply');
    expect(ctl.drain().filter((r) => r.msg?.type === 'error')).toEqual([]);
  });

  it('unknown port → BAD_PORT, wrong hw_addr → BAD_HW_ADDR, unsupported bit → BAD_CONFIG; nothing changes', async () => {
    const { ctl, bridge } = await setup();
    ctl.send(portMod(1, 9, hw(9), 1, 1));
    expect(await ctl.next('error')).toMatchObject({ xid: 1, errType: OFPET_PORT_MOD_FAILED, code: OFPPMFC_BAD_PORT });
    ctl.send(portMod(2, 1, hw(2), 1, 1));
    expect(await ctl.next('error')).toMatchObject({ xid: 2, errType: OFPET_PORT_MOD_FAILED, code: OFPPMFC_BAD_HW_ADDR });
    ctl.send(portMod(3, 1, hw(1), 0, 0x2)); // bit 1 is not an OF1.3 config bit
    expect(await ctl.next('error')).toMatchObject({ xid: 3, errType: OFPET_PORT_MOD_FAILED, code: OFPPMFC_BAD_CONFIG });
    expect(bridge.port(1)!.config).toBe(0);
  });
});

describe('PORT_MOD on the real Bridge', () => {
  it('PORT_DOWN reaches the datapath port and comes back as port-status; the hw_addr check uses the real address', async () => {
    const r = rig(2);
    const agent = new OpenFlowAgent(r.bridge, { now: () => r.clock.t });
    const [c, s] = await socketPair();
    open.push(c, s);
    const ctl = new TestController(c);
    agent.attach(new OFConnection(s, { probeIntervalMs: 0 }), true);
    await ctl.handshake();
    const hwAddr = r.bridge.port(1)!.hwAddr;
    ctl.send({ type: 'port_mod', xid: 7, portNo: 1, hwAddr, config: 1, mask: 1, advertise: 0 });
    expect(await ctl.next('port_status')).toMatchObject({ reason: 2, port: { portNo: 1, config: 1 } });
    expect(r.bridge.port(1)!.config).toBe(1);
    ctl.send({ type: 'port_mod', xid: 8, portNo: 2, hwAddr, config: 1, mask: 1, advertise: 0 });
    expect(await ctl.next('error')).toMatchObject({ xid: 8, errType: OFPET_PORT_MOD_FAILED, code: OFPPMFC_BAD_HW_ADDR });
    expect(r.bridge.port(2)!.config).toBe(0);
  });
});
