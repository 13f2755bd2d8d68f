import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { redisGate } from './test/helpers/redis.ts';

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

/**
 * Multi-process fault suites, RSS and CPU measurements, packed tarballs: run one at a time, alone.
 */
const SERIAL = [
  'test/scaling/**/*.test.ts',
  'test/perf/**/*.test.ts',
  'test/packaging/**/*.test.ts',
];

const overHttp = (transport: 'xhr_streaming' | 'xhr_polling') => ({
  extends: true as const,
  test: {
    name: transport,
    include: PUSHER_JS_SUITES,
    env: { PUSHWIRE_TEST_TRANSPORT: transport },
  },
});

/**
 * The same suites once more against a real `pushwire start --workers 2` on the shared Redis
 * (test/helpers/server.ts reads PUSHWIRE_TEST_WORKERS), over WebSocket: each test's clients land
 * on both workers. Gated like the other Redis suites: left out, saying so, only when Redis is
 * silent and CI is unset.
 */
const overWorkers = async () =>
  (await redisGate('the workers project (pushwire start --workers 2)'))
    ? [
        {
          extends: true as const,
          test: {
            name: 'workers',
            include: PUSHER_JS_SUITES,
            env: { PUSHWIRE_TEST_WORKERS: '2' },
            globalSetup: ['test/setup/workers-bundle.ts'],
          },
        },
      ]
    : [];

const workers = await overWorkers();

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
    // Two files at a time (the default is one on 2 cores): most of the suite waits on timers and
    // sockets, not on a core. The `serial` project's files still run one at a time, after the rest.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
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
          exclude: [...configDefaults.exclude, ...SERIAL],
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: SERIAL,
          // One fork for all of them, once the parallel files are done (vitest runs single-fork
          // files after the others): their bounds (a crash noticed within 10 s, a 503 within 1 s)
          // and RSS readings are about the process alone, not about a neighbour's load.
          poolOptions: { forks: { singleFork: true } },
        },
      },
      overHttp('xhr_streaming'),
      overHttp('xhr_polling'),
      ...workers,
    ],
  },
});
