/**
 * A real Bridge on memory ports behind an OpenFlowService listening on ptcp:127.0.0.1:<random>,
 * and `ovs-ofctl -O OpenFlow13` (or 1.0, 1.4, 1.5) pointed at it: the fixture of the ovs-ofctl interop tests.
 *
 * Ports p1..pN are the bridge's (ofport i), h1..hN their far ends (opened, for injecting and
 * reading frames). `ofctl(verb, ...args)` returns what ovs-ofctl printed (stdout + stderr),
 * prefixed with FAILED when it exited non-zero, so a test asserts on the text either way.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Bridge } from '../../src/datapath/bridge.js';
import { OpenFlowService } from '../../src/openflow/service.js';
import type { PassiveEndpoint } from '../../src/openflow/transport.js';
import { MemoryPort } from '../../src/ports/memory.js';

const run = promisify(execFile);

export class OfctlLab {
  readonly pairs: [MemoryPort, MemoryPort][];
  readonly rundir = mkdtempSync(join(tmpdir(), 'sluice-ofctl-'));
  bridge!: Bridge;
  svc!: OpenFlowService;
  /** tcp:127.0.0.1:PORT of the service */
  target = '';

  constructor(
    readonly name: string,
    private readonly opts: { failMode: 'standalone' | 'secure'; dpid: bigint; ports: number; versions?: readonly number[] },
  ) {
    this.pairs = Array.from({ length: opts.ports }, (_, i) => MemoryPort.pair(`p${i + 1}`, `h${i + 1}`));
  }

  async start(): Promise<void> {
    this.bridge = new Bridge({
      name: this.name, failMode: this.opts.failMode, localPort: false, dpid: this.opts.dpid,
      ports: this.pairs.map(([p], i) => ({ spec: `memory:p${i + 1}`, port: p, ofport: i + 1 })),
    });
    this.bridge.start();
    for (const [, h] of this.pairs) h.open();
    this.svc = new OpenFlowService(this.bridge, { rundir: this.rundir, ...(this.opts.versions ? { versions: this.opts.versions } : {}) });
    await this.svc.start({ listen: ['ptcp:0'] });
    this.target = `tcp:127.0.0.1:${this.ptcpPort()}`;
  }

  ptcpPort(): number {
    return (this.svc.endpointsOpen.find((e) => e.target.kind === 'ptcp') as PassiveEndpoint).port;
  }

  stop(): void {
    this.svc?.stop();
    this.bridge?.stop();
    rmSync(this.rundir, { recursive: true, force: true });
  }

  /** `ovs-ofctl -O OpenFlow13 VERB TARGET ARGS...` (TARGET defaults to the ptcp endpoint). */
  async ofctl(verb: string, ...args: string[]): Promise<string> {
    return this.ofctlAt(this.target, verb, ...args);
  }

  async ofctlAt(target: string, verb: string, ...args: string[]): Promise<string> {
    return this.ofctlWith(['-O', 'OpenFlow13'], target, verb, ...args);
  }

  /** `ovs-ofctl -O OpenFlow14 [FLAGS...] VERB TARGET ARGS...`; flags such as `--bundle` go first. */
  async ofctl14(verb: string, ...args: string[]): Promise<string> {
    const flags = args.filter((a) => a.startsWith('--'));
    return this.ofctlWith(['-O', 'OpenFlow14', ...flags], this.target, verb, ...args.filter((a) => !a.startsWith('--')));
  }

  /** `ovs-ofctl -O OpenFlow15 [FLAGS...] VERB TARGET ARGS...`; flags such as `--bundle` go first. */
  async ofctl15(verb: string, ...args: string[]): Promise<string> {
    const flags = args.filter((a) => a.startsWith('--'));
    return this.ofctlWith(['-O', 'OpenFlow15', ...flags], this.target, verb, ...args.filter((a) => !a.startsWith('--')));
  }

  /** `ovs-ofctl` with no -O flag: it speaks OpenFlow 1.0. */
  async ofctl10(verb: string, ...args: string[]): Promise<string> {
    return this.ofctlWith([], this.target, verb, ...args);
  }

  private ofctlWith(flags: string[], target: string, verb: string, ...args: string[]): Promise<string> {
    return ovsOfctl(flags, target, verb, ...args);
  }
}

/** `ovs-ofctl FLAGS... VERB TARGET ARGS...`: its output, or "FAILED " and its output when it
 * exits non-zero (tests match on both). */
export async function ovsOfctl(flags: string[], target: string, verb: string, ...args: string[]): Promise<string> {
  try {
    const r = await run('ovs-ofctl', [...flags, verb, target, ...args], { timeout: 10_000 });
    return r.stdout + r.stderr;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return `FAILED ${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
}
