import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The protocol suites that drive the real pusher-js client run once more on each HTTP fallback
 * transport (test/helpers/pusher-js.ts reads PUSHWIRE_TEST_TRANSPORT).
 */
const PUSHER_JS_SUITES = [
  'test/integration/channels.test.ts',
  'test/integration/client-events.test.ts',
  'test/integration/console.test.ts',
  'test/integration/denied.test.ts',
  'test/integration/keepalive.test.ts',
  'test/integration/multi-app.test.ts',
  'test/integration/refusals.test.ts',
  'test/integration/shutdown.test.ts',
  'test/integration/subscription-count.test.ts',
  'test/integration/user.test.ts',
];

const overHttp = (transport: 'xhr_streaming' | 'xhr_polling') => ({
  extends: true as const,
  test: {
    name: transport,
    include: PUSHER_JS_SUITES,
    env: { PUSHWIRE_TEST_TRANSPORT: transport },
  },
});

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
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'ws',
          include: [
            'src/**/*.test.ts',
            'packages/*/src/**/*.test.ts',
            'test/**/*.test.ts',
            'examples/**/*.test.ts',
          ],
        },
      },
      overHttp('xhr_streaming'),
      overHttp('xhr_polling'),
    ],
  },
});
