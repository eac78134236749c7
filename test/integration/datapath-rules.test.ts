/**
 * VLAN-like isolation built from explicit rules (needs root and the addon): a Bridge in
 * process, fail mode secure (empty tables, table-miss drops, no NORMAL), and a two-table
 * pipeline installed with bridge.flowMod:
 *
 *   table 0  in_port=1 → write_metadata 10, goto 1     table 1  metadata=10,in_port=1 → output:3
 *            in_port=3 → write_metadata 10, goto 1              metadata=10,in_port=3 → output:1
 *            in_port=2 → write_metadata 20, goto 1              (metadata=20: miss → drop)
 *
 * so A (port 1) and C (port 3) talk and B (port 2) is cut off (OF1.3.5 §5.1 pipeline, §5.8
 * write-metadata, §5.4 table-miss).
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { needs } from '../tools.js';
import { Bridge } from '../../src/datapath/bridge.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { OFPXMT_OFB_IN_PORT, OFPXMT_OFB_METADATA } from '../../src/packet/oxm.js';
import { flowMod, type Instruction, type OxmField } from '../../src/pipeline/types.js';
import { ping } from './ports-lab.js';
import { Lab, quietNetns } from './datapath-lab.js';

const need = needs('root', 'native', 'ip', 'ping', 'sysctl');

const be = (n: bigint, bytes: number) => {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};
const inPort = (p: number): OxmField => ({ field: OFPXMT_OFB_IN_PORT, value: be(BigInt(p), 4) });
const metadata = (m: bigint): OxmField => ({ field: OFPXMT_OFB_METADATA, value: be(m, 8) });

need.describe('secure mode, explicit two-table rules', () => {
  const lab = new Lab();
  const ns = { A: '', B: '', C: '' };
  let bridge: Bridge | undefined;

  beforeAll(async () => {
    ns.A = await quietNetns(lab, 'A');
    ns.B = await quietNetns(lab, 'B');
    ns.C = await quietNetns(lab, 'C');
    await lab.veth(ns.A, 'eth0', lab.name('ao'), '10.84.0.1/24');
    await lab.veth(ns.B, 'eth0', lab.name('bo'), '10.84.0.2/24');
    await lab.veth(ns.C, 'eth0', lab.name('co'), '10.84.0.3/24');
    bridge = new Bridge({
      name: lab.name('br'), failMode: 'secure', localPort: false,
      ports: [{ spec: lab.name('ao'), ofport: 1 }, { spec: lab.name('bo'), ofport: 2 }, { spec: lab.name('co'), ofport: 3 }],
    });
    bridge.start();
  });
  afterAll(async () => {
    bridge?.stop();
    await lab.cleanup();
  });

  it('forwards nothing before rules are installed', async () => {
    expect((await ping(ns.A, '10.84.0.3', 1)).ok).toBe(false);
    expect(bridge!.port(3)!.stats.txPackets).toBe(0);
  });

  it('A and C talk, B is cut off', async () => {
    const b = bridge!;
    const tag = (m: bigint): Instruction[] => [
      { type: 'write_metadata', metadata: m, mask: 0xfffn },
      { type: 'goto_table', tableId: 1 },
    ];
    const out = (port: number): Instruction[] => [{ type: 'apply_actions', actions: [{ type: 'output', port, maxLen: 0 }] }];
    const mods = [
      flowMod({ tableId: 0, priority: 100, match: [inPort(1)], instructions: tag(10n) }),
      flowMod({ tableId: 0, priority: 100, match: [inPort(3)], instructions: tag(10n) }),
      flowMod({ tableId: 0, priority: 100, match: [inPort(2)], instructions: tag(20n) }),
      flowMod({ tableId: 1, priority: 100, match: [metadata(10n), inPort(1)], instructions: out(3) }),
      flowMod({ tableId: 1, priority: 100, match: [metadata(10n), inPort(3)], instructions: out(1) }),
    ];
    for (const fm of mods) expect(isOFError(b.flowMod(fm))).toBe(false);

    expect((await ping(ns.A, '10.84.0.3', 3)).ok).toBe(true);
    expect((await ping(ns.C, '10.84.0.1', 3)).ok).toBe(true);
    expect((await ping(ns.A, '10.84.0.2', 2)).ok).toBe(false);
    expect((await ping(ns.B, '10.84.0.1', 2)).ok).toBe(false);
    expect(b.port(2)!.stats.txPackets).toBe(0); // nothing ever reached B
    expect(b.port(2)!.stats.rxPackets).toBeGreaterThan(0); // B's ARPs arrived and were dropped
    expect(b.port(3)!.stats.txPackets).toBeGreaterThanOrEqual(6);
  }, 40_000);
});
