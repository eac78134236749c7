/**
 * `sluice trace` with tunnel metadata at ingress: a flow text may give tun_id, tun_src and
 * tun_dst (as ofproto/trace allows; in real life they come with the in_port of a tunnel
 * port), the Flow line prints them, rules on them match, and set_field on them shows in
 * the "packet now" lines. Exact text, as trace-render.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runTrace, type TraceResult } from '../../src/control/trace.js';
import { parseTraceFlow } from '../../src/control/trace-flow.js';
import type { Bridge } from '../../src/datapath/bridge.js';
import { isParseError, parseFlow } from '../../src/openflow/syntax/index.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { rig } from './datapath-helpers.js';

function flows(b: Bridge, ...texts: string[]): void {
  for (const t of texts) {
    const fm = parseFlow(t, { command: 'add' });
    if (isParseError(fm)) throw new Error(fm.message);
    const r = b.flowMod(fm);
    if (isOFError(r)) throw new Error(r.message);
  }
}
function text(b: Bridge, flow: string): string {
  const r = runTrace(b, { bridge: 'br0', flow });
  if (r instanceof Error) throw r;
  return (r as TraceResult).text;
}

/** Table 0 tells tunnel traffic apart by tun_src / tun_id; table 1 re-targets it. */
function tunnelRig(): Bridge {
  const { bridge } = rig(3);
  flows(bridge,
    'table=0,priority=100,tun_src=192.168.0.0/16,tun_id=0x2a,actions=set_field:10.0.0.9->tun_dst,goto_table:1',
    // tun_src=0.0.0.0 needs P_TUNNEL: it matches a tunnel packet with no outer source
    // given, never a packet from an ordinary port (whose tun_src words are 0 too).
    'table=0,priority=50,tun_src=0.0.0.0,actions=output:3',
    'table=0,priority=10,actions=output:2',
    'table=1,priority=10,tun_dst=10.0.0.9,actions=write_actions(set_field:0x64->tun_id,output:3)',
  );
  return bridge;
}

describe('trace: tunnel metadata at ingress', () => {
  it('tun_id, tun_src and tun_dst: printed in the Flow line, matched, rewritten', () => {
    expect(text(tunnelRig(), 'in_port=1,tun_id=0x2a,tun_src=192.168.1.1,tun_dst=192.168.1.2,ip,nw_src=10.1.0.1,nw_dst=10.1.0.2')).toBe([
      'Flow: ip,tun_id=0x2a,tun_src=192.168.1.1,tun_dst=192.168.1.2,in_port=1,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.1.0.1,nw_dst=10.1.0.2,nw_proto=0,nw_tos=0,nw_ecn=0',
      '',
      'table 0: priority=100,tun_id=0x2a,tun_src=192.168.0.0/16',
      '    apply_actions: set_field:10.0.0.9->tun_dst',
      '        packet now: tun_dst=10.0.0.9',
      '    goto_table: 1',
      'table 1: priority=10,tun_dst=10.0.0.9',
      '    write_actions: set_field:0x64->tun_id,output:3',
      '    end of pipeline, action set executed: set_field:0x64->tun_id,output:3',
      '',
      'Final: output to port 3 (p3)',
      '',
    ].join('\n'));
  });

  it('any one of the three makes the packet a tunnel packet (tun_src=0.0.0.0 matches it); without them it is not', () => {
    const b = tunnelRig();
    expect(text(b, 'in_port=1,tun_id=0x7,arp').split('\n').slice(0, 4)).toEqual([
      'Flow: arp,tun_id=0x7,in_port=1,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,arp_spa=0.0.0.0,arp_tpa=0.0.0.0,arp_op=0,arp_sha=00:00:00:00:00:00,arp_tha=00:00:00:00:00:00',
      '',
      'table 0: priority=50,tun_src=0.0.0.0',
      '    apply_actions: output:3',
    ]);
    expect(text(b, 'in_port=1,arp').split('\n').slice(2, 4)).toEqual([
      'table 0: priority=10',
      '    apply_actions: output:2',
    ]);
  });

  it('tunnel fields must be exact, as every trace field', () => {
    const err = (f: string) => (parseTraceFlow(f) as Error).message;
    expect(err('tun_src=10.0.0.0/8')).toBe('flow "tun_src=10.0.0.0/8": tun_src=10.0.0.0/8 is masked: a trace packet needs one exact value for each field (at column 1)');
    expect(err('tun_dst=1.2.3')).toBe('flow "tun_dst=1.2.3": bad value for tun_dst: "1.2.3" (at column 9)');
    expect(parseTraceFlow('tun_id=0x5,tun_src=1.2.3.4,tun_dst=5.6.7.8')).toEqual({
      frame: expect.any(Uint8Array), tunnel: { idHi: 0, idLo: 5, src: 0x01020304, dst: 0x05060708 },
    });
    expect(parseTraceFlow('tun_id=0x100000002')).toMatchObject({ tunnel: { idHi: 1, idLo: 2, src: 0, dst: 0 } });
  });
});
