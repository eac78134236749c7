import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { configToJson, validateConfig, type BridgeSetting, type DaemonConfig } from '../../src/control/config.js';
import type { PortSetting } from '../../src/control/port-option.js';
import { mulberry32 } from './prng.js';

const msg = (v: unknown): string => (v instanceof Error ? v.message : 'no error');

describe('validateConfig: many bridges', () => {
  it('accepts zero and several bridges, in order', () => {
    expect(validateConfig({ bridges: [] })).toEqual({ bridges: [] });
    const c = validateConfig({ bridges: [{ name: 'br0' }, { name: 'br1', failMode: 'secure', ports: ['veth-x'] }] });
    if (c instanceof Error) throw c;
    expect(c.bridges.map((b) => [b.name, b.failMode, b.ports.length])).toEqual([['br0', 'standalone', 0], ['br1', 'secure', 1]]);
  });
  it('refuses a bridge name given twice, naming the second', () => {
    const b = (name: string) => ({ name });
    expect(msg(validateConfig({ bridges: [b('br0'), b('a'), b('b'), b('br0')] }))).toBe('bridges[3].name: bridge br0 appears twice');
  });
  it('still needs a bridges array and reports errors in later bridges by index', () => {
    expect(msg(validateConfig({}))).toMatch(/^bridges: expected an array/);
    expect(msg(validateConfig({ bridges: {} }))).toMatch(/^bridges: expected an array/);
    expect(msg(validateConfig({ bridges: [{ name: 'a' }, { name: 'b', failMode: 'x' }] }))).toBe('bridges[1].failMode: expected "standalone" or "secure"');
  });
  it('accepts a capture file name with @ in object form but not an @option', () => {
    const c = validateConfig({ bridges: [{ name: 'b', ports: [{ spec: 'pcap:in=/tmp/a@b.pcap' }] }] });
    expect(c instanceof Error ? c.message : c.bridges[0]!.ports[0]!.spec).toBe('pcap:in=/tmp/a@b.pcap');
    expect(msg(validateConfig({ bridges: [{ name: 'b', ports: [{ spec: 'veth-a@ofport=3' }] }] }))).toMatch(/^bridges\[0\]\.ports\[0\]\.spec: expected a port spec string without @options/);
  });
  it('keeps a message one line and short whatever the value holds (found by the db fuzzer)', () => {
    expect(msg(validateConfig({ bridges: [{ name: '\nbr1' }] }))).toBe('bridges[0].name: bridge name "\\nbr1" must be 1 to 15 letters, digits, _ . -');
    expect(msg(validateConfig({ bridges: [{ name: 'b', ports: ['veth@ofport=\n1'] }] }))).toBe('bridges[0].ports[0]: port "veth@ofport=\\n1": ofport "\\n1" is not a number from 1 to 4294967040');
    expect(msg(validateConfig({ bridges: [{ name: 'x'.repeat(100) }] }))).toBe(`bridges[0].name: bridge name "${'x'.repeat(64)}…" must be 1 to 15 letters, digits, _ . -`);
  });
});

describe('validateConfig: protocols (OVS bridge protocols column)', () => {
  it('reads the names as versions and writes them back', () => {
    const c = validateConfig({ bridges: [{ name: 'br0', protocols: ['OpenFlow13', 'OpenFlow10'] }] });
    if (c instanceof Error) throw c;
    expect(c.bridges[0]!.protocols).toEqual([1, 4]);
    expect(configToJson(c).bridges[0]!.protocols).toEqual(['OpenFlow10', 'OpenFlow13']);
  });
  it('names a bad value', () => {
    const bad = (v: unknown) => { const c = validateConfig({ bridges: [{ name: 'br0', protocols: v }] }); return c instanceof Error ? c.message : 'accepted'; };
    expect(bad('OpenFlow13')).toBe('bridges[0].protocols: expected an array of "OpenFlow10", "OpenFlow13", "OpenFlow14", "OpenFlow15"');
    expect(bad(['OpenFlow12'])).toBe('bridges[0].protocols: protocol "OpenFlow12": expected OpenFlow10, OpenFlow13, OpenFlow14, OpenFlow15');
    expect(bad([])).toBe('bridges[0].protocols: protocols: at least one of OpenFlow10, OpenFlow13, OpenFlow14, OpenFlow15');
  });
});

describe('validateConfig: limits (OVS other_config flow-limit, mac-table-size, mac-aging-time)', () => {
  it('takes the limits per bridge and leaves them out when absent (the defaults)', () => {
    const c = validateConfig({ bridges: [{ name: 'br0', flowLimit: 100, macTableSize: 1000, macAgingTime: 15 }, { name: 'br1' }] });
    if (c instanceof Error) throw c;
    expect(c.bridges[0]).toMatchObject({ flowLimit: 100, macTableSize: 1000, macAgingTime: 15 });
    expect(c.bridges[1]).toEqual({ name: 'br1', failMode: 'standalone', ports: [] });
    expect(configToJson(c).bridges[0]).toMatchObject({ flowLimit: 100, macTableSize: 1000, macAgingTime: 15 });
  });
  it('names the key and the range of a bad limit', () => {
    const bad = (b: Record<string, unknown>) => {
      const c = validateConfig({ bridges: [{ name: 'br0', ...b }] });
      return c instanceof Error ? c.message : 'accepted';
    };
    expect(bad({ flowLimit: 0 })).toBe('bridges[0].flowLimit: expected an integer 1..4294967295 (rules per flow table, default 1000000)');
    expect(bad({ flowLimit: '100' })).toMatch(/^bridges\[0\]\.flowLimit: expected an integer/);
    expect(bad({ macTableSize: 1.5 })).toBe('bridges[0].macTableSize: expected an integer 1..16777216 (MAC addresses, default 8192)');
    expect(bad({ macAgingTime: -1 })).toBe('bridges[0].macAgingTime: expected an integer 1..1000000 (seconds, default 300)');
    expect(bad({ busyPoll: -1 })).toBe('bridges[0].busyPoll: expected an integer 0..1000000 (microseconds of polling after traffic, 0 = off, default 200)');
  });
  it('takes workers as a number or "auto" and keeps the count through the db', () => {
    const c = validateConfig({ bridges: [{ name: 'br0', workers: 2 }, { name: 'br1', workers: 'auto' }] });
    if (c instanceof Error) throw c;
    expect(c.bridges.map((b) => b.workers)).toEqual([2, Math.min(64, availableParallelism())]);
    expect(configToJson(c).bridges[0]).toMatchObject({ workers: 2 });
    const bad = validateConfig({ bridges: [{ name: 'br0', workers: 'many' }] });
    expect(bad instanceof Error ? bad.message : 'accepted').toBe('bridges[0].workers: expected an integer 1..64 (datapath threads, or auto: one per core, default 1)');
  });
  it('takes a busy-poll window of 0 (off) and keeps it through the db', () => {
    const c = validateConfig({ bridges: [{ name: 'br0', busyPoll: 0 }, { name: 'br1', busyPoll: 5000 }] });
    if (c instanceof Error) throw c;
    expect(c.bridges.map((b) => b.busyPoll)).toEqual([0, 5000]);
    expect(configToJson(c).bridges.map((b) => b.busyPoll)).toEqual([0, 5000]);
  });
});

describe('configToJson', () => {
  it('writes dpid as 0x + 16 hex digits and ports as objects', () => {
    const c = validateConfig({ bridges: [{ name: 'br0', dpid: 'a1', ports: ['veth-a@ofport=5,vlan=access:10', 'tap:vm1@vlan=trunk:10,20-21'], controllers: ['tcp:127.0.0.1'] }] });
    if (c instanceof Error) throw c;
    expect(configToJson(c)).toEqual({
      bridges: [{
        name: 'br0', dpid: '0x00000000000000a1', failMode: 'standalone',
        ports: [{ spec: 'veth-a', ofport: 5, vlanMode: 'access', tag: 10 }, { spec: 'tap:vm1', vlanMode: 'trunk', trunks: [10, 20, 21] }],
        controllers: ['tcp:127.0.0.1'],
      }],
    });
  });
  it('round-trips through JSON text and validateConfig (seeded generated configs)', () => {
    const rnd = mulberry32(5);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const specs = ['veth-a', 'veth-b', 'tap:vm1', 'afpacket:eth1', 'memory:m1', 'pcap:in=/tmp/x@y.pcap'];
    for (let n = 0; n < 40; n++) {
      const bridges: BridgeSetting[] = [];
      const nb = Math.floor(rnd() * 4);
      for (let i = 0; i < nb; i++) {
        const ports: PortSetting[] = [];
        const np = Math.floor(rnd() * 4);
        for (let j = 0; j < np; j++) {
          const p: PortSetting = { spec: pick(specs) };
          if (rnd() < 0.5) p.ofport = j + 1 + Math.floor(rnd() * 3) * 10;
          const mode = pick(['none', 'access', 'trunk'] as const);
          if (mode === 'access') Object.assign(p, { vlanMode: 'access', tag: Math.floor(rnd() * 4096) });
          if (mode === 'trunk') Object.assign(p, { vlanMode: 'trunk', trunks: rnd() < 0.3 ? [] : [1, Math.floor(rnd() * 4095) + 2] });
          ports.push(p);
        }
        const b: BridgeSetting = { name: `br${i}-${n}`, failMode: pick(['standalone', 'secure'] as const), ports };
        if (rnd() < 0.5) b.dpid = BigInt(Math.floor(rnd() * 2 ** 32)) << BigInt(Math.floor(rnd() * 32));
        if (rnd() < 0.5) b.flowCache = rnd() < 0.5;
        if (rnd() < 0.5) b.controllers = ['tcp:127.0.0.1:6653', 'unix:/tmp/c.sock'].slice(0, 1 + Math.floor(rnd() * 2));
        if (rnd() < 0.5) b.listen = ['ptcp:6634'];
        if (rnd() < 0.3) b.flowLimit = 1 + Math.floor(rnd() * 2_000_000);
        if (rnd() < 0.3) b.macTableSize = 1 + Math.floor(rnd() * 100_000);
        if (rnd() < 0.3) b.macAgingTime = 1 + Math.floor(rnd() * 3600);
        bridges.push(b);
      }
      const c: DaemonConfig = { bridges };
      const back = validateConfig(JSON.parse(JSON.stringify(configToJson(c))));
      expect(back).toEqual(c);
    }
  });
  it('keeps the full 64-bit dpid range', () => {
    const c: DaemonConfig = { bridges: [{ name: 'b', failMode: 'secure', ports: [], dpid: 0xffffffffffffffffn }] };
    expect(configToJson(c).bridges[0]!.dpid).toBe('0xffffffffffffffff');
    expect(validateConfig(configToJson(c))).toEqual(c);
  });
});
