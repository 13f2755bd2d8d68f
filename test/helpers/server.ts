/** Starts Pushwire on 127.0.0.1, port 0 (unless given), and stops every server a test started. */
import { resolveConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.ts';

const running = new Set<RunningServer>();

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
  running.add(server);
  const stop = server.stop;
  return {
    ...server,
    stop: async () => {
      running.delete(server);
      await stop();
    },
  };
}

/** Stops every server still running (afterEach). */
export async function stopAllServers(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((server) => server.stop()));
}
