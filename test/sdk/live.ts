/**
 * The SDK's end-to-end setup, on the shared test helpers: a real Pushwire server on 127.0.0.1
 * port 0 and real pusher-js clients. `stopAll()` (afterEach) disconnects and stops everything.
 */
import { DEFAULT_APP, type ConfigInput } from '../../src/config/schema.ts';
import type { RunningServer } from '../../src/server/server.ts';
import {
  createPusher,
  disconnectAllPushers,
  nextEvent as nextEventWithMetadata,
  type PusherClient,
} from '../helpers/pusher-client.ts';
import type { PusherOptions } from '../helpers/pusher-js.ts';
import { MASTER_KEY_BASE64 } from '../helpers/sdk.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';

export const APP = { appId: DEFAULT_APP.id, key: 'app-key', secret: 'app-secret' } as const;
export const MASTER_KEY = MASTER_KEY_BASE64;

export const startPushwire = (overrides: Partial<ConfigInput> = {}): Promise<RunningServer> =>
  startTestServer({ shutdownTimeoutMs: 1_000, ...overrides });

/** pusher-js aimed at `server`, WebSocket only; `options` (auth endpoints…) are merged over that. */
export const connectPusher = (
  server: RunningServer,
  options: Partial<PusherOptions> = {},
): PusherClient => createPusher(server.port, { extra: options, authWithSdk: false });

export async function stopAll(): Promise<void> {
  disconnectAllPushers();
  await stopAllServers();
}

/** Resolves with the first payload of `event` on `target`; rejects after `timeoutMs`. */
export async function nextEvent<T = unknown>(
  target: { bind(event: string, callback: (data: T) => void): unknown },
  event: string,
  timeoutMs = 5_000,
): Promise<T> {
  return (await nextEventWithMetadata<T>(target, event, timeoutMs)).data;
}
