/*
 * tunnelTxBurst (tunnel_tx.c): transmit on a tunnel handle; contract at the top of tunnel_tx.c.
 */
#ifndef SLUICE_TUNNEL_TX_H
#define SLUICE_TUNNEL_TX_H

#include <node_api.h>

napi_value sl_tunnel_tx_burst(napi_env env, napi_callback_info info);

#endif
