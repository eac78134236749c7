/*
 * pollStart(handle, cb) / pollStop(handle) (poll.c): readiness through libuv. The watcher
 * is closed with the handle (handle.c).
 */
#ifndef SLUICE_POLL_H
#define SLUICE_POLL_H

#include <node_api.h>

napi_value sl_poll_start(napi_env env, napi_callback_info info);
napi_value sl_poll_stop(napi_env env, napi_callback_info info);

#endif
