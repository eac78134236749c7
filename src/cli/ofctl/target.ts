/**
 * Where an ofctl verb connects, resolved the way ovs-ofctl resolves its SWITCH argument:
 *   br0               → unix:RUNDIR/br0.mgmt (the bridge's mgmt socket, like OVS's
 *                       /var/run/openvswitch/br0.mgmt)
 *   unix:PATH         → that socket
 *   tcp:IP[:PORT]     → a passive listener of the bridge (`sluice start --listen ptcp:...`)
 *
 * Invariants: resolveTarget never throws and never touches the file system; a bad
 * argument is a SluiceError whose message names it. `label` is what messages call the switch
 * (the bridge name when one was given, else the target as typed).
 */
import { SluiceError } from '../../ports/errors.js';
import { join } from 'node:path';
import { parseTarget } from '../../openflow/target.js';

type OfctlTarget =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface ResolvedTarget {
  readonly target: OfctlTarget;
  /** The bridge name when the argument was one, else undefined. */
  readonly bridge?: string;
  readonly label: string;
}

/** A bridge name is also a TAP device name: what Linux accepts for an interface. */
const BRIDGE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

export function resolveTarget(arg: string, rundir: string): ResolvedTarget | SluiceError {
  if (!arg.includes(':')) {
    if (!BRIDGE_NAME.test(arg)) return new SluiceError('bad_usage', `"${arg}" is neither a bridge name nor a target (unix:PATH, tcp:IP[:PORT])`);
    return { target: { kind: 'unix', path: join(rundir, `${arg}.mgmt`) }, bridge: arg, label: arg };
  }
  const t = parseTarget(arg);
  if (t instanceof Error) return t;
  if (t.kind === 'unix') return { target: { kind: 'unix', path: t.path }, label: arg };
  if (t.kind === 'tcp') return { target: { kind: 'tcp', host: t.host, port: t.port }, label: arg };
  return new SluiceError('bad_usage', `${arg}: ofctl verbs connect to a switch: use unix:PATH or tcp:IP[:PORT], not ${t.kind}`);
}

/**
 * The one-line message when nothing answers at the target. `code` is the errno name of the
 * failed connect: ENOENT = no socket file (no such bridge); ECONNREFUSED on a unix socket =
 * a file left behind by a daemon that is gone.
 */
export function unreachableMessage(r: ResolvedTarget, code: string | undefined, cause: string): string {
  if (r.bridge !== undefined && r.target.kind === 'unix') {
    const path = r.target.path;
    if (code === 'ECONNREFUSED') {
      return `bridge ${r.bridge} is not running (${path} refuses connections): start it with \`sluice start\``;
    }
    return `no bridge ${r.bridge} on this host (no ${path}): is \`sluice start\` running? list bridges with \`sluice list-br\``;
  }
  return `cannot connect to ${r.label}: ${cause}`;
}
