/**
 * Fuzz target "flow-syntax": random and mutated ovs-ofctl texts through the flow, group
 * and meter parsers (src/openflow/syntax), as `sluice add-flow` / `add-group` /
 * `add-meter` hand them over.
 *
 * Input: [mode][UTF-8 text]. mode % 8: 0 add-flow, 1 mod-flows, 2 del-flows,
 * 3 add-flow --strict, 4 del-flows --strict, 5 add-group, 6 mod-group, 7 add-meter.
 *
 * Seeds: test/unit/flow-syntax-samples.ts (every field, shorthand, action and
 * instruction the parser knows); the words of all samples are the mutation dictionary.
 *
 * Invariants:
 *  - no exception: the parser returns a value or a ParseError;
 *  - a ParseError is one line (the CLI prints it after "sluice: "), not empty, and its
 *    column points into the text (1..length+1);
 *  - what parses formats back (formatFlowMod / formatGroup / formatMeter) without
 *    throwing, and the formatted text parses again (the round trip the CLI relies on for
 *    dump-flows | add-flows).
 */
import {
  formatFlowMod, formatGroup, formatMeter, isParseError, parseFlow, parseGroup, parseMeter, type FlowCommand, type ParseError,
} from '../../src/openflow/syntax/index.js';
import { ALL_MATCH_NAMES } from '../../src/openflow/syntax/fields.js';
import { FLOWS, GROUPS, METERS } from '../unit/flow-syntax-samples.js';
import type { Rand } from './rand.js';
import type { FuzzTarget } from './runner.js';

const MODES = 8;
const FLOW_CMDS: readonly [FlowCommand, boolean][] = [['add', false], ['modify', false], ['delete', false], ['add', true], ['delete_strict', true]];
const SPECIAL = [',', '=', ':', '(', ')', '->', '/', ' ', '\t', '[', ']', '..', '0x', '-', '.', '"', '\\', '\n', '\u0000', 'é', '💥', '%', '{', '}', ';'];
const VALUES = [
  '0', '1', '-1', '65535', '65536', '4294967295', '4294967296', '18446744073709551615', '18446744073709551616', '99999999999999999999999',
  '0x', '0xffffffffffffffffffff', '1e9', 'NaN', 'Infinity', '1.2.3.4', '1.2.3.4/33', '300.1.1.1', '255.255.255.255/0.0.0.0',
  '::', '::1/129', 'fe80::1%eth0', '2001:db8::/64', '00:11:22:33:44:55', '00:11:22:33:44:55/ff:ff:ff:00:00:00', '0:0:0:0:0:0:0',
  'LOCAL', 'CONTROLLER', 'IN_PORT', 'ANY', 'NONE', '0x1000/0x1000', '', '()', 'max_len=0', 'reason=no_match',
];

function words(texts: readonly string[]): string[] {
  const set = new Set<string>();
  for (const t of texts) for (const w of t.split(/[,=:()/\s>]+/)) if (w !== '') set.add(w);
  for (const n of ALL_MATCH_NAMES) set.add(n);
  return [...set];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class FlowSyntaxTarget implements FuzzTarget {
  readonly name = 'flow-syntax';
  private readonly dict = words([...FLOWS, ...GROUPS, ...METERS]);
  private readonly counts = { parsed: 0, refused: 0, roundTrips: 0 };

  private samples(mode: number): readonly string[] {
    return mode === 7 ? METERS : mode >= 5 ? GROUPS : FLOWS;
  }

  private token(rand: Rand): string {
    switch (rand.below(4)) {
      case 0: return rand.pick(SPECIAL);
      case 1: return rand.pick(VALUES);
      case 2: return String(rand.u32() >>> rand.below(32));
      default: return rand.pick(this.dict);
    }
  }

  generate(rand: Rand): Uint8Array {
    const mode = rand.below(MODES);
    const samples = this.samples(mode);
    let s: string;
    if (rand.oneIn(5)) { // random assembly of words: key=value pairs and an action list
      const parts: string[] = [];
      for (let i = rand.below(8); i >= 0; i--) parts.push(rand.oneIn(2) ? `${rand.pick(this.dict)}=${this.token(rand)}` : this.token(rand));
      if (rand.below(4) !== 0) {
        const acts: string[] = [];
        for (let i = rand.below(6); i >= 0; i--) acts.push(rand.oneIn(2) ? `${rand.pick(this.dict)}:${this.token(rand)}` : `${rand.pick(this.dict)}(${this.token(rand)})`);
        parts.push(`actions=${acts.join(',')}`);
      }
      s = parts.join(rand.oneIn(8) ? ' ' : ',');
    } else {
      s = rand.pick(samples);
      for (let i = rand.oneIn(2) ? 1 : 1 + rand.below(4); i > 0; i--) {
        const at = rand.below(s.length + 1);
        switch (rand.below(8)) {
          case 0: { // replace one word
            const re = /[^,=:()/\s>]+/g;
            const ms = [...s.matchAll(re)];
            if (ms.length > 0) { const m = rand.pick(ms); s = s.slice(0, m.index) + this.token(rand) + s.slice(m.index + m[0].length); }
            break;
          }
          case 1: s = s.slice(0, at) + this.token(rand) + s.slice(at); break;
          case 2: s = s.slice(0, at) + s.slice(at + 1 + rand.below(12)); break;
          case 3: s = s.slice(0, at); break;
          case 4: { const k = 1 + rand.below(20); s = s.slice(0, at + k) + s.slice(at, at + k) + s.slice(at + k); break; } // duplicate
          case 5: { const o = rand.pick(FLOWS.concat(GROUPS, METERS)); const p = rand.below(o.length); s = s.slice(0, at) + o.slice(p); break; } // splice
          case 6: s = s.slice(0, at) + String.fromCharCode(rand.below(128)) + s.slice(at); break;
          default: s = rand.oneIn(2) ? s.toUpperCase() : s.replace(/,/g, rand.oneIn(2) ? ' ' : ', ');
        }
      }
    }
    const b = enc.encode(s);
    const out = new Uint8Array(b.length + 1);
    out[0] = mode;
    out.set(b, 1);
    return out;
  }

  private parse(mode: number, text: string): unknown {
    if (mode < 5) { const [command, strict] = FLOW_CMDS[mode]!; return parseFlow(text, { command, strict }); }
    if (mode === 5) return parseGroup(text, { command: 'add' });
    if (mode === 6) return parseGroup(text, { command: 'modify' });
    return parseMeter(text, { command: 'add' });
  }

  run(input: Uint8Array): string | null {
    if (input.length === 0) return null;
    const mode = input[0]! % MODES;
    const text = dec.decode(input.subarray(1));
    const r = this.parse(mode, text);
    if (isParseError(r)) {
      this.counts.refused++;
      return checkError(r, text);
    }
    if (typeof r !== 'object' || r === null) return `the parser returned ${String(r)}`;
    this.counts.parsed++;
    // The round trip, for what is added (a delete's text has no actions to print).
    if (mode === 0 || mode === 3) {
      const again = parseFlow(formatFlowMod(r as Parameters<typeof formatFlowMod>[0]), { command: 'add' });
      if (isParseError(again)) return `parses, but its formatted text does not: ${again.message}: ${formatFlowMod(r as Parameters<typeof formatFlowMod>[0])}`;
      this.counts.roundTrips++;
    } else if (mode === 5) {
      const g = r as { groupId: number; type: number; buckets: [] };
      const f = formatGroup(g);
      const again = parseGroup(f, { command: 'add' });
      if (isParseError(again)) return `parses, but its formatted text does not: ${again.message}: ${f}`;
      this.counts.roundTrips++;
    } else if (mode === 7) {
      const f = formatMeter(r as Parameters<typeof formatMeter>[0]);
      const again = parseMeter(f, { command: 'add' });
      if (isParseError(again)) return `parses, but its formatted text does not: ${again.message}: ${f}`;
      this.counts.roundTrips++;
    }
    return null;
  }

  async finish(): Promise<string | null> { return null; }

  stats(): string {
    const n = (x: number): string => x.toLocaleString('en-US');
    return `${n(this.counts.parsed)} parsed (${n(this.counts.roundTrips)} formatted and parsed again), ${n(this.counts.refused)} refused with a one-line error`;
  }

  close(): void {}
}

export function checkError(e: ParseError, text: string): string | null {
  if (typeof e.message !== 'string' || e.message.trim() === '') return 'an empty error message';
  if (e.message.includes('\n')) return `a multi-line error: ${JSON.stringify(e.message)}`;
  if (!Number.isInteger(e.column) || e.column < 1 || e.column > text.length + 1) return `column ${e.column} outside the ${text.length}-character text: ${e.message}`;
  return null;
}
