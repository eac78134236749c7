import { describe, it, expect } from 'vitest';
import { arpFrame, hex, ipFrame, MAC, rig } from './datapath-helpers.js';

// NORMAL's trunk rule (Open vSwitch `trunks`): untagged frames are VLAN 0, which an
// explicit trunk list must name to carry them.
describe('datapath NORMAL trunks and VLAN 0', () => {
  const ports = [
    { vlanMode: 'trunk' as const, trunks: [10] }, // no 0: no untagged traffic
    { vlanMode: 'trunk' as const, trunks: [0, 10] }, // native VLAN allowed
    { vlanMode: 'access' as const, tag: 0 }, // untagged, VLAN 0
    {}, // no vlanMode: trunk of all VLANs
  ];

  it('drops untagged frames on input of a trunk whose list lacks 0', () => {
    const r = rig(4, { failMode: 'standalone' }, ports);
    r.send(1, arpFrame(MAC(1)), ipFrame({ src: MAC(1), dst: MAC(9), vlan: 0 }));
    expect([2, 3, 4].flatMap((p) => r.take(p))).toEqual([]);
    expect(r.bridge.macTable().lookup(0, 0x020000000001, 1000)).toBe(-1); // not learned either
    // its tagged VLAN 10 still passes, tagged to the trunks that carry 10
    const t = ipFrame({ src: MAC(1), dst: MAC(9), vlan: 10 });
    r.send(1, t);
    expect(r.take(2)).toEqual([hex(t)]);
    expect(r.take(3)).toEqual([]);
    expect(r.take(4)).toEqual([hex(t)]);
  });

  it('never floods or unicasts untagged (VLAN 0) frames out of such a trunk', () => {
    const r = rig(4, { failMode: 'standalone' }, ports);
    const bc = arpFrame(MAC(3));
    r.send(3, bc);
    expect(r.take(1)).toEqual([]);
    expect(r.take(2)).toEqual([hex(bc)]);
    expect(r.take(4)).toEqual([hex(bc)]);
    // a known destination behind port 1 in VLAN 0 cannot be learned there, and a
    // unicast to an address learned on port 1 in VLAN 10 is in another VLAN: flooded in 0
    r.send(1, ipFrame({ src: MAC(1), dst: MAC(3), vlan: 10 }));
    r.take(2); r.take(4);
    const u = ipFrame({ src: MAC(3), dst: MAC(1) });
    r.send(3, u);
    expect(r.take(1)).toEqual([]);
    expect(r.take(2)).toEqual([hex(u)]);
    expect(r.take(4)).toEqual([hex(u)]);
  });

  it('a trunk list with 0 carries untagged frames untagged, in and out', () => {
    const r = rig(4, { failMode: 'standalone' }, ports);
    const f = ipFrame({ src: MAC(2), dst: MAC(9) });
    r.send(2, f);
    expect(r.take(1)).toEqual([]);
    expect(r.take(3)).toEqual([hex(f)]);
    expect(r.take(4)).toEqual([hex(f)]);
  });
});
