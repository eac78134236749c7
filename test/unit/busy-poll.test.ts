// The busy-poll window (src/datapath/busy-poll.ts, receive.ts): after traffic the bridge
// reads its ports from the event loop for busyPollUs, without waiting for a readiness
// callback; with no traffic for longer than the window, nothing polls.
import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/datapath/bridge.js';
import { busyPoller } from '../../src/datapath/busy-poll.js';
import { MemoryPort } from '../../src/ports/memory.js';
import { ipFrame } from './datapath-helpers.js';
import { apply, fm, out, oxm } from './pipeline-helpers.js';

/** A memory port whose readiness callback can be muted: a frame injected while muted is
 * read only by someone polling the port (the busy poller). */
class MutablePort extends MemoryPort {
  muted = false;
  override onReadable(cb: (() => void) | null): void {
    super.onReadable(cb === null ? null : () => {
      if (!this.muted) cb();
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function wire(busyPollUs: number) {
  const a = new MutablePort('a');
  const ha = new MemoryPort('ha');
  a.peer = ha;
  ha.peer = a;
  const [b, hb] = MemoryPort.pair('b', 'hb');
  const bridge = new Bridge({
    name: 'bp0', failMode: 'secure', localPort: false, warmUp: false, busyPollUs,
    ports: [{ spec: 'a', port: a, ofport: 1 }, { spec: 'b', port: b, ofport: 2 }],
  });
  bridge.flowMod(fm({ priority: 1, match: [oxm('in_port', 1)], instructions: [apply(out(2))] }));
  bridge.start();
  ha.open();
  hb.open();
  /** Frames host hb has received so far (cumulative). */
  let got = 0;
  const received = (): number => {
    for (let n = hb.rxBurst(); n > 0; n = hb.rxBurst()) got += n;
    return got;
  };
  return { bridge, a, ha, received };
}

let stopAll: (() => void)[] = [];
afterEach(() => {
  for (const s of stopAll) s();
  stopAll = [];
});

describe('busy polling after traffic', () => {
  it('reads a port that signals nothing while the window is open, and stops polling once it has passed', async () => {
    const w = wire(40_000); // 40 ms
    stopAll.push(() => w.bridge.stop());
    w.a.inject(ipFrame());
    await sleep(5);
    expect(w.received()).toBe(1); // woken by the readiness callback
    expect(busyPoller.size()).toBeGreaterThan(0);

    w.a.muted = true;
    w.a.inject(ipFrame({ sport: 2 }));
    await sleep(5);
    expect(w.received()).toBe(2); // no callback: the poller read it within the window
    expect(w.bridge.busyPollStats().frames).toBe(1); // that one frame, and only it
    expect(w.bridge.busyPollStats().turns).toBeGreaterThan(1);

    await sleep(80); // twice the window without frames
    expect(busyPoller.size()).toBe(0);
    const turns = busyPoller.turns;
    await sleep(20);
    expect(busyPoller.turns).toBe(turns); // idle: no turn runs at all

    w.a.inject(ipFrame({ sport: 3 }));
    await sleep(20);
    expect(w.received()).toBe(2); // window closed and the port is muted: nobody reads it
    w.a.muted = false;
    w.a.inject(ipFrame({ sport: 4 }));
    await sleep(5);
    expect(w.received()).toBe(4); // the next wake-up reads both, in order
  });

  it('with a window of 0 only readiness callbacks read the ports', async () => {
    const w = wire(0);
    stopAll.push(() => w.bridge.stop());
    w.a.inject(ipFrame());
    await sleep(5);
    expect(w.received()).toBe(1);
    expect(busyPoller.size()).toBe(0);
    w.a.muted = true;
    w.a.inject(ipFrame({ sport: 2 }));
    await sleep(20);
    expect(w.received()).toBe(1);
  });

  it('a stopped bridge leaves the poller at its next turn', async () => {
    const w = wire(1_000_000); // 1 s window
    w.a.inject(ipFrame());
    await sleep(5);
    expect(w.received()).toBe(1);
    expect(busyPoller.size()).toBe(1);
    w.bridge.stop();
    await sleep(5);
    expect(busyPoller.size()).toBe(0);
  });
});
