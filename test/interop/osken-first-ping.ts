/**
 * The check the os-ken controller tests make (controller-osken.test.ts for OpenFlow 1.3,
 * controller-osken-of10/of14/of15.test.ts for the others), with the project's MAC-learning app in charge of
 * a secure bridge between namespaces A and B: the first ping goes through the controller
 * (ARP and echo each come up as packet-ins), the app installs its priority-1 flows, the next
 * pings are forwarded by the datapath alone (no new packet-in from A or B), and
 * `ovs-ofctl dump-flows` shows both flows used, with the app's idle timeout, beside the
 * table-miss rule.
 */
import { expect } from 'vitest';
import { sh } from '../integration/datapath-lab.js';
import type { Child } from '../integration/openflow-capture.js';
import { ping } from '../integration/ports-lab.js';

interface FirstPing {
  /** namespace A (pings) and B's address */
  from: string;
  to: string;
  osken: Child;
  /** packet-ins the app logged whose source is A or B */
  packetInsFromHosts: () => number;
  /** ovs-ofctl's -O value and the bridge's mgmt socket */
  ofVersion: 'OpenFlow10' | 'OpenFlow13' | 'OpenFlow14' | 'OpenFlow15';
  mgmt: string;
}

export async function expectFirstPingViaController(t: FirstPing): Promise<void> {
  // through a Python controller on 2 shared cores the first reply can take seconds (ARP and
  // echo each wait for a packet-in round trip): a longer wait, one echo
  const first = await ping(t.from, t.to, 1, 8);
  expect(first.ok, t.osken.lines.slice(-20).join('\n')).toBe(true);
  // ARP request, ARP reply and the first echo request each came up as a packet-in
  expect(t.packetInsFromHosts()).toBeGreaterThanOrEqual(2);
  await t.osken.waitFor(/SLUICE-FLOW-MOD .* out=1$/, 5000);
  await t.osken.waitFor(/SLUICE-FLOW-MOD .* out=2$/, 5000);
  await new Promise((r) => setTimeout(r, 300)); // let the last packet-out/flow-mod land
  const before = t.packetInsFromHosts();

  const second = await ping(t.from, t.to, 5);
  expect(second.ok).toBe(true);
  expect(t.packetInsFromHosts()).toBe(before);

  const flows = await sh(`ovs-ofctl -O ${t.ofVersion} dump-flows ${t.mgmt}`);
  const p1 = flows.split('\n').filter((l) => /priority=1,/.test(l));
  expect(p1.length, flows).toBe(2);
  for (const l of p1) {
    expect(Number(/n_packets=(\d+)/.exec(l)?.[1] ?? 0), l).toBeGreaterThan(0);
    expect(l).toMatch(/idle_timeout=60/);
  }
  expect(flows).toMatch(/priority=0 actions=CONTROLLER:65535/);
}
