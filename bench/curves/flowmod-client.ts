// bench/curves/flowmod-client.ts — installs the flows of a file over OpenFlow 1.3 as fast as
// the switch takes them, and prints how long the switch took:
//
//   tsx bench/curves/flowmod-client.ts unix:SOCKET FILE
//   → "rules N seconds S errors E parse_s P"
//
// The file (ovs-ofctl syntax, one flow per line) is parsed with Sluice's parser and every
// flow-mod encoded with its codec BEFORE the clock starts; then the client connects, does
// the HELLO exchange (OF1.3 only), and the clock runs from the first flow-mod written to the
// reply to the barrier that follows the last one (OF1.3.5 §6.2: the switch has then
// processed every flow-mod before it). No barrier between flow-mods: the rate of a
// pipelined controller, unlike `ovs-ofctl add-flows`, which waits for a barrier reply after
// each rule. Same bytes for both switches. As bench/openflow/controller.ts (which is a
// listener, for switches that connect out), only with a client socket.
//
// Exit status: 0 when the barrier reply came and no OFPT_ERROR did; 1 otherwise (the
// message says which); 2 on bad arguments or a bad file.
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { parseFlowsFile } from '../../src/cli/ofctl/flows-file.js';
import { decodeMessage, encodeMessage, MessageFramer } from '../../src/openflow/index.js';
import { isOFError } from '../../src/pipeline/errors.js';

const TIMEOUT_MS = 600_000;
const BARRIER_XID = 0x7ffffff0;

async function main(): Promise<number> {
  const [target, file] = process.argv.slice(2);
  if (target === undefined || file === undefined || !target.startsWith('unix:')) {
    console.error('usage: tsx bench/curves/flowmod-client.ts unix:SOCKET FILE');
    return 2;
  }
  const p0 = process.hrtime.bigint();
  const flows = parseFlowsFile(readFileSync(file, 'utf8'), file);
  if (flows instanceof Error) { console.error(flows.message); return 2; }
  const batch = Buffer.concat(flows.map((f, i) => encodeMessage({ type: 'flow_mod', ...f.mod, xid: i + 1 })));
  const barrier = encodeMessage({ type: 'barrier_request', xid: BARRIER_XID });
  const parseS = Number(process.hrtime.bigint() - p0) / 1e9;

  const sock = createConnection({ path: target.slice(5) });
  const framer = new MessageFramer();
  let errors = 0;
  let lastError = '';
  let t0 = 0n;
  let finished = false;
  return await new Promise<number>((resolve) => {
    const timer = setTimeout(() => { console.error(`no barrier reply within ${TIMEOUT_MS} ms`); sock.destroy(); resolve(1); }, TIMEOUT_MS);
    const done = (code: number): void => { finished = true; clearTimeout(timer); sock.end(); resolve(code); };
    sock.on('error', (e) => { if (!finished) { console.error(`${target}: ${e.message}`); done(1); } });
    sock.on('close', () => { if (!finished) { console.error(`${target} closed the connection`); done(1); } });
    sock.on('connect', () => sock.write(encodeMessage({ type: 'hello', xid: 1, versions: [4] })));
    sock.on('data', (chunk: Buffer) => {
      const r = framer.push(chunk);
      for (const raw of r.messages) {
        const m = decodeMessage(raw);
        if (isOFError(m)) { errors++; lastError = `undecodable message: ${m.message}`; continue; }
        if (m.type === 'hello' && t0 === 0n) {
          // The switch's HELLO: version 1.3 agreed (we offered only 1.3). Start the clock.
          t0 = process.hrtime.bigint();
          sock.write(batch);
          sock.write(barrier);
        } else if (m.type === 'echo_request') {
          sock.write(encodeMessage({ type: 'echo_reply', xid: m.xid, data: m.data }));
        } else if (m.type === 'error') {
          errors++;
          lastError = `OFPT_ERROR type ${m.errType} code ${m.code} for xid ${m.xid}`;
        } else if (m.type === 'barrier_reply' && m.xid === BARRIER_XID) {
          const s = Number(process.hrtime.bigint() - t0) / 1e9;
          console.log(`rules ${flows.length} seconds ${s.toFixed(3)} errors ${errors} parse_s ${parseS.toFixed(3)}`);
          if (errors) console.error(`${errors} errors, the last: ${lastError}`);
          done(errors === 0 ? 0 : 1);
          return;
        }
      }
      if (!r.ok) { console.error('bad framing from the switch'); done(1); }
    });
  });
}

process.exitCode = await main();
