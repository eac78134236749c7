/**
 * The OpenFlow 1.3 wire codec, in one import: message values (message-types.ts,
 * multipart-types.ts), encodeMessage / decodeMessage, encodeError, the stream framer and
 * the protocol's constants (constants.ts).
 *
 * Who imports it: code outside src/openflow/ that speaks OpenFlow as a peer and wants the
 * codec and nothing else — the ovs-ofctl-like client (src/cli/ofctl/), the tests and the
 * benchmarks. Files inside src/openflow/ (connection, agent, ...) import the individual
 * files, never this one, so that it is in no import circle of theirs.
 */
export * from './message-types.js';
export * from './multipart-types.js';
export { encodeMessage } from './encode.js';
export { decodeMessage, decodeMessageStrict } from './decode.js';
export { encodeError } from './error-codec.js';
export { MessageFramer } from './framing.js';
export * from './constants.js';
