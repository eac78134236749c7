/*
 * Handle lifetime: create, wrap as a JS external, close, free; rxBuffer and close().
 *
 * A handle's memory has up to three owners, counted in `refs`: the JS external that names
 * it, each external ArrayBuffer exposing `rx_area`, and the libuv poll handle (from
 * pollStart, poll.c, until its close callback here). The struct and `rx_area` are freed
 * only when the count reaches zero, so a JS view into the ring can never dangle.
 *
 * close() (or the external's finalizer) releases the I/O side at once: closes the poll
 * handle, detaches the ArrayBuffer (views become length 0), replaces an AF_PACKET ring
 * mapping with anonymous zero pages at the same address (MAP_FIXED, so any view that
 * survived detaching still points at valid memory, and the socket is not kept alive by the
 * mapping), lets the kind close what it added (`release_kind`: a tunnel's send sockets),
 * and closes the fd — which, for a non-persistent TAP, deletes the device.
 *
 * Closing an AF_PACKET socket waits for RCU grace periods in the kernel (packet_release ->
 * synchronize_net, twice with a ring): ~20 ms of sleep each. Between closesDeferred(true)
 * and closesFlush() those sockets are not closed at once but collected, and closesFlush()
 * closes them on one thread each, joined, so that the waits overlap (deleting the 64
 * bridges of a Mininet fabric: 7.5 s one by one). Their I/O side is released at once as
 * above; only the fd lives on until the flush. TAP fds are always closed at once (closing
 * one deletes the device, and a bridge of the same name may be created next).
 */
#include "handle.h"
#include "errors.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

sl_handle *sl_handle_new(napi_env env, enum sl_kind kind) {
  sl_handle *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->kind = kind;
  h->fd = -1;
  h->env = env;
  h->refs = 1; /* the JS external */
  h->scratch = malloc(SL_SCRATCH);
  if (!h->scratch) { free(h); return NULL; }
  return h;
}

void sl_handle_unref(sl_handle *h) {
  if (--h->refs > 0) return;
  if (h->rx_area) munmap(h->rx_area, h->rx_area_len);
  free(h->tun);
  free(h->scratch);
  free(h);
}

static void on_poll_closed(uv_handle_t *p) { sl_handle_unref(p->data); }

/* Stops the readiness watcher, drops its callback and closes it; its reference goes in
 * libuv's close callback. */
static void close_poll(sl_handle *h) {
  if (!h->poll_init) return;
  uv_poll_stop(&h->poll);
  h->polling = false;
  h->poll_init = false;
  if (h->poll_cb) napi_delete_reference(h->env, h->poll_cb);
  h->poll_cb = NULL;
  if (h->poll_ctx) napi_async_destroy(h->env, h->poll_ctx);
  h->poll_ctx = NULL;
  uv_close((uv_handle_t *)&h->poll, on_poll_closed);
}

/* AF_PACKET fds whose close is deferred (closesDeferred), and whether closes are deferred. */
/* Per thread: the daemon's thread and each datapath worker thread (worker_threads, one
 * addon instance each) defer and flush their own closes. */
static _Thread_local bool deferring;
static _Thread_local int *deferred;
static _Thread_local size_t deferred_n, deferred_cap;

static bool defer_close(int fd) {
  if (!deferring) return false;
  if (deferred_n == deferred_cap) {
    size_t cap = deferred_cap ? deferred_cap * 2 : 256;
    int *p = realloc(deferred, cap * sizeof *p);
    if (!p) return false; /* close it now */
    deferred = p;
    deferred_cap = cap;
  }
  deferred[deferred_n++] = fd;
  return true;
}

static void *close_fd(void *arg) {
  close((int)(intptr_t)arg);
  return NULL;
}

#define FLUSH_THREADS 256u /* closes in flight at once */

/* Closes the deferred fds, FLUSH_THREADS at a time in parallel; returns how many. */
static size_t flush_closes(void) {
  size_t n = deferred_n;
  pthread_t t[FLUSH_THREADS];
  bool started[FLUSH_THREADS];
  for (size_t i = 0; i < n; i += FLUSH_THREADS) {
    size_t k = n - i < FLUSH_THREADS ? n - i : FLUSH_THREADS;
    for (size_t j = 0; j < k; j++) {
      started[j] = pthread_create(&t[j], NULL, close_fd, (void *)(intptr_t)deferred[i + j]) == 0;
      if (!started[j]) close(deferred[i + j]);
    }
    for (size_t j = 0; j < k; j++) if (started[j]) pthread_join(t[j], NULL);
  }
  deferred_n = 0;
  return n;
}

/* closesDeferred(on): from now on, defer (true) or not (false) AF_PACKET closes; turning it
 * off flushes what was deferred. */
napi_value sl_closes_deferred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  bool on = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_bool(env, argv[0], &on) != napi_ok) return sl_throw(env, "closesDeferred: expected a boolean");
  deferring = on;
  if (!on) flush_closes();
  return NULL;
}

/* closesFlush() -> number: closes the deferred fds now (in parallel, joined). */
napi_value sl_closes_flush(napi_env env, napi_callback_info info) {
  napi_value r;
  napi_create_uint32(env, (uint32_t)flush_closes(), &r);
  return r;
}

void sl_handle_release_io(napi_env env, sl_handle *h) {
  if (h->closed) return;
  h->closed = true;
  close_poll(h);
  if (env && h->rx_ab) {
    napi_value ab;
    if (napi_get_reference_value(env, h->rx_ab, &ab) == napi_ok && ab) napi_detach_arraybuffer(env, ab);
  }
  if (h->rx_area && h->kind == SL_PACKET)
    mmap(h->rx_area, h->rx_area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (h->release_kind) h->release_kind(h);
  if (h->fd >= 0 && !(h->kind == SL_PACKET && defer_close(h->fd))) close(h->fd);
  h->fd = -1;
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  sl_handle *h = data;
  sl_handle_release_io(NULL, h);
  if (h->rx_ab) napi_delete_reference(env, h->rx_ab);
  h->rx_ab = NULL;
  sl_handle_unref(h);
}

napi_value sl_handle_wrap(napi_env env, sl_handle *h) {
  napi_value ext;
  if (napi_create_external(env, h, finalize_handle, NULL, &ext) != napi_ok) {
    sl_handle_release_io(NULL, h);
    sl_handle_unref(h);
    return sl_throw(env, "napi_create_external failed");
  }
  return ext;
}

sl_handle *sl_handle_arg(napi_env env, napi_value v) {
  napi_valuetype t;
  void *p = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &p) != napi_ok || !p) {
    napi_throw_type_error(env, NULL, "expected a sluice I/O handle");
    return NULL;
  }
  return p;
}

static void finalize_ab(napi_env env, void *data, void *hint) { sl_handle_unref(hint); }

/* rxBuffer(handle) -> ArrayBuffer over the receive area (the same object while it lives). */
napi_value sl_rx_buffer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ab = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  if (h->closed) return sl_throw(env, "handle is closed");
  if (h->kind == SL_TUNNEL) return sl_throw(env, "rxBuffer: a tunnel handle receives into the caller's buffer (tunnelRxBurst)");
  if (h->rx_ab && napi_get_reference_value(env, h->rx_ab, &ab) == napi_ok && ab) return ab;
  if (napi_create_external_arraybuffer(env, h->rx_area, h->rx_area_len, finalize_ab, h, &ab) != napi_ok)
    return sl_throw(env, "cannot expose the receive ring (external ArrayBuffers unavailable)");
  h->refs++;
  if (h->rx_ab) napi_delete_reference(env, h->rx_ab);
  napi_create_reference(env, ab, 0, &h->rx_ab);
  return ab;
}

napi_value sl_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  sl_handle_release_io(env, h);
  return NULL;
}
