/**
 * Frames that leave the switch after set-field, push and pop are exactly the frames scapy
 * builds from scratch with the new field values (test/fixtures/packets/egress.json, made by
 * make-egress.py, whose docstring states the rule behind each group of cases):
 *  - every settable field on each L4 protocol, every checksum a receiver verifies right:
 *    IPv4 header, TCP/UDP/ICMPv6 with the pseudo-header (also after ip_proto), ICMPv4 for
 *    every type and code, SCTP's CRC32c, UDP's "no checksum" kept;
 *  - push_vlan / push_mpls / push_pbb field values of OF1.3.5 §5.12.1 on frames with no
 *    tag, a VLAN tag, an MPLS stack or a PBB I-TAG, and pushes in a row;
 *  - a frame a pop made shorter than 60 bytes leaves padded with zeros to 60, without the
 *    input's padding as data.
 * Each case runs through a real Bridge (memory ports, its rule added in ovs-ofctl syntax),
 * twice: the first frame takes the slow path (flow-cache miss), the second a cache hit.
 * With scapy present the generator runs again and must reproduce the committed fixture,
 * so the expected bytes stay scapy's.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isParseError, parseFlow } from '../../src/openflow/syntax/index.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { needs } from '../tools.js';
import { rig } from './datapath-helpers.js';

interface EgressCase { name: string; flows: string[]; in: string; out: string }

const FIXTURE = fileURLToPath(new URL('../fixtures/packets/egress.json', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../fixtures/packets/make-egress.py', import.meta.url));
const fixtureText = readFileSync(FIXTURE, 'utf8');
const cases = (JSON.parse(fixtureText) as { cases: EgressCase[] }).cases;
const need = needs('python3', 'python3:scapy');

const r = rig(2);
const deleteAll = parseFlow('', { command: 'delete' });

/** The frames port 2 sends for the case's input sent twice on port 1 (its rules only). */
function forward(c: EgressCase): string[] {
  if (isParseError(deleteAll)) throw new Error(deleteAll.message);
  r.bridge.flowMod(deleteAll);
  for (const flow of c.flows) {
    const fm = parseFlow(flow, { command: 'add' });
    if (isParseError(fm)) throw new Error(`${c.name}: ${fm.message}`);
    const res = r.bridge.flowMod(fm);
    if (isOFError(res)) throw new Error(`${c.name}: ${res.message}`);
  }
  const frame = Uint8Array.from(Buffer.from(c.in, 'hex'));
  r.send(1, frame);
  r.send(1, frame);
  return r.take(2);
}

const groups = new Map<string, EgressCase[]>();
for (const c of cases) {
  const g = c.name.slice(0, c.name.indexOf('/'));
  groups.set(g, [...(groups.get(g) ?? []), c]);
}

describe('egress frames equal scapy-built frames (egress.json)', () => {
  it('has the cases of every group', () => {
    expect(cases.length).toBeGreaterThan(700);
    for (const g of ['ip_proto', 'sctp_src', 'icmpv4_type', 'icmpv4_code', 'udp_src', 'push_mpls:0x8847', 'pop_mpls']) {
      expect(groups.has(g), g).toBe(true);
    }
  });

  for (const [group, list] of groups) {
    it(`${group} (${list.length})`, () => {
      const wrong: string[] = [];
      for (const c of list) {
        const got = forward(c);
        if (got.length !== 2 || got[0] !== c.out || got[1] !== c.out) {
          wrong.push(`${c.name}\n  flow ${c.flows.join(' | ')}\n  in   ${c.in}\n  want ${c.out}\n  got  ${got.join('\n       ')}`);
        }
      }
      expect(wrong.join('\n')).toBe('');
    });
  }

  need.it('the fixture is what make-egress.py builds with scapy now', () => {
    const gen = spawnSync('/usr/bin/python3', [GENERATOR], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(gen.stderr).toBe('');
    expect(gen.status).toBe(0);
    expect(gen.stdout === fixtureText, 'regenerate: /usr/bin/python3 test/fixtures/packets/make-egress.py > test/fixtures/packets/egress.json').toBe(true);
  }, 60_000);
});
