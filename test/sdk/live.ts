/**
 * A real Pushwire server on 127.0.0.1 port 0 and real pusher-js (Node build) clients for the
 * SDK's end-to-end tests. `stopAll()` (afterEach) disconnects every client and stops the server.
 */
import { resolveConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { Pusher, type PusherClient, type PusherOptions } from '../helpers/pusher-js.ts';

export const APP = { appId: 'app-id', key: 'app-key', secret: 'app-secret' } as const;
export const MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

const servers = new Set<RunningServer>();
const clients = new Set<PusherClient>();

export async function startPushwire(overrides: Partial<ConfigInput> = {}): Promise<RunningServer> {
  const server = await startServer(
    resolveConfig({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      metrics: false,
      shutdownTimeoutMs: 1_000,
      ...overrides,
    }),
  );
  servers.add(server);
  return server;
}

/** pusher-js aimed at `server`, WebSocket only; `options` are merged over that. */
export function connectPusher(
  server: RunningServer,
  options: Partial<PusherOptions> = {},
): PusherClient {
  const pusher = new Pusher(APP.key, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    ...options,
  } as PusherOptions);
  clients.add(pusher);
  return pusher;
}

export async function stopAll(): Promise<void> {
  for (const client of clients) client.disconnect();
  clients.clear();
  const running = [...servers];
  servers.clear();
  await Promise.all(running.map((server) => server.stop()));
}

/** Resolves with the first payload of `event` on `target`; rejects after `timeoutMs`. */
export function nextEvent<T = unknown>(
  target: { bind(event: string, callback: (data: T) => void): unknown },
  event: string,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${event} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    target.bind(event, (data: T) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}
