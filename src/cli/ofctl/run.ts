/**
 * What every ofctl verb does around its requests: resolve the SWITCH argument, connect,
 * turn a parse error or a refusal into the one-line `sluice: ...` message and exit code.
 *
 * Exit codes (cli-common.ts): 2 for what the user typed wrong, found before connecting
 * (bad flow syntax, bad target); 1 for what the switch or the connection did (no such
 * bridge, refused mod, timeout).
 */
import { EXIT_STATUS, fail, failWith, rundirOf } from '../cli-common.js';
import { SluiceError } from '../../ports/errors.js';
import { isParseError, type ParseError } from '../../openflow/syntax/index.js';
import { DEFAULT_TIMEOUT_MS, OfctlClient, describeRefusal, type Refusal, type Request } from './client.js';
import { resolveTarget } from './target.js';

export interface OfctlOptions { readonly rundir?: string; readonly timeout?: string }

/** A parsed value, or exit 2 with the flow-syntax message (token and column). */
export function parsedOrFail<T extends object>(v: T | ParseError, what?: string): T {
  if (isParseError(v)) failWith(v, what ? `${what}: ` : '');
  return v;
}

/** The result of a call, or exit 1 with its message. */
export function okOrFail<T>(v: T | SluiceError): T {
  if (v instanceof SluiceError) failWith(v);
  return v;
}

function timeoutMs(opts: OfctlOptions): number {
  if (opts.timeout === undefined) return DEFAULT_TIMEOUT_MS;
  const s = Number(opts.timeout);
  if (!Number.isFinite(s) || s <= 0) fail(`--timeout "${opts.timeout}": expected a number of seconds > 0`, 'bad_usage');
  return Math.round(s * 1000);
}

/** Connects to the switch named by `arg` (bridge name, unix:PATH or tcp:IP[:PORT]), or exits. */
export async function connectOrFail(arg: string, opts: OfctlOptions): Promise<OfctlClient> {
  const r = resolveTarget(arg, rundirOf(opts));
  if (r instanceof Error) fail(r.message, 'bad_usage');
  return okOrFail(await OfctlClient.connect(r, timeoutMs(opts)));
}

/**
 * Runs `mods` with a barrier (or, with `bundle`, as one atomic bundle: all or none); on
 * refusals prints one line each, `LABEL refused the NOUN[ at WHERE]: NAMES: TEXT`, and exits 1.
 */
export async function modifyOrFail(
  c: OfctlClient, noun: string, mods: readonly { req: Request; text: string; where?: string }[], bundle = false,
): Promise<void> {
  const reqs = mods.map((m) => m.req);
  const refusals: Refusal[] = okOrFail(await (bundle ? c.modifyBundled(reqs) : c.modify(reqs)));
  if (refusals.length === 0) return;
  for (const { index, error } of refusals) {
    const m = mods[index]!;
    process.stderr.write(`sluice: ${c.label} refused the ${noun}${m.where ? ` at ${m.where}` : ''}: ${describeRefusal(error)}: ${m.text}\n`);
  }
  if (bundle) process.stderr.write(`sluice: the bundle was not committed: nothing was changed\n`);
  c.close();
  process.exit(EXIT_STATUS.refused);
}

/** Writes lines to stdout. */
export function print(lines: readonly string[]): void {
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
}
