// Table statistics (OF1.3.5 §7.3.5.4, ofp_table_stats) as a controller reads them: every
// packet counts in lookup_count of every table it visited, hit or miss, whichever path
// decided it (the pipeline on a flow's first packet, the flow cache after, a packet-out's
// output:TABLE); matched_count counts only the packets that hit an entry. The stats are
// read with Open vSwitch's `ovs-ofctl -O OpenFlow13 dump-tables` over TCP, compared
// exactly, and against /metrics (renderMetrics reads the same counters).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../tools.js';
import { renderMetrics } from '../../src/control/metrics.js';
import { OfctlLab } from './ofctl-lab.js';
import { ipFrame } from '../unit/datapath-helpers.js';
import { parseExposition, valueOf } from '../unit/metrics-parse.js';

const need = needs('ovs-ofctl');

type Stats = Map<number, { active: number; lookup: number; matched: number }>;

/** dump-tables output → per-table stats; "tables A...B: ditto" repeats the table before. */
function parseTables(out: string): Stats {
  const m = new Map<number, { active: number; lookup: number; matched: number }>();
  let last: { active: number; lookup: number; matched: number } | null = null;
  const re = /table (\d+):\s+active=(\d+), lookup=(\d+), matched=(\d+)|tables (\d+)\.\.\.(\d+): ditto/g;
  for (const x of out.matchAll(re)) {
    if (x[1] !== undefined) {
      last = { active: Number(x[2]), lookup: Number(x[3]), matched: Number(x[4]) };
      m.set(Number(x[1]), last);
    } else if (last !== null) {
      for (let t = Number(x[5]); t <= Number(x[6]); t++) m.set(t, last);
    }
  }
  return m;
}

const hex = (f: Uint8Array) => Buffer.from(f).toString('hex');
// UDP 10.0.0.<src> → 10.0.0.2:<dport>
const udp = (dport: number, src = 1) => ipFrame({ dport, srcIp: 0x0a000000 + src });

need.describe('table stats count every lookup (OF1.3.5 §7.3.5.4), read with ovs-ofctl dump-tables', () => {
  const lab = new OfctlLab('br-tstats', { failMode: 'secure', dpid: 0x7ab1en, ports: 2 });
  const [p1] = lab.pairs[0]!;
  const [, h2] = lab.pairs[1]!;
  const ofctl = (verb: string, ...args: string[]) => lab.ofctl(verb, ...args);
  const expected = new Map<number, { lookup: number; matched: number }>();
  const count = (table: number, hit: boolean, n = 1) => {
    const c = expected.get(table) ?? { lookup: 0, matched: 0 };
    c.lookup += n;
    if (hit) c.matched += n;
    expected.set(table, c);
  };
  const send = (...frames: Uint8Array[]) => {
    for (const f of frames) expect(p1.inject(f)).toBe(true);
    lab.bridge.poll();
  };
  const received = () => {
    let n = 0;
    for (let c = h2.rxBurst(); c > 0; c = h2.rxBurst()) n += c;
    return n;
  };
  /** dump-tables equals `expected` for every table (the others: 0 / 0). */
  const check = async () => {
    const got = parseTables(await ofctl('dump-tables'));
    expect(got.size).toBe(255);
    for (const [t, s] of got) {
      const want = expected.get(t) ?? { lookup: 0, matched: 0 };
      expect({ table: t, lookup: s.lookup, matched: s.matched }).toEqual({ table: t, ...want });
    }
    // /metrics: the same counters, for the tables that were looked up or hold rules.
    const e = parseExposition(renderMetrics([{ name: 'br-tstats', bridge: lab.bridge, openflow: lab.svc }]));
    for (const [t, want] of expected) {
      expect(valueOf(e, 'sluice_table_lookups_total', { bridge: 'br-tstats', table: String(t) })).toBe(want.lookup);
      expect(valueOf(e, 'sluice_table_matches_total', { bridge: 'br-tstats', table: String(t) })).toBe(want.matched);
    }
  };

  beforeAll(() => lab.start());
  afterAll(() => lab.stop());

  it('an empty table: nothing looked up yet', async () => {
    await check();
  });

  it('a miss in table 0 with no table-miss entry is dropped and counts one lookup, no match (first packet and cached)', async () => {
    const before = lab.bridge.cacheStats();
    send(udp(9));
    send(udp(9), udp(9));
    count(0, false, 3);
    expect(received()).toBe(0);
    const after = lab.bridge.cacheStats();
    expect(after.misses - before.misses).toBe(1); // the first packet went to the pipeline
    expect(after.hits - before.hits).toBe(2); // the others replayed the cached drop
    await check();
  });

  it('hits in table 0 count lookup and match', async () => {
    expect(await ofctl('add-flow', 'table=0,priority=10,udp,tp_dst=1,actions=output:2')).toBe('');
    send(udp(1), udp(1), udp(9));
    count(0, true, 2);
    count(0, false, 1);
    expect(received()).toBe(2);
    await check();
  });

  it('a goto chain: hit in table 0, then a hit or a miss in table 1, and table 2 looked up only when reached', async () => {
    for (const f of [
      'table=0,priority=20,udp,tp_dst=2,actions=goto_table:1',
      'table=1,priority=10,udp,nw_src=10.0.0.1,actions=goto_table:2',
      'table=2,priority=10,udp,nw_src=10.0.0.1,tp_src=1000,actions=output:2',
    ]) expect(await ofctl('add-flow', f)).toBe('');
    const before = lab.bridge.cacheStats();
    // 10.0.0.1: tables 0, 1, 2 hit, output. 10.0.0.3: table 0 hit, table 1 misses, dropped.
    send(udp(2, 1), udp(2, 3), udp(2, 1));
    send(udp(2, 3), udp(2, 3), udp(2, 1));
    count(0, true, 6);
    count(1, true, 3);
    count(1, false, 3);
    count(2, true, 3);
    expect(received()).toBe(3);
    const after = lab.bridge.cacheStats();
    expect(after.misses - before.misses).toBe(2);
    expect(after.hits - before.hits).toBe(4);
    await check();
  });

  it('a miss in the last table of a chain (table 2) counts there too', async () => {
    const f = ipFrame({ dport: 2, srcIp: 0x0a000001, sport: 7 }); // tp_src 7: table 2 misses
    send(f, f);
    count(0, true, 2);
    count(1, true, 2);
    count(2, false, 2);
    expect(received()).toBe(0);
    await check();
  });

  it('packet-out with output:TABLE counts its lookups, hit or miss', async () => {
    expect(await ofctl('packet-out', 'controller', 'table', hex(udp(9)))).toBe('');
    count(0, false);
    expect(await ofctl('packet-out', 'controller', 'table', hex(udp(2, 3)))).toBe('');
    count(0, true);
    count(1, false);
    expect(await ofctl('packet-out', 'controller', 'table', hex(udp(1)))).toBe('');
    count(0, true);
    expect(received()).toBe(1);
    // a packet-out that does not go through the tables looks nothing up
    expect(await ofctl('packet-out', 'controller', 'output:2', hex(udp(9)))).toBe('');
    expect(received()).toBe(1);
    await check();
  });

  it('a table-miss entry is an entry: its packets count as matched', async () => {
    expect(await ofctl('add-flow', 'table=1,priority=0,actions=drop')).toBe('');
    send(udp(2, 3), udp(2, 3));
    count(0, true, 2);
    count(1, true, 2);
    await check();
  });
});
