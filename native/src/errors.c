/*
 * Errors thrown to JS at open time. The message names the cause a user can act on:
 * ENODEV/ENXIO with an interface -> "no interface NAME in this namespace", EPERM/EACCES ->
 * "needs root or CAP_…", anything else -> "<call> NAME: <strerror>". It is built in a stack
 * buffer, and the Error carries `.errno` and `.code` (e.g. "ENODEV"; "EIO" for errnos not
 * named here) so JS can branch without parsing text. sl_throw is a plain Error.
 */
#include "errors.h"
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
