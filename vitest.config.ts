import { defineConfig } from 'vitest/config';

/**
 * The protocol suites that drive the real pusher-js client run once more on each HTTP fallback
 * transport (test/helpers/pusher-js.ts reads PUSHWIRE_TEST_TRANSPORT).
 */
const PUSHER_JS_SUITES = [
  'test/integration/channels.test.ts',
  'test/integration/client-events.test.ts',
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
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'ws',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
        },
      },
      overHttp('xhr_streaming'),
      overHttp('xhr_polling'),
    ],
  },
});
