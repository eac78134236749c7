/**
 * Interop: the same flow text means the same thing to Sluice and to Open vSwitch.
 * For each text, `ovs-ofctl -O OpenFlow13 parse-flow TEXT` encodes it with OVS's own parser
 * and prints the result; we parse the same text with parseFlow, encode it with our codec,
 * and have `ovs-ofctl ofp-print HEX` print our bytes. The two printed lines must be
 * identical. Our formatter must also print the same match and actions text as OVS.
 * Groups likewise through `parse-group`; meters and dump-flows lines through ofp-print of
 * our encoded meter-mod / flow-stats reply against formatMeter / formatFlow.
 * Skips (with a message) when ovs-ofctl is not installed (Debian openvswitch-common).
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import { encodeMessage, type OFMessage } from '../../src/openflow/index.js';
import {
  formatFlow, formatGroup, formatInstructions, formatMatch, formatMeter, isParseError, parseFlow, parseGroup, parseMeter,
} from '../../src/openflow/syntax/index.js';
import { FLOWS, GROUPS, METERS } from '../unit/flow-syntax-samples.js';

const need = needs('ovs-ofctl');

function ovs(args: string[]): string {
  const r = spawnSync('ovs-ofctl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ovs-ofctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const printed = (m: OFMessage) => ovs(['ofp-print', Buffer.from(encodeMessage(m)).toString('hex')]);
const lineOf = (out: string, prefix: string) => out.split('\n').find((l) => l.startsWith(prefix)) ?? `(no ${prefix} line in: ${out})`;

need.describe('flow text means the same to Sluice and ovs-ofctl', () => {
  it('covers at least 40 flows', () => expect(FLOWS.length).toBeGreaterThanOrEqual(40));
  for (const text of FLOWS) {
    it(text, () => {
      const theirs = lineOf(ovs(['-O', 'OpenFlow13', 'parse-flow', text]), 'OFPT_FLOW_MOD');
      const fm = parseFlow(text, { command: 'add' });
      if (isParseError(fm)) throw new Error(fm.message);
      const ours = lineOf(printed({ type: 'flow_mod', xid: 1, ...fm }), 'OFPT_FLOW_MOD');
      expect(ours).toBe(theirs);
      // Our formatter prints OVS's words for the same match and actions.
      const m = formatMatch(fm.match, fm.priority);
      if (m) expect(theirs).toContain(` ${m} `);
      expect(theirs.endsWith(`actions=${formatInstructions(fm.instructions)}`)).toBe(true);
    });
  }
});

need.describe('group text means the same to Sluice and ovs-ofctl', () => {
  for (const text of GROUPS) {
    it(text, () => {
      const theirs = ovs(['-O', 'OpenFlow13', 'parse-group', text]).split('\n').find((l) => l.startsWith(' ADD'))!;
      const g = parseGroup(text, { command: 'add' });
      if (isParseError(g)) throw new Error(g.message);
      const ours = printed({ type: 'group_mod', xid: 1, command: g.command, groupType: g.type, groupId: g.groupId, buckets: g.buckets });
      expect(ours.split('\n').find((l) => l.startsWith(' ADD'))).toBe(theirs);
      expect(theirs).toBe(` ADD ${formatGroup(g)}`);
    });
  }
});

need.describe('formatMeter and formatFlow print what ovs-ofctl prints', () => {
  for (const text of METERS) {
    it(text, () => {
      const mm = parseMeter(text, { command: 'add' });
      if (isParseError(mm)) throw new Error(mm.message);
      expect(printed({ type: 'meter_mod', xid: 1, ...mm })).toContain(`ADD ${formatMeter(mm)}\n`);
    });
  }
  it('dump-flows lines for every flow above', () => {
    const flows = FLOWS.map((text, i) => {
      const fm = parseFlow(text, { command: 'add' });
      if (isParseError(fm)) throw new Error(fm.message);
      return {
        tableId: fm.tableId, durationSec: i, durationNsec: [0, 234_000_000, 34, 500][i % 4]!, priority: fm.priority,
        idleTimeout: fm.idleTimeout, hardTimeout: fm.hardTimeout, flags: fm.flags, cookie: fm.cookie,
        packetCount: BigInt(i * 3), byteCount: BigInt(i * 300), match: fm.match, instructions: fm.instructions,
      };
    });
    const out = printed({ type: 'multipart_reply', xid: 1, flags: 0, body: { kind: 'flow', flows } });
    const lines = out.split('\n').filter((l) => l.startsWith(' cookie='));
    expect(lines).toEqual(flows.map(formatFlow));
  });
});
