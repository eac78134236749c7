// Cache on vs. cache off must forward identically (DESIGN.md: every optimisation has a test
// that shows the result is still correct): the same mixed traffic through two bridges,
// byte-identical outputs per port, identical packet-ins and counters.
import { describe, it, expect } from 'vitest';
import {
  OFPFC_MODIFY_STRICT, OFPGC_ADD, OFPGT_ALL, OFPGT_FF, OFPGT_SELECT, OFPMC_ADD, OFPMF_BURST, OFPMF_PKTPS,
  OFPP_CONTROLLER, OFPP_NORMAL, type Instruction,
} from '../../src/pipeline/types.js';
import { apply, bucket, fm, goto, oxm, out, setField, write } from './pipeline-helpers.js';
import { arpFrame, hex, ipFrame, MAC, rig, type Rig } from './datapath-helpers.js';

const udp = (d: number) => [oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('udp_dst', d)];
const tcp = (d: number) => [oxm('eth_type', 0x0800), oxm('ip_proto', 6), oxm('tcp_dst', d)];
const meter = (meterId: number): Instruction => ({ type: 'meter', meterId });

function configure(r: Rig): void {
  const b = r.bridge;
  const ok = (x: unknown) => expect(x).toEqual({ removed: [] });
  ok(b.meterMod({ command: OFPMC_ADD, flags: OFPMF_PKTPS | OFPMF_BURST, meterId: 1, bands: [{ type: 'drop', rate: 5, burstSize: 3 }] }));
  ok(b.meterMod({ command: OFPMC_ADD, flags: OFPMF_PKTPS | OFPMF_BURST, meterId: 2, bands: [{ type: 'dscp_remark', rate: 5, burstSize: 3, precLevel: 1 }] }));
  const vlan100 = [{ type: 'push_vlan' as const, ethertype: 0x8100 }, setField('vlan_vid', 0x1000 | 100)];
  ok(b.groupMod({ command: OFPGC_ADD, type: OFPGT_ALL, groupId: 1, buckets: [bucket([out(3)]), bucket([...vlan100, out(4)])] }));
  ok(b.groupMod({ command: OFPGC_ADD, type: OFPGT_SELECT, groupId: 2, buckets: [bucket([setField('ipv4_src', 0x0b000001), out(2)], 1), bucket([out(3)], 1)] }));
  ok(b.groupMod({ command: OFPGC_ADD, type: OFPGT_FF, groupId: 3, buckets: [bucket([out(2)], 0, 2), bucket([out(3)], 0, 3)] }));
  ok(b.flowMod(fm({ match: udp(1), instructions: [apply(setField('ipv4_dst', 0x0a0000fe), { type: 'dec_nw_ttl' }, out(2))] })));
  ok(b.flowMod(fm({ match: udp(2), instructions: [meter(1), apply(out(3))] })));
  ok(b.flowMod(fm({ match: udp(3), instructions: [meter(2), apply(out(4))] })));
  ok(b.flowMod(fm({ match: tcp(80), instructions: [apply({ type: 'group', groupId: 1 })] })));
  ok(b.flowMod(fm({ match: tcp(443), instructions: [apply({ type: 'group', groupId: 2 })] })));
  ok(b.flowMod(fm({ match: tcp(22), instructions: [apply({ type: 'group', groupId: 3 })] })));
  ok(b.flowMod(fm({ match: udp(4), instructions: [{ type: 'write_metadata', metadata: 7n, mask: 0xffn }, write(out(2)), goto(1)] })));
  ok(b.flowMod(fm({ tableId: 1, match: [oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('metadata', 7n)], instructions: [write(setField('udp_dst', 9))] })));
  ok(b.flowMod(fm({ match: udp(5), cookie: 5n, instructions: [apply(out(OFPP_CONTROLLER, 64))] })));
  ok(b.flowMod(fm({ match: [oxm('eth_type', 0x0806)], instructions: [apply(out(OFPP_NORMAL))] })));
  ok(b.flowMod(fm({ match: udp(6), instructions: [apply(out(OFPP_NORMAL))] })));
  ok(b.flowMod(fm({ priority: 0, cookie: 0xeen, instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] })));
}

/** A deterministic mixed workload: a few hundred frames over a few dozen flows. */
function traffic(r: Rig): void {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const dports = [1, 2, 3, 4, 5, 6, 7, 80, 443, 22];
  for (let burst = 0; burst < 60; burst++) {
    if (burst === 20) {
      r.ports[1]!.setLink(false);
      r.bridge.tick();
    }
    if (burst === 30) {
      r.ports[1]!.setLink(true);
      r.bridge.tick();
      r.bridge.flowMod(fm({ command: OFPFC_MODIFY_STRICT, match: udp(1), instructions: [apply(out(3))] }));
    }
    let inPort = 1 + rnd(4);
    if (inPort === 2 && burst >= 20 && burst < 30) inPort = 1; // port 2 is down
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 14; i++) {
      // hosts stay on their port (stable learning); a few dozen flows in all
      const src = MAC(10 * inPort + (rnd(4) === 0 ? 1 : 0));
      const dst = rnd(8) === 0 ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : MAC(10 * (1 + rnd(4)));
      const kind = rnd(30);
      if (kind === 0) frames.push(arpFrame(src));
      else if (kind === 1) frames.push(ipFrame({ src, dst }).subarray(0, 30)); // truncated IPv4
      else if (kind === 2) frames.push(new Uint8Array(8)); // runt
      else {
        const d = dports[rnd(dports.length)]!;
        frames.push(ipFrame({ src, dst, proto: d >= 22 ? 6 : 17, dport: d, ttl: rnd(15) === 0 ? 1 : 64 }));
      }
    }
    r.send(inPort, ...frames);
    r.clock.t += 100;
  }
}

function observe(r: Rig): unknown {
  const b = r.bridge;
  const outputs = [1, 2, 3, 4].map((p) => r.take(p));
  const rules = [0, 1].map((t) => [...b.pipeline.table(t).rules()].map((x) => [x.priority, x.cookie, x.packetCount, x.byteCount]));
  const groups = [1, 2, 3].map((g) => {
    const grp = b.pipeline.group(g)!;
    return [grp.packetCount, grp.byteCount, grp.buckets.map((k) => [k.packetCount, k.byteCount])];
  });
  const meters = [1, 2].map((m) => [b.pipeline.meter(m)!.packetInCount, b.pipeline.meter(m)!.byteInCount]);
  const pins = r.packetIns.map((p) => [p.reason, p.tableId, p.cookie, p.inPort, p.maxLen, hex(p.data)]);
  const ports = b.ports().map((p) => [p.ofport, p.stats]);
  return { outputs, rules, groups, meters, pins, ports, counters: { ...b.counters() } };
}

describe('datapath: flow cache on vs off', () => {
  it('forwards byte-identically with identical counters', () => {
    const on = rig(4, { flowCache: true });
    const off = rig(4, { flowCache: false });
    configure(on);
    configure(off);
    traffic(on);
    traffic(off);
    const a = observe(on) as { outputs: string[][]; pins: unknown[][] };
    const b = observe(off);
    expect(a).toEqual(b);
    // the workload is not trivial: every port got frames, the controller got some,
    // and the cache was really used
    for (const o of a.outputs) expect(o.length).toBeGreaterThan(5);
    expect(a.pins.length).toBeGreaterThan(5);
    const pl = on.bridge.pipeline;
    expect(pl.meter(1)!.bands[0]!.packetCount).toBeGreaterThan(0); // some drops
    expect(pl.meter(2)!.bands[0]!.packetCount).toBeGreaterThan(0); // some remarks
    for (const g of [1, 2, 3]) expect(pl.group(g)!.packetCount).toBeGreaterThan(0);
    expect(a.pins.some((p) => p[0] === 2)).toBe(true); // OFPR_INVALID_TTL
    const s = on.bridge.cacheStats();
    expect(s.hits).toBeGreaterThan(100);
    expect(s.misses).toBeGreaterThan(20);
    expect(off.bridge.cacheStats().hits).toBe(0);
  });

  it('zero-copy forwarding (frames sent from the receive memory) forwards byte-identically', () => {
    const zc = rig(4, { zeroCopy: true });
    const copy = rig(4, { zeroCopy: false, flowCache: false });
    configure(zc);
    configure(copy);
    traffic(zc);
    traffic(copy);
    expect(observe(zc)).toEqual(observe(copy));
  });
});
