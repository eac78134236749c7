/**
 * `sluice trace` on the daemon side: the control socket's "trace" command.
 *
 *   args { bridge, flow?: "in_port=1,tcp,tp_dst=80", hex?: "0200...", frames?: [hex, ...],
 *          inPort?: 1 | "veth-a" | "LOCAL" }
 *
 * Exactly one of flow / hex / frames gives the packet(s); the in_port comes from the
 * flow's in_port or from inPort (both: they must agree). A flow may also give the
 * packet's tunnel metadata at ingress (tun_id, tun_src, tun_dst), as ofproto/trace allows. The packet runs through
 * Bridge.trace — the real parser and the real pipeline, trace on — and the Decision is
 * rendered by trace-render.ts. (`bridge` is the daemon's business: it picks the Bridge.)
 *
 * Invariants
 *  - A trace changes nothing: Bridge.trace is pipeline.decide, which touches no counter,
 *    timer or MAC table (tested); meters are described, not run.
 *  - Every mistake is a SluiceError value whose message names the argument or token at fault
 *    and, where it helps, what would be accepted.
 */
import { SluiceError } from '../ports/errors.js';
import type { Bridge } from '../datapath/bridge.js';
import { FlowKey, M_MALFORMED, setTunnelMeta } from '../packet/flow-key.js';
import { parseFrame } from '../packet/parse.js';
import { OFPP_LOCAL } from '../pipeline/types.js';
import { parseTraceFlow } from './trace-flow.js';
import type { TraceTunnel } from './trace-frame.js';
import { renderTrace } from './trace-render.js';

interface TraceResult {
  text: string;
}

/** An Ethernet header: the least a frame must have to be parsed. */
const MIN_FRAME = 14;
const MAX_FRAME = 65_535;

export function runTrace(bridge: Bridge, args: Record<string, unknown>): TraceResult | SluiceError {
  const given = ['flow', 'hex', 'frames'].filter((k) => args[k] !== undefined);
  if (given.length !== 1) return new SluiceError('bad_usage', 'trace needs exactly one of a flow, --hex or --pcap');
  let frames: Uint8Array[];
  let flowPort: string | undefined;
  let tunnel: TraceTunnel | undefined;
  if (args.flow !== undefined) {
    if (typeof args.flow !== 'string') return new SluiceError('bad_usage', 'trace: the flow must be a string');
    const f = parseTraceFlow(args.flow);
    if (f instanceof Error) return f;
    frames = [f.frame];
    flowPort = f.inPort;
    tunnel = f.tunnel;
  } else {
    const list = args.hex !== undefined ? [args.hex] : args.frames;
    if (!Array.isArray(list) || list.length === 0) return new SluiceError('bad_usage', 'trace: frames must be a non-empty list of hex strings');
    frames = [];
    for (const h of list) {
      const b = frameFromHex(h);
      if (b instanceof Error) return b;
      frames.push(b);
    }
  }
  const inPort = resolveInPort(bridge, flowPort, args.inPort);
  if (inPort instanceof Error) return inPort;
  const texts = frames.map((frame) => {
    const key = new FlowKey();
    parseFrame(frame, 0, frame.length, inPort, key);
    // As the receiving tunnel port does: metadata into the parsed key (see Bridge.trace).
    if (tunnel) setTunnelMeta(key, tunnel.idHi, tunnel.idLo, tunnel.src, tunnel.dst);
    const decision = bridge.trace(inPort, frame, tunnel);
    return renderTrace({ bridge, inPort, words: key.words, decision, malformed: key.meta[M_MALFORMED] === 1 });
  });
  return { text: texts.join('\n') };
}

/** Hex digits, optionally separated by blanks or colons ("02:00:..." or "0200 00..."). */
export function frameFromHex(h: unknown): Uint8Array | SluiceError {
  if (typeof h !== 'string') return new SluiceError('bad_usage', 'trace: --hex needs a string of hex digits');
  const s = h.replace(/[\s:]/g, '').replace(/^0x/i, '');
  const bad = /[^0-9a-fA-F]/.exec(s);
  if (bad) return new SluiceError('bad_usage', `--hex: "${bad[0]}" is not a hex digit (at digit ${bad.index + 1})`);
  if (s.length % 2 !== 0) return new SluiceError('bad_usage', `--hex: odd number of hex digits (${s.length})`);
  const n = s.length / 2;
  if (n < MIN_FRAME) return new SluiceError('bad_usage', `--hex: a frame needs at least ${MIN_FRAME} bytes (an Ethernet header), got ${n}`);
  if (n > MAX_FRAME) return new SluiceError('bad_usage', `--hex: a frame is at most ${MAX_FRAME} bytes, got ${n}`);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function portList(bridge: Bridge): string {
  return bridge.ports().map((p) => (p.ofport === OFPP_LOCAL ? `LOCAL ${p.name}` : `${p.ofport} ${p.name}`)).join(', ');
}

/** A port of `bridge` by number, name or "LOCAL". */
function lookupPort(bridge: Bridge, x: string | number): number | SluiceError {
  const s = String(x).trim();
  let n: number | undefined;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(s)) n = Number(s);
  else if (s.toUpperCase() === 'LOCAL') n = OFPP_LOCAL;
  else n = bridge.ports().find((p) => p.name === s)?.ofport;
  if (n === undefined || bridge.port(n) === undefined) {
    return new SluiceError('bad_usage', `in_port ${s}: no such port on bridge ${bridge.name} (ports: ${portList(bridge) || 'none'})`);
  }
  return n;
}

function resolveInPort(bridge: Bridge, fromFlow: string | undefined, fromArgs: unknown): number | SluiceError {
  if (fromArgs !== undefined && typeof fromArgs !== 'number' && typeof fromArgs !== 'string') {
    return new SluiceError('bad_usage', 'trace: --in-port must be a port number or name');
  }
  const a = fromFlow !== undefined ? lookupPort(bridge, fromFlow) : undefined;
  const b = fromArgs !== undefined ? lookupPort(bridge, fromArgs) : undefined;
  if (a instanceof Error) return a;
  if (b instanceof Error) return b;
  if (a !== undefined && b !== undefined && a !== b) {
    return new SluiceError('bad_usage', `the flow says in_port=${fromFlow} but --in-port says ${String(fromArgs)}`);
  }
  const p = a ?? b;
  if (p === undefined) return new SluiceError('bad_usage', `which port does the packet come in on? Give in_port=N in the flow or --in-port N (ports: ${portList(bridge) || 'none'})`);
  return p;
}
