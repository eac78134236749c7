/**
 * When a bridge reads its ports: the readiness callbacks, the re-drain of a port that had
 * more than one wake's worth waiting, and the busy-poll turns after traffic (busy-poll.ts).
 *
 * Invariants
 *  - A readiness callback drains at most BURSTS_PER_WAKE bursts from its port, then yields
 *    to the event loop; a port that still had frames is drained again on the next turn
 *    (setImmediate), once, however many callbacks come meanwhile.
 *  - Frames moved (by a callback or a busy-poll turn) open or extend the bridge's busy-poll
 *    window; a turn skips ports already queued for a re-drain, so no port is read twice
 *    in one turn.
 *  - Nothing is read from a port the bridge no longer has, or after stop().
 */
import { busyPoller, type BusyPolled } from './busy-poll.js';
import type { BridgePort } from './bridge-port.js';
import type { Datapath } from './datapath.js';

/** Bursts drained per readiness callback before yielding to the event loop. */
const BURSTS_PER_WAKE = 16;

export class Receiver implements BusyPolled {
  /** The bridge forwards: set by start(), cleared by stop(). */
  polling = false;
  private readonly draining = new Set<BridgePort>();
  /** Busy-poll turns this bridge took part in, and the frames they read (metrics: how much
   * the window costs and what it catches). */
  turns = 0;
  polledFrames = 0;

  constructor(
    private readonly dp: Datapath,
    private readonly burst: number,
    private readonly busyPollUs: number,
    /** false once the port has been removed from the bridge */
    private readonly has: (p: BridgePort) => boolean,
  ) {}

  /** Reads `p` whenever it is readable, from now on. */
  arm(p: BridgePort): void {
    p.linkUp = p.port.linkUp();
    p.port.onReadable(() => this.wake(p));
  }

  stop(): void {
    this.polling = false;
    this.draining.clear();
  }

  private wake(p: BridgePort): void {
    if (!this.polling || !this.has(p)) return;
    const before = this.dp.received;
    const more = this.dp.drain(p, this.burst, BURSTS_PER_WAKE);
    if (this.dp.received !== before) busyPoller.kick(this, this.busyPollUs);
    if (more && !this.draining.has(p)) {
      this.draining.add(p);
      setImmediate(() => {
        this.draining.delete(p);
        this.wake(p);
      });
    }
  }

  /** BusyPolled: one burst from every live port; returns the frames moved. */
  pollOnce(): number {
    const before = this.dp.received;
    for (const p of this.dp.portList) if (p.linkUp && !this.draining.has(p)) this.dp.drain(p, this.burst, 1);
    const moved = this.dp.received - before;
    this.turns++;
    this.polledFrames += moved;
    return moved;
  }

  /** Drains every port until no frames are waiting, synchronously (tests, benchmarks).
   * Returns the number of drain rounds. */
  drainAll(): number {
    let rounds = 0;
    for (let more = true; more && rounds < 1_000_000; rounds++) {
      more = false;
      for (const p of this.dp.portList) if (p.linkUp && this.dp.drain(p, this.burst, 1)) more = true;
    }
    return rounds;
  }
}
