/**
 * A short-lived OpenFlow 1.3 client for the ofctl verbs: connect, HELLO, a few requests,
 * close. It reuses the switch side's OFConnection (framing, hello and version negotiation,
 * echo answers), so both ends speak exactly the same codec.
 *
 *   connect ─► HELLO ⇄ HELLO (1.3 only) ─► ready
 *   multipart(body)  : request xid=N ─► replies xid=N while OFPMPF_REPLY_MORE ─► bodies
 *   modify([m1..mk]) : m1..mk (xids N..N+k-1), BARRIER_REQUEST ─► errors seen, BARRIER_REPLY
 *   modifyBundled([m1..mk]) : BUNDLE OPEN (N), ADD m1..mk (N+1..N+k), COMMIT (N+k+1) ─►
 *                      errors seen, COMMIT reply or its error (OpenFlow 1.4 bundles, sent
 *                      as ONF EXT-230 experimenter messages since the client speaks 1.3)
 *
 * Invariants
 *  - Nothing here throws or rejects for what the switch or the network does: every call
 *    resolves to its result or to a SluiceError (ports/errors.ts) whose message is one line
 *    for the operator: code 'refused' when the switch sent OFPT_ERROR (the ErrorMsg is its
 *    `cause`), 'unreachable' when it did not answer, closed or could not be reached.
 *  - OF1.3.5 §6.2: a switch answers messages in order, so when the BARRIER_REPLY arrives
 *    every OFPT_ERROR for the mods before it has arrived too. modify() therefore reports
 *    all refusals before the verb exits.
 *  - Every call is bounded by the timeout; a connection closing fails all pending calls.
 *  - A peer that cannot do OF1.3 fails the HELLO exchange (OFConnection sends
 *    OFPET_HELLO_FAILED and closes); connect() reports the reason it gives.
 */
import { createConnection, type Socket } from 'node:net';
import { OFConnection } from '../../openflow/connection.js';
import {
  OFPMPF_REPLY_MORE, OFP_VERSION, type ErrorMsg, type MultipartReplyBody, type MultipartRequestBody, type OFMessage,
} from '../../openflow/index.js';
import { OFPBCT_COMMIT_REQUEST, OFPBCT_OPEN_REQUEST, OFPBF_ATOMIC, OFPBF_ORDERED } from '../../openflow/of14/constants.js';
import { describeErrorCode } from '../../pipeline/errors.js';
import { SluiceError } from '../../ports/errors.js';
import { unreachableMessage, type ResolvedTarget } from './target.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** The one bundle a verb opens on its own connection, atomic and ordered. */
const BUNDLE_ID = 1;
const BUNDLE_FLAGS = OFPBF_ATOMIC | OFPBF_ORDERED;


type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
/** A message to send; the client gives it its xid. */
export type Request = DistributiveOmit<OFMessage, 'xid'>;

/** An OFPT_ERROR that answered the request at `index` of a modify() batch. */
export interface Refusal { readonly index: number; readonly error: ErrorMsg }

/** Text of an OFPT_ERROR: names, and the text a HELLO_FAILED carries. */
export function describeRefusal(e: ErrorMsg): string {
  const names = describeErrorCode(e.errType, e.code);
  return e.errType === 0 && e.data.length ? `${names}: ${new TextDecoder().decode(e.data)}` : names;
}

interface Pending {
  onMessage(msg: OFMessage): void;
  fail(e: SluiceError): void;
  timer: NodeJS.Timeout;
}

export class OfctlClient {
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | null = null;

  private constructor(private readonly conn: OFConnection, readonly label: string, private readonly timeoutMs: number) {
    conn.on('message', (msg) => { this.pending.get(msg.xid)?.onMessage(msg); });
    conn.on('close', (reason) => {
      this.closedReason = reason;
      for (const p of new Set(this.pending.values())) p.fail(new SluiceError('unreachable', `${label} closed the connection: ${reason}`));
    });
  }

  /** Connects and completes the HELLO exchange. */
  static connect(r: ResolvedTarget, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<OfctlClient | SluiceError> {
    return new Promise((resolve) => {
      const t = r.target;
      const sock: Socket = t.kind === 'unix' ? createConnection({ path: t.path }) : createConnection({ host: t.host, port: t.port });
      let conn: OFConnection | null = null;
      const timer = setTimeout(() => {
        sock.destroy();
        resolve(new SluiceError('unreachable', `${r.label} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (v: OfctlClient | SluiceError) => { clearTimeout(timer); resolve(v); };
      sock.once('error', (e: NodeJS.ErrnoException) => {
        if (conn === null) done(new SluiceError('unreachable', unreachableMessage(r, e.code, e.message)));
      });
      sock.once('connect', () => {
        // the verbs speak 1.3 (the bridge's protocols do not apply to the mgmt socket)
        const c = new OFConnection(sock, { name: r.label, probeIntervalMs: 0, versions: [OFP_VERSION] });
        conn = c;
        c.once('ready', () => done(new OfctlClient(c, r.label, timeoutMs)));
        c.once('close', (reason) => done(new SluiceError('unreachable', `${r.label}: OpenFlow 1.3 handshake failed: ${reason}`)));
      });
    });
  }

  /** All bodies of a multipart reply (OF1.3.5 §7.3.5: parts until one without REPLY_MORE). */
  multipart(body: MultipartRequestBody): Promise<MultipartReplyBody[] | SluiceError> {
    const bodies: MultipartReplyBody[] = [];
    return this.call([{ type: 'multipart_request', flags: 0, body }], (msg, resolve) => {
      if (msg.type === 'error') { resolve(this.refused('the request', msg)); return true; }
      if (msg.type !== 'multipart_reply') return false;
      bodies.push(msg.body);
      if (msg.flags & OFPMPF_REPLY_MORE) return false;
      resolve(bodies);
      return true;
    });
  }

  /**
   * Sends mods and a barrier; resolves at the barrier reply with every refusal, by the
   * index of the refused mod in `mods` (OF1.3.5 §6.2: the barrier orders the replies).
   */
  modify(mods: readonly Request[]): Promise<Refusal[] | SluiceError> {
    const refusals: Refusal[] = [];
    return this.call([...mods, { type: 'barrier_request' }], (msg, resolve, first) => {
      if (msg.type === 'error') {
        if (msg.xid - first === mods.length) { resolve(this.refused('the barrier', msg)); return true; }
        refusals.push({ index: msg.xid - first, error: msg });
        return false;
      }
      if (msg.type !== 'barrier_reply' || msg.xid !== first + mods.length) return false;
      resolve(refusals);
      return true;
    });
  }

  /**
   * Sends mods as one atomic bundle (OF1.4.1 §6.8): all are applied or none. Resolves at
   * the commit's answer with the refusals by index in `mods` (none: committed; some: the
   * switch changed nothing); a refused open or commit without a refused mod is a SluiceError.
   */
  modifyBundled(mods: readonly Request[]): Promise<Refusal[] | SluiceError> {
    const refusals: Refusal[] = [];
    const ctl = (ctrlType: number): Request => ({ type: 'bundle_control', bundleId: BUNDLE_ID, ctrlType, flags: BUNDLE_FLAGS });
    const adds = mods.map((m): Request => ({ type: 'bundle_add_message', bundleId: BUNDLE_ID, flags: BUNDLE_FLAGS, message: { ...m, xid: 0 } as OFMessage, raw: new Uint8Array(0) }));
    return this.call([ctl(OFPBCT_OPEN_REQUEST), ...adds, ctl(OFPBCT_COMMIT_REQUEST)], (msg, resolve, first) => {
      const commit = first + mods.length + 1;
      if (msg.type === 'error' && msg.xid > first && msg.xid < commit) {
        refusals.push({ index: msg.xid - first - 1, error: msg });
        return false;
      }
      if (msg.type === 'error' || msg.type === 'error_experimenter') {
        if (msg.xid === commit && refusals.length > 0) { resolve(refusals); return true; }
        const what = msg.xid === first ? 'the bundle' : 'the bundle commit';
        resolve(msg.type === 'error' ? this.refused(what, msg) : new SluiceError('refused', `${this.label} refused ${what}: experimenter error ${msg.expType}`));
        return true;
      }
      if (msg.type !== 'bundle_control' || msg.xid !== commit) return false;
      resolve(refusals);
      return true;
    });
  }

  close(): void {
    this.conn.close('done');
  }

  private refused(what: string, e: ErrorMsg): SluiceError {
    return new SluiceError('refused', `${this.label} refused ${what}: ${describeRefusal(e)}`, { cause: e });
  }

  /**
   * Sends `msgs` with consecutive xids and feeds every message answering one of them to
   * `handle` until it says done. xids are allocated in one go so that they are contiguous.
   */
  private call<T>(
    msgs: readonly Request[],
    handle: (msg: OFMessage, resolve: (v: T | SluiceError) => void, firstXid: number) => boolean,
  ): Promise<T | SluiceError> {
    return new Promise((resolve) => {
      if (this.closedReason !== null) {
        resolve(new SluiceError('unreachable', `${this.label} closed the connection: ${this.closedReason}`));
        return;
      }
      // Contiguous: a CLI connection sends far fewer than 2^32 messages, so no wrap-around.
      const xids = msgs.map(() => this.conn.allocXid());
      const first = xids[0]!;
      let result: T | SluiceError | undefined;
      const p: Pending = {
        onMessage: (msg) => { if (handle(msg, (v) => { result = v; }, first)) this.finish(xids, result, resolve); },
        fail: (e) => this.finish(xids, e, resolve),
        timer: setTimeout(() => this.finish(xids, new SluiceError('unreachable', `${this.label} did not answer within ${this.timeoutMs} ms`), resolve), this.timeoutMs),
      };
      for (const x of xids) this.pending.set(x, p);
      msgs.forEach((m, i) => {
        const xid = xids[i]!;
        // a bundled message carries its bundle-add's xid (OF1.4.1 §7.3.9.2)
        this.conn.send(m.type === 'bundle_add_message' ? { ...m, xid, message: { ...m.message, xid } } : { ...m, xid });
      });
    });
  }

  private finish<T>(xids: readonly number[], v: T | SluiceError | undefined, resolve: (v: T | SluiceError) => void): void {
    const p = this.pending.get(xids[0]!);
    if (!p) return; // already finished (timeout and answer raced)
    clearTimeout(p.timer);
    for (const x of xids) this.pending.delete(x);
    resolve(v ?? new SluiceError('unreachable', `${this.label}: no answer`));
  }
}
