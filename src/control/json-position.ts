/**
 * Where things are in a JSON text, for error messages that point at a line: the offset of
 * every key path (`bridges[0].ports[1].ofport`, the same paths validateConfig() reports) and
 * the offset and reason of the first syntax error. JSON.parse stays the parser of record;
 * this scan only locates (Node 20's messages sometimes carry "at position N", sometimes no
 * position at all).
 *
 * Invariants
 *  - Never throws; one pass, O(text length).
 *  - A path maps to the offset of its key (object member) or of its first character (array
 *    element, root ''), so a multi-line value is reported on the line that names it.
 */

interface JsonScan {
  /** key path → offset of its key or value */
  paths: Map<string, number>;
  /** the first syntax error, or null when the text is valid JSON */
  error: { offset: number; reason: string } | null;
}

class Stop {
  constructor(readonly offset: number, readonly reason: string) {}
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const ESCAPE = /\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

export function scanJson(text: string): JsonScan {
  const paths = new Map<string, number>();
  let i = 0;
  const unexpected = (): Stop =>
    i >= text.length ? new Stop(i, 'unexpected end of input') : new Stop(i, `unexpected ${JSON.stringify(text[i])}`);
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (c: string, what: string): void => {
    ws();
    if (text[i] !== c) throw i >= text.length ? unexpected() : new Stop(i, `expected ${what}`);
    i++;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) throw new Stop(i, 'control character in a string');
      if (text[i] === '\\') {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) throw new Stop(i, 'bad escape in a string');
        i = ESCAPE.lastIndex;
      } else i++;
    }
    if (i >= text.length) throw new Stop(start, 'unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    if (!paths.has(path)) paths.set(path, i);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') throw i >= text.length ? unexpected() : new Stop(i, 'expected a double-quoted property name');
        const at = i;
        const key = string();
        const sub = path === '' ? key : `${path}.${key}`;
        paths.set(sub, at);
        expect(':', "':' after a property name");
        value(sub);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        throw i >= text.length ? unexpected() : new Stop(i, "expected ',' or '}' after a property value");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        throw i >= text.length ? unexpected() : new Stop(i, "expected ',' or ']' after an array element");
      }
    }
    if (c === '"') { string(); return; }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) { i += lit.length; return; }
    }
    NUMBER.lastIndex = i;
    if (c !== undefined && /[-0-9]/.test(c) && NUMBER.test(text)) { i = NUMBER.lastIndex; return; }
    throw unexpected();
  };
  try {
    ws();
    if (i >= text.length) return { paths, error: { offset: 0, reason: 'empty file' } };
    value('');
    ws();
    if (i < text.length) throw unexpected();
    return { paths, error: null };
  } catch (e) {
    if (e instanceof Stop) return { paths, error: { offset: e.offset, reason: e.reason } };
    return { paths, error: { offset: i, reason: String(e) } };
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
