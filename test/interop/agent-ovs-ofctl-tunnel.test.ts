// Tunnel metadata through a running Sluice bridge (memory ports), driven by the tools a user
// has: Open vSwitch's `ovs-ofctl -O OpenFlow13` (add-flow, dump-flows, dump-table-features)
// and an os-ken controller's flow-mod bytes. tun_src / tun_dst travel as NXM_NX_TUN_IPV4_SRC
// / _DST (OXM class 0x0001, fields 31 / 32), tun_id as OXM_OF_TUNNEL_ID; dump-flows must
// print back exactly what ovs-ofctl would print for its own switch.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { OfctlLab } from './ofctl-lab.js';
import { TestController } from '../unit/agent-helpers.js';

const need = needs('ovs-ofctl');
const needOsken = needs('ovs-ofctl', 'python3', 'python3:os_ken');
const PY = '/usr/bin/python3';

// What os-ken builds for a controller app that steers tunnel traffic (run live).
const OSKEN_SCRIPT = `
from os_ken.ofproto import ofproto_v1_3 as ofp, ofproto_v1_3_parser as p
class D: ofproto = ofp; ofproto_parser = p
m = p.OFPMatch(tun_ipv4_src='198.51.100.7', tun_ipv4_dst=('203.0.113.0', '255.255.255.0'), tunnel_id=(0x500, 0xff00))
fm = p.OFPFlowMod(D(), table_id=3, priority=77, cookie=0x99, match=m, instructions=[
    p.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, [p.OFPActionSetField(tun_ipv4_src='203.0.113.1')]),
    p.OFPInstructionActions(ofp.OFPIT_WRITE_ACTIONS, [p.OFPActionSetField(tun_ipv4_dst='198.51.100.8'),
                                                     p.OFPActionSetField(tunnel_id=0x501), p.OFPActionOutput(2, 0)])])
fm.set_xid(11); fm.serialize(); print(bytes(fm.buf).hex())
`;

need.describe('tunnel metadata: ovs-ofctl and os-ken against Sluice', () => {
  const lab = new OfctlLab('br-tun', { failMode: 'secure', dpid: 0xbeefn, ports: 3 });
  const ofctl = (verb: string, ...args: string[]) => lab.ofctl(verb, ...args);
  /** dump-flows lines, without the one thing that is never the same twice (duration). */
  const flows = async (...filter: string[]) => (await ofctl('dump-flows', ...filter)).split('\n')
    .filter((l) => l.includes('cookie=')).map((l) => l.replace(/ duration=[0-9.]+s,/, ''));

  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  it('add-flow with tun_id / tun_src / tun_dst in match and set_field; dump-flows prints them back line for line', async () => {
    for (const f of [
      'table=0,priority=200,tun_id=0x2a,tun_src=192.168.0.1,tun_dst=192.168.0.2,actions=output:2',
      'table=0,priority=150,tcp,in_port=1,tun_dst=10.0.0.0/8,tun_src=172.16.0.0/255.255.0.255,tp_dst=80,actions=set_field:10.1.1.1->tun_dst,set_field:0x64->tun_id,goto_table:1',
      'table=0,priority=100,tun_id=0x5/0xff,actions=set_field:1.1.1.1->tun_src,write_actions(set_field:2.2.2.2->tun_dst,set_field:0xffffffffffffffff->tun_id,output:3)',
      'table=1,priority=10,tun_id=0,tun_dst=0.0.0.0,actions=drop',
    ]) expect(await ofctl('add-flow', f)).toBe('');
    expect(await flows()).toEqual([
      ' cookie=0x0, table=0, n_packets=0, n_bytes=0, priority=200,tun_id=0x2a,tun_src=192.168.0.1,tun_dst=192.168.0.2 actions=output:2',
      ' cookie=0x0, table=0, n_packets=0, n_bytes=0, priority=150,tcp,tun_src=172.16.0.0/255.255.0.255,tun_dst=10.0.0.0/8,in_port=1,tp_dst=80 actions=set_field:10.1.1.1->tun_dst,set_field:0x64->tun_id,goto_table:1',
      ' cookie=0x0, table=0, n_packets=0, n_bytes=0, priority=100,tun_id=0x5/0xff actions=set_field:1.1.1.1->tun_src,write_actions(set_field:2.2.2.2->tun_dst,set_field:0xffffffffffffffff->tun_id,output:3)',
      ' cookie=0x0, table=1, n_packets=0, n_bytes=0, priority=10,tun_id=0,tun_dst=0.0.0.0 actions=drop',
    ]);
    // A filter on a tunnel field selects as OF1.3 says (§6.4, non-strict: rules as or more
    // specific than the filter): only the rule with exactly that tun_dst.
    expect(await flows('tun_dst=192.168.0.2')).toEqual([
      ' cookie=0x0, table=0, n_packets=0, n_bytes=0, priority=200,tun_id=0x2a,tun_src=192.168.0.1,tun_dst=192.168.0.2 actions=output:2',
    ]);
    expect(await ofctl('del-flows', '--strict', 'table=1,priority=10,tun_id=0,tun_dst=0.0.0.0')).toBe('');
    expect(await flows('table=1')).toEqual([]);
  });

  it('the Nicira set_tunnel action gets the OF1.3 form from sluice, while ovs-ofctl itself converts it', async () => {
    // ovs-ofctl -O OpenFlow13 turns set_tunnel:V into set_field:V->tun_id on the wire: the
    // switch sees a plain set-field and dumps it in that form.
    expect(await ofctl('add-flow', 'table=2,priority=5,actions=set_tunnel:0x77,output:1')).toBe('');
    expect(await flows('table=2')).toEqual([
      ' cookie=0x0, table=2, n_packets=0, n_bytes=0, priority=5 actions=set_field:0x77->tun_id,output:1',
    ]);
  });

  it('dump-table-features lists tun_src and tun_dst as maskable and settable', async () => {
    const lines = (await ofctl('dump-table-features')).split('\n').map((l) => l.trim());
    expect(lines).toContain('supported on Set-Field: tun_{id,src,dst} eth_{src,dst,type} vlan_{vid,pcp} mpls_{label,tc,bos} ip_{src,dst} ipv6_{src,dst,label} nw_proto ip_dscp nw_ecn arp_{op,spa,tpa,sha,tha} tcp_{src,dst} udp_{src,dst} sctp_{src,dst} icmp_{type,code} icmpv6_{type,code} nd_{target,sll,tll}');
    expect(lines).toContain('arbitrary mask: tun_{id,src,dst} metadata eth_{src,dst} vlan_vid ip_{src,dst} ipv6_{src,dst,label} arp_{spa,tpa,sha,tha}');
  });

  needOsken.it('a flow-mod os-ken encodes with tun_ipv4_src / tun_ipv4_dst is stored and dumped', async () => {
    const py = spawnSync(PY, ['-c', OSKEN_SCRIPT], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const sock = createConnection({ host: '127.0.0.1', port: lab.ptcpPort() });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const ctl = new TestController(sock);
    await ctl.handshake();
    ctl.sendRaw(Uint8Array.from(Buffer.from(py.stdout.trim(), 'hex')));
    ctl.send({ type: 'barrier_request', xid: 12 });
    await ctl.next('barrier_reply');
    expect(ctl.drain().map((r) => r.msg?.type)).toEqual([]); // no error
    sock.destroy();
    expect(await flows('table=3')).toEqual([
      ' cookie=0x99, table=3, n_packets=0, n_bytes=0, priority=77,tun_id=0x500/0xff00,tun_src=198.51.100.7,tun_dst=203.0.113.0/24 actions=set_field:203.0.113.1->tun_src,write_actions(set_field:198.51.100.8->tun_dst,set_field:0x501->tun_id,output:2)',
    ]);
  });
});
