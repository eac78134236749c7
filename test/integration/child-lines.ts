import type { ChildProcess } from 'node:child_process';

/** Appends every complete line the child writes on stdout or stderr to `into`. */
export function collectLines(proc: ChildProcess, into: string[]): void {
  let partial = '';
  const onData = (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    into.push(...parts);
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
}
