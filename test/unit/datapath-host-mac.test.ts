/**
 * Default MACs and datapath ids come from the bridge or port name on this host
 * (datapath/bridge-port.ts macFromName): stable across restarts on one host, different for
 * the same name on another host or network namespace, so that one controller can manage
 * `br0` on every host of an overlay.
 */
import { describe, expect, it } from 'vitest';
import { hostSalt, macFromName } from '../../src/datapath/bridge-port.js';
import { rig } from './datapath-helpers.js';

const hex = (m: Uint8Array) => Buffer.from(m).toString('hex');

describe('MACs and datapath ids from names, per host', () => {
  it('the same name on one host gives the same locally administered unicast MAC', () => {
    const m = macFromName('br0');
    expect(hex(macFromName('br0'))).toBe(hex(m));
    expect(m[0]! & 0x03).toBe(0x02); // locally administered, unicast
    expect(hex(macFromName('br1'))).not.toBe(hex(m));
  });

  it('the same name on another host (machine id or network namespace) gives another MAC', () => {
    expect(hostSalt()).not.toBe('');
    expect(hex(macFromName('br0', 'host-a/4026531840'))).not.toBe(hex(macFromName('br0', 'host-b/4026531840')));
    expect(hex(macFromName('br0', 'host-a/4026531840'))).not.toBe(hex(macFromName('br0', 'host-a/4026532001')));
  });

  it('a bridge without a LOCAL port takes its datapath id from that MAC', () => {
    const { bridge } = rig(1);
    let d = 0n;
    for (const b of macFromName('br0')) d = (d << 8n) | BigInt(b);
    expect(bridge.dpid).toBe(d);
  });
});
