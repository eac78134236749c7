import { describe, it, expect } from 'vitest';
import { OFPFF_SEND_FLOW_REM, OFPGC_ADD, OFPGT_FF, OFPP_ALL, OFPP_CONTROLLER, OFPP_FLOOD, OFPP_IN_PORT, OFPP_TABLE, OFPR_ACTION, OFPR_INVALID_TTL, OFPR_NO_MATCH, OFPFC_MODIFY, OFPFC_DELETE, OFPPC_NO_FLOOD } from '../../src/pipeline/types.js';
import { apply, bucket, fm, goto, oxm, out, setField } from './pipeline-helpers.js';
import { hex, ipFrame, rig } from './datapath-helpers.js';

const udpTo = (dport: number) => [oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('udp_dst', dport)];

describe('datapath forwarding', () => {
  it('outputs to a port, IN_PORT sends back, explicit output to the ingress port is dropped', () => {
    const r = rig(3);
    r.bridge.flowMod(fm({ match: udpTo(1), instructions: [apply(out(2), out(1), out(OFPP_IN_PORT))] }));
    const f = ipFrame({ dport: 1 });
    r.send(1, f);
    expect(r.take(2)).toEqual([hex(f)]);
    expect(r.take(1)).toEqual([hex(f)]); // once, through IN_PORT only
    expect(r.take(3)).toEqual([]);
  });

  it('rewrites with set_field and push_vlan, FLOOD honours NO_FLOOD, ALL does not', () => {
    const r = rig(4);
    r.bridge.flowMod(fm({ match: udpTo(7), instructions: [apply(setField('ipv4_dst', 0x0a0000fe), { type: 'push_vlan', ethertype: 0x8100 }, setField('vlan_vid', 0x1000 | 42), out(2))] }));
    r.bridge.flowMod(fm({ match: udpTo(8), instructions: [apply(out(OFPP_FLOOD))] }));
    r.bridge.flowMod(fm({ match: udpTo(9), instructions: [apply(out(OFPP_ALL))] }));
    r.send(1, ipFrame({ dport: 7 }));
    const [got] = r.take(2);
    const want = ipFrame({ dport: 7, dstIp: 0x0a0000fe, vlan: 42 });
    expect(got!.slice(0, 36)).toBe(hex(want).slice(0, 36)); // MACs + tag
    expect(got!.slice(60 + 8, 60 + 8 + 0)).toBe('');
    expect(Buffer.from(got!, 'hex').readUInt32BE(18 + 16)).toBe(0x0a0000fe);
    expect(got!.length).toBe(hex(want).length);
    r.bridge.portMod(3, OFPPC_NO_FLOOD, OFPPC_NO_FLOOD);
    r.send(1, ipFrame({ dport: 8 }), ipFrame({ dport: 9 }));
    expect(r.take(1)).toEqual([]);
    expect(r.take(2)).toHaveLength(2);
    expect(r.take(3)).toHaveLength(1);
    expect(r.take(4)).toHaveLength(2);
  });

  it('a flow-mod between two packets of a flow applies to the very next packet', () => {
    const r = rig(3);
    r.bridge.flowMod(fm({ match: udpTo(5), instructions: [apply(out(2))] }));
    const f = ipFrame({ dport: 5 });
    r.send(1, f, f);
    expect(r.take(2)).toHaveLength(2);
    expect(r.bridge.cacheStats().hits).toBe(1);
    r.bridge.flowMod(fm({ command: OFPFC_MODIFY, match: udpTo(5), instructions: [apply(out(3))] }));
    r.send(1, f);
    expect(r.take(2)).toEqual([]);
    expect(r.take(3)).toHaveLength(1);
    r.bridge.flowMod(fm({ command: OFPFC_DELETE, tableId: 0xff }));
    r.send(1, f);
    expect(r.take(3)).toEqual([]);
  });

  it('a burst\'s packet-ins reach the listeners after its outputs are sent; a flow-mod one makes applies to the next packet', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ priority: 0, instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] }));
    r.bridge.flowMod(fm({ match: udpTo(7), instructions: [apply(out(2))] }));
    const seenAtPacketIn: number[] = [];
    r.bridge.once('packet-in', () => {
      seenAtPacketIn.push(r.take(2).length); // the burst's forwarded frame is already out
      r.bridge.flowMod(fm({ match: udpTo(5), instructions: [apply(out(2))] }));
    });
    const f = ipFrame({ dport: 5 });
    r.send(1, f, ipFrame({ dport: 7 }), f);
    expect(seenAtPacketIn).toEqual([1]);
    expect(r.packetIns).toHaveLength(2); // both misses of that burst went to the controller
    r.send(1, f);
    expect(r.take(2)).toEqual([hex(f)]);
    expect(r.packetIns).toHaveLength(2);
  });

  it('packet-in carries reason, table, cookie and a copy of the frame', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ match: udpTo(1), cookie: 0x77n, instructions: [apply(out(OFPP_CONTROLLER, 128))] }));
    r.bridge.flowMod(fm({ priority: 0, instructions: [{ type: 'write_metadata', metadata: 0xabn, mask: 0xffn }, goto(1)] }));
    r.bridge.flowMod(fm({ tableId: 1, priority: 0, cookie: 0x55n, instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] }));
    r.bridge.flowMod(fm({ match: udpTo(3), instructions: [apply({ type: 'dec_nw_ttl' }, out(2))] }));
    const a = ipFrame({ dport: 1 });
    const b = ipFrame({ dport: 2 });
    const c = ipFrame({ dport: 3, ttl: 1 });
    r.send(1, a, b, c);
    expect(r.packetIns.map((p) => [p.reason, p.tableId, p.cookie, p.maxLen, p.inPort])).toEqual([
      [OFPR_ACTION, 0, 0x77n, 128, 1],
      [OFPR_NO_MATCH, 1, 0x55n, 0xffff, 1],
      [OFPR_INVALID_TTL, 0, 0n, 0xffff, 1],
    ]);
    expect(hex(r.packetIns[0]!.data)).toBe(hex(a));
    expect(r.packetIns[0]!.totalLen).toBe(a.length);
    expect(r.take(2)).toEqual([]);
  });

  it('packet-out: direct output, and output:TABLE runs the pipeline with counters', () => {
    const r = rig(3);
    r.bridge.flowMod(fm({ match: udpTo(4), instructions: [apply(out(3))] }));
    const f = ipFrame({ dport: 4 });
    expect(r.bridge.packetOut(OFPP_CONTROLLER, [out(2)], f)).toBeNull();
    expect(r.take(2)).toEqual([hex(f)]);
    expect(r.bridge.packetOut(OFPP_CONTROLLER, [out(OFPP_TABLE)], f)).toBeNull();
    expect(r.take(3)).toEqual([hex(f)]);
    const rule = [...r.bridge.pipeline.table(0).rules()][0]!;
    expect(rule.packetCount).toBe(1);
    expect(r.bridge.packetOut(99, [out(2)], f)).toMatchObject({ type: 1 });
    expect(r.bridge.packetOut(OFPP_CONTROLLER, [out(77)], f)).not.toBeNull();
  });

  it('fast-failover switches when the watched port goes down (port-status emitted)', () => {
    const r = rig(3);
    const events: [number, number, boolean][] = [];
    r.bridge.on('port-status', (reason: number, info: { ofport: number; linkUp: boolean }) => events.push([reason, info.ofport, info.linkUp]));
    expect(r.bridge.groupMod({ command: OFPGC_ADD, type: OFPGT_FF, groupId: 1, buckets: [bucket([out(2)], 0, 2), bucket([out(3)], 0, 3)] })).toEqual({ removed: [] });
    r.bridge.flowMod(fm({ match: udpTo(6), instructions: [apply({ type: 'group', groupId: 1 })] }));
    const f = ipFrame({ dport: 6 });
    r.send(1, f);
    expect(r.take(2)).toHaveLength(1);
    r.ports[1]!.setLink(false);
    r.bridge.tick();
    expect(events).toEqual([[2, 2, false]]);
    r.send(1, f);
    expect(r.take(3)).toHaveLength(1);
    expect(r.take(2)).toEqual([]);
    r.ports[1]!.setLink(true);
    r.bridge.tick();
    r.send(1, f);
    expect(r.take(2)).toHaveLength(1);
    expect(r.bridge.removePort(3)).toBeNull();
    expect(events.at(-1)).toEqual([1, 3, false]);
    expect(r.bridge.port(3)).toBeUndefined();
  });

  it('expiry emits flow-removed for SEND_FLOW_REM rules; runts dropped, malformed forwarded and counted', () => {
    const r = rig(2);
    const removed: unknown[] = [];
    r.bridge.on('flow-removed', (x) => removed.push(x));
    r.bridge.flowMod(fm({ priority: 1, hardTimeout: 2, flags: OFPFF_SEND_FLOW_REM, instructions: [apply(out(2))] }));
    const trunc = ipFrame({ dport: 1 }).subarray(0, 20);
    r.send(1, new Uint8Array(10), trunc);
    expect(r.take(2)).toEqual([hex(trunc)]);
    expect(r.bridge.counters()).toMatchObject({ malformed: 1, drops: { runt: 1 } });
    r.clock.t += 3000;
    r.bridge.tick();
    expect(removed).toHaveLength(1);
  });

  it('pop_mpls: the tables after it see the inner packet (reparsed, never cached)', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ match: [oxm('eth_type', 0x8847)], instructions: [apply({ type: 'pop_mpls', ethertype: 0x0800 }), goto(1)] }));
    r.bridge.flowMod(fm({ tableId: 1, match: udpTo(1), instructions: [apply(out(2))] }));
    const inner = ipFrame({ dport: 1 });
    const mpls = Uint8Array.from([...inner.subarray(0, 12), 0x88, 0x47, 0x00, 0x01, 0x01, 0x40, ...inner.subarray(14)]);
    r.send(1, mpls, mpls);
    expect(r.take(2)).toEqual([hex(inner), hex(inner)]);
    expect(r.bridge.cacheStats()).toMatchObject({ hits: 0, uncacheable: 2 });
  });

  it('trace() shows the path and changes no counters', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ match: udpTo(1), cookie: 9n, instructions: [apply(out(2))] }));
    const d = r.bridge.trace(1, ipFrame({ dport: 1 }));
    expect(d.trace?.map((s) => [s.tableId, s.rule?.cookie])).toEqual([[0, 9n]]);
    expect(d.ops).toMatchObject([{ op: 'output', port: 2 }]);
    expect([...r.bridge.pipeline.table(0).rules()][0]!.packetCount).toBe(0);
    expect(r.take(2)).toEqual([]);
  });
});
