// The agent with OpenFlow 1.4 connections (over a fake bridge with a real pipeline):
// bundles (OF1.4.1 §6.8, §7.3.9) — the open/add/close/commit/discard cycle, atomic commit
// with the failing message's error and OFPBFC_MSG_FAILED, every OFPBFC_ code the agent
// gives, the timeout, group + flow referring to it in one bundle, a slave refused; the 1.4
// async config (only the properties sent change) and role-status to a displaced master
// (a 1.3 master displaced gets nothing: 1.3 has no such message); flow monitors (initial
// flows, others' changes in full, one's own abbreviated, filters, group deletes, bundle
// commits, the OFPMOFC_ codes).
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { OpenFlowAgent } from '../../src/openflow/agent.js';
import { OFConnection } from '../../src/openflow/connection.js';
import { OFPCR_ROLE_MASTER, OFPCR_ROLE_SLAVE } from '../../src/openflow/constants.js';
import type { OFMessage } from '../../src/openflow/index.js';
import {
  OFPBCT_CLOSE_REQUEST, OFPBCT_COMMIT_REPLY, OFPBCT_COMMIT_REQUEST, OFPBCT_DISCARD_REPLY, OFPBCT_DISCARD_REQUEST,
  OFPBCT_OPEN_REPLY, OFPBCT_OPEN_REQUEST, OFPBF_ATOMIC, OFPBF_ORDERED, OFPCRR_MASTER_REQUEST, OFPFMC_ADD, OFPFMC_DELETE,
  OFPFMC_MODIFY, OFPFME_ABBREV, OFPFME_ADDED, OFPFME_INITIAL, OFPFME_REMOVED, OFPFMF_ADD, OFPFMF_INITIAL,
  OFPFMF_INSTRUCTIONS, OFPFMF_MODIFY, OFPFMF_NO_ABBREV, OFPFMF_REMOVED,
} from '../../src/openflow/of14/constants.js';
import type { FlowMonitor } from '../../src/openflow/message-types.js';
import { encodeMessage14 } from '../../src/openflow/of14/encode.js';
import {
  OFPBAC_BAD_OUT_PORT, OFPBFC_BAD_FLAGS, OFPBFC_BAD_ID, OFPBFC_BAD_TYPE, OFPBFC_BUNDLE_CLOSED, OFPBFC_BUNDLE_EXIST,
  OFPBFC_MSG_BAD_XID, OFPBFC_MSG_FAILED, OFPBFC_MSG_UNSUP, OFPBFC_TIMEOUT, OFPBRC_IS_SLAVE, OFPET_BAD_ACTION,
  OFPET_BAD_REQUEST, OFPET_BUNDLE_FAILED, OFPET_FLOW_MONITOR_FAILED, OFPMOFC_BAD_COMMAND, OFPMOFC_BAD_FLAGS,
  OFPMOFC_BAD_TABLE_ID, OFPMOFC_MONITOR_EXISTS, OFPMOFC_UNKNOWN_MONITOR,
} from '../../src/pipeline/errors.js';
import {
  OFPGC_ADD, OFPGT_INDIRECT, OFPG_ANY, OFPP_ANY, OFPR_ACTION, OFPR_ACTION_SET, OFPR_GROUP, OFPR_PACKET_OUT, OFPRR_DELETE,
  OFPRR_METER_DELETE, OFPTT_ALL, flowMod,
} from '../../src/pipeline/types.js';
import { FakeBridge } from './agent-fake-bridge.js';
import { socketPair, TestController } from './agent-helpers.js';
import { apply, bucket, out } from './pipeline-helpers.js';

const open: Socket[] = [];
afterEach(() => { for (const s of open.splice(0)) s.destroy(); });

async function setup(bundleTimeoutMs?: number) {
  const bridge = new FakeBridge('secure');
  const agent = new OpenFlowAgent(bridge, { now: () => bridge.nowMs, ...(bundleTimeoutMs !== undefined ? { bundleTimeoutMs } : {}) });
  const connect = async (version: 4 | 5) => {
    const [c, s] = await socketPair();
    open.push(c, s);
    const ctl = new TestController(c, { version });
    agent.attach(new OFConnection(s, { probeIntervalMs: 0 }), true);
    await ctl.handshake();
    return ctl;
  };
  return { bridge, agent, c14: await connect(5), connect };
}

const FLAGS = OFPBF_ATOMIC | OFPBF_ORDERED;
const ctl = (xid: number, bundleId: number, ctrlType: number, flags = FLAGS): OFMessage => ({ type: 'bundle_control', xid, bundleId, ctrlType, flags });
function add(xid: number, bundleId: number, inner: OFMessage, flags = FLAGS): OFMessage {
  return { type: 'bundle_add_message', xid, bundleId, flags, message: inner, raw: encodeMessage14(inner)! };
}
const flow = (xid: number, priority: number, port: number): OFMessage => ({ type: 'flow_mod', xid, ...flowMod({ priority, instructions: [apply(out(port))] }) });
const errorOf = async (c: TestController, xid: number) => {
  const e = await c.next('error', 2000, (m) => m.xid === xid);
  return [e.errType, e.code];
};

describe('bundles (OpenFlow 1.4)', () => {
  it('open, add, close, commit: nothing changes before the commit, everything at it', async () => {
    const { bridge, c14 } = await setup();
    c14.send(ctl(1, 7, OFPBCT_OPEN_REQUEST));
    expect(await c14.next('bundle_control')).toMatchObject({ xid: 1, bundleId: 7, ctrlType: OFPBCT_OPEN_REPLY, flags: FLAGS });
    c14.send(add(2, 7, flow(2, 10, 1)));
    c14.send(add(3, 7, flow(3, 11, 2)));
    await c14.barrier();
    expect(bridge.pipeline.table(0).size).toBe(0);
    c14.send(ctl(4, 7, OFPBCT_CLOSE_REQUEST));
    await c14.next('bundle_control', 2000, (m) => m.xid === 4);
    c14.send(ctl(5, 7, OFPBCT_COMMIT_REQUEST));
    expect(await c14.next('bundle_control', 2000, (m) => m.xid === 5)).toMatchObject({ ctrlType: OFPBCT_COMMIT_REPLY });
    expect(bridge.pipeline.table(0).size).toBe(2);
    // the id is free again
    c14.send(ctl(6, 7, OFPBCT_COMMIT_REQUEST));
    expect(await errorOf(c14, 6)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BAD_ID]);
  });

  it('a failing message aborts the commit: its own error with its xid, then OFPBFC_MSG_FAILED, the switch unchanged', async () => {
    const { bridge, c14 } = await setup();
    c14.send(flow(1, 5, 1));
    c14.send(add(2, 1, { type: 'flow_mod', xid: 2, ...flowMod({ command: 3 }) })); // delete all
    c14.send(add(3, 1, flow(3, 10, 2)));
    c14.send(add(4, 1, flow(4, 11, 77))); // no port 77
    c14.send(add(5, 1, flow(5, 12, 1)));
    c14.send(ctl(6, 1, OFPBCT_COMMIT_REQUEST));
    expect(await errorOf(c14, 4)).toEqual([OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT]);
    expect(await errorOf(c14, 6)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_MSG_FAILED]);
    expect([...bridge.pipeline.table(0).rules()].map((r) => r.priority)).toEqual([5]);
  });

  it('a group and a flow that uses it, in one bundle; a discarded bundle leaves nothing', async () => {
    const { bridge, c14 } = await setup();
    c14.send(add(1, 2, { type: 'group_mod', xid: 1, command: OFPGC_ADD, groupType: OFPGT_INDIRECT, groupId: 9, buckets: [bucket([out(1)])] }));
    c14.send(add(2, 2, { type: 'flow_mod', xid: 2, ...flowMod({ priority: 3, instructions: [apply({ type: 'group', groupId: 9 })] }) }));
    c14.send(ctl(3, 2, OFPBCT_COMMIT_REQUEST));
    await c14.next('bundle_control', 2000, (m) => m.xid === 3);
    expect(bridge.pipeline.groups.get(9)?.ruleRefs).toBe(1);
    expect(bridge.pipeline.table(0).size).toBe(1);
    c14.send(add(4, 3, flow(4, 20, 1)));
    c14.send(ctl(5, 3, OFPBCT_DISCARD_REQUEST));
    expect(await c14.next('bundle_control', 2000, (m) => m.xid === 5)).toMatchObject({ ctrlType: OFPBCT_DISCARD_REPLY });
    expect(bridge.pipeline.table(0).size).toBe(1);
  });

  it('the OFPBFC_ codes: exists, closed, flags, unknown id and type, unbundlable, xid', async () => {
    const { c14 } = await setup();
    c14.send(ctl(1, 1, OFPBCT_OPEN_REQUEST));
    c14.send(ctl(2, 1, OFPBCT_OPEN_REQUEST));
    expect(await errorOf(c14, 2)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BUNDLE_EXIST]);
    c14.send(add(3, 1, flow(3, 1, 1), OFPBF_ATOMIC));
    expect(await errorOf(c14, 3)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BAD_FLAGS]);
    c14.send(add(4, 1, { type: 'barrier_request', xid: 4 }));
    expect(await errorOf(c14, 4)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_MSG_UNSUP]);
    c14.send(add(5, 1, flow(55, 1, 1)));
    expect(await errorOf(c14, 5)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_MSG_BAD_XID]);
    c14.send(ctl(6, 1, OFPBCT_CLOSE_REQUEST));
    await c14.next('bundle_control', 2000, (m) => m.xid === 6);
    c14.send(ctl(7, 1, OFPBCT_CLOSE_REQUEST));
    expect(await errorOf(c14, 7)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BUNDLE_CLOSED]);
    c14.send(add(8, 1, flow(8, 1, 1)));
    expect(await errorOf(c14, 8)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BUNDLE_CLOSED]);
    c14.send(ctl(9, 99, OFPBCT_DISCARD_REQUEST));
    expect(await errorOf(c14, 9)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BAD_ID]);
    c14.send(ctl(10, 1, 42));
    expect(await errorOf(c14, 10)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BAD_TYPE]);
    c14.send(ctl(11, 5, OFPBCT_OPEN_REQUEST, 0x80));
    expect(await errorOf(c14, 11)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BAD_FLAGS]);
  });

  it('a bundle not committed in time is discarded with OFPBFC_TIMEOUT', async () => {
    const { bridge, c14 } = await setup(50);
    c14.send(add(1, 4, flow(1, 10, 1)));
    expect(await errorOf(c14, 1)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_TIMEOUT]);
    c14.send(ctl(2, 4, OFPBCT_COMMIT_REQUEST));
    expect(await errorOf(c14, 2)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_BAD_ID]);
    expect(bridge.pipeline.table(0).size).toBe(0);
  });

  it('packet-outs in a bundle go out at the commit, in order; a bad one fails the commit and none goes out', async () => {
    const { bridge, c14 } = await setup();
    const po = (xid: number, port: number): OFMessage => ({ type: 'packet_out', xid, bufferId: 0xffffffff, inPort: 0xfffffffd, actions: [out(port)], data: new Uint8Array(60) });
    c14.send(add(1, 6, po(1, 1)));
    c14.send(add(2, 6, flow(2, 10, 1)));
    c14.send(add(3, 6, po(3, 2)));
    await c14.barrier();
    expect(bridge.packetOuts).toHaveLength(0);
    c14.send(ctl(4, 6, OFPBCT_COMMIT_REQUEST));
    await c14.next('bundle_control', 2000, (m) => m.xid === 4);
    expect(bridge.packetOuts.map((p) => p.actions)).toEqual([[out(1)], [out(2)]]);
    c14.send(add(5, 7, po(5, 1)));
    c14.send(add(6, 7, po(6, 77)));
    c14.send(ctl(7, 7, OFPBCT_COMMIT_REQUEST));
    expect(await errorOf(c14, 6)).toEqual([OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT]);
    expect(await errorOf(c14, 7)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_MSG_FAILED]);
    expect(bridge.packetOuts).toHaveLength(2);
    c14.send(add(8, 8, { ...po(8, 1), bufferId: 3 } as OFMessage));
    expect(await errorOf(c14, 8)).toEqual([OFPET_BUNDLE_FAILED, OFPBFC_MSG_UNSUP]);
  });

  it('a slave may not open a bundle', async () => {
    const { c14 } = await setup();
    c14.send({ type: 'role_request', xid: 1, role: OFPCR_ROLE_SLAVE, generationId: 1n });
    await c14.next('role_reply');
    c14.send(ctl(2, 1, OFPBCT_OPEN_REQUEST));
    expect(await errorOf(c14, 2)).toEqual([OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE]);
  });
});

describe('flow monitors (OpenFlow 1.4)', () => {
  const mon = (xid: number, monitorId: number, flags: number, extra: Partial<FlowMonitor> = {}): OFMessage => ({
    type: 'flow_monitor_request', xid, flags: 0,
    monitors: [{ monitorId, outPort: OFPP_ANY, outGroup: OFPG_ANY, flags, tableId: OFPTT_ALL, command: OFPFMC_ADD, match: [], ...extra }],
  });
  const ALL = OFPFMF_INITIAL | OFPFMF_ADD | OFPFMF_REMOVED | OFPFMF_MODIFY | OFPFMF_INSTRUCTIONS;

  it('initial flows, then others\' changes in full and its own abbreviated; filters by table and out_port', async () => {
    const { c14, connect } = await setup();
    const other = await connect(5);
    c14.send(flow(1, 5, 1));
    await c14.barrier();
    c14.send(mon(2, 1, ALL));
    const init = await c14.next('flow_monitor_reply', 2000, (m) => m.xid === 2);
    expect(init.updates).toMatchObject([{ event: OFPFME_INITIAL, tableId: 0, priority: 5, instructions: [apply(out(1))] }]);
    // another controller's add and delete: in full
    other.send(flow(3, 6, 2));
    expect((await c14.next('flow_monitor_reply', 2000, (m) => m.xid === 0)).updates).toMatchObject([{ event: OFPFME_ADDED, priority: 6 }]);
    other.send({ type: 'flow_mod', xid: 4, ...flowMod({ command: 4, priority: 6 }) }); // delete strict
    expect((await c14.next('flow_monitor_reply', 2000, (m) => m.xid === 0)).updates).toMatchObject([{ event: OFPFME_REMOVED, reason: 2, priority: 6 }]);
    // its own modify: one ABBREV with its xid
    c14.send({ type: 'flow_mod', xid: 9, ...flowMod({ command: 1, instructions: [apply(out(2))] }) });
    expect((await c14.next('flow_monitor_reply', 2000, (m) => m.xid === 0)).updates).toEqual([{ event: OFPFME_ABBREV, xid: 9 }]);
    // a monitor of table 1 and out_port 2 only (replacing monitor 1)
    c14.send(mon(10, 1, OFPFMF_ADD | OFPFMF_NO_ABBREV, { command: OFPFMC_MODIFY, tableId: 1, outPort: 2 }));
    expect((await c14.next('flow_monitor_reply', 2000, (m) => m.xid === 10)).updates).toEqual([]);
    other.send({ type: 'flow_mod', xid: 11, ...flowMod({ tableId: 1, priority: 1, instructions: [apply(out(1))] }) });
    other.send({ type: 'flow_mod', xid: 12, ...flowMod({ tableId: 1, priority: 2, instructions: [apply(out(2))] }) });
    other.send({ type: 'flow_mod', xid: 13, ...flowMod({ tableId: 2, priority: 3, instructions: [apply(out(2))] }) });
    await other.barrier();
    await c14.barrier();
    const got = c14.received.filter((r) => r.msg?.type === 'flow_monitor_reply').map((r) => r.msg);
    expect(got).toMatchObject([{ updates: [{ event: OFPFME_ADDED, tableId: 1, priority: 2, instructions: [] }] }]);
  });

  it('a group delete reports the rules it took with reason GROUP_DELETE; a bundle commit reports its adds', async () => {
    const { c14, connect } = await setup();
    const other = await connect(5);
    c14.send(mon(1, 7, OFPFMF_ADD | OFPFMF_REMOVED));
    await c14.next('flow_monitor_reply');
    other.send({ type: 'group_mod', xid: 2, command: OFPGC_ADD, groupType: OFPGT_INDIRECT, groupId: 4, buckets: [bucket([out(1)])] });
    other.send(add(3, 1, { type: 'flow_mod', xid: 3, ...flowMod({ priority: 8, instructions: [apply({ type: 'group', groupId: 4 })] }) }));
    other.send(add(4, 1, flow(4, 9, 2)));
    other.send(ctl(5, 1, OFPBCT_COMMIT_REQUEST));
    await other.next('bundle_control');
    const a = await c14.next('flow_monitor_reply', 2000, (m) => m.updates.some((u) => u.event === OFPFME_ADDED && 'priority' in u && u.priority === 9));
    expect(a.updates).toHaveLength(1);
    other.send({ type: 'group_mod', xid: 6, command: 2, groupType: 0, groupId: 4, buckets: [] });
    const r = await c14.next('flow_monitor_reply', 2000, (m) => m.updates.some((u) => u.event === OFPFME_REMOVED));
    expect(r.updates).toMatchObject([{ event: OFPFME_REMOVED, reason: 3, priority: 8 }]);
  });

  it('the OFPMOFC_ codes: exists, unknown, command, flags, table', async () => {
    const { c14 } = await setup();
    c14.send(mon(1, 1, OFPFMF_ADD));
    await c14.next('flow_monitor_reply');
    c14.send(mon(2, 1, OFPFMF_ADD));
    expect(await errorOf(c14, 2)).toEqual([OFPET_FLOW_MONITOR_FAILED, OFPMOFC_MONITOR_EXISTS]);
    c14.send(mon(3, 5, OFPFMF_ADD, { command: OFPFMC_DELETE }));
    expect(await errorOf(c14, 3)).toEqual([OFPET_FLOW_MONITOR_FAILED, OFPMOFC_UNKNOWN_MONITOR]);
    c14.send(mon(4, 6, OFPFMF_ADD, { command: 9 }));
    expect(await errorOf(c14, 4)).toEqual([OFPET_FLOW_MONITOR_FAILED, OFPMOFC_BAD_COMMAND]);
    c14.send(mon(5, 6, 0x100));
    expect(await errorOf(c14, 5)).toEqual([OFPET_FLOW_MONITOR_FAILED, OFPMOFC_BAD_FLAGS]);
    c14.send(mon(6, 6, OFPFMF_ADD, { tableId: 200 }));
    expect(await errorOf(c14, 6)).toEqual([OFPET_FLOW_MONITOR_FAILED, OFPMOFC_BAD_TABLE_ID]);
    c14.send(mon(7, 1, OFPFMF_ADD, { command: OFPFMC_DELETE }));
    expect((await c14.next('flow_monitor_reply', 2000, (m) => m.xid === 7)).updates).toEqual([]);
  });
});

describe('async config and role-status (OpenFlow 1.4)', () => {
  it('a meter delete removes its flows with 1.4\'s METER_DELETE for a 1.4 controller, DELETE for a 1.3 one', async () => {
    const { c14, connect } = await setup();
    const c13 = await connect(4);
    c14.send({ type: 'get_async_request', xid: 1 });
    expect(await c14.next('get_async_reply')).toMatchObject({ flowRemovedMask: [31, 0], packetInMask: [0b111011, 0] }); // 1.4 defaults: + METER_DELETE, + ACTION_SET/GROUP/PACKET_OUT
    c14.send({ type: 'meter_mod', xid: 2, command: 0, flags: 1, meterId: 3, bands: [{ type: 'drop', rate: 1000, burstSize: 0 }] });
    c14.send({ type: 'flow_mod', xid: 3, ...flowMod({ priority: 4, flags: 1, instructions: [{ type: 'meter', meterId: 3 }, apply(out(1))] }) });
    await c14.barrier();
    c14.send({ type: 'meter_mod', xid: 4, command: 2, flags: 0, meterId: 3, bands: [] });
    expect((await c14.next('flow_removed')).reason).toBe(OFPRR_METER_DELETE);
    expect((await c13.next('flow_removed')).reason).toBe(OFPRR_DELETE);
  });

  it('packet-in reasons: a 1.4 controller is told GROUP / ACTION_SET / PACKET_OUT, a 1.3 one ACTION', async () => {
    const { c14, connect, bridge } = await setup();
    const c13 = await connect(4);
    const frame = new Uint8Array(60);
    for (const reason of [OFPR_GROUP, OFPR_ACTION_SET, OFPR_PACKET_OUT]) {
      bridge.emit('packet-in', {
        inPort: 2, reason, tableId: 0, cookie: 5n, maxLen: 0xffff, totalLen: 60, data: frame,
        metadata: 0n, tunnelId: 0n, tunSrc: 0, tunDst: 0,
      });
      expect((await c14.next('packet_in')).reason).toBe(reason);
      expect((await c13.next('packet_in')).reason).toBe(OFPR_ACTION);
    }
  });

  it('a 1.3 and a 1.4 controller on one bridge: each gets port-status in its own version', async () => {
    const { c14, connect, bridge } = await setup();
    const c13 = await connect(4);
    expect(bridge.portMod(1, 1, 1)).toBeNull(); // OFPPC_PORT_DOWN
    await c14.until(() => c14.received.some((r) => r.msg?.type === 'port_status'));
    await c13.until(() => c13.received.some((r) => r.msg?.type === 'port_status'));
    const raw14 = c14.received.find((r) => r.msg?.type === 'port_status')!.raw;
    const raw13 = c13.received.find((r) => r.msg?.type === 'port_status')!.raw;
    expect([raw14[0], raw14.length, raw13[0], raw13.length]).toEqual([5, 16 + 72, 4, 16 + 64]); // 1.4: ofp_port + Ethernet property
    const p14 = await c14.next('port_status');
    const p13 = await c13.next('port_status');
    expect(p14.port).toEqual(p13.port);
    expect([p14.port.portNo, p14.port.config, p14.port.currSpeed]).toEqual([1, 1, 10_000_000]);
  });

  it('SET_ASYNC changes only the masks it has properties for', async () => {
    const { c14 } = await setup();
    c14.send({ type: 'set_async', xid: 1, packetInMask: [1, null], roleStatusMask: [null, 0] });
    c14.send({ type: 'get_async_request', xid: 2 });
    expect(await c14.next('get_async_reply')).toMatchObject({
      xid: 2, packetInMask: [1, 0], portStatusMask: [7, 7], flowRemovedMask: [31, 0], roleStatusMask: [7, 0],
    });
  });

  it('a master displaced by another gets role-status (1.4), a 1.3 one nothing', async () => {
    const { c14, connect } = await setup();
    const c13 = await connect(4);
    const other = await connect(5);
    c14.send({ type: 'role_request', xid: 1, role: OFPCR_ROLE_MASTER, generationId: 1n });
    await c14.next('role_reply');
    other.send({ type: 'role_request', xid: 2, role: OFPCR_ROLE_MASTER, generationId: 2n });
    await other.next('role_reply');
    expect(await c14.next('role_status')).toMatchObject({ role: OFPCR_ROLE_SLAVE, reason: OFPCRR_MASTER_REQUEST, generationId: 2n });
    c13.send({ type: 'role_request', xid: 3, role: OFPCR_ROLE_MASTER, generationId: 3n });
    await c13.next('role_reply');
    expect(await other.next('role_status')).toMatchObject({ role: OFPCR_ROLE_SLAVE, generationId: 3n });
    other.send({ type: 'role_request', xid: 4, role: OFPCR_ROLE_MASTER, generationId: 4n });
    await other.next('role_reply');
    await c13.barrier();
    expect(c13.received.map((r) => r.raw[1])).toEqual([]); // nothing unasked for on 1.3
  });
});
