/**
 * What `sluice show` prints, in the shape of `ovs-vsctl show`: the daemon, then per bridge
 * its datapath id, fail mode, controllers (with is_connected), and ports (sorted by name,
 * as ovs-vsctl does) with their interface: ofport, type, link state, VLAN, patch peer.
 *
 *   sluice daemon (pid 4242, control socket /run/sluice/sluice.ctl, db /var/lib/sluice/conf.json)
 *       Bridge br0
 *           datapath_id: "00000000000000a1"
 *           fail_mode: standalone
 *           Controller "tcp:127.0.0.1:6653"
 *               is_connected: false
 *           Port veth-a
 *               tag: 10
 *               Interface veth-a
 *                   ofport: 1
 *                   type: afpacket
 *                   link_state: up
 *
 * The daemon builds a ShowResult (plain JSON: it crosses the control socket); the CLI
 * formats it. Pure, unit tested.
 */
import { OFPP_LOCAL } from '../pipeline/types.js';

interface ShowPort {
  name: string;
  /** OpenFlow port number; OFPP_LOCAL for the bridge's own port */
  ofport: number;
  kind: string;
  linkUp: boolean;
  tag?: number;
  /** trunk port: allowed VLANs, [] = all */
  trunks?: number[];
  /** patch ports: the peer's name */
  peer?: string;
  /** a configured port that could not be attached (OVS shows the Interface's error) */
  error?: string;
}

export interface ShowBridge {
  name: string;
  /** 16 hex digits */
  dpid: string;
  failMode: string;
  /** frames each datapath worker read, when the bridge has workers (--workers N) */
  workers?: number[];
  /** the datapath's drops by reason (datapath/drops.ts); shown when any is non-zero */
  drops?: Readonly<Record<string, number>>;
  controllers: { target: string; connected: boolean }[];
  listen: string[];
  ports: ShowPort[];
}

export interface ShowResult {
  pid: number;
  control: string;
  /** the persistent config file, or null when nothing is persisted */
  db: string | null;
  bridges: ShowBridge[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function formatShow(r: ShowResult): string {
  const out = [`sluice daemon (pid ${r.pid}, control socket ${r.control}, ${r.db === null ? 'configuration not persisted' : `db ${r.db}`})`];
  const at = (depth: number, s: string) => out.push(' '.repeat(4 * depth) + s);
  for (const b of [...r.bridges].sort(byName)) {
    at(1, `Bridge ${b.name}`);
    at(2, `datapath_id: "${b.dpid}"`);
    at(2, `fail_mode: ${b.failMode}`);
    if (b.workers !== undefined && b.workers.length > 0) at(2, `datapath_workers: ${b.workers.length} (rx frames ${b.workers.join(' / ')})`);
    const drops = Object.entries(b.drops ?? {}).filter(([, n]) => n > 0);
    if (drops.length > 0) at(2, `datapath_drops: {${drops.map(([k, n]) => `${k}=${n}`).join(', ')}}`);
    for (const c of b.controllers) {
      at(2, `Controller "${c.target}"`);
      at(3, `is_connected: ${c.connected}`);
    }
    for (const l of b.listen) at(2, `Listen "${l}"`);
    for (const p of [...b.ports].sort(byName)) {
      at(2, `Port ${p.name}`);
      if (p.tag !== undefined) at(3, `tag: ${p.tag}`);
      if (p.trunks !== undefined) at(3, `trunks: [${p.trunks.join(', ')}]`);
      at(3, `Interface ${p.name}`);
      at(4, `ofport: ${p.ofport === OFPP_LOCAL ? 'LOCAL' : p.ofport < 0 ? -1 : p.ofport}`);
      at(4, `type: ${p.ofport === OFPP_LOCAL ? 'internal' : p.kind}`);
      if (p.peer !== undefined) at(4, `options: {peer=${p.peer}}`);
      at(4, `link_state: ${p.linkUp ? 'up' : 'down'}`);
      if (p.error !== undefined) at(4, `error: "${p.error}"`);
    }
  }
  return out.join('\n') + '\n';
}
