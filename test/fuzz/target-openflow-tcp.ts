/**
 * Fuzz target "openflow" over a real loopback TCP connection (`--transport tcp`): the
 * same inputs as target-openflow.ts, written to a socket whose other end is an
 * OFConnection of a real OpenFlowAgent and Bridge. Slower (one barrier round trip per
 * input), so it checks what a socket adds: framing across TCP segments, the close of a
 * real socket after a framing error, and that every reply decodes with a valid error
 * code and the offending xid. mode 15 (a fresh connection) is sent on the established
 * one here.
 */
import type { Socket } from 'node:net';
import { OpenFlowAgent } from '../../src/openflow/agent.js';
import { OFConnection } from '../../src/openflow/connection.js';
import { decodeMessage, encodeMessage, MessageFramer, type OFMessage } from '../../src/openflow/index.js';
import { decodeMessage10 } from '../../src/openflow/of10/decode.js';
import { decodeMessage14 } from '../../src/openflow/of14/decode.js';
import { OFPBRC_BAD_LEN, OFPET_BAD_REQUEST, isOFError } from '../../src/pipeline/errors.js';
import { socketPair } from '../unit/agent-helpers.js';
import { rig, type Rig } from '../unit/datapath-helpers.js';
import type { Rand } from './rand.js';
import type { FuzzTarget } from './runner.js';
import { generateMessage, MAX_ERROR_CODE, seedMessages } from './target-openflow.js';

const BARRIER_XID = 0x7e000000;
const WAIT_MS = 3000;

interface Peer { sock: Socket; conn: OFConnection; got: OFMessage[]; closed: boolean; framer: MessageFramer; problems: string[] }

export class OpenFlowTcpTarget implements FuzzTarget {
  readonly name = 'openflow';
  private readonly seeds = seedMessages();
  private readonly r: Rig = rig(3);
  private readonly agent = new OpenFlowAgent(this.r.bridge, { now: () => this.r.clock.t, nBuffers: 64 });
  private peer: Peer | null = null;
  private n = 0;
  private readonly counts = { errors: 0, closes: 0, connections: 0 };

  static async create(): Promise<OpenFlowTcpTarget> {
    return new OpenFlowTcpTarget();
  }

  generate(rand: Rand): Uint8Array {
    return generateMessage(rand, this.seeds);
  }

  private async connect(): Promise<Peer> {
    const [c, s] = await socketPair();
    const conn = new OFConnection(s, { probeIntervalMs: 0, name: 'fuzz-tcp', versions: [4] }); // 1.3, as target-openflow.ts
    this.agent.attach(conn, true);
    const p: Peer = { sock: c, conn, got: [], closed: false, framer: new MessageFramer(), problems: [] };
    c.on('data', (chunk: Buffer) => {
      const r = p.framer.push(chunk);
      if (!r.ok) p.problems.push(`the switch wrote a bad frame: ${r.error.message}`);
      for (const raw of r.messages) {
        const msg = raw[0] === 1 ? decodeMessage10(raw) : raw[0] === 5 ? decodeMessage14(raw) : decodeMessage(raw); // a failed hello is answered in the peer's version
        if (isOFError(msg)) { p.problems.push(`undecodable reply type ${raw[1]}: ${msg.message}`); continue; }
        p.got.push(msg);
      }
    });
    c.on('close', () => { p.closed = true; });
    c.on('error', () => { p.closed = true; });
    c.write(encodeMessage({ type: 'hello', xid: 1, versions: [4] }));
    c.write(encodeMessage({ type: 'barrier_request', xid: 2 }));
    await until(() => p.closed || p.got.some((m) => m.type === 'barrier_reply' && m.xid === 2));
    if (p.closed) throw new Error('the handshake failed');
    p.got.length = 0;
    this.counts.connections++;
    return p;
  }

  async run(input: Uint8Array): Promise<string | null> {
    if (input.length === 0) return null;
    const m = input.subarray(1);
    if (this.peer === null || this.peer.closed) this.peer = await this.connect();
    const p = this.peer;
    p.got.length = 0;
    const xidOfBarrier = BARRIER_XID + (this.n++ & 0xffffff);
    const hdrLen = m.length >= 4 ? (m[2]! << 8) | m[3]! : -1;
    p.sock.write(m);
    const problems = p.problems.splice(0);
    if (m.length >= 8 && hdrLen === m.length) {
      p.sock.write(encodeMessage({ type: 'barrier_request', xid: xidOfBarrier }));
      const ok = await until(() => p.closed || p.got.some((x) => x.type === 'barrier_reply' && x.xid === xidOfBarrier));
      if (!ok) problems.push(`no barrier reply within ${WAIT_MS} ms`);
      if (p.closed) problems.push('a whole message closed the connection');
      const xid = ((m[4]! << 24) | (m[5]! << 16) | (m[6]! << 8) | m[7]!) >>> 0;
      for (const e of p.got) {
        if (e.type !== 'error') continue;
        this.counts.errors++;
        const max = MAX_ERROR_CODE[e.errType];
        if (max === undefined || e.code > max) problems.push(`OFPT_ERROR ${e.errType}/${e.code} is not in OF1.3.5 §7.4.4`);
        if (e.xid !== xid) problems.push(`an error with xid ${e.xid}, not the offending ${xid}`);
      }
    } else if (m.length >= 8 && hdrLen < 8) {
      const ok = await until(() => p.closed);
      if (!ok) problems.push('a framing error did not close the socket');
      const e = p.got.find((x) => x.type === 'error');
      if (!e || e.type !== 'error' || e.errType !== OFPET_BAD_REQUEST || e.code !== OFPBRC_BAD_LEN) problems.push('a header length < 8 got no OFPBRC_BAD_LEN');
      this.counts.closes++;
    } else { // cut short or followed by bytes we do not model: hang up
      p.sock.destroy();
      const ok = await until(() => p.conn.isClosed);
      if (!ok) problems.push('the switch did not see the hang-up');
      this.counts.closes++;
    }
    problems.push(...p.problems.splice(0));
    return problems.length === 0 ? null : problems.join('; ');
  }

  async finish(): Promise<string | null> {
    if (this.peer === null || this.peer.closed) this.peer = await this.connect();
    const p = this.peer;
    p.got.length = 0;
    p.sock.write(encodeMessage({ type: 'echo_request', xid: 7, data: new Uint8Array(3) }));
    p.sock.write(encodeMessage({ type: 'barrier_request', xid: 8 }));
    const ok = await until(() => p.got.some((m) => m.type === 'barrier_reply' && m.xid === 8));
    if (!ok || !p.got.some((m) => m.type === 'echo_reply' && m.xid === 7)) return 'no echo/barrier round trip at the end';
    return null;
  }

  stats(): string {
    const n = (x: number): string => x.toLocaleString('en-US');
    return `${n(this.counts.errors)} OFPT_ERRORs (all valid), ${n(this.counts.closes)} closes, ${n(this.counts.connections)} TCP connections`;
  }

  close(): void {
    this.peer?.sock.destroy();
    this.agent.close();
    this.r.bridge.stop();
  }
}

/** Waits (polling the event loop) until `pred` holds; false after WAIT_MS. */
async function until(pred: () => boolean): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await new Promise<void>((r) => setImmediate(r));
  }
  return true;
}
