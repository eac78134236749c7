/**
 * Fuzz targets "openflow" (OpenFlow 1.3), "openflow14" (1.4, the same target with the
 * 1.4 codec, its samples and bundle messages as seeds) and "openflow15" (1.5: its codec,
 * its samples — OXS stats, bucket ids, copy-field and meter actions, tcp_flags,
 * actset_output, packet_type — and bundles): mutated controller messages through a real OFConnection into a
 * real OpenFlowAgent and Bridge (memory ports, frames flowing, packet-ins filling the
 * buffer pool).
 *
 * Input: [mode][message bytes]. mode 15 = the bytes are the first message of a new
 * connection (hello and version negotiation, §6.3.1); any other mode = a message on the
 * established connection.
 *
 * Seeds: one valid message of every type (test/unit/openflow-samples.ts: every multipart
 * body, every action and instruction), os-ken's fixtures, and a flow-mod / group-mod /
 * meter-mod for every flow, group and meter text in test/unit/flow-syntax-samples.ts
 * (every OXM field with its prerequisites). Mutations: test/fuzz/mutate.ts plus unknown
 * versions and types and lying header lengths.
 *
 * Invariants, per input (checked against what the connection wrote back):
 *  - no exception escapes (the runner counts a throw as a crash);
 *  - every reply decodes; every OFPT_ERROR has a type/code of OF1.3.5 §7.4.4 and the
 *    offending message's xid;
 *  - a message the codec refuses is answered with exactly the codec's error, and the
 *    spec's specific codes hold: version ≠ the connection's → OFPBRC_BAD_VERSION, type
 *    past the version's last (29; 1.4: 34; 1.5: 35) → OFPBRC_BAD_TYPE, header length ≠ bytes →
 *    OFPBRC_BAD_LEN (§7.1, §7.4.4);
 *  - a header length < 8 is a framing error: OFPBRC_BAD_LEN, then the connection closes
 *    and the agent forgets the session; a message cut short closes cleanly when the peer
 *    hangs up;
 *  - valid messages are applied: echo and barrier are answered, a flow-mod ADD that got
 *    no error is in its table, a group-mod / meter-mod ADD without error made its group /
 *    meter; only a bundle commit adds more than one rule;
 *  - the connection stays up for everything but framing errors and a failed hello;
 *  - state stays bounded: the packet buffer pool keeps its size, rules stay under the
 *    number of flow-mods since the last reset, the send queue is drained.
 * At the end: echo and barrier round trips on the live connection.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { OpenFlowAgent } from '../../src/openflow/agent.js';
import { negotiate, OFConnection } from '../../src/openflow/connection.js';
import { OFPCR_ROLE_SLAVE } from '../../src/openflow/constants.js';
import { decodeMessage, encodeMessage, MessageFramer, type OFMessage } from '../../src/openflow/index.js';
import { decodeMessage10 } from '../../src/openflow/of10/decode.js';
import { codecFor } from '../../src/openflow/codec.js';
import { samples14 } from '../unit/openflow14-samples.js';
import { samples15 } from '../unit/openflow15-samples.js';
import type { Session } from '../../src/openflow/session.js';
import { parseFlow, parseGroup, parseMeter, isParseError } from '../../src/openflow/syntax/index.js';
import {
  OFPBRC_BAD_LEN, OFPBRC_BAD_TYPE, OFPBRC_BAD_VERSION, OFPET_BAD_REQUEST, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE, isOFError,
} from '../../src/pipeline/errors.js';
import { OFPP_CONTROLLER, flowMod } from '../../src/pipeline/types.js';
import { arpFrame, ipFrame, MAC, rig, type Rig } from '../unit/datapath-helpers.js';
import { ALL_ACTIONS, SAMPLE_MATCH, sampleMessages } from '../unit/openflow-samples.js';
import { FLOWS, GROUPS, METERS } from '../unit/flow-syntax-samples.js';
import { mutate } from './mutate.js';
import type { Rand } from './rand.js';
import type { FuzzTarget } from './runner.js';
import { rd16, rd32 } from '../../src/packet/bytes.js';

/** Highest code of each error type, OF1.3.5 §7.4.4 (type 0xffff, experimenter, has none). */
export const MAX_ERROR_CODE: Readonly<Record<number, number>> = {
  0: 1, 1: 13, 2: 15, 3: 8, 4: 11, 5: 7, 6: 14, 7: 4, 8: 2, 9: 2, 10: 2, 11: 2, 12: 11, 13: 5,
};
/** OF1.4.1 §7.5.4 adds bad-property, async-config-failed, flow-monitor-failed, bundle-failed. */
const MAX_ERROR_CODE14: Readonly<Record<number, number>> = { ...MAX_ERROR_CODE, 1: 15, 14: 8, 15: 2, 16: 7, 17: 15 };
/** OF1.5.1 §7.5.4 adds OFPBAC_BAD_METER (17), OFPGMFC_UNKNOWN_BUCKET and BUCKET_EXISTS (15, 16). */
const MAX_ERROR_CODE15: Readonly<Record<number, number>> = { ...MAX_ERROR_CODE14, 2: 17, 6: 16 };
const OFPT_METER_MOD = 29;
/** The last message type of each version this target speaks. */
const LAST_TYPE: Readonly<Record<Version, number>> = { 4: OFPT_METER_MOD, 5: 34, 6: 35 };
type Version = 4 | 5 | 6;
const encodeFor = (v: Version) => (m: OFMessage): Uint8Array => codecFor(v)!.encode(m)!;
/** A message the switch wrote, in its own version (a failed hello is answered in the peer's). */
const decodeAny = (raw: Uint8Array) => (raw[0] === 1 ? decodeMessage10(raw) : (codecFor(raw[0]!)?.decode ?? decodeMessage)(raw));
export const FRESH = 15;
const N_BUFFERS = 64;
const RESET_EVERY = 1024;
const TRAFFIC_EVERY = 64;

/** A Duplex stand-in: what the connection writes is collected, what the peer sends is fed
 * in synchronously, so each input is handled completely before run() returns. */
export class MemoryStream extends EventEmitter {
  destroyed = false;
  writableEnded = false;
  readonly writableLength = 0;
  readonly out: Uint8Array[] = [];
  write(b: Uint8Array): boolean { if (!this.destroyed) this.out.push(b); return true; }
  end(): this { this.writableEnded = true; this.destroyed = true; return this; }
  destroy(): this { this.destroyed = true; return this; }
  pause(): this { return this; }
  resume(): this { return this; }
  feed(b: Uint8Array): void { this.emit('data', Buffer.from(b.buffer, b.byteOffset, b.byteLength)); }
  hangup(): void { this.emit('end'); this.emit('close'); }
}

interface Link { stream: MemoryStream; conn: OFConnection; session: Session; closedReason: string | null }

export interface Seeds { established: Uint8Array[]; fresh: Uint8Array[] }

export function seedMessages(version: Version = 4): Seeds {
  const msgs: OFMessage[] = version === 6 ? samples15() : version === 5 ? samples14() : [...sampleMessages()];
  let xid = 1000;
  for (const f of FLOWS) {
    const fm = parseFlow(f, { command: 'add' });
    if (!isParseError(fm)) msgs.push({ type: 'flow_mod', xid: xid++, ...fm });
  }
  for (const g of GROUPS) {
    const gm = parseGroup(g, { command: 'add' });
    if (!isParseError(gm)) msgs.push({ type: 'group_mod', xid: xid++, command: gm.command, groupType: gm.type, groupId: gm.groupId, buckets: gm.buckets });
  }
  for (const m of METERS) {
    const mm = parseMeter(m, { command: 'add' });
    if (!isParseError(mm)) msgs.push({ type: 'meter_mod', xid: xid++, ...mm });
  }
  msgs.push(
    { type: 'flow_mod', xid: xid++, ...flowMod({ priority: 7, match: SAMPLE_MATCH, instructions: [{ type: 'apply_actions', actions: ALL_ACTIONS }, { type: 'write_actions', actions: ALL_ACTIONS }] }) },
    { type: 'flow_mod', xid: xid++, ...flowMod({ priority: 5, match: [], instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: 128 }] }] }) },
    { type: 'packet_out', xid: xid++, bufferId: 0, inPort: 1, actions: [{ type: 'output', port: 2, maxLen: 0 }], data: new Uint8Array(0) },
    { type: 'packet_out', xid: xid++, bufferId: 0xffffffff, inPort: 1, actions: [{ type: 'output', port: 0xfffffffb, maxLen: 0 }], data: ipFrame({}) },
  );
  if (version >= 5) {
    // a bundle: open, add the first flow-mods, commit (and a discard, a close of an unknown id)
    const ctl = (x: number, bundleId: number, ctrlType: number): OFMessage => ({ type: 'bundle_control', xid: x, bundleId, ctrlType, flags: 3 });
    msgs.push(ctl(xid++, 9, 0));
    for (const m of msgs.filter((x) => x.type === 'flow_mod').slice(0, 8)) {
      const x = xid++;
      const inner = { ...m, xid: x };
      msgs.push({ type: 'bundle_add_message', xid: x, bundleId: 9, flags: 3, message: inner, raw: encodeFor(version)(inner) });
    }
    msgs.push(ctl(xid++, 9, 4), ctl(xid++, 10, 6), ctl(xid++, 11, 2));
  }
  const established = msgs.map(encodeFor(version));
  if (version === 4) {
    const osken: Record<string, string> = JSON.parse(readFileSync(new URL('../unit/openflow-osken-fixtures.json', import.meta.url), 'utf8'));
    for (const h of Object.values(osken)) established.push(new Uint8Array(Buffer.from(h, 'hex')));
  }
  const fresh = [
    encodeMessage({ type: 'hello', xid: 1, versions: [4] }),
    encodeMessage({ type: 'hello', xid: 2, versions: [1, 4, 5, 6] }),
    encodeMessage({ type: 'hello', xid: 3, versions: [1] }),
    encodeMessage({ type: 'hello', xid: 4, versions: [] }),
    encodeMessage({ type: 'hello', xid: 5, version: 5, versions: [5] }),
    encodeMessage({ type: 'hello', xid: 6, version: 5, versions: [4, 5] }),
    Uint8Array.from([5, 0, 0, 8, 0, 0, 0, 8]),
    Uint8Array.from([4, 0, 0, 8, 0, 0, 0, 5]),
    Uint8Array.from([6, 0, 0, 8, 0, 0, 0, 6]),
    Uint8Array.from([1, 0, 0, 8, 0, 0, 0, 7]),
  ];
  return { established, fresh };
}

/** [mode][message]: a seed, mutated, with unknown versions and types and lying lengths. */
export function generateMessage(rand: Rand, seeds: Seeds, version: Version = 4): Uint8Array {
  const last = LAST_TYPE[version];
  const fresh = rand.oneIn(32);
  const pool = fresh && !rand.oneIn(4) ? seeds.fresh : seeds.established;
  const other = (): Uint8Array => rand.pick(seeds.established);
  const seed = rand.pick(pool);
  let b = rand.oneIn(16) ? seed.slice() : mutate(rand, seed, other, 4);
  if (b.length >= 4) {
    switch (rand.below(24)) {
      case 0: b[0] = rand.oneIn(2) ? rand.below(8) : rand.u32() & 0xff; break; // another version
      case 1: b[1] = last + 1 + rand.below(255 - last); break; // an unknown type
      case 2: { const v = rand.oneIn(2) ? rand.below(8) : rand.below(0x10000); b[2] = v >> 8; b[3] = v & 0xff; break; } // a lying length
      case 3: b[1] = rand.below(last + 1); break; // another known type, wrong body
      default: b[0] = version;
    }
    if (!(b[0] !== version && rand.oneIn(2)) && rand.below(8) !== 0 && b.length >= 4 && rd16(b, 2) !== b.length) {
      b[2] = (b.length >> 8) & 0xff; b[3] = b.length & 0xff; // mostly honest framing, so the body is reached
    }
  }
  if (b.length > 0xffff) b = b.slice(0, 0xffff);
  const out = new Uint8Array(b.length + 1);
  out[0] = fresh ? FRESH : rand.below(FRESH);
  out.set(b, 1);
  return out;
}



export class OpenFlowTarget implements FuzzTarget {
  readonly name: string;
  private readonly seeds: Seeds;
  private readonly encode: (m: OFMessage) => Uint8Array;
  private readonly maxErrorCode: Readonly<Record<number, number>>;
  private readonly r: Rig = rig(3);
  // bundles never time out during a run: a timeout's error would land among another input's replies
  private readonly agent = new OpenFlowAgent(this.r.bridge, { now: () => this.r.clock.t, nBuffers: N_BUFFERS, bundleTimeoutMs: 600_000 });
  private link: Link | null = null;
  private runs = 0;
  private flowModsSinceReset = 0;
  private readonly counts = { errors: 0, closes: 0, applied: 0, packetIns: 0, connections: 0 };

  /** `version` 4: the "openflow" target; 5: "openflow14"; 6: "openflow15". */
  constructor(private readonly version: Version = 4) {
    this.name = version === 6 ? 'openflow15' : version === 5 ? 'openflow14' : 'openflow';
    this.seeds = seedMessages(version);
    this.encode = encodeFor(version);
    this.maxErrorCode = version === 6 ? MAX_ERROR_CODE15 : version === 5 ? MAX_ERROR_CODE14 : MAX_ERROR_CODE;
  }

  generate(rand: Rand): Uint8Array {
    return generateMessage(rand, this.seeds, this.version);
  }

  private connect(): Link {
    const stream = new MemoryStream();
    // one version per target: a hello offering only 1.0 must fail (1.0: target-openflow10.ts)
    const conn = new OFConnection(stream as unknown as Duplex, { probeIntervalMs: 0, name: 'fuzz', versions: [this.version] });
    const session = this.agent.attach(conn, true);
    const link: Link = { stream, conn, session, closedReason: null };
    conn.on('close', (reason) => { link.closedReason = reason; });
    this.counts.connections++;
    return link;
  }

  private established(): Link {
    if (this.link && !this.link.conn.isClosed && this.link.session.role !== OFPCR_ROLE_SLAVE) return this.link;
    this.dropLink();
    const l = this.connect();
    l.stream.feed(encodeMessage({ type: 'hello', xid: 1, version: this.version, versions: [this.version] }));
    if (!l.conn.isReady) throw new Error(`handshake failed: ${l.closedReason}`);
    l.stream.out.length = 0;
    this.link = l;
    return l;
  }

  private dropLink(): void {
    if (this.link && !this.link.conn.isClosed) this.link.stream.hangup();
    this.link = null;
  }

  /** Everything the switch wrote since the last call, decoded. */
  private replies(l: Link, problems: string[]): { msg: OFMessage; raw: Uint8Array }[] {
    const f = new MessageFramer();
    const got: { msg: OFMessage; raw: Uint8Array }[] = [];
    for (const chunk of l.stream.out.splice(0)) {
      const r = f.push(chunk);
      if (!r.ok) problems.push(`the switch wrote a bad frame: ${r.error.message}`);
      for (const raw of r.messages) {
        const msg = decodeAny(raw);
        if (isOFError(msg)) { problems.push(`the switch wrote an undecodable ${raw[1]}: ${msg.message}`); continue; }
        got.push({ msg, raw });
        if (msg.type === 'error') {
          this.counts.errors++;
          const max = this.maxErrorCode[msg.errType];
          if (max === undefined || msg.code > max) problems.push(`OFPT_ERROR ${msg.errType}/${msg.code} is not in the spec of version ${this.version}`);
        }
        if (msg.type === 'packet_in') this.counts.packetIns++;
      }
    }
    return got;
  }

  run(input: Uint8Array): string | null {
    if (input.length === 0) return null;
    this.runs++;
    const problems: string[] = [];
    const mode = input[0]!;
    const m = input.subarray(1);
    if (mode === FRESH) this.runFresh(m, problems);
    else this.runEstablished(m, problems);
    if (this.runs % TRAFFIC_EVERY === 0) this.traffic(problems);
    if (this.runs % RESET_EVERY === 0) this.reset(problems);
    return problems.length === 0 ? null : problems.join('; ');
  }

  private runFresh(m: Uint8Array, problems: string[]): void {
    this.dropLink();
    const l = this.connect();
    l.stream.out.length = 0; // our HELLO
    l.stream.feed(m);
    const got = this.replies(l, problems);
    const errs = got.filter((g) => g.msg.type === 'error');
    if (m.length < 8 || rd16(m, 2) > m.length) {
      // incomplete: nothing to answer yet; the peer hangs up
      if (got.length > 0) problems.push('replies to an incomplete first message');
      l.stream.hangup();
      if (!l.conn.isClosed) problems.push('the connection did not close when the peer hung up');
      return;
    }
    if (rd16(m, 2) < 8) {
      if (!l.conn.isClosed) problems.push('framing error (length < 8) on the first message did not close');
      return;
    }
    const first = m.subarray(0, rd16(m, 2));
    const d = decodeMessage(first);
    const helloOk = !isOFError(d) && d.type === 'hello' && negotiate(d.versions, d.version ?? first[0]!, [this.version]) === this.version;
    if (helloOk) {
      if (first.length < m.length) { l.stream.hangup(); return; } // what follows is not modelled
      if (!l.conn.isReady) problems.push(`a hello offering version ${this.version} was refused: ${l.closedReason}`);
      this.link = l;
      this.roundTrip(l, problems, 'after a fuzzed hello');
      return;
    }
    const e = errs[0]?.msg;
    if (!e || e.type !== 'error' || e.errType !== OFPET_HELLO_FAILED || e.code !== OFPHFC_INCOMPATIBLE) {
      problems.push(`a bad first message got ${e && e.type === 'error' ? `${e.errType}/${e.code}` : 'no error'}, not OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE`);
    }
    if (!l.conn.isClosed) problems.push('the connection stayed open after a failed hello');
  }

  private runEstablished(m: Uint8Array, problems: string[]): void {
    const l = this.established();
    const rulesBefore = this.totalRules();
    l.stream.feed(m);
    const got = this.replies(l, problems);
    const hdrLen = m.length >= 4 ? rd16(m, 2) : -1;
    if (m.length < 8 || hdrLen > m.length) { // the framer waits for the rest; the peer hangs up
      if (got.length > 0 && (m.length < 8 || hdrLen >= 8)) problems.push(`${got.length} replies to an incomplete message`);
      if (m.length < 8 && hdrLen >= 0 && hdrLen < 8 && l.conn.isClosed) { this.expectFramingClose(l, got, problems); return; }
      l.stream.hangup();
      if (!l.conn.isClosed) problems.push('no close on hang-up after a partial message');
      if (this.agent.connected.includes(l.session)) problems.push('a closed session is still listed');
      this.counts.closes++;
      this.link = null;
      return;
    }
    if (hdrLen < 8) { this.expectFramingClose(l, got, problems); return; }
    if (hdrLen < m.length) { this.link = null; l.stream.hangup(); return; } // the rest starts a message we do not model
    if (l.conn.isClosed) { problems.push(`a whole message closed the connection: ${l.closedReason}`); this.link = null; return; }
    const xid = rd32(m, 4);
    const errors = got.filter((g) => g.msg.type === 'error' || g.msg.type === 'error_experimenter');
    // a bundle commit reports its failing message with that message's own xid (OF1.4.1 §6.8.2)
    const commit = (m[1] === 33 && m.length >= 16 && rd16(m, 12) === 4)
      || (m[1] === 4 && m.length >= 24 && rd32(m, 8) === 0x4f4e4600 && rd32(m, 12) === 2300 && rd16(m, 20) === 4); // ONF EXT-230 in 1.3
    for (const e of errors) if (e.msg.xid !== xid && !commit) problems.push(`an error with xid ${e.msg.xid}, not the offending ${xid}`);
    const msg = codecFor(this.version)!.decode(m);
    if (isOFError(msg)) {
      const v = this.version;
      const want = m[1] !== 0 && m[0] !== v ? OFPBRC_BAD_VERSION : m[0] === v && m[1]! > LAST_TYPE[v] ? OFPBRC_BAD_TYPE : -1;
      if (want >= 0 && (msg.type !== OFPET_BAD_REQUEST || msg.code !== want)) problems.push(`the codec gave ${msg.type}/${msg.code}, the spec ${OFPET_BAD_REQUEST}/${want}`);
      const e = errors[0]?.msg;
      if (errors.length !== 1 || e?.type !== 'error' || e.errType !== msg.type || e.code !== msg.code) {
        problems.push(`an undecodable message (${msg.type}/${msg.code}) got ${errors.length} errors${e?.type === 'error' ? ` (${e.errType}/${e.code})` : ''}`);
      }
      return;
    }
    const answered = (t: string): boolean => got.some((g) => g.msg.type === t && g.msg.xid === xid);
    if (msg.type === 'echo_request' && !answered('echo_reply')) problems.push('echo request not answered');
    if (msg.type === 'barrier_request' && !answered('barrier_reply')) problems.push('barrier request not answered');
    if (msg.type === 'bundle_add_message' && msg.message.type === 'flow_mod' && msg.message.command === 0) this.flowModsSinceReset++;
    if (msg.type === 'flow_mod' && msg.command === 0 && errors.length === 0 && msg.tableId < this.r.bridge.pipeline.nTables) {
      this.flowModsSinceReset++;
      if (this.r.bridge.pipeline.table(msg.tableId).size === 0) problems.push(`a flow-mod ADD to table ${msg.tableId} got no error and is not in the table`);
      else this.counts.applied++;
    }
    const pl = this.r.bridge.pipeline;
    if (msg.type === 'group_mod' && msg.command === 0 && errors.length === 0) {
      if (!pl.groups.has(msg.groupId)) problems.push(`a group-mod ADD of group ${msg.groupId} got no error and the group is not there`);
      else this.counts.applied++;
    }
    if (msg.type === 'meter_mod' && msg.command === 0 && errors.length === 0) {
      if (!pl.meters.has(msg.meterId)) problems.push(`a meter-mod ADD of meter ${msg.meterId} got no error and the meter is not there`);
      else this.counts.applied++;
    }
    if (this.totalRules() > rulesBefore + 1 && msg.type !== 'bundle_control') problems.push(`one message added ${this.totalRules() - rulesBefore} rules`);
  }

  private expectFramingClose(l: Link, got: { msg: OFMessage }[], problems: string[]): void {
    const e = got.find((g) => g.msg.type === 'error')?.msg;
    if (!e || e.type !== 'error' || e.errType !== OFPET_BAD_REQUEST || e.code !== OFPBRC_BAD_LEN) problems.push('a header length < 8 got no OFPBRC_BAD_LEN');
    if (!l.conn.isClosed) problems.push('a framing error did not close the connection');
    if (this.agent.connected.includes(l.session)) problems.push('a closed session is still listed');
    this.counts.closes++;
    this.link = null;
  }

  private totalRules(): number {
    let n = 0;
    const p = this.r.bridge.pipeline;
    for (let t = 0; t < p.nTables; t++) n += p.table(t).size;
    return n;
  }

  /** Frames through the ports: misses and controller outputs make packet-ins. */
  private traffic(problems: string[]): void {
    const r = this.r;
    const k = this.runs / TRAFFIC_EVERY;
    r.send(1 + (k % 3), ipFrame({ sport: k & 0xffff }), arpFrame(MAC(9)), ipFrame({ proto: 6, vlan: 5 }));
    for (let p = 1; p <= 3; p++) r.take(p);
    r.packetIns.length = 0;
    r.clock.t += 20;
    if (this.agent.buffers.size !== N_BUFFERS) problems.push(`packet buffer pool holds ${this.agent.buffers.size}, not ${N_BUFFERS}`);
    if (this.link) this.replies(this.link, problems);
  }

  /** Bounded state, then a clean slate: no rules, groups or meters, a new connection. */
  private reset(problems: string[]): void {
    const rules = this.totalRules();
    if (rules > this.flowModsSinceReset + 1) problems.push(`${rules} rules after ${this.flowModsSinceReset} applied flow-mods`);
    this.dropLink();
    const l = this.established();
    l.stream.feed(this.encode({ type: 'flow_mod', xid: 1, ...flowMod({ command: 3, tableId: 0xff }) }));
    l.stream.feed(this.encode({ type: 'group_mod', xid: 2, command: 2, groupType: 0, groupId: 0xfffffffc, buckets: [] }));
    l.stream.feed(this.encode({ type: 'meter_mod', xid: 3, command: 2, flags: 0, meterId: 0xffffffff, bands: [] }));
    l.stream.feed(this.encode({ type: 'flow_mod', xid: 4, ...flowMod({ priority: 0, instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: 128 }] }] }) }));
    this.replies(l, problems);
    if (this.totalRules() !== 1) problems.push(`${this.totalRules()} rules after deleting all and adding one`);
    this.flowModsSinceReset = 0;
  }

  private roundTrip(l: Link, problems: string[], when: string): void {
    l.stream.feed(this.encode({ type: 'echo_request', xid: 0x7ffffff0, data: Uint8Array.from([1, 2, 3]) }));
    l.stream.feed(this.encode({ type: 'barrier_request', xid: 0x7ffffff1 }));
    const got = this.replies(l, problems);
    if (!got.some((g) => g.msg.type === 'echo_reply' && g.msg.xid === 0x7ffffff0)) problems.push(`no echo reply ${when}`);
    if (!got.some((g) => g.msg.type === 'barrier_reply' && g.msg.xid === 0x7ffffff1)) problems.push(`no barrier reply ${when}`);
  }

  async finish(): Promise<string | null> {
    const problems: string[] = [];
    if (this.link && !this.link.conn.isClosed) this.roundTrip(this.link, problems, 'at the end, on the fuzzed connection');
    this.roundTrip(this.established(), problems, 'at the end');
    if (this.agent.buffers.size !== N_BUFFERS) problems.push(`packet buffer pool holds ${this.agent.buffers.size}`);
    return problems.length === 0 ? null : problems.join('; ');
  }

  stats(): string {
    const c = this.counts;
    const n = (x: number): string => x.toLocaleString('en-US');
    return `${n(c.errors)} OFPT_ERRORs (all valid), ${n(c.applied)} flow/group/meter-mods applied, ${n(c.closes)} clean closes, ${n(c.connections)} connections, ${n(c.packetIns)} packet-ins`;
  }

  close(): void {
    this.dropLink();
    this.agent.close();
    this.r.bridge.stop();
  }
}
