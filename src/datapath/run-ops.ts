/**
 * OpRunner — runs a Decision's ops on one received frame, for the fast path (cache hits)
 * and the slow path alike, with src/packet/rewrite keeping the FlowKey in step.
 *
 * Invariants
 *  - Nothing is allocated per packet. Work frames (buffer with HEADROOM in front, a key,
 *    a virtio_net_hdr copy) exist once per branch depth and are reused.
 *  - Copy on write: the depth-0 frame starts as a view of the receive memory and is
 *    copied into its work buffer only before the first op that changes bytes, so a flow
 *    that only forwards is copied once, into the output staging.
 *  - The one executor of a Decision: the datapath runs it and the pipeline tests run it
 *    (test/unit/run-decision.ts) against scapy's frames. A branch runs on its own copy; a
 *    meter that drops stops everything; dec_*_ttl on TTL <= 1 sends a packet-in with
 *    OFPR_INVALID_TTL and stops its branch (OF1.3.5 §5.12); an output to the ingress port
 *    by number is dropped, OFPP_IN_PORT is resolved to it (§4.5), an output to CONTROLLER
 *    is a packet-in whatever the in_port; ops that do not apply to the frame are skipped.
 *  - Pushes/pops move the frame start; a vnet frame's csum_start/hdr_len move with it.
 *  - Every output (reserved ports unresolved, except IN_PORT) goes to the Sink with the
 *    frame as it is at that moment; the sink copies what it keeps. An output to a port
 *    (not a packet-in) of a frame a pop shortened below 60 bytes carries zero padding to
 *    60 (padForOutput, src/packet/rewrite-tags.ts).
 *  - Reparser (below) is the pipeline's re-parse after pop_mpls / pop_pbb: the same ops
 *    on the same rewriter, so decide() sees the frame exactly as this executor makes it.
 */
import { FlowKey, P_L3, W_IP } from '../packet/flow-key.js';
import { OFPXMT_OFB_IP_DSCP } from '../packet/oxm.js';
import { parseFrame } from '../packet/parse.js';
import {
  copyTtlIn, copyTtlOut, decMplsTtl, decNwTtl, frameLen, padForOutput, popMpls, popPbb, popVlan,
  pushMpls, pushPbb, pushVlan, setField, setMplsTtl, setNwTtl,
} from '../packet/rewrite.js';
import type { Op } from '../pipeline/decision.js';
import { METER_DROP, METER_REMARK, type MeterIO } from '../pipeline/meters.js';
import { OFPP_CONTROLLER, OFPP_IN_PORT, OFPR_INVALID_TTL } from '../pipeline/types.js';
import { D_DEPTH, D_IN_PORT, D_METER } from './drops.js';
import { copyBytes } from '../ports/copy-bytes.js';
import { VNET_HDR_LEN, vnetShift } from '../ports/vnet.js';

/** Bytes free in front of a work frame: room for a PBB header (18) plus MPLS and VLAN pushes. */
const HEADROOM = 64;
/** Largest frame a work frame holds (IPv4/IPv6 datagram maximum plus L2 headers). */
const MAX_FRAME = 65_535 + 64;

const MAX_DEPTH = 16;
const CONTINUE = 0;
const STOP_BRANCH = 1;
const STOP_ALL = 2;

export type OutputOp = Extract<Op, { op: 'output' }>;

/** The packet as it is at one point of the op list. buf[start, start+len). */
export interface WorkFrame {
  buf: Uint8Array;
  start: number;
  len: number;
  /** The parsed key; the datapath may point depth 0 at a key it parsed ahead (setKey). */
  key: FlowKey;
  /** virtio_net_hdr of the frame (valid when hasVnet), kept apart from the bytes. */
  readonly vh: Uint8Array;
  hasVnet: boolean;
  /** buf is the work buffer (true) or still the receive memory (false). */
  owned: boolean;
  readonly work: Uint8Array;
}

export interface Sink {
  /** `port` is as the op says (reserved ports unresolved), except OFPP_IN_PORT. */
  output(port: number, f: WorkFrame, op: OutputOp, queueId: number): void;
  /** The executor dropped the packet, or one output of it, for `reason` (drops.ts D_*). */
  drop(reason: number): void;
}

/** The packet-in a failed TTL decrement produces (OF1.3.5 §5.12). */
const INVALID_TTL_OP: OutputOp = {
  op: 'output', port: OFPP_CONTROLLER, maxLen: 0xffff, reason: OFPR_INVALID_TTL, tableId: 0, cookie: 0n,
};

function newFrame(): WorkFrame {
  const work = new Uint8Array(HEADROOM + MAX_FRAME);
  return { buf: work, start: HEADROOM, len: 0, key: new FlowKey(), vh: new Uint8Array(VNET_HDR_LEN), hasVnet: false, owned: true, work };
}

export class OpRunner {
  private readonly frames: WorkFrame[] = [];
  private readonly io: MeterIO = { dscp: -1 };
  private readonly dscpValue = new Uint8Array(1);
  private inPort = 0;
  private now = 0;
  private queueId = -1;

  constructor(private readonly sink: Sink) {
    this.frames.push(newFrame());
  }

  /** Work frames are made on first use of a depth (most flows never branch). */
  private frame(depth: number): WorkFrame {
    let f = this.frames[depth];
    if (f === undefined) {
      f = newFrame();
      this.frames[depth] = f;
    }
    return f;
  }

  /** The depth-0 key: parse into it, then call run() (it is changed by rewrites). */
  get key(): FlowKey {
    return this.frames[0]!.key;
  }

  /** Makes `k` (already parsed) the depth-0 key of the next run(). */
  setKey(k: FlowKey): void {
    this.frames[0]!.key = k;
  }

  /** Runs `ops` on buf[start, start+len) (a vnet frame when `vnet`: header before it). */
  run(ops: readonly Op[], buf: Uint8Array, start: number, len: number, vnet: boolean, inPort: number, now: number): void {
    const f = this.frames[0]!;
    f.buf = buf;
    f.start = start;
    f.len = len;
    f.owned = false;
    f.hasVnet = vnet;
    if (vnet) for (let i = 0; i < VNET_HDR_LEN; i++) f.vh[i] = buf[start - VNET_HDR_LEN + i]!;
    this.inPort = inPort;
    this.now = now;
    this.queueId = -1;
    this.list(ops, 0);
  }

  private cow(f: WorkFrame): void {
    if (f.owned) return;
    const at = HEADROOM + ((f.buf.byteOffset + f.start) & 3); // same alignment: word copy
    copyBytes(f.work, at, f.buf, f.start, f.len);
    f.buf = f.work;
    f.start = at;
    f.owned = true;
  }

  private list(ops: readonly Op[], depth: number): number {
    const saved = this.queueId;
    for (let i = 0; i < ops.length; i++) {
      const r = this.op(ops[i]!, depth);
      if (r !== CONTINUE) {
        this.queueId = saved;
        return r;
      }
    }
    this.queueId = saved;
    return CONTINUE;
  }

  /** After a push/pop that returned `ns` (or -1): moves the frame bounds. The headers
   * in front of L4 grew or shrank by start - ns (a pop may also trim the frame's end). */
  private moved(f: WorkFrame, ns: number): void {
    if (ns < 0) return;
    if (f.hasVnet && ns !== f.start) vnetShift(f.vh, VNET_HDR_LEN, f.start - ns);
    f.start = ns;
    f.len = frameLen(f.key);
  }

  private op(op: Op, depth: number): number {
    const f = this.frames[depth]!;
    switch (op.op) {
      case 'output': {
        const port = op.port === OFPP_IN_PORT ? this.inPort : op.port;
        // A packet-in goes to the controller whatever the in_port (a packet-out from
        // in_port CONTROLLER may ask for one); an output to a port is not one back out
        // the ingress port (§4.5), except by OFPP_IN_PORT.
        if (port === OFPP_CONTROLLER) {
          this.sink.output(port, f, op, this.queueId);
          return CONTINUE;
        }
        if (op.port !== OFPP_IN_PORT && port === this.inPort) {
          this.sink.drop(D_IN_PORT);
          return CONTINUE;
        }
        // A frame a pop shortened leaves padded to the Ethernet minimum; the padding is
        // not part of the packet, so later ops see the frame as it was.
        const len = f.len;
        f.len = padForOutput(f.buf, f.start, len, f.key);
        this.sink.output(port, f, op, this.queueId);
        f.len = len;
        return CONTINUE;
      }
      case 'set_queue':
        this.queueId = op.queueId;
        return CONTINUE;
      case 'meter': {
        const k = f.key;
        this.io.dscp = k.has(P_L3) ? k.words[W_IP]! >>> 26 : -1;
        const v = op.meter.apply(f.len, this.now, this.io);
        if (v === METER_DROP) {
          this.sink.drop(D_METER);
          return STOP_ALL;
        }
        if (v === METER_REMARK) {
          this.cow(f);
          this.dscpValue[0] = this.io.dscp;
          setField(f.buf, f.start, f.len, k, OFPXMT_OFB_IP_DSCP, this.dscpValue);
        }
        return CONTINUE;
      }
      case 'branch': {
        if (depth + 1 >= MAX_DEPTH) { // groups are acyclic: only a guard
          this.sink.drop(D_DEPTH);
          return CONTINUE;
        }
        const b = this.frame(depth + 1);
        b.buf = b.work;
        b.start = HEADROOM + ((f.buf.byteOffset + f.start) & 3);
        b.len = f.len;
        b.owned = true;
        b.hasVnet = f.hasVnet;
        b.vh.set(f.vh);
        copyBytes(b.work, b.start, f.buf, f.start, f.len);
        b.key.copyFrom(f.key);
        return this.list(op.ops, depth + 1) === STOP_ALL ? STOP_ALL : CONTINUE;
      }
      case 'dec_nw_ttl':
      case 'dec_mpls_ttl': {
        this.cow(f);
        const ok = op.op === 'dec_nw_ttl'
          ? decNwTtl(f.buf, f.start, f.len, f.key)
          : decMplsTtl(f.buf, f.start, f.len, f.key);
        if (ok) return CONTINUE;
        // The packet-in names the rule that asked for the decrement (§7.4.1); this is the
        // controller path, where allocating the op is fine.
        this.sink.output(OFPP_CONTROLLER, f, {
          ...INVALID_TTL_OP, tableId: op.tableId ?? 0, cookie: op.cookie ?? 0n,
          ...(op.metadata !== undefined ? { metadata: op.metadata } : {}),
          ...(op.tunnelId !== undefined ? { tunnelId: op.tunnelId } : {}),
          ...(op.tunSrc !== undefined ? { tunSrc: op.tunSrc } : {}),
          ...(op.tunDst !== undefined ? { tunDst: op.tunDst } : {}),
        }, this.queueId);
        return STOP_BRANCH;
      }
      default:
        this.cow(f);
        this.rewrite(op, f);
        return CONTINUE;
    }
  }

  private rewrite(op: Op, f: WorkFrame): void {
    const { buf, start, len, key } = f;
    switch (op.op) {
      case 'set_field': setField(buf, start, len, key, op.field, op.value); return;
      case 'push_vlan': this.moved(f, pushVlan(buf, start, len, key, op.ethertype)); return;
      case 'pop_vlan': this.moved(f, popVlan(buf, start, len, key)); return;
      case 'push_mpls': this.moved(f, pushMpls(buf, start, len, key, op.ethertype)); return;
      case 'pop_mpls': this.moved(f, popMpls(buf, start, len, key, op.ethertype)); return;
      case 'push_pbb': this.moved(f, pushPbb(buf, start, len, key, op.ethertype)); return;
      case 'pop_pbb': this.moved(f, popPbb(buf, start, len, key)); return;
      case 'set_nw_ttl': setNwTtl(buf, start, len, key, op.ttl); return;
      case 'set_mpls_ttl': setMplsTtl(buf, start, len, key, op.ttl); return;
      case 'copy_ttl_in': copyTtlIn(buf, start, len, key); return;
      case 'copy_ttl_out': copyTtlOut(buf, start, len, key); return;
      default: return;
    }
  }
}

/** The pipeline's `reparse` hook (decide after pop_mpls / pop_pbb): applies the
 * rewriting ops of `ops` (outputs, meters, branches skipped) to a copy of `frame` and
 * parses the result into `out`. Slow path only (such decisions are never cached). */
export class Reparser implements Sink {
  private readonly runner = new OpRunner(this);
  private out: FlowKey | null = null;

  reparse(frame: Uint8Array, ops: readonly Op[], inPort: number, out: FlowKey): boolean {
    const rewriting = ops.filter((o) => o.op !== 'output' && o.op !== 'meter' && o.op !== 'branch');
    parseFrame(frame, 0, frame.length, inPort, this.runner.key);
    this.out = out;
    this.runner.run([...rewriting, CAPTURE_OP], frame, 0, frame.length, false, inPort, 0);
    const done = this.out === null;
    this.out = null;
    return done;
  }

  output(_port: number, f: WorkFrame): void {
    if (this.out === null) return;
    this.out.copyFrom(f.key);
    this.out = null;
  }

  drop(): void {} // reparsing drops nothing: it only rewrites a copy
}

/** A port number no frame arrives on: the Reparser's capture point. */
const CAPTURE_OP: OutputOp = { op: 'output', port: 0xfffffff0, maxLen: 0, reason: 0, tableId: 0, cookie: 0n };
