"""scapy as the independent implementation of VXLAN (RFC 7348), Geneve (RFC 8926) and GRE
(RFC 2784/2890) for Sluice's overlay tests.

  overlay_scapy.py check PCAP SRC       every tunnel packet from SRC in PCAP, rebuilt by scapy
                                        from its header fields and inner frame: prints one JSON
                                        object per packet {proto, key, same, arp_op, ...}
  overlay_scapy.py send DST SPEC...     sends encapsulated frames to DST (from this namespace);
                                        SPEC = PROTO:KEY:MAC:IP  an ARP request for 10.50.0.1 from
                                        MAC/IP inside a PROTO tunnel with KEY (vxlan, geneve, gre,
                                        gre-nokey), or bad:KIND (vxlan-flags, geneve-critical,
                                        gre-version, vxlan-short), or ecn:N (a UDP datagram to
                                        10.50.0.1 with inner ECN N in VXLAN 100 whose outer
                                        header says Congestion Experienced)
"""
import json
import sys

from scapy.all import ARP, Ether, IP, UDP, GRE, Raw, rdpcap, send
from scapy.layers.vxlan import VXLAN
from scapy.contrib.geneve import GENEVE


def rebuild(p):
    """The same packet built by scapy from the captured fields; None if not a tunnel packet.
    The outer UDP checksum: 0 stays 0 (Sluice's frames without GSO, raw socket); any other
    value is recomputed by scapy (chksum=None), so a wrong one makes the bytes differ
    (GSO super-frames leave with the kernel's checksum; RFC 7348 §5, RFC 8926 §3.3)."""
    ip = p[IP]
    csum = 0 if UDP in p and p[UDP].chksum == 0 else None
    outer = IP(src=ip.src, dst=ip.dst, ttl=ip.ttl, tos=ip.tos, id=ip.id, flags=ip.flags)
    if UDP in p and p[UDP].dport == 4789:
        inner = bytes(p[UDP].payload)[8:]
        vni = int.from_bytes(bytes(p[UDP].payload)[4:7], 'big')
        return 'vxlan', vni, outer / UDP(sport=p[UDP].sport, dport=4789, chksum=csum) / VXLAN(vni=vni, flags=0x08) / Raw(inner)
    if UDP in p and p[UDP].dport == 6081:
        g = bytes(p[UDP].payload)
        hl = 8 + (g[0] & 0x3f) * 4
        vni = int.from_bytes(g[4:7], 'big')
        return 'geneve', vni, outer / UDP(sport=p[UDP].sport, dport=6081, chksum=csum) / GENEVE(vni=vni, proto=0x6558) / Raw(g[hl:])
    if ip.proto == 47:
        g = bytes(ip.payload)
        has_key = bool(g[0] & 0x20)
        key = int.from_bytes(g[4:8], 'big') if has_key else None
        gre = GRE(proto=0x6558, key_present=1, key=key) if has_key else GRE(proto=0x6558)
        return 'gre', key, outer / gre / Raw(g[8 if has_key else 4:])
    return None


def check(path, src):
    for p in rdpcap(path):
        if IP not in p or p[IP].src != src:
            continue
        r = rebuild(p)
        if r is None:
            continue
        proto, key, built = r
        inner = Ether(bytes(built[Raw].load))
        op = inner[ARP].op if ARP in inner else None
        ours = bytes(p[IP])[: p[IP].len]
        theirs = bytes(built)
        print(json.dumps({'proto': proto, 'key': key, 'same': ours == theirs, 'len': len(ours), 'arp_op': op,
                          'ours': ours.hex() if ours != theirs else '', 'scapy': theirs.hex() if ours != theirs else ''}))


def arp(mac, ip):
    return Ether(src=mac, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=mac, psrc=ip, pdst='10.50.0.1')


def send_specs(dst, specs):
    for spec in specs:
        parts = spec.split(':', 1)
        if parts[0] == 'bad':
            frame = arp('02:00:00:00:0b:ad', '10.50.0.99')
            bad = parts[1]
            if bad == 'vxlan-flags':
                pkt = IP(dst=dst) / UDP(sport=50000, dport=4789, chksum=0) / VXLAN(vni=100, flags=0x88) / frame
            elif bad == 'geneve-critical':
                pkt = IP(dst=dst) / UDP(sport=50000, dport=6081, chksum=0) / GENEVE(vni=200, proto=0x6558, critical=1) / frame
            elif bad == 'gre-version':
                pkt = IP(dst=dst, proto=47) / Raw(bytes.fromhex('20016558') + (300).to_bytes(4, 'big') + bytes(frame))
            elif bad == 'vxlan-short':
                pkt = IP(dst=dst) / UDP(sport=50000, dport=4789, chksum=0) / Raw(b'\x08\x00\x00')
            elif bad == 'vxlan-unknown-vni':
                pkt = IP(dst=dst) / UDP(sport=50000, dport=4789, chksum=0) / VXLAN(vni=4242, flags=0x08) / frame
            else:
                raise SystemExit('unknown bad kind ' + bad)
        elif parts[0] == 'ecn':
            # VXLAN VNI 100 with Congestion Experienced outside, inner IPv4 ECN = parts[1]
            inner = Ether(src='02:00:00:00:0e:cc', dst='ff:ff:ff:ff:ff:ff') / IP(src='10.50.0.77', dst='10.50.0.1', tos=0xb8 | int(parts[1])) / UDP(sport=9998, dport=9999) / Raw(b'ecn')
            pkt = IP(dst=dst, tos=3) / UDP(sport=50001, dport=4789, chksum=0) / VXLAN(vni=100, flags=0x08) / inner
        else:
            f = spec.split(':')
            proto, key, mac, ip4 = f[0], int(f[1]), ':'.join(f[2:8]), f[8]
            frame = arp(mac, ip4)
            if proto == 'vxlan':
                pkt = IP(dst=dst) / UDP(sport=51000, dport=4789, chksum=0) / VXLAN(vni=key, flags=0x08) / frame
            elif proto == 'geneve':
                pkt = IP(dst=dst) / UDP(sport=51000, dport=6081, chksum=0) / GENEVE(vni=key, proto=0x6558) / frame
            elif proto == 'gre':
                pkt = IP(dst=dst) / GRE(proto=0x6558, key_present=1, key=key) / frame
            else:
                raise SystemExit('unknown proto ' + proto)
        send(pkt, verbose=False)


if __name__ == '__main__':
    if sys.argv[1] == 'check':
        check(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'send':
        send_specs(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(__doc__)
