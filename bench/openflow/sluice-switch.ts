/**
 * Sluice as the benchmark runs it when `sluice start` has no controller flag yet: one
 * Bridge (secure fail mode, AF_PACKET ports, no LOCAL TAP) plus its OpenFlowService with
 * one controller target — the same two objects the daemon builds, in a child process of
 * the benchmark so that it has its own event loop and CPU, as the real daemon would.
 *
 *   node --import tsx bench/openflow/sluice-switch.ts CONTROLLER_PORT IF1 IF2
 *
 * Prints "bridge started" on stderr when its ports are open; SIGTERM/SIGINT stop the
 * service and the bridge (sockets closed) and exit 0.
 */
import { Bridge } from '../../src/datapath/bridge.js';
import { OpenFlowService } from '../../src/openflow/service.js';

const [ctlPort, if1, if2] = process.argv.slice(2);
if (!ctlPort || !if1 || !if2) {
  process.stderr.write('usage: sluice-switch.ts CONTROLLER_PORT IF1 IF2\n');
  process.exit(2);
}

const bridge = new Bridge({
  name: 'br0', failMode: 'secure', localPort: false, dpid: 0x5100n,
  ports: [{ spec: if1, ofport: 1 }, { spec: if2, ofport: 2 }],
});
bridge.start();
// Backoff floor 100 ms: the controller is up before the switch, the first try succeeds.
const service = new OpenFlowService(bridge, { rundir: null, backoffMinMs: 100, backoffMaxMs: 1000 });
await service.start({ controllers: [`tcp:127.0.0.1:${ctlPort}`] });
process.stderr.write('bridge started\n');

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  service.stop();
  bridge.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bridge's timers are unref()'d: keep the process alive until a signal.
setInterval(() => undefined, 1 << 30);
