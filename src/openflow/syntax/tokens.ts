/**
 * Splitting flow text into tokens, ovs-ofctl style (ovs-ofctl(8) "Flow Syntax"):
 * `key=value` or bare `key` items separated by commas or white space, where commas inside
 * parentheses (`write_actions(output:1,group:2)`, `controller(max_len=100)`) do not split.
 * Every token keeps the 1-based column where it starts, for error messages.
 */

export interface Token {
  readonly text: string;
  readonly column: number;
}

/** Splits `text` (found at `column0` in the original line) at top-level commas/blanks. */
export function splitTopLevel(text: string, column0 = 1, blanksSplit = true): Token[] | { unbalanced: number } {
  const out: Token[] = [];
  let depth = 0;
  let start = 0;
  const flush = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const t = raw.trim();
    if (t !== '') out.push({ text: t, column: column0 + start + lead });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(') depth++;
    else if (c === ')') { depth--; if (depth < 0) return { unbalanced: column0 + i }; }
    else if (depth === 0 && (c === ',' || (blanksSplit && (c === ' ' || c === '\t' || c === '\n')))) {
      flush(i);
      start = i + 1;
    }
  }
  if (depth !== 0) return { unbalanced: column0 + text.lastIndexOf('(') };
  flush(text.length);
  return out;
}

export interface KeyValue {
  readonly key: string;
  /** undefined for a bare word such as `ip` or `send_flow_rem`. */
  readonly value: string | undefined;
  readonly column: number;
  /** Column where the value starts (column of the key when there is no value). */
  readonly valueColumn: number;
}

/** `key=value` (or `key:value` when `colon` is true, as in actions `output:1`). */
export function keyValue(tok: Token, colon = false): KeyValue {
  const t = tok.text;
  let cut = -1;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '(') break;
    if (c === '=' || (colon && c === ':')) { cut = i; break; }
  }
  if (cut < 0) return { key: t, value: undefined, column: tok.column, valueColumn: tok.column };
  return { key: t.slice(0, cut).trim(), value: t.slice(cut + 1).trim(), column: tok.column, valueColumn: tok.column + cut + 1 };
}
