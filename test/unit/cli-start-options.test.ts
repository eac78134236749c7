import { availableParallelism } from 'node:os';
import { describe, it, expect } from 'vitest';
import { parsePortOption } from '../../src/control/port-option.js';
import { loadConfigFile, parseDpid, validateConfig } from '../../src/control/config.js';
import { createLogger } from '../../src/control/log.js';
import { mergeBridges, planStart } from '../../src/cli/start-options.js';
import { SluiceError } from '../../src/ports/errors.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const msg = (v: unknown) => (v instanceof Error ? v.message : 'not an error');

describe('port option syntax', () => {
  it('takes a bare spec', () => {
    expect(parsePortOption('veth-a')).toEqual({ spec: 'veth-a' });
    expect(parsePortOption('tap:vm1,novnet')).toEqual({ spec: 'tap:vm1,novnet' });
  });
  it('parses ofport and access VLAN', () => {
    expect(parsePortOption('veth-a@ofport=5,vlan=access:10')).toEqual({ spec: 'veth-a', ofport: 5, vlanMode: 'access', tag: 10 });
  });
  it('parses trunk lists with commas and ranges, and trunk of all VLANs', () => {
    expect(parsePortOption('tap:vm1@vlan=trunk:10,20,30-32,ofport=2')).toEqual({ spec: 'tap:vm1', ofport: 2, vlanMode: 'trunk', trunks: [10, 20, 30, 31, 32] });
    expect(parsePortOption('veth-b@vlan=trunk')).toEqual({ spec: 'veth-b', vlanMode: 'trunk', trunks: [] });
  });
  it('keeps an @ inside a capture file name', () => {
    expect(parsePortOption('pcap:in=/tmp/a@b.pcap')).toEqual({ spec: 'pcap:in=/tmp/a@b.pcap' });
  });
  it('names the offending part', () => {
    expect(msg(parsePortOption('veth@ofport=0'))).toMatch(/ofport "0" is not a number from 1/);
    expect(msg(parsePortOption('veth@vlan=access:4096'))).toMatch(/vlan=access needs one VLAN id/);
    expect(msg(parsePortOption('veth@vlan=trunk:10,x'))).toMatch(/"x" is not an option/);
    expect(msg(parsePortOption('veth@vlan=access:1,9'))).toMatch(/"9" is not an option/);
    expect(msg(parsePortOption('veth@vlan=hybrid:1'))).toMatch(/vlan mode "hybrid"/);
    expect(msg(parsePortOption('veth@ofport=1,ofport=2'))).toMatch(/ofport given twice/);
    expect(msg(parsePortOption('veth@ofport=1,speed=9'))).toMatch(/"speed=9" is not|unknown option "speed"/);
    expect(msg(parsePortOption('bogus:x'))).toMatch(/unknown port kind "bogus"/);
    expect(msg(parsePortOption('a-name-much-too-long'))).toMatch(/1 to 15 characters/);
  });
});

describe('dpid', () => {
  it('accepts hex with or without 0x and colon bytes', () => {
    expect(parseDpid('0x1a')).toBe(0x1an);
    expect(parseDpid('00000000000000ff')).toBe(0xffn);
    expect(parseDpid('00:00:00:00:00:00:01:02')).toBe(0x102n);
    expect(parseDpid('0x1ffffffffffffffff')).toBeUndefined();
    expect(parseDpid('xyz')).toBeUndefined();
    expect(parseDpid('')).toBeUndefined();
  });
});

describe('config file', () => {
  const good = {
    bridges: [{ name: 'br0', dpid: '0xa1', failMode: 'secure', ports: ['veth-a@ofport=1', { spec: 'tap:vm1', vlanMode: 'trunk', trunks: [10, 20] }] }],
  };
  it('validates a good config', () => {
    const c = validateConfig(good);
    if (c instanceof Error) throw c;
    expect(c.bridges[0]).toEqual({
      name: 'br0', dpid: 0xa1n, failMode: 'secure',
      ports: [{ spec: 'veth-a', ofport: 1 }, { spec: 'tap:vm1', vlanMode: 'trunk', trunks: [10, 20] }],
    });
  });
  it('names the key path of a bad value', () => {
    const bad = (b: object) => msg(validateConfig({ bridges: [{ name: 'br0', ...b }] }));
    expect(bad({ ports: ['veth-a', { spec: 'veth-b', ofport: -1 }] })).toBe('bridges[0].ports[1].ofport: expected an integer 1..4294967040');
    expect(bad({ failMode: 'open' })).toBe('bridges[0].failMode: expected "standalone" or "secure"');
    expect(bad({ dpid: 12 })).toMatch(/^bridges\[0\]\.dpid: /);
    expect(bad({ ports: [{ spec: 'v', vlanMode: 'access' }] })).toMatch(/^bridges\[0\]\.ports\[0\]\.tag: /);
    expect(bad({ ports: [{ spec: 'v', tag: 3 }] })).toMatch(/^bridges\[0\]\.ports\[0\]\.tag: only for/);
    expect(bad({ ports: ['a@ofport=3', 'b@ofport=3'] })).toMatch(/both ask for ofport 3/);
    expect(bad({ colour: 'red' })).toBe('bridges[0].colour: unknown key');
    // any number of bridges (the daemon hosts many), each name once
    expect(validateConfig({ bridges: [] })).toEqual({ bridges: [] });
    expect(msg(validateConfig({ bridges: [{ name: 'b1' }, { name: 'b1' }] }))).toBe('bridges[1].name: bridge b1 appears twice');
    expect(msg(validateConfig([]))).toMatch(/JSON object/);
  });
  it('reports unreadable files and invalid JSON with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cfg-'));
    const f = join(dir, 'c.json');
    expect(msg(loadConfigFile(f))).toBe(`config ${f}: cannot read: ENOENT`);
    writeFileSync(f, '{ "bridges": [ }');
    expect(msg(loadConfigFile(f))).toMatch(new RegExp(`^config ${f}: invalid JSON: `));
    writeFileSync(f, JSON.stringify(good));
    expect(loadConfigFile(f)).not.toBeInstanceOf(Error);
  });
});

describe('sluice start flags', () => {
  it('builds the bridge from flags', () => {
    const p = planStart({ bridge: 'br0', port: ['veth-a', 'tap:vm1@vlan=access:10'], failMode: 'secure', dpid: '0x2', flowCache: false });
    if (p instanceof Error) throw p;
    expect(p.logLevel).toBe('info');
    expect(p.bridges[0]!).toEqual({ name: 'br0', dpid: 2n, failMode: 'secure', flowCache: false, ports: [{ spec: 'veth-a' }, { spec: 'tap:vm1', vlanMode: 'access', tag: 10 }] });
  });
  it('flags override the config file and add ports', () => {
    const load = () => ({ bridges: [{ name: 'brc', failMode: 'secure' as const, ports: [{ spec: 'veth-a', ofport: 1 }] }] });
    const p = planStart({ config: 'x.json', failMode: 'standalone', port: ['veth-b'] }, load);
    if (p instanceof Error) throw p;
    expect(p.bridges[0]!.name).toBe('brc');
    expect(p.bridges[0]!.failMode).toBe('standalone');
    expect(p.bridges[0]!.ports.map((x) => x.spec)).toEqual(['veth-a', 'veth-b']);
    expect(msg(planStart({ config: 'x.json', port: ['veth-b@ofport=1'] }, load))).toMatch(/both ask for ofport 1/);
  });
  it('takes the limits per bridge, over the config file\'s', () => {
    const p = planStart({ bridge: 'br0', flowLimit: '100', macTableSize: '1000', macAgingTime: '60' });
    if (p instanceof Error) throw p;
    expect(p.bridges[0]).toMatchObject({ flowLimit: 100, macTableSize: 1000, macAgingTime: 60 });
    const load = () => ({ bridges: [{ name: 'brc', failMode: 'secure' as const, ports: [], flowLimit: 5, macTableSize: 7 }] });
    const q = planStart({ config: 'x.json', macTableSize: '9' }, load);
    if (q instanceof Error) throw q;
    expect(q.bridges[0]).toMatchObject({ flowLimit: 5, macTableSize: 9 });
    expect(q.bridges[0]!.macAgingTime).toBeUndefined();
  });
  it('takes --protocols per bridge (OVS protocols column), over the config file\'s', () => {
    const p = planStart({ bridge: 'br0', protocols: 'OpenFlow13' });
    if (p instanceof Error) throw p;
    expect(p.bridges[0]!.protocols).toEqual([4]);
    const load = () => ({ bridges: [{ name: 'brc', failMode: 'secure' as const, ports: [], protocols: [1] }] });
    const q = planStart({ config: 'x.json', protocols: 'OpenFlow13,OpenFlow10' }, load);
    if (q instanceof Error) throw q;
    expect(q.bridges[0]!.protocols).toEqual([1, 4]);
    const r = planStart({ bridge: 'br0', protocols: 'OpenFlow14' });
    if (r instanceof Error) throw r;
    expect(r.bridges[0]!.protocols).toEqual([5]);
    expect(msg(planStart({ bridge: 'br0', protocols: 'OpenFlow16' }))).toBe('--protocols "OpenFlow16": protocol "OpenFlow16": expected OpenFlow10, OpenFlow13, OpenFlow14, OpenFlow15');
    expect(msg(planStart({ protocols: 'OpenFlow10' }))).toBe('missing --bridge NAME for --protocols');
  });
  it('names a bad limit in one line', () => {
    expect(msg(planStart({ bridge: 'br0', flowLimit: '0' }))).toBe('--flow-limit "0": expected an integer 1..4294967295 (rules per flow table, default 1000000)');
    expect(msg(planStart({ bridge: 'br0', macTableSize: 'x' }))).toBe('--mac-table-size "x": expected an integer 1..16777216 (MAC addresses, default 8192)');
    expect(msg(planStart({ bridge: 'br0', macAgingTime: '1e3' }))).toMatch(/^--mac-aging-time "1e3": expected an integer 1\.\.1000000/);
    expect(msg(planStart({ flowLimit: '10' }))).toBe('missing --bridge NAME for --flow-limit');
    expect(msg(planStart({ bridge: 'br0', busyPoll: '-1' }))).toMatch(/^--busy-poll "-1": expected an integer 0\.\.1000000 \(microseconds/);
    const p = planStart({ bridge: 'br0', busyPoll: '0' });
    if (p instanceof Error) throw p;
    expect(p.bridges[0]!.busyPoll).toBe(0);
  });
  it('takes --workers N or auto (one per core), and names a bad count in one line', () => {
    const n = planStart({ bridge: 'br0', workers: '2' });
    if (n instanceof Error) throw n;
    expect(n.bridges[0]!.workers).toBe(2);
    const auto = planStart({ bridge: 'br0', workers: 'auto' });
    if (auto instanceof Error) throw auto;
    expect(auto.bridges[0]!.workers).toBe(Math.min(64, availableParallelism()));
    expect(msg(planStart({ bridge: 'br0', workers: '0' }))).toBe('--workers "0": expected an integer 1..64 (datapath threads, or auto: one per core, default 1)');
    expect(msg(planStart({ workers: '2' }))).toBe('missing --bridge NAME for --workers');
  });
  it('names each bad flag', () => {
    expect(msg(planStart({ port: ['veth-a'] }))).toBe('missing --bridge NAME for --port');
    expect(msg(planStart({ metrics: 'nope' }))).toMatch(/^--metrics "nope": expected HOST:PORT/);
    expect(msg(planStart({ bridge: 'br0', dpid: 'zz' }))).toMatch(/^--dpid "zz"/);
    expect(msg(planStart({ bridge: 'br0', failMode: 'open' }))).toBe('--fail-mode "open": expected standalone or secure');
    expect(msg(planStart({ bridge: 'br0', logLevel: 'loud' }))).toMatch(/^--log-level "loud"/);
    expect(msg(planStart({ bridge: 'br0', port: ['x@vlan=access'] }))).toMatch(/^--port: port "x@vlan=access"/);
    expect(msg(planStart({ bridge: 'bad name' }))).toMatch(/^--bridge: bridge name/);
    expect(msg(planStart({ bridge: 'br0', config: 'c.json' }, () => new SluiceError('bad_config', 'config c.json: invalid JSON: x')))).toBe('config c.json: invalid JSON: x');
  });
});

describe('sluice start: db and flag bridges', () => {
  it('with no --bridge and no --config runs the db (default file), nothing else', () => {
    const p = planStart({});
    if (p instanceof Error) throw p;
    expect(p.bridges).toEqual([]);
    expect(p.db).toBe('/var/lib/sluice/conf.json');
    const q = planStart({ db: '/tmp/x/conf.json', metrics: '127.0.0.1:9108' });
    if (q instanceof Error) throw q;
    expect(q.db).toBe('/tmp/x/conf.json');
    expect(q.metrics).toBe('127.0.0.1:9108');
  });
  it('flag bridges persist nothing unless --db is given', () => {
    const p = planStart({ bridge: 'br0' });
    if (p instanceof Error) throw p;
    expect(p.db).toBeNull();
    const q = planStart({ bridge: 'br0', db: '/tmp/d.json' });
    if (q instanceof Error) throw q;
    expect(q.db).toBe('/tmp/d.json');
  });
  it('--bridge selects one of several config bridges, or adds one', () => {
    const load = () => ({ bridges: [{ name: 'b1', failMode: 'standalone' as const, ports: [] }, { name: 'b2', failMode: 'standalone' as const, ports: [] }] });
    const p = planStart({ config: 'x.json', bridge: 'b2', port: ['veth-a'] }, load);
    if (p instanceof Error) throw p;
    expect(p.bridges.map((b) => [b.name, b.ports.length])).toEqual([['b1', 0], ['b2', 1]]);
    const q = planStart({ config: 'x.json', bridge: 'b3' }, load);
    if (q instanceof Error) throw q;
    expect(q.bridges.map((b) => b.name)).toEqual(['b1', 'b2', 'b3']);
    expect(msg(planStart({ config: 'x.json', port: ['veth-a'] }, load))).toBe('--port needs --bridge NAME: the config names 2 bridges');
  });
  it('merges flag bridges into the db, replacing same-named ones', () => {
    const db = [{ name: 'b1', failMode: 'standalone' as const, ports: [{ spec: 'x' }] }, { name: 'b2', failMode: 'secure' as const, ports: [] }];
    const merged = mergeBridges(db, [{ name: 'b1', failMode: 'secure', ports: [] }, { name: 'b9', failMode: 'standalone', ports: [] }]);
    expect(merged.map((b) => [b.name, b.failMode, b.ports.length])).toEqual([['b2', 'secure', 0], ['b1', 'secure', 0], ['b9', 'standalone', 0]]);
  });
});

describe('sluice start OpenFlow flags', () => {
  it('collects controllers and listeners, with the default rundir', () => {
    const p = planStart({ bridge: 'br0', controller: ['tcp:127.0.0.1:6653', 'tcp:10.0.0.2'], listen: ['ptcp:6634', 'punix:/tmp/x.sock'] });
    if (p instanceof Error) throw p;
    expect(p.bridges[0]!.controllers).toEqual(['tcp:127.0.0.1:6653', 'tcp:10.0.0.2']);
    expect(p.bridges[0]!.listen).toEqual(['ptcp:6634', 'punix:/tmp/x.sock']);
    expect(p.rundir).toBe('/run/sluice');
    expect(p.tls).toBeUndefined();
  });
  it('adds flag targets to the config file ones', () => {
    const load = () => ({ bridges: [{ name: 'brc', failMode: 'secure' as const, ports: [], controllers: ['tcp:10.0.0.1'] }] });
    const p = planStart({ config: 'x.json', controller: ['tcp:10.0.0.2:6633'], rundir: '/tmp/rd' }, load);
    if (p instanceof Error) throw p;
    expect(p.bridges[0]!.controllers).toEqual(['tcp:10.0.0.1', 'tcp:10.0.0.2:6633']);
    expect(p.bridges[0]!.listen).toBeUndefined();
    expect(p.rundir).toBe('/tmp/rd');
  });
  it('names a bad target and the flag', () => {
    expect(msg(planStart({ bridge: 'br0', controller: ['tcp:nohost'] }))).toBe('--controller: tcp:nohost: "nohost" is not an IP address');
    expect(msg(planStart({ bridge: 'br0', controller: ['tcp:1.2.3.4:99999'] }))).toMatch(/^--controller: .*out of range/);
    expect(msg(planStart({ bridge: 'br0', controller: ['ptcp:6653'] }))).toMatch(/^--controller: "ptcp:6653" is not a controller/);
    expect(msg(planStart({ bridge: 'br0', listen: ['tcp:1.2.3.4'] }))).toMatch(/^--listen: "tcp:1.2.3.4" is not a listener/);
    expect(msg(planStart({ bridge: 'br0', listen: ['http:80'] }))).toMatch(/^--listen: .*unknown connection method "http"/);
    expect(msg(planStart({ bridge: 'br0', listen: ['punix:'] }))).toMatch(/^--listen: punix:: missing socket path/);
  });
  it('needs all three TLS files for ssl targets', () => {
    expect(msg(planStart({ bridge: 'br0', controller: ['ssl:10.0.0.1:6653'] }))).toMatch(/"ssl:10.0.0.1:6653" needs --ssl-key, --ssl-cert and --ssl-ca/);
    expect(msg(planStart({ bridge: 'br0', sslKey: 'k.pem' }))).toMatch(/go together/);
    expect(msg(planStart({ bridge: 'br0', controller: ['ssl:10.0.0.1'], sslKey: 'k', sslCert: 'c', sslCa: 'a' }))).toMatch(/ssl needs a port/);
    const p = planStart({ bridge: 'br0', controller: ['ssl:10.0.0.1:6653'], sslKey: 'k', sslCert: 'c', sslCa: 'a' });
    if (p instanceof Error) throw p;
    expect(p.tls).toEqual({ key: 'k', cert: 'c', ca: 'a' });
  });
  it('checks controllers and listen in the config file', () => {
    const bad = (b: object) => msg(validateConfig({ bridges: [{ name: 'br0', ...b }] }));
    expect(bad({ controllers: 'tcp:1.2.3.4' })).toBe('bridges[0].controllers: expected an array of strings');
    expect(bad({ controllers: ['tcp:1.2.3.4', 'tcp:x'] })).toBe('bridges[0].controllers[1]: tcp:x: "x" is not an IP address');
    expect(bad({ listen: ['tcp:1.2.3.4'] })).toMatch(/^bridges\[0\]\.listen\[0\]: "tcp:1.2.3.4" is not a listener/);
    const c = validateConfig({ bridges: [{ name: 'br0', controllers: ['tcp:127.0.0.1'], listen: ['ptcp:6634:0.0.0.0'] }] });
    if (c instanceof Error) throw c;
    expect(c.bridges[0]!.controllers).toEqual(['tcp:127.0.0.1']);
    expect(c.bridges[0]!.listen).toEqual(['ptcp:6634:0.0.0.0']);
  });
});

describe('logger', () => {
  it('writes whole timestamped lines at or above the level', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (l: string) => lines.push(l) }, () => new Date(0));
    log.debug('hidden');
    log.info('br0: port veth-a up');
    log.error('boom');
    expect(lines).toEqual(['1970-01-01T00:00:00.000Z info  br0: port veth-a up\n', '1970-01-01T00:00:00.000Z error boom\n']);
  });
});
