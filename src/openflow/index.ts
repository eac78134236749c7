/**
 * The OpenFlow 1.3 wire codec, in one import: message values (message-types.ts,
 * multipart-types.ts), encodeMessage / decodeMessage, encodeError, and the stream framer.
 * Upper layers (connections, agent) import from here, not from the individual files.
 */
export * from './message-types.js';
export * from './multipart-types.js';
export { encodeMessage, OFPT } from './encode.js';
export { decodeMessage, decodeMessageStrict, type DecodeResult } from './decode.js';
export { encodeError, xidOf, ERROR_DATA_MAX } from './error-codec.js';
export { MessageFramer, type FramerResult } from './framing.js';
export { OFPTFPT } from './table-features.js';
export * from './constants.js';
