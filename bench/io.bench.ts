/**
 * Port I/O measurements (root): ns A ── veth/TAP ── JS forwarding loop ── veth/TAP ── ns B.
 * For each port configuration: ping latency at low rate (where TPACKET_V3's block timeout
 * shows), TCP throughput with the hosts' default offloads on, and the forwarder's CPU while
 * idle (readiness comes from libuv polling, so it should be ~0).
 *
 *   sudo npx tsx bench/io.bench.ts [seconds]
 *
 * Figures drift ±5–15 % run to run on a shared 2-vCPU VM: compare rows of one run.
 */
import { AfPacketPort } from '../src/ports/afpacket.js';
import { TapPort } from '../src/ports/tap.js';
import type { Port } from '../src/ports/port.js';
import { Lab, forward, iperf, sh } from '../test/integration/ports-lab.js';

const seconds = Number(process.argv[2] ?? 4);

async function pingStats(ns: string, dst: string): Promise<string> {
  const out = await sh(`ip netns exec ${ns} ping -q -c 50 -i 0.02 -W 1 ${dst}`);
  const m = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(out);
  return m ? `${m[2]} ms avg (min ${m[1]}, max ${m[3]})` : 'failed';
}

async function idleCpuPercent(ms: number): Promise<number> {
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / 1000 / ms) * 100;
}

async function measure(label: string, p1: Port, p2: Port, A: string, B: string, dst: string): Promise<void> {
  const stop = forward(p1, p2);
  try {
    await sh(`ip netns exec ${A} ping -c 2 -i 0.2 ${dst}`); // ARP, warm-up
    const lat = await pingStats(A, dst);
    const gbps = await iperf(A, B, dst, seconds).catch(() => NaN);
    const idle = await idleCpuPercent(1000);
    const d = p1.stats().rxDropped + p2.stats().rxDropped;
    console.log(`| ${label} | ${lat} | ${gbps.toFixed(2)} | ${idle.toFixed(1)} % | ${d} |`);
  } finally {
    stop();
    p1.close();
    p2.close();
  }
}

const lab = new Lab();
try {
  const A = await lab.netns('A');
  const B = await lab.netns('B');
  await lab.veth(A, 'a0', lab.name('a1'), '10.80.0.1/24');
  await lab.veth(B, 'b0', lab.name('b1'), '10.80.0.2/24');
  console.log(`| ports | ping (50 × 20 ms) | TCP Gbit/s (${seconds} s) | idle CPU | socket drops |`);
  console.log('|---|---|---|---|---|');
  for (const ringVersion of [2, 3] as const) {
    const p1 = new AfPacketPort(lab.name('a1'), { ringVersion });
    const p2 = new AfPacketPort(lab.name('b1'), { ringVersion });
    p1.open();
    p2.open();
    await measure(`AF_PACKET TPACKET_V${ringVersion}, vnet hdr`, p1, p2, A, B, '10.80.0.2');
  }
  const t1 = new TapPort(lab.name('ta'));
  const t2 = new TapPort(lab.name('tb'));
  t1.open();
  t2.open();
  await sh(`ip link set ${t1.ifname} netns ${A} && ip -n ${A} addr add 10.81.0.1/24 dev ${t1.ifname} && ip -n ${A} link set ${t1.ifname} up`);
  await sh(`ip link set ${t2.ifname} netns ${B} && ip -n ${B} addr add 10.81.0.2/24 dev ${t2.ifname} && ip -n ${B} link set ${t2.ifname} up`);
  await measure('TAP, vnet hdr', t1, t2, A, B, '10.81.0.2');
} finally {
  await lab.cleanup();
}
