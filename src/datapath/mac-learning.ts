/**
 * MAC learning table for the NORMAL action (standalone fail-mode): (VLAN, MAC) → port.
 *
 * Invariants
 *  - An entry is valid while now - seenAt < agingMs (300 s by default, as in Open vSwitch).
 *    Expired entries are treated as absent at lookup and swept lazily by `expire`.
 *  - The table is bounded (`maxEntries`): when full, learning a new address evicts, as
 *    Open vSwitch does (mac-learning.c, evict_mac_entry_fairly), from the port that holds
 *    the most addresses, its entry not seen for the longest time (each port's set is kept
 *    in least-recently-seen order to a resolution of one second). A flood of random source
 *    addresses from one port thus evicts its own addresses, never the active ones of the
 *    other ports, and can neither grow memory nor make learning slow.
 *  - `version` changes whenever a lookup could now give a different answer (new address,
 *    address moved to another port, entry removed). Cached forwarding decisions that
 *    depended on the table are valid only for the version they were made under; merely
 *    refreshing an entry's timestamp does not change the version.
 *  - Group (multicast) source addresses are never learned.
 *
 * MACs are carried as numbers (48 bits fit exactly in a double), VLANs as 0..4095
 * (0 = untagged / native).
 */

export const DEFAULT_MAC_AGING_MS = 300_000;
export const DEFAULT_MAC_TABLE_SIZE = 8192;

export interface MacEntry {
  readonly vlan: number;
  readonly mac: number;
  port: number;
  seenAt: number;
}

export class MacLearningTable {
  private readonly byVlan = new Map<number, Map<number, MacEntry>>();
  /** Each port's entries in least-recently-seen order (Sets iterate in insertion order). */
  private readonly byPort = new Map<number, Set<MacEntry>>();
  private count = 0;
  version = 0;
  /** Told when an address is new, moved, or refreshed after ≥ 1 s (at most once a second per
   * address): a datapath worker shares what it learns with the others (workers/threaded-bridge.ts). */
  onLearn: ((vlan: number, mac: number, port: number) => void) | null = null;

  constructor(
    readonly agingMs = DEFAULT_MAC_AGING_MS,
    readonly maxEntries = DEFAULT_MAC_TABLE_SIZE,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Records that `mac` was seen on `port` in `vlan`. Returns the entry (or null for a
   * multicast source, which is not learned). */
  learn(vlan: number, mac: number, port: number, now: number): MacEntry | null {
    if (isGroupMac(mac)) return null;
    let macs = this.byVlan.get(vlan);
    if (!macs) {
      macs = new Map();
      this.byVlan.set(vlan, macs);
    }
    const old = macs.get(mac);
    if (old) {
      if (old.port !== port || now - old.seenAt >= this.agingMs) this.version++;
      // Keep each port's set roughly in least-recently-seen order, re-inserting at most
      // once a second per entry (or when it moves to another port).
      if (old.port !== port || now - old.seenAt >= 1000) {
        this.unlinkPort(old);
        old.port = port;
        this.linkPort(old);
        if (this.onLearn !== null) this.onLearn(vlan, mac, port);
      }
      old.seenAt = now;
      return old;
    }
    if (this.count >= this.maxEntries) this.evictFairly();
    const e: MacEntry = { vlan, mac, port, seenAt: now };
    macs.set(mac, e);
    this.linkPort(e);
    this.count++;
    this.version++;
    if (this.onLearn !== null) this.onLearn(vlan, mac, port);
    return e;
  }

  /** The port `mac` was last seen on in `vlan`, or -1 when unknown or aged out. */
  lookup(vlan: number, mac: number, now: number): number {
    const e = this.byVlan.get(vlan)?.get(mac);
    if (!e || now - e.seenAt >= this.agingMs) return -1;
    return e.port;
  }

  /** Removes aged entries; returns how many were removed. */
  expire(now: number): number {
    let removed = 0;
    for (const [vlan, macs] of this.byVlan) {
      for (const [mac, e] of macs) {
        if (now - e.seenAt >= this.agingMs) {
          macs.delete(mac);
          this.unlinkPort(e);
          removed++;
        }
      }
      if (macs.size === 0) this.byVlan.delete(vlan);
    }
    if (removed) {
      this.count -= removed;
      this.version++;
    }
    return removed;
  }

  /** Forgets every address learned on `port` (port removed or went down). */
  flushPort(port: number): void {
    const set = this.byPort.get(port);
    if (!set) return;
    const removed = set.size;
    for (const e of set) this.byVlan.get(e.vlan)?.delete(e.mac);
    this.byPort.delete(port);
    if (removed) {
      this.count -= removed;
      this.version++;
    }
  }

  *entries(): IterableIterator<MacEntry> {
    for (const macs of this.byVlan.values()) yield* macs.values();
  }

  /** Evicts the least recently seen entry of the port holding the most entries: O(ports),
   * not O(entries), so a flood of new source addresses stays cheap. */
  private evictFairly(): void {
    let most: Set<MacEntry> | null = null;
    for (const set of this.byPort.values()) if (!most || set.size > most.size) most = set;
    const head = most?.values().next();
    if (!head || head.done) return;
    const e = head.value;
    this.unlinkPort(e);
    this.byVlan.get(e.vlan)?.delete(e.mac);
    this.count--;
    this.version++;
  }

  private linkPort(e: MacEntry): void {
    let set = this.byPort.get(e.port);
    if (!set) this.byPort.set(e.port, (set = new Set()));
    set.add(e);
  }

  private unlinkPort(e: MacEntry): void {
    const set = this.byPort.get(e.port);
    if (!set) return;
    set.delete(e);
    if (set.size === 0) this.byPort.delete(e.port);
  }
}

/** The I/G bit: the least significant bit of the first octet. */
export function isGroupMac(mac: number): boolean {
  return Math.floor(mac / 2 ** 40) % 2 === 1;
}

export function macToString(mac: number): string {
  const parts: string[] = [];
  for (let i = 5; i >= 0; i--) parts.push((Math.floor(mac / 2 ** (8 * i)) & 0xff).toString(16).padStart(2, '0'));
  return parts.join(':');
}

export function macFromString(s: string): number {
  const m = /^([0-9a-f]{1,2})(?::([0-9a-f]{1,2})){5}$/i.test(s) ? s.split(':') : null;
  if (!m) throw new Error(`not a MAC address: ${s}`);
  return m.reduce((acc, p) => acc * 256 + parseInt(p, 16), 0);
}
