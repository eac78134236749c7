/**
 * Adaptive busy polling: after traffic, a bridge keeps reading its ports' rings from the
 * event loop for a short window before it goes back to sleeping in poll(2).
 *
 * Why: on this class of machine (a VM, shared cores) a thread that sleeps is slow to wake
 * up and finds its caches cold. bench/README.md "Latency" has the breakdown: of a ping's
 * ~0.35 ms through an idle Sluice, the wake-up and the cold first burst take most of it;
 * while the loop polls, the same exchange takes ~0.07 ms. The window trades CPU for
 * latency only while there is traffic: with none for longer than the window, nothing runs
 * (idle CPU 0 %).
 *
 * How: one poller per process, shared by every bridge of the daemon. A bridge whose
 * burst moved frames calls kick(); while any bridge is within its window, the poller runs
 * one turn per event-loop iteration (setImmediate): one burst from each port of each
 * active bridge. Between turns the loop runs as usual (controller sockets, timers,
 * readiness callbacks), so polling never starves the control path; a turn only reads the
 * rings (an empty AF_PACKET ring costs no system call).
 *
 * Invariants
 *  - A bridge leaves the set once `windowMs` has passed since its last frame; the
 *    poller stops when the set is empty, so an idle daemon spins nothing.
 *  - A window of 0 never enters the set (plain poll(2) wake-ups, the behaviour without
 *    this module).
 *  - The window uses the real clock (performance.now), never a bridge's injected test clock.
 */

/** What the poller needs of a bridge: one burst from each of its ports. */
export interface BusyPolled {
  /** Reads one burst from every port; returns how many frames moved (0: nothing waiting). */
  pollOnce(): number;
  /** False once the bridge has stopped: it leaves the set. */
  readonly polling: boolean;
}

/** The default window, µs: covers a request's answer and back-to-back exchanges (TCP's
 * ACK clock) without keeping a core busy between sparse packets. bench/README.md "Latency"
 * has the curve this was chosen from. */
export const DEFAULT_BUSY_POLL_US = 200;

class BusyPoller {
  /** bridge → real time (ms) of its last frame and its window */
  private readonly active = new Map<BusyPolled, { last: number; windowMs: number }>();
  private scheduled = false;
  /** Turns run since the process started (the per-bridge counts are Receiver.turns; this one
   * tells an idle process from a spinning one). */
  turns = 0;

  /** Frames moved on `b`: (re)opens its window. */
  kick(b: BusyPolled, windowUs: number): void {
    if (windowUs <= 0) return;
    const now = performance.now();
    const s = this.active.get(b);
    if (s !== undefined) {
      s.last = now;
      s.windowMs = windowUs / 1000;
    } else this.active.set(b, { last: now, windowMs: windowUs / 1000 });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  }

  /** Bridges within their window now. */
  size(): number {
    return this.active.size;
  }

  private readonly turn = (): void => {
    this.turns++;
    for (const [b, s] of this.active) {
      if (!b.polling) {
        this.active.delete(b);
        continue;
      }
      const moved = b.pollOnce();
      const now = performance.now();
      if (moved !== 0) s.last = now;
      else if (now - s.last >= s.windowMs) this.active.delete(b);
    }
    if (this.active.size !== 0) setImmediate(this.turn);
    else this.scheduled = false;
  };
}

/** The process's poller (one event loop, one poller). */
export const busyPoller = new BusyPoller();
