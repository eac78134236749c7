/*
 * Software offload (offload.c): what a NIC would do for a frame whose virtio_net_hdr asks
 * for segmentation (GSO) or a partial checksum, for outputs that cannot take the header.
 * Used by the transmit paths (tx.c, tunnel_tx.c), which say where segments go.
 */
#ifndef SLUICE_OFFLOAD_H
#define SLUICE_OFFLOAD_H

#include "handle.h"

/* A segment is handed over as headers (in scratch) + payload (in place; NULL, 0 when none). */
typedef int (*sl_emit_fn)(sl_handle *h, uint32_t src, uint8_t *hdr, uint32_t hlen, const uint8_t *payload, uint32_t plen);

/* Segments or checksums input frame `src` into `emit`; scratch comes from sl_scratch_take
 * with the caller's `flush`. 0, or -1 for a malformed frame (the caller counts it). */
int sl_sw_offload(sl_handle *h, uint32_t src, const struct virtio_net_hdr *vh, const uint8_t *frame, uint32_t len,
                  sl_emit_fn emit, sl_flush_fn flush);

#endif
