/**
 * What every `sluice` verb shares: exit codes, the one-line error, the --rundir option.
 *
 * Exit codes (all verbs):
 *   0  done
 *   1  the daemon refused or could not be reached (message says why and what to do)
 *   2  a usage error: unknown verb or flag, bad value, bad flow syntax
 */
import type { Command } from 'commander';
import { DEFAULT_RUNDIR } from '../control/ctl-protocol.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Prints `sluice: MSG` on stderr and exits with `code`. */
export function fail(msg: string, code: number = EXIT_USAGE): never {
  process.stderr.write(`sluice: ${msg}\n`);
  process.exit(code);
}

export const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** --rundir DIR on a verb: where the daemon's sluice.ctl and BRIDGE.mgmt sockets are. */
export function withRundir(cmd: Command): Command {
  return cmd.option('--rundir <dir>', `directory of the daemon's sockets (default: $SLUICE_RUNDIR or ${DEFAULT_RUNDIR})`);
}

export function rundirOf(opts: { rundir?: string }): string {
  return opts.rundir ?? process.env.SLUICE_RUNDIR ?? DEFAULT_RUNDIR;
}
