/**
 * Bytes made by an independent implementation (os-ken's ofproto_v1_3_parser), committed
 * as fixtures by test/interop/osken-encode.py, decoded by Sluice to the values os-ken was
 * given. Needs no python: the interop test regenerates and compares live.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeHex, OSKEN_EXPECTED } from './openflow-osken-expected.js';

const FIXTURES: Record<string, string> = JSON.parse(
  readFileSync(new URL('./openflow-osken-fixtures.json', import.meta.url), 'utf8'),
);

describe('decoding os-ken encoded messages (committed fixtures)', () => {
  it('covers every fixture', () => {
    expect(Object.keys(OSKEN_EXPECTED).sort()).toEqual(Object.keys(FIXTURES).sort());
  });
  for (const [name, hex] of Object.entries(FIXTURES)) {
    it(name, () => {
      expect(decodeHex(hex)).toMatchObject(OSKEN_EXPECTED[name]!);
    });
  }
});
