/**
 * A user's string inside a one-line message: JSON-quoted, so a newline or a control
 * character in a config value cannot split the line the daemon and CLI print, and cut at
 * `max` characters (a 5,000-character value is named by its start).
 */
export function quote(s: string, max = 64): string {
  if (s.length <= max) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, max)).slice(0, -1)}…"`;
}

/** A message made one readable line whatever layer built it: control characters escaped
 * (\x0a), a quoted value longer than 64 characters cut as quote() cuts it. */
export function oneLine(message: string): string {
  return message
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/"([^"]{65,})"/g, (_m, v: string) => `"${v.slice(0, 64)}…"`);
}
