"""A minimal MAC-learning controller app for os-ken, used by controller-osken.test.ts.

Behaviour (OpenFlow 1.3; with SLUICE_OFP=14 in the environment, OpenFlow 1.4 only, and the
table-miss rule goes in through a bundle: open, add, commit, each reply printed; with
SLUICE_OFP=10, OpenFlow 1.0 only: 1.0's flow-mod with actions and no instructions, the
40-byte match with dl_src/dl_dst, and the packet-in's in_port field):
  - on switch features: install the table-miss rule, priority 0, match all, output to
    CONTROLLER with max_len OFPCML_NO_BUFFER, so whole frames arrive unbuffered
    (OF1.3.5 section 5.4 "table-miss");
  - on packet-in: remember eth_src -> in_port for that datapath; if eth_dst is known,
    install priority 1 on (in_port, eth_src, eth_dst) -> output with an idle timeout and
    send the frame out of that port, otherwise flood it by packet-out.

Every packet-in prints one line on stdout, flushed at once, that the test counts:
    SLUICE-PACKET-IN dpid=<hex> in_port=<n> src=<mac> dst=<mac>
and every flow installed prints:
    SLUICE-FLOW-MOD dpid=<hex> in_port=<n> src=<mac> dst=<mac> out=<n>
On 1.4, bundle replies and errors print:
    SLUICE-BUNDLE-REPLY type=<n> id=<n>
    SLUICE-ERROR type=<n> code=<n>
"""
import os
import sys

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.lib.packet import ethernet, packet
from os_ken.lib.mac import haddr_to_bin
from os_ken.ofproto import ofproto_v1_0, ofproto_v1_3, ofproto_v1_4

IDLE_TIMEOUT_S = 60
OF14 = os.environ.get("SLUICE_OFP") == "14"
OF10 = os.environ.get("SLUICE_OFP") == "10"


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class LearningApp(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_4.OFP_VERSION if OF14 else ofproto_v1_0.OFP_VERSION if OF10 else ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # dpid -> {mac: port}
        self.where = {}

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def on_features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        if OF10:  # 1.0: actions in the flow-mod; max_len 0xffff: whole frames
            dp.send_msg(parser.OFPFlowMod(datapath=dp, match=parser.OFPMatch(), cookie=0, command=ofp.OFPFC_ADD,
                                          idle_timeout=0, hard_timeout=0, priority=0,
                                          actions=[parser.OFPActionOutput(ofp.OFPP_CONTROLLER, 0xffff)]))
            say("SLUICE-FEATURES dpid=%x" % dp.id)
            return
        to_controller = parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, [to_controller])]
        miss = parser.OFPFlowMod(datapath=dp, priority=0, match=parser.OFPMatch(), instructions=inst)
        if OF14:
            flags = ofp.OFPBF_ATOMIC | ofp.OFPBF_ORDERED
            dp.send_msg(parser.OFPBundleCtrlMsg(dp, 1, ofp.OFPBCT_OPEN_REQUEST, flags, []))
            dp.send_msg(parser.OFPBundleAddMsg(dp, 1, flags, miss, []))
            dp.send_msg(parser.OFPBundleCtrlMsg(dp, 1, ofp.OFPBCT_COMMIT_REQUEST, flags, []))
        else:
            dp.send_msg(miss)
        say("SLUICE-FEATURES dpid=%x" % dp.id)

    @set_ev_cls(ofp_event.EventOFPBundleCtrlMsg, MAIN_DISPATCHER)
    def on_bundle_reply(self, ev):
        say("SLUICE-BUNDLE-REPLY type=%d id=%d" % (ev.msg.type, ev.msg.bundle_id))

    @set_ev_cls(ofp_event.EventOFPErrorMsg, [CONFIG_DISPATCHER, MAIN_DISPATCHER])
    def on_error(self, ev):
        say("SLUICE-ERROR type=%d code=%d" % (ev.msg.type, ev.msg.code))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def on_packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        in_port = msg.in_port if OF10 else msg.match["in_port"]
        eth = packet.Packet(msg.data).get_protocol(ethernet.ethernet)
        if eth is None:
            return
        say("SLUICE-PACKET-IN dpid=%x in_port=%d src=%s dst=%s" % (dp.id, in_port, eth.src, eth.dst))

        table = self.where.setdefault(dp.id, {})
        table[eth.src] = in_port
        out = table.get(eth.dst)
        if out is None or out == in_port:
            out = ofp.OFPP_FLOOD
        elif OF10:
            match = parser.OFPMatch(in_port=in_port, dl_src=haddr_to_bin(eth.src), dl_dst=haddr_to_bin(eth.dst))
            dp.send_msg(parser.OFPFlowMod(datapath=dp, match=match, cookie=0, command=ofp.OFPFC_ADD, priority=1,
                                          idle_timeout=IDLE_TIMEOUT_S, hard_timeout=0,
                                          actions=[parser.OFPActionOutput(out)]))
            say("SLUICE-FLOW-MOD dpid=%x in_port=%d src=%s dst=%s out=%d" % (dp.id, in_port, eth.src, eth.dst, out))
        else:
            match = parser.OFPMatch(in_port=in_port, eth_src=eth.src, eth_dst=eth.dst)
            inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, [parser.OFPActionOutput(out)])]
            dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=1, match=match, instructions=inst,
                                          idle_timeout=IDLE_TIMEOUT_S))
            say("SLUICE-FLOW-MOD dpid=%x in_port=%d src=%s dst=%s out=%d" % (dp.id, in_port, eth.src, eth.dst, out))

        # The table-miss rule asks for NO_BUFFER, but honour a buffer id if one comes.
        data = msg.data if msg.buffer_id == ofp.OFP_NO_BUFFER else None
        dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=msg.buffer_id, in_port=in_port,
                                        actions=[parser.OFPActionOutput(out)], data=data))
