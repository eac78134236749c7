/**
 * The flow verbs: add-flow, add-flows, mod-flows, del-flows, dump-flows. Flow text is
 * parsed (src/openflow/syntax) before connecting, so a typo never reaches the switch.
 * Mods go out as OFPT_FLOW_MOD followed by a barrier (OF1.3.5 §6.2), so a refusal is
 * reported before the verb exits; with --bundle, as one atomic bundle (all or none); dump-flows prints what `ovs-ofctl -O OpenFlow13
 * dump-flows` prints, line for line, in the order the switch sent the flows.
 */
import { readFileSync } from 'node:fs';
import { fail } from '../cli-common.js';
import { formatFlow, parseFlow, type FlowCommand } from '../../openflow/syntax/index.js';
import type { FlowMod } from '../../pipeline/types.js';
import type { Request } from './client.js';
import { parseFlowsFile } from './flows-file.js';
import { formatFlowBrief } from './format-flow-brief.js';
import { connectOrFail, modifyOrFail, okOrFail, parsedOrFail, print, type OfctlOptions } from './run.js';

interface BundleOption extends OfctlOptions { readonly bundle?: boolean }
interface StrictOption extends BundleOption { readonly strict?: boolean }
/** commander's `--no-stats` sets stats: false. */
interface DumpFlowsOptions extends OfctlOptions { readonly stats?: boolean }

const flowReq = (fm: FlowMod): Request => ({ type: 'flow_mod', ...fm });

async function sendFlows(bridge: string, opts: BundleOption, noun: string, mods: { fm: FlowMod; text: string; where?: string }[]): Promise<void> {
  const c = await connectOrFail(bridge, opts);
  await modifyOrFail(c, noun, mods.map((m) => ({ req: flowReq(m.fm), text: m.text, ...(m.where ? { where: m.where } : {}) })), opts.bundle === true);
  c.close();
}

export async function addFlow(bridge: string, flow: string, opts: OfctlOptions): Promise<void> {
  const fm = parsedOrFail(parseFlow(flow, { command: 'add' }));
  await sendFlows(bridge, opts, 'flow', [{ fm, text: flow }]);
}

/** add-flows BRIDGE FILE ('-' = stdin): the whole file parses, or nothing is sent. */
export async function addFlows(bridge: string, file: string, opts: BundleOption): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`, 'bad_usage');
  }
  const label = file === '-' ? '(stdin)' : file;
  const flows = parseFlowsFile(text, label);
  if (flows instanceof Error) fail(flows.message, 'bad_usage');
  await sendFlows(bridge, opts, 'flow', flows.map((f) => ({ fm: f.mod, text: f.text, where: `${label}:${f.line}` })));
}

export async function modFlows(bridge: string, flow: string, opts: StrictOption): Promise<void> {
  const command: FlowCommand = opts.strict ? 'modify_strict' : 'modify';
  const fm = parsedOrFail(parseFlow(flow, { command }));
  await sendFlows(bridge, opts, 'flow', [{ fm, text: flow }]);
}

/** del-flows BRIDGE [MATCH]: without a match, every flow of every table (ovs-ofctl's default). */
export async function delFlows(bridge: string, match: string | undefined, opts: StrictOption): Promise<void> {
  const command: FlowCommand = opts.strict ? 'delete_strict' : 'delete';
  const fm = parsedOrFail(parseFlow(match ?? '', { command }));
  await sendFlows(bridge, opts, 'delete', [{ fm, text: match ?? '(all flows)' }]);
}

/** dump-flows BRIDGE [MATCH]: OFPMP_FLOW (OF1.3.5 §7.3.5.2) with the match's table, cookie and out_port filters. */
export async function dumpFlows(bridge: string, match: string | undefined, opts: DumpFlowsOptions): Promise<void> {
  const q = parsedOrFail(parseFlow(match ?? '', { command: 'delete' }));
  const c = await connectOrFail(bridge, opts);
  const bodies = okOrFail(await c.multipart({
    kind: 'flow', tableId: q.tableId, outPort: q.outPort, outGroup: q.outGroup,
    cookie: q.cookie, cookieMask: q.cookieMask, match: q.match,
  }));
  c.close();
  const format = opts.stats === false ? formatFlowBrief : formatFlow;
  print(bodies.flatMap((b) => (b.kind === 'flow' ? b.flows.map((f) => format(f)) : [])));
}
