/*
 * Readiness through libuv: pollStart(handle, cb) / pollStop(handle).
 *
 * A uv_poll_t watches the fd for readability on Node's own loop, so an idle port costs
 * no CPU and no thread. cb(err) is called with 0 when frames may be ready, or with a
 * negative errno when the fd reports an error: libuv's status, or the socket's pending
 * SO_ERROR when an AF_PACKET ring is empty on wake-up (AF_PACKET sets ENETDOWN when its
 * interface goes away); after an error the watcher is stopped. The poll is
 * level-triggered: the callback should drain with rxBurst until it returns 0, which also
 * hands the last frames back to the kernel (see rx.c).
 * The first pollStart takes one reference on the sl_handle for the uv_poll_t; close()
 * closes the watcher and drops that reference in libuv's close callback (handle.c).
 */
#include "poll.h"
#include "errors.h"
#include "handle.h"
#include "rx.h"
#include <errno.h>

static void on_poll(uv_poll_t *p, int status, int events) {
  sl_handle *h = p->data;
  if (h->closed || !h->poll_cb) return;
  int arg = status < 0 ? status : 0;
  /* libuv reports POLLERR as UV_EBADF; the socket's SO_ERROR names the real cause. */
  if (status < 0 || (h->kind == SL_PACKET && !sl_ring_ready(h))) {
    int err = 0;
    socklen_t l = sizeof err;
    if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err) {
      arg = -err;
      h->last_error = err;
    }
  }
  if (arg < 0) { /* stop first: an error condition would otherwise wake us forever */
    uv_poll_stop(&h->poll);
    h->polling = false;
  }
  napi_env env = h->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[1], result;
  if (napi_get_reference_value(env, h->poll_cb, &cb) == napi_ok && cb) {
    napi_get_global(env, &recv); /* make_callback converts recv to an object: not undefined */
    napi_create_int32(env, arg, &argv[0]);
    if (napi_make_callback(env, h->poll_ctx, recv, cb, 1, argv, &result) == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc); /* surfaces as 'uncaughtException', not an abort */
    }
  }
  napi_close_handle_scope(env, scope);
}

napi_value sl_poll_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return sl_throw(env, "pollStart(handle, cb)");
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_function) {
    napi_throw_type_error(env, NULL, "pollStart: cb must be a function");
    return NULL;
  }
  if (h->closed) return sl_throw(env, "pollStart: handle is closed");
  if (!h->poll_init) {
    uv_loop_t *loop;
    napi_get_uv_event_loop(env, &loop);
    int r = uv_poll_init(loop, &h->poll, h->fd);
    if (r < 0) return sl_throw_errno(env, "uv_poll_init", h->ifname, -r, NULL);
    h->poll.data = h;
    h->poll_init = true;
    h->refs++;
    napi_value name;
    napi_create_string_utf8(env, "sluice:port", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, NULL, name, &h->poll_ctx);
  }
  if (h->poll_cb) napi_delete_reference(env, h->poll_cb);
  napi_create_reference(env, argv[1], 1, &h->poll_cb);
  int r = uv_poll_start(&h->poll, UV_READABLE, on_poll);
  if (r < 0) return sl_throw_errno(env, "uv_poll_start", h->ifname, -r, NULL);
  h->polling = true;
  return NULL;
}

napi_value sl_poll_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  if (h->poll_init && h->polling) uv_poll_stop(&h->poll);
  h->polling = false;
  return NULL;
}
