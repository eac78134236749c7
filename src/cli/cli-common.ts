/**
 * What every `sluice` verb shares: exit codes, the one-line error, the --rundir option.
 *
 * Exit codes (all verbs):
 *   0  done
 *   1  the daemon refused or could not be reached (message says why and what to do)
 *   2  a usage error: unknown verb or flag, bad value, bad flow syntax
 *
 * Error model: every layer below hands the CLI an operational error as a `SluiceError`
 * value (ports/errors.ts) with a stable code; EXIT_STATUS below is the one place a code
 * becomes an exit status. failWith(e) prints its message as `sluice: MSG`; fail(msg, code)
 * does the same for a mistake the CLI finds itself, named by the same codes (no verb
 * writes an exit number).
 */
import type { Command } from 'commander';
import { DEFAULT_RUNDIR } from '../openflow/service.js';
import type { SluiceError, SluiceErrorCode } from '../ports/errors.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Each SluiceError code → the exit status: 2 for what the operator typed or configured, 1 for a refusal. */
export const EXIT_STATUS: Readonly<Record<SluiceErrorCode, typeof EXIT_FAILURE | typeof EXIT_USAGE>> = {
  bad_usage: EXIT_USAGE,
  bad_syntax: EXIT_USAGE,
  bad_config: EXIT_USAGE,
  port_failed: EXIT_USAGE,
  refused: EXIT_FAILURE,
  unreachable: EXIT_FAILURE,
};

/** Prints `sluice: MSG` for `e` and exits with its code's status. */
export function failWith(e: SluiceError, prefix = ''): never {
  fail(`${prefix}${e.message}`, e.code);
}

/** Prints `sluice: MSG` on stderr and exits with the status of `code`. */
export function fail(msg: string, code: SluiceErrorCode = 'bad_usage'): never {
  process.stderr.write(`sluice: ${msg}\n`);
  process.exit(EXIT_STATUS[code]);
}

export const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** --rundir DIR on a verb: where the daemon's sluice.ctl and BRIDGE.mgmt sockets are. */
export function withRundir(cmd: Command): Command {
  return cmd.option('--rundir <dir>', `directory of the daemon's sockets (default: $SLUICE_RUNDIR or ${DEFAULT_RUNDIR})`);
}

export function rundirOf(opts: { rundir?: string }): string {
  return opts.rundir ?? process.env.SLUICE_RUNDIR ?? DEFAULT_RUNDIR;
}
