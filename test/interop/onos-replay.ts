/**
 * A scripted controller that replays what ONOS's OpenFlow provider does with an OF1.3
 * switch (ONOS itself cannot run here): the handshake, then LLDP link discovery.
 * It uses Sluice's own codec (src/openflow/) for the bytes; tshark checks them
 * independently in controller-onos.test.ts.
 *
 * Handshake, per switch connection, each reply checked (an OFPT_ERROR for a request, a
 * wrong type or a timeout fails the switch with a message naming the step):
 *   wait for the switch's HELLO, then send ours (ONOS's order)
 *   FEATURES_REQUEST → FEATURES_REPLY (dpid, auxiliary id 0)
 *   PORT_DESC request → one or more replies, collected while OFPMPF_REPLY_MORE is set
 *   SET_CONFIG(miss_send_len 0xffff) + BARRIER → BARRIER_REPLY, then GET_CONFIG → 0xffff
 *   METER_FEATURES, DESC (multipart)
 *   ROLE_REQUEST(MASTER) → ROLE_REPLY(MASTER)
 *
 * Discovery (OF1.3.5 §7.3.7 packet-out, §7.4.1 packet-in; LLDP IEEE 802.1AB):
 *   a flow eth_type=0x88cc → CONTROLLER (NO_BUFFER) on every switch, a barrier, then one
 *   LLDP frame per physical port by packet-out with chassis id "dpid:<16 hex>" and port id
 *   "<port number>" (both TLV subtype 7, locally assigned). An LLDP packet-in on switch B
 *   port y carrying (A, x) is the link A:x → B:y.
 *
 * Invariants: echo requests from the switch are answered at any time; messages nobody
 * waits for (port-status, other packet-ins) are kept in `unclaimed`, never dropped
 * silently; close() ends every socket and the listener.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { isOFError } from '../../src/pipeline/errors.js';
import { decodeMessage, encodeMessage, MessageFramer, OFPCR_ROLE_MASTER, OFPMPF_REPLY_MORE, type OFMessage } from '../../src/openflow/index.js';
import type { PortDesc } from '../../src/openflow/multipart-types.js';
import { OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IN_PORT } from '../../src/packet/oxm.js';
import { OFPCML_NO_BUFFER, OFPP_CONTROLLER, OFPP_MAX, OFP_NO_BUFFER, flowMod } from '../../src/pipeline/types.js';

const ETH_TYPE_LLDP = 0x88cc;
const LLDP_MULTICAST = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];
const STEP_TIMEOUT_MS = 5000;

export interface Link { readonly srcDpid: bigint; readonly srcPort: number; readonly dstDpid: bigint; readonly dstPort: number }

type Msg = OFMessage;

/** One switch connection as the replay controller sees it. */
export class ReplaySwitch {
  dpid = 0n;
  ports: PortDesc[] = [];
  portDescReplies = 0;
  readonly unclaimed: Msg[] = [];
  private xid = 100;
  private readonly framer = new MessageFramer();
  private waiter: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void } | null = null;
  private closedWhy: string | null = null;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      const r = this.framer.push(chunk);
      for (const raw of r.messages) {
        const d = decodeMessage(raw);
        if (isOFError(d)) {
          this.unclaimed.push({ type: 'error', xid: 0, errType: -1, code: -1, data: raw });
          continue;
        }
        this.deliver(d);
      }
    });
    socket.on('close', () => { this.closedWhy = 'connection closed'; });
    socket.on('error', (e) => { this.closedWhy = e.message; });
  }

  private deliver(m: Msg): void {
    if (m.type === 'echo_request') {
      this.send({ type: 'echo_reply', xid: m.xid, data: m.data });
      return;
    }
    if (this.waiter && this.waiter.pred(m)) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(m);
      return;
    }
    this.unclaimed.push(m);
  }

  send(m: Msg): void {
    this.socket.write(encodeMessage(m));
  }

  nextXid(): number {
    return ++this.xid;
  }

  /** The first message (already received or still to come) matching `pred`. */
  next(pred: (m: Msg) => boolean, step: string, timeoutMs = STEP_TIMEOUT_MS): Promise<Msg> {
    const i = this.unclaimed.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.unclaimed.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`${step}: no answer within ${timeoutMs} ms${this.closedWhy ? ` (${this.closedWhy})` : ''}`));
      }, timeoutMs);
      this.waiter = { pred, resolve: (m) => { clearTimeout(t); resolve(m); } };
    });
  }

  /** Sends a request and returns the reply with its xid, failing on OFPT_ERROR or a wrong type. */
  async request<T extends Msg['type']>(m: Msg, replyType: T, step: string): Promise<Extract<Msg, { type: T }>> {
    this.send(m);
    const r = await this.next((x) => x.xid === m.xid && x.type !== 'echo_reply', step);
    if (r.type === 'error') throw new Error(`${step}: switch answered OFPT_ERROR type ${r.errType} code ${r.code}`);
    if (r.type !== replyType) throw new Error(`${step}: expected ${replyType}, got ${r.type}`);
    return r as Extract<Msg, { type: T }>;
  }

  /** ONOS's OF1.3 handshake; returns the replies worth asserting on. */
  async handshake(): Promise<{ missSendLen: number; role: number; mfrDesc: string; maxMeter: number; nTables: number }> {
    const hello = await this.next(() => true, 'switch HELLO');
    if (hello.type !== 'hello') throw new Error(`switch HELLO: first message is ${hello.type}`);
    this.send({ type: 'hello', xid: this.nextXid(), versions: [4] });

    const f = await this.request({ type: 'features_request', xid: this.nextXid() }, 'features_reply', 'FEATURES_REQUEST');
    if (f.auxiliaryId !== 0) throw new Error(`FEATURES_REPLY: auxiliary id ${f.auxiliaryId} on the main connection`);
    this.dpid = f.datapathId;

    const pdXid = this.nextXid();
    this.send({ type: 'multipart_request', xid: pdXid, flags: 0, body: { kind: 'port_desc' } });
    for (;;) {
      const r = await this.next((x) => x.xid === pdXid, 'PORT_DESC');
      if (r.type !== 'multipart_reply' || r.body.kind !== 'port_desc') throw new Error(`PORT_DESC: got ${r.type}`);
      this.ports.push(...r.body.ports);
      this.portDescReplies++;
      if ((r.flags & OFPMPF_REPLY_MORE) === 0) break;
    }

    const setXid = this.nextXid();
    this.send({ type: 'set_config', xid: setXid, flags: 0, missSendLen: 0xffff });
    await this.request({ type: 'barrier_request', xid: this.nextXid() }, 'barrier_reply', 'SET_CONFIG + BARRIER');
    const setErr = this.unclaimed.find((x) => x.xid === setXid && x.type === 'error');
    if (setErr) throw new Error('SET_CONFIG: switch answered OFPT_ERROR');
    const cfg = await this.request({ type: 'get_config_request', xid: this.nextXid() }, 'get_config_reply', 'GET_CONFIG');

    const mf = await this.request({ type: 'multipart_request', xid: this.nextXid(), flags: 0, body: { kind: 'meter_features' } }, 'multipart_reply', 'METER_FEATURES');
    if (mf.body.kind !== 'meter_features') throw new Error(`METER_FEATURES: got ${mf.body.kind}`);
    const desc = await this.request({ type: 'multipart_request', xid: this.nextXid(), flags: 0, body: { kind: 'desc' } }, 'multipart_reply', 'DESC');
    if (desc.body.kind !== 'desc') throw new Error(`DESC: got ${desc.body.kind}`);
    const role = await this.request({ type: 'role_request', xid: this.nextXid(), role: OFPCR_ROLE_MASTER, generationId: 1n }, 'role_reply', 'ROLE_REQUEST');
    return { missSendLen: cfg.missSendLen, role: role.role, mfrDesc: desc.body.mfrDesc, maxMeter: mf.body.maxMeter, nTables: f.nTables };
  }

  /** LLDP → CONTROLLER at a priority above anything else, then a barrier so it is in place. */
  async installLldpPunt(): Promise<void> {
    const fm = flowMod({
      priority: 40000,
      match: [{ field: OFPXMT_OFB_ETH_TYPE, value: Uint8Array.of(ETH_TYPE_LLDP >> 8, ETH_TYPE_LLDP & 0xff) }],
      instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: OFPCML_NO_BUFFER }] }],
    });
    this.send({ type: 'flow_mod', xid: this.nextXid(), ...fm });
    await this.request({ type: 'barrier_request', xid: this.nextXid() }, 'barrier_reply', 'LLDP flow + BARRIER');
    const err = this.unclaimed.find((x) => x.type === 'error');
    if (err) throw new Error('LLDP flow-mod: switch answered OFPT_ERROR');
  }

  /** One LLDP probe out of every physical port (LOCAL and reserved ports skipped, as ONOS does). */
  probe(): number {
    let n = 0;
    for (const p of this.ports) {
      if (p.portNo > OFPP_MAX) continue;
      const data = lldpFrame(this.dpid, p.portNo, p.hwAddr);
      this.send({ type: 'packet_out', xid: this.nextXid(), bufferId: OFP_NO_BUFFER, inPort: OFPP_CONTROLLER, actions: [{ type: 'output', port: p.portNo, maxLen: 0 }], data });
      n++;
    }
    return n;
  }

  /** Links seen so far: every LLDP packet-in received here, decoded. */
  linksSeen(): Link[] {
    const out: Link[] = [];
    for (const m of this.unclaimed) {
      if (m.type !== 'packet_in') continue;
      const probe = parseLldp(m.data);
      const inPort = m.match.find((f) => f.field === OFPXMT_OFB_IN_PORT);
      if (!probe || !inPort) continue;
      const v = inPort.value;
      out.push({ srcDpid: probe.dpid, srcPort: probe.port, dstDpid: this.dpid, dstPort: ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0 });
    }
    return out;
  }
}

/** LLDPDU (IEEE 802.1AB §8): chassis id, port id, TTL, end; padded to the 60-byte minimum. */
export function lldpFrame(dpid: bigint, port: number, src: Uint8Array): Uint8Array {
  const enc = new TextEncoder();
  const chassis = enc.encode(`dpid:${dpid.toString(16).padStart(16, '0')}`);
  const portId = enc.encode(String(port));
  const tlv = (type: number, value: Uint8Array) => [(type << 1) | (value.length >> 8), value.length & 0xff, ...value];
  const bytes = [
    ...LLDP_MULTICAST, ...src, ETH_TYPE_LLDP >> 8, ETH_TYPE_LLDP & 0xff,
    ...tlv(1, Uint8Array.of(7, ...chassis)), // chassis id, subtype 7 = locally assigned
    ...tlv(2, Uint8Array.of(7, ...portId)), // port id, subtype 7 = locally assigned
    ...tlv(3, Uint8Array.of(0, 120)), // TTL 120 s
    0, 0, // end of LLDPDU
  ];
  while (bytes.length < 60) bytes.push(0);
  return Uint8Array.from(bytes);
}

/** The (dpid, port) a probe of ours carries, or null for any other frame. */
export function parseLldp(f: Uint8Array): { dpid: bigint; port: number } | null {
  if (f.length < 16 || ((f[12]! << 8) | f[13]!) !== ETH_TYPE_LLDP) return null;
  const dec = new TextDecoder();
  let dpid: bigint | null = null;
  let port: number | null = null;
  for (let o = 14; o + 2 <= f.length;) {
    const type = f[o]! >> 1;
    const len = ((f[o]! & 1) << 8) | f[o + 1]!;
    if (type === 0 || o + 2 + len > f.length) break;
    const v = f.subarray(o + 2, o + 2 + len);
    if (type === 1 && v[0] === 7) {
      const m = /^dpid:([0-9a-f]{16})$/.exec(dec.decode(v.subarray(1)));
      if (m) dpid = BigInt('0x' + m[1]);
    } else if (type === 2 && v[0] === 7) {
      const s = dec.decode(v.subarray(1));
      if (/^\d+$/.test(s)) port = Number(s);
    }
    o += 2 + len;
  }
  return dpid !== null && port !== null ? { dpid, port } : null;
}

/** Listens on 127.0.0.1:port; every switch that connects is handed to `onSwitch`. */
export class ReplayController {
  readonly switches: ReplaySwitch[] = [];
  private constructor(private readonly server: Server) {}

  static async listen(port: number, onSwitch: (s: ReplaySwitch) => void): Promise<ReplayController> {
    let ctl: ReplayController;
    const server = createServer((sock) => {
      const s = new ReplaySwitch(sock);
      ctl.switches.push(s);
      onSwitch(s);
    });
    ctl = new ReplayController(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return ctl;
  }

  close(): void {
    for (const s of this.switches) s.socket.destroy();
    this.server.close();
  }
}
