/*
 * Module entry: registers the functions below on `exports`. Everything else lives in one
 * file per concern (tap, afpacket, rx, tx, offload, poll, link, handle, errors, tunnel, tunnel_tx).
 */
#include "common.h"

#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      FN("tapOpen", sl_tap_open),     FN("packetOpen", sl_afpacket_open), FN("rxBuffer", sl_rx_buffer),
      FN("rxBurst", sl_rx_burst),     FN("txBurst", sl_tx_burst),       FN("pollStart", sl_poll_start),
      FN("pollStop", sl_poll_stop),   FN("stats", sl_stats),            FN("info", sl_info),
      FN("close", sl_close),          FN("ifIndex", sl_if_index),       FN("isUp", sl_is_up),
      FN("setUp", sl_set_up),         FN("tunnelOpen", sl_tunnel_open), FN("tunnelRxBurst", sl_tunnel_rx_burst),
      FN("tunnelTxBurst", sl_tunnel_tx_burst),
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
