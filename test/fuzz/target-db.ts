/**
 * Fuzz target "db": mutated daemon configurations through loadDb (src/control/db.ts:
 * read, JSON.parse with positions, the version, validateConfig in src/control/config.ts),
 * as `sluice start` reads its db or a --config file.
 *
 * Input: the file's bytes (no mode byte).
 *
 * Seeds: valid configurations with every key (bridges, dpid, failMode, flowCache, ports as
 * strings with @options and as objects with ofport/vlanMode/tag/trunks, every port kind,
 * controllers, listeners). Mutations: on the JSON value (a value of another type, a key
 * removed, an unknown or __proto__ key, duplicated and deeply nested elements, strange
 * strings and numbers), then sometimes on the text's bytes (truncation, bit flips: syntax
 * errors with positions).
 *
 * Invariants:
 *  - no exception: loadDb returns a config or an Error;
 *  - an Error is one line naming the file (the daemon prints it and exits with status 2);
 *  - a config that loads saves back to JSON that validates to the same config (what
 *    saveDb writes, loadDb reads).
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadDb, saveDb } from '../../src/control/db.js';
import { configToJson, validateConfig } from '../../src/control/config.js';
import { mutateOnce } from './mutate.js';
import type { Rand } from './rand.js';
import type { FuzzTarget } from './runner.js';

type J = null | boolean | number | string | J[] | { [k: string]: J };

const SPECS = [
  'veth-a', 'veth-a@ofport=3,vlan=access:10', 'veth-b@vlan=trunk:1,2,3', 'tap:vm1', 'tap:x,v3', 'memory:m0',
  'afpacket:eth0,v3,novnet', 'pcap:in=/tmp/x.pcap,out=/tmp/y.pcap', 'pcap:file.pcap',
  'vxlan:vx0,remote_ip=192.0.2.1,key=5', 'geneve:gn0,remote_ip=flow,key=flow', 'gre:gr0,remote_ip=192.0.2.2', 'patch:p0,peer=p1',
];
const TARGETS = ['tcp:127.0.0.1', 'tcp:127.0.0.1:6653', 'ssl:10.0.0.1:6653', 'unix:/run/c.sock', 'tcp:[::1]:6653'];
const LISTEN = ['ptcp:6634', 'ptcp:6634:127.0.0.1', 'pssl:6635', 'punix:/run/s.sock'];
const STRINGS = [
  '', ' ', 'br0', 'x'.repeat(16), 'x'.repeat(1000), 'é', '💥', '\u0000', 'a\nb', '\\', '"', '__proto__', 'constructor', 'toString',
  '0x', '0x1a', '0x' + 'f'.repeat(17), '00:00:00:00:00:00:00:01', '-1', '1e3', 'secure', 'standalone', 'access', 'trunk',
  'tcp:', 'tcp:999.0.0.1', 'ptcp:99999', 'memory:', 'bogus:x', 'veth@', 'veth@ofport=', 'veth@vlan=access:4096', 'tap:averyverylongname0',
];
const NUMBERS = [0, -0, 1, -1, 0.5, 3, 4095, 4096, 65535, 4294967040, 4294967295, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 1e300, 5e-324];

function baseConfig(rand: Rand): { [k: string]: J } {
  const bridges: J[] = [];
  for (let i = rand.below(3); i >= 0; i--) {
    const b: { [k: string]: J } = { name: `br${i}` };
    if (rand.oneIn(2)) b.dpid = rand.pick(['0x1a', '0000000000000001', '00:00:00:00:00:00:00:02']);
    if (rand.oneIn(2)) b.failMode = rand.pick(['standalone', 'secure']);
    if (rand.oneIn(3)) b.flowCache = rand.oneIn(2);
    const ports: J[] = [];
    for (let j = rand.below(4); j > 0; j--) {
      const spec = `${rand.pick(SPECS)}`.replace(/^(veth-[ab]|tap:\w+|memory:m)/, (m) => `${m}${i}${j}`);
      ports.push(rand.oneIn(2) ? spec : rand.pick<J>([
        { spec: spec.replace(/@.*$/, '') },
        { spec: spec.replace(/@.*$/, ''), ofport: 1 + rand.below(100) },
        { spec: spec.replace(/@.*$/, ''), vlanMode: 'access', tag: rand.below(4096) },
        { spec: spec.replace(/@.*$/, ''), vlanMode: 'trunk', trunks: [1, 2, rand.below(4096)] },
      ]));
    }
    if (ports.length > 0 || rand.oneIn(2)) b.ports = ports;
    if (rand.oneIn(2)) b.controllers = [rand.pick(TARGETS)];
    if (rand.oneIn(3)) b.listen = [rand.pick(LISTEN)];
    bridges.push(b);
  }
  const c: { [k: string]: J } = { bridges };
  return rand.oneIn(2) ? { version: 1, ...c } : c;
}

function randomValue(rand: Rand, depth = 0): J {
  switch (rand.below(depth > 2 ? 4 : 7)) {
    case 0: return null;
    case 1: return rand.oneIn(2);
    case 2: return rand.pick(NUMBERS);
    case 3: return rand.oneIn(2) ? rand.pick(STRINGS) : rand.pick([...SPECS, ...TARGETS, ...LISTEN]);
    case 4: return Array.from({ length: rand.below(4) }, () => randomValue(rand, depth + 1));
    case 5: { let v: J = 1; for (let i = rand.below(64); i > 0; i--) v = [v]; return v; } // deep nesting
    default: {
      const o: { [k: string]: J } = {};
      for (let i = rand.below(3); i >= 0; i--) o[rand.pick(['spec', 'name', 'ports', 'x', '__proto__', 'vlanMode', 'tag', 'trunks', 'ofport'])] = randomValue(rand, depth + 1);
      return o;
    }
  }
}

/** Every container in the value with its keys (a path list would cost more). */
function containers(v: J, out: (J[] | { [k: string]: J })[] = []): (J[] | { [k: string]: J })[] {
  if (v !== null && typeof v === 'object') {
    out.push(v);
    if (out.length < 200) for (const x of Array.isArray(v) ? v : Object.values(v)) containers(x, out);
  }
  return out;
}

function mutateValue(rand: Rand, root: { [k: string]: J }): void {
  const all = containers(root);
  const c = rand.pick(all);
  if (Array.isArray(c)) {
    const i = rand.below(c.length + 1);
    switch (rand.below(4)) {
      case 0: c[i] = randomValue(rand); break;
      case 1: c.splice(i, 1); break;
      case 2: if (c.length > 0) c.push(JSON.parse(JSON.stringify(c[rand.below(c.length)]))); break; // duplicate
      default: c.push(randomValue(rand));
    }
    return;
  }
  const keys = Object.keys(c);
  const k = keys.length > 0 ? rand.pick(keys) : 'x';
  switch (rand.below(5)) {
    case 0: case 1: c[k] = randomValue(rand); break;
    case 2: delete c[k]; break;
    case 3: Object.defineProperty(c, rand.pick(['__proto__', 'constructor', 'extra', 'Name', 'bridges']), { value: randomValue(rand), enumerable: true, writable: true, configurable: true }); break;
    default: if (typeof c[k] === 'string') c[k] = mutateString(rand, c[k]);
  }
}

function mutateString(rand: Rand, s: string): string {
  const at = rand.below(s.length + 1);
  switch (rand.below(4)) {
    case 0: return s.slice(0, at);
    case 1: return s.slice(0, at) + rand.pick([',', '@', '=', ':', '/', ' ', '\n', '\u0000', '9', 'é', '..']) + s.slice(at);
    case 2: return s.slice(0, at) + s.slice(at + 1);
    default: return s + s.slice(at);
  }
}

const enc = new TextEncoder();

export class DbTarget implements FuzzTarget {
  readonly name = 'db';
  private readonly dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sluice-fuzz-db-'));
  private readonly file = join(this.dir, 'conf.json');
  private runs = 0;
  private readonly counts = { loaded: 0, refused: 0, saved: 0 };

  generate(rand: Rand): Uint8Array {
    const v = baseConfig(rand);
    for (let i = rand.below(4); i > 0; i--) mutateValue(rand, v);
    let b: Uint8Array = enc.encode(JSON.stringify(v, null, rand.oneIn(3) ? undefined : 2) + '\n');
    if (rand.oneIn(4)) for (let i = 1 + rand.below(2); i > 0; i--) b = mutateOnce(rand, b, () => enc.encode(JSON.stringify(baseConfig(rand))));
    return b;
  }

  run(input: Uint8Array): string | null {
    this.runs++;
    writeFileSync(this.file, input);
    const c = loadDb(this.file);
    if (c instanceof Error) {
      this.counts.refused++;
      if (c.message.includes('\n')) return `a multi-line error: ${JSON.stringify(c.message.slice(0, 300))}`;
      if (!c.message.startsWith(this.file)) return `an error that does not name the file: ${c.message.slice(0, 200)}`;
      if (c.message.length > 1000) return `a ${c.message.length}-character error`;
      return null;
    }
    if (typeof c !== 'object' || c === null || !Array.isArray(c.bridges)) return `loadDb returned ${String(c)}`;
    this.counts.loaded++;
    const again = validateConfig(JSON.parse(JSON.stringify(configToJson(c))));
    if (again instanceof Error) return `loads, but its saved form does not: ${again.message}`;
    if (!isDeepStrictEqual(again, c)) return 'loads, but its saved form loads as something else';
    if (this.runs % 512 === 0) { // what saveDb really writes, now and then (it fsyncs)
      saveDb(this.file, c);
      this.counts.saved++;
      if (!isDeepStrictEqual(loadDb(this.file), c)) return 'saveDb then loadDb changed the config';
    }
    return null;
  }

  async finish(): Promise<string | null> { return null; }

  stats(): string {
    const n = (x: number): string => x.toLocaleString('en-US');
    return `${n(this.counts.loaded)} configs loaded (round trip checked, ${n(this.counts.saved)} through saveDb), ${n(this.counts.refused)} refused with a one-line error`;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
