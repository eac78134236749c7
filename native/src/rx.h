/*
 * rxBurst (rx.c): receive on a TAP or AF_PACKET handle; contract at the top of rx.c.
 */
#ifndef SLUICE_RX_H
#define SLUICE_RX_H

#include "handle.h"

napi_value sl_rx_burst(napi_env env, napi_callback_info info);
bool sl_ring_ready(sl_handle *h); /* an AF_PACKET ring holds an unread frame */

#endif
