/**
 * OpenFlow 1.4 bundles of one connection (OF1.4.1 §6.8, §7.3.9): a list of modifications
 * opened, filled with BUNDLE_ADD_MESSAGE, closed, then committed as one change or
 * discarded.
 *
 *   (none) ──OPEN──► open ──CLOSE──► closed ──COMMIT──► (none)   COMMIT of an open bundle
 *      ▲  ADD (implicit open) │ ADD        │                      closes it first; DISCARD
 *      └──────────────────────┴────────────┴──DISCARD / timeout──  or the timeout ends either.
 *
 * Invariants
 *  - Only flow-mod, group-mod, meter-mod, port-mod and unbuffered packet-out can be
 *    bundled (others: OFPBFC_MSG_UNSUP); the inner xid must be the add's (OFPBFC_MSG_BAD_XID).
 *  - Commit is atomic and ordered whatever the flags (both are allowed, §6.8.1): the
 *    caller's `commit` tries every message in order on a copy first and touches the
 *    switch only if all succeed; on failure the failing message's error goes out with its
 *    xid and the COMMIT gets OFPBFC_MSG_FAILED. Either way the bundle is gone.
 *  - A bundle not committed within `timeoutMs` of its last message is discarded and its
 *    opener gets OFPBFC_TIMEOUT (xid of the last message of the bundle).
 *  - Error codes: unknown id → BAD_ID, OPEN of an existing id → BUNDLE_EXIST, add or
 *    close of a closed one → BUNDLE_CLOSED, flags other than the open's or unknown bits →
 *    BAD_FLAGS, more than MAX_BUNDLES open → OUT_OF_BUNDLES, more than MAX_MESSAGES in
 *    one → MSG_TOO_MANY, an unknown control type → BAD_TYPE.
 */
import {
  OFPBFC_BAD_FLAGS, OFPBFC_BAD_ID, OFPBFC_BAD_TYPE, OFPBFC_BUNDLE_CLOSED, OFPBFC_BUNDLE_EXIST, OFPBFC_MSG_BAD_XID,
  OFPBFC_MSG_TOO_MANY, OFPBFC_MSG_UNSUP, OFPBFC_OUT_OF_BUNDLES, OFPBFC_TIMEOUT, OFPET_BUNDLE_FAILED, ofError, type OFError,
} from '../pipeline/errors.js';
import type { BundleAddMessage, BundleControl, OFMessage, OFMessageType } from './message-types.js';
import {
  OFPBCT_CLOSE_REPLY, OFPBCT_CLOSE_REQUEST, OFPBCT_COMMIT_REPLY, OFPBCT_COMMIT_REQUEST, OFPBCT_DISCARD_REPLY,
  OFPBCT_DISCARD_REQUEST, OFPBCT_OPEN_REPLY, OFPBCT_OPEN_REQUEST, OFPBF_ATOMIC, OFPBF_ORDERED,
} from './of14/constants.js';
import { OFP_NO_BUFFER } from '../pipeline/types.js';

const MAX_BUNDLES = 64;
const MAX_MESSAGES = 1 << 17;
export const DEFAULT_BUNDLE_TIMEOUT_MS = 10_000;

/** The messages a bundle may hold. */
const BUNDLABLE: ReadonlySet<OFMessageType> = new Set<OFMessageType>(['flow_mod', 'group_mod', 'meter_mod', 'port_mod', 'packet_out']);

/** One bundled message and its bytes (the data of an error about it). */
export interface BundledMessage { readonly message: OFMessage; readonly raw: Uint8Array }

interface Bundle {
  readonly flags: number;
  closed: boolean;
  readonly messages: BundledMessage[];
  lastXid: number;
  timer: ReturnType<typeof setTimeout> | null;
}

const fail = (code: number, msg: string): OFError => ofError(OFPET_BUNDLE_FAILED, code, msg);

export class Bundles {
  private readonly open = new Map<number, Bundle>();

  constructor(
    private readonly timeoutMs: number,
    /** Told of a bundle discarded by the timeout. */
    private readonly onTimeout: (bundleId: number, xid: number, e: OFError) => void,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** BUNDLE_CONTROL: the reply to send, or the error. `commit` runs the messages. */
  control(m: BundleControl, commit: (messages: readonly BundledMessage[]) => OFError | null): BundleControl | OFError {
    const reply = (ctrlType: number): BundleControl => ({ type: 'bundle_control', xid: m.xid, bundleId: m.bundleId, ctrlType, flags: m.flags });
    const b = this.open.get(m.bundleId);
    switch (m.ctrlType) {
      case OFPBCT_OPEN_REQUEST: {
        if (b) return fail(OFPBFC_BUNDLE_EXIST, `bundle ${m.bundleId} exists`);
        const e = this.create(m.bundleId, m.flags, m.xid);
        return e ?? reply(OFPBCT_OPEN_REPLY);
      }
      case OFPBCT_CLOSE_REQUEST: {
        const e = this.check(b, m.bundleId, m.flags);
        if (e) return e;
        if (b!.closed) return fail(OFPBFC_BUNDLE_CLOSED, `bundle ${m.bundleId} is closed already`);
        b!.closed = true;
        this.arm(m.bundleId, b!, m.xid);
        return reply(OFPBCT_CLOSE_REPLY);
      }
      case OFPBCT_COMMIT_REQUEST: {
        const e = this.check(b, m.bundleId, m.flags);
        if (e) return e;
        this.drop(m.bundleId);
        const r = commit(b!.messages);
        return r ?? reply(OFPBCT_COMMIT_REPLY);
      }
      case OFPBCT_DISCARD_REQUEST: {
        if (!b) return fail(OFPBFC_BAD_ID, `bundle ${m.bundleId} does not exist`);
        this.drop(m.bundleId);
        return reply(OFPBCT_DISCARD_REPLY);
      }
      default:
        return fail(OFPBFC_BAD_TYPE, `bundle control type ${m.ctrlType}`);
    }
  }

  /** BUNDLE_ADD_MESSAGE: null when added (no reply), else the error. */
  add(m: BundleAddMessage): OFError | null {
    if (!BUNDLABLE.has(m.message.type)) return fail(OFPBFC_MSG_UNSUP, `${m.message.type} cannot be bundled`);
    // a buffered packet could be checked only by taking it from the pool: not in a bundle
    if (m.message.type === 'packet_out' && m.message.bufferId !== OFP_NO_BUFFER) return fail(OFPBFC_MSG_UNSUP, 'a packet-out with a buffer_id cannot be bundled');
    if (m.message.xid !== m.xid) return fail(OFPBFC_MSG_BAD_XID, `bundled xid ${m.message.xid} is not the add's ${m.xid}`);
    let b = this.open.get(m.bundleId);
    if (!b) { // §7.3.9.2: an add to an unknown id opens it
      const e = this.create(m.bundleId, m.flags, m.xid);
      if (e) return e;
      b = this.open.get(m.bundleId)!;
    }
    if (b.closed) return fail(OFPBFC_BUNDLE_CLOSED, `bundle ${m.bundleId} is closed`);
    if (m.flags !== b.flags) return fail(OFPBFC_BAD_FLAGS, `flags 0x${m.flags.toString(16)}, the bundle was opened with 0x${b.flags.toString(16)}`);
    if (b.messages.length >= MAX_MESSAGES) return fail(OFPBFC_MSG_TOO_MANY, `bundle ${m.bundleId} holds ${MAX_MESSAGES} messages`);
    b.messages.push({ message: m.message, raw: m.raw });
    this.arm(m.bundleId, b, m.xid);
    return null;
  }

  /** Discards every bundle (the connection closed). */
  clear(): void {
    for (const id of [...this.open.keys()]) this.drop(id);
  }

  private create(id: number, flags: number, xid: number): OFError | null {
    if ((flags & ~(OFPBF_ATOMIC | OFPBF_ORDERED)) !== 0) return fail(OFPBFC_BAD_FLAGS, `unknown bundle flags 0x${flags.toString(16)}`);
    if (this.open.size >= MAX_BUNDLES) return fail(OFPBFC_OUT_OF_BUNDLES, `${MAX_BUNDLES} bundles open on this connection`);
    const b: Bundle = { flags, closed: false, messages: [], lastXid: xid, timer: null };
    this.open.set(id, b);
    this.arm(id, b, xid);
    return null;
  }

  private check(b: Bundle | undefined, id: number, flags: number): OFError | null {
    if (!b) return fail(OFPBFC_BAD_ID, `bundle ${id} does not exist`);
    if (flags !== b.flags) return fail(OFPBFC_BAD_FLAGS, `flags 0x${flags.toString(16)}, the bundle was opened with 0x${b.flags.toString(16)}`);
    return null;
  }

  private arm(id: number, b: Bundle, xid: number): void {
    b.lastXid = xid;
    if (b.timer !== null) clearTimeout(b.timer);
    b.timer = setTimeout(() => {
      if (this.open.get(id) !== b) return;
      this.drop(id);
      this.onTimeout(id, b.lastXid, fail(OFPBFC_TIMEOUT, `bundle ${id} not committed within ${this.timeoutMs} ms: discarded`));
    }, this.timeoutMs);
    b.timer.unref?.();
  }

  private drop(id: number): void {
    const b = this.open.get(id);
    if (!b) return;
    if (b.timer !== null) clearTimeout(b.timer);
    this.open.delete(id);
  }
}
