import { describe, it, expect } from 'vitest';
import { createPort } from '../../src/ports/spec.js';
import { AfPacketPort } from '../../src/ports/afpacket.js';
import { TapPort } from '../../src/ports/tap.js';

describe('createPort', () => {
  it('maps specs to port kinds with their options, without opening anything', () => {
    const a = createPort('veth1');
    expect(a).toBeInstanceOf(AfPacketPort);
    expect((a as AfPacketPort).vnet).toBe(true);
    expect((a as AfPacketPort).options.ringVersion).toBe(2);
    const b = createPort('afpacket:eth0,v3,novnet') as AfPacketPort;
    expect(b.kind).toBe('afpacket');
    expect(b.options.ringVersion).toBe(3);
    expect(b.vnet).toBe(false);
    const t = createPort('tap:vm1');
    expect(t).toBeInstanceOf(TapPort);
    expect((t as TapPort).name).toBe('vm1');
    expect((createPort('pcap:in=/tmp/x.pcap,out=/tmp/y.pcap') as { kind: string }).kind).toBe('pcap');
    expect((createPort('memory:m0') as { kind: string }).kind).toBe('memory');
  });

  it('returns errors as values naming the bad part', () => {
    expect(createPort('tap:') as Error).toBeInstanceOf(Error);
    expect((createPort('tap:averyverylongname0') as Error).message).toMatch(/1 to 15 characters/);
    expect((createPort('tap:x,v3') as Error).message).toBe('port "tap:x,v3": unknown option "v3"');
    expect((createPort('bogus:x') as Error).message).toMatch(/unknown port kind "bogus"/);
    expect((createPort('pcap:file.pcap') as Error).message).toMatch(/in=FILE/);
  });
});
