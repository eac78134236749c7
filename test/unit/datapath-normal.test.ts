import { describe, it, expect } from 'vitest';
import { FlowKey } from '../../src/packet/flow-key.js';
import { parseFrame } from '../../src/packet/parse.js';
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

  it('split horizon: what came in on a tunnel port never goes out of another, flooded or learned', () => {
    // ports 1, 2: VMs; ports 3, 4: tunnels to two remote hosts (a full mesh of three)
    const r = rig(4, { failMode: 'standalone' }, [], [3, 4]);
    const bcFromRemote = arpFrame(MAC(3));
    r.send(3, bcFromRemote);
    expect(r.take(1)).toEqual([hex(bcFromRemote)]);
    expect(r.take(2)).toEqual([hex(bcFromRemote)]);
    expect(r.take(4)).toEqual([]); // not relayed to the other remote: a mesh would loop
    // unknown unicast from a tunnel floods to the VMs only
    const uu = ipFrame({ src: MAC(3), dst: MAC(9) });
    r.send(3, uu);
    expect([r.take(1), r.take(2), r.take(4)].map((x) => x.length)).toEqual([1, 1, 0]);
    // an address learned behind tunnel 4 is not reached from tunnel 3 either
    r.send(4, ipFrame({ src: MAC(4), dst: MAC(1) })); // MAC(1) unknown yet: flooded to the VMs
    expect([r.take(1), r.take(2), r.take(3)].map((x) => x.length)).toEqual([1, 1, 0]);
    r.send(3, ipFrame({ src: MAC(3), dst: MAC(4) }));
    expect(r.take(4)).toEqual([]);
    // from a VM, floods and learned unicast reach the tunnels as before
    const bcFromVm = arpFrame(MAC(1));
    r.send(1, bcFromVm);
    expect([r.take(2), r.take(3), r.take(4)].map((x) => x.length)).toEqual([1, 1, 1]);
    r.send(1, ipFrame({ src: MAC(1), dst: MAC(4) }));
    expect([r.take(2), r.take(3), r.take(4)].map((x) => x.length)).toEqual([0, 0, 1]);
    // `sluice trace` plans the same (Bridge.normalPlan)
    const key = new FlowKey();
    const bc = arpFrame(MAC(3));
    parseFrame(bc, 0, bc.length, 3, key);
    expect(r.bridge.normalPlan(3, key.words).out.map((o) => o.ofport)).toEqual([1, 2]);
    parseFrame(bcFromVm, 0, bcFromVm.length, 1, key);
    expect(r.bridge.normalPlan(1, key.words).out.map((o) => o.ofport)).toEqual([2, 3, 4]);
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
