/**
 * The error model has one home per kind (README "How it is built", Errors):
 *  - OpenFlow error names live only in pipeline/errors.ts: every name is read off its
 *    constants, OFError carries it, and no other file spells an OFPET_/code name;
 *  - operational errors are one class, SluiceError (ports/errors.ts), whose codes each map
 *    to one exit status in cli/cli-common.ts EXIT_STATUS, the only place the CLI names one.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from '../../src/pipeline/errors.js';
import { EXIT_FAILURE, EXIT_STATUS, EXIT_USAGE } from '../../src/cli/cli-common.js';
import { SLUICE_ERROR_CODES, SluiceError, asSluiceError } from '../../src/ports/errors.js';
import { parseError, isParseError } from '../../src/openflow/syntax/errors.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const sources = (): [string, string][] =>
  (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort()
    .map((f) => [f, readFileSync(join(SRC, f), 'utf8')]);

/** The code prefixes of ofp_error_type (openflow.h). */
const CODE_PREFIXES = ['OFPHFC_', 'OFPBRC_', 'OFPBAC_', 'OFPBIC_', 'OFPBMC_', 'OFPFMFC_', 'OFPGMFC_', 'OFPPMFC_',
  'OFPTMFC_', 'OFPQOFC_', 'OFPSCFC_', 'OFPRRFC_', 'OFPMMFC_', 'OFPTFFC_', 'OFPBPC_', 'OFPACFC_', 'OFPMOFC_', 'OFPBFC_'];

describe('OpenFlow error names: one home (pipeline/errors.ts)', () => {
  const constants = Object.entries(E as Record<string, unknown>).filter((kv): kv is [string, number] => typeof kv[1] === 'number');

  it('every type and code constant is named by the one table', () => {
    const types = constants.filter(([k]) => k.startsWith('OFPET_'));
    expect(types.length).toBe(19);
    for (const [name, type] of types) expect(E.ofErrorTypeName(type)).toBe(name);
    let codes = 0;
    for (const [name, code] of constants) {
      const i = CODE_PREFIXES.findIndex((p) => name.startsWith(p));
      if (i < 0) continue;
      codes++;
      expect(E.ofErrorCodeName(i, code), name).toBe(name);
      expect(E.ofErrorName(i, code)).toBe(name);
    }
    expect(codes).toBeGreaterThan(100);
  });

  it('an OFError carries the spec type, code and name; every description uses that name', () => {
    const e = E.ofError(E.OFPET_BAD_MATCH, E.OFPBMC_BAD_PREREQ, 'tcp_dst needs ip_proto=6');
    expect(e).toMatchObject({ type: 4, code: 9, name: 'OFPBMC_BAD_PREREQ' });
    expect(E.describeOFError(e)).toBe('OFPET_BAD_MATCH(4)/9: tcp_dst needs ip_proto=6');
    expect(E.describeErrorCode(4, 9)).toBe('OFPBMC_BAD_PREREQ (bad_match, bad_prereq)');
    expect(E.ofError(4, 99, 'x').name).toBe('OFPET_BAD_MATCH/99');
    expect(E.ofError(77, 1, 'x').name).toBe('OFPET_77/1');
  });

  it('no other file of src/ spells an OpenFlow error name', () => {
    const name = new RegExp(`['"\`](OFPET_|${CODE_PREFIXES.join('|')})[A-Z_]+`);
    const out = sources().filter(([f, text]) => f !== join('pipeline', 'errors.ts') && name.test(text)).map(([f]) => f);
    expect(out).toEqual([]);
  });
});

describe('operational errors: one class, one exit-status table', () => {
  it('every code has an exit status: 2 for bad input, 1 for a refusal', () => {
    expect(Object.keys(EXIT_STATUS).sort()).toEqual([...SLUICE_ERROR_CODES].sort());
    for (const code of SLUICE_ERROR_CODES) {
      expect(EXIT_STATUS[code], code).toBe(code === 'refused' || code === 'unreachable' ? EXIT_FAILURE : EXIT_USAGE);
    }
  });

  it('a parse error is a SluiceError with the token and column', () => {
    const p = parseError('bad value for nw_dst: "10.0.0.300"', '10.0.0.300', 23);
    expect(p).toBeInstanceOf(SluiceError);
    expect(isParseError(p)).toBe(true);
    expect(p).toMatchObject({ code: 'bad_syntax', token: '10.0.0.300', column: 23, message: 'bad value for nw_dst: "10.0.0.300" (at column 23)' });
    expect(isParseError(new SluiceError('bad_usage', 'x'))).toBe(false);
    expect(asSluiceError(new Error('gone'), 'port_failed')).toMatchObject({ code: 'port_failed', message: 'gone' });
    expect(new SluiceError('refused', 'no port x').prefixed('bridge br0: ')).toMatchObject({ code: 'refused', message: 'bridge br0: no port x' });
  });

  it('src/ defines no other Error class, and only cli-common.ts turns an error into an exit number', () => {
    const classes = sources().filter(([, t]) => /class \w+ extends Error\b/.test(t)).map(([f]) => f);
    expect(classes).toEqual([join('ports', 'errors.ts')]);
    const exits = sources()
      .filter(([f]) => f.startsWith('cli') && f !== join('cli', 'cli-common.ts'))
      .filter(([, t]) => /EXIT_(USAGE|FAILURE)\)|process\.exit\([12]\)|fail\([^)]*,\s*[12]\)/.test(t))
      .map(([f]) => f);
    expect(exits).toEqual([]);
  });
});
