/**
 * `sluice batch [FILE|-]`: many vsctl changes in one request to the daemon, like one
 * ovs-vsctl call chaining commands with `--`. Each line of FILE (stdin without FILE or
 * with -) is one verb with its arguments, written as on the command line without
 * `sluice` and without --rundir (blank lines and lines starting with # are skipped):
 *
 *   add-br s1 --dpid 1 --fail-mode secure
 *   add-port s1 s1-eth1 --ofport 1
 *   set-controller s1 tcp:127.0.0.1:6653 ptcp:6654
 *
 * The verbs: add-br, del-br, add-port, del-port, set-controller, del-controller (BATCH_VERBS
 * of control/daemon-handlers.ts). Words are separated by blanks; there is no quoting (none
 * of these verbs' arguments holds a blank).
 *
 * Invariants
 *  - Every line is checked here, with the verbs' own flags and checks, before anything is
 *    sent: a mistake prints `sluice: line N: ...` and exits 2, the daemon untouched.
 *  - The daemon runs the lines in order and saves its db once. The first line it refuses
 *    stops the batch (`sluice: line N: add-port: ...`, exit 1); the lines before it stay done.
 *  - Mininet's switch class (src/mininet/sluice.py) starts a whole network with one batch.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ctlRequest } from '../control/ctl-client.js';
import { BATCH_VERBS } from '../control/daemon-handlers.js';
import { SluiceError } from '../ports/errors.js';
import { fail, failWith, rundirOf, withRundir } from './cli-common.js';
import { registerVsctlVerbs, type VerbSink } from './verbs-vsctl.js';

interface BatchRequest {
  cmd: string;
  args: Record<string, unknown>;
  where: string;
}

/** The requests of a batch text, or the first mistake, named by its line. */
export async function parseBatch(text: string): Promise<BatchRequest[] | SluiceError> {
  const out: BatchRequest[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const words = raw.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0 || words[0]!.startsWith('#')) continue;
    const where = `line ${i + 1}`;
    if (words.includes('--rundir')) return new SluiceError('bad_usage', `${where}: --rundir belongs on the batch command, not on a line`);
    let got: BatchRequest | undefined;
    const sink: VerbSink = {
      send: (_o, cmd, args = {}) => {
        got = { cmd, args, where };
        return Promise.resolve(null);
      },
      fail: (e) => {
        throw e; // caught below, named by its line
      },
    };
    let commanderMsg = '';
    const program = new Command('sluice')
      .exitOverride()
      .configureOutput({ writeOut: () => {}, writeErr: (s) => (commanderMsg += s) });
    registerVsctlVerbs(program, sink);
    for (const c of program.commands) c.configureOutput({ writeOut: () => {}, writeErr: (s) => (commanderMsg += s) });
    try {
      await program.parseAsync(words, { from: 'user' });
    } catch (e) {
      if (e instanceof SluiceError) return e.prefixed(`${where}: `);
      if (e instanceof CommanderError) {
        const m = (commanderMsg || e.message).trim().replace(/^error: /, '').split('\n')[0];
        return new SluiceError('bad_usage', `${where}: ${m} (a batch line is one of: ${BATCH_VERBS.join(', ')})`);
      }
      throw e;
    }
    if (!got) return new SluiceError('bad_usage', `${where}: "${words[0]}" is not a batch verb (${BATCH_VERBS.join(', ')})`);
    out.push(got);
  }
  return out;
}

export function registerBatchVerb(program: Command): void {
  withRundir(program.command('batch [file]'))
    .description('run many add-br/add-port/set-controller/... lines (FILE, or stdin) in one request, one db save')
    .exitOverride()
    .action(async (file: string | undefined, o: { rundir?: string }) => {
      let text: string;
      try {
        text = readFileSync(file === undefined || file === '-' ? 0 : file, 'utf8');
      } catch (e) {
        fail(`batch: cannot read ${file ?? 'stdin'}: ${(e as Error).message}`);
      }
      const reqs = await parseBatch(text);
      if (reqs instanceof Error) failWith(reqs);
      if (reqs.length === 0) return;
      const r = await ctlRequest(rundirOf(o), 'batch', { requests: reqs }, 120_000);
      if (r instanceof Error) failWith(r);
    });
}
