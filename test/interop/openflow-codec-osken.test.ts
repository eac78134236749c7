/**
 * Interop with os-ken (Debian python3-os-ken), both directions:
 *  1. messages os-ken BUILDS (test/interop/osken-encode.py, run live) decode in Sluice to
 *     the expected values (the same table the committed-fixture unit test uses);
 *  2. messages Sluice ENCODES are parsed by os-ken (test/interop/osken-decode.py) and every
 *     field os-ken reports equals what we put in. os-ken only has parsers for what a
 *     controller receives (plus OFPFlowMod); the other samples are listed as not parsable.
 * Skips with a message when /usr/bin/python3 or os_ken is missing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { needs } from '../tools.js';
import { encodeMessage, type OFMessage } from '../../src/openflow/index.js';
import { OXM_FIELDS } from '../../src/packet/oxm.js';
import { decodeHex, OSKEN_EXPECTED } from '../unit/openflow-osken-expected.js';
import { sampleMessages } from '../unit/openflow-samples.js';

const PY = '/usr/bin/python3';
const need = needs('python3', 'python3:os_ken');
const HAVE_OSKEN = need.ready;

const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

function runPython(name: string, input?: string): string {
  const r = spawnSync(PY, [script(name)], { input, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  return r.stdout;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** os-ken's to_jsondict wraps every object as {ClassName: {...}}. */
function unwrap(x: Json): Json {
  if (x && typeof x === 'object' && !Array.isArray(x)) {
    const keys = Object.keys(x);
    if (keys.length === 1 && /^(OFP|OXM)/.test(keys[0]!)) return unwrap(x[keys[0]!]!);
  }
  return x;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
/** Names os-ken spells differently; the first one present in os-ken's object is used. */
const ALIASES: Record<string, string[]> = {
  errType: ['type'], groupType: ['type'], port: ['port', 'desc'], mask: ['metadata_mask'],
  buckets: ['buckets', 'bucket_stats'], bands: ['bands', 'band_stats'],
};
const SKIP = new Set(['type', 'xid', 'kind', 'ttl', 'properties', 'versions', 'version']);
const mac = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');

/** Compares every field of ours with os-ken's view; returns the mismatches. */
function compare(ours: unknown, theirs: Json, path: string, out: string[]): void {
  theirs = unwrap(theirs);
  // os-ken reports some single-object bodies (meter features) as a list of one
  if (Array.isArray(theirs) && theirs.length === 1 && ours && typeof ours === 'object' && !Array.isArray(ours) && !(ours instanceof Uint8Array)) theirs = unwrap(theirs[0]!);
  if (typeof ours === 'number' || typeof ours === 'bigint') {
    if (Number(theirs) !== Number(ours)) out.push(`${path}: ours ${ours}, os-ken ${JSON.stringify(theirs)}`);
  } else if (typeof ours === 'string') {
    if (theirs !== ours) out.push(`${path}: ours ${ours}, os-ken ${JSON.stringify(theirs)}`);
  } else if (ours instanceof Uint8Array) {
    const want = typeof theirs === 'string' && theirs.includes(':') ? mac(ours) : Buffer.from(ours).toString('base64');
    if (theirs !== want) out.push(`${path}: bytes differ (${want} vs ${JSON.stringify(theirs)})`);
  } else if (Array.isArray(ours)) {
    if (!Array.isArray(theirs) || theirs.length !== ours.length) { out.push(`${path}: list length differs`); return; }
    ours.forEach((o, i) => compare(o, theirs[i]!, `${path}[${i}]`, out));
  } else if (ours && typeof ours === 'object') {
    if (!theirs || typeof theirs !== 'object' || Array.isArray(theirs)) { out.push(`${path}: not an object in os-ken`); return; }
    const rec = ours as Record<string, unknown>;
    if (typeof rec.field === 'number' && rec.value instanceof Uint8Array) { // an OXM TLV: compare by name
      if (theirs.field !== OXM_FIELDS[rec.field]?.name) out.push(`${path}: field ${rec.field} vs ${JSON.stringify(theirs.field)}`);
      if ((rec.mask !== undefined) !== (theirs.mask !== null)) out.push(`${path}: mask presence differs`);
      return;
    }
    for (const [k, v] of Object.entries(rec)) {
      if (SKIP.has(k)) continue;
      if (k === 'match') { compare(v, unwrap(theirs.match!) && (unwrap(theirs.match!) as { oxm_fields: Json }).oxm_fields, `${path}.match`, out); continue; }
      const key = (ALIASES[k] ?? [snake(k)]).find((c) => c in theirs);
      if (key === undefined) { out.push(`${path}.${k}: os-ken has no such field`); continue; }
      compare(v, theirs[key]!, `${path}.${k}`, out);
    }
  }
}

/** Ours → the shape os-ken reports (multipart bodies sit under `body`). */
function oursForOsken(m: OFMessage): unknown {
  if (m.type !== 'multipart_reply') return m;
  const { kind: _kind, ...rest } = m.body;
  const lists = Object.values(rest).filter(Array.isArray);
  const body = lists.length === 1 && !('maxGroups' in rest) ? lists[0] : rest;
  return { flags: m.flags, body };
}

need.describe('os-ken → Sluice (live)', () => {
  const live: Record<string, string> = HAVE_OSKEN ? JSON.parse(runPython('osken-encode.py')) : {};
  for (const name of Object.keys(OSKEN_EXPECTED)) {
    it(name, () => {
      expect(live[name], `osken-encode.py produced no ${name}`).toBeDefined();
      expect(decodeHex(live[name]!)).toMatchObject(OSKEN_EXPECTED[name]!);
    });
  }
});

/** Sample messages os-ken has no parser for (it is a controller library). */
const NOT_PARSABLE_BY_OSKEN = new Set([
  'features_request', 'get_config_request', 'set_config', 'packet_out', 'group_mod', 'port_mod', 'table_mod',
  'multipart_request', 'barrier_request', 'queue_get_config_request', 'role_request', 'get_async_request',
  'set_async', 'meter_mod',
]);

need.describe('Sluice → os-ken (live)', () => {
  const samples = sampleMessages();
  const parsed: { cls?: string; msg?: Record<string, Json>; error?: string }[] = HAVE_OSKEN
    ? JSON.parse(runPython('osken-decode.py', JSON.stringify(samples.map((m) => Buffer.from(encodeMessage(m)).toString('hex')))))
    : [];
  samples.forEach((m, i) => {
    const name = m.type + ('body' in m ? '/' + m.body.kind : '');
    if (NOT_PARSABLE_BY_OSKEN.has(m.type)) return;
    it(name, () => {
      const p = parsed[i]!;
      expect(p.error).toBeUndefined();
      const problems: string[] = [];
      compare(oursForOsken(m), p.msg!, name, problems);
      expect(problems).toEqual([]);
      if (m.type === 'hello') expect(JSON.stringify(p.msg)).toContain('"versions":[1,4]');
    });
  });

  it('parsed the expected number of messages', () => {
    const parsable = samples.filter((m) => !NOT_PARSABLE_BY_OSKEN.has(m.type));
    expect(parsed.filter((p, i) => p.cls !== undefined && !NOT_PARSABLE_BY_OSKEN.has(samples[i]!.type)).length).toBe(parsable.length);
  });
});
