/**
 * Flow, group and meter texts in ovs-ofctl syntax that both Sluice and ovs-ofctl accept and
 * that together use every field, shorthand, action and instruction the parser knows:
 * the round-trip unit tests and the ovs-ofctl interop test share them.
 */
export const FLOWS = [
  'priority=100,ip,nw_dst=10.0.0.0/8,actions=output:2',
  'table=1,priority=5,cookie=0x10,idle_timeout=10,hard_timeout=20,send_flow_rem,check_overlap,reset_counts,no_packet_counts,no_byte_counts,in_port=3,actions=drop',
  'in_port=LOCAL,actions=output:CONTROLLER',
  'dl_src=00:11:22:33:44:55/ff:ff:ff:00:00:00,eth_dst=01:00:00:00:00:00/01:00:00:00:00:00,eth_type=0x88cc,actions=drop',
  'dl_vlan=10,dl_vlan_pcp=3,actions=mod_vlan_vid:20,mod_vlan_pcp:2,strip_vlan',
  // mod_vlan_vid / mod_vlan_pcp on a packet not known to be tagged push a tag first
  'priority=100,ip,nw_dst=10.0.0.0/8,tcp,tp_dst=80,actions=mod_vlan_vid:10,output:2',
  'tcp,actions=mod_vlan_pcp:2,strip_vlan,mod_vlan_vid:3',
  'tcp,actions=write_actions(mod_vlan_vid:3)',
  'tcp,vlan_tci=0x1000/0x1000,actions=mod_vlan_vid:3',
  'vlan_vid=0x1000/0x1000,actions=push_vlan:0x8100,output:1',
  'vlan_vid=10,actions=drop',
  'vlan_pcp=3,vlan_vid=0x100a,actions=1',
  'dl_vlan_pcp=5,actions=pop_vlan',
  'dl_vlan=0xffff,actions=2',
  'vlan_tci=0x1005,actions=drop',
  'ip,nw_src=10.0.0.1,nw_dst=10.0.0.0/255.255.0.0,actions=mod_nw_src:1.2.3.4,mod_nw_dst:5.6.7.8',
  'ip,nw_src=1.2.3.4/0.255.0.255,actions=drop',
  'ip,ip_dscp=10,ip_ecn=1,actions=set_field:10->ip_dscp',
  'ip,nw_tos=40,nw_ecn=2,actions=controller,controller:100,controller(max_len=200),local,in_port,normal,flood,all',
  'ip,actions=mod_nw_tos:16,mod_nw_ecn:1,dec_ttl,mod_nw_ttl:9',
  'tcp,tcp_dst=80,actions=mod_tp_dst:81,mod_dl_src:00:11:22:33:44:55',
  'tcp,tp_src=1024,actions=mod_tp_src:10',
  'udp,udp_dst=53,actions=mod_tp_dst:54',
  'udp6,udp_src=53,actions=set_field:1->udp_src',
  'sctp,sctp_src=1,sctp_dst=2,actions=set_field:1->sctp_dst',
  'tcp6,tp_src=1,actions=drop',
  'icmp,icmp_type=8,icmp_code=0,actions=set_field:0->icmp_type',
  'icmp6,icmpv6_type=135,nd_target=fe80::1,nd_sll=00:11:22:33:44:55,actions=set_field:::2->nd_target,set_field:00:00:00:00:00:02->nd_sll',
  'icmp6,icmp_type=136,nd_tll=00:11:22:33:44:55,nd_target=::1,actions=drop',
  'ipv6,ipv6_src=2001:db8::/32,ipv6_label=0x12345,actions=set_field:2001:db8::1->ipv6_dst',
  'ipv6,ipv6_dst=fe80::/ffff::,actions=drop',
  'arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_sha=00:11:22:33:44:55,arp_tha=00:00:00:00:00:00/ff:ff:ff:00:00:00,actions=push_mpls:0x8847',
  'arp,nw_src=1.2.3.4,nw_proto=2,actions=set_field:2->arp_op,set_field:1.1.1.1->arp_spa,set_field:00:00:00:00:00:01->arp_sha',
  'mpls,mpls_label=5,mpls_tc=2,mpls_bos=1,actions=pop_mpls:0x0800',
  'mpls,actions=set_mpls_ttl:5,dec_mpls_ttl,set_field:5->mpls_label',
  'mplsm,actions=drop',
  'rarp,actions=drop',
  'tun_id=0x5/0xff,metadata=0x10/0xf0,in_port=3,actions=write_metadata:0x1/0xff,goto_table:3',
  'metadata=5,dl_type=0x8100,actions=drop',
  'ip,actions=meter:2,set_queue:3,group:4,output:5',
  'actions=clear_actions,write_actions(output:1,group:2)',
  'tcp,actions=meter:1,output:1,clear_actions,write_actions(set_field:9->tcp_dst,output:2),write_metadata:0x5,goto_table:9',
  'ipv6,nw_tos=4,nw_proto=17,actions=drop',
  'dl_type=0x0800,nw_proto=6,actions=drop',
  'actions=push_mpls:0x8848,push_vlan:0x88a8,output:1,mod_dl_dst:00:00:00:00:00:01',
  'actions=set_field:5->tun_id',
  'priority=0,actions=NORMAL',
  'ip,actions=set_field:1.2.3.4->nw_src',
  // Tunnel metadata: tun_id = OXM tunnel_id; tun_src / tun_dst = NXM_NX_TUN_IPV4_SRC / _DST
  // (OXM class 0x0001 fields 31 / 32), as ovs-ofctl -O OpenFlow13 encodes them.
  'tun_src=192.168.0.1,tun_dst=192.168.0.2,tun_id=0x2a,actions=output:2',
  'tcp,in_port=1,tun_dst=10.0.0.0/8,tun_src=172.16.0.0/255.255.0.255,metadata=0x3,tp_dst=80,actions=set_field:10.1.1.1->tun_dst,set_field:0x64->tun_id,output:2',
  'priority=10,tun_id=0x0,tun_dst=0.0.0.0,actions=set_field:1.1.1.1->tun_src,write_actions(set_field:2.2.2.2->tun_dst,set_field:0xffffffffffffffff->tun_id,output:3)',
];

export const GROUPS = [
  'group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=output:2',
  'group_id=2,type=all,bucket=output:1,bucket=weight:0,output:2',
  'group_id=3,type=fast_failover,bucket=watch_port:1,actions=output:1,bucket=watch_port:2,watch_group:5,actions=output:2',
  'group_id=4,type=indirect,bucket=actions=set_field:00:00:00:00:00:01->eth_dst,output:3',
];

export const METERS = [
  'meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100,type=dscp_remark,rate=2000,burst_size=10,prec_level=1',
  'meter=2,pktps,bands=type=drop,rate=10',
];

