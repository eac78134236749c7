/**
 * Fuzz target "openflow10": mutated OpenFlow 1.0 controller messages through a real
 * OFConnection that offers only 1.0 (`protocols=OpenFlow10`) into a real OpenFlowAgent and
 * Bridge (memory ports, frames flowing, packet-ins), as target-openflow.ts does for 1.3.
 *
 * Input: [mode][message bytes]; mode 15 = the first message of a new connection (hello and
 * negotiation), any other mode = a message on the established 1.0 connection.
 * Seeds: every 1.0 message of test/unit/openflow10-samples.ts, and the 1.0 form of every
 * flow of test/unit/flow-syntax-samples.ts (encodeMessage10 of its table-0 flow-mod).
 *
 * Invariants, per input:
 *  - no exception escapes;
 *  - on the established connection the switch writes only 1.0 messages, each decodes, and
 *    every OFPT_ERROR has a 1.0 type/code (1.0.0 §5.4.4) and the offending message's xid;
 *  - a message the 1.0 codec refuses gets exactly the codec's error in 1.0 numbers, and
 *    the spec's specific ones hold: version ≠ 1 → OFPBRC_BAD_VERSION, type > 21 →
 *    OFPBRC_BAD_TYPE;
 *  - echo and barrier are answered; a flow-mod ADD that got no error is in table 0;
 *  - a first message that is not a hello we can agree on is OFPET_HELLO_FAILED, then close;
 *  - the connection stays up for everything but framing errors and a failed hello.
 */
import type { Duplex } from 'node:stream';
import { OpenFlowAgent } from '../../src/openflow/agent.js';
import { negotiate, OFConnection } from '../../src/openflow/connection.js';
import { decodeMessage, MessageFramer, type OFMessage } from '../../src/openflow/index.js';
import { decodeMessage10 } from '../../src/openflow/of10/decode.js';
import { codecFor } from '../../src/openflow/codec.js';
import { encodeMessage10 } from '../../src/openflow/of10/encode.js';
import { error13To10 } from '../../src/openflow/of10/errors.js';
import { isParseError, parseFlow } from '../../src/openflow/syntax/index.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { OFPP_CONTROLLER, flowMod } from '../../src/pipeline/types.js';
import { arpFrame, ipFrame, MAC, rig, type Rig } from '../unit/datapath-helpers.js';
import { FLOWS } from '../unit/flow-syntax-samples.js';
import { sampleMessages10 } from '../unit/openflow10-samples.js';
import { mutate } from './mutate.js';
import type { Rand } from './rand.js';
import type { FuzzTarget } from './runner.js';
import { FRESH, MemoryStream } from './target-openflow.js';
import { rd16, rd32 } from '../../src/packet/bytes.js';

/** Highest code of each 1.0 error type (1.0.0 §5.4.4). */
const MAX_ERROR_CODE10: Readonly<Record<number, number>> = { 0: 1, 1: 8, 2: 8, 3: 5, 4: 1, 5: 2 };
const OFPT10_LAST = 21;
const HELLO10 = Uint8Array.from([1, 0, 0, 8, 0, 0, 0, 1]);
const TRAFFIC_EVERY = 64;
const RESET_EVERY = 1024;


interface Link { stream: MemoryStream; conn: OFConnection; closedReason: string | null }
interface Reply { msg: OFMessage; raw: Uint8Array }

function seeds(): { established: Uint8Array[]; fresh: Uint8Array[] } {
  const established = sampleMessages10().map((m) => encodeMessage10(m)!);
  let xid = 1000;
  for (const f of FLOWS) {
    const fm = parseFlow(f, { command: 'add' });
    if (isParseError(fm)) continue;
    const bytes = encodeMessage10({ type: 'flow_mod', xid: xid++, ...fm, tableId: 0 });
    if (bytes) established.push(bytes);
  }
  const fresh = [HELLO10, Uint8Array.from([4, 0, 0, 8, 0, 0, 0, 2]), Uint8Array.from([0, 0, 0, 8, 0, 0, 0, 3]),
    Uint8Array.from([4, 0, 0, 16, 0, 0, 0, 4, 0, 1, 0, 8, 0, 0, 0, 0x12]), Uint8Array.from([4, 0, 0, 16, 0, 0, 0, 5, 0, 1, 0, 8, 0, 0, 0, 0x10])];
  return { established, fresh };
}

export class OpenFlow10Target implements FuzzTarget {
  readonly name = 'openflow10';
  private readonly seeds = seeds();
  private readonly r: Rig = rig(3);
  private readonly agent = new OpenFlowAgent(this.r.bridge, { now: () => this.r.clock.t, nBuffers: 64 });
  private link: Link | null = null;
  private runs = 0;
  private readonly counts = { errors: 0, applied: 0, connections: 0, packetIns: 0 };

  generate(rand: Rand): Uint8Array {
    const fresh = rand.oneIn(32);
    const seed = rand.pick(fresh && !rand.oneIn(4) ? this.seeds.fresh : this.seeds.established);
    const b = rand.oneIn(16) ? seed.slice() : mutate(rand, seed, () => rand.pick(this.seeds.established), 4);
    if (b.length >= 4) {
      switch (rand.below(16)) {
        case 0: b[0] = rand.below(8); break;
        case 1: b[1] = OFPT10_LAST + 1 + rand.below(200); break;
        case 2: b[1] = rand.below(OFPT10_LAST + 1); break;
        default: if (!fresh) b[0] = 1;
      }
      if (rand.below(8) !== 0) { b[2] = (b.length >> 8) & 0xff; b[3] = b.length & 0xff; }
    }
    const out = new Uint8Array(Math.min(b.length, 0xffff) + 1);
    out[0] = fresh ? FRESH : rand.below(FRESH);
    out.set(b.subarray(0, out.length - 1), 1);
    return out;
  }

  private connect(): Link {
    const stream = new MemoryStream();
    const conn = new OFConnection(stream as unknown as Duplex, { probeIntervalMs: 0, name: 'fuzz10', versions: [1] });
    this.agent.attach(conn, true);
    const link: Link = { stream, conn, closedReason: null };
    conn.on('close', (reason) => { link.closedReason = reason; });
    stream.out.length = 0; // our HELLO
    this.counts.connections++;
    return link;
  }

  private established(): Link {
    if (this.link && !this.link.conn.isClosed) return this.link;
    const l = this.connect();
    l.stream.feed(HELLO10);
    if (l.conn.version !== 1) throw new Error(`1.0 handshake failed: ${l.closedReason}`);
    this.link = l;
    return l;
  }

  private dropLink(): void {
    if (this.link && !this.link.conn.isClosed) this.link.stream.hangup();
    this.link = null;
  }

  /** What the switch wrote since the last call; `only10`: every message must be 1.0. */
  private replies(l: Link, problems: string[], only10: boolean): Reply[] {
    const f = new MessageFramer();
    const got: Reply[] = [];
    for (const chunk of l.stream.out.splice(0)) {
      const r = f.push(chunk);
      if (!r.ok) problems.push(`the switch wrote a bad frame: ${r.error.message}`);
      for (const raw of r.messages) {
        if (only10 && raw[0] !== 1) { problems.push(`the switch wrote version ${raw[0]} on a 1.0 connection`); continue; }
        // a failed hello is answered in the peer's version when Sluice has its codec
        const msg = raw[0] === 1 ? decodeMessage10(raw) : (codecFor(raw[0]!)?.decode ?? decodeMessage)(raw);
        if (isOFError(msg)) { problems.push(`the switch wrote an undecodable ${raw[1]}: ${msg.message}`); continue; }
        got.push({ msg, raw });
        if (msg.type === 'packet_in') this.counts.packetIns++;
        if (msg.type !== 'error' || raw[0] !== 1) continue;
        this.counts.errors++;
        const max = MAX_ERROR_CODE10[rd16(raw, 8)];
        if (max === undefined || rd16(raw, 10) > max) problems.push(`OFPT_ERROR ${rd16(raw, 8)}/${rd16(raw, 10)} is not in 1.0.0 §5.4.4`);
      }
    }
    return got;
  }

  run(input: Uint8Array): string | null {
    if (input.length === 0) return null;
    this.runs++;
    const problems: string[] = [];
    const m = input.subarray(1);
    if (input[0] === FRESH) this.runFresh(m, problems);
    else this.runEstablished(m, problems);
    if (this.runs % TRAFFIC_EVERY === 0) this.traffic(problems);
    if (this.runs % RESET_EVERY === 0) this.reset(problems);
    return problems.length === 0 ? null : problems.join('; ');
  }

  private runFresh(m: Uint8Array, problems: string[]): void {
    this.dropLink();
    const l = this.connect();
    l.stream.feed(m);
    const got = this.replies(l, problems, false);
    if (m.length < 8 || rd16(m, 2) > m.length || rd16(m, 2) < 8) { l.stream.hangup(); return; } // framing: target-openflow.ts covers it
    const first = m.subarray(0, rd16(m, 2));
    const d = decodeMessage(first);
    if (!isOFError(d) && d.type === 'hello' && negotiate(d.versions, d.version ?? first[0]!, [1]) === 1) {
      if (l.conn.version !== 1) problems.push(`a hello we agree with on 1.0 was refused: ${l.closedReason}`);
      l.stream.hangup();
      return;
    }
    const e = got.find((g) => g.msg.type === 'error')?.msg;
    if (!e || e.type !== 'error' || e.errType !== 0 || e.code !== 0) problems.push('a bad first message got no OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE');
    if (!l.conn.isClosed) problems.push('the connection stayed open after a failed hello');
  }

  private runEstablished(m: Uint8Array, problems: string[]): void {
    const l = this.established();
    const hdrLen = m.length >= 4 ? rd16(m, 2) : -1;
    l.stream.feed(m);
    const got = this.replies(l, problems, true);
    if (m.length < 8 || hdrLen !== m.length) { this.dropLink(); return; } // framing and several messages: target-openflow.ts
    if (l.conn.isClosed) { problems.push(`a whole message closed the connection: ${l.closedReason}`); this.link = null; return; }
    const xid = rd32(m, 4);
    const errors = got.filter((g) => g.msg.type === 'error');
    for (const e of errors) if (e.msg.xid !== xid) problems.push(`an error with xid ${e.msg.xid}, not the offending ${xid}`);
    const msg = decodeMessage10(m);
    if (isOFError(msg)) {
      const [t, c] = error13To10(msg.type, msg.code);
      const want = m[0] !== 1 ? 0 : m[1]! > OFPT10_LAST ? 1 : -1;
      if (want >= 0 && (t !== 1 || c !== want)) problems.push(`the codec gave 1.0 ${t}/${c}, the spec 1/${want}`);
      const raw = errors[0]?.raw;
      if (errors.length !== 1 || !raw || rd16(raw, 8) !== t || rd16(raw, 10) !== c) problems.push(`an undecodable message (${t}/${c}) got ${errors.length} errors`);
      return;
    }
    const answered = (type: string): boolean => got.some((g) => g.msg.type === type && g.msg.xid === xid);
    if (msg.type === 'echo_request' && !answered('echo_reply')) problems.push('echo request not answered');
    if (msg.type === 'barrier_request' && !answered('barrier_reply')) problems.push('barrier request not answered');
    if (msg.type === 'flow_mod' && msg.command === 0 && errors.length === 0) {
      if (this.r.bridge.pipeline.table(0).size === 0) problems.push('a 1.0 flow-mod ADD got no error and is not in table 0');
      else this.counts.applied++;
    }
  }

  private traffic(problems: string[]): void {
    const k = this.runs / TRAFFIC_EVERY;
    this.r.send(1 + (k % 3), ipFrame({ sport: k & 0xffff }), arpFrame(MAC(9)), ipFrame({ proto: 6, vlan: 5 }));
    for (let p = 1; p <= 3; p++) this.r.take(p);
    this.r.packetIns.length = 0;
    this.r.clock.t += 20;
    if (this.link) this.replies(this.link, problems, true);
  }

  private reset(problems: string[]): void {
    const l = this.established();
    const del = encodeMessage10({ type: 'flow_mod', xid: 1, ...flowMod({ command: 3, tableId: 0 }) })!;
    const miss = encodeMessage10({ type: 'flow_mod', xid: 2, ...flowMod({ priority: 0, instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: 128 }] }] }) })!;
    l.stream.feed(del);
    l.stream.feed(miss);
    this.replies(l, problems, true);
    if (this.r.bridge.pipeline.table(0).size !== 1) problems.push(`${this.r.bridge.pipeline.table(0).size} rules after deleting all and adding one`);
  }

  private roundTrip(l: Link, problems: string[], when: string): void {
    l.stream.feed(encodeMessage10({ type: 'echo_request', xid: 0x7ffffff0, data: Uint8Array.from([1, 2, 3]) })!);
    l.stream.feed(encodeMessage10({ type: 'barrier_request', xid: 0x7ffffff1 })!);
    const got = this.replies(l, problems, true);
    if (!got.some((g) => g.msg.type === 'echo_reply' && g.msg.xid === 0x7ffffff0)) problems.push(`no echo reply ${when}`);
    if (!got.some((g) => g.msg.type === 'barrier_reply' && g.msg.xid === 0x7ffffff1)) problems.push(`no barrier reply ${when}`);
  }

  finish(): Promise<string | null> {
    const problems: string[] = [];
    this.roundTrip(this.established(), problems, 'at the end');
    return Promise.resolve(problems.length === 0 ? null : problems.join('; '));
  }

  stats(): string {
    const c = this.counts;
    const n = (x: number): string => x.toLocaleString('en-US');
    return `${n(c.errors)} 1.0 OFPT_ERRORs (all valid), ${n(c.applied)} flow-mods applied, ${n(c.connections)} connections, ${n(c.packetIns)} packet-ins`;
  }

  close(): void {
    this.dropLink();
    this.agent.close();
    this.r.bridge.stop();
  }
}
