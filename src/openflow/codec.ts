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
 *  - IMPLEMENTED_VERSIONS lists every version with a codec here, ascending;
 *    DEFAULT_VERSIONS those a bridge offers when its `protocols` do not say: all of them,
 *    as Open vSwitch 3.1 offers 1.0 to 1.5.
 *  - The 1.3 and 1.4 codecs refuse what only 1.5 can say (of15/version-gate.ts).
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
import { OFP15_VERSION } from './of15/constants.js';
import { decodeMessage15 } from './of15/decode.js';
import { encodeMessage15 } from './of15/encode.js';
import { downgrade15, of15Only } from './of15/version-gate.js';
import { isOFError } from '../pipeline/errors.js';

export interface VersionCodec {
  readonly version: number;
  decode(buf: Uint8Array): OFMessage | OFError;
  encode(m: OFMessage): Uint8Array | null;
}

/** A decoded message of `version`, or the error for 1.5's vocabulary in it. */
function gated(d: OFMessage | OFError, version: number): OFMessage | OFError {
  return isOFError(d) ? d : of15Only(d, version) ?? d;
}

const OF13: VersionCodec = {
  version: OFP_VERSION, decode: (b) => gated(decodeMessage(b), OFP_VERSION),
  encode: (m) => (OF14_ONLY_TYPES.has(m.type) ? null : encodeMessage(onfBundleError(downgrade15(m)))),
};

/** ONF EXT-230: 1.3 has no OFPET_BUNDLE_FAILED; a bundle error is ONF's experimenter error
 * with exp_type 2300 + code (as Open vSwitch writes and reads it). */
function onfBundleError(m: OFMessage): OFMessage {
  if (m.type !== 'error' || m.errType !== OFPET_BUNDLE_FAILED) return m;
  return { type: 'error_experimenter', xid: m.xid, expType: ONFERR_BUNDLE_BASE + m.code, experimenter: ONF_EXPERIMENTER_ID, data: m.data };
}
const OF10: VersionCodec = { version: OFP10_VERSION, decode: decodeMessage10, encode: encodeMessage10 };
const OF14: VersionCodec = {
  version: OFP14_VERSION, decode: (b) => gated(decodeMessage14(b), OFP14_VERSION), encode: (m) => encodeMessage14(downgrade15(m)),
};
const OF15: VersionCodec = { version: OFP15_VERSION, decode: decodeMessage15, encode: encodeMessage15 };

/** Versions with a codec (wire numbers: 0x01 = 1.0, 0x04 = 1.3, 0x05 = 1.4, 0x06 = 1.5), ascending. */
export const IMPLEMENTED_VERSIONS: readonly number[] = [OFP10_VERSION, OFP_VERSION, OFP14_VERSION, OFP15_VERSION];

/** Versions a bridge offers when its `protocols` do not say: every one it implements. */
export const DEFAULT_VERSIONS: readonly number[] = IMPLEMENTED_VERSIONS;

/** The codec of `version`; undefined for a version Sluice does not speak. */
export function codecFor(version: number): VersionCodec | undefined {
  switch (version) {
    case OFP_VERSION: return OF13;
    case OFP14_VERSION: return OF14;
    case OFP15_VERSION: return OF15;
    case OFP10_VERSION: return OF10;
    default: return undefined;
  }
}

/** OVS's protocol names (the `protocols` column, ovs-ofctl -O) ⇄ wire versions. */
const PROTOCOL_NAMES: ReadonlyMap<string, number> = new Map([
  ['OpenFlow10', OFP10_VERSION], ['OpenFlow13', OFP_VERSION], ['OpenFlow14', OFP14_VERSION], ['OpenFlow15', OFP15_VERSION],
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
