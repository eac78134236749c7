/**
 * Meters (OF1.3.5 §5.7) and OFPT_METER_MOD (§7.3.4.4) with its OFPMMFC_* errors.
 *
 * A meter measures the packets of the flow entries that name it (meter instruction) and
 * applies at most one band per packet: of the bands whose rate the packet exceeds, the one
 * with the highest rate (§5.7). Bands: drop, dscp_remark. Experimenter bands are refused.
 *
 * Invariants
 *  - Meter ids: 1..OFPM_MAX, plus the virtual OFPM_SLOWPATH and OFPM_CONTROLLER.
 *    OFPM_ALL is accepted only by delete (= every meter).
 *  - Flags: exactly one of OFPMF_KBPS / OFPMF_PKTPS; no unknown bits. Rates are > 0.
 *    With OFPMF_BURST each band needs a burst size > 0 (without it, burst_size is unused,
 *    §7.3.4.4, and a default depth applies: see meter-band.ts).
 *  - `apply` is the per-packet entry point: it allocates nothing, takes time as an
 *    argument and updates the meter and band counters itself (the only counters not
 *    updated by Pipeline.account, because a meter runs per packet even on cache hits).
 *  - Modify keeps the meter's counters and creation time; bands restart full.
 */
import { BandBucket, remarkDscp } from './meter-band.js';
import {
  OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND, OFPMMFC_BAD_BAND_VALUE, OFPMMFC_BAD_BURST,
  OFPMMFC_BAD_COMMAND, OFPMMFC_BAD_FLAGS, OFPMMFC_BAD_RATE, OFPMMFC_INVALID_METER,
  OFPMMFC_METER_EXISTS, OFPMMFC_UNKNOWN_METER, ofError, type OFError,
} from './errors.js';
import {
  OFPMC_ADD, OFPMC_DELETE, OFPMC_MODIFY, OFPMF_BURST, OFPMF_KBPS,
  OFPMF_PKTPS, OFPMF_STATS, OFPM_ALL, OFPM_CONTROLLER, OFPM_MAX, OFPM_SLOWPATH, type MeterBand,
  type MeterMod,
} from './types.js';

export const METER_PASS = 0;
export const METER_DROP = 1;
export const METER_REMARK = 2;
type MeterVerdict = typeof METER_PASS | typeof METER_DROP | typeof METER_REMARK;

/** In/out parameter of Meter.apply: the packet's DSCP (-1 when not IP); on
 * METER_REMARK it holds the new DSCP. Reuse one per worker. */
export interface MeterIO {
  dscp: number;
}

export class Meter {
  packetInCount = 0;
  byteInCount = 0;
  /** Flow entries using this meter (kept by the pipeline): meter stats flow_count. */
  flowCount = 0;
  bands: readonly BandBucket[];

  constructor(readonly meterId: number, public flags: number, bands: readonly MeterBand[], readonly createdAt: number) {
    this.bands = bands.map((b) => new BandBucket(b, flags, createdAt));
  }

  durationMs(nowMs: number): number {
    return nowMs - this.createdAt;
  }

  /** Meters one packet of `bytes` at `nowMs`. */
  apply(bytes: number, nowMs: number, io: MeterIO): MeterVerdict {
    this.packetInCount++;
    this.byteInCount += bytes;
    let hit: BandBucket | null = null;
    for (let i = 0; i < this.bands.length; i++) {
      const b = this.bands[i]!;
      if (!b.offer(bytes, nowMs) && (hit === null || b.rate > hit.rate)) hit = b;
    }
    if (hit === null) return METER_PASS;
    hit.packetCount++;
    hit.byteCount += bytes;
    const band = hit.band;
    if (band.type === 'dscp_remark') {
      if (io.dscp < 0) return METER_PASS; // nothing to remark on a non-IP packet
      io.dscp = remarkDscp(io.dscp, band.precLevel);
      return METER_REMARK;
    }
    return METER_DROP;
  }
}

const mmErr = (code: number, msg: string): OFError => ofError(OFPET_METER_MOD_FAILED, code, msg);
const KNOWN_FLAGS = OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS;

function validMeterId(id: number): boolean {
  return (id >= 1 && id <= OFPM_MAX) || id === OFPM_SLOWPATH || id === OFPM_CONTROLLER;
}

function checkMeter(mm: MeterMod): OFError | null {
  if (!validMeterId(mm.meterId)) return mmErr(OFPMMFC_INVALID_METER, `meter id 0x${mm.meterId.toString(16)}`);
  const kbps = (mm.flags & OFPMF_KBPS) !== 0;
  const pktps = (mm.flags & OFPMF_PKTPS) !== 0;
  if ((mm.flags & ~KNOWN_FLAGS) !== 0 || kbps === pktps) {
    return mmErr(OFPMMFC_BAD_FLAGS, `meter flags 0x${mm.flags.toString(16)}: need exactly one of KBPS, PKTPS`);
  }
  for (const b of mm.bands) {
    if (b.type !== 'drop' && b.type !== 'dscp_remark') return mmErr(OFPMMFC_BAD_BAND, `band type ${b.type} is not supported`);
    if (!(b.rate > 0)) return mmErr(OFPMMFC_BAD_RATE, `band rate ${b.rate}`);
    if ((mm.flags & OFPMF_BURST) !== 0 && !(b.burstSize > 0)) {
      return mmErr(OFPMMFC_BAD_BURST, 'OFPMF_BURST needs a burst size > 0');
    }
    if (b.type === 'dscp_remark' && !(b.precLevel >= 1 && b.precLevel <= 0xff)) {
      return mmErr(OFPMMFC_BAD_BAND_VALUE, `dscp_remark prec_level ${b.precLevel}`);
    }
  }
  return null;
}

export class MeterTable {
  private readonly meters = new Map<number, Meter>();

  get(meterId: number): Meter | undefined {
    return this.meters.get(meterId);
  }

  has(meterId: number): boolean {
    return this.meters.has(meterId);
  }

  get size(): number {
    return this.meters.size;
  }

  all(): IterableIterator<Meter> {
    return this.meters.values();
  }

  /** Makes this (empty) table a copy of `src` with new Meter objects sharing the bands
   * (a copy never meters packets); flow counts 0 (the pipeline recounts). */
  loadFrom(src: MeterTable): void {
    for (const m of src.all()) {
      const c = new Meter(m.meterId, m.flags, [], m.createdAt);
      c.bands = m.bands;
      this.meters.set(m.meterId, c);
    }
  }

  /** Applies a meter-mod; on success returns the ids of deleted meters so that the caller
   * removes the flow entries that used them. */
  apply(mm: MeterMod, nowMs: number): OFError | { deleted: number[] } {
    switch (mm.command) {
      case OFPMC_ADD: {
        const e = checkMeter(mm);
        if (e !== null) return e;
        if (this.meters.has(mm.meterId)) return mmErr(OFPMMFC_METER_EXISTS, `meter ${mm.meterId} exists`);
        this.meters.set(mm.meterId, new Meter(mm.meterId, mm.flags, mm.bands, nowMs));
        return { deleted: [] };
      }
      case OFPMC_MODIFY: {
        const e = checkMeter(mm);
        if (e !== null) return e;
        const m = this.meters.get(mm.meterId);
        if (!m) return mmErr(OFPMMFC_UNKNOWN_METER, `meter ${mm.meterId} does not exist`);
        m.flags = mm.flags;
        m.bands = mm.bands.map((b) => new BandBucket(b, mm.flags, nowMs));
        return { deleted: [] };
      }
      case OFPMC_DELETE: {
        if (mm.meterId === OFPM_ALL) {
          const deleted = [...this.meters.keys()];
          this.meters.clear();
          return { deleted };
        }
        if (!validMeterId(mm.meterId)) return mmErr(OFPMMFC_INVALID_METER, `meter id 0x${mm.meterId.toString(16)}`);
        // Deleting a missing meter is not an error (as for groups and flows).
        return this.meters.delete(mm.meterId) ? { deleted: [mm.meterId] } : { deleted: [] };
      }
      default:
        return mmErr(OFPMMFC_BAD_COMMAND, `meter-mod command ${mm.command}`);
    }
  }
}
