/**
 * Port specs as users write them (`sluice add-port br0 SPEC`):
 *   NAME | afpacket:NAME[,v3][,novnet][,ring=SIZE]   an existing interface, read over AF_PACKET
 *                                         (SIZE: its receive ring, afpacket.ts; default
 *                                         `defaults.ringBytes`, else 64 MiB)
 *   tap:NAME[,novnet]                     a TAP device created (and removed) by the port
 *   pcap:in=FILE[,out=FILE]               replay / record a capture file
 *   memory:NAME                           an unconnected in-process port (tests)
 *   patch:NAME,peer=PEER                  a port wired to patch port PEER on another bridge (patch.ts)
 *   vxlan:|geneve:|gre:NAME,remote_ip=...   a tunnel port (tunnel-spec.ts for the options)
 * A bad spec is a value (a SluiceError 'bad_config' naming the offending part, ports/errors.ts), not an exception, so a
 * config loader can report every bad port at once. Nothing is opened here.
 */
import { AfPacketPort, parseRingSize, RING_SIZE_EXPECTED } from './afpacket.js';
import { SluiceError } from './errors.js';
import { MemoryPort } from './memory.js';
import { PatchPort } from './patch.js';
import { PcapPort } from './pcap.js';
import { TapPort } from './tap.js';
import { TunnelPort } from './tunnel-port.js';
import { parseTunnelSpec } from './tunnel-spec.js';
import type { Port } from './port.js';

const IFNAME = /^[A-Za-z0-9_.%-]{1,15}$/;

/** What a spec leaves out: the daemon's --ring-size. */
interface PortDefaults {
  ringBytes?: number;
}

export function createPort(spec: string, defaults: PortDefaults = {}): Port | SluiceError {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? 'afpacket' : spec.slice(0, colon);
  const [name = '', ...flags] = (colon < 0 ? spec : spec.slice(colon + 1)).split(',');
  const bad = (why: string) => new SluiceError('bad_config', `port "${spec}": ${why}`);
  const unknown = (known: string[]) => flags.find((f) => !known.includes(f));

  switch (kind) {
    case 'afpacket':
    case 'tap': {
      if (!IFNAME.test(name)) return bad('interface names are 1 to 15 characters of letters, digits, _ . - %');
      const ring = kind === 'afpacket' ? flags.find((f) => f.startsWith('ring=')) : undefined;
      const u = unknown(kind === 'tap' ? ['novnet'] : ['novnet', 'v2', 'v3', ...(ring ? [ring] : [])]);
      if (u) return bad(`unknown option "${u}"`);
      const vnetHdr = !flags.includes('novnet');
      if (kind === 'tap') return new TapPort(name, { vnetHdr });
      const ringBytes = ring === undefined ? defaults.ringBytes : parseRingSize(ring.slice(5));
      if (ring !== undefined && ringBytes === undefined) return bad(`${ring}: ${RING_SIZE_EXPECTED}`);
      return new AfPacketPort(name, { vnetHdr, ringVersion: flags.includes('v3') ? 3 : 2, ...(ringBytes === undefined ? {} : { ringBytes }) });
    }
    case 'pcap': {
      const opts: { input?: string; output?: string } = {};
      for (const kv of [name, ...flags]) {
        const [k, v] = kv.split('=', 2);
        if (!v || (k !== 'in' && k !== 'out')) return bad('expected pcap:in=FILE and/or out=FILE');
        if (k === 'in') opts.input = v;
        else opts.output = v;
      }
      return new PcapPort(spec, opts);
    }
    case 'memory':
      if (!name) return bad('memory ports need a name');
      return new MemoryPort(name);
    case 'patch': {
      // OVS: type=patch options:peer=PEER; both names are port names, unique in the daemon
      if (!IFNAME.test(name)) return bad('patch port names are 1 to 15 characters of letters, digits, _ . - %');
      const peer = flags.length === 1 && flags[0]!.startsWith('peer=') ? flags[0]!.slice(5) : undefined;
      if (peer === undefined) return bad('expected patch:NAME,peer=PEER');
      if (!IFNAME.test(peer)) return bad(`peer "${peer}" is not a port name (1 to 15 characters of letters, digits, _ . - %)`);
      if (peer === name) return bad('a patch port cannot be its own peer');
      return new PatchPort(name, peer);
    }
    case 'vxlan':
    case 'geneve':
    case 'gre': {
      if (!IFNAME.test(name)) return bad('tunnel port names are 1 to 15 characters of letters, digits, _ . - %');
      const c = parseTunnelSpec(kind, spec, name, flags);
      return c instanceof Error ? c : new TunnelPort(c);
    }
    default:
      return bad(`unknown port kind "${kind}" (afpacket, tap, pcap, memory, patch, vxlan, geneve, gre)`);
  }
}
