/*
 * Reading JS arguments: optional properties of an options object (absent or of another
 * type: the caller keeps its default), typed arrays, interface names (1..IFNAMSIZ-1 bytes,
 * TypeError otherwise).
 */
#include "args.h"

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

/* Reads obj[key] as a string of at most cap-1 bytes into out if present; false otherwise
 * (out may then hold a truncated copy). */
bool sl_opt_string(napi_env env, napi_value obj, const char *key, char *out, size_t cap) {
  napi_value v;
  size_t len = 0;
  return opt_prop(env, obj, key, napi_string, &v) && napi_get_value_string_utf8(env, v, out, cap, &len) == napi_ok && len + 1 < cap;
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
