/**
 * The one model of an operational error: `SluiceError`, an Error with a stable string
 * `code` (as undici's lib/core/errors.js gives each error a code). It lives here, in the
 * lowest layer that raises one (a bad port spec, a port that cannot be opened), so that
 * every layer above uses the same class.
 *
 * Error model (operational errors, every layer): what an operator or the system got wrong
 * — a bad flag, value, config, port spec or flow syntax, a missing interface, a verb the
 * daemon refuses, a daemon that cannot be reached — is a `SluiceError`. It is RETURNED as
 * a value (`X | SluiceError`; a change with no result returns `SluiceError | null`), so a
 * caller tests `r instanceof SluiceError` (or `instanceof Error`) and passes it up; nothing
 * an operator types is thrown through the event loop. Two things throw, both reached only
 * from code: a Port's open() (the Bridge turns it into a SluiceError 'port_failed') and a
 * Bridge built with `new` from a config written in code (Bridge.create returns the error). The message is the one line the
 * operator reads (`no bridge br9 (bridges: br0)`); the code says what kind of mistake it is,
 * and the CLI turns the code into its exit status in one place (cli/cli-common.ts
 * EXIT_STATUS). What a peer sends wrong is the other model: `OFError`, pipeline/errors.ts.
 */

/** The stable codes. Adding one is a compile error in cli/cli-common.ts until it has an exit status. */
export const SLUICE_ERROR_CODES = [
  /** A bad flag, argument or value on the command line or a control-socket request. */
  'bad_usage',
  /** The ovs-ofctl flow, group or meter syntax: the error names the token and its column. */
  'bad_syntax',
  /** A bad config: db or config file, port spec, bridge setting. */
  'bad_config',
  /** A port that cannot be opened or attached (a missing interface, a busy name, EPERM). */
  'port_failed',
  /** The daemon or the switch refused the request (no such bridge or port, already exists). */
  'refused',
  /** No daemon or switch answers at that address (not running, timeout, connection closed). */
  'unreachable',
] as const;

export type SluiceErrorCode = (typeof SLUICE_ERROR_CODES)[number];

export class SluiceError extends Error {
  override readonly name = 'SluiceError';

  constructor(readonly code: SluiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** The same code with more context in front: `bridge br0: ` + message. */
  prefixed(prefix: string): SluiceError {
    return new SluiceError(this.code, `${prefix}${this.message}`, { cause: this });
  }
}

/** `e` as a SluiceError: itself, or an Error/other thrown value wrapped with `code`. */
export function asSluiceError(e: unknown, code: SluiceErrorCode): SluiceError {
  if (e instanceof SluiceError) return e;
  return new SluiceError(code, e instanceof Error ? e.message : String(e), { cause: e });
}
