import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests live under test/: unit/ needs nothing, integration/ and interop/ need root and
// build their own namespaces. Integration tests share the kernel's network state, so
// files run one at a time.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
