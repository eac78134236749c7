import { OfctlLab } from './interop/ofctl-lab.js';
const lab = new OfctlLab('br9', { failMode: 'secure', dpid: 0xa1n, ports: 3 });
await lab.start();
const o = (...a: string[]) => lab.ofctl10(a[0]!, ...a.slice(1));
for (const c of [
  ['add-flow', 'priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2'],
  ['add-flow', 'tcp,nw_src=10.0.0.0/8,tp_dst=80,actions=mod_nw_tos:32,mod_tp_dst:8080,output:3'],
  ['add-flow', 'arp,nw_dst=192.168.1.1,actions=mod_dl_src:02:00:00:00:00:09,enqueue:2:7'],
  ['add-flow', 'priority=5,udp,dl_vlan=0xffff,actions=mod_vlan_vid:20,mod_vlan_pcp:3,output:1'],
  ['add-flow', 'priority=7,icmp,icmp_type=8,dl_dst=02:00:00:00:00:01,actions=mod_nw_src:1.2.3.4,mod_dl_dst:02:00:00:00:00:02,controller:64'],
  ['add-flow', 'check_overlap,priority=100,in_port=1,dl_vlan=10,actions=drop'],
  ['add-flow', 'priority=1,actions=mod_tp_dst:1,output:1'],
  ['dump-flows'], ['dump-flows', 'udp'], ['del-flows', 'udp'], ['dump-aggregate'], ['dump-ports', '1'],
  ['packet-out', 'in_port=1 packet=ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002 actions=output:2'],
  ['dump-ports'], ['mod-port', 'p2', 'no-flood'], ['mod-port', 'p2', 'noforward'],
  ['dump-flows', 'table=1'],
]) console.log('$', c.join(' '), '\n' + await o(...c));
console.log(await lab.ofctl('add-flow', 'table=1,priority=3,ipv6,actions=output:1'));
console.log(await lab.ofctl('add-flow', 'table=0,priority=3,ip,actions=write_actions(output:1),goto_table:1'));
console.log(await o('dump-flows'));
console.log(await lab.ofctl('dump-flows'));
lab.stop();
process.exit(0);
