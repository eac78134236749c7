/**
 * Zero-copy forwarding through real ports (root): ns A ── veth ── [Bridge, NORMAL, two
 * AF_PACKET ports] ── veth ── ns B, TCP with the hosts' default offloads (GSO
 * super-frames of up to 64 KiB), the bridge once with zeroCopy (unmodified frames sent
 * straight from the input port's receive ring, native/src/tx.c two-source txBurst) and
 * once copying every frame into the staging queue (the previous behaviour). Rows
 * alternate (copy, zero-copy, copy, zero-copy) so drift on a shared VM shows.
 *
 *   sudo npx tsx bench/io-zero-copy.bench.ts [seconds]
 */
import { Bridge } from '../src/datapath/bridge.js';
import { AfPacketPort } from '../src/ports/afpacket.js';
import { Lab, iperf, sh } from '../test/integration/ports-lab.js';

const seconds = Number(process.argv[2] ?? 3);

async function once(lab: Lab, A: string, B: string, zeroCopy: boolean): Promise<number> {
  const p1 = new AfPacketPort(lab.name('a1'));
  const p2 = new AfPacketPort(lab.name('b1'));
  const br = new Bridge({
    name: lab.name('br'), failMode: 'standalone', localPort: false, zeroCopy,
    ports: [{ spec: 'afpacket:a1', port: p1 }, { spec: 'afpacket:b1', port: p2 }],
  });
  br.start();
  try {
    await sh(`ip netns exec ${A} ping -c 2 -i 0.2 10.82.0.2`); // ARP + MAC learning
    return await iperf(A, B, '10.82.0.2', seconds);
  } finally {
    br.stop();
  }
}

const lab = new Lab();
try {
  const A = await lab.netns('A');
  const B = await lab.netns('B');
  await lab.veth(A, 'a0', lab.name('a1'), '10.82.0.1/24');
  await lab.veth(B, 'b0', lab.name('b1'), '10.82.0.2/24');
  const res: Record<string, number[]> = { copy: [], zero: [] };
  for (let round = 0; round < 2; round++) {
    res.copy!.push(await once(lab, A, B, false));
    res.zero!.push(await once(lab, A, B, true));
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`| bridge (NORMAL, AF_PACKET V2, vnet hdr) | TCP Gbit/s, ${seconds} s × 2 | mean |`);
  console.log('|---|---|---|');
  console.log(`| copy into staging (before) | ${res.copy!.map((x) => x.toFixed(2)).join(' / ')} | ${avg(res.copy!).toFixed(2)} |`);
  console.log(`| zero-copy from the rx ring | ${res.zero!.map((x) => x.toFixed(2)).join(' / ')} | ${avg(res.zero!).toFixed(2)} |`);
  console.log(`ratio zero-copy/copy: ${(avg(res.zero!) / avg(res.copy!)).toFixed(2)}x`);
} finally {
  await lab.cleanup();
}
