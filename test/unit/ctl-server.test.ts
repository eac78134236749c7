// The control socket (src/control/ctl-server.ts, ctl-client.ts) against bad input: every
// malformed request gets {"ok":false} with a reason, the server keeps serving, and the
// client turns every failure into one operator line.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtlServer } from '../../src/control/ctl-server.js';
import { ctlRequest, type CtlReply } from '../../src/control/ctl-client.js';
import { SluiceError } from '../../src/ports/errors.js';

/** The SluiceError a request resolved to (it never rejects). */
async function refusal(p: Promise<CtlReply>): Promise<SluiceError> {
  const r = await p;
  if (!(r instanceof SluiceError)) throw new Error(`expected a SluiceError, got ${JSON.stringify(r)}`);
  return r;
}
import { CTL_SOCKET, MAX_REQUEST_BYTES } from '../../src/control/ctl-protocol.js';

const servers: CtlServer[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(handlers: ConstructorParameters<typeof CtlServer>[1]): Promise<{ dir: string; srv: CtlServer }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ctl-'));
  const srv = new CtlServer(join(dir, CTL_SOCKET), handlers);
  await srv.listen();
  servers.push(srv);
  return { dir, srv };
}

/** Sends raw bytes, returns everything the server wrote before closing. */
function raw(path: string, data: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let out = '';
    c.setEncoding('utf8');
    c.on('connect', () => c.write(data));
    c.on('data', (d: string) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

const handlers = {
  echo: (a: Record<string, unknown>) => a,
  refuse: () => new Error('no bridge br9 (bridges: br0)'),
  boom: () => {
    throw new Error('kaput');
  },
};

describe('control socket server', () => {
  it('answers good requests and refuses bad ones with a reason, and keeps serving', async () => {
    const { dir, srv } = await serve(handlers);
    const path = srv.path;
    expect(await ctlRequest(dir, 'echo', { x: 1 })).toEqual({ result: { x: 1 } });
    expect(JSON.parse(await raw(path, 'not json\n'))).toEqual({ ok: false, error: 'bad request: not a JSON line' });
    expect(JSON.parse(await raw(path, '[1,2]\n'))).toMatchObject({ ok: false, error: expect.stringMatching(/^bad request/) });
    expect(JSON.parse(await raw(path, '{"cmd":"echo","args":[1]}\n'))).toEqual({ ok: false, error: 'bad request: "args" must be an object' });
    expect(JSON.parse(await raw(path, '{"cmd":"nope"}\n'))).toEqual({ ok: false, error: 'unknown command "nope" (this daemon knows: echo, refuse, boom)' });
    expect(JSON.parse(await raw(path, '{"cmd":"__proto__"}\n')).ok).toBe(false);
    expect(JSON.parse(await raw(path, '{"cmd":"boom"}\n'))).toEqual({ ok: false, error: 'internal error in boom: kaput' });
    const big = await raw(path, Buffer.alloc(MAX_REQUEST_BYTES + 10, 0x61));
    expect(JSON.parse(big)).toEqual({ ok: false, error: `request larger than ${MAX_REQUEST_BYTES} bytes` });
    expect(await refusal(ctlRequest(dir, 'refuse'))).toMatchObject({ code: 'refused', message: 'no bridge br9 (bridges: br0)' });
    expect(await ctlRequest(dir, 'echo', { still: 'here' })).toEqual({ result: { still: 'here' } });
  });

  it('serves requests one at a time, in arrival order', async () => {
    const order: string[] = [];
    const { dir } = await serve({
      slow: async () => {
        await new Promise((r) => setTimeout(r, 50));
        order.push('slow');
        return 1;
      },
      fast: () => {
        order.push('fast');
        return 2;
      },
    });
    const a = ctlRequest(dir, 'slow');
    await new Promise((r) => setTimeout(r, 10));
    expect(await Promise.all([a, ctlRequest(dir, 'fast')])).toEqual([{ result: 1 }, { result: 2 }]);
    expect(order).toEqual(['slow', 'fast']);
  });

  it('replaces a stale socket file but refuses to take over a live one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ctl-'));
    const path = join(dir, CTL_SOCKET);
    writeFileSync(path, ''); // left by a daemon that was killed
    const first = new CtlServer(path, handlers);
    await first.listen();
    servers.push(first);
    expect(await ctlRequest(dir, 'echo', { a: 1 })).toEqual({ result: { a: 1 } });
    await expect(new CtlServer(path, handlers).listen()).rejects.toThrow(`another sluice daemon is running on ${path}`);
    expect(await ctlRequest(dir, 'echo', { a: 2 })).toEqual({ result: { a: 2 } });
  });
});

describe('control socket client', () => {
  it('says no daemon runs, and how to start one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ctl-'));
    expect(await refusal(ctlRequest(dir, 'list-br'))).toMatchObject({ code: 'unreachable', message: `no sluice daemon is running (no socket ${join(dir, CTL_SOCKET)}); start one with \`sluice start\` --rundir ${dir}` });
  });

  it('reports a peer that closes without answering, or answers garbage, or nothing in time', async () => {
    for (const [name, behave, re] of [
      ['closes', (s: Socket) => s.end(), /closed the connection without answering "x"/],
      ['garbage', (s: Socket) => s.end('<html>\n'), /sent a reply that is not JSON/],
      ['silent', () => undefined, /did not answer "x" within 0.2 s/],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-ctl-'));
      const srv = createServer((s) => s.once('data', () => behave(s)));
      await new Promise<void>((r) => srv.listen(join(dir, CTL_SOCKET), r));
      expect((await refusal(ctlRequest(dir, 'x', {}, 200))).message, name).toMatch(re);
      srv.close();
    }
  });
});
