import { describe, it, expect } from 'vitest';
import { arpFrame, hex, ipFrame, MAC, rig } from './datapath-helpers.js';

describe('datapath NORMAL (standalone learning switch)', () => {
  it('a standalone bridge has the NORMAL flow; floods unknown, then unicasts to the learned port', () => {
    const r = rig(3, { failMode: 'standalone' });
    const rules = [...r.bridge.pipeline.table(0).rules()];
    expect(rules.map((x) => x.priority)).toEqual([0]);
    const a2b = ipFrame({ src: MAC(1), dst: MAC(2) });
    r.send(1, a2b);
    expect(r.take(2)).toEqual([hex(a2b)]);
    expect(r.take(3)).toEqual([hex(a2b)]);
    const b2a = ipFrame({ src: MAC(2), dst: MAC(1) });
    r.send(2, b2a);
    expect(r.take(1)).toEqual([hex(b2a)]);
    expect(r.take(3)).toEqual([]);
    r.send(1, a2b, a2b);
    expect(r.take(2)).toEqual([hex(a2b), hex(a2b)]);
    expect(r.take(3)).toEqual([]);
    expect(rules[0]!.packetCount).toBe(4);
    // The address moves to port 3: the cache must not keep sending to port 2... for frames to it.
    r.send(3, ipFrame({ src: MAC(2), dst: MAC(1) }));
    r.send(1, a2b);
    expect(r.take(3)).toEqual([hex(a2b)]);
    expect(r.take(2)).toEqual([]);
  });

  it('the port going down flushes its addresses (flood again)', () => {
    const r = rig(3, { failMode: 'standalone' });
    r.send(2, ipFrame({ src: MAC(2), dst: MAC(1) }));
    r.take(1); r.take(3);
    r.ports[1]!.setLink(false);
    r.bridge.tick();
    r.ports[1]!.setLink(true);
    r.bridge.tick();
    r.send(1, ipFrame({ src: MAC(1), dst: MAC(2) }));
    expect(r.take(2)).toHaveLength(1);
    expect(r.take(3)).toHaveLength(1);
  });

  it('VLANs: access ports join their tag untagged, trunks carry allowed VLANs tagged', () => {
    const r = rig(5, { failMode: 'standalone' }, [
      { vlanMode: 'access', tag: 10 }, { vlanMode: 'access', tag: 20 }, { vlanMode: 'access', tag: 10 },
      { vlanMode: 'trunk', trunks: [10] }, { vlanMode: 'trunk', trunks: [20] },
    ]);
    const bc = arpFrame(MAC(1));
    r.send(1, bc);
    expect(r.take(2)).toEqual([]);
    expect(r.take(3)).toEqual([hex(bc)]);
    expect(r.take(4)).toEqual([hex(arpFrame(MAC(1), 10))]);
    expect(r.take(5)).toEqual([]);
    // tagged VLAN 10 in from the trunk: untagged to the access ports of VLAN 10, and
    // unicast to the address learned above
    const t = ipFrame({ src: MAC(4), dst: MAC(1), vlan: 10, pcp: 3 });
    r.send(4, t);
    expect(r.take(1)).toEqual([hex(ipFrame({ src: MAC(4), dst: MAC(1) }))]);
    expect(r.take(3)).toEqual([]);
    // a tagged frame on an access port is dropped, unless priority-tagged (VID 0)
    r.send(1, ipFrame({ src: MAC(1), dst: MAC(9), vlan: 5 }));
    expect([r.take(2), r.take(3), r.take(4), r.take(5)].flat()).toEqual([]);
    r.send(1, ipFrame({ src: MAC(1), dst: MAC(9), vlan: 0, pcp: 5 }));
    expect(r.take(3)).toEqual([hex(ipFrame({ src: MAC(1), dst: MAC(9) }))]);
    expect(r.take(4)).toEqual([hex(ipFrame({ src: MAC(1), dst: MAC(9), vlan: 10, pcp: 5 }))]);
    // VLAN 20 from its trunk reaches only port 2
    r.send(5, ipFrame({ src: MAC(5), dst: MAC(9), vlan: 20 }));
    expect(r.take(2)).toEqual([hex(ipFrame({ src: MAC(5), dst: MAC(9) }))]);
    expect([r.take(1), r.take(3), r.take(4)].flat()).toEqual([]);
    // VLAN 30 is carried by no trunk: dropped at the ingress
    r.send(5, ipFrame({ src: MAC(5), dst: MAC(9), vlan: 30 }));
    expect([1, 2, 3, 4].flatMap((p) => r.take(p))).toEqual([]);
  });

  it('fail-open bypasses the tables', () => {
    const r = rig(2);
    const f = ipFrame();
    r.send(1, f);
    expect(r.take(2)).toEqual([]);
    r.bridge.failOpen = true;
    r.send(1, f);
    expect(r.take(2)).toEqual([hex(f)]);
  });
});
