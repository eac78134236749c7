/*
 * packetOpen(ifname, opts) (afpacket.c): an AF_PACKET socket with its mmap'd receive
 * ring, and packetOpenMany([[ifname, opts], ...]) (many at once, in parallel). Receive is
 * in rx.c, transmit in tx.c.
 */
#ifndef SLUICE_AFPACKET_H
#define SLUICE_AFPACKET_H

#include <node_api.h>

napi_value sl_afpacket_open(napi_env env, napi_callback_info info);
napi_value sl_afpacket_open_many(napi_env env, napi_callback_info info);

#endif
