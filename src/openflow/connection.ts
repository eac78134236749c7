/**
 * One OpenFlow channel over any Duplex byte stream (TCP, unix socket, TLS, an in-memory
 * pair): hello and version negotiation, framing, decoding, echo, the inactivity probe.
 * What the messages mean is the agent's business; this module only keeps the channel.
 *
 *   connect ─► send HELLO(bitmap) ─► peer HELLO ─► negotiated ─► 'ready', then 'message'*
 *                                        └─ no common version ─► HELLO_FAILED, close
 *
 * Invariants
 *  - Our HELLO is the first thing written, at once (OF1.3.5 §6.3.1; ONOS waits for it).
 *  - Negotiation (§6.3.1, §7.5.1): our hello carries our highest version in the header and
 *    all we offer (`versions`: 1.0 and 1.3 unless the bridge's `protocols` narrow it) in a
 *    version bitmap. With a bitmap from the peer, the highest common version; otherwise
 *    min(our highest, the header's), which must be one we offer. Anything else is
 *    OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE, then close. A non-HELLO first message is
 *    treated the same way. The version is per connection: one bridge may have a 1.0 and
 *    a 1.3 connection at once, each decoded and encoded by its own codec (codec.ts).
 *  - After negotiation, a message whose header version is not the agreed one is answered
 *    OFPET_BAD_REQUEST/OFPBRC_BAD_VERSION and otherwise ignored.
 *  - 'message' events come in stream order, each after the previous one was handled (the
 *    agent's handlers are synchronous), so a barrier reply follows everything before it.
 *  - A message that does not decode is answered with the codec's OFPT_ERROR carrying its
 *    xid and first 64 bytes; the connection stays up. A framing error (length < 8) cannot
 *    be recovered from: error, then close.
 *  - Echo requests are answered here. Inactivity probe: after `probeIntervalMs` without
 *    receiving anything, send ECHO_REQUEST; if still nothing arrives within
 *    `probeTimeoutMs`, close. Timers are unref'd: a connection never keeps the process up.
 *  - 'close' is emitted exactly once, with a reason.
 *  - The send queue is bounded (a controller that stops reading must not grow the switch
 *    without end; OVS bounds its rconn backlog the same way). What the stream holds
 *    unsent, `sendQueueBytes`, is kept near two limits:
 *      - a message the switch may drop (packet-ins: `sendDroppable`) is dropped once the
 *        queue holds `asyncBacklogBytes` (the caller counts it: the agent, per bridge);
 *      - once the queue holds `readPauseBytes` (replies to the peer's own requests), the
 *        connection stops reading requests until the queue drains: a peer that sends and
 *        never reads gets no more work done, and the inactivity probe decides its fate.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  OFPBRC_BAD_VERSION, OFPET_BAD_REQUEST, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE, isOFError, ofError, type OFError,
} from '../pipeline/errors.js';
import { DEFAULT_VERSIONS, codecFor, formatProtocols, type VersionCodec } from './codec.js';
import { OFPT_HELLO } from './constants.js';
import { decodeMessage } from './decode.js';
import { encodeMessage } from './encode.js';
import { encodeError, xidOf } from './error-codec.js';
import { MessageFramer } from './framing.js';
import type { OFMessage } from './message-types.js';

export interface ConnectionOptions {
  /** Idle time before an echo probe (default 5000 ms; 0 disables the probe). */
  readonly probeIntervalMs?: number;
  /** Time allowed for any answer after the probe (default = probeIntervalMs). */
  readonly probeTimeoutMs?: number;
  /** A name for logs ("tcp:127.0.0.1:6653", "ptcp:6634 ← 127.0.0.1:51234"). */
  readonly name?: string;
  /** Queue bytes past which droppable messages (packet-ins) are dropped (default 256 KiB). */
  readonly asyncBacklogBytes?: number;
  /** Queue bytes past which reading pauses until the queue drains (default 4 MiB). */
  readonly readPauseBytes?: number;
  /** Versions offered in the hello (wire numbers, OVS's `protocols`); default all implemented. */
  readonly versions?: readonly number[];
}

const CLOSE_GRACE_MS = 1000;
const ASYNC_BACKLOG_BYTES = 256 * 1024;
const READ_PAUSE_BYTES = 4 * 1024 * 1024;

interface OFConnectionEvents {
  ready: [version: number];
  message: [msg: OFMessage, raw: Uint8Array];
  close: [reason: string];
}

export class OFConnection extends EventEmitter<OFConnectionEvents> {
  readonly name: string;
  version = 0;
  /** The negotiated version's codec; null until the hello exchange completes. */
  private codec: VersionCodec | null = null;
  private readonly versions: readonly number[];
  private readonly framer = new MessageFramer();
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private lastRx = Date.now();
  private probeSentAt = 0;
  private probeTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private nextXid = 1;
  private readonly asyncBacklogBytes: number;
  private readonly readPauseBytes: number;
  private readPaused = false;

  constructor(private readonly stream: Duplex, opts: ConnectionOptions = {}) {
    super();
    this.name = opts.name ?? 'connection';
    this.probeIntervalMs = opts.probeIntervalMs ?? 5000;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? this.probeIntervalMs;
    this.asyncBacklogBytes = opts.asyncBacklogBytes ?? ASYNC_BACKLOG_BYTES;
    this.readPauseBytes = opts.readPauseBytes ?? READ_PAUSE_BYTES;
    this.versions = (opts.versions ?? DEFAULT_VERSIONS).filter((v) => codecFor(v) !== undefined);
    if (this.versions.length === 0) throw new RangeError('OFConnection: no implemented OpenFlow version offered');
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (e: Error) => this.finish(`stream error: ${e.message}`));
    stream.on('close', () => this.finish('closed by peer'));
    stream.on('end', () => this.finish('closed by peer'));
    // §7.5.1: the header carries our highest version, the bitmap all of them
    this.write(encodeMessage({ type: 'hello', xid: this.allocXid(), version: Math.max(...this.versions), versions: this.versions }));
    this.armProbe(this.probeIntervalMs);
  }

  get isReady(): boolean {
    return this.version !== 0 && !this.closed;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A fresh xid for messages this side initiates (async messages, probes). */
  allocXid(): number {
    const x = this.nextXid;
    this.nextXid = (this.nextXid + 1) >>> 0 || 1;
    return x;
  }

  /** Bytes written and not yet taken by the operating system. */
  get sendQueueBytes(): number {
    return this.stream.writableLength;
  }

  /** `msg` in the connection's version; null when that version has no form for it (the
   * message is then not sent: a 1.0 peer gets no group stats, no flow-removed of table 3). */
  encode(msg: OFMessage): Uint8Array | null {
    return this.codec ? this.codec.encode(msg) : encodeMessage(msg);
  }

  send(msg: OFMessage): void {
    const bytes = this.encode(msg);
    if (bytes !== null) this.write(bytes);
  }

  /** Sends a message the switch may drop (a packet-in) unless the send queue already holds
   * `asyncBacklogBytes`; then drops it. Returns whether it was queued. */
  sendDroppable(msg: OFMessage): boolean {
    if (this.stream.writableLength >= this.asyncBacklogBytes) return false;
    this.send(msg);
    return true;
  }

  /** Sends the OFPT_ERROR for `offending` (its xid, its first 64 bytes). */
  sendError(error: OFError, offending: Uint8Array, xid = xidOf(offending)): void {
    this.write(encodeError(xid, error, offending, (m) => this.encode(m)));
  }

  write(bytes: Uint8Array): void {
    if (this.closed || this.stream.destroyed) return;
    // write() returning false means 'drain' will come once the queue empties below the
    // stream's high-water mark, far below readPauseBytes
    if (!this.stream.write(bytes) && !this.readPaused && this.stream.writableLength >= this.readPauseBytes) {
      this.readPaused = true;
      this.stream.pause();
      this.stream.once('drain', () => {
        this.readPaused = false;
        if (!this.closed) this.stream.resume();
      });
    }
  }

  /** Ends the stream (flushing what was written), destroys it if the peer lingers. */
  close(reason = 'closed locally'): void {
    if (this.closed) return;
    this.stream.end();
    const t = setTimeout(() => this.stream.destroy(), CLOSE_GRACE_MS);
    t.unref();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (!this.stream.destroyed && this.stream.writableEnded === false) this.stream.end();
    this.emit('close', reason);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastRx = Date.now();
    const r = this.framer.push(chunk);
    for (const raw of r.messages) {
      if (this.closed) return;
      this.onMessage(raw);
    }
    if (!r.ok && !this.closed) {
      this.sendError(r.error, new Uint8Array(0), 0);
      this.close(`framing error: ${r.error.message}`);
    }
  }

  private onMessage(raw: Uint8Array): void {
    if (this.codec === null) {
      const d = decodeMessage(raw); // decodes OFPT_HELLO at any version (§6.3.1)
      if (isOFError(d) || d.type !== 'hello') {
        this.failHello('expected OFPT_HELLO as the first message', raw);
        return;
      }
      const v = negotiate(d.versions, d.version ?? raw[0]!, this.versions);
      if (v === 0) {
        const theirs = formatProtocols(d.versions.length > 0 ? d.versions : [raw[0]!]);
        this.failHello(`no common OpenFlow version: we support ${formatProtocols(this.versions)}, peer offers ${theirs}`, raw);
        return;
      }
      this.version = v;
      this.codec = codecFor(v)!;
      this.emit('ready', v);
      return;
    }
    // (a hello goes to the codec at any version: 1.3 decodes and ignores it, as before)
    if (raw[0] !== this.version && raw[1] !== OFPT_HELLO) {
      this.sendError(ofError(OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION, `version 0x${raw[0]!.toString(16)} on a connection that agreed on 0x${this.version.toString(16)}`), raw);
      return;
    }
    const d = this.codec.decode(raw);
    if (isOFError(d)) {
      this.sendError(d, raw);
      return;
    }
    const msg = d;
    switch (msg.type) {
      case 'echo_request':
        this.send({ type: 'echo_reply', xid: msg.xid, data: msg.data });
        return;
      case 'echo_reply':
        return; // lastRx already moved: that is all a probe reply means
      case 'hello':
        return; // a second hello changes nothing
      default:
        this.emit('message', msg, raw);
    }
  }

  private failHello(text: string, raw: Uint8Array): void {
    // in the peer's version when we have its codec, so that it can read why; else in ours
    const codec = codecFor(raw[0] ?? 0) ?? codecFor(Math.max(...this.versions))!;
    this.write(encodeError(xidOf(raw), ofError(OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE, text), raw, codec.encode));
    this.close(`hello failed: ${text}`);
  }

  private armProbe(delayMs: number): void {
    if (this.probeIntervalMs <= 0 || this.closed) return;
    this.probeTimer = setTimeout(() => this.onProbeTimer(), Math.max(1, delayMs));
    this.probeTimer.unref();
  }

  private onProbeTimer(): void {
    this.probeTimer = null;
    if (this.closed) return;
    const now = Date.now();
    if (this.probeSentAt !== 0) {
      if (this.lastRx >= this.probeSentAt) {
        this.probeSentAt = 0; // answered (by the echo reply or anything else)
      } else {
        this.close(`inactivity probe: no answer within ${this.probeTimeoutMs} ms`);
        return;
      }
    }
    const idle = now - this.lastRx;
    if (idle < this.probeIntervalMs) {
      this.armProbe(this.probeIntervalMs - idle);
      return;
    }
    this.probeSentAt = now;
    this.send({ type: 'echo_request', xid: this.allocXid(), data: new Uint8Array(0) });
    this.armProbe(this.probeTimeoutMs);
  }
}

/** OF1.3.5 §6.3.1 version negotiation between `ours` and the peer's hello; 0 = none.
 * With a bitmap: the highest version in both. Without: min(ours, the peer's header
 * version), which must be one of ours. */
export function negotiate(peerBitmap: readonly number[], peerHeaderVersion: number, ours: readonly number[] = DEFAULT_VERSIONS): number {
  if (peerBitmap.length > 0) {
    let best = 0;
    for (const v of peerBitmap) if (ours.includes(v) && v > best) best = v;
    return best;
  }
  const v = Math.min(peerHeaderVersion, Math.max(...ours));
  return ours.includes(v) ? v : 0;
}
