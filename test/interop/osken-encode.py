#!/usr/bin/python3
"""Builds OpenFlow 1.3 messages with os-ken (an independent implementation) and prints
them as JSON {name: hex}. Sluice's decoder must decode them to the values the test expects.

Regenerate the committed fixtures with:
  /usr/bin/python3 test/interop/osken-encode.py > test/unit/openflow-osken-fixtures.json
"""
import json
import sys

from os_ken.ofproto import ofproto_v1_3 as ofp
from os_ken.ofproto import ofproto_v1_3_parser as p


class FakeDatapath:
    ofproto = ofp
    ofproto_parser = p


dp = FakeDatapath()


def ser(msg, xid):
    msg.set_xid(xid)
    msg.serialize()
    return bytes(msg.buf).hex()


def many_fields_match():
    return p.OFPMatch(
        in_port=1, in_phy_port=2, metadata=(0x1234, 0xffff), eth_dst='00:11:22:33:44:55',
        eth_src=('02:00:00:00:00:00', 'ff:ff:ff:00:00:00'), eth_type=0x0800,
        vlan_vid=(0x1000 | 10), vlan_pcp=3, ip_dscp=46, ip_ecn=1, ip_proto=6,
        ipv4_src=('10.0.0.0', '255.0.0.0'), ipv4_dst='192.168.1.1', tcp_src=1234, tcp_dst=80,
        tunnel_id=0xabcdef, pbb_isid=(0x123456, 0xffffff), mpls_label=16, ipv6_exthdr=(0x1, 0x1ff))


def ipv6_match():
    return p.OFPMatch(eth_type=0x86dd, ip_proto=58, ipv6_src='fe80::1', ipv6_dst=('2001:db8::', 'ffff:ffff::'),
                      ipv6_flabel=0x12345, icmpv6_type=135, icmpv6_code=0, ipv6_nd_target='2001:db8::1',
                      ipv6_nd_sll='00:00:00:00:00:01')


def arp_match():
    return p.OFPMatch(eth_type=0x0806, arp_op=1, arp_spa='10.0.0.1', arp_tpa='10.0.0.2',
                      arp_sha='00:00:00:00:00:01', arp_tha='00:00:00:00:00:02')


def all_actions():
    return [
        p.OFPActionOutput(2, 0), p.OFPActionCopyTtlOut(), p.OFPActionCopyTtlIn(),
        p.OFPActionSetMplsTtl(9), p.OFPActionDecMplsTtl(), p.OFPActionPushVlan(0x8100),
        p.OFPActionPopVlan(), p.OFPActionPushMpls(0x8847), p.OFPActionPopMpls(0x0800),
        p.OFPActionSetQueue(3), p.OFPActionGroup(7), p.OFPActionSetNwTtl(64), p.OFPActionDecNwTtl(),
        p.OFPActionSetField(ipv4_dst='10.1.2.3'), p.OFPActionSetField(vlan_vid=0x1000 | 5),
        p.OFPActionPushPbb(0x88e7), p.OFPActionPopPbb(),
        p.OFPActionExperimenterUnknown(0x2320, data=b'\x00\x01\x02\x03\x04\x05\x06\x07'),
        p.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER),
    ]


def main():
    out = {}
    out['hello'] = ser(p.OFPHello(dp, elements=[p.OFPHelloElemVersionBitmap([1, 4])]), 1)
    out['echo_request'] = ser(p.OFPEchoRequest(dp, data=b'ping'), 2)
    out['barrier_request'] = ser(p.OFPBarrierRequest(dp), 3)
    out['features_request'] = ser(p.OFPFeaturesRequest(dp), 4)
    out['set_config'] = ser(p.OFPSetConfig(dp, ofp.OFPC_FRAG_NORMAL, 256), 5)
    out['flow_mod_all'] = ser(p.OFPFlowMod(
        dp, cookie=0x1122334455667788, cookie_mask=0xffff, table_id=1, command=ofp.OFPFC_MODIFY_STRICT,
        idle_timeout=10, hard_timeout=20, priority=300, buffer_id=ofp.OFP_NO_BUFFER,
        out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY, flags=ofp.OFPFF_SEND_FLOW_REM | ofp.OFPFF_CHECK_OVERLAP,
        match=many_fields_match(),
        instructions=[
            p.OFPInstructionMeter(5),
            p.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, all_actions()),
            p.OFPInstructionActions(ofp.OFPIT_CLEAR_ACTIONS, []),
            p.OFPInstructionActions(ofp.OFPIT_WRITE_ACTIONS, [p.OFPActionOutput(3, 0)]),
            p.OFPInstructionWriteMetadata(0xabc, 0xfff),
            p.OFPInstructionGotoTable(4),
        ]), 6)
    out['flow_mod_ipv6'] = ser(p.OFPFlowMod(dp, priority=5, match=ipv6_match(), instructions=[]), 7)
    out['flow_mod_arp_delete'] = ser(p.OFPFlowMod(dp, command=ofp.OFPFC_DELETE, table_id=ofp.OFPTT_ALL,
                                                  out_port=3, out_group=ofp.OFPG_ANY, match=arp_match()), 8)
    out['group_mod'] = ser(p.OFPGroupMod(dp, ofp.OFPGC_ADD, ofp.OFPGT_FF, 9, [
        p.OFPBucket(0, 1, ofp.OFPG_ANY, [p.OFPActionOutput(1, 0)]),
        p.OFPBucket(0, 2, ofp.OFPG_ANY, [p.OFPActionSetField(eth_dst='00:00:00:00:00:09'), p.OFPActionOutput(2, 0)]),
    ]), 9)
    out['meter_mod'] = ser(p.OFPMeterMod(dp, ofp.OFPMC_ADD, ofp.OFPMF_KBPS | ofp.OFPMF_BURST, 3, [
        p.OFPMeterBandDrop(rate=1000, burst_size=10), p.OFPMeterBandDscpRemark(rate=500, burst_size=5, prec_level=2),
    ]), 10)
    out['packet_out'] = ser(p.OFPPacketOut(dp, ofp.OFP_NO_BUFFER, ofp.OFPP_CONTROLLER,
                                          [p.OFPActionOutput(ofp.OFPP_FLOOD, 0)], bytes(range(60))), 11)
    out['port_mod'] = ser(p.OFPPortMod(dp, 1, '02:00:00:00:00:01', ofp.OFPPC_NO_FWD, ofp.OFPPC_NO_FWD, 0), 12)
    out['table_mod'] = ser(p.OFPTableMod(dp, 2, 0), 13)
    out['role_request'] = ser(p.OFPRoleRequest(dp, ofp.OFPCR_ROLE_MASTER, 0x0102030405060708), 14)
    out['set_async'] = ser(p.OFPSetAsync(dp, [3, 1], [7, 0], [15, 2]), 15)
    out['get_async_request'] = ser(p.OFPGetAsyncRequest(dp), 16)
    out['queue_get_config_request'] = ser(p.OFPQueueGetConfigRequest(dp, 1), 17)
    out['mp_desc'] = ser(p.OFPDescStatsRequest(dp, 0), 20)
    out['mp_flow'] = ser(p.OFPFlowStatsRequest(dp, 0, 1, ofp.OFPP_ANY, ofp.OFPG_ANY, 0x10, 0xff,
                                              p.OFPMatch(in_port=1, eth_type=0x0800)), 21)
    out['mp_aggregate'] = ser(p.OFPAggregateStatsRequest(dp, 0, ofp.OFPTT_ALL, 2, ofp.OFPG_ANY, 0, 0, p.OFPMatch()), 22)
    out['mp_table'] = ser(p.OFPTableStatsRequest(dp, 0), 23)
    out['mp_port_stats'] = ser(p.OFPPortStatsRequest(dp, 0, ofp.OFPP_ANY), 24)
    out['mp_queue'] = ser(p.OFPQueueStatsRequest(dp, 0, 1, ofp.OFPQ_ALL), 25)
    out['mp_group'] = ser(p.OFPGroupStatsRequest(dp, 0, ofp.OFPG_ALL), 26)
    out['mp_group_desc'] = ser(p.OFPGroupDescStatsRequest(dp, 0), 27)
    out['mp_group_features'] = ser(p.OFPGroupFeaturesStatsRequest(dp, 0), 28)
    out['mp_meter'] = ser(p.OFPMeterStatsRequest(dp, 0, ofp.OFPM_ALL), 29)
    out['mp_meter_config'] = ser(p.OFPMeterConfigStatsRequest(dp, 0, 3), 30)
    out['mp_meter_features'] = ser(p.OFPMeterFeaturesStatsRequest(dp, 0), 31)
    out['mp_table_features'] = ser(p.OFPTableFeaturesStatsRequest(dp, 0, [
        p.OFPTableFeaturesStats(table_id=0, name=b't0', metadata_match=0xff, metadata_write=0xf,
                                config=0, max_entries=100, properties=[
                                    p.OFPTableFeaturePropInstructions(type_=ofp.OFPTFPT_INSTRUCTIONS, instruction_ids=[
                                        p.OFPInstructionId(ofp.OFPIT_GOTO_TABLE), p.OFPInstructionId(ofp.OFPIT_APPLY_ACTIONS)]),
                                    p.OFPTableFeaturePropNextTables(type_=ofp.OFPTFPT_NEXT_TABLES, table_ids=[1, 2]),
                                    p.OFPTableFeaturePropActions(type_=ofp.OFPTFPT_APPLY_ACTIONS, action_ids=[
                                        p.OFPActionId(ofp.OFPAT_OUTPUT), p.OFPActionId(ofp.OFPAT_POP_VLAN)]),
                                    p.OFPTableFeaturePropOxm(type_=ofp.OFPTFPT_MATCH, oxm_ids=[
                                        p.OFPOxmId('in_port'), p.OFPOxmId('eth_dst', hasmask=True)]),
                                ])]), 32)
    out['mp_port_desc'] = ser(p.OFPPortDescStatsRequest(dp, 0), 33)
    out['mp_experimenter'] = ser(p.OFPExperimenterStatsRequest(dp, 0, 0x2320, 7, b'abcd'), 34)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
