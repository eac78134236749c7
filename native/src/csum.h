/*
 * The Internet checksum (RFC 1071), summed in host byte order (csum.c).
 */
#ifndef SLUICE_CSUM_H
#define SLUICE_CSUM_H

#include <stdint.h>

uint64_t sl_csum_add(const uint8_t *p, uint32_t len, uint64_t acc); /* host order, unfolded */
uint16_t sl_csum_fold(uint64_t s);                                  /* to 16 bits, not complemented */

#endif
