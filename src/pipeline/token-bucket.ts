/**
 * Token bucket for packet-ins: `rate` per second, up to `burst` at once (the OpenFlow
 * agent's per-bridge limit, and each datapath worker's share of it). Refusals are counted
 * in `dropped`. Allocates nothing.
 */
/** A bridge's packet-in limit when nothing sets it: per second, and at once. */
export const DEFAULT_PACKET_IN_RATE = 1000;
export const DEFAULT_PACKET_IN_BURST = 100;

export class TokenBucket {
  dropped = 0;
  private tokens: number;
  private last: number;

  constructor(readonly rate = DEFAULT_PACKET_IN_RATE, readonly burst = DEFAULT_PACKET_IN_BURST, private readonly now: () => number = Date.now) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped++;
    return false;
  }
}
