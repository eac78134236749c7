/*
 * Userspace GRO (gro.c): which consecutive TCP segments of a transmit burst may leave as
 * one GSO super-frame. tx.c builds and sends the super-frame.
 */
#ifndef SLUICE_GRO_H
#define SLUICE_GRO_H

#include <stdbool.h>
#include <stdint.h>

#define SL_GRO_MAX_SEGS 64 /* segments per super-frame */

typedef struct sl_gro_seg {
  uint32_t l3, l4, hdrs, payload; /* offsets in the frame; hdrs = end of the TCP header */
  uint32_t seq;
  uint16_t id;                    /* IPv4 identification (0 for IPv6) */
  bool v6, psh, csum_ok;
} sl_gro_seg;

bool sl_gro_parse(const uint8_t *f, uint32_t len, sl_gro_seg *s); /* a verified candidate */
/* b may follow a in one super-frame; *fixed_id (-1 at the start of a run) keeps the run's IPv4 id mode. */
bool sl_gro_follows(const uint8_t *a, const sl_gro_seg *sa, const uint8_t *b, const sl_gro_seg *sb, int *fixed_id);
uint64_t sl_gro_pseudo(const uint8_t *f, const sl_gro_seg *s, uint32_t l4len); /* host order, unfolded */

#endif
