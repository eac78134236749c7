/*
 * tapOpen(name, opts) (tap.c): a TAP device and its receive slots. Receive is in rx.c,
 * transmit in tx.c.
 */
#ifndef SLUICE_TAP_H
#define SLUICE_TAP_H

#include <node_api.h>

napi_value sl_tap_open(napi_env env, napi_callback_info info);

#endif
