/**
 * `sudo npx tsx bench/fabric/rings-ab.ts [ROUNDS] [SECONDS]` — AF_PACKET ring geometries
 * side by side in one run, on this build of the addon: ns A ── veth ── [two AfPacketPorts
 * and the tests' JS forwarding loop] ── veth ── ns B, the hosts with their default offloads
 * (TSO on: GSO super-frames of up to 64 KiB).
 *
 * Variants (interleaved, rotated each round):
 *   small-64m  the default: 64 MiB of 2 KiB slots (32,768); super-frames take the copy path
 *   big-64m    64 MiB of 69,904-byte slots (960), the geometry before 2 KiB slots
 *   small-256k 256 KiB of 2 KiB slots (128), the Mininet default
 *   big-512k   512 KiB of 87,376-byte slots (6), the Mininet default before
 * Per variant and round: TCP Gbit/s (iperf3, SECONDS), and a burst test: 1,000 MTU frames
 * sent at once into a port nobody reads, then counted (arrived / dropped by the kernel).
 * Prints median (min–max) per variant. Needs root, iperf3, ethtool, ip.
 * RINGS_AB_BRIDGE=1: the TCP runs through a Bridge (NORMAL, zero-copy) as in the daemon,
 * not the bare loop; RINGS_AB_VARIANTS="small-64m big-64m": a subset; RINGS_AB_BURST=0:
 * no burst test.
 */
import { Bridge } from '../../src/datapath/bridge.js';
import { AfPacketPort } from '../../src/ports/afpacket.js';
import type { FrameBatch } from '../../src/ports/port.js';
import { Lab, forward, iperf, sh } from '../../test/integration/ports-lab.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const SECONDS = Number(process.argv[3] ?? 3);
const KIB = 1024;
const MIB = 1024 * KIB;

interface Variant { name: string; opts: { blockSize: number; blockCount: number; frameSize?: number } }
const allVariants: Variant[] = [
  { name: 'small-64m', opts: { blockSize: MIB, blockCount: 64 } },
  { name: 'big-64m', opts: { blockSize: MIB, blockCount: 64, frameSize: 69_904 } },
  { name: 'small-256k', opts: { blockSize: 128 * KIB, blockCount: 2 } },
  { name: 'big-512k', opts: { blockSize: 256 * KIB, blockCount: 2, frameSize: 87_376 } },
];
const pick = process.env.RINGS_AB_VARIANTS?.split(/\s+/).filter(Boolean);
const variants = pick ? allVariants.filter((v) => pick.includes(v.name)) : allVariants;
const BRIDGE = process.env.RINGS_AB_BRIDGE === '1';
const BURST = process.env.RINGS_AB_BURST !== '0';

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[], d = 2) => !xs.length ? '-' : `${med(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 1,000 frames of 1,514 bytes (broadcast, an unused ethertype) in one txBurst. */
function burstFrames(n: number): FrameBatch {
  const len = 1514;
  const buf = new Uint8Array(n * len);
  const offs = new Uint32Array(n);
  const lens = new Uint32Array(n).fill(len);
  for (let i = 0; i < n; i++) {
    offs[i] = i * len;
    buf.fill(0xff, i * len, i * len + 6);
    buf.set([2, 0, 0, 0, 0, 1, 0x88, 0xb5], i * len + 6);
  }
  return { buf, offs, lens, count: n, vnet: false };
}

async function main(): Promise<void> {
  const lab = new Lab();
  const res = new Map<string, { gbps: number[]; copied: number[]; burst: number[]; dropped: number[] }>();
  for (const v of variants) res.set(v.name, { gbps: [], copied: [], burst: [], dropped: [] });
  try {
    const A = await lab.netns('A');
    const B = await lab.netns('B');
    await lab.veth(A, 'a0', lab.name('a1'), '10.78.0.1/24');
    await lab.veth(B, 'b0', lab.name('b1'), '10.78.0.2/24');
    const [g0, g1] = await lab.pair('g0', 'g1');
    const frames = burstFrames(1000);
    for (let r = 0; r < ROUNDS; r++) {
      const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
      if (r % 2) order.reverse();
      for (const v of order) {
        const out = res.get(v.name)!;
        const p1 = new AfPacketPort(lab.name('a1'), v.opts);
        const p2 = new AfPacketPort(lab.name('b1'), v.opts);
        if (!BRIDGE) {
          p1.open();
          p2.open();
        }
        let stop: () => void;
        if (BRIDGE) {
          const br = new Bridge({
            name: lab.name('br'), failMode: 'standalone', localPort: false,
            ports: [{ spec: 'afpacket:a1', port: p1 }, { spec: 'afpacket:b1', port: p2 }],
          });
          br.start();
          await sh(`ip netns exec ${A} ping -c 2 -i 0.2 10.78.0.2`); // ARP + MAC learning
          stop = () => br.stop();
        } else stop = forward(p1, p2);
        try {
          out.gbps.push(await iperf(A, B, '10.78.0.2', SECONDS));
          out.copied.push((p1.nativeStats()?.rxCopied ?? 0) + (p2.nativeStats()?.rxCopied ?? 0)); // before stop() closes them
        } finally {
          stop();
          p1.close();
          p2.close();
        }
        if (!BURST) continue;
        const tx = new AfPacketPort(g0, { vnetHdr: false });
        const rx = new AfPacketPort(g1, { vnetHdr: false, ...v.opts });
        tx.open();
        rx.open();
        try {
          let sent = 0;
          for (let k = 0; k < 20 && sent < frames.count; k++) {
            const part: FrameBatch = { ...frames, offs: frames.offs.subarray(sent), lens: frames.lens.subarray(sent), count: frames.count - sent };
            sent += Math.max(0, tx.txBurst(part));
          }
          await sleep(50);
          let got = 0;
          for (let n = rx.rxBurst(); n > 0; n = rx.rxBurst()) got += n;
          out.burst.push(got);
          out.dropped.push(rx.stats().rxDropped);
        } finally {
          tx.close();
          rx.close();
        }
      }
    }
  } finally {
    await lab.cleanup();
  }
  console.log(`| ring | TCP Gbit/s offloads on (${SECONDS} s) | super-frames via the copy path | of 1,000 MTU frames at once: received | dropped |`);
  console.log('|---|---|---|---|---|');
  for (const v of variants) {
    const o = res.get(v.name)!;
    console.log(`| ${v.name} | ${fmt(o.gbps)} | ${fmt(o.copied, 0)} | ${fmt(o.burst, 0)} | ${fmt(o.dropped, 0)} |`);
  }
  console.log(`median (min–max) of ${ROUNDS} rounds, variants interleaved, TCP through ${BRIDGE ? 'a Bridge (NORMAL)' : 'the bare forwarding loop'}; ${new Date().toISOString()}`);
}

void main();
