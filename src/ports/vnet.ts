/**
 * virtio_net_hdr (virtio 1.2 §5.1.6, Linux include/uapi/linux/virtio_net.h), the 10-byte
 * header AF_PACKET (PACKET_VNET_HDR) and TAP (IFF_VNET_HDR) put before each frame.
 * Little-endian on the hosts Sluice runs on (legacy header = host byte order).
 *
 *   0 flags  1 gso_type  2 hdr_len  4 gso_size  6 csum_start  8 csum_offset
 *
 * Readers take the frame's offset (the header is at off - VNET_HDR_LEN) and allocate
 * nothing. A rewrite that changes the length of the headers in front of L4 (push/pop
 * VLAN or MPLS) must move csum_start by the same amount: vnetShift().
 */

export const VNET_HDR_LEN = 10;
export const VNET_F_NEEDS_CSUM = 1;
const VNET_F_DATA_VALID = 2;
const VNET_GSO_NONE = 0;
export const VNET_GSO_TCPV4 = 1;
const VNET_GSO_UDP = 3;
const VNET_GSO_TCPV6 = 4;
const VNET_GSO_UDP_L4 = 5;
export const VNET_GSO_ECN = 0x80;

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const put16 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
};

export const vnetFlags = (buf: Uint8Array, frameOff: number): number => buf[frameOff - VNET_HDR_LEN]!;
export const vnetGsoType = (buf: Uint8Array, frameOff: number): number => buf[frameOff - VNET_HDR_LEN + 1]! & ~VNET_GSO_ECN;
export const vnetGsoSize = (buf: Uint8Array, frameOff: number): number => u16(buf, frameOff - VNET_HDR_LEN + 4);
export const vnetCsumStart = (buf: Uint8Array, frameOff: number): number => u16(buf, frameOff - VNET_HDR_LEN + 6);
export const vnetCsumOffset = (buf: Uint8Array, frameOff: number): number => u16(buf, frameOff - VNET_HDR_LEN + 8);
export const vnetNeedsCsum = (buf: Uint8Array, frameOff: number): boolean => (vnetFlags(buf, frameOff) & VNET_F_NEEDS_CSUM) !== 0;

/** Writes a header. Callers build frames with VNET_HDR_LEN bytes of room before them. */
export function writeVnetHdr(
  buf: Uint8Array,
  frameOff: number,
  h: { flags?: number; gsoType?: number; hdrLen?: number; gsoSize?: number; csumStart?: number; csumOffset?: number },
): void {
  const o = frameOff - VNET_HDR_LEN;
  buf[o] = h.flags ?? 0;
  buf[o + 1] = h.gsoType ?? VNET_GSO_NONE;
  put16(buf, o + 2, h.hdrLen ?? 0);
  put16(buf, o + 4, h.gsoSize ?? 0);
  put16(buf, o + 6, h.csumStart ?? 0);
  put16(buf, o + 8, h.csumOffset ?? 0);
}

/** Moves csum_start/hdr_len after `delta` bytes were inserted (>0) or removed (<0) before L4. */
export function vnetShift(buf: Uint8Array, frameOff: number, delta: number): void {
  const o = frameOff - VNET_HDR_LEN;
  if (buf[o]! & VNET_F_NEEDS_CSUM) put16(buf, o + 6, u16(buf, o + 6) + delta);
  const hl = u16(buf, o + 2);
  if (hl) put16(buf, o + 2, hl + delta);
}
