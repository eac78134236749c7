"""A MAC-learning controller app for os-ken speaking OpenFlow 1.5 only, used by
controller-osken-of15.test.ts. It is osken-learning-app.py's behaviour in 1.5's words:

  - on switch features: add meter 1 (drop above 100,000 packets/s: never reached by the
    test's pings) and the table-miss rule (priority 0, output to CONTROLLER, whole frames);
  - on packet-in: learn eth_src -> in_port; with eth_dst known, install priority 1 on
    (in_port, eth_src, eth_dst) with apply-actions [meter:1, output] (1.5's meter ACTION,
    which replaced the meter instruction) and an idle timeout, and send the frame by a 1.5
    packet-out, whose in_port is a match (OFPMatch(in_port=...)); else flood it;
  - every second: ask for OFPMP_AGGREGATE_STATS and OFPMP_FLOW_DESC, whose replies carry
    OXS stats (ofp_stats), and print what os-ken decoded.

Lines on stdout (flushed at once), counted by the test:
    SLUICE-FEATURES dpid=<hex>
    SLUICE-PACKET-IN dpid=<hex> in_port=<n> src=<mac> dst=<mac>
    SLUICE-FLOW-MOD dpid=<hex> in_port=<n> src=<mac> dst=<mac> out=<n>
    SLUICE-AGGREGATE flow_count=<n> packet_count=<n> byte_count=<n>
    SLUICE-FLOW-DESC priority=<n> packet_count=<n> actions=<action type names>
    SLUICE-ERROR type=<n> code=<n>
"""
import sys

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.lib import hub
from os_ken.lib.packet import ethernet, packet
from os_ken.ofproto import ofproto_v1_5

IDLE_TIMEOUT_S = 60
METER_ID = 1


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class LearningApp15(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_5.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.where = {}  # dpid -> {mac: port}
        self.datapaths = {}
        self.poller = hub.spawn(self._poll)

    def _poll(self):
        while True:
            hub.sleep(1)
            for dp in list(self.datapaths.values()):
                ofp, parser = dp.ofproto, dp.ofproto_parser
                dp.send_msg(parser.OFPAggregateStatsRequest(dp, 0, ofp.OFPTT_ALL, ofp.OFPP_ANY, ofp.OFPG_ANY, 0, 0, parser.OFPMatch()))
                dp.send_msg(parser.OFPFlowDescStatsRequest(dp, 0, ofp.OFPTT_ALL, ofp.OFPP_ANY, ofp.OFPG_ANY, 0, 0, parser.OFPMatch()))

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def on_features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        dp.send_msg(parser.OFPMeterMod(dp, command=ofp.OFPMC_ADD, flags=ofp.OFPMF_PKTPS, meter_id=METER_ID,
                                       bands=[parser.OFPMeterBandDrop(rate=100000, burst_size=0)]))
        to_controller = parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, [to_controller])]
        dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=0, match=parser.OFPMatch(), instructions=inst))
        self.datapaths[dp.id] = dp
        say("SLUICE-FEATURES dpid=%x" % dp.id)

    @set_ev_cls(ofp_event.EventOFPErrorMsg, [CONFIG_DISPATCHER, MAIN_DISPATCHER])
    def on_error(self, ev):
        say("SLUICE-ERROR type=%d code=%d" % (ev.msg.type, ev.msg.code))

    @set_ev_cls(ofp_event.EventOFPAggregateStatsReply, MAIN_DISPATCHER)
    def on_aggregate(self, ev):
        s = ev.msg.body.stats
        say("SLUICE-AGGREGATE flow_count=%d packet_count=%d byte_count=%d" % (s['flow_count'], s['packet_count'], s['byte_count']))

    @set_ev_cls(ofp_event.EventOFPFlowDescStatsReply, MAIN_DISPATCHER)
    def on_flow_desc(self, ev):
        for f in ev.msg.body:
            names = []
            for i in f.instructions:
                for a in getattr(i, 'actions', []):
                    names.append(type(a).__name__)
            say("SLUICE-FLOW-DESC priority=%d packet_count=%d actions=%s" % (f.priority, f.stats['packet_count'], ",".join(names)))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def on_packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        in_port = msg.match["in_port"]
        eth = packet.Packet(msg.data).get_protocol(ethernet.ethernet)
        if eth is None:
            return
        say("SLUICE-PACKET-IN dpid=%x in_port=%d src=%s dst=%s" % (dp.id, in_port, eth.src, eth.dst))

        table = self.where.setdefault(dp.id, {})
        table[eth.src] = in_port
        out = table.get(eth.dst)
        if out is None or out == in_port:
            out = ofp.OFPP_FLOOD
        else:
            match = parser.OFPMatch(in_port=in_port, eth_src=eth.src, eth_dst=eth.dst)
            actions = [parser.OFPActionMeter(METER_ID), parser.OFPActionOutput(out)]
            inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
            dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=1, match=match, instructions=inst,
                                          idle_timeout=IDLE_TIMEOUT_S))
            say("SLUICE-FLOW-MOD dpid=%x in_port=%d src=%s dst=%s out=%d" % (dp.id, in_port, eth.src, eth.dst, out))

        data = msg.data if msg.buffer_id == ofp.OFP_NO_BUFFER else None
        dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=msg.buffer_id, match=parser.OFPMatch(in_port=in_port),
                                        actions=[parser.OFPActionOutput(out)], data=data))
