/*
 * Module entry: registers the addon's JS calls on `exports`, grouped below by the file
 * that implements each (its contract is at the top of that file). Under them, with no
 * JS call of their own: offload.c (software GSO and checksums), gro.c (userspace GRO),
 * csum.c, args.c, errors.c. native/README.md maps the files and the API.
 */
#include "afpacket.h"
#include "handle.h"
#include "info.h"
#include "link.h"
#include "poll.h"
#include "rx.h"
#include "tap.h"
#include "tunnel.h"
#include "tunnel_tx.h"
#include "tx.h"

#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      FN("tapOpen", sl_tap_open),                 /* tap.c */
      FN("packetOpen", sl_afpacket_open),         /* afpacket.c */
      FN("packetOpenMany", sl_afpacket_open_many), /* afpacket.c */
      FN("rxBurst", sl_rx_burst),                 /* rx.c */
      FN("txBurst", sl_tx_burst),                 /* tx.c */
      FN("tunnelOpen", sl_tunnel_open),           /* tunnel.c */
      FN("tunnelRxBurst", sl_tunnel_rx_burst),    /* tunnel.c */
      FN("tunnelTxBurst", sl_tunnel_tx_burst),    /* tunnel_tx.c */
      FN("rxBuffer", sl_rx_buffer),               /* handle.c */
      FN("close", sl_close),                      /* handle.c */
      FN("closesDeferred", sl_closes_deferred),   /* handle.c */
      FN("closesFlush", sl_closes_flush),         /* handle.c */
      FN("info", sl_info),                        /* info.c */
      FN("stats", sl_stats),                      /* info.c */
      FN("pollStart", sl_poll_start),             /* poll.c */
      FN("pollStop", sl_poll_stop),               /* poll.c */
      FN("ifIndex", sl_if_index),                 /* link.c */
      FN("isUp", sl_is_up),                       /* link.c */
      FN("setUp", sl_set_up),                     /* link.c */
  };

  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  sl_link_init(env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
