/**
 * Errors of the ovs-ofctl flow syntax. A user's typo is not an exception: every parser in
 * this folder returns a ParseError value that names the offending token, says what was
 * expected, and gives the 1-based column in the input where the token starts, so that the
 * CLI can print `bad value for nw_dst: "10.0.0.300" (at column 23)`.
 *
 * A ParseError is the operational error model (`SluiceError`, ports/errors.ts) with code
 * 'bad_syntax' and the token and column added; parsers return `X | ParseError`.
 */
import { SluiceError } from '../../ports/errors.js';

export type ParseError = SluiceError & {
  readonly code: 'bad_syntax';
  /** The token that was refused, as written. */
  readonly token: string;
  /** 1-based column of `token` in the parsed text. */
  readonly column: number;
};

/** `what (at column N)`: the full human message, column included. */
export function parseError(what: string, token: string, column: number): ParseError {
  // One line whatever the input holds: control characters (a newline in a token) escaped.
  const line = what.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return Object.assign(new SluiceError('bad_syntax', `${line} (at column ${column})`), { token, column }) as ParseError;
}

export function isParseError(x: unknown): x is ParseError {
  return x instanceof SluiceError && x.code === 'bad_syntax';
}

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment),
 * because `tpc` for `tcp` is the typo people make. Names are short: the quadratic table is
 * fine on the control path.
 */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known name to `word`, if it is close enough to be a plausible typo. */
function closestName(word: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(word.toLowerCase(), n);
    if (d < bestD) { bestD = d; best = n; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** `unknown field "nw_dts" (did you mean "nw_dst"?)` */
export function unknownName(kind: string, word: string, column: number, names: Iterable<string>): ParseError {
  const near = closestName(word, names);
  return parseError(`unknown ${kind} "${word}"${near ? ` (did you mean "${near}"?)` : ''}`, word, column);
}
