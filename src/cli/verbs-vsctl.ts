/**
 * The ovs-vsctl-like verbs of `sluice`: bridges, ports and controllers of the running
 * daemon, through its control socket RUNDIR/sluice.ctl (daemon side: control/daemon-handlers.ts).
 *
 *   add-br NAME [--dpid HEX] [--fail-mode standalone|secure] [--protocols LIST]     del-br NAME
 *   add-port BRIDGE SPEC [--ofport N] [--vlan-mode access|trunk] [--tag N] [--trunks LIST]
 *   del-port BRIDGE PORT      set-controller BRIDGE TARGET...      del-controller BRIDGE
 *   list-br    list-ports BRIDGE    show
 *   batch [FILE|-]   many of add-br, del-br, add-port, del-port, set-controller,
 *                    del-controller, one per line, in one request (verbs-batch.ts)
 *
 * Output is ovs-vsctl's: nothing on success for changes, one name per line (sorted) for
 * the lists, the `ovs-vsctl show` tree for show (control/daemon-show.ts).
 *
 * Exit codes: 0 done; 1 the daemon refused (the message names what is wrong) or is not
 * running; 2 a bad flag value, found here before anything is sent.
 */
import { SluiceError } from '../ports/errors.js';
import type { Command } from 'commander';
import { checkAnyTarget, checkBridgeName, isFailMode, parseDpid } from '../control/config.js';
import { ctlRequest } from '../control/ctl-client.js';
import { formatShow, type ShowResult } from '../control/daemon-show.js';
import { parseIntIn, parsePortOption } from '../control/port-option.js';
import { OFPP_MAX } from '../pipeline/types.js';
import { parseProtocols } from '../openflow/codec.js';
import { failWith, rundirOf, withRundir } from './cli-common.js';

interface RundirOpts {
  rundir?: string;
}

async function call(opts: RundirOpts, cmd: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const r = await ctlRequest(rundirOf(opts), cmd, args);
  if (r instanceof Error) failWith(r);
  return r.result;
}

/**
 * What a verb's action does with its request and with a mistake in its flags: by default
 * send it to the daemon and exit on a mistake (`sluice: ...`, status 2); `sluice batch`
 * collects the requests instead and throws the mistake to name its line.
 */
export interface VerbSink {
  send(opts: RundirOpts, cmd: string, args?: Record<string, unknown>): Promise<unknown>;
  fail(e: SluiceError): never;
}

const toDaemon: VerbSink = { send: call, fail: (e) => failWith(e) };
const usage = (msg: string) => new SluiceError('bad_usage', msg);

const printLines = (r: unknown) => {
  if (Array.isArray(r) && r.length > 0) process.stdout.write(r.join('\n') + '\n');
};

/** "10,20,100-110" → [10, 20, 100..110]; exits 2 naming the bad part. */
export function parseTrunks(text: string): number[] | SluiceError {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b, extra] = part.split('-');
    const lo = parseIntIn(a ?? '', 0, 4095);
    const hi = b === undefined ? lo : parseIntIn(b, 0, 4095);
    if (extra !== undefined || lo === undefined || hi === undefined || hi < lo) return new SluiceError('bad_usage', `--trunks "${text}": "${part}" is not a VLAN id 0..4095 or a range A-B`);
    for (let v = lo; v <= hi; v++) if (!out.includes(v)) out.push(v);
  }
  return out;
}

interface AddPortOpts extends RundirOpts {
  ofport?: string;
  vlanMode?: string;
  tag?: string;
  trunks?: string;
}

/** The add-port request arguments from the flags; a SluiceError names the bad flag. */
export function addPortArgs(bridge: string, spec: string, o: AddPortOpts): Record<string, unknown> | SluiceError {
  const p = parsePortOption(spec);
  if (p instanceof Error) return p;
  const args: Record<string, unknown> = { bridge, spec };
  if (o.ofport !== undefined) {
    const n = parseIntIn(o.ofport, 1, OFPP_MAX);
    if (n === undefined) return new SluiceError('bad_usage', `--ofport "${o.ofport}": expected a number from 1 to ${OFPP_MAX}`);
    args.ofport = n;
  }
  const mode = o.vlanMode ?? (o.tag !== undefined ? 'access' : o.trunks !== undefined ? 'trunk' : undefined);
  if (mode !== undefined && mode !== 'access' && mode !== 'trunk') return new SluiceError('bad_usage', `--vlan-mode "${mode}": expected access or trunk`);
  if (o.tag !== undefined) {
    const t = parseIntIn(o.tag, 0, 4095);
    if (t === undefined) return new SluiceError('bad_usage', `--tag "${o.tag}": expected a VLAN id 0..4095`);
    if (mode !== 'access') return new SluiceError('bad_usage', '--tag is for --vlan-mode access; a trunk takes --trunks');
    args.tag = t;
  } else if (mode === 'access') return new SluiceError('bad_usage', '--vlan-mode access needs --tag N');
  if (o.trunks !== undefined) {
    if (mode !== 'trunk') return new SluiceError('bad_usage', '--trunks is for --vlan-mode trunk');
    const t = parseTrunks(o.trunks);
    if (t instanceof Error) return t;
    args.trunks = t;
  }
  if (mode !== undefined) args.vlanMode = mode;
  return args;
}

/** The vsctl verbs; with a `sink` other than the daemon only the BATCH_VERBS ones (verbs-batch.ts). */
export function registerVsctlVerbs(program: Command, sink: VerbSink = toDaemon): void {
  const verb = (spec: string, description: string): Command => withRundir(program.command(spec).description(description)).exitOverride();
  const call = sink.send;
  const checkBridge = (name: string) => {
    const e = checkBridgeName(name);
    if (e) sink.fail(e);
  };

  verb('add-br <name>', 'create a bridge (its LOCAL port is a TAP device named NAME)')
    .option('--dpid <hex>', 'datapath id, up to 16 hex digits (default: from the LOCAL port MAC)')
    .option('--fail-mode <mode>', 'standalone (learning switch without controller, default) | secure')
    .option('--protocols <list>', 'OpenFlow versions offered, e.g. OpenFlow10,OpenFlow13 (default: all four; OVS bridge protocols)')
    .action(async (name: string, o: RundirOpts & { dpid?: string; failMode?: string; protocols?: string }) => {
      checkBridge(name);
      const args: Record<string, unknown> = { name };
      if (o.dpid !== undefined) {
        if (parseDpid(o.dpid) === undefined) sink.fail(usage(`--dpid "${o.dpid}": expected up to 16 hex digits (0x1a or 00:00:00:00:00:00:00:1a)`));
        args.dpid = o.dpid;
      }
      if (o.failMode !== undefined) {
        if (!isFailMode(o.failMode)) sink.fail(usage(`--fail-mode "${o.failMode}": expected standalone or secure`));
        args.failMode = o.failMode;
      }
      if (o.protocols !== undefined) {
        const v = parseProtocols(o.protocols);
        if (v instanceof Error) sink.fail(usage(`--protocols "${o.protocols}": ${v.message}`));
        args.protocols = o.protocols;
      }
      await call(o, 'add-br', args);
    });

  verb('del-br <name>', 'delete a bridge and its ports').action(async (name: string, o: RundirOpts) => {
    await call(o, 'del-br', { name });
  });

  verb('add-port <bridge> <spec>', 'add a port: NAME (AF_PACKET), tap:NAME, patch:NAME,peer=PEER, pcap:in=FILE, vxlan:/geneve:/gre:NAME,remote_ip=... (see sluice start --help)')
    .option('--ofport <n>', 'request this OpenFlow port number (default: next free)')
    .option('--vlan-mode <mode>', 'access (needs --tag) | trunk')
    .option('--tag <vid>', 'the VLAN of an access port')
    .option('--trunks <list>', 'VLANs a trunk carries, e.g. 10,20,100-110 (default: all)')
    .action(async (bridge: string, spec: string, o: AddPortOpts) => {
      const args = addPortArgs(bridge, spec, o);
      if (args instanceof Error) sink.fail(args);
      await call(o, 'add-port', args);
    });

  verb('del-port <bridge> <port>', 'remove a port from a bridge').action(async (bridge: string, port: string, o: RundirOpts) => {
    await call(o, 'del-port', { bridge, port });
  });

  verb('set-controller <bridge> <target...>', 'replace the controllers of a bridge: tcp:IP[:PORT] | ssl:IP:PORT | unix:PATH to connect to, ptcp:PORT[:IP] | pssl:PORT[:IP] | punix:PATH to listen on')
    .action(async (bridge: string, targets: string[], o: RundirOpts) => {
      for (const t of targets) {
        const e = checkAnyTarget(t);
        if (e) sink.fail(e);
      }
      await call(o, 'set-controller', { bridge, targets });
    });

  verb('del-controller <bridge>', 'remove every controller of a bridge').action(async (bridge: string, o: RundirOpts) => {
    await call(o, 'del-controller', { bridge });
  });

  if (sink !== toDaemon) return;

  verb('list-br', 'print the bridges, one per line').action(async (o: RundirOpts) => {
    printLines(await call(o, 'list-br'));
  });

  verb('list-ports <bridge>', 'print the ports of a bridge, one per line (LOCAL not included)').action(async (bridge: string, o: RundirOpts) => {
    printLines(await call(o, 'list-ports', { bridge }));
  });

  verb('show', 'print the bridges, their controllers and ports (like ovs-vsctl show)').action(async (o: RundirOpts) => {
    process.stdout.write(formatShow((await call(o, 'show')) as ShowResult));
  });
}
