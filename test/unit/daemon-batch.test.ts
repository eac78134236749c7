/**
 * `sluice batch`: the CLI side (each line checked with the verbs' own flags, a mistake named
 * by its line) and the daemon side (lines run in order, one db save, the first refusal
 * stops the batch and is named by its line). No root: memory ports, no LOCAL TAP.
 */
import { describe, it, expect, afterEach } from 'vitest';
import type { DaemonConfig } from '../../src/control/config.js';
import { Daemon } from '../../src/control/daemon.js';
import { daemonHandlers } from '../../src/control/daemon-handlers.js';
import { createLogger } from '../../src/control/log.js';
import { parseBatch } from '../../src/cli/verbs-batch.js';

const saved: DaemonConfig[] = [];
const log = createLogger('error', { write: () => {} });
let daemons: Daemon[] = [];
const msg = (v: unknown) => (v instanceof Error ? v.message : `not an error: ${JSON.stringify(v)}`);

function mkHandlers() {
  const d = new Daemon({ rundir: null, log, db: '/db/conf.json', control: '/x/sluice.ctl', localPort: false, save: (_f, c) => saved.push(c) });
  daemons.push(d);
  return { d, h: daemonHandlers(d, () => ({ text: '' })) };
}

afterEach(async () => {
  for (const d of daemons) await d.stopAll();
  daemons = [];
  saved.length = 0;
});

describe('sluice batch: the lines', () => {
  it('turns each line into the request its verb sends, skipping blanks and comments', async () => {
    const r = await parseBatch('# a network\nadd-br s1 --dpid 0000000000000001 --fail-mode secure\n\n  add-port s1 s1-eth1 --ofport 1  \nset-controller s1 tcp:127.0.0.1:6653 ptcp:6654\ndel-port s1 s1-eth1\ndel-controller s1\ndel-br s1\n');
    expect(r).toEqual([
      { cmd: 'add-br', args: { name: 's1', dpid: '0000000000000001', failMode: 'secure' }, where: 'line 2' },
      { cmd: 'add-port', args: { bridge: 's1', spec: 's1-eth1', ofport: 1 }, where: 'line 4' },
      { cmd: 'set-controller', args: { bridge: 's1', targets: ['tcp:127.0.0.1:6653', 'ptcp:6654'] }, where: 'line 5' },
      { cmd: 'del-port', args: { bridge: 's1', port: 's1-eth1' }, where: 'line 6' },
      { cmd: 'del-controller', args: { bridge: 's1' }, where: 'line 7' },
      { cmd: 'del-br', args: { name: 's1' }, where: 'line 8' },
    ]);
    expect(await parseBatch('\n# nothing\n')).toEqual([]);
  });

  it('names the line of a mistake, with the verb\'s own message', async () => {
    expect(msg(await parseBatch('add-br s1\nadd-port s1 eth1 --ofport 0'))).toMatch(/^line 2: --ofport "0": expected a number from 1 to /);
    expect(msg(await parseBatch('add-br s1 --fail-mode open'))).toBe('line 1: --fail-mode "open": expected standalone or secure');
    expect(msg(await parseBatch('add-br s1 --dpid xyz'))).toMatch(/^line 1: --dpid "xyz": expected up to 16 hex digits/);
    expect(msg(await parseBatch('add-br s1\nset-controller s1 tcp:nowhere'))).toMatch(/^line 2: /);
    expect(msg(await parseBatch('add-port s1 s1-eth1 --ofportx 1'))).toMatch(/^line 1: unknown option '--ofportx' \(a batch line is one of: add-br, /);
    expect(msg(await parseBatch('list-br'))).toMatch(/^line 1: unknown command 'list-br'/);
    expect(msg(await parseBatch('add-br s1 --rundir /tmp'))).toBe('line 1: --rundir belongs on the batch command, not on a line');
  });
});

describe('sluice batch: the daemon', () => {
  it('runs the requests in order and saves the db once', async () => {
    const { d, h } = mkHandlers();
    const reqs = (await parseBatch('add-br s1 --dpid 1\nadd-br s2 --dpid 2 --fail-mode secure\nadd-port s1 memory:m1 --ofport 3\nadd-port s2 memory:m2 --ofport 4')) as unknown[];
    expect(await h.batch!({ requests: reqs })).toEqual([{ name: 's1', dpid: '0000000000000001' }, { name: 's2', dpid: '0000000000000002' }, { ofport: 3 }, { ofport: 4 }]);
    expect(saved.length).toBe(1);
    expect(saved[0]!.bridges.map((b) => [b.name, b.failMode, b.ports.map((p) => [p.spec, p.ofport])])).toEqual([
      ['s1', 'standalone', [['memory:m1', 3]]],
      ['s2', 'secure', [['memory:m2', 4]]],
    ]);
    expect(d.listBridges()).toEqual(['s1', 's2']);
  });

  it('stops at the first refusal, naming its line; what ran before it stays and is saved', async () => {
    const { d, h } = mkHandlers();
    const reqs = (await parseBatch('add-br s1\nadd-port s9 memory:m1\nadd-br s2')) as unknown[];
    expect(msg(await h.batch!({ requests: reqs }))).toBe('line 2: add-port: no bridge s9 (bridges: s1)');
    expect(d.listBridges()).toEqual(['s1']);
    expect(saved.length).toBe(1);
  });

  it('checks the whole request before running any of it', async () => {
    const { d, h } = mkHandlers();
    expect(msg(await h.batch!({ requests: 'add-br s1' }))).toBe('"requests": expected a list of {"cmd", "args"}');
    expect(msg(await h.batch!({ requests: [{ cmd: 'add-br', args: { name: 's1' } }, { cmd: 'show' }] }))).toBe('request 2: a batch holds only add-br, del-br, add-port, del-port, set-controller, del-controller');
    expect(msg(await h.batch!({ requests: [{ cmd: 'batch', args: {} }] }))).toMatch(/^request 1: a batch holds only/);
    expect(msg(await h.batch!({ requests: [{ cmd: 'add-br', args: [] }] }))).toBe('request 1: "args" must be an object');
    expect(d.listBridges()).toEqual([]);
    expect(saved.length).toBe(0);
  });
});
