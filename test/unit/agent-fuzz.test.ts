/**
 * Agent-level fuzz (seeded, bounded): valid encodings of every message a controller sends
 * are mutated (random bytes, 16-bit lengths, message type, OXM and action headers,
 * truncation, extension — the codec fuzz's mutations) and fed to a real OpenFlowAgent on
 * a real Bridge with memory ports, while frames go through the ports (packet-ins fill the
 * buffer pool). Invariants:
 *  - nothing throws out of the agent (process 'uncaughtException' + the test itself);
 *  - everything the agent writes frames into messages decodeMessage accepts, and every
 *    OFPT_ERROR has a type/code that exists in OF1.3.5 §7.4.4;
 *  - with honest framing (header length = bytes sent, ≥ 8) the connection never closes;
 *    a header length < 8 (a framing error, §7.1) closes it after an error;
 *  - state stays bounded: rules, packet buffer pool, heap.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenFlowAgent } from '../../src/openflow/agent.js';
import { OFConnection } from '../../src/openflow/connection.js';
import { encodeMessage, type OFMessage } from '../../src/openflow/index.js';
import { OFPP_ANY, OFPG_ANY, OFPTT_ALL, OFPP_CONTROLLER, flowMod } from '../../src/pipeline/types.js';
import { socketPair, TestController } from './agent-helpers.js';
import { arpFrame, ipFrame, MAC, rig } from './datapath-helpers.js';
import { SAMPLE_MATCH, sampleMessages } from './openflow-samples.js';

const MAX_CODE: Record<number, number> = {
  0: 1, 1: 13, 2: 15, 3: 8, 4: 11, 5: 7, 6: 14, 7: 4, 8: 2, 9: 2, 10: 2, 11: 2, 12: 11, 13: 5,
};

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** Messages a controller sends (sampleMessages minus switch-to-controller types) plus extras. */
const CONTROLLER_TYPES = new Set([
  'hello', 'echo_request', 'experimenter', 'features_request', 'get_config_request', 'set_config',
  'packet_out', 'flow_mod', 'group_mod', 'port_mod', 'table_mod', 'multipart_request',
  'barrier_request', 'queue_get_config_request', 'role_request', 'get_async_request', 'set_async', 'meter_mod',
]);
function seeds(): Uint8Array[] {
  const extra: OFMessage[] = [
    { type: 'flow_mod', xid: 90, ...flowMod({ priority: 5, match: SAMPLE_MATCH, instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: 128 }] }] }) },
    { type: 'port_mod', xid: 91, portNo: 1, hwAddr: new Uint8Array(MAC(1)), config: 1, mask: 1, advertise: 0 },
    { type: 'multipart_request', xid: 92, flags: 0, body: { kind: 'flow', tableId: OFPTT_ALL, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] } },
  ];
  return [...sampleMessages().filter((m) => CONTROLLER_TYPES.has(m.type)), ...extra].map(encodeMessage);
}

const INTERESTING16 = [0, 1, 4, 7, 8, 9, 15, 16, 24, 0x7fff, 0xfff8, 0xffff];

/** The codec fuzz's mutations; the header length is then made honest and ≥ 8. */
function mutate(rand: () => number, seed: Uint8Array): Uint8Array {
  let b: Uint8Array = seed.slice();
  const at = () => rand() % Math.max(1, b.length);
  const even = () => (rand() % Math.max(1, b.length >> 1)) << 1;
  for (let i = 1 + (rand() % 3); i > 0; i--) {
    switch (rand() % 7) {
      case 0: b[at()] = rand() & 0xff; break;
      case 1: { const o = even(); if (o + 1 < b.length) { const v = INTERESTING16[rand() % INTERESTING16.length]!; b[o] = v >> 8; b[o + 1] = v & 0xff; } break; }
      case 2: b[1] = rand() % 34; break;
      case 3: b = b.slice(0, at()); break;
      case 4: { const ext = new Uint8Array(b.length + 1 + (rand() % 24)); ext.set(b); for (let j = b.length; j < ext.length; j++) ext[j] = rand() & 0xff; b = ext; break; }
      case 5: { const o = (at() & ~3) + 4; if (o + 4 <= b.length) { b[o] = rand() & 1 ? 0x80 : 0xff; b[o + 1] = rand() & 1 ? 0 : 0xff; b[o + 2] = rand() & 0xff; b[o + 3] = rand() % 40; } break; }
      default: { const o = even(); if (o + 4 <= b.length) { b[o] = 0; b[o + 1] = rand() % 30; b[o + 2] = 0; b[o + 3] = (rand() % 5) * 8; } }
    }
  }
  if (b.length < 8) { const p = new Uint8Array(8); p.set(b); b = p; }
  b[0] = rand() % 16 === 0 ? b[0]! : 4; // mostly keep the version so the body is reached
  b[2] = (b.length >> 8) & 0xff; b[3] = b.length & 0xff;
  return b;
}

const open: Socket[] = [];
afterEach(() => { for (const s of open.splice(0)) s.destroy(); });

async function setup() {
  const r = rig(3);
  const agent = new OpenFlowAgent(r.bridge, { now: () => r.clock.t, nBuffers: 64 });
  const connect = async () => {
    const [c, s] = await socketPair();
    open.push(c, s);
    const ctl = new TestController(c);
    agent.attach(new OFConnection(s, { probeIntervalMs: 0 }), true);
    await ctl.handshake();
    return ctl;
  };
  return { r, agent, ctl: await connect(), connect };
}

function checkReceived(ctl: TestController, problems: string[]): number {
  let n = 0; // the OFPT_ERRORs among the replies
  for (const { msg, raw } of ctl.drain()) {
    if (msg === null) { problems.push(`undecodable reply ${Buffer.from(raw).toString('hex').slice(0, 64)}`); continue; }
    if (msg.type === 'error') {
      n++;
      const max = MAX_CODE[msg.errType];
      if (max === undefined || msg.code < 0 || msg.code > max) problems.push(`bad error ${msg.errType}/${msg.code}`);
    }
  }
  return n;
}

describe('agent fuzz (seeded, bounded, real Bridge)', () => {
  it('5,000 mutated controller messages: no throw, well-formed replies, no close, bounded state', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const { r, agent, ctl } = await setup();
      const SEEDS = seeds();
      const rand = xorshift(0xa9e17f22);
      const problems: string[] = [];
      let errors = 0;
      for (let batch = 0; batch < 50; batch++) {
        for (let i = 0; i < 100; i++) ctl.sendRaw(mutate(rand, SEEDS[rand() % SEEDS.length]!));
        // Traffic through the ports: table misses / controller outputs make packet-ins.
        r.send(1 + (batch % 3), ipFrame({}), arpFrame(MAC(9)));
        for (let p = 1; p <= 3; p++) r.take(p);
        r.clock.t += 50;
        // A role request may have made us SLAVE: barriers are answered in any role.
        ctl.send({ type: 'barrier_request', xid: 0x7f000000 + batch });
        await ctl.until(() => ctl.closed || ctl.received.some((x) => x.msg?.type === 'barrier_reply' && x.msg.xid === 0x7f000000 + batch), 5000);
        expect(ctl.closed).toBe(false);
        errors += checkReceived(ctl, problems);
      }
      expect(problems.slice(0, 5)).toEqual([]);
      expect(uncaught).toEqual([]);
      expect(errors).toBeGreaterThan(1000); // the mutations really reach the agent's checks
      let rules = 0;
      for (let t = 0; t < r.bridge.pipeline.nTables; t++) rules += r.bridge.pipeline.table(t).size;
      expect(rules).toBeGreaterThan(0); // some mutated flow-mods were valid and applied
      expect(rules).toBeLessThanOrEqual(5000);
      expect(agent.buffers.size).toBe(64);
      gc?.();
      expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(200 * 1024 * 1024);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 20_000);

  it('a header length < 8 is a framing error: OFPT_ERROR, then the connection closes', async () => {
    const { ctl, connect } = await setup();
    ctl.sendRaw(Uint8Array.from([4, 14, 0, 4, 0, 0, 0, 9]));
    await ctl.waitClosed();
    const got = ctl.drain().map((x) => x.msg);
    expect(got).toContainEqual(expect.objectContaining({ type: 'error', errType: 1, code: 6 })); // BAD_REQUEST/BAD_LEN
    // The agent survives: a new connection is served.
    const again = await connect();
    again.send({ type: 'barrier_request', xid: 5 });
    expect(await again.next('barrier_reply')).toMatchObject({ xid: 5 });
  });
});
