// Shared helpers for the datapath tests: literal frames, a bridge wired to memory hosts.
import { Bridge, type BridgeConfig, type BridgePortConfig, type BridgePacketIn } from '../../src/datapath/bridge.js';
import { MemoryPort } from '../../src/ports/memory.js';
import { parseTunnelSpec, type TunnelConfig } from '../../src/ports/tunnel-spec.js';
import type { TunnelProto } from '../../src/ports/tunnel-wire.js';

export const MAC = (n: number): number[] => [0x02, 0, 0, 0, 0, n];
const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

function ipv4Checksum(h: number[]): number {
  let s = 0;
  for (let i = 0; i < h.length; i += 2) s += (h[i]! << 8) | h[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

interface FrameOpts {
  dst?: number[];
  src?: number[];
  vlan?: number; // VID, tagged with 0x8100 when given
  pcp?: number;
  proto?: 6 | 17;
  srcIp?: number;
  dstIp?: number;
  sport?: number;
  dport?: number;
  ttl?: number;
  payload?: number;
}

/** An Ethernet [+802.1Q] + IPv4 + TCP/UDP frame with a valid IPv4 header checksum. */
export function ipFrame(o: FrameOpts = {}): Uint8Array {
  const proto = o.proto ?? 17;
  const l4len = (proto === 6 ? 20 : 8) + (o.payload ?? 18);
  const ip = [0x45, 0, 0, 0, 0, 1, 0, 0, o.ttl ?? 64, proto, 0, 0];
  const sip = o.srcIp ?? 0x0a000001;
  const dip = o.dstIp ?? 0x0a000002;
  for (const a of [sip, dip]) ip.push((a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
  const total = 20 + l4len;
  ip[2] = total >> 8;
  ip[3] = total & 0xff;
  const c = ipv4Checksum(ip);
  ip[10] = c >> 8;
  ip[11] = c & 0xff;
  const sp = o.sport ?? 1000;
  const dp = o.dport ?? 2000;
  const l4 = [sp >> 8, sp & 0xff, dp >> 8, dp & 0xff];
  if (proto === 6) l4.push(0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0);
  else l4.push((l4len >> 8) & 0xff, l4len & 0xff, 0, 0);
  for (let i = 0; i < (o.payload ?? 18); i++) l4.push(i & 0xff);
  const tag = o.vlan === undefined ? [] : [0x81, 0x00, ((o.pcp ?? 0) << 5) | (o.vlan >> 8), o.vlan & 0xff];
  return Uint8Array.from([...(o.dst ?? MAC(2)), ...(o.src ?? MAC(1)), ...tag, 0x08, 0x00, ...ip, ...l4]);
}

/** A broadcast ARP request from `src` (for NORMAL tests). */
export function arpFrame(src: number[], vlan?: number): Uint8Array {
  const tag = vlan === undefined ? [] : [0x81, 0x00, vlan >> 8, vlan & 0xff];
  const body = [0, 1, 8, 0, 6, 4, 0, 1, ...src, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2];
  return Uint8Array.from([...BCAST, ...src, ...tag, 0x08, 0x06, ...body]);
}

export interface Rig {
  bridge: Bridge;
  /** hosts[i] is the far end of bridge port i+1 */
  hosts: MemoryPort[];
  ports: MemoryPort[];
  packetIns: BridgePacketIn[];
  clock: { t: number };
  /** Frames into bridge port `ofport` (as from the wire), then forward them all. */
  send(ofport: number, ...frames: Uint8Array[]): void;
  /** Frames each host received since the last call, as hex strings. */
  take(ofport: number): string[];
}

/** `tunnels`: ofports whose memory port poses as a vxlan port: it carries a tunnel
 * configuration (Port.tunnel, by which the datapath knows tunnel ports: split horizon in
 * NORMAL, tunnel metadata at output); it still sends and receives as a memory port. */
export function rig(n: number, cfg: Partial<BridgeConfig> = {}, portCfg: Partial<BridgePortConfig>[] = [], tunnels: number[] = []): Rig {
  const hosts: MemoryPort[] = [];
  const ports: MemoryPort[] = [];
  const pcs: BridgePortConfig[] = [];
  for (let i = 1; i <= n; i++) {
    const [p, h] = MemoryPort.pair(`p${i}`, `h${i}`, { slots: 1024 });
    if (tunnels.includes(i)) Object.defineProperty(p, 'tunnel', { value: tunnelConfig(`vxlan:p${i},remote_ip=192.0.2.${i},key=${i}`) });
    h.open();
    hosts.push(h);
    ports.push(p);
    pcs.push({ spec: `memory:p${i}`, port: p, ...(portCfg[i - 1] ?? {}) });
  }
  const clock = { t: 1000 };
  const bridge = new Bridge({ name: 'br0', failMode: 'secure', localPort: false, ports: pcs, ...cfg }, { now: () => clock.t });
  const packetIns: BridgePacketIn[] = [];
  bridge.on('packet-in', (pi: BridgePacketIn) => packetIns.push(pi));
  bridge.start();
  return {
    bridge, hosts, ports, packetIns, clock,
    send(ofport, ...frames) {
      for (const f of frames) if (!ports[ofport - 1]!.inject(f)) throw new Error('inject failed');
      bridge.poll();
    },
    take(ofport) {
      const h = hosts[ofport - 1]!;
      const got: string[] = [];
      for (let c = h.rxBurst(); c > 0; c = h.rxBurst()) {
        for (let i = 0; i < c; i++) {
          const o = h.burst.offs[i]!;
          got.push(Buffer.from(h.burst.buf.subarray(o, o + h.burst.lens[i]!)).toString('hex'));
        }
      }
      return got;
    },
  };
}

export const hex = (f: Uint8Array): string => Buffer.from(f).toString('hex');

/** A tunnel port's configuration from its spec (`vxlan:NAME,remote_ip=...`). */
export function tunnelConfig(spec: string): TunnelConfig {
  const [kind, rest] = spec.split(':') as [TunnelProto, string];
  const [name, ...opts] = rest.split(',');
  const c = parseTunnelSpec(kind, spec, name!, opts);
  if (c instanceof Error) throw c;
  return c;
}
