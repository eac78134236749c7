/**
 * TAP ports end to end (needs root): two TAP devices created by TapPort, moved into
 * namespaces A and B and configured there, joined by the JS forwarding loop. Proves ping,
 * TCP with offloads on (IFF_VNET_HDR: super-frames pass through), TCP without the header
 * (the kernel segments for us), a device deleted under the port, and that close() removes
 * the device.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { TapPort } from '../../src/ports/tap.js';
import { needs } from '../tools.js';
import { Lab, forward, iperf, ping, sh } from './ports-lab.js';

const need = needs('root', 'native', 'ip', 'iperf3', 'ping', 'sysctl');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

need.describe('TAP ports', () => {
  const lab = new Lab();
  let A = '';
  let B = '';

  beforeAll(async () => {
    A = await lab.netns('A');
    B = await lab.netns('B');
  });
  afterAll(async () => {
    await lab.cleanup();
  });

  /** Opens a TAP, moves it into ns, addresses it there. */
  async function tapIn(ns: string, suffix: string, addr: string, vnetHdr: boolean): Promise<TapPort> {
    const p = new TapPort(lab.name(suffix), { vnetHdr });
    p.open();
    await sh(`ip link set ${p.ifname} netns ${ns} && ip -n ${ns} addr add ${addr} dev ${p.ifname} && ip -n ${ns} link set ${p.ifname} up`);
    return p;
  }

  for (const vnetHdr of [true, false]) {
    it(`forwards ping and TCP between TAPs moved into namespaces (vnetHdr ${vnetHdr})`, async () => {
      const n = vnetHdr ? 'v' : 'p';
      const t1 = await tapIn(A, `t${n}a`, '10.78.0.1/24', vnetHdr);
      const t2 = await tapIn(B, `t${n}b`, '10.78.0.2/24', vnetHdr);
      const stop = forward(t1, t2);
      try {
        expect(t1.linkUp()).toBe(true);
        const r = await ping(A, '10.78.0.2', 3);
        console.log(`ping over the TAP loop (vnetHdr ${vnetHdr}): avg ${r.avgMs} ms`);
        expect(r.ok).toBe(true);
        const gbps = await iperf(A, B, '10.78.0.2', 2);
        console.log(`TCP over the TAP loop (vnetHdr ${vnetHdr}): ${gbps.toFixed(2)} Gbit/s`);
        expect(gbps).toBeGreaterThan(0.05);
        expect(t2.stats().txPackets).toBeGreaterThan(10);
      } finally {
        stop();
        t1.close();
        t2.close();
      }
      // close() removed the devices, wherever they were
      await expect(sh(`ip -n ${A} link show ${lab.name(`t${n}a`)}`)).rejects.toThrow();
    }, 40_000);
  }

  it('a TAP deleted under the port goes down without throwing', async () => {
    const t = await tapIn(A, 'tdel', '10.78.1.1/24', true);
    let wakes = 0;
    t.onReadable(() => {
      wakes++;
      while (t.rxBurst() > 0);
    });
    await sh(`ip -n ${A} link del ${t.ifname}`);
    for (let i = 0; i < 100 && t.linkUp(); i++) await sleep(10);
    expect(wakes).toBeGreaterThan(0);
    expect(t.linkUp()).toBe(false);
    expect(t.rxBurst()).toBeLessThan(0);
    const f = new Uint8Array(60);
    expect(() => t.txBurst({ buf: f, offs: Uint32Array.of(0), lens: Uint32Array.of(60), count: 1, vnet: false })).not.toThrow();
    expect(() => t.close()).not.toThrow();
  });

  it('the kernel picks the name for a pattern', () => {
    const t = new TapPort(lab.name('x%d'), { up: false });
    t.open();
    try {
      expect(t.ifname).toBe(lab.name('x0'));
    } finally {
      t.close();
    }
  });
});
