/*
 * Handle lifetime.
 *
 * A handle's memory has up to three owners, counted in `refs`: the JS external that names
 * it, each external ArrayBuffer exposing `rx_area`, and the libuv poll handle (until its
 * close callback). The struct and `rx_area` are freed only when the count reaches zero,
 * so a JS view into the ring can never dangle.
 *
 * close() (or the external's finalizer) releases the I/O side at once: stops polling,
 * detaches the ArrayBuffer (views become length 0), replaces the ring mapping with
 * anonymous zero pages at the same address (MAP_FIXED, so any view that survived detaching
 * still points at valid memory, and the socket is not kept alive by the mapping), and
 * closes the fd — which, for a non-persistent TAP, deletes the device.
 */
#include "common.h"
#include <errno.h>
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

void sl_handle_release_io(napi_env env, sl_handle *h) {
  if (h->closed) return;
  h->closed = true;
  sl_poll_close(h);
  if (env && h->rx_ab) {
    napi_value ab;
    if (napi_get_reference_value(env, h->rx_ab, &ab) == napi_ok && ab) napi_detach_arraybuffer(env, ab);
  }
  if (h->rx_area && h->kind == SL_PACKET)
    mmap(h->rx_area, h->rx_area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (h->tun) sl_tunnel_release(h);
  if (h->fd >= 0) close(h->fd);
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

static void set_u32(napi_env env, napi_value o, const char *k, uint32_t v) {
  napi_value x;
  napi_create_uint32(env, v, &x);
  napi_set_named_property(env, o, k, x);
}

/* info(handle) -> { fd, ifname, ifindex, kind, vnetHdr, ringVersion, frameSize, ... }
 * (+ proto, localAddr, port, txFd, df, ttl, tos, rcvbuf, sndbuf for tunnel handles) */
napi_value sl_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o, s, b;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sl_handle *h = sl_handle_arg(env, argv[0]);
  if (!h) return NULL;
  napi_create_object(env, &o);
  napi_create_int32(env, h->fd, &s);
  napi_set_named_property(env, o, "fd", s);
  napi_create_string_utf8(env, h->ifname, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "ifname", s);
  napi_create_string_utf8(env, h->kind == SL_TAP ? "tap" : h->kind == SL_TUNNEL ? "tunnel" : "afpacket", NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "kind", s);
  napi_get_boolean(env, h->vnet, &b);
  napi_set_named_property(env, o, "vnetHdr", b);
  napi_get_boolean(env, h->closed, &b);
  napi_set_named_property(env, o, "closed", b);
  set_u32(env, o, "ifindex", (uint32_t)h->ifindex);
  set_u32(env, o, "ringVersion", (uint32_t)h->ring_version);
  set_u32(env, o, "blockSize", h->block_size);
  set_u32(env, o, "blockCount", h->block_nr);
  set_u32(env, o, "frameSize", h->kind == SL_TAP ? h->slot_size : h->frame_size);
  set_u32(env, o, "frameCount", h->kind == SL_TAP ? h->slot_nr : h->frame_nr);
  set_u32(env, o, "bufferBytes", (uint32_t)h->rx_area_len);
  if (h->kind == SL_TUNNEL) sl_tunnel_info(env, h, o);
  return o;
}
