/**
 * Frames of a pcap savefile (tcpdump.org/manual/pcap-savefile), for `sluice trace --pcap
 * FILE --index N`: the CLI reads the file itself (the daemon may live in another mount
 * namespace) and sends the chosen frame as hex.
 *
 * Invariants: 24-byte global header with magic a1b2c3d4 (µs) or a1b23c4d (ns) in either
 * byte order, LINKTYPE_ETHERNET only; 16-byte record headers; a record running past the
 * end of the file is an error naming the record. Errors are values.
 */
import { SluiceError } from '../ports/errors.js';

const LINKTYPE_ETHERNET = 1;
const MAGICS = [0xa1b2c3d4, 0xa1b23c4d];

/** The `index`-th frame (0-based) of the capture `file`, or a SluiceError saying why not. */
export function pcapFrame(file: Uint8Array, index: number): Uint8Array | SluiceError {
  if (file.length < 24) return new SluiceError('bad_usage', 'not a pcap file (shorter than the 24-byte header)');
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let little: boolean;
  if (MAGICS.includes(v.getUint32(0, true))) little = true;
  else if (MAGICS.includes(v.getUint32(0, false))) little = false;
  else return new SluiceError('bad_usage', `not a pcap file (magic 0x${v.getUint32(0, false).toString(16).padStart(8, '0')})`);
  const link = v.getUint32(20, little);
  if (link !== LINKTYPE_ETHERNET) return new SluiceError('bad_usage', `link type ${link} is not Ethernet (1)`);
  let pos = 24;
  let i = 0;
  for (; pos < file.length; i++) {
    if (pos + 16 > file.length) return new SluiceError('bad_usage', `record ${i} is cut short (header)`);
    const incl = v.getUint32(pos + 8, little);
    if (pos + 16 + incl > file.length) return new SluiceError('bad_usage', `record ${i} is cut short (${incl} bytes announced)`);
    if (i === index) return file.slice(pos + 16, pos + 16 + incl);
    pos += 16 + incl;
  }
  return new SluiceError('bad_usage', `packet ${index + 1} asked for, but the capture has ${i === 1 ? 'only 1 packet' : `only ${i} packets`}`);
}
