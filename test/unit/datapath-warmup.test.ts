import { describe, expect, it } from 'vitest';
import { Bridge } from '../../src/datapath/bridge.js';
import { MemoryPort } from '../../src/ports/memory.js';
import * as warm from '../../src/datapath/warmup.js';

describe('JIT warm-up at the first bridge start', () => {
  it('runs once, forwards through its own bridge and leaves the real one untouched', () => {
    expect(warm.warmUpForwarded).toBe(0);
    const [a, b] = MemoryPort.pair('wa', 'wb');
    const c = new MemoryPort('wc');
    const br = new Bridge({ name: 'w0', failMode: 'standalone', localPort: false, ports: [{ spec: 'memory:wa', port: a }, { spec: 'memory:wc', port: c }] });
    br.start();
    expect(warm.warmUpForwarded).toBeGreaterThan(10_000);
    for (const p of br.ports()) expect(p.stats).toMatchObject({ rxPackets: 0, txPackets: 0, rxDropped: 0, txDropped: 0 });
    expect(br.cacheStats()).toEqual({ hits: 0, misses: 0, entries: 0, uncacheable: 0 });
    expect([...br.macTable().entries()]).toEqual([]);
    expect(br.pipeline.tableCounters(0)).toEqual({ lookupCount: 0, matchedCount: 0 });
    const before = warm.warmUpForwarded;
    const br2 = new Bridge({ name: 'w1', failMode: 'secure', localPort: false, ports: [] });
    br2.start();
    expect(warm.warmUpForwarded).toBe(before); // not again
    br.stop();
    br2.stop();
    void b;
  });
});
