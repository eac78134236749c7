// Table statistics in the datapath (OF1.3.5 §7.3.5.4 ofp_table_stats): lookup_count counts
// every packet looked up in a table, hit or miss; matched_count only the hits. A packet
// that misses a table without a table-miss entry is dropped and still counts; a cached
// decision replays its lookups exactly as the pipeline made them, so a bridge with the flow
// cache and one without report the same numbers.
import { describe, expect, it } from 'vitest';
import { OFPP_CONTROLLER, OFPP_TABLE } from '../../src/pipeline/types.js';
import { apply, fm, goto, oxm, out } from './pipeline-helpers.js';
import { ipFrame, rig } from './datapath-helpers.js';

const udp = (dport: number, src = 1) => ipFrame({ dport, srcIp: 0x0a000000 + src });
const udpTo = (d: number) => [oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('udp_dst', d)];

describe('table stats count every lookup, on cache hits and misses alike', () => {
  for (const flowCache of [true, false]) {
    it(`flow cache ${flowCache ? 'on' : 'off'}`, () => {
      const r = rig(2, { flowCache });
      const b = r.bridge;
      const stats = (t: number) => ({ ...b.pipeline.tableCounters(t) });
      b.flowMod(fm({ match: udpTo(1), instructions: [apply(out(2))] }));
      b.flowMod(fm({ match: udpTo(2), instructions: [goto(1)] }));
      b.flowMod(fm({ tableId: 1, match: [oxm('eth_type', 0x0800), oxm('ipv4_src', 0x0a000001)], instructions: [apply(out(2))] }));

      // table 0 misses (no table-miss entry): dropped, counted, 3 times (1 decide + 2 cached)
      r.send(1, udp(9), udp(9), udp(9));
      expect(stats(0)).toEqual({ lookupCount: 3, matchedCount: 0 });
      expect(r.take(2)).toEqual([]);
      // table 0 hits
      r.send(1, udp(1), udp(1));
      expect(stats(0)).toEqual({ lookupCount: 5, matchedCount: 2 });
      // goto: table 1 hits for 10.0.0.1, misses for 10.0.0.3
      r.send(1, udp(2, 1), udp(2, 3), udp(2, 3), udp(2, 1), udp(2, 3));
      expect(stats(0)).toEqual({ lookupCount: 10, matchedCount: 7 });
      expect(stats(1)).toEqual({ lookupCount: 5, matchedCount: 2 });
      expect(stats(2)).toEqual({ lookupCount: 0, matchedCount: 0 });
      expect(r.take(2)).toHaveLength(4);
      // packet-out output:TABLE (§7.3.7): its lookups count, hit or miss
      expect(b.packetOut(OFPP_CONTROLLER, [out(OFPP_TABLE)], udp(9))).toBeNull();
      expect(b.packetOut(OFPP_CONTROLLER, [out(OFPP_TABLE)], udp(2, 3))).toBeNull();
      expect(stats(0)).toEqual({ lookupCount: 12, matchedCount: 8 });
      expect(stats(1)).toEqual({ lookupCount: 6, matchedCount: 2 });
      // a packet-out that does not go to the tables looks nothing up
      expect(b.packetOut(OFPP_CONTROLLER, [out(2)], udp(9))).toBeNull();
      expect(stats(0)).toEqual({ lookupCount: 12, matchedCount: 8 });
      const c = b.cacheStats();
      if (flowCache) expect(c.hits).toBeGreaterThanOrEqual(6);
      else expect(c.hits).toBe(0);
      b.stop();
    });
  }
});
