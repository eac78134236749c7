/**
 * The FLOW argument of `sluice trace` (ovs-ofctl match syntax, every field exact) → the
 * frame it describes (trace-frame.ts) and the in_port it names.
 *
 * Invariants
 *  - Parsing is the flow-syntax parser's (same names, shorthands, prerequisites and error
 *    messages with the token and its column as `add-flow`), except in_port, which may
 *    also be a port name here ("in_port=veth-a"), resolved by the caller against the
 *    bridge's ports.
 *  - A flow with flow keywords (table, priority, actions, ...) is refused: it describes a
 *    packet, not a rule.
 *  - Errors are values: a SluiceError whose message names the offending token.
 */
import { SluiceError } from '../ports/errors.js';
import { isParseError, parseMatch } from '../openflow/syntax/index.js';
import { FLOW_KEYWORDS } from '../openflow/syntax/fields.js';
import { keyValue, splitTopLevel, type KeyValue } from '../openflow/syntax/tokens.js';
import { frameFromMatch, type TraceTunnel } from './trace-frame.js';

export interface TraceFlow {
  readonly frame: Uint8Array;
  /** in_port as written (a number, a reserved name or a port name), if given. */
  readonly inPort?: string;
  /** The packet's tunnel metadata at ingress (tun_id, tun_src, tun_dst), if given. */
  readonly tunnel?: TraceTunnel;
}

export function parseTraceFlow(text: string): TraceFlow | SluiceError {
  const toks = splitTopLevel(text, 1);
  if (!Array.isArray(toks)) return new SluiceError('bad_usage', `flow "${text}": unbalanced parenthesis at column ${toks.unbalanced}`);
  let inPort: string | undefined;
  const items: KeyValue[] = [];
  for (const tok of toks) {
    const kv = keyValue(tok);
    if (kv.key === 'in_port') {
      if (!kv.value) return new SluiceError('bad_usage', `flow "${text}": in_port needs a value (at column ${kv.column})`);
      inPort = kv.value;
      continue;
    }
    if ((FLOW_KEYWORDS as readonly string[]).includes(kv.key)) {
      return new SluiceError('bad_usage', `flow "${text}": "${kv.key}" describes a rule, not a packet (at column ${kv.column})`);
    }
    if (kv.value?.includes('/')) {
      return new SluiceError('bad_usage', `flow "${text}": ${kv.key}=${kv.value} is masked: a trace packet needs one exact value for each field (at column ${kv.column})`);
    }
    items.push(kv);
  }
  const match = parseMatch(items, { strict: true });
  if (isParseError(match)) return new SluiceError('bad_usage', `flow "${text}": ${match.message}`);
  const f = frameFromMatch(match);
  if (f instanceof Error) return new SluiceError('bad_usage', `flow "${text}": ${f.message}`);
  return { frame: f.frame, ...(inPort !== undefined ? { inPort } : {}), ...(f.tunnel ? { tunnel: f.tunnel } : {}) };
}
