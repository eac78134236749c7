// Target resolution of the ofctl verbs: bridge name → RUNDIR/BRIDGE.mgmt, explicit targets,
// refusals, and the operator-facing message when nothing answers.
import { describe, expect, it } from 'vitest';
import { resolveTarget, unreachableMessage, type ResolvedTarget } from '../../src/cli/ofctl/target.js';

describe('resolveTarget', () => {
  it('a bridge name is its mgmt socket under the rundir', () => {
    expect(resolveTarget('br0', '/tmp/run')).toEqual({ target: { kind: 'unix', path: '/tmp/run/br0.mgmt' }, bridge: 'br0', label: 'br0' });
  });

  it('unix:PATH and tcp:IP[:PORT] are used as given, tcp defaulting to port 6653', () => {
    expect(resolveTarget('unix:/x/y.mgmt', '/tmp/run')).toEqual({ target: { kind: 'unix', path: '/x/y.mgmt' }, label: 'unix:/x/y.mgmt' });
    expect(resolveTarget('tcp:127.0.0.1:6634', '/r')).toEqual({ target: { kind: 'tcp', host: '127.0.0.1', port: 6634 }, label: 'tcp:127.0.0.1:6634' });
    expect(resolveTarget('tcp:[::1]', '/r')).toMatchObject({ target: { kind: 'tcp', host: '::1', port: 6653 } });
  });

  it('refuses passive and ssl targets, bad addresses and names that cannot be bridges', () => {
    expect((resolveTarget('ptcp:6634', '/r') as Error).message).toBe('ptcp:6634: ofctl verbs connect to a switch: use unix:PATH or tcp:IP[:PORT], not ptcp');
    expect((resolveTarget('tcp:nothost:1', '/r') as Error).message).toContain('"nothost" is not an IP address');
    expect((resolveTarget('a/b', '/r') as Error).message).toBe('"a/b" is neither a bridge name nor a target (unix:PATH, tcp:IP[:PORT])');
    expect(resolveTarget('sixteen-chars-xx', '/r')).toBeInstanceOf(Error);
  });
});

describe('unreachableMessage', () => {
  const br = resolveTarget('br9', '/tmp/run') as ResolvedTarget;
  it('no socket file: no such bridge, and what to do', () => {
    expect(unreachableMessage(br, 'ENOENT', 'connect ENOENT')).toBe(
      'no bridge br9 on this host (no /tmp/run/br9.mgmt): is `sluice start` running? list bridges with `sluice list-br`');
  });
  it('a socket nobody listens on: the daemon is gone', () => {
    expect(unreachableMessage(br, 'ECONNREFUSED', 'x')).toBe('bridge br9 is not running (/tmp/run/br9.mgmt refuses connections): start it with `sluice start`');
  });
  it('an explicit target: the system error', () => {
    const t = resolveTarget('tcp:127.0.0.1:1', '/r') as ResolvedTarget;
    expect(unreachableMessage(t, 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')).toBe('cannot connect to tcp:127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1');
  });
});
