import { describe, it, expect } from 'vitest';
import { OFPP_CONTROLLER, OFPR_ACTION, OFPR_INVALID_TTL } from '../../src/pipeline/types.js';
import { apply, fm, goto, out, oxm, setField, write } from './pipeline-helpers.js';
import { ipFrame, rig } from './datapath-helpers.js';

// OF1.3.5 §7.4.1: a packet-in's match carries the pipeline fields as they were when the
// packet was sent to the controller: metadata and tunnel_id, not the parsed frame's zeros.
describe('datapath packet-in pipeline fields', () => {
  const META = 0x1122_3344_5566_7788n;

  it('reports write-metadata and set_field tunnel_id from earlier tables, on misses and cache hits', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ tableId: 0, instructions: [
      { type: 'write_metadata', metadata: META, mask: 0xffff_ffff_ffff_ffffn }, apply(setField('tunnel_id', 77n)), goto(1),
    ] }));
    r.bridge.flowMod(fm({ tableId: 1, cookie: 9n, instructions: [apply(out(OFPP_CONTROLLER, 0xffff))] }));
    const f = ipFrame();
    r.send(1, f, f);
    expect(r.bridge.cacheStats().hits).toBe(1);
    expect(r.packetIns).toHaveLength(2);
    for (const pi of r.packetIns) {
      expect(pi).toMatchObject({ reason: OFPR_ACTION, tableId: 1, cookie: 9n, inPort: 1, metadata: META, tunnelId: 77n });
    }
  });

  it('reports tun_dst / tun_src set by the pipeline, on misses and cache hits', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ tableId: 0, instructions: [
      apply(setField('tun_dst', 0x0a000009), setField('tun_src', 0x0a000001), out(OFPP_CONTROLLER, 0xffff)),
    ] }));
    const f = ipFrame();
    r.send(1, f, f);
    expect(r.packetIns.map((p) => [p.tunSrc, p.tunDst])).toEqual([[0x0a000001, 0x0a000009], [0x0a000001, 0x0a000009]]);
  });

  it('takes the values at the point of output: an apply-action output before a later write', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ tableId: 0, instructions: [
      apply(out(OFPP_CONTROLLER, 0xffff)), { type: 'write_metadata', metadata: 5n, mask: 0xffn }, goto(1),
    ] }));
    // table 1: masked write, then the action set's output at the end of the pipeline
    r.bridge.flowMod(fm({ tableId: 1, instructions: [
      { type: 'write_metadata', metadata: 0x300n, mask: 0xf00n }, write(out(OFPP_CONTROLLER, 0xffff)),
    ] }));
    r.send(1, ipFrame());
    expect(r.packetIns.map((p) => [p.tableId, p.metadata, p.tunnelId])).toEqual([[0, 0n, 0n], [1, 0x305n, 0n]]);
    // the decision records only what the pipeline changed (the key has the rest)
    const d = r.bridge.trace(1, ipFrame());
    const outs = d.ops.filter((o) => o.op === 'output');
    expect(outs.map((o) => [o.metadata, o.tunnelId])).toEqual([[undefined, undefined], [0x305n, undefined]]);
  });

  it('an OFPR_INVALID_TTL packet-in carries them too', () => {
    const r = rig(2);
    r.bridge.flowMod(fm({ tableId: 0, instructions: [{ type: 'write_metadata', metadata: 42n, mask: 0xffn }, goto(1)] }));
    const ip = [oxm('eth_type', 0x0800)]; // dec_nw_ttl needs a match that guarantees IP
    expect(r.bridge.flowMod(fm({ tableId: 1, cookie: 3n, match: ip, instructions: [apply({ type: 'dec_nw_ttl' }, out(2))] }))).toEqual({ removed: [] });
    r.send(1, ipFrame({ ttl: 1 }));
    expect(r.take(2)).toEqual([]);
    expect(r.packetIns).toHaveLength(1);
    expect(r.packetIns[0]).toMatchObject({ reason: OFPR_INVALID_TTL, tableId: 1, cookie: 3n, metadata: 42n, tunnelId: 0n });
  });
});
