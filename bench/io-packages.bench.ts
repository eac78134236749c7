/**
 * The `cap` npm package (libpcap bindings) against Sluice's addon as a port, same run,
 * same topology (root):  ns A ── veth ── [this process: forward both ways] ── veth ── ns B
 *
 *   addon  AF_PACKET TPACKET_V2 ports (bursts, one crossing per burst, vnet hdr), the
 *          forward() loop of the port integration tests;
 *   cap    one Cap per veth end (filter "inbound", so our own sends are not captured
 *          again), a JS 'packet' event per frame, Cap.send() (pcap_inject) per frame.
 *
 * Hosts run with checksum offload and TSO off (cap cannot carry partial checksums).
 * Per forwarder: ping latency (50 × 20 ms), and the receive+forward rate: iperf3 UDP
 * with 64-byte payloads at full speed A → B, packets per second that reached B (and the
 * loss), and the forwarder's own CPU time per packet delivered (robust to other load on a
 * shared machine); then TCP throughput (MTU-sized frames, offloads being off). Skips cleanly when not root, or when `cap` is not installed or did not build
 * (it is an optionalDependency; .ci/run installs libpcap-dev for it).
 *
 *   sudo npm run bench:io-packages -- [seconds]
 */
import { createRequire } from 'node:module';
import { AfPacketPort } from '../src/ports/afpacket.js';
import { Lab, forward, iperf, sh } from '../test/integration/ports-lab.js';

/** The part of cap's API used here (the package ships no types). */
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  on(ev: 'packet', cb: (nbytes: number, truncated: boolean) => void): void;
  send(buf: Buffer, len: number): void;
  close(): void;
}
type CapModule = { Cap: new () => CapHandle };

const seconds = Number(process.argv[2] ?? 3);

function loadCap(): CapModule | string {
  try {
    return createRequire(import.meta.url)('cap') as CapModule;
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}

async function pingAvg(ns: string, dst: string): Promise<string> {
  const out = await sh(`ip netns exec ${ns} ping -q -c 50 -i 0.02 -W 1 ${dst}`).catch(() => '');
  const m = /= ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(out);
  return m ? `${m[2]} ms (min ${m[1]})` : 'failed';
}

/** iperf3 UDP, 64-byte payloads, unlimited rate: received packets/s at B and loss %. */
async function udpRate(A: string, B: string, dst: string): Promise<{ pps: number; loss: number }> {
  const limit = seconds + 10;
  const srv = sh(`ip netns exec ${B} timeout ${limit} iperf3 -s -1 -B ${dst}`, (limit + 5) * 1000);
  srv.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  try {
    const out = await sh(`ip netns exec ${A} timeout ${limit} iperf3 -u -b 0 -l 64 -c ${dst} -t ${seconds} -J`, (limit + 5) * 1000);
    const j = JSON.parse(out) as { end: { sum: { packets: number; lost_packets: number; seconds: number } } };
    const s = j.end.sum;
    return { pps: (s.packets - s.lost_packets) / s.seconds, loss: (100 * s.lost_packets) / Math.max(1, s.packets) };
  } catch {
    return { pps: NaN, loss: NaN };
  } finally {
    await srv.catch(() => undefined);
  }
}

async function measure(label: string, A: string, B: string, dst: string): Promise<{ pps: number; row: string }> {
  await sh(`ip netns exec ${A} ping -c 2 -i 0.2 -W 1 ${dst}`).catch(() => ''); // ARP, warm-up
  const lat = await pingAvg(A, dst);
  const c0 = process.cpuUsage();
  const r = await udpRate(A, B, dst);
  // This process does nothing but forward meanwhile: its CPU per packet that reached B
  // is the forwarder's cost, whatever else the (shared) machine is doing.
  const c = process.cpuUsage(c0);
  const usPerPkt = (c.user + c.system) / (r.pps * seconds);
  const gbps = await iperf(A, B, dst, seconds).catch(() => NaN);
  return {
    pps: r.pps,
    row: `| ${label} | ${lat} | ${(r.pps / 1e3).toFixed(0)} k | ${r.loss.toFixed(1)} % | ${usPerPkt.toFixed(2)} µs | ${gbps.toFixed(2)} |`,
  };
}

function capForward(cap: CapModule, if1: string, if2: string): () => void {
  const c1 = new cap.Cap();
  const c2 = new cap.Cap();
  const b1 = Buffer.alloc(65_536);
  const b2 = Buffer.alloc(65_536);
  c1.open(if1, 'inbound', 16 << 20, b1);
  c2.open(if2, 'inbound', 16 << 20, b2);
  const fwd = (to: CapHandle, buf: Buffer) => (n: number) => {
    try {
      to.send(buf, n);
    } catch {
      // a frame the other side refuses (e.g. bigger than its MTU): dropped, as a port would
    }
  };
  c1.on('packet', fwd(c2, b1));
  c2.on('packet', fwd(c1, b2));
  return () => {
    c1.close();
    c2.close();
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('io-packages: SKIPPED (needs root for namespaces and raw sockets)');
    return;
  }
  const cap = loadCap();
  if (typeof cap === 'string') {
    console.log(`io-packages: SKIPPED (cap is not installed or did not build: ${cap})`);
    return;
  }
  const lab = new Lab();
  try {
    const A = await lab.netns('A');
    const B = await lab.netns('B');
    await lab.veth(A, 'a0', lab.name('a1'), '10.83.0.1/24');
    await lab.veth(B, 'b0', lab.name('b1'), '10.83.0.2/24');
    // cap has no virtio-net header: with checksum offload on, the hosts' frames carry
    // partial checksums that it would forward unfinished (B drops them, TCP stalls).
    // Both forwarders are measured with offloads off, so the rows compare like for like.
    for (const [ns, dev] of [[A, 'a0'], [B, 'b0']]) await sh(`ip netns exec ${ns} ethtool -K ${dev} tx off tso off gso off`);
    console.log(`| forwarder | ping avg (50 × 20 ms) | UDP 64 B received pkt/s (${seconds} s) | loss | forwarder CPU per packet | TCP Gbit/s (MTU frames) |`);
    console.log('|---|---|---|---|---|---|');
    // Default ports (vnet hdr: 68 KiB ring frames, 240 of them) and plain ones (2 KiB
    // frames, 8,192 of them: what a small-packet flood needs).
    let addon = { pps: 0, row: '' };
    for (const vnetHdr of [true, false]) {
      const p1 = new AfPacketPort(lab.name('a1'), { vnetHdr });
      const p2 = new AfPacketPort(lab.name('b1'), { vnetHdr });
      p1.open();
      p2.open();
      const stopAddon = forward(p1, p2);
      const label = `Sluice addon (AF_PACKET V2 bursts, ${vnetHdr ? 'vnet hdr' : 'plain'})`;
      const r = await measure(label, A, B, '10.83.0.2').finally(() => {
        stopAddon();
        p1.close();
        p2.close();
      });
      console.log(r.row);
      if (!(r.pps <= addon.pps)) addon = r;
    }
    const stopCap = capForward(cap, lab.name('a1'), lab.name('b1'));
    const viaCap = await measure('cap (libpcap, per packet)', A, B, '10.83.0.2').finally(stopCap);
    console.log(viaCap.row);
    console.log(`ratio best addon row/cap (UDP pkt/s): ${(addon.pps / viaCap.pps).toFixed(2)}x`);
  } finally {
    await lab.cleanup();
  }
}

await main();
