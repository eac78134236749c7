import { describe, expect, it } from 'vitest';
import { METER_DROP, METER_PASS, METER_REMARK, MeterTable, type MeterIO } from '../../src/pipeline/meters.js';
import { remarkDscp } from '../../src/pipeline/meter-band.js';
import * as E from '../../src/pipeline/errors.js';
import { isOFError, type OFError } from '../../src/pipeline/errors.js';
import {
  OFPMC_ADD, OFPMC_DELETE, OFPMC_MODIFY, OFPMF_BURST, OFPMF_KBPS, OFPMF_PKTPS, OFPM_ALL,
  OFPM_CONTROLLER, OFPM_MAX, type MeterBand, type MeterMod,
} from '../../src/pipeline/types.js';

const mm = (command: number, meterId: number, flags: number, bands: MeterBand[]): MeterMod => ({ command, meterId, flags, bands });
const drop = (rate: number, burstSize = 0): MeterBand => ({ type: 'drop', rate, burstSize });
const code = (r: OFError | { deleted: number[] }) => (isOFError(r) ? [r.type, r.code] : null);
const MM = (c: number) => [E.OFPET_METER_MOD_FAILED, c];

describe('meter-mod (OF1.3.5 §7.3.4.4)', () => {
  it('errors: exists, unknown, invalid ids, flags, rate, burst, band', () => {
    const t = new MeterTable();
    expect(code(t.apply(mm(OFPMC_ADD, 1, OFPMF_KBPS, [drop(100)]), 0))).toBeNull();
    expect(code(t.apply(mm(OFPMC_ADD, 1, OFPMF_KBPS, [drop(100)]), 0))).toEqual(MM(E.OFPMMFC_METER_EXISTS));
    expect(code(t.apply(mm(OFPMC_MODIFY, 2, OFPMF_KBPS, [drop(100)]), 0))).toEqual(MM(E.OFPMMFC_UNKNOWN_METER));
    expect(code(t.apply(mm(OFPMC_ADD, 0, OFPMF_KBPS, [drop(100)]), 0))).toEqual(MM(E.OFPMMFC_INVALID_METER));
    expect(code(t.apply(mm(OFPMC_ADD, OFPM_MAX + 1, OFPMF_KBPS, [drop(100)]), 0))).toEqual(MM(E.OFPMMFC_INVALID_METER));
    expect(code(t.apply(mm(OFPMC_ADD, OFPM_CONTROLLER, OFPMF_PKTPS, [drop(100)]), 0))).toBeNull();
    expect(code(t.apply(mm(OFPMC_ADD, 3, 0, [drop(100)]), 0))).toEqual(MM(E.OFPMMFC_BAD_FLAGS));
    expect(code(t.apply(mm(OFPMC_ADD, 3, OFPMF_KBPS | OFPMF_PKTPS, [drop(100)]), 0))).toEqual(MM(E.OFPMMFC_BAD_FLAGS));
    expect(code(t.apply(mm(OFPMC_ADD, 3, OFPMF_KBPS | 0x40, [drop(100)]), 0))).toEqual(MM(E.OFPMMFC_BAD_FLAGS));
    expect(code(t.apply(mm(OFPMC_ADD, 3, OFPMF_KBPS, [drop(0)]), 0))).toEqual(MM(E.OFPMMFC_BAD_RATE));
    expect(code(t.apply(mm(OFPMC_ADD, 3, OFPMF_KBPS | OFPMF_BURST, [drop(10, 0)]), 0))).toEqual(MM(E.OFPMMFC_BAD_BURST));
    expect(code(t.apply(mm(OFPMC_ADD, 3, OFPMF_KBPS, [{ type: 'experimenter', rate: 1, burstSize: 0, experimenter: 1 }]), 0))).toEqual(MM(E.OFPMMFC_BAD_BAND));
    expect(code(t.apply(mm(OFPMC_ADD, 3, OFPMF_KBPS, [{ type: 'dscp_remark', rate: 1, burstSize: 0, precLevel: 0 }]), 0))).toEqual(MM(E.OFPMMFC_BAD_BAND_VALUE));
    expect(code(t.apply(mm(7, 3, OFPMF_KBPS, []), 0))).toEqual(MM(E.OFPMMFC_BAD_COMMAND));
    expect(t.has(3)).toBe(false);
  });
  it('delete one, delete missing, delete all', () => {
    const t = new MeterTable();
    t.apply(mm(OFPMC_ADD, 1, OFPMF_KBPS, [drop(100)]), 0);
    t.apply(mm(OFPMC_ADD, 2, OFPMF_KBPS, [drop(100)]), 0);
    t.apply(mm(OFPMC_ADD, 3, OFPMF_KBPS, [drop(100)]), 0);
    expect(t.apply(mm(OFPMC_DELETE, 1, 0, []), 0)).toEqual({ deleted: [1] });
    expect(t.apply(mm(OFPMC_DELETE, 1, 0, []), 0)).toEqual({ deleted: [] });
    expect(t.apply(mm(OFPMC_DELETE, OFPM_ALL, 0, []), 0)).toEqual({ deleted: [2, 3] });
    expect(t.size).toBe(0);
  });
});

describe('meter bands (§5.7)', () => {
  const io: MeterIO = { dscp: -1 };
  it('pktps with burst: burst passes, then the rate, the rest is dropped', () => {
    const t = new MeterTable();
    t.apply(mm(OFPMC_ADD, 1, OFPMF_PKTPS | OFPMF_BURST, [drop(10, 5)]), 0);
    const m = t.get(1)!;
    // 20 packets at t=0: 5 (burst) pass, 15 dropped.
    let passed = 0;
    for (let i = 0; i < 20; i++) if (m.apply(100, 0, io) === METER_PASS) passed++;
    expect(passed).toBe(5);
    // One second later, 10 more tokens (rate 10/s).
    passed = 0;
    for (let i = 0; i < 20; i++) if (m.apply(100, 1000, io) === METER_PASS) passed++;
    expect(passed).toBe(5); // capacity is 5: the bucket cannot hold more than the burst
    expect([m.packetInCount, m.byteInCount]).toEqual([40, 4000]);
    expect([m.bands[0]!.packetCount, m.bands[0]!.byteCount]).toEqual([30, 3000]);
  });
  it('kbps: steady traffic at twice the rate loses about half', () => {
    const t = new MeterTable();
    // 800 kbit/s, burst 16 kbit (two 1000-byte packets).
    t.apply(mm(OFPMC_ADD, 1, OFPMF_KBPS | OFPMF_BURST, [drop(800, 16)]), 0);
    const m = t.get(1)!;
    // 1000-byte packets every 5 ms = 1600 kbit/s for 2 s.
    let passed = 0;
    for (let ms = 0; ms < 2000; ms += 5) if (m.apply(1000, ms, io) === METER_PASS) passed++;
    expect(passed).toBeGreaterThanOrEqual(200);
    expect(passed).toBeLessThanOrEqual(203);
  });
  it('kbps without OFPMF_BURST uses a default depth (traffic under the rate all passes)', () => {
    const t = new MeterTable();
    t.apply(mm(OFPMC_ADD, 1, OFPMF_KBPS, [drop(1000)]), 0);
    const m = t.get(1)!;
    // 500 kbit/s: 625-byte packets every 10 ms.
    let dropped = 0;
    for (let ms = 0; ms < 3000; ms += 10) if (m.apply(625, ms, io) === METER_DROP) dropped++;
    expect(dropped).toBe(0);
  });
  it('applies the highest-rate band that is exceeded', () => {
    const t = new MeterTable();
    t.apply(mm(OFPMC_ADD, 1, OFPMF_PKTPS | OFPMF_BURST, [
      { type: 'dscp_remark', rate: 10, burstSize: 2, precLevel: 1 },
      drop(20, 4),
    ]), 0);
    const m = t.get(1)!;
    const r: number[] = [];
    for (let i = 0; i < 6; i++) {
      const x: MeterIO = { dscp: 10 }; // AF11
      r.push(m.apply(64, 0, x), x.dscp);
    }
    // packets 1-2 fit both; 3-4 exceed the remark band only (AF11→AF12); 5-6 exceed both → drop.
    expect(r).toEqual([
      METER_PASS, 10, METER_PASS, 10, METER_REMARK, 12, METER_REMARK, 12, METER_DROP, 10, METER_DROP, 10,
    ]);
    expect(m.bands.map((b) => b.packetCount)).toEqual([2, 2]);
  });
  it('modify replaces bands and keeps meter counters', () => {
    const t = new MeterTable();
    t.apply(mm(OFPMC_ADD, 1, OFPMF_PKTPS | OFPMF_BURST, [drop(1, 1)]), 0);
    const m = t.get(1)!;
    m.apply(10, 0, io);
    m.apply(10, 0, io);
    expect(m.apply(10, 0, io)).toBe(METER_DROP);
    t.apply(mm(OFPMC_MODIFY, 1, OFPMF_PKTPS | OFPMF_BURST, [drop(1000, 100)]), 10);
    expect(m.apply(10, 10, io)).toBe(METER_PASS);
    expect(m.packetInCount).toBe(4);
  });
  it('remarkDscp raises AF drop precedence, saturating, and leaves other code points', () => {
    expect(remarkDscp(10, 1)).toBe(12); // AF11 → AF12
    expect(remarkDscp(10, 2)).toBe(14); // AF11 → AF13
    expect(remarkDscp(14, 1)).toBe(14); // AF13 stays
    expect(remarkDscp(34, 1)).toBe(36); // AF41 → AF42
    expect(remarkDscp(46, 1)).toBe(46); // EF
    expect(remarkDscp(0, 1)).toBe(0); // best effort
    expect(remarkDscp(8, 1)).toBe(8); // CS1
  });
});
