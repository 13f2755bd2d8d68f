import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The SDK's source, as tsconfig.json's `paths` maps it for tsc and tsx: no build needed.
    alias: [
      {
        find: /^@pushwire\/sdk$/,
        replacement: fileURLToPath(new URL('packages/sdk/src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
