/**
 * The `raw-socket` npm package against Sluice's addon as the GRE underlay socket (IP
 * protocol 47), same run, on loopback (root):
 *
 *   send     N GRE packets (4-byte GRE header + a 64-byte inner frame) to 127.0.0.1:
 *            raw-socket: one send() per packet (its queue, one JS callback per packet);
 *            addon: tunnelTxBurst, 64 packets per crossing (sendmmsg).
 *   receive  the addon floods 127.0.0.1 with GRE for `seconds`; packets per second that
 *            reached JS: raw-socket's 'message' event per packet (a Buffer each) vs the
 *            addon's tunnelRxBurst (recvmmsg into one reused buffer).
 *
 * raw-socket is not a dependency of Sluice (README: the packages named by the design):
 *   npm install --no-save raw-socket && sudo npx tsx bench/raw-socket-gre.bench.ts [seconds]
 * Skips with one line when it is not installed or not root.
 */
import { createRequire } from 'node:module';
import { nativeIO, type NativeHandle } from '../src/ports/native.js';
import { encodeGre, ETH_P_TEB } from '../src/ports/tunnel-wire.js';

interface RawSocket {
  send(buf: Buffer, off: number, len: number, addr: string, before: (() => void) | null, after: (e: Error | null) => void): void;
  on(ev: 'message', cb: (buf: Buffer, source: string) => void): void;
  close(): void;
}
type RawModule = { createSocket(o: { protocol: number }): RawSocket };

const seconds = Number(process.argv[2] ?? 2);
const N = 200_000;
const BURST = 64;
const INNER = 64;

function load(): RawModule | string {
  try {
    return createRequire(import.meta.url)('raw-socket') as RawModule;
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}

/** One GRE packet without IP header: key-less GRE (TEB) + an inner frame of zeros. */
function grePacket(): Buffer {
  const b = Buffer.alloc(4 + INNER);
  encodeGre(b, 0, null);
  return b;
}

async function rawSend(raw: RawModule): Promise<number> {
  const s = raw.createSocket({ protocol: 47 });
  const pkt = grePacket();
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    for (let i = 0; i < N; i++) {
      s.send(pkt, 0, pkt.length, '127.0.0.1', null, (e) => {
        if (e) return reject(e);
        if (++done === N) resolve();
      });
    }
  });
  const t = Number(process.hrtime.bigint() - t0) / 1e9;
  s.close();
  return N / t;
}

function addonTx(): { h: NativeHandle; send: (n: number) => number } {
  const io = nativeIO();
  const h = io.tunnelOpen({ proto: 'gre', localAddr: '127.0.0.1', port: 0, ttl: 64, df: true });
  const hdr = new Uint8Array(BURST * 16);
  const hdrOffs = new Uint32Array(BURST);
  const hdrLens = new Uint32Array(BURST);
  const frames = new Uint8Array(BURST * INNER);
  const offs = new Uint32Array(BURST);
  const lens = new Uint32Array(BURST).fill(INNER);
  const meta = new Uint32Array(BURST * 4);
  for (let i = 0; i < BURST; i++) {
    hdrOffs[i] = i * 16;
    hdrLens[i] = encodeGre(hdr, i * 16, null);
    offs[i] = i * INNER;
    meta[i * 4] = 0x7f000001;
  }
  return { h, send: (n) => io.tunnelTxBurst(h, hdr, hdrOffs, hdrLens, frames, offs, lens, n, false, meta) };
}

function addonSend(): number {
  const tx = addonTx();
  const t0 = process.hrtime.bigint();
  let sent = 0;
  while (sent < N) sent += Math.max(0, tx.send(Math.min(BURST, N - sent)));
  const t = Number(process.hrtime.bigint() - t0) / 1e9;
  nativeIO().close(tx.h);
  return N / t;
}

/** Floods for `seconds` with the addon (from a timer loop, leaving the event loop free to
 * deliver) while `count()` says how many reached the receiver under test. */
async function flood(count: () => number, poll?: () => void): Promise<number> {
  const tx = addonTx();
  const start = count();
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 8; k++) tx.send(BURST);
    poll?.();
    await new Promise((r) => setImmediate(r));
  }
  nativeIO().close(tx.h);
  return (count() - start) / seconds;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) return void console.log('raw-socket-gre: needs root (raw sockets)');
  const raw = load();
  if (typeof raw === 'string') return void console.log(`raw-socket-gre: raw-socket is not installed (${raw}); npm install --no-save raw-socket`);
  console.log(`GRE over loopback, ${INNER}-byte inner frames; send: ${N} packets; receive: ${seconds} s flood`);
  console.log(`send     raw-socket ${Math.round(await rawSend(raw)).toLocaleString('en')} pkt/s, addon ${Math.round(addonSend()).toLocaleString('en')} pkt/s`);

  const s = raw.createSocket({ protocol: 47 });
  let got = 0;
  s.on('message', () => got++);
  const rawRx = await flood(() => got);
  s.close();

  const io = nativeIO();
  const rx = io.tunnelOpen({ proto: 'gre', localAddr: '127.0.0.1', port: 0, ttl: 64, df: true });
  const buf = new Uint8Array(BURST * 2048);
  const offs = new Uint32Array(BURST);
  const lens = new Uint32Array(BURST);
  const meta = new Uint32Array(BURST * 4);
  let n = 0;
  const drain = () => {
    for (let r = io.tunnelRxBurst(rx, BURST, buf, offs, lens, meta); r > 0; r = io.tunnelRxBurst(rx, BURST, buf, offs, lens, meta)) n += r;
  };
  const addonRx = await flood(() => n, drain);
  io.close(rx);
  console.log(`receive  raw-socket ${Math.round(rawRx).toLocaleString('en')} pkt/s, addon ${Math.round(addonRx).toLocaleString('en')} pkt/s (ETH_P_TEB 0x${ETH_P_TEB.toString(16)} inside)`);
}

await main();
