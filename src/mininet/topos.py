"""Fabric topologies for Mininet, beside the Sluice switch class (sluice.py loads them, so
`mn --custom src/mininet/sluice.py --topo leafspine,4,16` works). Mininet's own `tree`
and `torus` (`--topo torus,8,8`: 64 switches in an 8 x 8 wrap-around grid) complete the
set that bench/fabric measures. Every switch gets an explicit dpid (Mininet otherwise
reads one from the digits of the name).
"""
from mininet.topo import Topo


class LeafSpineTopo(Topo):
    "spines x leaves, every leaf wired to every spine; hosts per leaf"

    def build(self, spines=4, leaves=16, hosts=1):  # pylint: disable=arguments-differ
        spine = [self.addSwitch('sp%d' % (i + 1), dpid='%016x' % (0x10000 + i + 1)) for i in range(spines)]
        n = 0
        for j in range(leaves):
            leaf = self.addSwitch('lf%d' % (j + 1), dpid='%016x' % (0x20000 + j + 1))
            for s in spine:
                self.addLink(leaf, s)
            for _ in range(hosts):
                n += 1
                self.addLink(self.addHost('h%d' % n), leaf)


class FatTreeTopo(Topo):
    """k-ary fat-tree (Al-Fares et al. 2008): (k/2)^2 core switches, k pods of k/2
       aggregation and k/2 edge switches, k/2 hosts per edge switch (k=4: 20 switches,
       16 hosts)"""

    def build(self, k=4):  # pylint: disable=arguments-differ
        half = k // 2
        core = [self.addSwitch('c%d' % (i + 1), dpid='%016x' % (0x30000 + i + 1)) for i in range(half * half)]
        n = 0
        for p in range(k):
            agg = [self.addSwitch('a%d' % (p * half + i + 1), dpid='%016x' % (0x40000 + p * half + i + 1))
                   for i in range(half)]
            for i, a in enumerate(agg):
                for c in core[i * half:(i + 1) * half]:
                    self.addLink(a, c)
            for e in range(half):
                edge = self.addSwitch('e%d' % (p * half + e + 1), dpid='%016x' % (0x50000 + p * half + e + 1))
                for a in agg:
                    self.addLink(edge, a)
                for _ in range(half):
                    n += 1
                    self.addLink(self.addHost('h%d' % n), edge)


topos = {'leafspine': LeafSpineTopo, 'fattree': FatTreeTopo}
