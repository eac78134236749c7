/*
 * txBurst (tx.c): transmit on a TAP or AF_PACKET handle; contract at the top of tx.c.
 */
#ifndef SLUICE_TX_H
#define SLUICE_TX_H

#include <node_api.h>

napi_value sl_tx_burst(napi_env env, napi_callback_info info);

#endif
