/**
 * The two traffic ends of the packet-in benchmark, each run inside its host namespace:
 *
 *   node --import tsx bench/openflow/host.ts send DST_IP DST_PORT
 *       stdin line "SEQ SPORT" → one UDP datagram SPORT → DST_IP:DST_PORT whose payload
 *       carries SEQ and the send time; replies "sent SEQ" on stdout
 *   node --import tsx bench/openflow/host.ts recv PORT
 *       prints "got SEQ SENT_NS ARRIVED_NS" per probe datagram received
 *
 * Times are process.hrtime (CLOCK_MONOTONIC, one clock for the whole machine, not
 * namespaced), so differences between processes are meaningful. The send time is taken
 * after the socket is bound, right before send(): socket setup is not counted.
 */
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { PROBE_LEN, PROBE_MAGIC, probePayload } from './messages.js';

const [mode, a, b] = process.argv.slice(2);

if (mode === 'recv') {
  const sock = createSocket('udp4');
  sock.on('message', (msg) => {
    const arrived = process.hrtime.bigint();
    if (msg.length < PROBE_LEN || msg.readUInt32BE(0) !== PROBE_MAGIC) return;
    process.stdout.write(`got ${msg.readUInt32BE(4)} ${msg.readBigUInt64BE(8)} ${arrived}\n`);
  });
  sock.bind(Number(a), () => process.stdout.write('ready\n'));
} else if (mode === 'send') {
  const dst = a!;
  const dport = Number(b);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [seq, sport] = line.trim().split(/\s+/).map(Number);
    const sock = createSocket('udp4');
    sock.bind(sport, () => {
      const payload = probePayload(seq!, process.hrtime.bigint());
      sock.send(payload, dport, dst, (err) => {
        sock.close();
        process.stdout.write(err ? `fail ${seq} ${err.message}\n` : `sent ${seq}\n`);
      });
    });
  });
  rl.on('close', () => process.exit(0));
  process.stdout.write('ready\n');
} else {
  process.stderr.write('usage: host.ts send DST_IP DST_PORT | recv PORT\n');
  process.exit(2);
}
