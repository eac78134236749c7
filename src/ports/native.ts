/**
 * Typed access to the C addon (native/). Loaded lazily, once, so that code and tests
 * that never touch a real port (memory ports, the pipeline) run without a built addon.
 * The handle is an opaque external; every call is one crossing (see native/src/*.c for
 * the contracts: rx.c for frame ownership, tx.c for vnet handling, poll.c for readiness).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

export interface PacketOpenOptions {
  ringVersion?: 2 | 3;
  vnetHdr?: boolean;
  /** ring block size, a power of two (default 1 MiB) */
  blockSize?: number;
  blockCount?: number;
  /** V2 frame size (default 69,904 with vnetHdr, so 64 KiB GSO frames fit; 2,048 without) */
  frameSize?: number;
  /** V3 block retire timeout in ms (default 1) */
  blockTimeoutMs?: number;
  rcvbuf?: number;
  sndbuf?: number;
  promisc?: boolean;
  fanoutGroup?: number;
  /** PACKET_FANOUT_* mode (0 = hash) */
  fanoutMode?: number;
}

export interface NativeStats {
  rx: number;
  rxBytes: number;
  rxDropped: number;
  rxTruncated: number;
  tx: number;
  txBytes: number;
  txDropped: number;
  txErrors: number;
  txSegmented: number;
  lastErrno: number;
}

export interface NativeInfo {
  fd: number;
  ifname: string;
  kind: 'tap' | 'afpacket';
  vnetHdr: boolean;
  closed: boolean;
  ifindex: number;
  ringVersion: number;
  blockSize: number;
  blockCount: number;
  frameSize: number;
  frameCount: number;
  bufferBytes: number;
}

export interface NativeIO {
  tapOpen(name: string, opts?: { vnetHdr?: boolean; slotCount?: number }): NativeHandle;
  packetOpen(ifname: string, opts?: PacketOpenOptions): NativeHandle;
  rxBuffer(h: NativeHandle): ArrayBuffer;
  rxBurst(h: NativeHandle, max: number, offs: Uint32Array, lens: Uint32Array): number;
  /** With `alt`: frame i is read from alt (vnet prefix per altPrefix) when sel[i] === 1. */
  txBurst(
    h: NativeHandle, buf: Uint8Array, offs: Uint32Array, lens: Uint32Array, n: number, vnetPrefix: boolean,
    alt?: Uint8Array, altPrefix?: boolean, sel?: Uint8Array,
  ): number;
  pollStart(h: NativeHandle, cb: (err: number) => void): void;
  pollStop(h: NativeHandle): void;
  stats(h: NativeHandle): NativeStats;
  info(h: NativeHandle): NativeInfo;
  close(h: NativeHandle): void;
  ifIndex(name: string): number;
  isUp(name: string): boolean;
  setUp(name: string, up: boolean): void;
}

const ADDON = 'native/build/Release/sluice_io.node';
let cached: NativeIO | undefined;

/** Loads the addon: $SLUICE_NATIVE, else native/build next to src/ or dist/src/. */
export function nativeIO(): NativeIO {
  if (cached) return cached;
  const candidates = [
    process.env.SLUICE_NATIVE,
    fileURLToPath(new URL(`../../${ADDON}`, import.meta.url)),
    fileURLToPath(new URL(`../../../${ADDON}`, import.meta.url)),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`sluice native addon not built (looked for ${candidates.join(', ')}): run node-gyp rebuild in native/`);
  }
  cached = createRequire(import.meta.url)(found) as NativeIO;
  return cached;
}

/** True when the addon is present (tests use it to skip with a clear message). */
export function nativeAvailable(): boolean {
  try {
    nativeIO();
    return true;
  } catch {
    return false;
  }
}
