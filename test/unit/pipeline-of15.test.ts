// OpenFlow 1.5 in the pipeline (src/pipeline, src/packet): the tcp_flags, actset_output and
// packet_type match fields, the copy-field action, and the meter action that replaced the
// meter instruction, group bucket ids and the bucket commands — validation errors (the
// spec's codes) and what decide() does.
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import * as E from '../../src/pipeline/errors.js';
import { isOFError } from '../../src/pipeline/errors.js';
import type { Op } from '../../src/pipeline/decision.js';
import { W_ETH_DST_HI, W_ETH_MIX, W_TCP_FLAGS } from '../../src/packet/flow-key.js';
import { OFPP_UNSET, OFPXMT_OFB_ETH_DST, OFPXMT_OFB_ETH_SRC, OFPXMT_OFB_METADATA, OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST } from '../../src/packet/oxm.js';
import {
  OFPG_BUCKET_ALL, OFPG_BUCKET_FIRST, OFPG_BUCKET_LAST, OFPGC_INSERT_BUCKET, OFPGC_REMOVE_BUCKET, OFPMC_ADD, OFPMC_DELETE, OFPMF_PKTPS,
  OFPRR_METER_DELETE, type Action,
} from '../../src/pipeline/types.js';
import { apply, fm, goto, keyOf, out, oxm, tcpKey, write } from './pipeline-helpers.js';

const newPipeline = (nTables = 4) => new Pipeline({ nTables, portExists: (p) => p >= 1 && p <= 8, portLive: () => true });
const ok = (r: unknown) => expect(isOFError(r) ? r : null).toBeNull();
const code = (r: unknown): [number, number] | null => (isOFError(r) ? [r.type, r.code] : null);
const kinds = (ops: readonly Op[]): string[] => ops.map((o) => (o.op === 'output' ? `output:${o.port}` : o.op));
const TCP = [oxm('eth_type', 0x0800), oxm('ip_proto', 6)];
const withFlags = (flags: number) => { const k = tcpKey(1, 0x0a000001, 0x0a000002); k.words[W_TCP_FLAGS] = flags; return k; };
const copy = (src: number, dst: number, nBits: number, srcOffset = 0, dstOffset = 0): Action => ({ type: 'copy_field', nBits, srcOffset, dstOffset, src, dst });

describe('OF1.5 match fields', () => {
  it('tcp_flags: +syn+ack matches a SYN-ACK only; it needs ip_proto=6', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ priority: 9, match: [...TCP, oxm('tcp_flags', 0x012, 0x012)], instructions: [apply(out(2))] }), 0));
    ok(p.flowMod(fm({ priority: 1, match: TCP, instructions: [apply(out(3))] }), 0));
    expect(kinds(p.decide(withFlags(0x012), 0).ops)).toEqual(['output:2']);
    expect(kinds(p.decide(withFlags(0x002), 0).ops)).toEqual(['output:3']);
    expect(kinds(p.decide(withFlags(0x010), 0).ops)).toEqual(['output:3']);
    expect(kinds(p.decide(withFlags(0x018), 0).ops)).toEqual(['output:3']);
    expect(code(p.flowMod(fm({ match: [oxm('tcp_flags', 2)] }), 0))).toEqual([E.OFPET_BAD_MATCH, E.OFPBMC_BAD_PREREQ]);
    expect(code(p.flowMod(fm({ match: [...TCP, oxm('tcp_flags', 0x1000)] }), 0))).toEqual([E.OFPET_BAD_MATCH, E.OFPBMC_BAD_VALUE]);
  });

  it('actset_output: OFPP_UNSET until write-actions puts an output in the set; clear-actions unsets it', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [write(out(2)), goto(1)] }), 0));
    ok(p.flowMod(fm({ match: [oxm('in_port', 3)], instructions: [goto(1)] }), 0));
    ok(p.flowMod(fm({ tableId: 1, priority: 5, match: [oxm('actset_output', 2)], instructions: [apply(out(4))] }), 0));
    ok(p.flowMod(fm({ tableId: 1, priority: 5, match: [oxm('actset_output', OFPP_UNSET)], instructions: [apply(out(5))] }), 0));
    // in_port 1: the set holds output:2 → table 1's actset_output=2 rule (output:4), then the set (output:2)
    expect(kinds(p.decide(keyOf(1, {}), 0).ops)).toEqual(['output:4', 'output:2']);
    expect(kinds(p.decide(keyOf(3, {}), 0).ops)).toEqual(['output:5']);
    expect(code(p.flowMod(fm({ match: [oxm('actset_output', 2, 0xff)] }), 0))).toEqual([E.OFPET_BAD_MATCH, E.OFPBMC_BAD_WILDCARDS]);
  });

  it('packet_type: (0,0), Ethernet, matches every packet; any other type is OFPBMC_BAD_VALUE', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('packet_type', 0)], instructions: [apply(out(2))] }), 0));
    expect(kinds(p.decide(keyOf(1, {}), 0).ops)).toEqual(['output:2']);
    expect(code(p.flowMod(fm({ match: [oxm('packet_type', 0x10800)] }), 0))).toEqual([E.OFPET_BAD_MATCH, E.OFPBMC_BAD_VALUE]);
  });
});

describe('OF1.5 actions', () => {
  it('copy-field: eth_src onto eth_dst as a set-field of the new value; bits in place; metadata in the words', () => {
    const p = newPipeline();
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [apply(copy(OFPXMT_OFB_ETH_SRC, OFPXMT_OFB_ETH_DST, 48), out(2))] }), 0));
    const k = keyOf(1, { eth_src: 0x0a0000000001n, eth_dst: 0x0b0000000002n });
    const d = p.decide(k, 0);
    expect(d.ops[0]).toMatchObject({ op: 'set_field', field: OFPXMT_OFB_ETH_DST, value: new Uint8Array([0x0a, 0, 0, 0, 0, 1]) });
    // 8 bits of tcp_src (from bit 0) into tcp_dst at bit 8
    const q = newPipeline();
    ok(q.flowMod(fm({ match: TCP, instructions: [apply(copy(OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST, 8, 0, 8), out(2))] }), 0));
    const t = q.decide(tcpKey(1, 1, 2, 0x12ab, 0x0050), 0);
    expect(t.ops[0]).toMatchObject({ op: 'set_field', field: OFPXMT_OFB_TCP_DST, value: new Uint8Array([0xab, 0x50]) });
    // into metadata: a pipeline field, seen by the next table
    const m = newPipeline();
    ok(m.flowMod(fm({ match: TCP, instructions: [apply(copy(OFPXMT_OFB_TCP_DST, OFPXMT_OFB_METADATA, 16)), goto(1)] }), 0));
    ok(m.flowMod(fm({ tableId: 1, match: [oxm('metadata', 80)], instructions: [apply(out(3))] }), 0));
    expect(kinds(m.decide(tcpKey(1, 1, 2, 1234, 80), 0).ops)).toEqual(['output:3']);
    expect(k.words[W_ETH_DST_HI]).toBe(0x0b000000); // decide() leaves the caller's key alone
    expect(k.words[W_ETH_MIX]! >>> 16).toBe(0x0002);
  });

  it('copy-field errors: bit ranges past a field, an unwritable destination, a prerequisite the match lacks', () => {
    const p = newPipeline();
    const bad = (a: Action, match = TCP) => code(p.flowMod(fm({ match, instructions: [apply(a)] }), 0));
    expect(bad(copy(OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST, 17))).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_ARGUMENT]);
    expect(bad(copy(OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST, 8, 12))).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_ARGUMENT]);
    expect(bad(copy(OFPXMT_OFB_TCP_SRC, 0 /* in_port */, 8))).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_SET_TYPE]);
    expect(bad(copy(OFPXMT_OFB_TCP_SRC, OFPXMT_OFB_TCP_DST, 8), [])).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_MATCH_INCONSISTENT]);
  });

  it('the meter action: metered where it stands, counts the meter\'s flows, goes with its meter; refused in group buckets', () => {
    const p = newPipeline();
    ok(p.meterMod({ command: OFPMC_ADD, flags: OFPMF_PKTPS, meterId: 1, bands: [{ type: 'drop', rate: 1000, burstSize: 0 }] }, 0));
    expect(code(p.flowMod(fm({ instructions: [apply({ type: 'meter', meterId: 2 })] }), 0))).toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_METER]);
    ok(p.flowMod(fm({ match: [oxm('in_port', 1)], instructions: [apply(out(3), { type: 'meter', meterId: 1 }, out(2))] }), 0));
    ok(p.flowMod(fm({ match: [oxm('in_port', 4)], instructions: [write({ type: 'meter', meterId: 1 }, out(2))] }), 0));
    expect(kinds(p.decide(keyOf(1, {}), 0).ops)).toEqual(['output:3', 'meter', 'output:2']);
    expect(kinds(p.decide(keyOf(4, {}), 0).ops)).toEqual(['meter', 'output:2']); // the set's qos step, before output
    expect(p.meter(1)!.flowCount).toBe(2);
    const r = p.meterMod({ command: OFPMC_DELETE, flags: 0, meterId: 1, bands: [] }, 0);
    expect(isOFError(r) ? r : r.removed.map((x) => x.reason)).toEqual([OFPRR_METER_DELETE, OFPRR_METER_DELETE]);
    expect(code(p.groupMod({ command: 0, type: 0, groupId: 1, buckets: [{ weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: 'meter', meterId: 1 }] }] }, 0)))
      .toEqual([E.OFPET_BAD_ACTION, E.OFPBAC_BAD_METER]);
  });

  it('group buckets keep their OF1.5 bucket ids; two alike are OFPGMFC_BUCKET_EXISTS', () => {
    const p = newPipeline();
    const b = (bucketId: number) => ({ bucketId, weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [out(1)] });
    ok(p.groupMod({ command: 0, type: 0, groupId: 1, buckets: [b(7), b(3)] }, 0));
    expect(p.group(1)!.buckets.map((x) => x.bucketId)).toEqual([7, 3]);
    expect(code(p.groupMod({ command: 0, type: 0, groupId: 2, buckets: [b(7), b(7)] }, 0))).toEqual([E.OFPET_GROUP_MOD_FAILED, E.OFPGMFC_BUCKET_EXISTS]);
    ok(p.groupMod({ command: 0, type: 0, groupId: 3, buckets: [{ weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [] }, { weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [] }] }, 0));
    expect(p.group(3)!.buckets.map((x) => x.bucketId)).toEqual([0, 1]); // by position
  });

  it('insert-bucket (first, last, after an id) and remove-bucket (first, last, an id, all); unknown ids', () => {
    const p = newPipeline();
    const b = (bucketId: number) => ({ bucketId, weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [out(1)] });
    const ids = () => p.group(1)!.buckets.map((x) => x.bucketId);
    const mod = (command: number, commandBucketId: number, buckets = [] as ReturnType<typeof b>[]) =>
      p.groupMod({ command, type: 0, groupId: 1, buckets, commandBucketId }, 0);
    ok(p.groupMod({ command: 0, type: 0, groupId: 1, buckets: [b(1), b(2)] }, 0));
    p.group(1)!.buckets[0]!.packetCount = 5;
    ok(mod(OFPGC_INSERT_BUCKET, OFPG_BUCKET_FIRST, [b(10)]));
    ok(mod(OFPGC_INSERT_BUCKET, OFPG_BUCKET_LAST, [b(20)]));
    ok(mod(OFPGC_INSERT_BUCKET, 1, [b(11), b(12)]));
    expect(ids()).toEqual([10, 1, 11, 12, 2, 20]);
    expect(p.group(1)!.buckets[1]!.packetCount).toBe(5); // bucket 1 kept its counter
    expect(code(mod(OFPGC_INSERT_BUCKET, 99, [b(30)]))).toEqual([E.OFPET_GROUP_MOD_FAILED, E.OFPGMFC_UNKNOWN_BUCKET]);
    expect(code(mod(OFPGC_INSERT_BUCKET, OFPG_BUCKET_LAST, [b(12)]))).toEqual([E.OFPET_GROUP_MOD_FAILED, E.OFPGMFC_BUCKET_EXISTS]);
    ok(mod(OFPGC_REMOVE_BUCKET, OFPG_BUCKET_FIRST));
    ok(mod(OFPGC_REMOVE_BUCKET, OFPG_BUCKET_LAST));
    ok(mod(OFPGC_REMOVE_BUCKET, 11));
    expect(ids()).toEqual([1, 12, 2]);
    expect(code(mod(OFPGC_REMOVE_BUCKET, 11))).toEqual([E.OFPET_GROUP_MOD_FAILED, E.OFPGMFC_UNKNOWN_BUCKET]);
    ok(mod(OFPGC_REMOVE_BUCKET, OFPG_BUCKET_ALL));
    expect(ids()).toEqual([]);
    expect(code(p.groupMod({ command: OFPGC_REMOVE_BUCKET, type: 0, groupId: 9, buckets: [], commandBucketId: OFPG_BUCKET_ALL }, 0)))
      .toEqual([E.OFPET_GROUP_MOD_FAILED, E.OFPGMFC_UNKNOWN_GROUP]);
  });
});
