/**
 * The OpenFlow messages the benchmark controller sends, built with Sluice's own codec
 * (src/openflow) — both switches under test receive byte-identical requests.
 *
 *   installBatch(n)   n ADD flow-mods, rule i = eth_type=0x0800, ipv4_dst=BASE+i (exact),
 *                     apply_actions output:1 — n distinct matches in one mask, priority 100
 *   tableMiss()       priority 0, match all, output:CONTROLLER max_len NO_BUFFER (OF1.3.5
 *                     §5.4: a table-miss entry must be installed explicitly in 1.3)
 *   reactiveFlow()    the flow the controller installs per packet-in (one new UDP source port)
 *   packetOut()       sends the packet-in's frame out of port `out` (§7.3.7, no buffer)
 *
 * Invariant: every builder is pure (no I/O), so the encodings are unit tested.
 */
import { encodeMessage, type OFMessage } from '../../src/openflow/index.js';
import {
  OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IN_PORT, OFPXMT_OFB_IP_PROTO, OFPXMT_OFB_IPV4_DST, OFPXMT_OFB_UDP_SRC,
} from '../../src/packet/oxm.js';
import {
  OFPCML_NO_BUFFER, OFPFC_DELETE, OFPG_ANY, OFPP_ANY, OFPP_CONTROLLER, OFPTT_ALL, OFP_NO_BUFFER, flowMod,
  type Match,
} from '../../src/pipeline/types.js';

/** First ipv4_dst of the bulk rules: 11.0.0.0 (none of them can match the hosts' 10.x traffic). */
const BULK_BASE_IPV4 = 0x0b000000;
const BULK_PRIORITY = 100;
const REACTIVE_PRIORITY = 200;

const u16 = (v: number) => new Uint8Array([v >>> 8, v & 0xff]);
const u32 = (v: number) => new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
const IPV4: Match[number] = { field: OFPXMT_OFB_ETH_TYPE, value: u16(0x0800) };

export function bulkFlowMod(i: number, xid: number): OFMessage {
  return {
    type: 'flow_mod', xid, ...flowMod({
      priority: BULK_PRIORITY,
      match: [IPV4, { field: OFPXMT_OFB_IPV4_DST, value: u32((BULK_BASE_IPV4 + i) >>> 0) }],
      instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: 1, maxLen: 0 }] }],
    }),
  };
}

/** n flow-mods encoded back to back in one buffer (xids 1..n), ready to be written. */
export function installBatch(n: number): Buffer {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) parts.push(encodeMessage(bulkFlowMod(i, i + 1)));
  return Buffer.concat(parts);
}

export function tableMiss(xid: number): Uint8Array {
  return encodeMessage({
    type: 'flow_mod', xid, ...flowMod({
      priority: 0,
      instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: OFPP_CONTROLLER, maxLen: OFPCML_NO_BUFFER }] }],
    }),
  });
}

/** OFPFC_DELETE in every table, no filter (§6.4: out_port/out_group ANY). */
export function deleteAll(xid: number): Uint8Array {
  return encodeMessage({ type: 'flow_mod', xid, ...flowMod({ command: OFPFC_DELETE, tableId: OFPTT_ALL }) });
}

export function reactiveFlow(xid: number, inPort: number, udpSrc: number, out: number): Uint8Array {
  return encodeMessage({
    type: 'flow_mod', xid, ...flowMod({
      priority: REACTIVE_PRIORITY,
      match: [
        { field: OFPXMT_OFB_IN_PORT, value: u32(inPort) }, IPV4,
        { field: OFPXMT_OFB_IP_PROTO, value: new Uint8Array([17]) },
        { field: OFPXMT_OFB_UDP_SRC, value: u16(udpSrc) },
      ],
      instructions: [{ type: 'apply_actions', actions: [{ type: 'output', port: out, maxLen: 0 }] }],
    }),
  });
}

export function packetOut(xid: number, inPort: number, out: number, data: Uint8Array): Uint8Array {
  return encodeMessage({
    type: 'packet_out', xid, bufferId: OFP_NO_BUFFER, inPort, actions: [{ type: 'output', port: out, maxLen: 0 }], data,
  });
}

/** Aggregate flow statistics over all tables (§7.3.5.3): the rule count check. */
export function aggregateRequest(xid: number): Uint8Array {
  return encodeMessage({
    type: 'multipart_request', xid, flags: 0,
    body: { kind: 'aggregate', tableId: OFPTT_ALL, outPort: OFPP_ANY, outGroup: OFPG_ANY, cookie: 0n, cookieMask: 0n, match: [] },
  });
}

/**
 * The probe frame's UDP source port and its payload (seq, injection time), read straight
 * from an Ethernet/IPv4/UDP frame; null if the frame is not one of ours.
 */
export function probeOf(frame: Uint8Array): { udpSrc: number; seq: number; sentNs: bigint } | null {
  if (frame.length < 14 + 20 + 8 + PROBE_LEN) return null;
  if (frame[12] !== 0x08 || frame[13] !== 0x00 || frame[23] !== 17) return null;
  const l4 = 14 + (frame[14]! & 0x0f) * 4;
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (l4 + 8 + PROBE_LEN > frame.length || dv.getUint32(l4 + 8) !== PROBE_MAGIC) return null;
  return { udpSrc: dv.getUint16(l4), seq: dv.getUint32(l4 + 12), sentNs: dv.getBigUint64(l4 + 16) };
}

/** Probe payload: magic, seq, monotonic send time in ns (CLOCK_MONOTONIC is system-wide). */
export const PROBE_MAGIC = 0x534c4345; // "SLCE"
export const PROBE_LEN = 16;

export function probePayload(seq: number, sentNs: bigint): Buffer {
  const b = Buffer.alloc(PROBE_LEN);
  b.writeUInt32BE(PROBE_MAGIC, 0);
  b.writeUInt32BE(seq >>> 0, 4);
  b.writeBigUInt64BE(sentNs, 8);
  return b;
}
