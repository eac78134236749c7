/**
 * OpenFlow connection targets in Open vSwitch's syntax (ovs-vsctl set-controller,
 * ovs-ofctl): active `tcp:IP[:PORT]`, `ssl:IP:PORT`, `unix:PATH`; passive
 * `ptcp:PORT[:IP]`, `pssl:PORT[:IP]`, `punix:PATH`.
 *
 * Invariants: parseTarget never throws; a bad string gives a SluiceError whose message names
 * the string and says what is wrong. Defaults: TCP port 6653 (IANA, OF1.3.5 §6.3.1),
 * passive listeners bind 127.0.0.1 unless an address is given (a switch should not be
 * open to the network by accident). IPv6 addresses go in brackets: tcp:[::1]:6653.
 */
import { SluiceError } from '../ports/errors.js';
import { isIP } from 'node:net';

const OFP_TCP_PORT = 6653;

export type Target =
  | { readonly kind: 'tcp' | 'ssl'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'ptcp' | 'pssl'; readonly host: string; readonly port: number }
  | { readonly kind: 'punix'; readonly path: string };

export const isPassive = (t: Target): boolean => t.kind === 'ptcp' || t.kind === 'pssl' || t.kind === 'punix';

function parsePort(s: string, what: string): number | SluiceError {
  if (!/^\d+$/.test(s)) return new SluiceError('bad_usage', `${what}: port "${s}" is not a number`);
  const n = Number(s);
  if (n > 65535) return new SluiceError('bad_usage', `${what}: port ${n} is out of range 0..65535`);
  return n;
}

/** Splits "IP[:PORT]" with IPv6 in brackets. */
function splitHostPort(s: string): { host: string; port?: string } | SluiceError {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return new SluiceError('bad_usage', `missing "]" in "${s}"`);
    const rest = s.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return new SluiceError('bad_usage', `unexpected "${rest}" after "]" in "${s}"`);
    return rest === '' ? { host: s.slice(1, end) } : { host: s.slice(1, end), port: rest.slice(1) };
  }
  const i = s.indexOf(':');
  return i < 0 ? { host: s } : { host: s.slice(0, i), port: s.slice(i + 1) };
}

function checkHost(host: string, spec: string): SluiceError | null {
  if (host === '') return new SluiceError('bad_usage', `${spec}: missing IP address`);
  if (isIP(host) === 0) return new SluiceError('bad_usage', `${spec}: "${host}" is not an IP address`);
  return null;
}

export function parseTarget(spec: string): Target | SluiceError {
  const colon = spec.indexOf(':');
  if (colon < 0) return new SluiceError('bad_usage', `"${spec}": expected tcp:IP[:PORT], ssl:IP:PORT, unix:PATH, ptcp:PORT[:IP], pssl:PORT[:IP] or punix:PATH`);
  const kind = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  switch (kind) {
    case 'tcp':
    case 'ssl': {
      const hp = splitHostPort(rest);
      if (hp instanceof Error) return new SluiceError('bad_usage', `${spec}: ${hp.message}`);
      const e = checkHost(hp.host, spec);
      if (e) return e;
      if (hp.port === undefined && kind === 'ssl') return new SluiceError('bad_usage', `${spec}: ssl needs a port (ssl:IP:PORT)`);
      const port = hp.port === undefined ? OFP_TCP_PORT : parsePort(hp.port, spec);
      if (port instanceof Error) return port;
      if (port === 0) return new SluiceError('bad_usage', `${spec}: port 0 cannot be connected to`);
      return { kind, host: hp.host, port };
    }
    case 'ptcp':
    case 'pssl': {
      const i = rest.indexOf(':');
      const portStr = i < 0 ? rest : rest.slice(0, i);
      let host = i < 0 ? '127.0.0.1' : rest.slice(i + 1);
      if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
      const port = portStr === '' ? OFP_TCP_PORT : parsePort(portStr, spec);
      if (port instanceof Error) return port;
      const e = checkHost(host, spec);
      if (e) return e;
      return { kind, host, port };
    }
    case 'unix':
    case 'punix':
      if (rest === '') return new SluiceError('bad_usage', `${spec}: missing socket path`);
      return { kind, path: rest };
    default:
      return new SluiceError('bad_usage', `"${spec}": unknown connection method "${kind}" (expected tcp, ssl, unix, ptcp, pssl or punix)`);
  }
}

export function formatTarget(t: Target): string {
  switch (t.kind) {
    case 'unix': case 'punix': return `${t.kind}:${t.path}`;
    case 'tcp': case 'ssl': return `${t.kind}:${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
    case 'ptcp': case 'pssl': return `${t.kind}:${t.port}:${t.host}`;
  }
}
