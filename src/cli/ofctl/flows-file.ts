/**
 * A file of flows for add-flows (ovs-ofctl(8) "add-flows switch file"): one flow per line,
 * blank lines and lines whose first non-blank character is `#` skipped.
 *
 * Invariant: the whole file is parsed before anything is sent, so a syntax error on any
 * line installs nothing (as ovs-ofctl does); the error names FILE:LINE and the column.
 */
import { SluiceError } from '../../ports/errors.js';
import type { FlowMod } from '../../pipeline/types.js';
import { isParseError, parseFlow, type FlowCommand } from '../../openflow/syntax/index.js';

interface FileFlow { readonly line: number; readonly text: string; readonly mod: FlowMod }

/** Flows of `text`, or the message naming `${file}:${line}` of the first bad one. */
export function parseFlowsFile(text: string, file: string, command: FlowCommand = 'add'): FileFlow[] | SluiceError {
  const out: FileFlow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trimEnd();
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // the untrimmed line, so that the column in a message is the column in the file
    const mod = parseFlow(raw, { command });
    if (isParseError(mod)) return new SluiceError('bad_usage', `${file}:${i + 1}: ${mod.message}`);
    out.push({ line: i + 1, text: line, mod });
  }
  return out;
}
