/*
 * Error reporting and option parsing.
 *
 * Open-time failures become JS Errors whose message names the cause a user can act on:
 * ENODEV -> "no interface NAME in this namespace", EPERM/EACCES -> "needs root or CAP_…",
 * anything else -> "<call>: <strerror>". The message is built in a stack buffer and the
 * Error carries `.errno` and `.code` (e.g. "ENODEV") so JS can branch without parsing text.
 */
#include "common.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *sl_errno_name(int err) {
  switch (err) {
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case ENETDOWN: return "ENETDOWN";
    case ENOENT: return "ENOENT";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EADDRINUSE: return "EADDRINUSE";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    default: return "EIO";
  }
}

napi_value sl_throw_errno(napi_env env, const char *call, const char *ifname, int err, const char *cap) {
  char msg[256];
  if ((err == ENODEV || err == ENXIO) && ifname)
    snprintf(msg, sizeof msg, "no interface %s in this namespace", ifname);
  else if (err == EPERM || err == EACCES)
    snprintf(msg, sizeof msg, "needs root or %s", cap ? cap : "CAP_NET_RAW");
  else
    snprintf(msg, sizeof msg, "%s%s%s: %s", call, ifname ? " " : "", ifname ? ifname : "", strerror(err));
  return sl_throw_msg_errno(env, msg, err);
}

/* Throws an Error with message `msg`, `.code` (e.g. "EADDRNOTAVAIL") and `.errno`. */
napi_value sl_throw_msg_errno(napi_env env, const char *msg, int err) {
  napi_value m, code, e, no;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, sl_errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, m, &e);
  napi_create_int32(env, err, &no);
  napi_set_named_property(env, e, "errno", no);
  napi_throw(env, e);
  return NULL;
}

napi_value sl_throw(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* Looks up obj[key] and checks its type; false when obj is not an object, the key is
 * absent or the value has another type (the caller then keeps its default). */
static bool opt_prop(napi_env env, napi_value obj, const char *key, napi_valuetype want, napi_value *out) {
  napi_valuetype t;
  if (!obj || napi_typeof(env, obj, &t) != napi_ok || t != napi_object) return false;
  bool has = false;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return false;
  if (napi_get_named_property(env, obj, key, out) != napi_ok) return false;
  return napi_typeof(env, *out, &t) == napi_ok && t == want;
}

/* Reads obj[key] as uint32 if present and a number; leaves *out untouched otherwise. */
bool sl_opt_u32(napi_env env, napi_value obj, const char *key, uint32_t *out) {
  napi_value v;
  return opt_prop(env, obj, key, napi_number, &v) && napi_get_value_uint32(env, v, out) == napi_ok;
}

/* Reads obj[key] as a boolean if present; leaves *out untouched otherwise. */
bool sl_opt_bool(napi_env env, napi_value obj, const char *key, bool *out) {
  napi_value v;
  return opt_prop(env, obj, key, napi_boolean, &v) && napi_get_value_bool(env, v, out) == napi_ok;
}

/* Interface names: 1..IFNAMSIZ-1 bytes. Throws TypeError otherwise. */
bool sl_arg_string(napi_env env, napi_value v, char *out, size_t cap) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, out, cap, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "interface name must be a string");
    return false;
  }
  size_t full = 0;
  napi_get_value_string_utf8(env, v, NULL, 0, &full);
  if (full == 0 || full >= cap) {
    napi_throw_type_error(env, NULL, "interface name must be 1 to 15 bytes");
    return false;
  }
  return true;
}

bool sl_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  napi_typedarray_type t;
  return napi_get_typedarray_info(env, v, &t, len, data, NULL, NULL) == napi_ok && t == want;
}
