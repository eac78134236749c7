/*
 * Reading JS arguments (args.c): optional properties of an options object, typed arrays,
 * interface names. An absent or mistyped option leaves the caller's default in place.
 */
#ifndef SLUICE_ARGS_H
#define SLUICE_ARGS_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool sl_opt_u32(napi_env env, napi_value obj, const char *key, uint32_t *out);
bool sl_opt_bool(napi_env env, napi_value obj, const char *key, bool *out);
bool sl_opt_string(napi_env env, napi_value obj, const char *key, char *out, size_t cap); /* < cap bytes */
/* v is a typed array of type `want`: its data and element count. */
bool sl_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len);
/* An interface name of 1..cap-1 bytes (callers pass IF_NAMESIZE) into out; TypeError otherwise. */
bool sl_arg_string(napi_env env, napi_value v, char *out, size_t cap);

#endif
