/**
 * The real pusher-js Node build, pointed at a test server, with auth values made by the real
 * `pusher` SDK through `customHandler`s. Every client made here is disconnected by
 * `disconnectAllPushers` (afterEach).
 */
import type PusherServer from 'pusher';
import {
  Pusher,
  transportOptions,
  type Channel,
  type PusherClient,
  type PusherOptions,
} from './pusher-js.ts';
import { sdk as defaultSdk } from './sdk.ts';
import { waitUntil } from './wait.ts';

export { Pusher, type PusherClient };

type ChannelAuth = { auth: string; channel_data?: string; shared_secret?: string };
type UserAuth = { auth: string; user_data: string };

export interface PusherClientOptions {
  readonly key?: string;
  /** The SDK whose app signs the default auth values (default: the default app's). */
  readonly signer?: PusherServer;
  /** Makes the channel auth response; default: the SDK signs for this socket and channel. */
  readonly authorizeChannel?: (socketId: string, channel: string) => ChannelAuth;
  /** Presence member for the default channel authoriser (used for presence- channels only). */
  readonly presence?: PusherServer.PresenceChannelData;
  /** User for `signin()`; default authoriser signs it with the SDK. */
  readonly user?: PusherServer.UserChannelData;
  readonly authenticateUser?: (socketId: string) => UserAuth;
  /** Passed straight to pusher-js (e.g. `activityTimeout`, `pongTimeout`). */
  readonly extra?: Record<string, unknown>;
  /**
   * False leaves out the SDK-backed `customHandler`s, so that pusher-js uses the auth options in
   * `extra` (real endpoints, legacy `authorizer`): it ignores those whenever
   * `channelAuthorization` is present at all.
   */
  readonly authWithSdk?: boolean;
}

export type PusherChannel = Channel;

const clients = new Set<PusherClient>();

export function createPusher(port: number, options: PusherClientOptions = {}): PusherClient {
  const sdk = options.signer ?? defaultSdk;
  const authorizeChannel =
    options.authorizeChannel ??
    ((socketId: string, channel: string) =>
      sdk.authorizeChannel(
        socketId,
        channel,
        channel.startsWith('presence-') ? options.presence : undefined,
      ));
  const authenticateUser =
    options.authenticateUser ??
    ((socketId: string) => {
      if (!options.user) throw new Error('no user configured for signin');
      return sdk.authenticateUser(socketId, options.user);
    });
  const sdkAuth = {
    channelAuthorization: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        try {
          callback(null, authorizeChannel(socketId, channelName));
        } catch (error) {
          callback(error as Error, null);
        }
      },
    },
    userAuthentication: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId }, callback) => {
        try {
          callback(null, authenticateUser(socketId));
        } catch (error) {
          callback(error as Error, null);
        }
      },
    },
  } satisfies Partial<PusherOptions>;
  const pusher = new Pusher(options.key ?? 'app-key', {
    cluster: 'local',
    ...transportOptions(port),
    disableStats: true,
    ...(options.authWithSdk === false ? {} : sdkAuth),
    ...options.extra,
  });
  clients.add(pusher);
  return pusher;
}

export function waitForState(
  pusher: PusherClient,
  state: string,
  timeoutMs = 8_000,
): Promise<string> {
  return waitUntil(
    () => (pusher.connection.state === state ? state : undefined),
    `pusher-js state "${state}" (now "${pusher.connection.state}")`,
    timeoutMs,
  );
}

/** A connected pusher-js client. */
export async function connectPusher(
  port: number,
  options: PusherClientOptions = {},
): Promise<PusherClient> {
  const pusher = createPusher(port, options);
  await waitForState(pusher, 'connected');
  return pusher;
}

/** Resolves with the data of the next `event` on `target` (a channel, the user facade, …). */
export function nextEvent<T = unknown>(
  target: { bind(event: string, callback: (data: T, metadata?: unknown) => void): unknown },
  event: string,
  timeoutMs = 8_000,
): Promise<{ data: T; metadata: unknown }> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    target.bind(event, (data: T, metadata?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ data, metadata });
    });
  });
}

export function disconnectAllPushers(): void {
  for (const pusher of clients) pusher.disconnect();
  clients.clear();
}

/**
 * Subscribes and resolves once pusher-js reports `pusher:subscription_succeeded`; rejects on
 * `pusher:subscription_error` or after `timeoutMs`.
 */
export function subscribeAndWait(
  pusher: PusherClient,
  name: string,
  timeoutMs = 8_000,
): Promise<PusherChannel> {
  const channel = pusher.subscribe(name);
  if (channel.subscribed) return Promise.resolve(channel);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting to subscribe to ${name}`)),
      timeoutMs,
    );
    channel.bind('pusher:subscription_succeeded', () => {
      clearTimeout(timer);
      resolve(channel);
    });
    channel.bind('pusher:subscription_error', (error: unknown) => {
      clearTimeout(timer);
      reject(new Error(`subscription to ${name} failed: ${JSON.stringify(error)}`));
    });
  });
}

/** Collects every `event` the target emits, as pusher-js hands it to the app. */
export function collect<T = unknown>(
  target: { bind(event: string, callback: (data: T, metadata?: unknown) => void): unknown },
  event: string,
): { data: T; metadata: unknown }[] {
  const received: { data: T; metadata: unknown }[] = [];
  target.bind(event, (data: T, metadata?: unknown) => received.push({ data, metadata }));
  return received;
}
