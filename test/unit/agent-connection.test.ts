import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { OFConnection, negotiate } from '../../src/openflow/connection.js';
import { parseTarget, formatTarget } from '../../src/openflow/target.js';
import { encodeMessage } from '../../src/openflow/index.js';
import {
  OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE, OFPBRC_BAD_VERSION, OFPET_BAD_REQUEST, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE,
} from '../../src/pipeline/errors.js';
import { socketPair, TestController } from './agent-helpers.js';

const open: Socket[] = [];
afterEach(() => { for (const s of open.splice(0)) s.destroy(); });

async function setup(opts: { probeIntervalMs?: number; probeTimeoutMs?: number; versions?: number[] } = {}) {
  const [c, s] = await socketPair();
  open.push(c, s);
  const ctl = new TestController(c);
  const conn = new OFConnection(s, { probeIntervalMs: opts.probeIntervalMs ?? 0, ...opts });
  const events: string[] = [];
  conn.on('ready', (v) => events.push(`ready:${v}`));
  conn.on('message', (m) => events.push(`message:${m.type}`));
  conn.on('close', (r) => events.push(`close:${r}`));
  return { ctl, conn, events };
}

describe('hello and version negotiation (OF1.3.5 §6.3.1)', () => {
  it('sends HELLO with a version bitmap {1.0, 1.3, 1.4, 1.5} and header version 1.5 at once, before the peer says anything', async () => {
    const { ctl } = await setup();
    const h = await ctl.next('hello');
    expect(h.versions).toEqual([1, 4, 5, 6]);
    expect(h.version).toBe(6);
    expect(ctl.received.length).toBe(0);
  });

  it('offers only the configured versions (protocols=OpenFlow10: header 0x01, bitmap {1.0})', async () => {
    const { ctl } = await setup({ versions: [1] });
    const h = await ctl.next('hello');
    expect([h.version, h.versions]).toEqual([1, [1]]);
  });

  it('negotiates 1.0 with a 1.0 peer (no bitmap, header 0x01) and then speaks 1.0', async () => {
    const { ctl, conn, events } = await setup();
    await ctl.next('hello');
    ctl.sendRaw(new Uint8Array([1, 0, 0, 8, 0, 0, 0, 7])); // OF1.0 hello
    ctl.sendRaw(new Uint8Array([1, 2, 0, 9, 0, 0, 0, 8, 0xab])); // OF1.0 echo request
    await ctl.until(() => ctl.received.some((r) => r.raw[0] === 1 && r.raw[1] === 3));
    const reply = ctl.received.find((r) => r.raw[1] === 3)!.raw;
    expect([...reply]).toEqual([1, 3, 0, 9, 0, 0, 0, 8, 0xab]);
    expect([events[0], conn.version]).toEqual(['ready:1', 1]);
  });

  it('a message in another version than the agreed one is OFPBRC_BAD_VERSION, in the agreed version', async () => {
    const { ctl } = await setup();
    await ctl.handshake();
    ctl.sendRaw(new Uint8Array([1, 2, 0, 8, 0, 0, 0, 9])); // a 1.0 echo on a 1.3 connection
    const e = await ctl.next('error');
    expect([e.errType, e.code, e.xid]).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION, 9]);
  });

  it('a bridge restricted to 1.3 refuses a 1.0 peer with HELLO_FAILED in 1.0, which the peer can read', async () => {
    const { ctl } = await setup({ versions: [4] });
    await ctl.next('hello');
    ctl.sendRaw(new Uint8Array([1, 0, 0, 8, 0, 0, 0, 5]));
    await ctl.until(() => ctl.received.some((r) => r.raw[1] === 1));
    const raw = ctl.received.find((r) => r.raw[1] === 1)!.raw;
    expect([raw[0], raw[8], raw[9], raw[10], raw[11]]).toEqual([1, 0, 0, 0, 0]); // v1.0, HELLO_FAILED/INCOMPATIBLE
    expect(new TextDecoder().decode(raw.subarray(12))).toMatch(/we support OpenFlow13, peer offers OpenFlow10/);
    await ctl.waitClosed();
  });

  it('negotiates 1.3 with a bitmap peer and then delivers messages', async () => {
    const { ctl, conn, events } = await setup();
    ctl.send({ type: 'hello', xid: 7, versions: [1, 3, 4] });
    ctl.send({ type: 'features_request', xid: 8 });
    await ctl.until(() => events.includes('message:features_request'));
    expect(events[0]).toBe('ready:4');
    expect(conn.isReady).toBe(true);
  });

  it('negotiates 1.4 with a peer offering 1.3 and 1.4, and decodes 1.4 messages', async () => {
    const { ctl, conn, events } = await setup();
    ctl.send({ type: 'hello', xid: 7, version: 5, versions: [4, 5] });
    ctl.sendRaw(new Uint8Array([5, 5, 0, 8, 0, 0, 0, 8])); // OF1.4 features request
    await ctl.until(() => events.includes('message:features_request'));
    expect([events[0], conn.version]).toEqual(['ready:5', 5]);
  });

  it('refuses a peer without a common version: HELLO_FAILED/INCOMPATIBLE, then close', async () => {
    const { ctl, events } = await setup();
    await ctl.next('hello');
    ctl.send({ type: 'hello', xid: 9, version: 2, versions: [2, 3] });
    const e = await ctl.next('error');
    expect([e.errType, e.code, e.xid]).toEqual([OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE, 9]);
    expect(new TextDecoder().decode(e.data)).toMatch(/no common OpenFlow version/);
    await ctl.waitClosed();
    expect(events.some((x) => x.startsWith('close:hello failed'))).toBe(true);
  });

  it('negotiate(): bitmap → highest common; no bitmap → min(ours, theirs)', () => {
    expect(negotiate([1, 4], 6)).toBe(4);
    expect(negotiate([1, 2], 4)).toBe(1);
    expect(negotiate([2, 3], 3)).toBe(0);
    expect(negotiate([], 5)).toBe(5);
    expect(negotiate([], 6)).toBe(6);
    expect(negotiate([], 7)).toBe(6);
    expect(negotiate([1, 4, 5, 6], 6)).toBe(6);
    expect(negotiate([1, 4, 5, 6], 6, [1, 4, 5])).toBe(5);
    expect(negotiate([], 4)).toBe(4);
    expect(negotiate([], 1)).toBe(1);
    expect(negotiate([], 2)).toBe(0); // min(4, 2) = 1.1: not spoken
    expect(negotiate([], 1, [4])).toBe(0);
    expect(negotiate([1, 4], 4, [1])).toBe(1);
  });

  it('treats a non-HELLO first message as a failed hello', async () => {
    const { ctl } = await setup();
    ctl.send({ type: 'features_request', xid: 3 });
    const e = await ctl.next('error');
    expect([e.errType, e.xid]).toEqual([OFPET_HELLO_FAILED, 3]);
    await ctl.waitClosed();
  });
});

describe('echo, errors and framing', () => {
  it('answers ECHO_REQUEST with the same xid and data', async () => {
    const { ctl } = await setup();
    await ctl.handshake();
    ctl.send({ type: 'echo_request', xid: 42, data: new Uint8Array([1, 2, 3]) });
    const r = await ctl.next('echo_reply');
    expect(r.xid).toBe(42);
    expect([...r.data]).toEqual([1, 2, 3]);
  });

  it('answers an undecodable message with OFPT_ERROR (its xid, first 64 bytes) and stays up', async () => {
    const { ctl, conn } = await setup();
    await ctl.handshake();
    const bad = new Uint8Array(100);
    bad.set([4, 99, 0, 100, 0x12, 0x34, 0x56, 0x78]); // type 99 does not exist
    for (let i = 8; i < 100; i++) bad[i] = i;
    ctl.sendRaw(bad);
    const e = await ctl.next('error');
    expect([e.errType, e.code, e.xid]).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE, 0x12345678]);
    expect([...e.data]).toEqual([...bad.subarray(0, 64)]);
    ctl.send({ type: 'echo_request', xid: 5, data: new Uint8Array(0) });
    expect((await ctl.next('echo_reply')).xid).toBe(5);
    expect(conn.isClosed).toBe(false);
  });

  it('closes on a framing error (length < 8), after saying why', async () => {
    const { ctl, events } = await setup();
    await ctl.handshake();
    ctl.sendRaw(new Uint8Array([4, 2, 0, 4, 0, 0, 0, 1]));
    const e = await ctl.next('error');
    expect([e.errType, e.code]).toEqual([OFPET_BAD_REQUEST, OFPBRC_BAD_LEN]);
    await ctl.waitClosed();
    expect(events.at(-1)).toMatch(/^close:framing error/);
  });

  it('delivers messages split across chunks and several per chunk, in order', async () => {
    const { ctl, events } = await setup();
    await ctl.handshake();
    const a = encodeMessage({ type: 'barrier_request', xid: 1 });
    const b = encodeMessage({ type: 'features_request', xid: 2 });
    const both = new Uint8Array([...a, ...b, ...a]);
    ctl.sendRaw(both.subarray(0, 5));
    await new Promise((r) => setTimeout(r, 20));
    ctl.sendRaw(both.subarray(5));
    await ctl.until(() => events.filter((x) => x.startsWith('message')).length === 3);
    expect(events.filter((x) => x.startsWith('message'))).toEqual(['message:barrier_request', 'message:features_request', 'message:barrier_request']);
  });
});

describe('inactivity probe', () => {
  it('sends ECHO_REQUEST after the idle interval and drops a silent peer', async () => {
    const { ctl, events } = await setup({ probeIntervalMs: 60, probeTimeoutMs: 60 });
    await ctl.handshake();
    const t0 = Date.now();
    await ctl.next('echo_request', 1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
    await ctl.waitClosed(1000);
    expect(events.at(-1)).toMatch(/inactivity probe/);
  });

  it('keeps a peer that answers the probe', async () => {
    const { ctl, conn } = await setup({ probeIntervalMs: 40, probeTimeoutMs: 40 });
    await ctl.handshake();
    for (let i = 0; i < 3; i++) {
      const q = await ctl.next('echo_request', 1000);
      ctl.send({ type: 'echo_reply', xid: q.xid, data: q.data });
    }
    expect(conn.isClosed).toBe(false);
  });
});

describe('targets', () => {
  it('parses OVS-style targets with defaults', () => {
    expect(parseTarget('tcp:10.0.0.1')).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 6653 });
    expect(parseTarget('tcp:10.0.0.1:6633')).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 6633 });
    expect(parseTarget('tcp:[::1]:7000')).toEqual({ kind: 'tcp', host: '::1', port: 7000 });
    expect(parseTarget('ssl:10.0.0.1:6653')).toEqual({ kind: 'ssl', host: '10.0.0.1', port: 6653 });
    expect(parseTarget('ptcp:6634')).toEqual({ kind: 'ptcp', host: '127.0.0.1', port: 6634 });
    expect(parseTarget('ptcp:6634:0.0.0.0')).toEqual({ kind: 'ptcp', host: '0.0.0.0', port: 6634 });
    expect(parseTarget('punix:/run/br0.mgmt')).toEqual({ kind: 'punix', path: '/run/br0.mgmt' });
    expect(formatTarget({ kind: 'tcp', host: '::1', port: 1 })).toBe('tcp:[::1]:1');
  });

  it('gives errors that name the problem', () => {
    const msg = (s: string): string => (parseTarget(s) as Error).message;
    expect(msg('6653')).toMatch(/expected tcp:IP/);
    expect(msg('udp:1.2.3.4')).toMatch(/unknown connection method "udp"/);
    expect(msg('tcp:example.com')).toMatch(/"example.com" is not an IP address/);
    expect(msg('tcp:1.2.3.4:http')).toMatch(/port "http" is not a number/);
    expect(msg('tcp:1.2.3.4:70000')).toMatch(/out of range/);
    expect(msg('ssl:1.2.3.4')).toMatch(/ssl needs a port/);
    expect(msg('punix:')).toMatch(/missing socket path/);
  });
});

describe('a peer that stops reading: the send queue is bounded', () => {
  const packetIn = (n: number) => ({
    type: 'packet_in' as const, xid: 0, bufferId: 0xffffffff, totalLen: 1400, reason: 0, tableId: 0,
    cookie: 0n, match: [], data: new Uint8Array(1400).fill(n & 0xff),
  });

  it('drops packet-ins past the backlog and counts them; other messages still queue', async () => {
    const { ctl, conn } = await setup();
    await ctl.handshake();
    ctl.sock.pause(); // the controller never reads again
    let queued = 0;
    let dropped = 0;
    // far more than the kernel's socket buffers on loopback take, so the stream's own queue fills
    for (let i = 0; i < 40_000 && dropped < 1000; i++) {
      if (conn.sendDroppable(packetIn(i))) queued++;
      else dropped++;
    }
    expect(dropped).toBe(1000);
    expect(queued).toBeGreaterThan(0);
    // the queue stopped one message past the limit
    expect(conn.sendQueueBytes).toBeLessThan(256 * 1024 + 1500);
    const before = conn.sendQueueBytes;
    conn.send({ type: 'barrier_reply', xid: 9 });
    expect(conn.sendQueueBytes).toBe(before + 8);
    // once the controller reads again, what was queued arrives, in order, the barrier last
    ctl.sock.resume();
    await ctl.until(() => ctl.received.some((r) => r.msg?.type === 'barrier_reply'), 10_000);
    expect(ctl.received.filter((r) => r.msg?.type === 'packet_in').length).toBe(queued);
    expect(ctl.received.at(-1)?.msg?.type).toBe('barrier_reply');
  }, 20_000);

  it('stops reading requests while replies pile up, and answers them once the peer reads', async () => {
    const [c, s] = await socketPair();
    open.push(c, s);
    const ctl = new TestController(c);
    const conn = new OFConnection(s, { probeIntervalMs: 0, readPauseBytes: 64 * 1024 });
    await ctl.handshake();
    c.pause();
    // replies to requests the peer sent and does not read: the queue reaches the pause mark
    const big = new Uint8Array(60_000);
    for (let i = 0; i < 1000 && !s.isPaused(); i++) conn.send({ type: 'echo_reply', xid: i, data: big });
    expect(s.isPaused()).toBe(true);
    const seen: string[] = [];
    conn.on('message', (m) => seen.push(m.type));
    ctl.send({ type: 'barrier_request', xid: 77 });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]); // not read while the queue is over the mark
    c.resume();
    await ctl.until(() => seen.includes('barrier_request'), 10_000);
    expect(s.isPaused()).toBe(false);
  }, 20_000);
});
