// Meters through the datapath with a fake clock (OF1.3.5 §5.7 meter table, §7.3.4.5 meter
// bands): a dscp_remark band remarks exactly the packets over its rate, as a drop band
// drops exactly them. Offered twice the band rate for 5 s (kbps and pktps, IPv4 and IPv6,
// steady and in bursts, first packet and cached), the unremarked packets leave at the band
// rate plus the bucket depth (meter-band.ts: 100 ms of the rate without OFPMF_BURST), the
// others leave with drop precedence raised by prec_level (AF21 → AF22: DSCP 18 → 20); a
// drop band under the same traffic passes the very same packets. Non-IP packets (ARP) pass
// a remark band unchanged; an AF class at its highest drop precedence stays there
// (RFC 2597 §3: three drop precedences per class).
import { describe, expect, it } from 'vitest';
import { DEFAULT_BURST_MS } from '../../src/pipeline/meter-band.js';
import {
  OFPMC_ADD, OFPMF_KBPS, OFPMF_PKTPS, type MeterBand,
} from '../../src/pipeline/types.js';
import { apply, fm, oxm, out } from './pipeline-helpers.js';
import { arpFrame, ipFrame, MAC, rig } from './datapath-helpers.js';

const AF21 = 18;
const AF22 = 20;

function ipv4Checksum(f: Uint8Array): void {
  f[24] = 0;
  f[25] = 0;
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (f[i]! << 8) | f[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  s = ~s & 0xffff;
  f[24] = s >> 8;
  f[25] = s & 0xff;
}

/** An Ethernet + IPv4 or IPv6 + UDP frame of `len` bytes with DSCP `dscp`. */
function frame(v6: boolean, len: number, dscp: number, sport = 1000): Uint8Array {
  if (!v6) {
    const f = ipFrame({ payload: len - 42, sport });
    f[15] = dscp << 2;
    ipv4Checksum(f);
    return f;
  }
  const f = new Uint8Array(len);
  f.set([...MAC(2), ...MAC(1), 0x86, 0xdd], 0);
  const tc = dscp << 2;
  f.set([0x60 | (tc >> 4), (tc & 0xf) << 4, 0, 0, 0, 0, 17, 64], 14);
  f.set([(len - 54) >> 8, (len - 54) & 0xff], 18);
  f.set([0xfd, 0, ...new Array<number>(13).fill(0), 1], 22);
  f.set([0xfd, 0, ...new Array<number>(13).fill(0), 2], 38);
  f.set([sport >> 8, sport & 0xff, 0x13, 0x89, (len - 54) >> 8, (len - 54) & 0xff], 54);
  return f;
}

/** DSCP of a received frame (hex as the rig returns it), -1 when not IP. */
function dscpOf(hex: string): number {
  const et = hex.slice(24, 28);
  if (et === '0800') return parseInt(hex.slice(30, 32), 16) >> 2;
  if (et === '86dd') return ((parseInt(hex.slice(28, 31), 16) >> 2) & 0x3f);
  return -1;
}

interface Run { unchanged: number; remarked: number; other: number; offered: number }

/**
 * Offers `pps` packets per second of `len` bytes for `seconds` to a meter with one band of
 * `type` at `rate`, in bursts of `burst` packets; counts what leaves port 2 by DSCP.
 */
function offer(o: { type: 'drop' | 'dscp_remark'; flags: number; rate: number; v6: boolean; len: number; pps: number; seconds: number; burst: number; dscp?: number; flows?: number }): Run {
  const r = rig(2);
  const band: MeterBand = o.type === 'drop'
    ? { type: 'drop', rate: o.rate, burstSize: 0 }
    : { type: 'dscp_remark', rate: o.rate, burstSize: 0, precLevel: 1 };
  expect(r.bridge.meterMod({ command: OFPMC_ADD, meterId: 1, flags: o.flags, bands: [band] })).toEqual({ removed: [] });
  expect(r.bridge.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [{ type: 'meter', meterId: 1 }, apply(out(2))] }))).toEqual({ removed: [] });
  const dscp = o.dscp ?? AF21;
  const frames = Array.from({ length: o.flows ?? 1 }, (_, i) => frame(o.v6, o.len, dscp, 1000 + i));
  const n = Math.round(o.pps * o.seconds);
  const run: Run = { unchanged: 0, remarked: 0, other: 0, offered: n };
  const start = r.clock.t;
  for (let i = 0; i < n; i += o.burst) {
    // a fractional clock, as performance.now() gives
    r.clock.t = start + (i * 1000) / o.pps + 0.37;
    const batch: Uint8Array[] = [];
    for (let j = i; j < Math.min(n, i + o.burst); j++) batch.push(frames[j % frames.length]!);
    r.send(1, ...batch);
    for (const h of r.take(2)) {
      const d = dscpOf(h);
      if (d === dscp) run.unchanged++;
      else if (d === AF22) run.remarked++;
      else run.other++;
    }
  }
  r.bridge.stop();
  return run;
}

describe('dscp_remark band remarks exactly the excess (fake clock)', () => {
  const SECONDS = 5;
  for (const v6 of [false, true]) {
    for (const [unit, flags, rate, pps, len] of [
      ['pktps', OFPMF_PKTPS, 200, 400, 200],
      ['kbps', OFPMF_KBPS, 2000, 0, 500],
    ] as const) {
      // kbps: 2 Mbit/s band, 4 Mbit/s offered
      const offeredPps = unit === 'kbps' ? (2 * rate * 1000) / (len * 8) : pps;
      for (const burst of [1, 8]) {
        it(`${unit}, IPv${v6 ? 6 : 4}, bursts of ${burst}: unremarked at the band rate, the rest AF21 → AF22, as a drop band passes`, () => {
          const base = { flags, rate, v6, len, pps: offeredPps, seconds: SECONDS, burst, flows: 3 };
          const remark = offer({ type: 'dscp_remark', ...base });
          const drop = offer({ type: 'drop', ...base });
          // what the band allows over the window: the rate, plus the bucket it starts with
          const perPacket = unit === 'kbps' ? len * 8 : 1;
          const allowed = (rate * (unit === 'kbps' ? 1000 : 1) * (SECONDS + DEFAULT_BURST_MS / 1000)) / perPacket;
          expect(remark.other).toBe(0);
          expect(remark.unchanged + remark.remarked).toBe(remark.offered);
          expect(Math.abs(remark.unchanged - allowed)).toBeLessThanOrEqual(burst + 1);
          // over the whole window: the band rate within 5 %
          expect(Math.abs(remark.unchanged / SECONDS - (rate * (unit === 'kbps' ? 1000 : 1)) / perPacket) / ((rate * (unit === 'kbps' ? 1000 : 1)) / perPacket)).toBeLessThan(0.05);
          // the remark band lets through unremarked exactly what the drop band lets through
          expect(drop.unchanged).toBe(remark.unchanged);
          expect(drop.remarked + drop.other).toBe(0);
        });
      }
    }
  }

  it('ARP (no IP header) passes a dscp_remark band unchanged, counted in the band', () => {
    const r = rig(2);
    r.bridge.meterMod({ command: OFPMC_ADD, meterId: 1, flags: OFPMF_PKTPS, bands: [{ type: 'dscp_remark', rate: 10, burstSize: 0, precLevel: 1 }] });
    r.bridge.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [{ type: 'meter', meterId: 1 }, apply(out(2))] }));
    const arp = arpFrame(MAC(1));
    const hex = Buffer.from(arp).toString('hex');
    r.send(1, ...Array.from({ length: 5 }, () => arp)); // bucket of 1 packet: 4 exceed
    expect(r.take(2)).toEqual(Array.from({ length: 5 }, () => hex));
    const m = r.bridge.pipeline.meter(1)!;
    expect(m.packetInCount).toBe(5);
    expect(m.bands[0]!.packetCount).toBe(4);
  });

  it('prec_level raises the drop precedence within the AF class and saturates at AFx3 (RFC 2597); other code points are left', () => {
    const r = rig(2);
    r.bridge.meterMod({ command: OFPMC_ADD, meterId: 1, flags: OFPMF_PKTPS, bands: [{ type: 'dscp_remark', rate: 10, burstSize: 0, precLevel: 1 }] });
    r.bridge.meterMod({ command: OFPMC_ADD, meterId: 2, flags: OFPMF_PKTPS, bands: [{ type: 'dscp_remark', rate: 10, burstSize: 0, precLevel: 2 }] });
    r.bridge.flowMod(fm({ match: [oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('udp_src', 1)], instructions: [{ type: 'meter', meterId: 1 }, apply(out(2))] }));
    r.bridge.flowMod(fm({ match: [oxm('eth_type', 0x0800), oxm('ip_proto', 17), oxm('udp_src', 2)], instructions: [{ type: 'meter', meterId: 2 }, apply(out(2))] }));
    const cases: [number, number, number][] = [
      // [meter, dscp in, dscp out when over the rate]
      [1, 10, 12], [1, 12, 14], [1, 14, 14], [1, 18, 20], [1, 22, 22], [1, 38, 38], // AF11→12, AF12→13, AF13, AF21→22, AF23, AF43
      [2, 10, 14], [2, 12, 14], [2, 34, 38], // AF11+2→AF13, AF12+2 saturates, AF41+2→AF43
      [1, 0, 0], [1, 46, 46], [1, 8, 8], [1, 48, 48], // best effort, EF, CS1, CS6: no drop precedence
    ];
    for (const [meter, din, dout] of cases) {
      r.clock.t += 10_000; // buckets full again (1 packet)
      const f = frame(false, 100, din, meter);
      r.send(1, f, f);
      expect(r.take(2).map(dscpOf)).toEqual([din, dout]);
    }
  });
});
