/**
 * Opening and closing many AF_PACKET ports at once (a Mininet network's, one `sluice batch`).
 *
 * Why: the kernel makes each AF_PACKET socket wait for an RCU grace period when its
 * receive ring is set up and again when it is closed (packet_set_ring and packet_release
 * call synchronize_net): 5-20 ms of sleep per socket, no CPU. One after the other on the
 * daemon's thread, the 256 ports of a 64-switch fabric took 3.6 s to open and 7.5 s to
 * close. Waits that run at the same time share grace periods, so the addon runs them on
 * one thread each and joins (native/src/afpacket.c packetOpenMany, handle.c closesFlush).
 *
 * Invariants
 *  - Nothing changes but timing: a port opened here is exactly what its open() would have
 *    opened; one that fails here stays closed, and its own open() later throws its error.
 *  - closingTogether(f): the AF_PACKET sockets f closes are closed, all of them, before it
 *    returns (or throws); TAP devices are removed at once as always.
 */
import { AfPacketPort } from './afpacket.js';
import { nativeAvailable, nativeIO } from './native.js';
import type { Port } from './port.js';

/** Opens the closed AF_PACKET ports among `ports` in parallel; returns those it opened. */
export function openTogether(ports: readonly Port[]): AfPacketPort[] {
  const todo = ports.filter((p): p is AfPacketPort => p instanceof AfPacketPort && !p.opened);
  if (todo.length < 2) return [];
  const io = nativeIO();
  const opened: AfPacketPort[] = [];
  const CHUNK = 1024; // packetOpenMany's limit per call
  for (let i = 0; i < todo.length; i += CHUNK) {
    const part = todo.slice(i, i + CHUNK);
    const hs = io.packetOpenMany(part.map((p) => p.openArgs()));
    part.forEach((p, j) => {
      const h = hs[j];
      if (!h) return;
      p.adopt(io, h);
      opened.push(p);
    });
  }
  return opened;
}

let depth = 0;

/** closingTogether for an async f: the closes it defers run when its promise settles. */
export async function closingTogetherAsync<T>(f: () => Promise<T>): Promise<T> {
  if (depth === 0 && !nativeAvailable()) return f();
  const io = nativeIO();
  if (depth++ === 0) io.closesDeferred(true);
  try {
    return await f();
  } finally {
    if (--depth === 0) io.closesDeferred(false);
  }
}

/** Runs f with AF_PACKET closes deferred, then closes them all in parallel (nested calls:
 * at the end of the outermost). Without the addon there is nothing to defer. */
export function closingTogether<T>(f: () => T): T {
  if (depth === 0 && !nativeAvailable()) return f();
  const io = nativeIO();
  if (depth++ === 0) io.closesDeferred(true);
  try {
    return f();
  } finally {
    if (--depth === 0) io.closesDeferred(false); // closes the deferred sockets, in parallel
  }
}
