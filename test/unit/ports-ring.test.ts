/** The AF_PACKET receive ring's size: the spec option ring=SIZE, `sluice start --ring-size`, and the geometry; `--flow-cache-entries`. */
import { describe, it, expect } from 'vitest';
import { DEFAULT_RING_BYTES, RING_FRAME_BYTES, parseRingSize, ringGeometry, type AfPacketPort } from '../../src/ports/afpacket.js';
import { createPort } from '../../src/ports/spec.js';
import { planStart } from '../../src/cli/start-options.js';

const msg = (v: unknown) => (v instanceof Error ? v.message : `not an error: ${JSON.stringify(v)}`);
const ringOf = (p: unknown) => (p as AfPacketPort).options.ringBytes;

describe('ring size', () => {
  it('parses powers of two from 256k to 1g', () => {
    expect(parseRingSize('256k')).toBe(256 << 10);
    expect(parseRingSize('1m')).toBe(1 << 20);
    expect(parseRingSize('64M')).toBe(DEFAULT_RING_BYTES);
    expect(parseRingSize('1g')).toBe(1 << 30);
    expect(parseRingSize('524288')).toBe(512 << 10);
    for (const bad of ['128k', '300k', '2g', 'm', '1.5m', '-1m', '']) expect(parseRingSize(bad), bad).toBeUndefined();
  });

  it('keeps 1 MiB blocks from 2 MiB up, two blocks below; 2 KiB slots at every size (bytes / 2,048 frames)', () => {
    expect(ringGeometry(16 << 20)).toEqual({ blockSize: 1 << 20, blockCount: 16 });
    expect(ringGeometry(2 << 20)).toEqual({ blockSize: 1 << 20, blockCount: 2 });
    expect(ringGeometry(1 << 20)).toEqual({ blockSize: 512 << 10, blockCount: 2 });
    expect(ringGeometry(256 << 10)).toEqual({ blockSize: 128 << 10, blockCount: 2 });
    for (const b of [256 << 10, 512 << 10, 1 << 20, 64 << 20]) {
      const g = ringGeometry(b);
      expect(g.blockSize % RING_FRAME_BYTES).toBe(0);
      expect(g.blockSize * g.blockCount).toBe(b);
    }
    expect((256 << 10) / RING_FRAME_BYTES).toBe(128); // the Mininet default's frames
  });

  it('is a port spec option of afpacket ports, over the daemon default', () => {
    expect(ringOf(createPort('afpacket:s1-eth1,ring=512k'))).toBe(512 << 10);
    expect(ringOf(createPort('afpacket:s1-eth1,v3,ring=1m', { ringBytes: 4 << 20 }))).toBe(1 << 20);
    expect(ringOf(createPort('s1-eth1', { ringBytes: 4 << 20 }))).toBe(4 << 20);
    expect(ringOf(createPort('s1-eth1'))).toBeUndefined();
    expect(msg(createPort('afpacket:s1-eth1,ring=3m'))).toBe('port "afpacket:s1-eth1,ring=3m": ring=3m: expected a power of two from 256k to 1g (bytes; suffixes k, m, g)');
    expect(msg(createPort('tap:vm1,ring=1m'))).toBe('port "tap:vm1,ring=1m": unknown option "ring=1m"');
  });

  it('is a daemon flag, --ring-size, checked in one line', () => {
    const plan = planStart({ ringSize: '1m', db: '/tmp/x.json' });
    expect(plan instanceof Error ? plan.message : plan.ringBytes).toBe(1 << 20);
    expect(msg(planStart({ ringSize: '3m', db: '/tmp/x.json' }))).toBe('--ring-size "3m": expected a power of two from 256k to 1g (bytes; suffixes k, m, g)');
  });

  it('--flow-cache-entries sizes every bridge\'s flow cache (the other per-bridge memory of a fabric)', () => {
    const plan = planStart({ flowCacheEntries: '4096', db: '/tmp/x.json' });
    expect(plan instanceof Error ? plan.message : plan.cacheEntries).toBe(4096);
    for (const bad of ['4000', '32', '8388608', 'x']) {
      expect(msg(planStart({ flowCacheEntries: bad, db: '/tmp/x.json' }))).toBe(`--flow-cache-entries "${bad}": expected a power of two from 64 to 4194304 (default 65536)`);
    }
  });
});
