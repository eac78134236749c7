/**
 * One meter band's token bucket (OF1.3.5 §5.7, §7.3.4.4).
 *
 * Units: a KBPS band counts bits (rate kbit/s = rate bits/ms, a packet costs 8 × bytes);
 * a PKTPS band counts packets (rate/1000 packets per ms, a packet costs 1).
 *
 * Burst: with OFPMF_BURST the bucket holds `burstSize` kbits or packets. Without it the
 * spec leaves the depth to the switch; Sluice uses 100 ms worth of the rate, but never
 * less than one 1500-byte frame (12 kbit) or one packet, so that a band with a small rate
 * still lets a full-size frame through now and then instead of dropping everything.
 *
 * Invariants
 *  - tokens ∈ [0, capacity]; the bucket starts full.
 *  - Time is passed in (ms, monotonic); a clock going backwards adds nothing.
 *  - `offer` allocates nothing.
 */
import { OFPMF_BURST, OFPMF_KBPS, type MeterBand } from './types.js';

export const DEFAULT_BURST_MS = 100;
const MIN_BURST_BITS = 1500 * 8;
const MIN_BURST_PKTS = 1;

export class BandBucket {
  packetCount = 0;
  byteCount = 0;
  readonly kbps: boolean;
  /** Tokens added per ms. */
  readonly perMs: number;
  readonly capacity: number;
  tokens: number;
  private lastMs: number;

  constructor(readonly band: MeterBand, flags: number, nowMs: number) {
    this.kbps = (flags & OFPMF_KBPS) !== 0;
    this.perMs = this.kbps ? band.rate : band.rate / 1000;
    if ((flags & OFPMF_BURST) !== 0) {
      this.capacity = this.kbps ? band.burstSize * 1000 : band.burstSize;
    } else {
      this.capacity = Math.max(this.perMs * DEFAULT_BURST_MS, this.kbps ? MIN_BURST_BITS : MIN_BURST_PKTS);
    }
    this.tokens = this.capacity;
    this.lastMs = nowMs;
  }

  get rate(): number {
    return this.band.rate;
  }

  /** Refills for the time passed, then takes the packet's cost if the bucket holds it.
   * Returns false when the packet exceeds this band's rate. */
  offer(bytes: number, nowMs: number): boolean {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.capacity, this.tokens + (nowMs - this.lastMs) * this.perMs);
      this.lastMs = nowMs;
    }
    const cost = this.kbps ? bytes * 8 : 1;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return true;
    }
    return false;
  }
}

/**
 * DSCP after a dscp_remark band with `precLevel` (OF1.3.5 §7.3.4.5 ofp_meter_band_dscp_remark:
 * prec_level is the number of drop precedence levels to add). Sluice follows the Assured
 * Forwarding classes of RFC 2597: DSCP AFcd = 8c + 2d (class c 1..4, drop precedence d
 * 1..3); the precedence rises by precLevel and saturates at 3, the highest RFC 2597 §3
 * defines (AF11 +1 → AF12, AF12 +2 → AF13, AF23 +1 stays AF23): a remark never moves a
 * packet to another class. Other code points (best effort, EF, class selectors) have no
 * drop precedence to raise and are left unchanged; so are packets without an IP header.
 * There is no Open vSwitch behaviour to copy: OVS 3.1 (netdev and kernel datapaths)
 * supports drop bands only (meter-features "band_types: drop") and refuses a dscp_remark
 * band with OFPMMFC_BAD_BAND.
 */
export function remarkDscp(dscp: number, precLevel: number): number {
  const cls = dscp >> 3;
  const dp = (dscp >> 1) & 3;
  if ((dscp & 1) !== 0 || cls < 1 || cls > 4 || dp < 1) return dscp;
  return cls * 8 + Math.min(3, dp + precLevel) * 2;
}
