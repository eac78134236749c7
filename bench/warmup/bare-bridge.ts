/**
 * A bare standalone Bridge on two existing interfaces, for bench/warmup/run.sh: no CLI, no
 * OpenFlow, so the ping latency through it is the datapath's. WARM=0 turns off the JIT
 * warm-up (src/datapath/warmup.ts). Prints "ready" when forwarding; stops on SIGTERM.
 */
import { Bridge } from '../../src/datapath/bridge.js';

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: bare-bridge IF_A IF_B\n');
  process.exit(2);
}
const br = new Bridge({
  name: 'wbench', failMode: 'standalone', localPort: false, warmUp: process.env.WARM !== '0',
  ports: [{ spec: a }, { spec: b }],
});
br.start();
process.stdout.write('ready\n');
const keep = setInterval(() => {}, 1000);
process.on('SIGTERM', () => {
  clearInterval(keep);
  br.stop();
  process.exit(0);
});
