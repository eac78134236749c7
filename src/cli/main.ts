#!/usr/bin/env node
/**
 * `sluice` — the command line (commander). `start` runs the daemon in the foreground (here);
 * the other verbs talk to a running one: the ovs-vsctl-like verbs (add-br, add-port, show,
 * ...: verbs-vsctl.ts) through its control socket RUNDIR/sluice.ctl, the ovs-ofctl-like
 * verbs (add-flow, dump-flows, ...: verbs-ofctl.ts) as OpenFlow 1.3 through a bridge's mgmt
 * socket, and `trace` (verbs-trace.ts) through the control socket.
 *
 * Invariants
 *  - A user mistake (unknown flag, bad value, bad config, missing interface) prints ONE line
 *    `sluice: <what is wrong>` on stderr and exits 2. --help and --version exit 0.
 *  - The datapath (and with it the native addon) is only loaded by `start`, after the flags
 *    are checked, so --help and flag errors work on a machine without the addon.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { planStart, type StartFlags } from './start-options.js';
import { EXIT_STATUS, collect, fail } from './cli-common.js';
import { registerVsctlVerbs } from './verbs-vsctl.js';
import { registerBatchVerb } from './verbs-batch.js';
import { registerOfctlVerbs } from './verbs-ofctl.js';
import { registerTraceVerbs } from './verbs-trace.js';


/** The package version, found by walking up from this file (src/cli or dist/src/cli). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sluice' && pkg.version) return pkg.version;
    } catch {
      // not here: keep walking up
    }
  }
  return 'unknown';
}

const START_HELP = `
Bridges: without --bridge and --config the daemon runs the bridges of its db (--db FILE,
default /var/lib/sluice/conf.json; a missing file = no bridges yet) and saves every change
made with add-br, add-port, set-controller, ... there. With --bridge/--config and no --db it
runs those bridges and persists nothing; with both, the flag bridges are added to the db's.
The daemon always listens on RUNDIR/sluice.ctl for the sluice verbs (add-br, show, ...).

Port specs (--port, repeatable):
  SPEC[@OPT[,OPT...]]
    SPEC  NAME | afpacket:NAME[,v3][,novnet][,ring=SIZE]   an existing interface (veth, NIC),
                                        via AF_PACKET; SIZE its receive ring (e.g. 1m; --ring-size)
          tap:NAME[,novnet]                     a TAP device created by the bridge, removed at exit
          pcap:in=FILE[,out=FILE]               replay / record a capture file
          patch:NAME,peer=PEER                  wired to patch port PEER on another bridge
          vxlan:NAME,remote_ip=IP|flow[,local_ip=IP][,key=VNI|flow][,dst_port=4789]
                [,tos=N|inherit][,ttl=64][,df=true|false]   a VXLAN tunnel (README: Overlays)
          geneve:NAME,...  (dst_port 6081)  gre:NAME,...[,nvgre=true]  the same for Geneve, GRE
    OPT   ofport=N                 request OpenFlow port number N (default: next free)
          vlan=access:VID          access port of VLAN VID (untagged frames join VID)
          vlan=trunk[:VIDS]        trunk carrying VIDS (e.g. 10,20,100-110; all if omitted)

OpenFlow (1.0, 1.3, 1.4 and 1.5, negotiated per connection):
  --protocols OpenFlow13       offer only these versions (default
                               OpenFlow10,OpenFlow13,OpenFlow14,OpenFlow15, as OVS 3.1)
  --controller tcp:IP[:PORT]   the bridge connects to the controller (port default 6653) and
                               reconnects with backoff 1, 2, 4, 8 s; ssl:IP:PORT needs --ssl-*
  --listen ptcp:PORT[:IP]      passive: ovs-ofctl -O OpenFlow13 ... tcp:IP:PORT (IP default 127.0.0.1)
  --listen punix:PATH          passive on a unix socket
  The bridge always listens on punix:RUNDIR/BRIDGE.mgmt, like OVS:
    ovs-ofctl -O OpenFlow13 dump-flows unix:/run/sluice/br0.mgmt

Config file (--config FILE, JSON, any number of bridges; the flags apply to the bridge named
by --bridge and override it, --port/--controller/--listen add to it; the --db file has the same syntax):
  { "bridges": [ { "name": "br0", "dpid": "0x1", "failMode": "standalone",
                   "ports": [ "veth-a@ofport=1", { "spec": "tap:vm1", "vlanMode": "access", "tag": 10 } ],
                   "controllers": [ "tcp:127.0.0.1:6653" ], "listen": [ "ptcp:6634" ],
                   "flowLimit": 1000000, "macTableSize": 8192, "macAgingTime": 300,
                   "busyPoll": 200, "workers": 1,
                   "protocols": [ "OpenFlow10", "OpenFlow13" ] } ] }

Fail modes: standalone = the bridge starts with table=0,priority=0,actions=NORMAL (a learning
switch, like ovs-vsctl add-br) and falls back to learning when its last controller goes;
secure = empty tables, table-miss drops; losing the controller changes nothing (OF1.3.5 §6.4).

Signals: SIGINT/SIGTERM stop every bridge (sockets closed, TAPs removed) and exit 0;
SIGUSR1 logs per-port counters (also logged at exit).
Exit codes: 0 stopped by a signal; 2 bad flag, bad config or db, missing interface, or another
daemon on the same --rundir; 1 failure while running.

Examples:
  sluice start                                  # the bridges of /var/lib/sluice/conf.json
  sluice start --bridge br0 --port veth-a --port veth-b
  sluice start --bridge br0 --dpid 0xa1 --port veth-a@vlan=access:10 --port tap:vm1@ofport=5,vlan=trunk:10,20
  sluice start --bridge br0 --fail-mode secure --port veth-a --port veth-b --controller tcp:127.0.0.1:6653
`;

function buildProgram(): Command {
  const program = new Command('sluice')
    .description('Sluice: a userspace OpenFlow 1.3 software switch')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`sluice: ${str.replace(/^error: /, '')}`) })
    .addHelpText('after', '\nRun "sluice start --help" for port specs, the config file, signals and exit codes.');

  program
    .command('start')
    .description('run the daemon (its bridges and control socket) in the foreground until SIGINT/SIGTERM')
    .option('-b, --bridge <name>', 'bridge name (also the name of its LOCAL TAP port)')
    .option('--dpid <hex>', 'datapath id, up to 16 hex digits (default: from the LOCAL port MAC)')
    .option('-p, --port <spec>', 'add a port (repeatable; syntax below)', collect)
    .addOption(new Option('--fail-mode <mode>', 'standalone | secure (default: standalone)'))
    .option('-c, --config <file>', 'JSON config file (syntax below)')
    .option('--db <file>', 'persistent configuration, saved on every change (default without --bridge/--config: /var/lib/sluice/conf.json)')
    .option('--metrics <host:port>', 'serve Prometheus metrics on http://HOST:PORT/metrics (off by default)')
    .option('--log-level <level>', 'debug | info | warn | error', 'info')
    .option('--no-flow-cache', 'send every packet through the pipeline (for testing)')
    .option('--controller <target>', 'connect to an OpenFlow controller: tcp:IP[:PORT] | ssl:IP:PORT | unix:PATH (repeatable)', collect)
    .option('--listen <target>', 'accept OpenFlow connections: ptcp:PORT[:IP] | pssl:PORT[:IP] | punix:PATH (repeatable)', collect)
    .option('--rundir <dir>', 'directory of the control socket sluice.ctl and the mgmt sockets BRIDGE.mgmt (default: /run/sluice)')
    .option('--ssl-key <file>', 'private key (PEM) for ssl/pssl targets')
    .option('--ssl-cert <file>', 'certificate (PEM) for ssl/pssl targets')
    .option('--ssl-ca <file>', 'CA certificate (PEM) that peers must be signed by')
    .option('--flow-limit <n>', 'rules per flow table; a flow-mod past it gets OFPFMFC_TABLE_FULL (default 1000000; OVS other_config:flow-limit)')
    .option('--mac-table-size <n>', 'addresses the NORMAL learning table holds; full, it evicts from the port holding the most (default 8192; OVS other_config:mac-table-size)')
    .option('--ring-size <size>', 'receive ring of each AF_PACKET port without ring= in its spec: a power of two, 256k..1g (default 64m: 32,768 slots of 2 KiB, larger frames go through the socket queue; the ring counts in the RSS: 256k = 128 slots suits a quiet port, e.g. Mininet\'s)')
    .option('--flow-cache-entries <n>', 'exact-match flow cache of each bridge, a power of two 64..4194304 (default 65536: 8 MiB, touched as flows come; 4096 suits a small switch)')
    .option('--mac-aging-time <s>', 'seconds a learned address lives unseen (default 300; OVS other_config:mac-aging-time)')
    .option('--busy-poll <us>', 'microseconds the bridge keeps polling its ports after traffic before it sleeps: lower latency for more CPU while traffic flows, 0 = off (default 200)')
    .option('--workers <n>', 'datapath threads of the bridge, 1..64 or auto (one per core): each reads every port through its own fanout socket (afpacket) or queue (tap); default 1')
    .option('--protocols <list>', 'OpenFlow versions the bridge offers: OpenFlow10,OpenFlow13,OpenFlow14,OpenFlow15 (default all four, as OVS 3.1; OVS bridge protocols)')
    .addHelpText('after', START_HELP)
    .exitOverride()
    .action(async (opts: StartFlags) => {
      const plan = planStart(opts);
      if (plan instanceof Error) fail(plan.message);
      const { runDaemon } = await import('./run-daemon.js');
      await runDaemon(plan);
    });
  registerVsctlVerbs(program);
  registerBatchVerb(program);
  registerOfctlVerbs(program);
  registerTraceVerbs(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  if (argv.length <= 2) {
    process.stderr.write(program.helpInformation());
    process.exit(EXIT_STATUS.bad_usage);
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version were printed by commander; everything else is a usage error already printed
      process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : EXIT_STATUS.bad_usage);
    }
    fail((e as Error).message);
  }
}

/** Run when executed (node, tsx, or the npm bin symlink), not when imported by a test. */
function isEntry(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntry()) void main(process.argv);
