/**
 * Spec numbers are written by name in src/ (issue 12, "One house"): each set of OF1.3.5
 * constants has one home (OFPPC_*, OFPPS_*, OFPPR_* in src/pipeline/types.ts; OFPC_* in
 * src/openflow/constants.ts), and the code uses the names. This check fails when one of
 * these is written as a number again:
 *  - a port-status reason emitted or compared as a digit ('port-status', 2 / reason === 0
 *    in a file that handles port-status);
 *  - port config/state bits tested or set with a non-zero literal (p.config & 1);
 *  - capabilities given as a number (capabilities: 0x4f);
 *  - a bit set spelled as literal shifts ((1 << 0) | (1 << 2)): such a set is named bits;
 *  - an ethertype as a number (0x0800, 0x8100, ...): their one home is src/packet/ethertype.ts.
 * Comment lines are skipped; the homes themselves (`export const NAME = 1 << n`) are not
 * matched by any rule. Each rule is also run on a sample it must flag and one it must not.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const sources = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

interface Rule {
  readonly what: string;
  readonly re: RegExp;
  /** Only in files whose text matches this (the rule's context), when given. */
  readonly inFilesWith?: RegExp;
}

const RULES: readonly Rule[] = [
  { what: 'port-status reason as a number (OFPPR_*)', re: /['"]port-status['"]\s*,\s*\d/ },
  {
    what: 'port-status reason compared with a number (OFPPR_*)',
    re: /\breason\s*[!=]==?\s*\d/,
    inFilesWith: /port-status|port_status|PortReason/,
  },
  { what: 'port config/state bits as a number (OFPPC_* / OFPPS_*)', re: /\.(config|state)\s*(&|\||\^|[!=]==)\s*~?\(?\s*(0x[0-9a-f]*[1-9a-f]|[1-9])/i },
  { what: 'capabilities as a number (OFPC_*)', re: /\bcapabilities\s*[:=]\s*\(?\s*(0x|[1-9])/ },
  { what: 'a bit set written as literal shifts (name the bits)', re: /\(1\s*<<\s*\d+\)\s*\|\s*\(1\s*<<\s*\d+\)/ },
  {
    // outside quotes (a message may name one); the home itself, packet/ethertype.ts, is skipped
    what: 'an ethertype as a number (packet/ethertype.ts)',
    re: /^[^'`"]*\b0x(0800|0806|8035|8100|88a8|86dd|8847|8848|88e7)\b/i,
  },
];

const isComment = (line: string): boolean => /^\s*(\/\/|\*|\/\*)/.test(line);

function offences(file: string, text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  for (const r of RULES) {
    if (r.inFilesWith && !r.inFilesWith.test(text)) continue;
    if (file.endsWith('ethertype.ts') && r.what.startsWith('an ethertype')) continue;
    lines.forEach((line, i) => {
      if (!isComment(line) && r.re.test(line)) out.push(`${file}:${i + 1}: ${r.what}: ${line.trim()}`);
    });
  }
  return out;
}

describe('OF1.3.5 constants are written by name in src/', () => {
  it('src/ writes no port-status reason, port config/state bit or capability as a number', () => {
    expect(sources.length).toBeGreaterThan(50);
    const found = sources.flatMap((f) => offences(f, readFileSync(join(SRC, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('flags each kind of literal it is meant to', () => {
    const flagged = [
      "this.emit('port-status', 2, this.info(p));",
      "bridge.on('port-status', (reason) => { if (reason === 0) add(); });",
      'if ((p.config & 1) !== 0) return;',
      'const down = (info.state & 0x1) !== 0;',
      'capabilities: 0x4f,',
      'const PORT_CONFIG_SUPPORTED = (1 << 0) | (1 << 2) | (1 << 5) | (1 << 6);',
      'if (type === 0x86dd) {',
    ];
    for (const s of flagged) expect(offences('sample.ts', s), s).not.toEqual([]);
  });

  it('leaves names, zeroes, unrelated numbers and comments alone', () => {
    const clean = [
      "this.emit('port-status', OFPPR_MODIFY, this.info(p));",
      "bridge.on('port-status', (reason) => { if (reason === OFPPR_ADD) add(); });",
      'if ((p.config & OFPPC_NO_RECV) !== 0) return;',
      'config = 0;',
      'config: 0, maxEntries: 4096,',
      'capabilities: SWITCH_CAPABILITIES,',
      'export const OFPPC_NO_FWD = 1 << 5;',
      'const x = (w >>> 3) & 0x1fff;',
      '// reason === 0 was OFPPR_ADD',
      " * 'port-status', 2 in an old comment",
      'if (reason === 0) return; // a file with no port status in it',
      "return bad('push_vlan: ethertype is not 0x8100/0x88a8');",
      'if (type === ETH_TYPE_IPV6) {',
    ];
    for (const s of clean) expect(offences('sample.ts', s), s).toEqual([]);
  });
});
