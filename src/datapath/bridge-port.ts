/**
 * A port as the bridge holds it: the driver, its OpenFlow number and config/state bits,
 * its VLAN role for NORMAL, and its transmit staging queue.
 *
 * Invariants
 *  - `live` = link up and not administratively down (OFPPC_PORT_DOWN): what fast-failover
 *    watches (pipeline portLive) and what FLOOD/ALL/NORMAL send to. Any change of `live`
 *    or of `config` bumps the pipeline generation (the bridge does it), so no cached
 *    decision outlives the port set it was made for.
 *  - vlanMode: 'access' ports carry exactly one VLAN (`tag`) untagged; 'trunk' ports carry
 *    the VLANs in `trunks` (null = all) tagged, VLAN 0 (native) untagged. Untagged frames
 *    ARE VLAN 0: a trunk list without 0 drops them on input and never sends them out
 *    (Open vSwitch's `trunks` semantics). A port with no vlanMode is a trunk of all VLANs.
 */
import { readFileSync, statSync } from 'node:fs';
import { OFPPC_PORT_DOWN, OFPPS_LINK_DOWN, OFPPS_LIVE } from '../pipeline/types.js';
import type { Port } from '../ports/port.js';
import { TxQueue } from './tx-queue.js';

/** Default speed reported in port descriptions (10 Gb/s, what a veth/TAP claims). */
export const DEFAULT_SPEED_KBPS = 10_000_000;

export class BridgePort {
  config = 0;
  linkUp = false;
  readonly tx: TxQueue;
  /** When the bridge added the port (its clock, ms). */
  addedMs = 0;
  /** A tunnel port: its queue records each frame's tunnel metadata at output. */
  readonly tunnel: boolean;
  readonly access: boolean;
  readonly tag: number;
  private readonly trunks: Set<number> | null;

  constructor(
    readonly ofport: number,
    readonly port: Port,
    readonly hwAddr: Uint8Array,
    vlan: { vlanMode?: 'access' | 'trunk'; tag?: number; trunks?: number[] },
    txSlots: number,
    flush: (p: BridgePort) => void,
  ) {
    this.access = vlan.vlanMode === 'access';
    this.tag = vlan.tag ?? 0;
    this.trunks = vlan.trunks && vlan.trunks.length > 0 ? new Set(vlan.trunks) : null;
    this.tx = new TxQueue(txSlots, () => flush(this));
    this.tunnel = port.tunnel !== undefined;
    if (this.tunnel) this.tx.enableTunnel();
  }

  get live(): boolean {
    return this.linkUp && (this.config & OFPPC_PORT_DOWN) === 0;
  }

  get state(): number {
    return (this.linkUp ? 0 : OFPPS_LINK_DOWN) | (this.live ? OFPPS_LIVE : 0);
  }

  /** True when NORMAL may send frames of `vlan` (0 = native/untagged) out of this port. */
  carries(vlan: number): boolean {
    if (this.access) return vlan === this.tag;
    // VLAN 0 is not special here: an explicit list must name it (OVS `trunks`).
    return this.trunks === null || this.trunks.has(vlan);
  }

  /** The VLAN a frame received here belongs to, or -1 when the port must drop it.
   * `vid` is the frame's outer VID, -1 when untagged. */
  ingressVlan(vid: number): number {
    if (this.access) return vid <= 0 ? this.tag : -1; // VID 0 = priority-tagged only
    const v = vid < 0 ? 0 : vid;
    return this.carries(v) ? v : -1;
  }

  /** VID to put on a frame of `vlan` sent out here: -1 = untagged. */
  egressVid(vlan: number): number {
    return this.access || vlan === 0 ? -1 : vlan;
  }
}

let salt: string | undefined;

/** What tells this host (and network namespace) apart from another running a bridge of
 * the same name: /etc/machine-id and the inode of this process's network namespace. Two
 * hosts of one overlay both run `br0`; a controller that manages both must see two
 * datapath ids, as two OVS hosts give it two (theirs come from random bridge MACs). */
export function hostSalt(): string {
  if (salt === undefined) {
    let id = '';
    try {
      id = readFileSync('/etc/machine-id', 'utf8').trim();
    } catch { /* no machine id: the namespace alone tells hosts apart */ }
    try {
      id += `/${statSync('/proc/self/ns/net').ino}`;
    } catch { /* not Linux procfs */ }
    salt = id;
  }
  return salt;
}

/** A stable locally administered MAC from a name (FNV-1a) on this host (`hostSalt`): ports
 * have no MAC API. The same name gives the same MAC across restarts on one host, and a
 * different one on another host or in another network namespace. */
export function macFromName(name: string, host = hostSalt()): Uint8Array {
  let h = 0x811c9dc5;
  let g = 0x01000193;
  const text = `${host}\0${name}`;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    g = Math.imul(g ^ text.charCodeAt(i), 0x5bd1e995);
  }
  return Uint8Array.of(0x02, (g >>> 8) & 0xff, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
}
