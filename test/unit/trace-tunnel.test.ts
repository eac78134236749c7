/**
 * `sluice trace` with tunnel metadata at ingress: a flow text may give tun_id, tun_src and
 * tun_dst (as ofproto/trace allows; in real life they come with the in_port of a tunnel
 * port), the Flow line prints them, rules on them match, and set_field on them shows in
 * the "packet now" lines. Exact text, as trace-render.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runTrace } from '../../src/control/trace.js';
import { parseTraceFlow } from '../../src/control/trace-flow.js';
import type { Bridge } from '../../src/datapath/bridge.js';
import { isParseError, parseFlow } from '../../src/openflow/syntax/index.js';
import { isOFError } from '../../src/pipeline/errors.js';
import { MemoryPort } from '../../src/ports/memory.js';
import { rig, tunnelConfig } from './datapath-helpers.js';

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
  return r.text;
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

/** A bridge whose ports 2 and 3 are tunnel ports as far as the trace sees (memory ports
 * carrying a tunnel configuration: the trace reads it, it sends nothing). */
function encapRig(): Bridge {
  const tunnel = (spec: string) => {
    const cfg = tunnelConfig(spec);
    return { port: Object.assign(MemoryPort.pair(cfg.name, `${cfg.name}-far`)[0], { tunnel: cfg }) };
  };
  const { bridge } = rig(4, {}, [{}, tunnel('vxlan:vx1,remote_ip=172.16.0.2,local_ip=172.16.0.1,key=100,tos=inherit'),
    tunnel('geneve:gnv,remote_ip=flow,key=flow,tos=0x20,ttl=9,df=false'), tunnel('gre:gr,remote_ip=172.16.0.3,key=7,nvgre=true')]);
  flows(bridge,
    'priority=10,in_port=1,ip,nw_dst=10.0.0.2,actions=output:2',
    'priority=10,in_port=1,ip,nw_dst=10.0.0.3,actions=set_field:172.16.0.9->tun_dst,set_field:5000->tun_id,output:3',
    'priority=10,in_port=1,ip,nw_dst=10.0.0.4,actions=output:3',
    'priority=10,in_port=1,ip,nw_dst=10.0.0.5,actions=output:4',
  );
  return bridge;
}

describe('trace: what a tunnel output encapsulates with', () => {
  const final = (flow: string) => text(encapRig(), flow).split('\n').find((l) => l.startsWith('Final:'));

  it('a fixed-remote vxlan port: VNI, remote, local, the inherited TOS, ttl and df', () => {
    expect(final('in_port=1,ip,nw_dst=10.0.0.2,nw_tos=40,nw_ecn=1')).toBe(
      'Final: output to port 2 (vx1) [VXLAN VNI 100 to 172.16.0.2:4789 from 172.16.0.1, tos 0x29 (inherited), ttl 64, df]');
  });

  it('a flow-based geneve port: remote and VNI from set_field; tos=N sets the DSCP, ECN stays the inner one', () => {
    expect(final('in_port=1,ip,nw_dst=10.0.0.3,nw_ecn=3')).toBe(
      'Final: output to port 3 (gnv) [Geneve VNI 5000 (from tun_id) to 172.16.0.9:6081 (from tun_dst) from the routed source address, tos 0x23 (DSCP set, ECN inherited), ttl 9]');
  });

  it('a flow-based port with no tun_dst sends nothing, and says so', () => {
    expect(final('in_port=1,ip,nw_dst=10.0.0.4')).toBe(
      'Final: output to port 3 (gnv) [not sent: remote_ip=flow and the packet has no tun_dst (set_field:IP->tun_dst), counted as tx_errors]');
  });

  it('NVGRE: the VSID, and the FlowID from the flow hash', () => {
    expect(final('in_port=1,ip,nw_dst=10.0.0.5')).toBe(
      'Final: output to port 4 (gr) [NVGRE VSID 7, FlowID by flow hash to 172.16.0.3 from the routed source address, tos 0x00 (DSCP set, ECN inherited), ttl 64, df]');
  });
});
