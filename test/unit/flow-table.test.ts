import { describe, expect, it } from 'vitest';
import { KEY_WORDS, P_ETH, P_IPV4, W_ETH_TYPE_VLAN, W_IN_PORT, W_NW_DST, W_PRESENT } from '../../src/packet/flow-key.js';
import {
  OFPBMC_BAD_PREREQ, OFPET_BAD_MATCH, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND, OFPFMFC_OVERLAP,
  OFPFMFC_TABLE_FULL, isOFError,
} from '../../src/pipeline/errors.js';
import { FlowTable } from '../../src/pipeline/flow-table.js';
import { type Rule, ruleDuration } from '../../src/pipeline/rule.js';
import {
  OFPFC_DELETE, OFPFC_DELETE_STRICT, OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPFF_CHECK_OVERLAP,
  OFPFF_RESET_COUNTS, OFPFF_SEND_FLOW_REM, OFPRR_HARD_TIMEOUT, OFPRR_IDLE_TIMEOUT, flowMod,
  type FlowMod, type Instruction, type OxmField,
} from '../../src/pipeline/types.js';

const be = (n: number, v: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--, v = Math.floor(v / 256)) b[i] = v & 0xff;
  return b;
};
const inPort = (p: number): OxmField => ({ field: 0, value: be(4, p) });
const ipv4 = (): OxmField => ({ field: 5, value: be(2, 0x0800) });
const ipDst = (a: number, m?: number): OxmField =>
  m === undefined ? { field: 12, value: be(4, a) } : { field: 12, value: be(4, a), mask: be(4, m) };

const out = (port: number): Instruction[] => [{ type: 'apply_actions', actions: [{ type: 'output', port, maxLen: 0 }] }];
const toGroup = (g: number): Instruction[] => [{ type: 'write_actions', actions: [{ type: 'group', groupId: g }] }];

function key(port: number, dst?: number): Uint32Array {
  const k = new Uint32Array(KEY_WORDS);
  k[W_IN_PORT] = port;
  k[W_PRESENT] = P_ETH;
  if (dst !== undefined) {
    k[W_ETH_TYPE_VLAN] = 0x0800 << 16;
    k[W_NW_DST] = dst;
    k[W_PRESENT] = P_ETH | P_IPV4;
  }
  return k;
}

function add(t: FlowTable, fm: Partial<FlowMod>, now = 0): Rule {
  const r = t.add(flowMod(fm), now);
  if (isOFError(r)) throw new Error(r.message);
  return r.rule;
}

describe('FlowTable: add', () => {
  it('installs rules and looks them up by priority', () => {
    const t = new FlowTable(0);
    const miss = add(t, { priority: 0, instructions: out(0xfffffffd) });
    const port1 = add(t, { priority: 10, match: [inPort(1)], instructions: out(2) });
    const host = add(t, { priority: 20, match: [ipv4(), ipDst(0x0a000001)], instructions: out(3) });
    expect(t.size).toBe(3);
    expect(t.lookup(key(1))).toBe(port1);
    expect(t.lookup(key(1, 0x0a000001))).toBe(host);
    expect(t.lookup(key(9))).toBe(miss);
    expect(t.isTableMiss(miss)).toBe(true);
    expect(t.isTableMiss(port1)).toBe(false);
    expect(host.match).toEqual([ipv4(), ipDst(0x0a000001)]);
    expect(host.tableId).toBe(0);
  });

  it('returns the match error and installs nothing', () => {
    const t = new FlowTable(0);
    const r = t.add(flowMod({ match: [ipDst(1)] }), 0);
    expect(isOFError(r) && r.type === OFPET_BAD_MATCH && r.code === OFPBMC_BAD_PREREQ).toBe(true);
    expect(t.size).toBe(0);
    expect(t.generation).toBe(0);
  });

  it('replaces an identical rule: new duration, counters kept unless RESET_COUNTS (§6.4)', () => {
    const t = new FlowTable(0);
    const old = add(t, { priority: 5, match: [inPort(1)], instructions: out(2), cookie: 1n }, 1000);
    t.account(old, 3, 300, 1500);
    const r = t.add(flowMod({ priority: 5, match: [inPort(1)], instructions: out(4), cookie: 2n }), 5000);
    if (isOFError(r)) throw new Error(r.message);
    expect(r.replaced).toBe(old);
    expect(old.installed).toBe(false);
    expect(old.match).toEqual([inPort(1)]); // saved on removal
    expect(t.size).toBe(1);
    expect(r.rule.packetCount).toBe(3);
    expect(r.rule.byteCount).toBe(300);
    expect(r.rule.cookie).toBe(2n);
    expect(ruleDuration(r.rule, 6500)).toEqual({ sec: 1, nsec: 500_000_000 });
    expect(t.lookup(key(1))).toBe(r.rule);
    const again = add(t, { priority: 5, match: [inPort(1)], flags: OFPFF_RESET_COUNTS }, 7000);
    expect(again.packetCount).toBe(0);
    expect(again.byteCount).toBe(0);
    // A different priority is a different rule.
    add(t, { priority: 6, match: [inPort(1)] });
    expect(t.size).toBe(2);
  });

  it('refuses overlapping rules of the same priority with CHECK_OVERLAP', () => {
    const t = new FlowTable(0);
    add(t, { priority: 5, match: [ipv4(), ipDst(0x0a000000, 0xff000000)] });
    const clash = t.add(flowMod({ priority: 5, match: [inPort(3)], flags: OFPFF_CHECK_OVERLAP }), 0);
    expect(isOFError(clash) && clash.type === OFPET_FLOW_MOD_FAILED && clash.code === OFPFMFC_OVERLAP).toBe(true);
    const disjoint = t.add(flowMod({ priority: 5, match: [ipv4(), ipDst(0x0b000000, 0xff000000)], flags: OFPFF_CHECK_OVERLAP }), 0);
    expect(isOFError(disjoint)).toBe(false);
    const otherPrio = t.add(flowMod({ priority: 6, match: [inPort(3)], flags: OFPFF_CHECK_OVERLAP }), 0);
    expect(isOFError(otherPrio)).toBe(false);
    expect(t.size).toBe(3);
  });

  it('reports TABLE_FULL at maxRules, but still allows replacing', () => {
    const t = new FlowTable(1, { maxRules: 2 });
    add(t, { match: [inPort(1)] });
    add(t, { match: [inPort(2)] });
    const full = t.add(flowMod({ match: [inPort(3)] }), 0);
    expect(isOFError(full) && full.code === OFPFMFC_TABLE_FULL).toBe(true);
    const rep = t.add(flowMod({ match: [inPort(2)] }), 0);
    expect(isOFError(rep) ? null : rep.replaced?.tableId).toBe(1); // still known once detached
    expect(isOFError(rep) ? null : rep.rule.tableId).toBe(1);
    expect(t.size).toBe(2);
  });
});

describe('FlowTable: modify and delete', () => {
  function setup(): { t: FlowTable; a: Rule; b: Rule; c: Rule } {
    const t = new FlowTable(0);
    const a = add(t, { priority: 10, match: [ipv4(), ipDst(0x0a000001)], cookie: 0x11n, instructions: out(1), flags: OFPFF_SEND_FLOW_REM });
    const b = add(t, { priority: 20, match: [ipv4(), ipDst(0x0a000002)], cookie: 0x12n, instructions: toGroup(7) });
    const c = add(t, { priority: 30, match: [inPort(5)], cookie: 0x21n, instructions: out(2) });
    return { t, a, b, c };
  }

  it('non-strict modify replaces instructions of covered rules only, keeping the rest', () => {
    const { t, a, b, c } = setup();
    t.account(a, 1, 64, 10);
    const gen = t.generation;
    const r = t.modify(flowMod({ command: OFPFC_MODIFY, match: [ipv4()], instructions: out(9), cookie: 999n, idleTimeout: 5 }), false);
    if (isOFError(r)) throw new Error(r.message);
    expect(new Set(r)).toEqual(new Set([a, b]));
    expect(a.instructions).toEqual(out(9));
    expect(c.instructions).toEqual(out(2));
    expect(a.cookie).toBe(0x11n);
    expect(a.idleTimeout).toBe(0);
    expect(a.packetCount).toBe(1);
    expect(t.generation).toBe(gen + 1);
  });

  it('modify filters by cookie and resets counters on RESET_COUNTS; no match changes nothing', () => {
    const { t, a, b } = setup();
    t.account(a, 2, 128, 10);
    t.account(b, 2, 128, 10);
    const r = t.apply(flowMod({ command: OFPFC_MODIFY, cookie: 0x10n, cookieMask: 0xf0n, flags: OFPFF_RESET_COUNTS, instructions: [] }), 0);
    if (isOFError(r) || r.command !== 'modify') throw new Error('modify failed');
    expect(new Set(r.rules)).toEqual(new Set([a, b]));
    expect(a.packetCount).toBe(0);
    const gen = t.generation;
    const none = t.modify(flowMod({ match: [inPort(99)], instructions: out(1) }), false);
    expect(none).toEqual([]);
    expect(t.size).toBe(3); // OF1.3: MODIFY never adds
    expect(t.generation).toBe(gen);
  });

  it('strict modify needs identical match and priority', () => {
    const { t, a } = setup();
    const wrongPrio = t.apply(flowMod({ command: OFPFC_MODIFY_STRICT, priority: 11, match: [ipv4(), ipDst(0x0a000001)], instructions: [] }), 0);
    expect(!isOFError(wrongPrio) && wrongPrio.command === 'modify' && wrongPrio.rules.length === 0).toBe(true);
    const hit = t.apply(flowMod({ command: OFPFC_MODIFY_STRICT, priority: 10, match: [ipDst(0x0a000001), ipv4()], instructions: [] }), 0);
    expect(!isOFError(hit) && hit.command === 'modify' && hit.rules[0] === a).toBe(true);
    expect(a.instructions).toEqual([]);
  });

  it('non-strict delete with out_port / out_group / cookie filters', () => {
    const { t, a, b, c } = setup();
    expect(t.delete(flowMod({ command: OFPFC_DELETE, outPort: 2 }), false)).toEqual([c]);
    expect(t.delete(flowMod({ command: OFPFC_DELETE, outGroup: 8 }), false)).toEqual([]);
    expect(t.delete(flowMod({ command: OFPFC_DELETE, cookie: 0x11n, cookieMask: 0xffn }), false)).toEqual([a]);
    expect(a.installed).toBe(false);
    expect(a.match).toEqual([ipv4(), ipDst(0x0a000001)]);
    expect(t.delete(flowMod({ command: OFPFC_DELETE, outGroup: 7 }), false)).toEqual([b]);
    expect(t.size).toBe(0);
  });

  it('delete with an empty match removes everything; strict delete only the exact rule', () => {
    const { t, c } = setup();
    const strict = t.apply(flowMod({ command: OFPFC_DELETE_STRICT, priority: 30, match: [inPort(5)] }), 0);
    expect(!isOFError(strict) && strict.command === 'delete' && strict.removed[0] === c).toBe(true);
    const rest = t.delete(flowMod({}), false);
    expect(isOFError(rest) ? -1 : rest.length).toBe(2);
    expect(t.size).toBe(0);
    expect(t.lookup(key(5))).toBeNull();
  });

  it('rejects an unknown command', () => {
    const r = new FlowTable(0).apply(flowMod({ command: 9 }), 0);
    expect(isOFError(r) && r.code === OFPFMFC_BAD_COMMAND).toBe(true);
  });
});

describe('FlowTable: timeouts and counters', () => {
  it('expires hard timeouts at createdAt + hard', () => {
    const t = new FlowTable(0);
    const r = add(t, { match: [inPort(1)], hardTimeout: 10 }, 1000);
    add(t, { match: [inPort(2)] }, 1000); // no timeout: never expires
    expect(t.nextExpiry()).toBe(11_000);
    expect(t.expire(10_999)).toEqual([]);
    t.account(r, 1, 1, 10_000); // traffic does not extend a hard timeout
    const gen = t.generation;
    expect(t.expire(11_000)).toEqual([{ rule: r, reason: OFPRR_HARD_TIMEOUT }]);
    expect(t.generation).toBe(gen + 1);
    expect(t.size).toBe(1);
    expect(t.nextExpiry()).toBeNull();
  });

  it('idle timeouts restart with traffic', () => {
    const t = new FlowTable(0);
    const r = add(t, { match: [inPort(1)], idleTimeout: 5 }, 0);
    t.account(r, 1, 100, 4000);
    expect(t.expire(5000)).toEqual([]); // re-queued for 9000
    t.account(r, 1, 100, 8000);
    expect(t.expire(9000)).toEqual([]);
    expect(r.packetCount).toBe(2);
    expect(r.byteCount).toBe(200);
    expect(t.expire(13_000)).toEqual([{ rule: r, reason: OFPRR_IDLE_TIMEOUT }]);
    expect(r.match).toEqual([inPort(1)]);
  });

  it('picks the reason of whichever timeout came first', () => {
    const t = new FlowTable(0);
    const idle = add(t, { match: [inPort(1)], idleTimeout: 2, hardTimeout: 10 }, 0);
    const hard = add(t, { match: [inPort(2)], idleTimeout: 10, hardTimeout: 3 }, 0);
    const got = t.expire(60_000);
    expect(got).toContainEqual({ rule: idle, reason: OFPRR_IDLE_TIMEOUT });
    expect(got).toContainEqual({ rule: hard, reason: OFPRR_HARD_TIMEOUT });
  });

  it('does not expire rules that were deleted or replaced meanwhile', () => {
    const t = new FlowTable(0);
    const old = add(t, { match: [inPort(1)], hardTimeout: 1 }, 0);
    const fresh = add(t, { match: [inPort(1)], hardTimeout: 5 }, 500);
    add(t, { match: [inPort(2)], hardTimeout: 1 }, 0);
    t.delete(flowMod({ match: [inPort(2)] }), false);
    expect(t.expire(2000)).toEqual([]);
    expect(old.installed).toBe(false);
    expect(t.expire(5500)).toEqual([{ rule: fresh, reason: OFPRR_HARD_TIMEOUT }]);
  });

  it('select serves flow stats with filters', () => {
    const t = new FlowTable(0);
    const a = add(t, { priority: 1, match: [inPort(1)], instructions: out(4) });
    add(t, { priority: 1, match: [inPort(2)], instructions: out(5) });
    const sel = t.select({ match: [], strict: false, priority: 0, cookie: 0n, cookieMask: 0n, outPort: 4, outGroup: 0xffffffff });
    expect(sel).toEqual([a]);
    expect(t.removeRule(a)).toBe(true);
    expect(t.removeRule(a)).toBe(false);
  });
});
