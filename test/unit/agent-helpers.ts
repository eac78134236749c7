// Test plumbing for the agent: a connected socket pair on 127.0.0.1 and a scripted
// controller that speaks the codec.
import { createServer, createConnection, type Socket } from 'node:net';
import { isOFError } from '../../src/pipeline/errors.js';
import {
  MessageFramer, decodeMessage, encodeMessage, type OFMessage, type OFMessageType,
} from '../../src/openflow/index.js';
import { decodeMessage10 } from '../../src/openflow/of10/decode.js';
import { encodeMessage10 } from '../../src/openflow/of10/encode.js';
import { codecFor } from '../../src/openflow/codec.js';

export async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const client = createConnection({ host: '127.0.0.1', port });
  const s = await accepted;
  server.close();
  await new Promise<void>((r) => client.once('connect', () => r()));
  return [client, s];
}

type Received = { msg: OFMessage | null; raw: Uint8Array };

/** The controller side: decodes everything it receives into a queue. With `answerEchoes`
 * it answers the switch's echo requests itself (a controller that stays connected, as the
 * reliability tools need) instead of queueing them. */
export class TestController {
  readonly received: Received[] = [];
  closed = false;
  private readonly framer = new MessageFramer();
  private waiters: (() => void)[] = [];
  private xid = 1;
  readonly version: 1 | 4 | 5 | 6;

  /** `version` 1: an OpenFlow 1.0 controller (hello without a bitmap, 1.0 codec); 5: 1.4; 6: 1.5. */
  constructor(readonly sock: Socket, opts: { answerEchoes?: boolean; version?: 1 | 4 | 5 | 6 } = {}) {
    this.version = opts.version ?? 4;
    sock.on('data', (c: Buffer) => {
      for (const raw of this.framer.push(c).messages) {
        // by the message's own version, as a peer that speaks several would
        const d = raw[0] === 1 && raw[1] !== 0 ? decodeMessage10(raw) : raw[0] === 5 || raw[0] === 6 ? codecFor(raw[0])!.decode(raw) : decodeMessage(raw);
        if (opts.answerEchoes === true && !isOFError(d) && d.type === 'echo_request') {
          this.send({ type: 'echo_reply', xid: d.xid, data: d.data });
          continue;
        }
        this.received.push({ msg: isOFError(d) ? null : d, raw });
      }
      this.wake();
    });
    sock.on('close', () => { this.closed = true; this.wake(); });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(m: OFMessage): void {
    this.sock.write(m.type === 'hello' ? encodeMessage(m) : this.version === 1 ? encodeMessage10(m)! : this.version >= 5 ? codecFor(this.version)!.encode(m)! : encodeMessage(m));
  }
  sendRaw(b: Uint8Array): void { this.sock.write(b); }

  /** Waits until `pred` holds over the received list (or times out). */
  async until(pred: () => boolean, ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20).unref();
      });
    }
  }

  /** A fresh xid for a request (counting from 1; the handshake's are fixed). */
  nextXid(): number {
    return this.xid++;
  }

  /** Removes and returns the first received message of `type` (that `pred` accepts). */
  async next<T extends OFMessageType>(
    type: T, ms = 2000, pred: (m: Extract<OFMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<OFMessage, { type: T }>> {
    let idx = -1;
    const is = (r: Received) => r.msg?.type === type && pred(r.msg as Extract<OFMessage, { type: T }>);
    await this.until(() => (idx = this.received.findIndex(is)) >= 0, ms);
    const [r] = this.received.splice(idx, 1);
    return r!.msg as Extract<OFMessage, { type: T }>;
  }

  /** Removes and returns everything received so far. */
  drain(): Received[] { return this.received.splice(0); }

  async waitClosed(ms = 2000): Promise<void> { await this.until(() => this.closed, ms); }

  /** A barrier round trip: everything sent before it has been handled. */
  async barrier(ms = 5000): Promise<void> {
    const x = this.nextXid();
    this.send({ type: 'barrier_request', xid: x });
    await this.next('barrier_reply', ms, (m) => m.xid === x);
  }

  /** Sends the HELLO and consumes the switch's. */
  async handshake(): Promise<void> {
    this.send(this.version === 1 ? { type: 'hello', xid: 1, version: 1, versions: [] } : { type: 'hello', xid: 1, version: this.version, versions: [this.version] });
    await this.next('hello');
    // An echo round trip proves the switch has processed our HELLO (is 'ready').
    this.send({ type: 'echo_request', xid: 0xfffe, data: new Uint8Array(0) });
    await this.next('echo_reply');
  }
}
