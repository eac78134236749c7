"""bench:fabric — Mininet fabrics of Sluice switches under the os-ken fabric app
(test/interop/osken-fabric-app.py). Run by bench/fabric/run.sh inside a private network
namespace, with Debian's /usr/bin/python3 (Mininet's). For each topology:

  1. start os-ken with the fabric app; build the Mininet network (SluiceSwitch, remote
     controller 127.0.0.1:6653);
  2. net.start() → all switches connected (ctl `show`): "start→connected";
  3. LLDP: wait until the app's links equal Mininet's switch-to-switch links exactly (both
     directions of every link, nothing else): "start→LLDP";
  4. pingall until 0 % dropped (at most 3 rounds): "start→pingall 0 %", and the loss of the
     first round;
  5. the daemon: RSS (VmRSS), open fds, CPU over IDLE_S seconds of idle;
  6. `link A B down` (Mininet's configLinkStatus) on a switch-to-switch link: time until the
     app has logged port-status down for both ends, and whether it dropped the link;
  7. net.stop(); nothing may be left (links in the namespace, rundirs).

Prints one JSON line per topology (`FABRIC-RESULT {...}`) and a markdown table at the end.
Usage: fabric.py [NAME ...] with NAME in TOPOS (default: all).
"""
import ctypes
import json
import os
import re
import subprocess
import sys
import threading
import time
from functools import partial

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'src', 'mininet'))

from mininet.log import setLogLevel  # noqa: E402
from mininet.net import Mininet  # noqa: E402
from mininet.node import RemoteController  # noqa: E402
from mininet.topolib import TorusTopo, TreeTopo  # noqa: E402
import sluice  # noqa: E402
from topos import FatTreeTopo, LeafSpineTopo  # noqa: E402

APP = os.path.join(REPO, 'test', 'interop', 'osken-fabric-app.py')
IDLE_S = 10
TOPOS = {
    'torus-8x8': lambda: TorusTopo(8, 8),
    'leafspine-4x16': lambda: LeafSpineTopo(spines=4, leaves=16),
    'fattree-4': lambda: FatTreeTopo(k=4),
    'tree-3-4': lambda: TreeTopo(depth=3, fanout=4),
}


def die_with_parent():
    "the controller gets SIGTERM when this script dies, however it dies (prctl PR_SET_PDEATHSIG)"
    ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, 15)


class Controller(object):
    "os-ken with the fabric app; its stdout lines kept with their arrival time"

    def __init__(self):
        self.lines = []
        self.proc = subprocess.Popen(['osken-manager', '--ofp-listen-host', '127.0.0.1', '--ofp-tcp-listen-port', '6653', APP],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                                     env=dict(os.environ, PYTHONUNBUFFERED='1'), preexec_fn=die_with_parent)
        threading.Thread(target=self.read, daemon=True).start()
        deadline = time.time() + 30
        while subprocess.call(['sh', '-c', 'exec 3<>/dev/tcp/127.0.0.1/6653'], stderr=subprocess.DEVNULL,
                              executable='/bin/bash') != 0:
            if time.time() > deadline:
                raise Exception('os-ken did not listen:\n' + '\n'.join(l for _, l in self.lines[-20:]))
            time.sleep(0.2)

    def read(self):
        for line in self.proc.stdout:
            self.lines.append((time.time(), line.rstrip('\n')))

    def matching(self, pattern):
        r = re.compile(pattern)
        return [(t, l) for t, l in list(self.lines) if r.search(l)]

    def links(self):
        "the directed links the app holds now"
        held = set()
        for _, l in list(self.lines):
            m = re.match(r'FABRIC-LINK-(ADD|DEL) (\w+):(\d+) (\w+):(\d+)$', l)
            if m:
                k = ((int(m.group(2), 16), int(m.group(3))), (int(m.group(4), 16), int(m.group(5))))
                (held.add if m.group(1) == 'ADD' else held.discard)(k)
        return held

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def expected_links(net):
    out = set()
    for link in net.links:
        a, b = link.intf1, link.intf2
        if isinstance(a.node, sluice.SluiceSwitch) and isinstance(b.node, sluice.SluiceSwitch):
            ea = (int(a.node.dpid, 16), a.node.ports[a])
            eb = (int(b.node.dpid, 16), b.node.ports[b])
            out.add((ea, eb))
            out.add((eb, ea))
    return out


def proc_stats(pid):
    with open('/proc/%d/status' % pid) as f:
        rss_kib = int(re.search(r'VmRSS:\s+(\d+)', f.read()).group(1))
    return rss_kib / 1024.0, len(os.listdir('/proc/%d/fd' % pid))


def cpu_ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait(cond, timeout, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def empty_daemon_rss():
    "RSS of a Sluice daemon with no bridge, same flags as the Mininet one (the base of every row)"
    d = sluice.SluiceDaemon()
    try:
        time.sleep(2)
        return proc_stats(d.pid())[0]
    finally:
        d.stop()


def run(name, base_rss):
    c = Controller()
    topo = TOPOS[name]()
    r = {'topology': name}
    net = None
    try:
        t0 = time.time()
        net = Mininet(topo, switch=sluice.SluiceSwitch, controller=partial(RemoteController, ip='127.0.0.1', port=6653),
                      autoSetMacs=True)
        r['switches'], r['hosts'] = len(net.switches), len(net.hosts)
        r['build_s'] = time.time() - t0
        t1 = time.time()
        net.start()
        ok = wait(lambda: all(s.connected() for s in net.switches), 60, 0.1)
        r['start_to_connected_s'] = time.time() - t1 if ok else None
        want = expected_links(net)
        r['links'] = len(want) // 2
        ok = wait(lambda: c.links() == want, 60, 0.2)
        r['start_to_lldp_s'] = time.time() - t1 if ok else None
        got = c.links()
        r['lldp_exact'] = got == want
        r['lldp_extra'], r['lldp_missing'] = len(got - want), len(want - got)
        for i in range(3):
            loss = net.pingAll(timeout='2')
            r.setdefault('first_pingall_loss_pct', loss)
            if loss == 0:
                r['start_to_pingall_s'] = time.time() - t1
                break
        r['pingall_rounds'] = i + 1
        r['final_pingall_loss_pct'] = loss
        pid = sluice.daemon().pid()
        time.sleep(2)
        r['rss_mib'], r['fds'] = proc_stats(pid)
        r['rss_per_bridge_mib'] = r['rss_mib'] / len(net.switches)
        r['empty_daemon_rss_mib'] = base_rss
        r['rss_added_per_bridge_mib'] = (r['rss_mib'] - base_rss) / len(net.switches)
        before, tb = cpu_ticks(pid), time.time()
        time.sleep(IDLE_S)
        hz = os.sysconf('SC_CLK_TCK')
        r['idle_cpu_pct'] = 100.0 * (cpu_ticks(pid) - before) / hz / (time.time() - tb)
        with open('/proc/loadavg') as f:
            r['loadavg'] = f.read().split()[0]
        # link down → port-status on both ends
        link = next(l for l in net.links if isinstance(l.intf1.node, sluice.SluiceSwitch) and isinstance(l.intf2.node, sluice.SluiceSwitch))
        ends = [(int(i.node.dpid, 16), i.node.ports[i]) for i in (link.intf1, link.intf2)]
        seen0 = len(c.lines)
        t = time.time()
        net.configLinkStatus(link.intf1.node.name, link.intf2.node.name, 'down')

        def downs():
            got = {}
            for tl, l in c.lines[seen0:]:
                m = re.match(r'FABRIC-PORT-STATUS dpid=(\w+) port=(\d+) .* down=1', l)
                if m:
                    got.setdefault((int(m.group(1), 16), int(m.group(2))), tl)
            return got
        wait(lambda: all(e in downs() for e in ends), 5, 0.01)
        d = downs()
        r['link_down_port_status_s'] = max(d[e] - t for e in ends) if all(e in d for e in ends) else None
        r['link_down_dropped'] = not any(tuple(e) in [x for pair in c.links() for x in pair] for e in ends)
        net.configLinkStatus(link.intf1.node.name, link.intf2.node.name, 'up')
    finally:
        if net is not None:
            net.stop()
        c.stop()
    r['left_links'] = subprocess.check_output(['ip', '-o', 'link', 'show'], universal_newlines=True).count('\n') - 1
    r['left_rundirs'] = len(os.listdir(sluice.RUNROOT)) if os.path.isdir(sluice.RUNROOT) else 0
    return r


def table(rows):
    head = ['topology', 'switches', 'hosts', 'links', 'start→connected s', 'start→LLDP s', 'LLDP exact',
            'start→pingall 0 % s', '1st pingall loss %', 'RSS MiB', 'RSS/bridge MiB', '(RSS − empty daemon)/bridge MiB', 'fds', 'idle CPU %',
            'link down→port-status s', 'load']
    keys = ['topology', 'switches', 'hosts', 'links', 'start_to_connected_s', 'start_to_lldp_s', 'lldp_exact',
            'start_to_pingall_s', 'first_pingall_loss_pct', 'rss_mib', 'rss_per_bridge_mib', 'rss_added_per_bridge_mib', 'fds', 'idle_cpu_pct',
            'link_down_port_status_s', 'loadavg']

    def fmt(v):
        return '%.2f' % v if isinstance(v, float) else ('–' if v is None else str(v))
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    out += ['| ' + ' | '.join(fmt(r.get(k)) for k in keys) + ' |' for r in rows]
    return '\n'.join(out)


def main():
    setLogLevel(os.environ.get('FABRIC_LOG', 'warning'))
    names = sys.argv[1:] or list(TOPOS)
    rows = []
    base = empty_daemon_rss()
    for n in names:
        r = run(n, base)
        print('FABRIC-RESULT ' + json.dumps(r), flush=True)
        rows.append(r)
    print(table(rows))


if __name__ == '__main__':
    main()
