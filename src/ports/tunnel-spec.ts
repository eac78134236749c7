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
 * tunnels do. A bad option is an Error naming it; whether local_ip is on this host is
 * known only when the socket is bound (tunnel-endpoint.ts).
 */
import { GENEVE_PORT, parseIpv4, VXLAN_PORT, type TunnelProto } from './tunnel-wire.js';

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

export function parseTunnelSpec(proto: TunnelProto, spec: string, name: string, flags: string[]): TunnelConfig | Error {
  const bad = (why: string) => new Error(`port "${spec}": ${why}`);
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
  const ttlText = opts.get('ttl') ?? '64';
  const ttl = Number(ttlText);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) return bad(`ttl "${ttlText}" is not 1 to 255`);
  const dfText = opts.get('df') ?? 'true';
  if (dfText !== 'true' && dfText !== 'false') return bad(`df "${dfText}" is true or false`);
  return { proto, name, remote, local, key, dstPort, tos, ttl, df: dfText === 'true', nvgre };
}
