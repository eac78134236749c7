"""A fabric controller app for os-ken: LLDP link discovery and loop-free forwarding on the
discovered topology, for many switches with loops (leaf-spine, fat-tree, torus). Used by
bench/fabric (npm run bench:fabric) with Mininet and src/mininet/sluice.py.

OpenFlow 1.3 only. Behaviour:
  - on switch features: table-miss to the controller (NO_BUFFER), LLDP (0x88cc) to the
    controller at priority 65535, and a port-desc request;
  - LLDP: each switch's live ports send one LLDP frame (chassis "dpid:%016x", port id the
    32-bit port number) when the switch connects, when a port comes up, and every
    LLDP_PERIOD_S seconds; an LLDP packet-in at (dpid, port) from (dpid', port') is the
    link dpid':port' -> dpid:port;
  - edge ports are live ports with no link that were probed with LLDP at least EDGE_AFTER_S
    ago (a switch's port answers a probe within milliseconds); hosts are learned at edge
    ports only;
  - broadcast, multicast and unknown destinations are delivered by the controller to every
    edge port of every switch except the one it came in on, once: a copy seen again within
    DEDUP_S (same source, same bytes) is dropped. Nothing is flooded by a switch, so loops
    in the wiring carry no storm, whatever discovery has found so far;
  - a known destination gets rules eth_dst -> next hop on every switch that can reach it,
    along a shortest-path tree rooted at its switch (destination-based, so loop-free);
  - a port-status that takes a port down removes its links and every rule the app made
    (they are rebuilt on demand); one that brings it up sends LLDP on it.

One line on stdout per event, flushed at once, that bench/fabric reads:
    FABRIC-SWITCH dpid=<hex>
    FABRIC-LINK-ADD <hex>:<port> <hex>:<port>        (directed: from the sender)
    FABRIC-LINK-DEL <hex>:<port> <hex>:<port>
    FABRIC-PORT-STATUS dpid=<hex> port=<n> reason=<add|delete|modify> down=<0|1> t=<unix time>
and with FABRIC_TRACE=1 in its environment (`FABRIC_TRACE=1 npm run bench:fabric`), for a
diagnosis, one line per packet-in and one per copy dropped as seen already:
    FABRIC-PIN <hex>:<port> <eth src>><eth dst> <ethertype> len=<n> crc=<crc32 of the frame>
    FABRIC-DEDUP <eth src> crc=<crc32>
"""
import os
import struct
import sys
import time
import zlib
from collections import deque

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.lib import hub
from os_ken.lib.packet import ethernet, lldp, packet
from os_ken.ofproto import ether, ofproto_v1_3

LLDP_PERIOD_S = 5
TRACE = os.environ.get('FABRIC_TRACE') == '1'
EDGE_AFTER_S = 1.0  # until then a port may still turn out to be a link: nothing is delivered on it
DEDUP_S = 0.5  # the copies come back within milliseconds; an ARP retransmission comes 1 s later
COOKIE = 0xFAB


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class FabricApp(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dps = {}        # dpid -> datapath
        self.ports = {}      # dpid -> {port_no: hw_addr} (live ports)
        self.links = {}      # (dpid, port) -> (dpid, port), directed, from LLDP
        self.hosts = {}      # mac -> (dpid, port)
        self.seen = {}       # (src, crc) -> time, for broadcast delivery once
        self.routed = set()  # macs whose rules are installed
        self.probed = {}     # (dpid, port) -> time of its first LLDP probe
        hub.spawn(self.lldp_loop)

    # ---- switches and ports ----

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def on_features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        self.dps[dp.id] = dp
        self.ports.setdefault(dp.id, {})
        to_ctl = [parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)]
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, to_ctl)]
        dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=0, match=parser.OFPMatch(), instructions=inst))
        dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=65535, instructions=inst,
                                      match=parser.OFPMatch(eth_type=ether.ETH_TYPE_LLDP)))
        dp.send_msg(parser.OFPPortDescStatsRequest(dp, 0))
        say("FABRIC-SWITCH dpid=%x" % dp.id)

    @set_ev_cls(ofp_event.EventOFPPortDescStatsReply, MAIN_DISPATCHER)
    def on_port_desc(self, ev):
        dp = ev.msg.datapath
        for p in ev.msg.body:
            if p.port_no <= dp.ofproto.OFPP_MAX and not self.is_down(dp, p):
                self.ports[dp.id][p.port_no] = p.hw_addr
        for port_no in list(self.ports[dp.id]):
            self.send_lldp(dp, port_no)

    @staticmethod
    def is_down(dp, p):
        ofp = dp.ofproto
        return bool(p.state & ofp.OFPPS_LINK_DOWN) or bool(p.config & ofp.OFPPC_PORT_DOWN)

    @set_ev_cls(ofp_event.EventOFPPortStatus, MAIN_DISPATCHER)
    def on_port_status(self, ev):
        msg, dp = ev.msg, ev.msg.datapath
        ofp, p = dp.ofproto, msg.desc
        reason = {ofp.OFPPR_ADD: 'add', ofp.OFPPR_DELETE: 'delete', ofp.OFPPR_MODIFY: 'modify'}.get(msg.reason, '?')
        down = msg.reason == ofp.OFPPR_DELETE or self.is_down(dp, p)
        say("FABRIC-PORT-STATUS dpid=%x port=%d reason=%s down=%d t=%.6f" % (dp.id, p.port_no, reason, down, time.time()))
        if p.port_no > ofp.OFPP_MAX:
            return
        if down:
            self.ports.get(dp.id, {}).pop(p.port_no, None)
            self.probed.pop((dp.id, p.port_no), None)
            self.drop_links_at((dp.id, p.port_no))
        else:
            self.ports.setdefault(dp.id, {})[p.port_no] = p.hw_addr
            self.send_lldp(dp, p.port_no)

    # ---- LLDP ----

    def lldp_loop(self):
        while True:
            hub.sleep(LLDP_PERIOD_S)
            for dpid, dp in list(self.dps.items()):
                for port_no in list(self.ports.get(dpid, {})):
                    self.send_lldp(dp, port_no)

    def send_lldp(self, dp, port_no):
        self.probed.setdefault((dp.id, port_no), time.time())
        parser = dp.ofproto_parser
        pkt = packet.Packet()
        pkt.add_protocol(ethernet.ethernet(dst=lldp.LLDP_MAC_NEAREST_BRIDGE, ethertype=ether.ETH_TYPE_LLDP,
                                           src=self.ports[dp.id].get(port_no, '00:00:00:00:00:00')))
        pkt.add_protocol(lldp.lldp((
            lldp.ChassisID(subtype=lldp.ChassisID.SUB_LOCALLY_ASSIGNED, chassis_id=b'dpid:%016x' % dp.id),
            lldp.PortID(subtype=lldp.PortID.SUB_PORT_COMPONENT, port_id=struct.pack('!I', port_no)),
            lldp.TTL(ttl=120), lldp.End())))
        pkt.serialize()
        dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=dp.ofproto.OFP_NO_BUFFER, in_port=dp.ofproto.OFPP_CONTROLLER,
                                        actions=[parser.OFPActionOutput(port_no)], data=pkt.data))

    def on_lldp(self, dp, in_port, pkt):
        tlvs = pkt.get_protocol(lldp.lldp).tlvs
        chassis, port_id = tlvs[0].chassis_id, tlvs[1].port_id
        if not chassis.startswith(b'dpid:') or len(port_id) != 4:
            return
        src = (int(chassis[5:], 16), struct.unpack('!I', port_id)[0])
        dst = (dp.id, in_port)
        if self.links.get(src) == dst:
            return
        self.links[src] = dst
        for mac, at in list(self.hosts.items()):  # a port with a link is no edge: hosts are not there
            if at in (src, dst):
                del self.hosts[mac]
        say("FABRIC-LINK-ADD %x:%d %x:%d" % (src + dst))
        self.forget_routes()

    def drop_links_at(self, end):
        for src, dst in list(self.links.items()):
            if end in (src, dst):
                del self.links[src]
                say("FABRIC-LINK-DEL %x:%d %x:%d" % (src + dst))
        self.forget_routes()

    # ---- forwarding ----

    def forget_routes(self):
        if not self.routed:
            return
        self.routed.clear()
        for dp in self.dps.values():
            ofp, parser = dp.ofproto, dp.ofproto_parser
            dp.send_msg(parser.OFPFlowMod(datapath=dp, command=ofp.OFPFC_DELETE, table_id=ofp.OFPTT_ALL,
                                          cookie=COOKIE, cookie_mask=0xffffffffffffffff,
                                          out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY, match=parser.OFPMatch()))

    def linked(self, end):
        return end in self.links or end in self.links.values()

    def next_hops(self, root):
        "dpid -> port towards `root` (BFS over the links seen both ways)"
        adj = {}
        for (a, pa), (b, pb) in self.links.items():
            if self.links.get((b, pb)) == (a, pa):
                adj.setdefault(a, []).append((b, pa))
        hops, todo = {}, deque([root])
        seen = {root}
        while todo:
            here = todo.popleft()
            for there_dpid, there_port in [(a, p) for a, lst in adj.items() for (b, p) in lst if b == here]:
                if there_dpid not in seen:
                    seen.add(there_dpid)
                    hops[there_dpid] = there_port
                    todo.append(there_dpid)
        return hops

    def route(self, mac):
        dpid, port = self.hosts[mac]
        hops = self.next_hops(dpid)
        hops[dpid] = port
        for d, out in hops.items():
            dp = self.dps.get(d)
            if dp is None:
                continue
            parser = dp.ofproto_parser
            inst = [parser.OFPInstructionActions(dp.ofproto.OFPIT_APPLY_ACTIONS, [parser.OFPActionOutput(out)])]
            dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=1, cookie=COOKIE, match=parser.OFPMatch(eth_dst=mac),
                                          instructions=inst))
        self.routed.add(mac)
        return hops

    def is_edge(self, end, now):
        "a live port with no link, probed long enough ago for a link to have shown"
        return not self.linked(end) and now - self.probed.get(end, now) >= EDGE_AFTER_S

    def deliver_to_edges(self, data, ingress):
        now = time.time()
        for dpid, dp in self.dps.items():
            parser = dp.ofproto_parser
            outs = [parser.OFPActionOutput(p) for p in self.ports.get(dpid, {})
                    if (dpid, p) != ingress and self.is_edge((dpid, p), now)]
            if outs:
                dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=dp.ofproto.OFP_NO_BUFFER,
                                                in_port=dp.ofproto.OFPP_CONTROLLER, actions=outs, data=data))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def on_packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        in_port = msg.match["in_port"]
        pkt = packet.Packet(msg.data)
        eth = pkt.get_protocol(ethernet.ethernet)
        if eth is None:
            return
        if eth.ethertype == ether.ETH_TYPE_LLDP:
            self.on_lldp(dp, in_port, pkt)
            return
        here = (dp.id, in_port)
        group = int(eth.dst.split(':')[0], 16) & 1
        if TRACE:
            say("FABRIC-PIN %x:%d %s>%s %04x len=%d crc=%08x" % (dp.id, in_port, eth.src, eth.dst, eth.ethertype, len(msg.data), zlib.crc32(msg.data)))
        if group or eth.dst not in self.hosts:
            now = time.time()
            key = (eth.src, zlib.crc32(msg.data))
            if now - self.seen.get(key, 0) < DEDUP_S:
                if TRACE:
                    say("FABRIC-DEDUP %s crc=%08x" % (eth.src, key[1]))
                return  # a copy of one the controller delivered already
            self.seen[key] = now
            if len(self.seen) > 100000:
                self.seen = {k: t for k, t in self.seen.items() if now - t < DEDUP_S}
        if not self.linked(here):
            self.hosts.setdefault(eth.src, here)
        if group or eth.dst not in self.hosts:
            self.deliver_to_edges(msg.data, here)
            return
        hops = self.route(eth.dst) if eth.dst not in self.routed else self.next_hops(self.hosts[eth.dst][0])
        out = self.hosts[eth.dst][1] if self.hosts[eth.dst][0] == dp.id else hops.get(dp.id)
        if out is None:
            self.deliver_to_edges(msg.data, here)
            return
        parser = dp.ofproto_parser
        dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=dp.ofproto.OFP_NO_BUFFER, in_port=in_port,
                                        actions=[parser.OFPActionOutput(out)], data=msg.data))
