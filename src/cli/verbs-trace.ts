/**
 * `sluice trace BRIDGE FLOW | --hex HEX | --pcap FILE [--index N] [--in-port PORT]`:
 * explain, table by table, why a packet goes where it goes (like `ovs-appctl
 * ofproto/trace`). The daemon traces (control/trace.ts, the "trace" command of
 * RUNDIR/sluice.ctl) and this verb prints its text.
 *
 * Invariants
 *  - Input mistakes are found here, before the daemon is asked: a FLOW syntax error (with
 *    the token and its column), bad hex, an unreadable or malformed capture (naming the
 *    file), a missing packet index → one line `sluice: ...`, exit 2.
 *  - The capture is read by the CLI, not the daemon (which may live in another mount
 *    namespace), and sent as hex.
 *  - Daemon-side refusals (unknown bridge, unknown in_port) and an unreachable daemon →
 *    one line, exit 1.
 */
import { SluiceError } from '../ports/errors.js';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ctlRequest } from '../control/ctl-client.js';
import { frameFromHex } from '../control/trace.js';
import { parseTraceFlow } from '../control/trace-flow.js';
import { pcapFrame } from '../control/trace-pcap.js';
import { fail, failWith, rundirOf, withRundir } from './cli-common.js';

interface TraceFlags {
  hex?: string;
  pcap?: string;
  index?: string;
  inPort?: string;
  rundir?: string;
}

const HELP = `
The packet (exactly one):
  FLOW          ovs-ofctl match syntax, every field exact, e.g.
                "in_port=1,tcp,dl_dst=02:00:00:00:00:02,nw_dst=10.0.0.2,tp_dst=80";
                fields not given are zero (IPv4 TTL 64), checksums are valid
  --hex HEX     the frame's bytes (blanks and colons allowed)
  --pcap FILE   a packet of a capture file (--index N: the Nth, 1 = the first)
in_port: in FLOW, or --in-port N (a number, a port name or LOCAL).

A trace changes nothing: no counters, no MAC learning, no meter tokens.

Examples:
  sluice trace br0 "in_port=1,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2"
  sluice trace br0 --in-port veth-a --pcap capture.pcap --index 3
`;

export function registerTraceVerbs(program: Command): void {
  withRundir(
    program
      .command('trace')
      .description('show, table by table, what the bridge does with a packet')
      .argument('<bridge>', 'bridge name')
      .argument('[flow]', 'the packet, in ovs-ofctl match syntax')
      .option('--hex <hex>', 'the packet as hex bytes')
      .option('--pcap <file>', 'take the packet from a pcap capture file')
      .option('--index <n>', 'which packet of --pcap (1 = the first)')
      .option('--in-port <port>', 'the port the packet comes in on (number, name or LOCAL)'),
  )
    .addHelpText('after', HELP)
    .action(async (bridge: string, flow: string | undefined, opts: TraceFlags) => {
      const args = buildArgs(bridge, flow, opts);
      if (args instanceof Error) fail(args.message);
      const reply = await ctlRequest(rundirOf(opts), 'trace', args);
      if (reply instanceof Error) failWith(reply);
      const result = reply.result;
      const text = typeof result === 'string' ? result : (result as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') fail('the daemon sent a trace without text', 'refused');
      process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    });
}

/** The "trace" request's args, or a SluiceError for a usage mistake. Exported for tests. */
export function buildArgs(bridge: string, flow: string | undefined, opts: TraceFlags): Record<string, unknown> | SluiceError {
  const given = [flow !== undefined, opts.hex !== undefined, opts.pcap !== undefined].filter(Boolean).length;
  if (given !== 1) return new SluiceError('bad_usage', 'trace: give the packet as exactly one of FLOW, --hex HEX or --pcap FILE');
  if (opts.index !== undefined && opts.pcap === undefined) return new SluiceError('bad_usage', 'trace: --index goes with --pcap');
  const args: Record<string, unknown> = { bridge };
  if (opts.inPort !== undefined) args.inPort = opts.inPort;
  if (flow !== undefined) {
    const f = parseTraceFlow(flow);
    if (f instanceof Error) return f;
    if (f.inPort === undefined && opts.inPort === undefined) {
      return new SluiceError('bad_usage', `trace: flow "${flow}" has no in_port: add in_port=N or --in-port N`);
    }
    args.flow = flow;
    return args;
  }
  if (opts.inPort === undefined) return new SluiceError('bad_usage', 'trace: --hex and --pcap need --in-port N');
  if (opts.hex !== undefined) {
    const b = frameFromHex(opts.hex);
    if (b instanceof Error) return b;
    args.hex = opts.hex;
    return args;
  }
  const file = opts.pcap!;
  const index = opts.index === undefined ? 1 : Number(opts.index);
  if (!Number.isInteger(index) || index < 1) return new SluiceError('bad_usage', `--index "${opts.index}": expected a packet number 1, 2, ...`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return new SluiceError('bad_usage', `--pcap ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const frame = pcapFrame(bytes, index - 1);
  if (frame instanceof Error) return new SluiceError('bad_usage', `--pcap ${file}: ${frame.message}`);
  args.hex = Buffer.from(frame).toString('hex');
  return args;
}
