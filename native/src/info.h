/*
 * info(handle) and stats(handle): what a handle tells JS about itself (info.c).
 */
#ifndef SLUICE_INFO_H
#define SLUICE_INFO_H

#include <node_api.h>

napi_value sl_info(napi_env env, napi_callback_info info);
napi_value sl_stats(napi_env env, napi_callback_info info);

#endif
