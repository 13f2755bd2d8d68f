/**
 * `pushwire start --workers 2` as a test server: a real primary forking two real workers that
 * share the port, nodes of the Redis adapter on the shared Redis under a key prefix of their own.
 * The `workers` project runs the protocol suites against it (PUSHWIRE_TEST_WORKERS), so every
 * guarantee they check must hold across processes. The CLI runs from a bundle of the source made
 * by test/setup/workers-bundle.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/config/schema.ts';
import { childrenOf, holderOf } from './process-sockets.ts';
import { REDIS_URL, uniquePrefix } from './redis.ts';
import { waitUntil } from './wait.ts';

/** Two levels below the root, so the CLI's `../../package.json` (its version) resolves. */
export const WORKERS_BUNDLE = new URL('../../node_modules/.pushwire-test/bin.mjs', import.meta.url)
  .pathname;

/** How many workers the `workers` project runs (PUSHWIRE_TEST_WORKERS), or 0 outside it. */
export function testWorkers(): number {
  const count = Number(process.env.PUSHWIRE_TEST_WORKERS ?? 0);
  if (!Number.isInteger(count) || count < 0 || count === 1) {
    throw new Error(`PUSHWIRE_TEST_WORKERS=${process.env.PUSHWIRE_TEST_WORKERS}: expected 0 or 2+`);
  }
  return count;
}

export interface WorkersServer {
  readonly port: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** The worker processes (the primary's children) as they are now. */
  workers(): number[];
  /** `GET /metrics`, answered for every worker at once. */
  scrape(): Promise<string>;
  /** Whether the primary has exited. */
  exited(): boolean;
  /** Everything the primary and its workers wrote so far. */
  output(): string;
  /** SIGTERM to the primary, which drains every worker; rejects unless all went cleanly. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
// A test process that ends without stopping its servers leaves no primary behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The environment without any PUSHWIRE_* variable: the test's config file alone applies. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PUSHWIRE_')),
  );
}

/**
 * Starts `pushwire start --workers N` with `overrides` as its config file and resolves once
 * clients land on every worker: it connects until each worker has accepted one.
 */
export async function startWorkersServer(
  overrides: Partial<ConfigInput>,
  workers: number,
): Promise<WorkersServer> {
  if (!existsSync(WORKERS_BUNDLE)) {
    throw new Error(`${WORKERS_BUNDLE} is missing: run these suites with --project workers`);
  }
  const configFile = join(tmpdir(), `pushwire-workers-${randomUUID()}.json`);
  const config: Partial<ConfigInput> = {
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    shutdownTimeoutMs: 2_000,
    adapter: 'redis',
    redisUrl: REDIS_URL,
    redisPrefix: uniquePrefix('workers'),
    ...overrides,
    // On: the combined /metrics is how a test reads the counts of every worker.
    metrics: true,
    workers,
  };
  writeFileSync(configFile, JSON.stringify(config));
  const primary = spawn(process.execPath, [WORKERS_BUNDLE, 'start', '--config', configFile], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(primary);
  let output = '';
  primary.stdout!.on('data', (chunk) => (output += chunk.toString()));
  primary.stderr!.on('data', (chunk) => (output += chunk.toString()));
  const exited = () => primary.exitCode !== null || primary.signalCode !== null;
  const exit = new Promise<void>((resolve) => primary.once('exit', () => resolve()));
  void exit.then(() => {
    live.delete(primary);
    rmSync(configFile, { force: true });
  });

  const failed = (what: string) => new Error(`--workers ${workers}: ${what}\n${output}`);
  const port = Number(
    await waitUntil(
      () => /listening on ws:\/\/[^:]+:(\d+)\n/.exec(output)?.[1] ?? (exited() && 'exited'),
      'the workers to start',
      20_000,
    ).catch(() => 'timeout'),
  );
  if (!Number.isInteger(port)) {
    primary.kill('SIGKILL');
    throw failed(exited() ? 'the primary exited at start' : 'no banner within 20 s');
  }
  const host = `127.0.0.1:${port}`;
  const server: WorkersServer = {
    port,
    wsUrl: `ws://${host}`,
    httpUrl: `http://${host}`,
    workers: () => (exited() ? [] : childrenOf(primary.pid!)),
    async scrape() {
      // Closed at once: a kept-alive scrape socket must not outlive the test's server.
      const response = await fetch(`http://${host}/metrics`, { headers: { connection: 'close' } });
      if (response.status !== 200) throw failed(`/metrics answered ${response.status}`);
      return response.text();
    },
    exited,
    output: () => output,
    async stop() {
      if (!exited()) primary.kill('SIGTERM');
      await exit;
      // The primary logs every worker that died on its own at error level.
      if (primary.exitCode !== 0 || output.includes('worker exited')) {
        throw failed(`did not stop cleanly (exit ${primary.exitCode ?? primary.signalCode})`);
      }
    },
  };
  try {
    await landOnEveryWorker(server, workers);
  } catch (error) {
    primary.kill('SIGKILL');
    throw failed((error as Error).message);
  }
  return server;
}

/**
 * Opens TCP connections to the port, one at a time, until each worker has accepted one (the
 * kernel tells which process holds each), then closes them. The banner comes from the first
 * worker that listens: this also waits for the others, and proves node:cluster spreads clients.
 */
async function landOnEveryWorker(server: WorkersServer, count: number): Promise<void> {
  await waitUntil(() => server.workers().length === count, `${count} workers`, 20_000);
  const pids = server.workers();
  const landed = new Set<number>();
  const probes: Socket[] = [];
  try {
    await waitUntil(
      async () => {
        const probe = connect(server.port, '127.0.0.1');
        probe.on('error', () => undefined);
        // Kept open until the end: a worker not listening yet leaves every probe to the others.
        probes.push(probe);
        await new Promise((resolve) => probe.once('connect', resolve));
        const pid = await waitUntil(
          () => holderOf(pids, server.port, probe.localPort!),
          'the worker that accepted a probe',
          5_000,
        );
        landed.add(pid);
        if (landed.size === count) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return false;
      },
      `connections to land on each of the ${count} workers`,
      20_000,
    );
  } finally {
    for (const probe of probes) probe.destroy();
  }
}
