/**
 * The OpenFlow 1.3 wire codec, in one import: message values (message-types.ts,
 * multipart-types.ts), encodeMessage / decodeMessage, encodeError, the stream framer and
 * the protocol's constants (constants.ts).
 *
 * Who imports it: code outside src/openflow/ that speaks OpenFlow as a peer and wants the
 * codec and nothing else — the ovs-ofctl-like client (src/cli/ofctl/), the tests and the
 * benchmarks. Files inside src/openflow/ (connection, agent, ...) import the individual
 * files, never this one, so that it is in no import circle of theirs. The switch side's
 * other entry points are their own files: service.ts (a bridge's OpenFlow endpoints),
 * target.ts (tcp:/unix:/ssl: targets), transport.ts, connection.ts.
 */
export * from './message-types.js';
export * from './multipart-types.js';
export { encodeMessage, OFPT } from './encode.js';
export { decodeMessage, decodeMessageStrict, type DecodeResult } from './decode.js';
export { encodeError, xidOf, ERROR_DATA_MAX } from './error-codec.js';
export { MessageFramer, type FramerResult } from './framing.js';
export { OFPTFPT } from './table-features.js';
export * from './constants.js';
