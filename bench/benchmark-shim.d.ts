// Minimal types for the `benchmark` package (no @types/benchmark in devDependencies).
// Only what Sluice's benches use; remove this file if @types/benchmark is added.
declare module 'benchmark' {
  interface BenchmarkTarget {
    readonly name?: string;
    readonly hz: number;
    readonly stats: { readonly rme: number; readonly mean: number };
  }
  interface BenchmarkEvent {
    readonly target: BenchmarkTarget;
  }
  class Suite {
    constructor(name?: string);
    add(name: string, fn: () => void, options?: { minSamples?: number; maxTime?: number }): Suite;
    on(type: 'cycle' | 'complete' | 'error', cb: (event: BenchmarkEvent) => void): Suite;
    run(options?: { async?: boolean }): Suite;
  }
  const Benchmark: { readonly Suite: typeof Suite };
  export default Benchmark;
}
