import { describe, expect, it } from 'vitest';
import { MacLearningTable, isGroupMac, macFromString, macToString } from '../../src/datapath/mac-learning.js';

const A = macFromString('02:00:00:00:00:0a');
const B = macFromString('02:00:00:00:00:0b');

describe('MAC learning table', () => {
  it('learns, looks up per VLAN and ages out after the aging time', () => {
    const t = new MacLearningTable(300_000, 100);
    t.learn(10, A, 1, 0);
    expect(t.lookup(10, A, 1000)).toBe(1);
    expect(t.lookup(20, A, 1000)).toBe(-1);
    expect(t.lookup(10, A, 299_999)).toBe(1);
    expect(t.lookup(10, A, 300_000)).toBe(-1);
    expect(t.expire(300_000)).toBe(1);
    expect(t.size).toBe(0);
  });

  it('moves an address to its new port and bumps the version only on real changes', () => {
    const t = new MacLearningTable();
    t.learn(0, A, 1, 0);
    const v = t.version;
    t.learn(0, A, 1, 10);
    expect(t.version).toBe(v);
    t.learn(0, A, 2, 20);
    expect(t.version).toBe(v + 1);
    expect(t.lookup(0, A, 30)).toBe(2);
  });

  it('never learns group addresses', () => {
    const t = new MacLearningTable();
    expect(isGroupMac(macFromString('01:00:5e:00:00:01'))).toBe(true);
    expect(isGroupMac(macFromString('ff:ff:ff:ff:ff:ff'))).toBe(true);
    expect(isGroupMac(A)).toBe(false);
    expect(t.learn(0, macFromString('01:00:5e:00:00:01'), 1, 0)).toBeNull();
    expect(t.size).toBe(0);
  });

  it('stays bounded under a flood of new addresses from one port, evicting that port\'s least recently seen (OVS: fairly)', () => {
    const t = new MacLearningTable(300_000, 64);
    t.learn(0, A, 1, 0);
    t.learn(0, B, 2, 0);
    for (let i = 0; i < 10_000; i++) {
      t.learn(0, A, 1, 5000 + i); // A keeps talking
      t.learn(0, 0x020000100000 + i, 3, 5000 + i);
    }
    expect(t.size).toBe(64);
    expect(t.lookup(0, A, 20_000)).toBe(1);
    // B is idle but on a port with one address: the flooding port pays for its own flood
    expect(t.lookup(0, B, 20_000)).toBe(2);
    expect(t.lookup(0, 0x020000100000 + 9999, 20_000)).toBe(3);
    expect(t.lookup(0, 0x020000100000, 20_000)).toBe(-1);
    expect([...t.entries()].filter((e) => e.port === 3).length).toBe(62);
  });

  it('between equally loaded ports, evicts the least recently seen of one; a moved address moves its slot', () => {
    const t = new MacLearningTable(300_000, 4);
    t.learn(0, 0x020000000001, 1, 0);
    t.learn(0, 0x020000000002, 2, 0);
    t.learn(0, 0x020000000003, 1, 0);
    t.learn(0, 0x020000000004, 2, 0);
    t.learn(0, 0x020000000001, 2, 2000); // moves to port 2: port 2 now holds 3
    t.learn(0, 0x020000000005, 3, 3000); // evicts port 2's oldest, ...02
    expect(t.size).toBe(4);
    expect(t.lookup(0, 0x020000000002, 3000)).toBe(-1);
    expect(t.lookup(0, 0x020000000001, 3000)).toBe(2);
    t.flushPort(2);
    expect(t.size).toBe(2);
    expect([...t.entries()].map((e) => e.port).sort()).toEqual([1, 3]);
  });

  it('flushes the addresses of a port', () => {
    const t = new MacLearningTable();
    t.learn(0, A, 1, 0);
    t.learn(5, B, 1, 0);
    t.learn(0, B, 2, 0);
    t.flushPort(1);
    expect(t.size).toBe(1);
    expect(t.lookup(0, B, 1)).toBe(2);
  });

  it('formats and parses MAC addresses', () => {
    expect(macToString(macFromString('aa:BB:0c:00:10:ff'))).toBe('aa:bb:0c:00:10:ff');
    expect(() => macFromString('aa:bb')).toThrow(/not a MAC address/);
  });
});
