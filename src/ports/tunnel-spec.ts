/**
 * Tunnel port specs, with Open vSwitch's option names (ovs-vswitchd.conf.db(5), Interface
 * options for type vxlan/geneve/gre):
 *
 *   vxlan:NAME,remote_ip=IP|flow[,local_ip=IP][,key=VNI|flow][,dst_port=4789]
 *              [,tos=inherit|N][,ttl=N][,df=true|false]
 *   geneve:NAME,...   the same (dst_port 6081)
 *   gre:NAME,...      the same without dst_port; key is 32 bits (absent: GRE without key),
 *                     nvgre=true makes it NVGRE: key is the 24-bit VSID, FlowID per flow
 *
 * remote_ip=flow / key=flow take the remote and the key from the packet's tun_dst and
 * tunnel_id at output (set_field:IP->tun_dst, set_field:V->tun_id), as OVS flow-based
 * tunnels do. A bad option is a SluiceError ('bad_config') naming it; whether local_ip is on this host is
 * known only when the socket is bound (tunnel-endpoint.ts).
 *
 * The outer TOS: tos=N sets the DSCP bits, tos=inherit copies the inner IP's DSCP; the ECN
 * bits are always the inner packet's (RFC 6040 §4.1 normal mode; OVS does the same).
 */
import { SluiceError } from './errors.js';
import { formatIpv4, GENEVE_PORT, parseIpv4, VXLAN_PORT, type TunnelProto } from './tunnel-wire.js';

export interface TunnelConfig {
  proto: TunnelProto;
  name: string;
  /** host-order IPv4, or null for remote_ip=flow */
  remote: number | null;
  /** host-order IPv4; 0 = any local address */
  local: number;
  /** VNI / GRE key; null for key=flow; for GRE without a key option: 'none' */
  key: number | null | 'none';
  dstPort: number;
  /** -1 = inherit from the inner IP header */
  tos: number;
  ttl: number;
  df: boolean;
  nvgre: boolean;
}

const KNOWN = ['remote_ip', 'local_ip', 'key', 'dst_port', 'tos', 'ttl', 'df', 'nvgre'];

export function parseTunnelSpec(proto: TunnelProto, spec: string, name: string, flags: string[]): TunnelConfig | SluiceError {
  const bad = (why: string) => new SluiceError('bad_config', `port "${spec}": ${why}`);
  const opts = new Map<string, string>();
  for (const f of flags) {
    const eq = f.indexOf('=');
    const k = eq < 0 ? f : f.slice(0, eq);
    if (!KNOWN.includes(k) || (proto !== 'gre' && k === 'nvgre') || (proto === 'gre' && k === 'dst_port')) {
      return bad(`unknown option "${k}" (${proto} ports take ${KNOWN.filter((o) => (proto === 'gre' ? o !== 'dst_port' : o !== 'nvgre')).join(', ')})`);
    }
    if (eq < 0) return bad(`option ${k} needs a value (${k}=...)`);
    opts.set(k, f.slice(eq + 1));
  }
  const remoteText = opts.get('remote_ip');
  if (remoteText === undefined) return bad(`remote_ip is required (remote_ip=IPv4 address, or remote_ip=flow)`);
  const remote = remoteText === 'flow' ? null : parseIpv4(remoteText);
  if (remote === -1) return bad(`remote_ip "${remoteText}" is not an IPv4 address (or flow)`);
  if (remote === 0) return bad('remote_ip 0.0.0.0 is not a remote; use remote_ip=flow to take it from tun_dst');
  const localText = opts.get('local_ip') ?? '0.0.0.0';
  const local = parseIpv4(localText);
  if (local === -1) return bad(`local_ip "${localText}" is not an IPv4 address`);

  const nvgre = opts.get('nvgre') === 'true';
  if (opts.has('nvgre') && !['true', 'false'].includes(opts.get('nvgre')!)) return bad('nvgre is true or false');
  const keyBits = proto === 'gre' && !nvgre ? 32 : 24;
  const keyText = opts.get('key');
  let key: TunnelConfig['key'];
  if (keyText === undefined) key = proto === 'gre' && !nvgre ? 'none' : 0;
  else if (keyText === 'flow') key = null;
  else {
    const k = /^(0x[0-9a-f]+|\d+)$/i.test(keyText) ? Number(keyText) : NaN;
    if (!Number.isSafeInteger(k) || k < 0 || k >= 2 ** keyBits) {
      return bad(`key "${keyText}" is out of range (0 to ${2 ** keyBits - 1}${keyBits === 24 ? ', a 24-bit VNI' : ''}, or flow)`);
    }
    key = k;
  }

  const dstText = opts.get('dst_port');
  const dstPort = dstText === undefined ? (proto === 'geneve' ? GENEVE_PORT : VXLAN_PORT) : Number(dstText);
  if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) return bad(`dst_port "${dstText}" is not a UDP port (1 to 65535)`);

  const tosText = opts.get('tos') ?? '0';
  const tos = tosText === 'inherit' ? -1 : Number(tosText);
  if (!Number.isInteger(tos) || tos < -1 || tos > 255) return bad(`tos "${tosText}" is not 0 to 255 or inherit`);
  if (tos > 0 && (tos & 3) !== 0) return bad(`tos "${tosText}" sets ECN bits; tos is the DSCP part (a multiple of 4), the ECN bits are always copied from the inner packet`);
  const ttlText = opts.get('ttl') ?? '64';
  const ttl = Number(ttlText);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) return bad(`ttl "${ttlText}" is not 1 to 255`);
  const dfText = opts.get('df') ?? 'true';
  if (dfText !== 'true' && dfText !== 'false') return bad(`df "${dfText}" is true or false`);
  return { proto, name, remote, local, key, dstPort, tos, ttl, df: dfText === 'true', nvgre };
}

/** The outer header's TOS byte for a port's `tos` option (-1 = inherit) and the inner IP
 * TOS byte (0 when the inner packet is not IP). */
export function outerTos(tos: number, inner: number): number {
  return tos < 0 ? inner : (tos & 0xfc) | (inner & 3);
}

/** What an output to the port puts around a packet whose tunnel_id (low 32 bits), tun_dst
 * and inner TOS are given, in words, for `sluice trace`; the datapath's own path is
 * TunnelPort.txBurst. */
export function describeEncap(c: TunnelConfig, tunId: number, tunDst: number, innerTos: number): string {
  const dst = c.remote ?? tunDst;
  if (dst === 0) return `not sent: remote_ip=flow and the packet has no tun_dst (set_field:IP->tun_dst), counted as tx_errors`;
  const key = c.key === null ? tunId >>> 0 : c.key;
  const id = key === 'none' ? 'no key'
    : c.proto !== 'gre' ? `VNI ${key & 0xffffff}`
    : c.nvgre ? `VSID ${key & 0xffffff}, FlowID by flow hash` : `key ${key >>> 0}`;
  const proto = c.proto === 'gre' ? (c.nvgre ? 'NVGRE' : 'GRE') : c.proto === 'vxlan' ? 'VXLAN' : 'Geneve';
  const to = c.proto === 'gre' ? formatIpv4(dst) : `${formatIpv4(dst)}:${c.dstPort}`;
  const from = c.local === 0 ? 'the routed source address' : formatIpv4(c.local);
  const tos = outerTos(c.tos, innerTos);
  const tosWhy = c.tos < 0 ? 'inherited' : 'DSCP set, ECN inherited';
  return `${proto} ${id}${c.key === null ? ' (from tun_id)' : ''} to ${to}${c.remote === null ? ' (from tun_dst)' : ''} from ${from}, ` +
    `tos 0x${tos.toString(16).padStart(2, '0')} (${tosWhy}), ttl ${c.ttl}${c.df ? ', df' : ''}`;
}
