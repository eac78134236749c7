/** The vsctl verbs' client-side checks and the `show` layout (pure functions). */
import { describe, it, expect } from 'vitest';
import { addPortArgs, parseTrunks } from '../../src/cli/verbs-vsctl.js';
import { formatShow } from '../../src/control/daemon-show.js';

const msg = (v: unknown) => (v instanceof Error ? v.message : `not an error: ${JSON.stringify(v)}`);

describe('add-port flags', () => {
  it('builds the request, the VLAN mode implied by --tag or --trunks', () => {
    expect(addPortArgs('br0', 'veth-a', { ofport: '5', tag: '10' })).toEqual({ bridge: 'br0', spec: 'veth-a', ofport: 5, tag: 10, vlanMode: 'access' });
    expect(addPortArgs('br0', 'tap:vm1', { trunks: '10,20-22' })).toEqual({ bridge: 'br0', spec: 'tap:vm1', trunks: [10, 20, 21, 22], vlanMode: 'trunk' });
    expect(addPortArgs('br0', 'tap:vm1', { vlanMode: 'trunk' })).toEqual({ bridge: 'br0', spec: 'tap:vm1', vlanMode: 'trunk' });
    expect(addPortArgs('br0', 'patch:p1,peer=p2', {})).toEqual({ bridge: 'br0', spec: 'patch:p1,peer=p2' });
  });
  it('names the bad flag', () => {
    expect(msg(addPortArgs('br0', 'veth-a', { tag: '4096' }))).toBe('--tag "4096": expected a VLAN id 0..4095');
    expect(msg(addPortArgs('br0', 'veth-a', { ofport: '0' }))).toMatch(/^--ofport "0": expected a number from 1 to /);
    expect(msg(addPortArgs('br0', 'veth-a', { vlanMode: 'access' }))).toBe('--vlan-mode access needs --tag N');
    expect(msg(addPortArgs('br0', 'veth-a', { vlanMode: 'hybrid' }))).toBe('--vlan-mode "hybrid": expected access or trunk');
    expect(msg(addPortArgs('br0', 'veth-a', { vlanMode: 'trunk', tag: '3' }))).toMatch(/^--tag is for --vlan-mode access/);
    expect(msg(addPortArgs('br0', 'veth-a', { tag: '3', trunks: '4' }))).toBe('--trunks is for --vlan-mode trunk');
    expect(msg(addPortArgs('br0', 'patch:p1', {}))).toMatch(/expected patch:NAME,peer=PEER/);
    expect(msg(parseTrunks('10,20-5'))).toMatch(/"20-5" is not a VLAN id/);
  });
});

describe('show layout', () => {
  it('prints the ovs-vsctl show tree, bridges and ports sorted by name, and the datapath\'s drops', () => {
    const text = formatShow({
      pid: 7, control: '/r/sluice.ctl', db: null,
      bridges: [
        {
          name: 'b2', dpid: '00000000000000a2', failMode: 'secure', drops: { runt: 0, table_miss: 5, in_port: 1 },
          controllers: [{ target: 'tcp:127.0.0.1:6653', connected: true }], listen: ['ptcp:6634'], ports: [],
        },
        {
          name: 'b1', dpid: '0000000000000001', failMode: 'standalone', controllers: [], listen: [],
          ports: [
            { name: 'v2', ofport: 2, kind: 'patch', linkUp: false, peer: 'x' },
            { name: 'b1', ofport: 0xfffffffe, kind: 'tap', linkUp: true },
            { name: 'v1', ofport: 1, kind: 'afpacket', linkUp: true, trunks: [] },
          ],
        },
      ],
    });
    expect(text).toBe(
      [
        'sluice daemon (pid 7, control socket /r/sluice.ctl, configuration not persisted)',
        '    Bridge b1', '        datapath_id: "0000000000000001"', '        fail_mode: standalone',
        '        Port b1', '            Interface b1', '                ofport: LOCAL', '                type: internal', '                link_state: up',
        '        Port v1', '            trunks: []', '            Interface v1', '                ofport: 1', '                type: afpacket', '                link_state: up',
        '        Port v2', '            Interface v2', '                ofport: 2', '                type: patch', '                options: {peer=x}', '                link_state: down',
        '    Bridge b2', '        datapath_id: "00000000000000a2"', '        fail_mode: secure',
        '        datapath_drops: {table_miss=5, in_port=1}', // the non-zero ones
        '        Controller "tcp:127.0.0.1:6653"', '            is_connected: true', '        Listen "ptcp:6634"',
        '',
      ].join('\n'),
    );
  });
});
