/*
 * The Internet checksum (RFC 1071) for software offload (offload.c), userspace GRO
 * (gro.c, tx.c). Summed in host byte order (RFC 1071 §2(B): the one's-complement sum is
 * byte-order independent), 8 bytes at a time with the carries counted separately; a
 * caller stores the folded, complemented sum as it is (it is already in wire order).
 */
#include "csum.h"
#include <string.h>

uint64_t sl_csum_add(const uint8_t *p, uint32_t len, uint64_t acc) {
  uint64_t carries = 0;
  while (len >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    acc += v;
    carries += acc < v;
    p += 8;
    len -= 8;
  }
  if (len >= 4) {
    uint32_t v;
    memcpy(&v, p, 4);
    acc += v;
    carries += acc < v;
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t v;
    memcpy(&v, p, 2);
    acc += v;
    carries += acc < v;
    p += 2;
    len -= 2;
  }
  if (len) { /* odd last byte: the high-order byte of a big-endian word padded with 0 */
    uint8_t w[2] = {p[0], 0};
    uint16_t v;
    memcpy(&v, w, 2);
    acc += v;
    carries += acc < v;
  }
  /* fold the 64-bit sum and its carries to 32 bits; then sl_csum_fold folds to 16 */
  uint64_t s = (acc & 0xffffffffu) + (acc >> 32) + carries;
  return (s & 0xffffffffu) + (s >> 32);
}

uint16_t sl_csum_fold(uint64_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)s;
}
