/**
 * Two-source transmit (zero-copy forwarding, native/src/tx.c) on real AF_PACKET sockets
 * (needs root): a batch mixing staged frames (`buf`) with frames in a second buffer
 * (`alt`, `sel[i] = 1`) goes out in order, with and without virtio-net headers; a bad
 * offset into `alt` is an error count, not a crash; a Bridge forwarding ping between
 * two namespaces really sends unmodified frames from the receive ring; and a Bridge of
 * two TAPs carries ping and TCP (GSO frames) that way.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { Bridge } from '../../src/datapath/bridge.js';
import { AfPacketPort } from '../../src/ports/afpacket.js';
import { TapPort } from '../../src/ports/tap.js';
import { needs } from '../tools.js';
import type { FrameBatch } from '../../src/ports/port.js';
import { Lab, iperf, ping, sh } from './ports-lab.js';

const need = needs('root', 'native', 'ip', 'iperf3', 'ping', 'sysctl');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const VNET = 10;

/** A broadcast frame of the local experimental ethertype 0x88b5 with a one-byte tag. */
function frame(tag: number, len = 80): Uint8Array {
  const f = new Uint8Array(len).fill(tag);
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5], 0);
  return f;
}

async function collect(p: AfPacketPort, want: number): Promise<number[][]> {
  const got: number[][] = [];
  for (let t = 0; t < 200 && got.length < want; t++) {
    const n = p.rxBurst();
    for (let i = 0; i < n; i++) {
      const f = p.burst.buf.subarray(p.burst.offs[i], p.burst.offs[i]! + p.burst.lens[i]!);
      if (f[12] === 0x88 && f[13] === 0xb5) got.push([f[14]!, f.length]);
    }
    if (n <= 0) await sleep(10);
  }
  return got;
}

need.describe('two-source txBurst (zero-copy forwarding)', () => {
  const lab = new Lab();
  let A = '';
  let B = '';

  beforeAll(async () => {
    const [x, y] = [lab.name('x1'), lab.name('x2')];
    await sh(`ip link add ${x} type veth peer name ${y} && sysctl -qw net.ipv6.conf.${x}.disable_ipv6=1 ` +
      `net.ipv6.conf.${y}.disable_ipv6=1 && ip link set ${x} up && ip link set ${y} up`);
    A = await lab.netns('A');
    B = await lab.netns('B');
    await lab.veth(A, 'a0', lab.name('a1'), '10.78.0.1/24');
    await lab.veth(B, 'b0', lab.name('b1'), '10.78.0.2/24');
  });
  afterAll(async () => {
    await lab.cleanup();
  });

  for (const vnet of [false, true]) {
    it(`sends staged and referenced frames in batch order (vnetHdr ${vnet})`, async () => {
      const tx = new AfPacketPort(lab.name('x1'), { vnetHdr: vnet });
      const rx = new AfPacketPort(lab.name('x2'), { vnetHdr: false });
      tx.open();
      rx.open();
      try {
        while (rx.rxBurst() > 0); // drop whatever the kernel sent meanwhile
        const staged = new Uint8Array(4096);
        const alt = new Uint8Array(4096); // zeroed: an all-zero virtio_net_hdr before each frame
        staged.set(frame(2, 300), 3 + VNET); // odd offset on purpose
        alt.set(frame(1, 60), 100);
        alt.set(frame(3, 1400), 1000);
        const b: FrameBatch = {
          buf: staged, offs: Uint32Array.of(100, 3 + VNET, 1000, 4000), lens: Uint32Array.of(60, 300, 1400, 200), count: 4,
          vnet, alt, altVnet: vnet, sel: Uint8Array.of(1, 0, 1, 1),
        };
        // frame 3 lies past the end of `alt`: refused and counted, the rest still go
        expect(tx.txBurst(b)).toBe(3);
        expect(tx.nativeStats()?.txErrors).toBe(1);
        expect(await collect(rx, 3)).toEqual([[1, 60], [2, 300], [3, 1400]]);
      } finally {
        tx.close();
        rx.close();
      }
    });
  }

  it('a bridge forwards ping with unmodified frames sent from the receive ring', async () => {
    const p1 = new AfPacketPort(lab.name('a1'));
    const p2 = new AfPacketPort(lab.name('b1'));
    let refs = 0;
    let copies = 0;
    for (const p of [p1, p2]) {
      const orig = p.txBurst.bind(p);
      p.txBurst = (b: FrameBatch) => {
        for (let i = 0; i < b.count; i++) if (b.alt && b.sel![i] === 1) refs++; else copies++;
        return orig(b);
      };
    }
    const br = new Bridge({
      name: lab.name('br'), failMode: 'standalone', localPort: false,
      ports: [{ spec: 'afpacket:a1', port: p1 }, { spec: 'afpacket:b1', port: p2 }],
    });
    br.start();
    try {
      const r = await ping(A, '10.78.0.2', 3);
      expect(r.ok).toBe(true);
      expect(refs).toBeGreaterThanOrEqual(6); // 3 requests + 3 replies at least
      expect(copies).toBe(0); // NORMAL between untagged ports rewrites nothing
    } finally {
      br.stop();
    }
  }, 30_000);

  it('a bridge of two TAPs (writev from the receive slots) carries ping and TCP with GSO', async () => {
    const C = await lab.netns('C');
    const D = await lab.netns('D');
    const t1 = new TapPort(lab.name('tc'));
    const t2 = new TapPort(lab.name('td'));
    const br = new Bridge({
      name: lab.name('bt'), failMode: 'standalone', localPort: false,
      ports: [{ spec: 'tap:c', port: t1 }, { spec: 'tap:d', port: t2 }],
    });
    br.start();
    try {
      await sh(`ip link set ${t1.ifname} netns ${C} && ip -n ${C} addr add 10.79.0.1/24 dev ${t1.ifname} && ip -n ${C} link set ${t1.ifname} up`);
      await sh(`ip link set ${t2.ifname} netns ${D} && ip -n ${D} addr add 10.79.0.2/24 dev ${t2.ifname} && ip -n ${D} link set ${t2.ifname} up`);
      expect((await ping(C, '10.79.0.2', 3)).ok).toBe(true);
      // (a write while a TAP moves between namespaces fails with EIO: not counted here)
      const errs = () => t1.stats().txErrors + t2.stats().txErrors;
      const e0 = errs();
      expect(await iperf(C, D, '10.79.0.2', 1)).toBeGreaterThan(0.05);
      expect(errs()).toBe(e0);
    } finally {
      br.stop();
    }
  }, 40_000);
});
