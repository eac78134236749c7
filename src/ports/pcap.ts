/**
 * pcap file port (`pcap:in=FILE,out=FILE`): replays a capture as received traffic and/or
 * records transmitted frames to a capture — for tests, offline traces and debugging with
 * Wireshark/tcpdump. Format: libpcap savefile (tcpdump.org/manual/pcap-savefile): 24-byte
 * global header (magic a1b2c3d4 µs or a1b23c4d ns, either byte order), 16-byte records.
 *
 * Why not live capture through the `cap` package: it calls JS once per packet and copies
 * each packet into one shared Buffer (no bursts), carries no virtio-net header (TCP with
 * default offloads stalls through it — measured), and on Linux libpcap is itself an
 * AF_PACKET ring: the afpacket port does the same job with bursts and GSO. See native/README.md.
 *
 * Invariants: replayed frames are views into the loaded file (zero copy), valid until
 * the next rxBurst like any port; only Ethernet captures (LINKTYPE_ETHERNET = 1) are
 * accepted; vnet headers are not written (a capture shows frames as the port sent them).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { DEFAULT_MAX_BURST, emptyBatch, frameBuf, type FrameBatch, type Port, type PortStats } from './port.js';
import { zeroStats } from './native-port.js';

const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262_144;
const EBADF = 9;

interface PcapOptions {
  /** capture to replay as received frames */
  input?: string;
  /** capture file to write transmitted frames to (truncated at open) */
  output?: string;
  maxBurst?: number;
  /** clock for record timestamps, ms (tests pass a fixed one) */
  now?: () => number;
}

export class PcapPort implements Port {
  readonly kind = 'pcap' as const;
  readonly vnet = false;
  ofport = 0;
  readonly maxBurst: number;
  readonly burst: FrameBatch;
  private file: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private little = true;
  private pos = 0;
  private out = -1;
  private opened = false;
  private stage = new Uint8Array(65_536);
  private readable: (() => void) | null = null;
  private readonly counters: PortStats = zeroStats();

  constructor(readonly name: string, readonly options: PcapOptions = {}) {
    this.maxBurst = options.maxBurst ?? DEFAULT_MAX_BURST;
    this.burst = emptyBatch(this.maxBurst);
  }

  open(): void {
    if (this.opened) return;
    const { input, output } = this.options;
    if (input) {
      const f = readFileSync(input);
      const file = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
      const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
      if (file.length < 24) throw new Error(`pcap ${input}: too short for a pcap header`);
      const magic = view.getUint32(0, true);
      if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) {
        const be = view.getUint32(0, false);
        if (be !== 0xa1b2c3d4 && be !== 0xa1b23c4d) throw new Error(`pcap ${input}: not a pcap file (pcapng is not supported)`);
        this.little = false;
      }
      const link = view.getUint32(20, this.little) & 0x0fffffff;
      if (link !== LINKTYPE_ETHERNET) throw new Error(`pcap ${input}: link type ${link}, only Ethernet (1) is supported`);
      this.file = file;
      this.view = view;
      this.burst.buf = file;
      this.pos = 24;
    }
    if (output) {
      this.out = openSync(output, 'w');
      const h = new DataView(new ArrayBuffer(24));
      h.setUint32(0, 0xa1b2c3d4, true);
      h.setUint16(4, 2, true);
      h.setUint16(6, 4, true);
      h.setUint32(16, SNAPLEN, true);
      h.setUint32(20, LINKTYPE_ETHERNET, true);
      writeSync(this.out, new Uint8Array(h.buffer));
    }
    this.opened = true;
  }

  rxBurst(max = this.maxBurst): number {
    if (!this.opened) return -EBADF;
    const lim = Math.min(max, this.maxBurst);
    let n = 0;
    while (n < lim && this.pos + 16 <= this.file.length) {
      const caplen = this.view.getUint32(this.pos + 8, this.little);
      const start = this.pos + 16;
      if (start + caplen > this.file.length) break; // truncated capture: stop at the last whole record
      this.pos = start + caplen;
      this.burst.offs[n] = start;
      this.burst.lens[n] = caplen;
      this.counters.rxPackets++;
      this.counters.rxBytes += caplen;
      n++;
    }
    this.burst.count = n;
    if (n > 0) this.schedule();
    return n;
  }

  txBurst(b: FrameBatch): number {
    if (!this.opened) return -EBADF;
    if (this.out < 0) {
      this.counters.txDropped += b.count;
      return 0;
    }
    let need = 0;
    for (let i = 0; i < b.count; i++) need += 16 + b.lens[i]!;
    if (need > this.stage.length) this.stage = new Uint8Array(Math.max(need, this.stage.length * 2));
    const dv = new DataView(this.stage.buffer);
    const ms = (this.options.now ?? Date.now)();
    let at = 0;
    for (let i = 0; i < b.count; i++) {
      const off = b.offs[i]!;
      const len = b.lens[i]!;
      dv.setUint32(at, Math.floor(ms / 1000), true);
      dv.setUint32(at + 4, Math.floor((ms % 1000) * 1000), true);
      dv.setUint32(at + 8, len, true);
      dv.setUint32(at + 12, len, true);
      this.stage.set(frameBuf(b, i).subarray(off, off + len), at + 16);
      at += 16 + len;
      this.counters.txBytes += len;
    }
    writeSync(this.out, this.stage, 0, at);
    this.counters.txPackets += b.count;
    return b.count;
  }

  close(): void {
    if (this.out >= 0) closeSync(this.out);
    this.out = -1;
    this.opened = false;
    this.readable = null;
    this.burst.count = 0;
  }

  stats(): PortStats {
    return { ...this.counters };
  }

  linkUp(): boolean {
    return this.opened;
  }

  onReadable(cb: (() => void) | null): void {
    this.readable = cb;
    if (cb && this.pos + 16 <= this.file.length) this.schedule();
  }

  /** Replay is always "ready" until the file is exhausted: wake once per loop turn. */
  private schedule(): void {
    if (!this.readable) return;
    setImmediate(() => this.readable?.());
  }
}
