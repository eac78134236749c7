/*
 * Errors thrown to JS at open time (errors.c). A data-path error is never thrown: it is a
 * negative errno return value or a counter (see rx.c, tx.c).
 */
#ifndef SLUICE_ERRORS_H
#define SLUICE_ERRORS_H

#include <node_api.h>

/* Error naming the cause a user can act on (ENODEV/ENXIO with an interface: "no interface
 * NAME in this namespace"; EPERM/EACCES: "needs root or CAP"), else "<call> NAME: strerror". */
napi_value sl_throw_errno(napi_env env, const char *call, const char *ifname, int err, const char *cap);
napi_value sl_throw(napi_env env, const char *msg);
napi_value sl_throw_msg_errno(napi_env env, const char *msg, int err); /* Error with .code/.errno */
const char *sl_errno_name(int err);                                    /* "ENODEV", ...; "EIO" if unnamed */

#endif
