/**
 * Per-port settings as users write them on the command line (`--port`) and in config files:
 *
 *   SPEC[@OPT[,OPT...]]
 *     SPEC  as createPort() takes it: veth-a | afpacket:eth1,v3 | tap:vm1 | pcap:in=F | memory:m
 *     OPT   ofport=N                 request OpenFlow port number N (1..0xffffff00, like OVS ofport_request)
 *           vlan=access:VID          untagged frames join VLAN VID (0..4095); tagged frames are dropped
 *           vlan=trunk[:VIDS]        tagged frames of VIDS pass (all VLANs if omitted); untagged = native VLAN 0
 *     VIDS  VID or A-B ranges, comma separated: vlan=trunk:10,20,100-110
 *
 *   e.g.  --port veth-a@ofport=5,vlan=access:10   --port tap:vm1@vlan=trunk:10,20
 *
 * Invariants
 *  - '@' cannot occur in an interface name, so the options start after the LAST '@' and
 *    only when what follows is a known option (a capture file name may contain '@').
 *  - The spec part is checked with createPort() (nothing is opened) so a bad spec is reported
 *    at parse time; every error is a SluiceError value ('bad_config', ports/errors.ts) whose message names
 *    the offending text.
 */
import { SluiceError } from '../ports/errors.js';
import { createPort } from '../ports/spec.js';
import { OFPP_MAX } from '../pipeline/types.js';
import { quote } from './quote.js';

export interface PortSetting {
  spec: string;
  ofport?: number;
  vlanMode?: 'access' | 'trunk';
  tag?: number;
  trunks?: number[];
}

const MAX_VID = 4095;

/** Parses a decimal integer in [lo, hi]; undefined when it is not one. */
export function parseIntIn(s: string, lo: number, hi: number): number | undefined {
  if (!/^\d{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= lo && n <= hi ? n : undefined;
}

/** Adds VID or A-B to `out`; false when the text is not a VLAN id or a range of them. */
function addVids(text: string, out: number[]): boolean {
  const [a, b, extra] = text.split('-');
  const lo = parseIntIn(a ?? '', 0, MAX_VID);
  const hi = b === undefined ? lo : parseIntIn(b, 0, MAX_VID);
  if (extra !== undefined || lo === undefined || hi === undefined || hi < lo) return false;
  for (let v = lo; v <= hi; v++) if (!out.includes(v)) out.push(v);
  return true;
}

export function parsePortOption(text: string): PortSetting | SluiceError {
  const at = text.lastIndexOf('@');
  const hasOpts = at >= 0 && /^(ofport|vlan)=/.test(text.slice(at + 1));
  const spec = hasOpts ? text.slice(0, at) : text;
  const bad = (why: string) => new SluiceError('bad_config', `port ${quote(text)}: ${why}`);
  const port = createPort(spec);
  if (port instanceof Error) return port;
  const out: PortSetting = { spec };
  if (!hasOpts) return out;

  let inTrunkList = false;
  for (const tok of text.slice(at + 1).split(',')) {
    const eq = tok.indexOf('=');
    if (eq < 0) {
      // a bare VID continues the list of `vlan=trunk:10,20`
      if (!inTrunkList || !addVids(tok, out.trunks!)) return bad(`${quote(tok)} is not an option (ofport=N, vlan=access:VID, vlan=trunk[:VIDS])`);
      continue;
    }
    inTrunkList = false;
    const key = tok.slice(0, eq);
    const val = tok.slice(eq + 1);
    if (key === 'ofport') {
      if (out.ofport !== undefined) return bad('ofport given twice');
      const n = parseIntIn(val, 1, OFPP_MAX);
      if (n === undefined) return bad(`ofport ${quote(val)} is not a number from 1 to ${OFPP_MAX}`);
      out.ofport = n;
    } else if (key === 'vlan') {
      if (out.vlanMode !== undefined) return bad('vlan given twice');
      const [mode, vids] = [val.split(':', 1)[0], val.includes(':') ? val.slice(val.indexOf(':') + 1) : undefined];
      if (mode === 'access') {
        const tag = vids === undefined ? undefined : parseIntIn(vids, 0, MAX_VID);
        if (tag === undefined) return bad(`vlan=access needs one VLAN id 0..${MAX_VID} (vlan=access:10)`);
        out.vlanMode = 'access';
        out.tag = tag;
      } else if (mode === 'trunk') {
        out.vlanMode = 'trunk';
        out.trunks = [];
        if (vids !== undefined) {
          if (!addVids(vids, out.trunks)) return bad(`${quote(vids)} is not a VLAN id 0..${MAX_VID} or a range A-B`);
          inTrunkList = true;
        }
      } else {
        return bad(`vlan mode ${quote(mode ?? '')} is not access:VID or trunk[:VIDS]`);
      }
    } else {
      return bad(`unknown option ${quote(key)} (ofport, vlan)`);
    }
  }
  return out;
}
