/**
 * Tunnel underlay I/O of the native addon (native/src/tunnel.c, tunnel_tx.c), needs root
 * (raw sockets). Everything runs over loopback in this process's namespace: handles bound
 * to 127.0.0.1 / 127.0.0.2 / 127.0.0.3 on a random high UDP port talk to each other, so
 * no packet leaves the host (the test process cannot enter a namespace of its own).
 *
 * Checked: VXLAN-style UDP round trip (bytes = hdr + frame, outer src/dst/port/tos/ttl in
 * meta, the source port = the send pool's port for the flow value, UDP checksum 0 and DF
 * on the wire via tcpdump), one flow -> one source port and many flows -> many, the
 * two-source (alt/sel) and vnet-prefix frame sources, IP_PKTINFO on a 0.0.0.0 socket,
 * GRE (protocol 47) round trip, a 20 KB TCPv4 GSO super-frame leaving as 15 segments with
 * valid inner checksums and lengths (one UDP_SEGMENT send: captured on lo as one GSO
 * datagram; the outer checksums of the segmented datagrams are checked on a veth in
 * overlay-vxlan-kernel.test.ts), a GSO super-frame over a
 * smaller-MTU route with df dropped and counted per segment (txTooBig), NEEDS_CSUM completion, truncation, too-big
 * packets (EMSGSIZE: loopback's MTU is 65,536, so only packets over the 64 KiB IP limit
 * are too big here — a real path-MTU failure with df needs a smaller-MTU route and is not
 * tested), readiness, close, and open errors.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeAvailable, nativeIO, type NativeHandle, type NativeIO } from '../../src/ports/native.js';
import { needs } from '../tools.js';
import { isRoot, sh } from './ports-lab.js';

const ready = isRoot() && nativeAvailable();
if (!ready) console.warn('native-tunnel: SKIPPED — needs root and the native addon');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const VNET = 10;
const LO1 = 0x7f000001;
const LO2 = 0x7f000002;
const LO3 = 0x7f000003;
const EBADF = 9;

/** One's-complement checksum (RFC 1071) over bytes, starting from `acc`; returns the folded sum. */
function sum16(b: Uint8Array, acc = 0): number {
  for (let i = 0; i + 1 < b.length; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) acc += b[b.length - 1]! << 8;
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}

/** True when the L4 checksum of an IPv4 packet (starting at ip) verifies with its pseudo-header. */
function l4ChecksumOk(ip: Uint8Array): boolean {
  const ihl = (ip[0]! & 15) * 4;
  const total = (ip[2]! << 8) | ip[3]!;
  const l4 = ip.subarray(ihl, total);
  const pseudo = sum16(ip.subarray(12, 20)) + ip[9]! + l4.length;
  return sum16(l4, pseudo) === 0xffff;
}

/** A broadcast Ethernet frame of the local experimental ethertype 0x88b5 with a tag byte. */
function plainFrame(tag: number, len = 100): Uint8Array {
  const f = new Uint8Array(len).fill(tag);
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5], 0);
  return f;
}

/** 8-byte VXLAN header (RFC 7348 §5): I flag, VNI. */
function vxlanHdr(vni: number): Uint8Array {
  return Uint8Array.of(0x08, 0, 0, 0, (vni >>> 16) & 0xff, (vni >>> 8) & 0xff, vni & 0xff, 0);
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

/** virtio_net_hdr (little-endian fields) + Ethernet + IPv4 + TCP/UDP with `payload` bytes. */
function vnetFrame(opts: { tcp: boolean; payload: number; gso: number; gsoSize: number }): Uint8Array {
  const l4len = opts.tcp ? 20 : 8;
  const len = 14 + 20 + l4len + opts.payload;
  const out = new Uint8Array(VNET + len);
  const v = new DataView(out.buffer);
  out[0] = 1; // NEEDS_CSUM
  out[1] = opts.gso;
  v.setUint16(2, 14 + 20 + l4len, true);
  v.setUint16(4, opts.gsoSize, true);
  v.setUint16(6, 34, true);
  v.setUint16(8, opts.tcp ? 16 : 6, true);
  const f = out.subarray(VNET);
  f.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00], 0);
  const ip = f.subarray(14);
  ip.set([0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, opts.tcp ? 6 : 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  put16(ip, 2, 20 + l4len + opts.payload);
  put16(ip, 10, ~sum16(ip.subarray(0, 20)) & 0xffff);
  const l4 = ip.subarray(20);
  put16(l4, 0, 5001);
  put16(l4, 2, 80);
  if (opts.tcp) {
    v.setUint32(VNET + 14 + 20 + 4, 1000); // seq
    l4[12] = 5 << 4;
    l4[13] = 0x18; // ACK|PSH
    put16(l4, 14, 65535);
  } else {
    put16(l4, 4, 8 + opts.payload);
  }
  for (let i = 0; i < opts.payload; i++) l4[l4len + i] = (i * 7) & 0xff;
  // partial checksum: the pseudo-header sum, not complemented (virtio 1.2 §5.1.6.2)
  const pseudo = sum16(ip.subarray(12, 20), (opts.tcp ? 6 : 17) + l4len + opts.payload);
  put16(l4, opts.tcp ? 16 : 6, pseudo);
  return out;
}

/** A transmit burst: per-packet header and frame regions plus meta. */
class TxBurst {
  hdr = new Uint8Array(4096);
  hdrOffs = new Uint32Array(64);
  hdrLens = new Uint32Array(64);
  frames = new Uint8Array(1 << 18);
  offs = new Uint32Array(64);
  lens = new Uint32Array(64);
  meta = new Uint32Array(256);
  n = 0;
  private h = 0;
  private f = 0;

  constructor(readonly vnetPrefix = false) {}

  /** Adds a packet; `frame` includes its vnet header when vnetPrefix. */
  add(hdr: Uint8Array, frame: Uint8Array, dst: number, sport: number, tos = 0): this {
    const i = this.n++;
    this.hdr.set(hdr, this.h);
    this.hdrOffs[i] = this.h;
    this.hdrLens[i] = hdr.length;
    this.h += hdr.length;
    this.frames.set(frame, this.f);
    const pre = this.vnetPrefix ? VNET : 0;
    this.offs[i] = this.f + pre;
    this.lens[i] = frame.length - pre;
    this.f += frame.length;
    this.meta.set([dst, 0, sport, tos], i * 4);
    return this;
  }

  send(io: NativeIO, h: NativeHandle, alt?: Uint8Array, altPrefix?: boolean, sel?: Uint8Array): number {
    return io.tunnelTxBurst(h, this.hdr, this.hdrOffs, this.hdrLens, this.frames, this.offs, this.lens, this.n,
      this.vnetPrefix, this.meta, alt, altPrefix, sel);
  }
}

interface Datagram {
  bytes: Uint8Array;
  src: number;
  dst: number;
  sport: number;
  tos: number;
  ttl: number;
}

/** Receives until `want` datagrams arrived or `tries` empty polls 10 ms apart (~1 s) passed. */
async function receive(io: NativeIO, h: NativeHandle, want: number, bufBytes = 64 * 2048, max = 64, tries = 100): Promise<Datagram[]> {
  const buf = new Uint8Array(bufBytes);
  const offs = new Uint32Array(max);
  const lens = new Uint32Array(max);
  const meta = new Uint32Array(max * 4);
  const got: Datagram[] = [];
  for (let t = 0; t < tries && got.length < want; t++) {
    const n = io.tunnelRxBurst(h, max, buf, offs, lens, meta);
    expect(n).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < n; i++) {
      got.push({
        bytes: buf.slice(offs[i], offs[i]! + lens[i]!),
        src: meta[i * 4]!,
        dst: meta[i * 4 + 1]!,
        sport: meta[i * 4 + 2]!,
        tos: meta[i * 4 + 3]! >>> 8,
        ttl: meta[i * 4 + 3]! & 0xff,
      });
    }
    if (n === 0) await sleep(10);
  }
  return got;
}

const cat = (a: Uint8Array, b: Uint8Array) => {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
};

/** Starts tcpdump on lo and resolves once it listens; stop() returns the pcap's packets (from the IP header).
 * --immediate-mode: libpcap's TPACKET_V3 block would otherwise hold packets for up to 1 s. */
async function capture(filter: string, file: string): Promise<{ stop: () => Promise<Uint8Array[]> }> {
  const p = spawn('timeout', ['10', 'tcpdump', '-i', 'lo', '--immediate-mode', '-U', '-n', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('tcpdump did not start')), 5000);
    p.stderr.on('data', (d: Buffer) => {
      if (d.toString().includes('listening on')) {
        clearTimeout(t);
        setTimeout(resolve, 100);
      }
    });
    p.on('error', reject);
  });
  return {
    stop: async () => {
      await sleep(200);
      p.kill('SIGINT');
      await new Promise((r) => p.on('exit', r));
      const b = readFileSync(file);
      const le = b.readUInt32LE(0) === 0xa1b2c3d4;
      const link = le ? b.readUInt32LE(20) : b.readUInt32BE(20);
      const pkts: Uint8Array[] = [];
      for (let at = 24; at + 16 <= b.length;) {
        const incl = le ? b.readUInt32LE(at + 8) : b.readUInt32BE(at + 8);
        const data = b.subarray(at + 16, at + 16 + incl);
        pkts.push(new Uint8Array(data.subarray(link === 1 ? 14 : 0))); // DLT_EN10MB on lo
        at += 16 + incl;
      }
      return pkts;
    },
  };
}

describe.skipIf(!ready)('native tunnel underlay (loopback)', () => {
  const io = ready ? nativeIO() : (null as unknown as NativeIO);
  const handles: NativeHandle[] = [];
  let port = 0;
  let A!: NativeHandle; // udp, 127.0.0.1:port, ttl 33, df
  let B!: NativeHandle; // udp, 127.0.0.2:port
  let G1!: NativeHandle; // gre, 127.0.0.1
  let G2!: NativeHandle; // gre, 127.0.0.2
  let dir = '';

  /** The source port a udp handle uses for the flow value v (meta word 2). */
  const sp = (h: NativeHandle, v: number) => {
    const ports = io.info(h).srcPorts!;
    return ports[v % ports.length]!;
  };
  const open = (o: Parameters<NativeIO['tunnelOpen']>[0]) => {
    const h = io.tunnelOpen(o);
    handles.push(h);
    return h;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-tun-'));
    for (let tries = 0; ; tries++) {
      port = 40000 + Math.floor(Math.random() * 20000);
      try {
        B = open({ proto: 'udp', localAddr: '127.0.0.2', port });
        A = open({ proto: 'udp', localAddr: '127.0.0.1', port, ttl: 33, df: true });
        break;
      } catch (e) {
        if (tries > 10 || (e as { code?: string }).code !== 'EADDRINUSE') throw e;
      }
    }
    G1 = open({ proto: 'gre', localAddr: '127.0.0.1', ttl: 40 });
    G2 = open({ proto: 'gre', localAddr: '127.0.0.2' });
  });
  afterAll(() => {
    for (const h of handles) io.close(h);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('UDP: hdr + frame arrive intact with outer src/dst, pool source port, tos and ttl; UDP checksum 0 and DF on the wire', async () => {
    const canDump = await sh('command -v tcpdump').then(() => true, () => false);
    const cap = canDump ? await capture(`udp and dst port ${port} and dst host 127.0.0.2`, join(dir, 'vx.pcap')) : null;
    const b = new TxBurst();
    // Geneve (RFC 8926 §3.4): 8 bytes + one 8-byte option (opt len 2 words), TEB, VNI 0x123456
    const geneve = Uint8Array.of(0x02, 0, 0x65, 0x58, 0x12, 0x34, 0x56, 0, 0x01, 0x02, 0x03, 0x01, 0xde, 0xad, 0xbe, 0xef);
    const hdrs = [vxlanHdr(100), vxlanHdr(101), geneve];
    const frames = [plainFrame(1), plainFrame(2, 1400), plainFrame(3, 60)];
    b.add(hdrs[0]!, frames[0]!, LO2, 49152, 0x28);
    b.add(hdrs[1]!, frames[1]!, LO2, 50000, 0);
    b.add(hdrs[2]!, frames[2]!, LO2, 65000, 0xb8);
    const before = io.stats(A);
    expect(b.send(io, A)).toBe(3);
    // DF off: the kernel may fragment (no DF bit on the wire)
    const D = open({ proto: 'udp', localAddr: '127.0.0.3', port, df: false });
    expect(new TxBurst().add(vxlanHdr(1), plainFrame(4), LO2, 4444).send(io, D)).toBe(1);
    const got = await receive(io, B, 4);
    expect(got.length).toBe(4);
    got.slice(0, 3).forEach((d, i) => {
      expect(d.bytes).toEqual(cat(hdrs[i]!, frames[i]!));
      expect(d.src).toBe(LO1);
      expect(d.dst).toBe(LO2);
      expect(d.ttl).toBe(33);
    });
    expect(got[3]).toMatchObject({ src: LO3, dst: LO2, sport: sp(D, 4444), ttl: 64 });
    expect(got.map((d) => d.sport)).toEqual([sp(A, 49152), sp(A, 50000), sp(A, 65000), sp(D, 4444)]);
    expect(got.map((d) => d.tos)).toEqual([0x28, 0, 0xb8, 0]);
    const s = io.stats(A);
    expect(s.tx - before.tx).toBe(3);
    expect(s.txBytes - before.txBytes).toBe(3 * 8 + 8 + 8 + 16 + 100 + 1400 + 60); // UDP headers + tunnel headers + frames
    expect(io.stats(B).rx).toBeGreaterThanOrEqual(4);
    // The raw send sockets would get a copy of every UDP datagram to their address; the
    // drop-all filter keeps their queues empty (/proc/net/raw: local 127.0.0.1, protocol 17).
    expect(new TxBurst().add(vxlanHdr(1), plainFrame(5), LO1, 5555).send(io, B)).toBe(1);
    expect((await receive(io, A, 1)).map((d) => d.sport)).toEqual([sp(B, 5555)]);
    const raw = readFileSync('/proc/net/raw', 'utf8').split('\n').filter((l) => / 0100007F:0011 /.test(l));
    expect(raw.length).toBeGreaterThanOrEqual(1);
    for (const l of raw) expect(l.trim().split(/\s+/)[4]).toMatch(/:00000000$/); // tx_queue:rx_queue
    if (cap) {
      const pkts = await cap.stop();
      expect(pkts.length).toBe(4);
      pkts.forEach((ip, i) => {
        expect(ip[9]).toBe(17);
        expect(ip[6]! & 0x40).toBe(i < 3 ? 0x40 : 0); // DF from df: true / false
        const udp = ip.subarray((ip[0]! & 15) * 4);
        expect((udp[2]! << 8) | udp[3]!).toBe(port);
        // checksum 0 (RFC 7348 §5): frames without GSO go through the raw socket; GSO
        // super-frames leave with the kernel's checksum (the super-frame test)
        expect((udp[6]! << 8) | udp[7]!).toBe(0);
        expect((udp[4]! << 8) | udp[5]!).toBe(udp.length);
      });
    }
  });

  it('datagrams the kernel dropped on a full receive socket show in rxDropped (SO_RXQ_OVFL)', async () => {
    const R = open({ proto: 'udp', localAddr: '127.0.0.3', port: port + 1 === 65536 ? port - 1 : port + 1, rcvbuf: 1 });
    const rport = io.info(R).port!;
    const S = open({ proto: 'udp', localAddr: '127.0.0.1', port: rport });
    const b = new TxBurst();
    for (let i = 0; i < 40; i++) b.add(vxlanHdr(1), plainFrame(i, 1000), LO3, 1000 + i);
    expect(b.send(io, S)).toBe(40);
    const first = await receive(io, R, 40, 64 * 2048, 64, 5);
    expect(first.length).toBeLessThan(40);
    // the drop count rides on the next datagram queued after the drops
    expect(new TxBurst().add(vxlanHdr(1), plainFrame(1), LO3, 2000).send(io, S)).toBe(1);
    expect((await receive(io, R, 1)).map((d) => d.sport)).toEqual([sp(S, 2000)]);
    expect(io.stats(R).rxDropped).toBe(40 - first.length);
  });

  it('UDP: frames from alt (sel) and with vnet prefixes are gathered like txBurst', async () => {
    const b = new TxBurst(true);
    const plain = (tag: number) => cat(new Uint8Array(VNET), plainFrame(tag)); // all-zero vnet header
    b.add(vxlanHdr(7), plain(0x11), LO2, 1111).add(vxlanHdr(7), plain(0x22), LO2, 2222).add(vxlanHdr(7), plain(0x33), LO2, 3333);
    // frame 1 comes from `alt` (no vnet prefix there), at offset 5
    const alt = new Uint8Array(300);
    alt.set(plainFrame(0x99, 90), 5);
    const offs1 = b.offs[1]!;
    const lens1 = b.lens[1]!;
    b.offs[1] = 5;
    b.lens[1] = 90;
    expect(b.send(io, A, alt, false, Uint8Array.of(0, 1, 0))).toBe(3);
    const got = await receive(io, B, 3);
    expect(got.map((d) => d.bytes)).toEqual([
      cat(vxlanHdr(7), plainFrame(0x11)), cat(vxlanHdr(7), plainFrame(0x99, 90)), cat(vxlanHdr(7), plainFrame(0x33)),
    ]);
    // out of bounds in alt: an error count, not a crash; the others still go
    b.offs[1] = 250;
    const errs = io.stats(A).txErrors;
    expect(b.send(io, A, alt, false, Uint8Array.of(0, 1, 0))).toBe(2);
    expect(io.stats(A).txErrors - errs).toBe(1);
    expect((await receive(io, B, 2)).length).toBe(2);
    b.offs[1] = offs1;
    b.lens[1] = lens1;
  });

  it('UDP on 0.0.0.0 reports the header destination (IP_PKTINFO)', async () => {
    let Z!: NativeHandle;
    let zport = 0;
    for (let tries = 0; ; tries++) {
      zport = 40000 + Math.floor(Math.random() * 20000);
      try {
        Z = open({ proto: 'udp', localAddr: '0.0.0.0', port: zport });
        break;
      } catch (e) {
        if (tries > 10 || (e as { code?: string }).code !== 'EADDRINUSE') throw e;
      }
    }
    expect(io.info(Z)).toMatchObject({ kind: 'tunnel', proto: 'udp', localAddr: '0.0.0.0', port: zport, df: true, ttl: 64 });
    expect(new TxBurst().add(vxlanHdr(1), plainFrame(5), LO3, 4242).send(io, Z)).toBe(1);
    const [d] = await receive(io, Z, 1);
    expect(d).toMatchObject({ dst: LO3, sport: sp(Z, 4242), ttl: 64 });
    expect(d!.bytes).toEqual(cat(vxlanHdr(1), plainFrame(5)));
  });

  it('GRE (IP protocol 47): round trip with the outer IPv4 header parsed and skipped', async () => {
    const gre = Uint8Array.of(0x20, 0x00, 0x65, 0x58, 0, 0, 0x12, 0x34); // K bit, TEB, key 0x1234
    const b = new TxBurst().add(gre, plainFrame(0x42, 200), LO2, 0, 0x10).add(gre, plainFrame(0x43, 64), LO2, 0);
    expect(b.send(io, G1)).toBe(2);
    const got = await receive(io, G2, 2);
    expect(got.length).toBe(2);
    expect(got[0]).toMatchObject({ src: LO1, dst: LO2, sport: 0, tos: 0x10, ttl: 40 });
    expect(got[1]).toMatchObject({ src: LO1, dst: LO2, sport: 0, tos: 0, ttl: 40 });
    expect(got[0]!.bytes).toEqual(cat(gre, plainFrame(0x42, 200)));
    expect(got[1]!.bytes).toEqual(cat(gre, plainFrame(0x43, 64)));
    expect(io.info(G1)).toMatchObject({ kind: 'tunnel', proto: 'gre', localAddr: '127.0.0.1' });
  });

  it('a 20 KB TCPv4 GSO super-frame leaves as 15 encapsulated segments with valid inner headers', async () => {
    const payload = 20000;
    const mss = 1400;
    const sf = vnetFrame({ tcp: true, payload, gso: 1 /* TCPV4 */, gsoSize: mss });
    const before = io.stats(A);
    const canDump = await sh('command -v tcpdump').then(() => true, () => false);
    const cap = canDump ? await capture(`udp and dst port ${port} and dst host 127.0.0.2`, join(dir, 'gso.pcap')) : null;
    expect(new TxBurst(true).add(vxlanHdr(9), sf, LO2, 60000).send(io, A)).toBe(1);
    const got = await receive(io, B, 15);
    expect(got.length).toBe(15);
    if (cap) {
      // one UDP_SEGMENT send: loopback takes UDP GSO, so the capture shows the one
      // super-datagram (segmented only on receive, as B got it above): 15 datagrams of
      // 8 + 54 + mss bytes (the last shorter) laid out back to back, one source port, DF
      const pkts = await cap.stop();
      expect(pkts.length).toBe(1);
      const ip = pkts[0]!;
      const udp = ip.subarray((ip[0]! & 15) * 4);
      expect(ip.length).toBe(20 + 8 + 15 * (8 + 54) + payload);
      expect(ip[6]! & 0x40).toBe(0x40);
      expect(ip[8]).toBe(33); // ttl
      expect((udp[0]! << 8) | udp[1]!).toBe(sp(A, 60000));
      for (let i = 0; i < 15; i++) expect(udp.subarray(8 + i * (8 + 54 + mss), 16 + i * (8 + 54 + mss))).toEqual(vxlanHdr(9));
    }
    const s = io.stats(A);
    expect(s.tx - before.tx).toBe(15);
    expect(s.txSegmented - before.txSegmented).toBe(1);
    const orig = sf.subarray(VNET + 54);
    got.forEach((d, i) => {
      expect(d.sport).toBe(sp(A, 60000));
      expect(d.bytes.subarray(0, 8)).toEqual(vxlanHdr(9));
      const f = d.bytes.subarray(8);
      const ip = f.subarray(14);
      const chunk = i < 14 ? mss : payload - 14 * mss;
      expect(f.length).toBe(54 + chunk);
      expect((ip[2]! << 8) | ip[3]!).toBe(40 + chunk); // IP total length
      expect((ip[4]! << 8) | ip[5]!).toBe((0x1234 + i) & 0xffff); // IP id
      expect(sum16(ip.subarray(0, 20))).toBe(0xffff); // IP header checksum
      expect(l4ChecksumOk(ip)).toBe(true); // TCP checksum with pseudo-header
      const tcp = ip.subarray(20);
      expect(new DataView(tcp.buffer, tcp.byteOffset).getUint32(4)).toBe(1000 + i * mss);
      expect(tcp[13]).toBe(i === 14 ? 0x18 : 0x10); // PSH only on the last
      expect(tcp.subarray(20)).toEqual(orig.subarray(i * mss, i * mss + chunk));
    });
  });

  it('source ports come from the send pool: one flow -> one port (small and GSO), many flows -> several', async () => {
    const ports = io.info(A).srcPorts!;
    expect(ports.length).toBe(16);
    expect(new Set(ports).size).toBe(16);
    for (const p of ports) expect(p).toBeGreaterThan(0);
    expect(io.info(G1).srcPorts).toEqual([]);
    // one flow value: a small frame, a GSO super-frame (3 segments), a small frame again
    const sf = vnetFrame({ tcp: true, payload: 3000, gso: 1, gsoSize: 1400 });
    const small = cat(new Uint8Array(VNET), plainFrame(0x55));
    const b = new TxBurst(true).add(vxlanHdr(2), small, LO2, 51234).add(vxlanHdr(2), sf, LO2, 51234).add(vxlanHdr(2), small, LO2, 51234);
    expect(b.send(io, A)).toBe(3);
    const one = await receive(io, B, 5);
    expect(one.length).toBe(5);
    expect(new Set(one.map((d) => d.sport))).toEqual(new Set([sp(A, 51234)]));
    expect(one[0]!.bytes).toEqual(cat(vxlanHdr(2), plainFrame(0x55))); // the burst's order is kept
    expect(one[4]!.bytes).toEqual(cat(vxlanHdr(2), plainFrame(0x55)));
    // 64 flow values: every pool port is used, each flow value always maps to the same one
    const many = new TxBurst();
    for (let i = 0; i < 64; i++) many.add(vxlanHdr(3), plainFrame(i), LO2, 49152 + i * 7);
    expect(many.send(io, A)).toBe(64);
    const got = await receive(io, B, 64);
    expect(got.length).toBe(64);
    expect(new Set(got.map((d) => d.sport)).size).toBe(16);
    for (const d of got) expect(d.sport).toBe(sp(A, 49152 + d.bytes[8 + 14]! * 7));
  });

  needs('ip').it('GSO with df over a smaller-MTU route: every segment too big is dropped and counted (txTooBig)', async () => {
    // a local route to 127.0.0.4 with MTU 1000: the 1400-byte segments do not fit
    await sh('ip route add local 127.0.0.4/32 dev lo table local mtu lock 1000');
    try {
      const T = open({ proto: 'udp', localAddr: '127.0.0.4', port });
      const LO4 = 0x7f000004;
      const before = io.stats(A);
      const sf = vnetFrame({ tcp: true, payload: 5600, gso: 1, gsoSize: 1400 });
      const fits = vnetFrame({ tcp: true, payload: 2400, gso: 1, gsoSize: 800 });
      expect(new TxBurst(true).add(vxlanHdr(4), sf, LO4, 7).add(vxlanHdr(4), fits, LO4, 7).send(io, A)).toBe(1);
      const s = io.stats(A);
      expect(s.txTooBig - before.txTooBig).toBe(4); // 4 segments, each too big
      expect(s.txErrors - before.txErrors).toBe(4);
      expect(s.tx - before.tx).toBe(3); // the 800-byte segments go
      const got = await receive(io, T, 3);
      expect(got.map((d) => d.bytes.length)).toEqual([8 + 54 + 800, 8 + 54 + 800, 8 + 54 + 800]);
    } finally {
      await sh('ip route del local 127.0.0.4/32 dev lo table local').catch(() => {});
    }
  });

  it('a NEEDS_CSUM frame (no GSO) gets its UDP checksum completed', async () => {
    const f = vnetFrame({ tcp: false, payload: 333, gso: 0, gsoSize: 0 });
    expect(new TxBurst(true).add(vxlanHdr(3), f, LO2, 777).send(io, A)).toBe(1);
    const [d] = await receive(io, B, 1);
    const ip = d!.bytes.subarray(8 + 14);
    expect(l4ChecksumOk(ip)).toBe(true);
    expect(d!.bytes.subarray(8, 8 + 14 + 20 + 6)).toEqual(f.subarray(VNET, VNET + 40)); // headers otherwise unchanged
  });

  it('a datagram larger than its receive slot is dropped and counted (rxTruncated)', async () => {
    const before = io.stats(B);
    expect(new TxBurst().add(vxlanHdr(1), plainFrame(7, 3000), LO2, 1).add(vxlanHdr(1), plainFrame(8, 500), LO2, 2).send(io, A)).toBe(2);
    const got = await receive(io, B, 1, 2048, 4); // one 2048-byte slot per datagram
    expect(got.length).toBe(1);
    expect(got[0]!.sport).toBe(sp(A, 2));
    const s = io.stats(B);
    expect(s.rxTruncated - before.rxTruncated).toBe(1);
    expect(s.rxDropped - before.rxDropped).toBe(1);
    // a buffer smaller than one minimum slot is an argument problem: -EINVAL
    expect(io.tunnelRxBurst(B, 1, new Uint8Array(100), new Uint32Array(1), new Uint32Array(1), new Uint32Array(4))).toBe(-22);
  });

  it('too-big packets are counted (txTooBig, txErrors) and the rest of the burst still goes', async () => {
    const before = io.stats(A);
    // UDP length would exceed 65,535 (refused in C); IP length would exceed 65,535 (EMSGSIZE from the kernel)
    const b = new TxBurst().add(vxlanHdr(1), plainFrame(1, 65520), LO2, 1).add(vxlanHdr(1), plainFrame(2, 65500), LO2, 2)
      .add(vxlanHdr(1), plainFrame(3), LO2, 3);
    expect(b.send(io, A)).toBe(1);
    const s = io.stats(A);
    expect(s.txTooBig - before.txTooBig).toBe(2);
    expect(s.txErrors - before.txErrors).toBe(2);
    const got = await receive(io, B, 1, 64 * 2048);
    expect(got.map((d) => d.sport)).toEqual([sp(A, 3)]);
    // GRE: the kernel refuses an IP packet over 64 KiB
    const g = new TxBurst().add(Uint8Array.of(0, 0, 0x65, 0x58), plainFrame(4, 65530), LO2, 0);
    expect(g.send(io, G1)).toBe(0);
    expect(io.stats(G1).txTooBig).toBe(1);
    expect(io.stats(G1).lastErrno).toBe(90); // EMSGSIZE
  });

  it('readiness: pollStart calls back when a datagram arrives', async () => {
    let calls = 0;
    io.pollStart(B, (err) => {
      expect(err).toBe(0);
      calls++;
    });
    try {
      const buf = new Uint8Array(64 * 2048);
      while (io.tunnelRxBurst(B, 64, buf, new Uint32Array(64), new Uint32Array(64), new Uint32Array(256)) > 0); // drain
      calls = 0;
      expect(new TxBurst().add(vxlanHdr(1), plainFrame(9), LO2, 9).send(io, A)).toBe(1);
      for (let t = 0; t < 100 && calls === 0; t++) await sleep(10);
      expect(calls).toBeGreaterThan(0);
      expect((await receive(io, B, 1)).map((d) => d.sport)).toEqual([sp(A, 9)]);
    } finally {
      io.pollStop(B);
    }
  });

  it('close: bursts return -EBADF, info reports closed, stats still readable', () => {
    const C = open({ proto: 'gre', localAddr: '127.0.0.3' });
    io.close(C);
    expect(io.tunnelRxBurst(C, 4, new Uint8Array(8192), new Uint32Array(4), new Uint32Array(4), new Uint32Array(16))).toBe(-EBADF);
    expect(new TxBurst().add(Uint8Array.of(0, 0, 0x65, 0x58), plainFrame(1), LO2, 0).send(io, C)).toBe(-EBADF);
    expect(io.info(C)).toMatchObject({ closed: true, kind: 'tunnel', txFd: -1 });
    expect(io.stats(C).tx).toBe(0);
  });

  it('open errors name the call, address and errno; wrong calls are type errors', () => {
    expect(() => io.tunnelOpen({ proto: 'udp', localAddr: '192.0.2.77', port })).toThrow(
      /bind 192\.0\.2\.77:\d+: local address 192\.0\.2\.77 is not configured on this host \(EADDRNOTAVAIL\)/,
    );
    try {
      io.tunnelOpen({ proto: 'gre', localAddr: '192.0.2.77' });
      expect.unreachable();
    } catch (e) {
      expect((e as { code?: string }).code).toBe('EADDRNOTAVAIL');
      expect((e as { errno?: number }).errno).toBe(99);
    }
    expect(() => io.tunnelOpen({ proto: 'udp', localAddr: '127.0.0.1', port })).toThrow(/EADDRINUSE/);
    expect(() => io.tunnelOpen({ proto: 'tcp' as 'udp', localAddr: '127.0.0.1', port })).toThrow(TypeError);
    expect(() => io.tunnelOpen({ proto: 'udp', localAddr: '127.0.0.1' })).toThrow(/port/);
    expect(() => io.tunnelOpen({ proto: 'gre', localAddr: 'localhost' })).toThrow(/dotted IPv4/);
    expect(() => io.rxBurst(A, 4, new Uint32Array(4), new Uint32Array(4))).toThrow(/tunnelRxBurst/);
    expect(() => io.rxBuffer(A)).toThrow(/caller's buffer/);
  });
});
