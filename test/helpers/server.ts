/**
 * Starts Pushwire on 127.0.0.1, port 0 (unless given), and stops every server a test started.
 * `startTestServer` is in-process; `startProtocolServer` is what the protocol suites use: in
 * process too, except in the `workers` project, where it is a real `pushwire start --workers 2`.
 */
import { afterAll } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.ts';
import { holderOf } from './process-sockets.ts';
import { startWorkersServer, testWorkers, type WorkersServer } from './workers-server.ts';

/** Past the staleness of the other nodes' connection counts (at most about 2 s, README). */
const QUOTA_SETTLED_MS = 2_500;

const running = new Set<{ stop(): Promise<void> }>();

export async function startTestServer(
  overrides: Partial<ConfigInput> = {},
  options: ServerOptions = {},
): Promise<RunningServer> {
  const server = await startServer(
    resolveConfig({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      metrics: false,
      shutdownTimeoutMs: 2_000,
      ...overrides,
    }),
    options,
  );
  const stop = server.stop;
  const tracked = {
    ...server,
    stop: async () => {
      running.delete(tracked);
      await stop();
    },
  };
  running.add(tracked);
  return tracked;
}

/** What the protocol suites may read of a server, in process or as `--workers` processes. */
export interface ProtocolServer {
  readonly port: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** How many processes serve the port (1 in process). */
  readonly workers: number;
  /** The process that accepted the connection from local port `clientPort`, once it has. */
  workerOf(clientPort: number): number | undefined;
  /**
   * Resolves once every process counts the connections open now toward their app's quota: at
   * once in process; across workers after the README's bound for `maxConnections` (each node
   * shares its count within a second and reads the others' every second).
   */
  quotaSettled(): Promise<void>;
  /** Open client connections, every worker's. */
  connections(): Promise<number>;
  /** The sum of a metric's samples whose labels include `labels` (0 when none). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Graceful: clients get 4200; resolves once all is closed. */
  stop(): Promise<void>;
}

/** Why a test cannot run in the `workers` project, or false where it can (for `it.skipIf`). */
export const inProcessOnly = (reason: string): string | false =>
  testWorkers() > 0 ? reason : false;

export async function startProtocolServer(
  overrides: Partial<ConfigInput> = {},
): Promise<ProtocolServer> {
  const workers = testWorkers();
  if (workers === 0) {
    const server = await startTestServer(overrides);
    return {
      port: server.port,
      wsUrl: server.wsUrl,
      httpUrl: server.httpUrl,
      workers: 1,
      workerOf: () => process.pid,
      quotaSettled: () => Promise.resolve(),
      connections: () => Promise.resolve(server.connections()),
      metric: async (name, labels) => sumOf(await server.metrics.registry.metrics(), name, labels),
      stop: server.stop,
    };
  }
  const server = await freshWorkersServer(overrides, workers);
  const tracked: ProtocolServer = {
    port: server.port,
    wsUrl: server.wsUrl,
    httpUrl: server.httpUrl,
    workers,
    workerOf: (clientPort) => holderOf(server.workers(), server.port, clientPort),
    quotaSettled: () => new Promise((resolve) => setTimeout(resolve, QUOTA_SETTLED_MS)),
    // A primary that has exited holds no connection.
    connections: async () =>
      server.exited() ? 0 : sumOf(await server.scrape(), 'pushwire_connections'),
    metric: async (name, labels) => sumOf(await server.scrape(), name, labels),
    stop: () => {
      running.delete(tracked);
      return server.stop();
    },
  };
  running.add(tracked);
  return tracked;
}

/**
 * A `--workers` server that has served no one, started ahead where it can be: once a test asks
 * for a config, the next server of that config starts while the test runs (most tests of a file
 * share theirs), so the next test need not wait for three processes to load. One that names its
 * port or its Redis prefix (a node of another test's cluster) is started when asked for.
 */
const spares = new Map<string, Promise<WorkersServer>>();

async function freshWorkersServer(
  overrides: Partial<ConfigInput>,
  workers: number,
): Promise<WorkersServer> {
  if (overrides.port !== undefined || overrides.redisPrefix !== undefined) {
    return startWorkersServer(overrides, workers);
  }
  const key = JSON.stringify(overrides);
  const spare = spares.get(key);
  spares.delete(key);
  const server = await (spare ?? startWorkersServer(overrides, workers));
  const next = startWorkersServer(overrides, workers);
  next.catch(() => undefined);
  spares.set(key, next);
  return server;
}

if (testWorkers() > 0) {
  // Not at process exit: Vitest ends its test processes with a signal, which runs no handler.
  afterAll(async () => {
    const left = [...spares.values()];
    spares.clear();
    await Promise.all(
      left.map((spare) =>
        spare.then(
          (server) => server.stop(),
          () => undefined,
        ),
      ),
    );
  });
}

/** Sums the samples of `name` in Prometheus text whose labels include every one of `labels`. */
function sumOf(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const own = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => own.get(key) === value)) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

/** Stops every server still running (afterEach). */
export async function stopAllServers(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((server) => server.stop()));
}
