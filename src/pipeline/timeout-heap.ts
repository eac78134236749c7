/**
 * A binary min-heap of (deadline, item), for flow timeouts (OF1.3.5 §5.5).
 *
 * Invariants
 *  - deadlines[i] <= deadlines[2i+1], deadlines[2i+2] (the usual heap order).
 *  - The heap is lazy: callers push an item's earliest possible deadline and, when it is
 *    popped, decide whether the item really expired (idle timers move as traffic arrives)
 *    or push it again with its new deadline. Items removed meanwhile are simply skipped.
 *    So only items that have timeouts cost anything, and each expiry pass touches only
 *    entries whose deadline has come.
 */
export class TimeoutHeap<T> {
  private deadlines: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The smallest deadline, or Infinity when empty. */
  peekDeadline(): number {
    return this.deadlines.length > 0 ? this.deadlines[0]! : Infinity;
  }

  push(deadline: number, item: T): void {
    const d = this.deadlines, it = this.items;
    let i = d.length;
    d.push(deadline);
    it.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (d[parent]! <= deadline) break;
      d[i] = d[parent]!;
      it[i] = it[parent]!;
      i = parent;
    }
    d[i] = deadline;
    it[i] = item;
  }

  /** Removes and returns the item with the smallest deadline (undefined when empty). */
  pop(): T | undefined {
    const d = this.deadlines, it = this.items;
    if (it.length === 0) return undefined;
    const top = it[0]!;
    const lastD = d.pop()!;
    const lastIt = it.pop()!;
    const n = it.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && d[c + 1]! < d[c]!) c++;
      if (d[c]! >= lastD) break;
      d[i] = d[c]!;
      it[i] = it[c]!;
      i = c;
    }
    d[i] = lastD;
    it[i] = lastIt;
    return top;
  }
}
