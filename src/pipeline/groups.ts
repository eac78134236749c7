/**
 * The group table (OF1.3.5 §5.6) and OFPT_GROUP_MOD (§7.3.4.2) with its OFPGMFC_* errors.
 *
 * Invariants
 *  - Group ids are 0..OFPG_MAX. Types: all, select, indirect, fast-failover.
 *  - Indirect groups have exactly one bucket; fast-failover buckets each watch a port or a
 *    group; bucket actions are valid (§7.2.5) — checked without a match (a bucket has no
 *    match of its own), so prerequisites are the datapath's business.
 *  - The group graph (a bucket's group action → that group) is acyclic: an add or modify
 *    that would close a cycle is refused with OFPGMFC_LOOP. Since a group action must name
 *    an existing group, only a modify (or a self-reference) can try.
 *  - A group another group forwards to cannot be deleted on its own
 *    (OFPGMFC_CHAINED_GROUP, §7.4.4). Deleting OFPG_ALL deletes every group. Flow entries
 *    that forward to a deleted group are removed by the pipeline (§6.5), which learns the
 *    deleted ids from `apply`.
 *  - ref_count (§7.3.5.9 "flows or groups that directly forward to this group") = rules
 *    (maintained by the pipeline through `ruleRefs`) + groups (maintained here).
 *  - Counters are plain numbers (exact to 2^53), only changed by the pipeline's account().
 *    Modify keeps the group's counters and its creation time; buckets start afresh.
 */
import { lenientShape } from './shape.js';
import { validateActions } from './actions.js';
import {
  OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET, OFPGMFC_BAD_COMMAND, OFPGMFC_BAD_TYPE,
  OFPGMFC_BAD_WATCH, OFPGMFC_CHAINED_GROUP, OFPGMFC_GROUP_EXISTS, OFPGMFC_INVALID_GROUP,
  OFPGMFC_BUCKET_EXISTS, OFPGMFC_LOOP, OFPGMFC_UNKNOWN_BUCKET, OFPGMFC_UNKNOWN_GROUP, ofError, type OFError,
} from './errors.js';
import {
  OFPGC_ADD, OFPGC_DELETE, OFPGC_INSERT_BUCKET, OFPGC_MODIFY, OFPGC_REMOVE_BUCKET, OFPGT_ALL, OFPGT_FF, OFPGT_INDIRECT, OFPGT_SELECT,
  OFPG_BUCKET_ALL, OFPG_BUCKET_FIRST, OFPG_BUCKET_LAST, OFPG_BUCKET_MAX,
  OFPG_ALL, OFPG_ANY, OFPG_MAX, OFPP_ANY, type Action, type Bucket, type GroupMod,
} from './types.js';

export class GroupBucket {
  packetCount = 0;
  byteCount = 0;
  constructor(
    readonly weight: number,
    readonly watchPort: number,
    readonly watchGroup: number,
    readonly actions: readonly Action[],
    /** OF1.5's bucket_id: the controller's, or the bucket's position when it gave none. */
    readonly bucketId: number = 0,
  ) {}
}

export class Group {
  packetCount = 0;
  byteCount = 0;
  /** Rules whose instructions forward to this group (kept by the pipeline). */
  ruleRefs = 0;
  /** Groups whose buckets forward to this group (kept by GroupTable). */
  groupRefs = 0;

  constructor(
    readonly groupId: number,
    public type: number,
    public buckets: readonly GroupBucket[],
    readonly createdAt: number,
  ) {}

  get refCount(): number {
    return this.ruleRefs + this.groupRefs;
  }

  durationMs(nowMs: number): number {
    return nowMs - this.createdAt;
  }

  /** Groups this group's buckets forward to. */
  children(): number[] {
    return childrenOf(this.buckets);
  }
}

function childrenOf(buckets: readonly { readonly actions: readonly Action[] }[]): number[] {
  const ids: number[] = [];
  for (const b of buckets) for (const a of b.actions) if (a.type === 'group' && !ids.includes(a.groupId)) ids.push(a.groupId);
  return ids;
}

interface GroupTableOptions {
  portExists(port: number): boolean;
}

const gmErr = (code: number, msg: string): OFError => ofError(OFPET_GROUP_MOD_FAILED, code, msg);

export class GroupTable {
  private readonly groups = new Map<number, Group>();

  constructor(private readonly opts: GroupTableOptions) {}

  get(groupId: number): Group | undefined {
    return this.groups.get(groupId);
  }

  has(groupId: number): boolean {
    return this.groups.has(groupId);
  }

  get size(): number {
    return this.groups.size;
  }

  all(): IterableIterator<Group> {
    return this.groups.values();
  }

  /** Makes this (empty) table a copy of `src` with new Group objects: same ids, types,
   * buckets and group-to-group references; rule references 0 (the pipeline recounts). */
  loadFrom(src: GroupTable): void {
    for (const g of src.all()) {
      const c = new Group(g.groupId, g.type, g.buckets, g.createdAt);
      c.groupRefs = g.groupRefs;
      this.groups.set(g.groupId, c);
    }
  }

  /** Applies a group-mod. On success returns the ids of deleted groups (empty for add and
   * modify), so that the caller can remove the flow entries that used them. */
  apply(gm: GroupMod, nowMs: number): OFError | { deleted: number[] } {
    switch (gm.command) {
      case OFPGC_ADD:
      case OFPGC_MODIFY: {
        const e = this.check(gm);
        if (e !== null) return e;
        const old = this.groups.get(gm.groupId);
        if (gm.command === OFPGC_ADD && old) return gmErr(OFPGMFC_GROUP_EXISTS, `group ${gm.groupId} exists`);
        if (gm.command === OFPGC_MODIFY && !old) return gmErr(OFPGMFC_UNKNOWN_GROUP, `group ${gm.groupId} does not exist`);
        // (a bucket command's kept buckets are GroupBuckets already: their counters go on)
        const buckets = gm.buckets.map((b, i) => (b instanceof GroupBucket ? b : new GroupBucket(b.weight, b.watchPort, b.watchGroup, b.actions, b.bucketId ?? i)));
        if (old) {
          this.adjustChildRefs(old.children(), -1);
          old.type = gm.type;
          old.buckets = buckets;
        } else {
          this.groups.set(gm.groupId, new Group(gm.groupId, gm.type, buckets, nowMs));
        }
        this.adjustChildRefs(childrenOf(buckets), +1);
        return { deleted: [] };
      }
      case OFPGC_DELETE:
        return this.delete(gm.groupId);
      case OFPGC_INSERT_BUCKET:
      case OFPGC_REMOVE_BUCKET: {
        const g = this.groups.get(gm.groupId);
        if (!g) return gmErr(OFPGMFC_UNKNOWN_GROUP, `group ${gm.groupId} does not exist`);
        const buckets = gm.command === OFPGC_INSERT_BUCKET ? this.inserted(g, gm) : this.removed(g, gm);
        if (!Array.isArray(buckets)) return buckets;
        return this.apply({ command: OFPGC_MODIFY, type: g.type, groupId: g.groupId, buckets }, nowMs);
      }
      default:
        return gmErr(OFPGMFC_BAD_COMMAND, `group-mod command ${gm.command}`);
    }
  }

  /**
   * OF1.5.1 §6.7 OFPGC_INSERT_BUCKET: the message's buckets go first (OFPG_BUCKET_FIRST),
   * last (OFPG_BUCKET_LAST) or right after the bucket of that id (as Open vSwitch places
   * them); a bucket id the group lacks is OFPGMFC_UNKNOWN_BUCKET, an id it has already
   * OFPGMFC_BUCKET_EXISTS (checked on the result, as for an add).
   */
  private inserted(g: Group, gm: GroupMod): OFError | Bucket[] {
    const at = gm.commandBucketId ?? OFPG_BUCKET_LAST;
    const old: Bucket[] = [...g.buckets];
    const add = gm.buckets.map((b, i) => ({ ...b, bucketId: b.bucketId ?? old.length + i }));
    if (at === OFPG_BUCKET_FIRST) return [...add, ...old];
    if (at === OFPG_BUCKET_LAST) return [...old, ...add];
    const i = at <= OFPG_BUCKET_MAX ? old.findIndex((b) => b.bucketId === at) : -1;
    if (i < 0) return gmErr(OFPGMFC_UNKNOWN_BUCKET, `group ${g.groupId} has no bucket ${at}`);
    return [...old.slice(0, i + 1), ...add, ...old.slice(i + 1)];
  }

  /** OF1.5.1 §6.7 OFPGC_REMOVE_BUCKET: the first, the last, all, or the bucket of that id
   * (OFPGMFC_UNKNOWN_BUCKET when the group lacks it); the message carries no bucket. */
  private removed(g: Group, gm: GroupMod): OFError | Bucket[] {
    if (gm.buckets.length > 0) return gmErr(OFPGMFC_BAD_BUCKET, 'a remove-bucket group-mod carries no bucket');
    const old: Bucket[] = [...g.buckets];
    const at = gm.commandBucketId ?? OFPG_BUCKET_ALL;
    if (at === OFPG_BUCKET_ALL) return [];
    if (at === OFPG_BUCKET_FIRST) return old.slice(1);
    if (at === OFPG_BUCKET_LAST) return old.slice(0, -1);
    const i = at <= OFPG_BUCKET_MAX ? old.findIndex((b) => b.bucketId === at) : -1;
    if (i < 0) return gmErr(OFPGMFC_UNKNOWN_BUCKET, `group ${g.groupId} has no bucket ${at}`);
    return old.filter((_, k) => k !== i);
  }

  private delete(groupId: number): OFError | { deleted: number[] } {
    if (groupId === OFPG_ALL) {
      const deleted = [...this.groups.keys()];
      this.groups.clear();
      return { deleted };
    }
    if (groupId > OFPG_MAX) return gmErr(OFPGMFC_INVALID_GROUP, `group id 0x${groupId.toString(16)} is reserved`);
    const g = this.groups.get(groupId);
    if (!g) return { deleted: [] }; // §6.5: deleting a missing group is not an error
    if (g.groupRefs > 0) return gmErr(OFPGMFC_CHAINED_GROUP, `group ${groupId} is used by another group`);
    this.adjustChildRefs(g.children(), -1);
    this.groups.delete(groupId);
    return { deleted: [groupId] };
  }

  private adjustChildRefs(ids: readonly number[], by: number): void {
    for (const id of ids) {
      const c = this.groups.get(id);
      if (c) c.groupRefs += by;
    }
  }

  private check(gm: GroupMod): OFError | null {
    if (gm.groupId > OFPG_MAX) return gmErr(OFPGMFC_INVALID_GROUP, `group id 0x${gm.groupId.toString(16)} is reserved`);
    if (gm.type !== OFPGT_ALL && gm.type !== OFPGT_SELECT && gm.type !== OFPGT_INDIRECT && gm.type !== OFPGT_FF) {
      return gmErr(OFPGMFC_BAD_TYPE, `group type ${gm.type}`);
    }
    const ids = new Set<number>();
    for (let i = 0; i < gm.buckets.length; i++) {
      const id = gm.buckets[i]!.bucketId ?? i;
      if (ids.has(id)) return gmErr(OFPGMFC_BUCKET_EXISTS, `two buckets with bucket id ${id}`);
      ids.add(id);
    }
    if (gm.type === OFPGT_INDIRECT && gm.buckets.length !== 1) {
      return gmErr(OFPGMFC_BAD_BUCKET, `indirect group needs exactly one bucket, got ${gm.buckets.length}`);
    }
    for (const b of gm.buckets) {
      const e = this.checkBucket(gm, b);
      if (e !== null) return e;
    }
    if (this.wouldLoop(gm.groupId, childrenOf(gm.buckets))) {
      return gmErr(OFPGMFC_LOOP, `group ${gm.groupId} would forward to itself`);
    }
    return null;
  }

  private checkBucket(gm: GroupMod, b: Bucket): OFError | null {
    if (gm.type === OFPGT_FF) {
      if (b.watchPort === OFPP_ANY && b.watchGroup === OFPG_ANY) {
        return gmErr(OFPGMFC_BAD_WATCH, 'fast-failover bucket watches neither a port nor a group');
      }
      if (b.watchGroup !== OFPG_ANY && (b.watchGroup === gm.groupId || !this.groups.has(b.watchGroup))) {
        return gmErr(OFPGMFC_BAD_WATCH, `fast-failover bucket watches missing group ${b.watchGroup}`);
      }
    }
    // A bucket naming its own group loops even though the group does not exist yet.
    if (b.actions.some((a) => a.type === 'group' && a.groupId === gm.groupId)) {
      return gmErr(OFPGMFC_LOOP, `group ${gm.groupId} forwards to itself`);
    }
    return validateActions(b.actions, {
      portExists: (p) => this.opts.portExists(p),
      groupExists: (id) => this.groups.has(id),
    }, lenientShape());
  }

  /** True when `start`'s new children reach `start` through existing groups. */
  private wouldLoop(start: number, children: readonly number[]): boolean {
    const seen = new Set<number>();
    const stack = [...children];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === start) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      const g = this.groups.get(id);
      if (g) stack.push(...g.children());
    }
    return false;
  }
}
