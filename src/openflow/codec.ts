/**
 * The wire codec of each OpenFlow version Sluice speaks, behind one shape: bytes ⇄ the one
 * internal message model (message-types.ts). Version is a property of a connection
 * (DESIGN "OpenFlow versions are codecs"): the connection picks its codec once the hello
 * exchange agreed on a version, and everything above it sees the same messages.
 *
 * Invariants
 *  - decode never throws (a peer's bytes become an OFError with internal numbers);
 *    encode returns null for a message that has no form in the version (the connection
 *    then sends nothing), and writes errors with the version's own type/code numbers.
 *  - IMPLEMENTED_VERSIONS lists every version with a codec here, ascending.
 */
import { OFPET_BUNDLE_FAILED, type OFError } from '../pipeline/errors.js';
import { OFP_VERSION } from './constants.js';
import { decodeMessage } from './decode.js';
import { encodeMessage } from './encode.js';
import { OF14_ONLY_TYPES, type OFMessage } from './message-types.js';
import { OFP10_VERSION } from './of10/constants.js';
import { decodeMessage10 } from './of10/decode.js';
import { encodeMessage10 } from './of10/encode.js';
import { ONF_EXPERIMENTER_ID, ONFERR_BUNDLE_BASE } from './of14/bundle-codec.js';
import { OFP14_VERSION } from './of14/constants.js';
import { decodeMessage14 } from './of14/decode.js';
import { encodeMessage14 } from './of14/encode.js';

export interface VersionCodec {
  readonly version: number;
  decode(buf: Uint8Array): OFMessage | OFError;
  encode(m: OFMessage): Uint8Array | null;
}

const OF13: VersionCodec = {
  version: OFP_VERSION, decode: (b) => decodeMessage(b),
  encode: (m) => (OF14_ONLY_TYPES.has(m.type) ? null : encodeMessage(onfBundleError(m))),
};

/** ONF EXT-230: 1.3 has no OFPET_BUNDLE_FAILED; a bundle error is ONF's experimenter error
 * with exp_type 2300 + code (as Open vSwitch writes and reads it). */
function onfBundleError(m: OFMessage): OFMessage {
  if (m.type !== 'error' || m.errType !== OFPET_BUNDLE_FAILED) return m;
  return { type: 'error_experimenter', xid: m.xid, expType: ONFERR_BUNDLE_BASE + m.code, experimenter: ONF_EXPERIMENTER_ID, data: m.data };
}
const OF10: VersionCodec = { version: OFP10_VERSION, decode: decodeMessage10, encode: encodeMessage10 };
const OF14: VersionCodec = { version: OFP14_VERSION, decode: decodeMessage14, encode: encodeMessage14 };

/** Versions with a codec (wire numbers: 0x01 = 1.0, 0x04 = 1.3, 0x05 = 1.4), ascending. */
export const IMPLEMENTED_VERSIONS: readonly number[] = [OFP10_VERSION, OFP_VERSION, OFP14_VERSION];

/** The codec of `version`; undefined for a version Sluice does not speak. */
export function codecFor(version: number): VersionCodec | undefined {
  return version === OFP_VERSION ? OF13 : version === OFP14_VERSION ? OF14 : version === OFP10_VERSION ? OF10 : undefined;
}

/** OVS's protocol names (the `protocols` column, ovs-ofctl -O) ⇄ wire versions. */
const PROTOCOL_NAMES: ReadonlyMap<string, number> = new Map([
  ['OpenFlow10', OFP10_VERSION], ['OpenFlow13', OFP_VERSION], ['OpenFlow14', OFP14_VERSION],
]);

/** "OpenFlow10,OpenFlow13" → [1, 4]; an Error naming the bad or unimplemented name. */
export function parseProtocols(s: string): number[] | Error {
  const out = new Set<number>();
  for (const name of s.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const v = PROTOCOL_NAMES.get(name);
    if (v === undefined) return new Error(`protocol "${name}": expected ${[...PROTOCOL_NAMES.keys()].join(', ')}`);
    out.add(v);
  }
  if (out.size === 0) return new Error(`protocols: at least one of ${[...PROTOCOL_NAMES.keys()].join(', ')}`);
  return [...out].sort((a, b) => a - b);
}

/** [1, 4] → "OpenFlow10,OpenFlow13". */
export function formatProtocols(versions: readonly number[]): string {
  const names = new Map([...PROTOCOL_NAMES].map(([n, v]) => [v, n]));
  return versions.map((v) => names.get(v) ?? `0x${v.toString(16)}`).join(',');
}
