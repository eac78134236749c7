"""Sluice as a Mininet switch (Mininet 2.3).

    mn --custom src/mininet/sluice.py --switch sluice \\
       --controller remote,ip=127.0.0.1,port=6653 --topo tree,depth=2,fanout=2

or from Python:

    sys.path.insert(0, 'src/mininet'); from sluice import SluiceSwitch
    net = Mininet(topo, switch=SluiceSwitch, controller=RemoteController)

All the switches of a network are bridges of ONE Sluice daemon (`sluice start`), started
when the first switch starts, with a private rundir and db (/run/sluice-mn/mininet:ID/),
and stopped when the last one stops (net.stop()). Each switch is `sluice add-br` with
Mininet's dpid and fail mode, each of its interfaces `sluice add-port` with Mininet's port
number, and `sluice set-controller` with Mininet's controllers and its listen port
(ptcp:6654...): the requests those verbs send, written straight to the daemon's control
socket (src/control/ctl-protocol.ts), a switch's in one `batch` request, and with `mn`
(batchStartup) the whole network's in one.

Switch parameters (`--switch sluice,failMode=standalone,ringSize=1m`), as OVSSwitch's:
  failMode     'secure' (default, as OVSSwitch) or 'standalone'
  protocols    None (OpenFlow10,OpenFlow13,OpenFlow14,OpenFlow15) or the versions to offer,
               e.g. 'OpenFlow13' or 'OpenFlow10,OpenFlow13' (OVS's bridge `protocols`)
  batch        start with batchStartup (Mininet sets it for `mn` and Mininet(topo))
  ringSize     this switch's AF_PACKET receive ring per port, e.g. '4m' (default: the
               daemon's, SLUICE_MN_RING, 256k); see README "Mininet"
  reconnectms, inband, datapath: accepted and ignored (Sluice's backoff is 1 to 8 s)

The daemon runs in the namespace Mininet runs in, as ovs-vswitchd does. Its command line
holds "mininet:" (in the rundir's name) so that `mn -c` kills it like Mininet's own nodes;
the shell that started it then removes the rundir. `mn -c --custom src/mininet/sluice.py`
also runs this file's cleanup hook: every daemon of /run/sluice-mn is stopped (SIGTERM, its
LOCAL TAP devices removed) and its rundir removed. The log is /tmp/sluice-mn-ID.log (`mn -c`
removes it).

Environment: SLUICE, the command that runs sluice (default: node on this checkout's
dist/src/cli/main.js); SLUICE_MN_RUNROOT (default /run/sluice-mn); SLUICE_MN_LOGDIR
(default /tmp); SLUICE_MN_RING (default 256k); SLUICE_MN_CACHE (default 4096).
"""
import errno
import glob
import inspect
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

import codecs

import mininet.node
from mininet.clean import addCleanupCallback
from mininet.log import debug, error, info
from mininet.node import Switch

# Mininet 2.3.0 checks a remote controller with `echo A | telnet IP PORT` and decodes what
# comes back as strict UTF-8: an OpenFlow 1.3 controller answers with its binary HELLO,
# whose random xid fails the decode about half the time ("UnicodeDecodeError ... Caught
# exception. Cleaning up"), with any switch. Nodes made after this line decode with
# replacement characters instead.
mininet.node.getincrementaldecoder = lambda: codecs.getincrementaldecoder('utf-8')(errors='replace')

# mn --custom execs this file without __file__; the code object still knows its file.
_HERE = os.path.dirname(os.path.abspath(inspect.currentframe().f_code.co_filename))
_REPO = os.path.dirname(os.path.dirname(_HERE))
RUNROOT = os.environ.get('SLUICE_MN_RUNROOT', '/run/sluice-mn')
LOGDIR = os.environ.get('SLUICE_MN_LOGDIR', '/tmp')
# The AF_PACKET receive ring of every port (sluice start --ring-size; the daemon's own default
# is 64m, for busy ports): Mininet's ports are many and quiet, and each ring counts in the
# daemon's RSS. 256k holds 128 frames of 2 KiB; larger ones (GSO super-frames) pass
# through the socket queue (src/ports/afpacket.ts).
RING = os.environ.get('SLUICE_MN_RING', '256k')
# Each bridge's flow cache (sluice start --flow-cache-entries; the daemon's default 65536 is
# 8 MiB per bridge once flows spread over it): 4096 entries, 512 KiB.
CACHE = os.environ.get('SLUICE_MN_CACHE', '4096')


def sluiceCommand():
    "The argv that runs the sluice command line"
    if os.environ.get('SLUICE'):
        return shlex.split(os.environ['SLUICE'])
    return ['node', os.path.join(_REPO, 'dist', 'src', 'cli', 'main.js')]


def ctl(rundir, cmd, args=None, timeout=120):
    """One request on the daemon's control socket (src/control/ctl-protocol.ts):
       returns the result, raises Exception with the daemon's one-line error"""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(os.path.join(rundir, 'sluice.ctl'))
        s.sendall((json.dumps({'cmd': cmd, 'args': args or {}}) + '\n').encode())
        buf = b''
        while b'\n' not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    reply = json.loads(buf.split(b'\n')[0].decode())
    if not reply.get('ok'):
        raise Exception('sluice: %s' % reply.get('error'))
    return reply.get('result')


_shown = [0.0, None, None]  # time, rundir, result


def _show(rundir):
    """The daemon's `show`, shared for 0.1 s: Mininet (waitConnected) and scripts ask every
       switch in turn whether it is connected, and one `show` answers for all of them (one
       per switch made a 256-switch network's check take 10 s: n switches x n bridges)"""
    now = time.time()
    if _shown[2] is None or _shown[1] != rundir or now - _shown[0] > 0.1:
        _shown[:] = [now, rundir, ctl(rundir, 'show')]
    return _shown[2]


class SluiceDaemon(object):
    "The one Sluice daemon of a Mininet network"

    # A shell starts the daemon and removes the rundir when it exits, however it exits
    # (SIGKILL by `mn -c` included). The paths come through the environment, so this
    # shell's own command line holds no "mininet:" and `mn -c` leaves it to do that.
    SCRIPT = ('"$@" start --rundir "$SLUICE_MN_RUNDIR" --db "$SLUICE_MN_RUNDIR/conf.json" '
              '--ring-size "$SLUICE_MN_RING" --flow-cache-entries "$SLUICE_MN_CACHE" '
              '>"$SLUICE_MN_LOG" 2>&1 & echo $! >"$SLUICE_MN_RUNDIR/pid"; '
              'wait $!; rm -rf "$SLUICE_MN_RUNDIR"')

    def __init__(self):
        if not os.path.isdir(RUNROOT):
            os.makedirs(RUNROOT, mode=0o700, exist_ok=True)
        self.rundir = tempfile.mkdtemp(prefix='mininet:', dir=RUNROOT)
        self.id = os.path.basename(self.rundir).split(':', 1)[1]
        self.log = os.path.join(LOGDIR, 'sluice-mn-%s.log' % self.id)
        self.bridges = set()
        env = dict(os.environ, SLUICE_MN_RUNDIR=self.rundir, SLUICE_MN_LOG=self.log, SLUICE_MN_RING=RING,
                   SLUICE_MN_CACHE=CACHE)
        self.shell = subprocess.Popen(['sh', '-c', self.SCRIPT, 'sluice-mn'] + sluiceCommand(),
                                      env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 30
        while not os.path.exists(os.path.join(self.rundir, 'sluice.ctl')):
            if self.shell.poll() is not None or time.time() > deadline:
                raise Exception('sluice daemon did not start; its log %s:\n%s' % (self.log, _tail(self.log)))
            time.sleep(0.05)
        info('*** Sluice daemon %s (log %s)\n' % (self.rundir, self.log))

    def pid(self):
        return _readPid(self.rundir)

    def request(self, cmd, **args):
        "One control-socket request (the one a sluice verb sends); raises on refusal"
        return ctl(self.rundir, cmd, args)

    def batch(self, requests):
        "Many add-br/add-port/set-controller... in one request (as `sluice batch`)"
        if requests:
            ctl(self.rundir, 'batch', {'requests': requests})

    def stop(self):
        _stopDaemon(self.rundir, self.pid())
        try:
            self.shell.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def _tail(path, n=20):
    try:
        with open(path) as f:
            return ''.join(f.readlines()[-n:])
    except IOError:
        return ''


def _readPid(rundir):
    try:
        with open(os.path.join(rundir, 'pid')) as f:
            return int(f.read().strip())
    except (IOError, ValueError):
        return None


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError as e:
        return e.errno == errno.EPERM


def _stopDaemon(rundir, pid, timeout=10):
    "SIGTERM (bridges stopped, TAPs removed), SIGKILL after timeout; the rundir goes"
    if pid:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        deadline = time.time() + timeout
        while _alive(pid) and time.time() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    deadline = time.time() + 5
    while os.path.exists(rundir) and time.time() < deadline:
        time.sleep(0.05)  # the starting shell removes it
    subprocess.call(['rm', '-rf', rundir])
    try:
        os.rmdir(RUNROOT)  # when no other network's daemon is in it
    except OSError:
        pass


_daemon = [None]


def daemon():
    "The running daemon of this process's network, started on first use"
    if _daemon[0] is None:
        _daemon[0] = SluiceDaemon()
    return _daemon[0]


def _release(names):
    d = _daemon[0]
    if d is None:
        return
    d.bridges.difference_update(names)
    if not d.bridges:
        d.stop()
        _daemon[0] = None


def cleanup():
    "mn -c: stop every Mininet Sluice daemon and remove its rundir"
    info('*** Removing Sluice daemons of %s\n' % RUNROOT)
    for rundir in glob.glob(os.path.join(RUNROOT, 'mininet:*')):
        _stopDaemon(rundir, _readPid(rundir))


addCleanupCallback(cleanup)


class SluiceSwitch(Switch):
    "A bridge of the network's Sluice daemon"

    ringSize = None  # None: the daemon's default (see README "Mininet")

    def __init__(self, name, failMode='secure', protocols=None, batch=False, ringSize=None,
                 reconnectms=None, inband=False, datapath=None, **params):
        Switch.__init__(self, name, **params)
        if failMode not in ('secure', 'standalone'):
            raise Exception('%s: failMode %r: expected secure or standalone' % (name, failMode))
        self.failMode = failMode
        self.protocols = protocols
        self.batch = batch
        self.ringSize = ringSize or SluiceSwitch.ringSize
        self.commands = []
        self.started = False

    @classmethod
    def setup(cls):
        main = sluiceCommand()
        if not os.environ.get('SLUICE') and not os.path.exists(main[-1]):
            error('*** Sluice is not built: %s is missing (npm ci in %s)\n' % (main[-1], _REPO))
            sys.exit(1)

    def portSpec(self, intf):
        return 'afpacket:%s,ring=%s' % (intf, self.ringSize) if self.ringSize else str(intf)

    def dataIntfs(self):
        return [i for i in self.intfList() if self.ports[i] and not i.IP()]

    def requests(self, controllers):
        """The control-socket requests that make this switch: those of
           `sluice add-br NAME --dpid D --fail-mode M`, `sluice add-port NAME INTF --ofport N`
           per interface and `sluice set-controller NAME TARGET...`"""
        br = {'name': self.name, 'dpid': self.dpid, 'failMode': self.failMode}
        if self.protocols:  # as OVSSwitch's `protocols` column; the daemon names a bad one
            br['protocols'] = ','.join(self.protocols) if isinstance(self.protocols, (list, tuple)) else str(self.protocols)
        reqs = [{'cmd': 'add-br', 'args': br, 'where': self.name}]
        for intf in self.dataIntfs():
            reqs.append({'cmd': 'add-port', 'where': str(intf),
                         'args': {'bridge': self.name, 'spec': self.portSpec(intf), 'ofport': self.ports[intf]}})
        targets = ['%s:%s:%d' % (c.protocol, c.IP(), c.port) for c in controllers]
        if self.listenPort:
            targets.append('ptcp:%d' % self.listenPort)
        if targets:
            reqs.append({'cmd': 'set-controller', 'args': {'bridge': self.name, 'targets': targets},
                         'where': self.name})
        return reqs

    def start(self, controllers):
        "Start this switch (or queue it for batchStartup)"
        int(self.dpid, 16)  # DPID must be a hex string
        reqs = self.requests(controllers)
        if self.batch:
            self.commands = reqs
            return
        d = daemon()
        d.batch(reqs)
        d.bridges.add(self.name)
        self.started = True
        self.localDown([self])

    @staticmethod
    def localDown(switches):
        """The LOCAL port (a TAP named after the bridge) starts down, as OVS's internal
           port does under Mininet: the kernel sends nothing into the switch from it"""
        cmds = ''.join('link set dev %s down\n' % s.name for s in switches)
        subprocess.run(['ip', '-force', '-batch', '-'], input=cmds, universal_newlines=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @classmethod
    def batchStartup(cls, switches, run=None):
        "Start all the switches with one `sluice batch`"
        info('...')
        d = daemon()
        reqs = []
        for s in switches:
            reqs += s.commands
            s.commands = []
            s.batch = False
        d.batch(reqs)
        for s in switches:
            d.bridges.add(s.name)
            s.started = True
        cls.localDown(switches)
        return switches

    def stop(self, deleteIntfs=True):
        if self.started and _daemon[0] is not None:
            try:
                _daemon[0].request('del-br', name=self.name)
            except Exception as e:  # pylint: disable=broad-except
                debug('%s\n' % e)
            self.started = False
            _release([self.name])
        super(SluiceSwitch, self).stop(deleteIntfs)

    @classmethod
    def batchShutdown(cls, switches, run=None):
        "Stop all the switches: del-br of each in one batch, and the daemon if it is done"
        d = _daemon[0]
        mine = [s for s in switches if s.started]
        if d is not None and mine:
            try:
                d.batch([{'cmd': 'del-br', 'args': {'name': s.name}} for s in mine])
            except Exception as e:  # pylint: disable=broad-except
                debug('%s\n' % e)
            for s in mine:
                s.started = False
            _release([s.name for s in mine])
        for s in switches:
            s.terminate()
        return switches

    def attach(self, intf):
        "Connect a data port (net.addLink on a running network)"
        daemon().request('add-port', bridge=self.name, spec=self.portSpec(intf), ofport=self.ports[intf])

    def detach(self, intf):
        "Disconnect a data port"
        daemon().request('del-port', bridge=self.name, port=str(intf))

    def dpctl(self, *args):
        "dpctl in the CLI: sluice's ovs-ofctl-like verbs (dump-flows, dump-ports, add-flow...)"
        if not args:
            return 'usage: dpctl VERB [ARGS] (dump-flows, dump-ports, dump-ports-desc, add-flow, del-flows...)\n'
        if _daemon[0] is None:
            return 'sluice: %s is not started\n' % self.name
        argv = sluiceCommand() + [args[0], self.name] + list(args[1:]) + ['--rundir', _daemon[0].rundir]
        return self.cmd(' '.join(shlex.quote(a) for a in argv))

    def connected(self):
        "Are we connected to at least one of our controllers?"
        if not self.started or _daemon[0] is None:
            return False
        for b in _show(_daemon[0].rundir).get('bridges', []):
            if b['name'] == self.name:
                if any(c.get('connected') for c in b.get('controllers', [])):
                    return True
        return self.failMode == 'standalone'


switches = {'sluice': SluiceSwitch}

# the fabrics of bench:fabric (topos.py, beside this file), for --topo
sys.path.insert(0, _HERE)
from topos import topos  # noqa: E402,F401  pylint: disable=wrong-import-position
