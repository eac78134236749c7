/*
 * Link helpers (link.c): interface index and up/down state, in the caller's namespace.
 */
#ifndef SLUICE_LINK_H
#define SLUICE_LINK_H

#include <node_api.h>

void sl_link_init(napi_env env);      /* per env (thread): closes its ioctl socket at exit */
int sl_ifindex_of(const char *name); /* the interface's index, or -errno */
napi_value sl_if_index(napi_env env, napi_callback_info info);
napi_value sl_is_up(napi_env env, napi_callback_info info);
napi_value sl_set_up(napi_env env, napi_callback_info info);

#endif
