/**
 * `startTestServer`: a real Pushwire in the test process, on 127.0.0.1 and a free port, with one
 * app, a webhook receiver, ready-made client options, assertions that wait, and failures on
 * demand. Everything goes over real sockets: the app under test talks to it as to production.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { LocalAdapter } from '../adapter/local.ts';
import { resolveConfig } from '../config/load.ts';
import type { AppConfig, ConfigInput } from '../config/schema.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { Pushwire, type ChannelAuthResponse, type UserAuthResponse } from '../sdk/pushwire.ts';
import type { WebHookEvent } from '../sdk/webhook.ts';
import {
  startServer,
  type ConnectionHandle,
  type ConnectionObserver,
  type RunningServer,
} from '../server/server.ts';
import { ObservedAdapter, type ChannelMember, type PublishedEvent } from './observed-adapter.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

export type { ChannelMember, PublishedEvent };

type AppSettings = Partial<Omit<AppConfig, 'webhooks'>>;

export interface TestServerOptions {
  /** The app's settings; id, key and secret default to `test-app`, `test-key`, a random secret. */
  readonly app?: AppSettings;
  /** How long the `expect…` helpers wait, in milliseconds. Default 2000. */
  readonly timeoutMs?: number;
  /** Other server settings (see the README's configuration section). */
  readonly config?: Partial<Omit<ConfigInput, 'apps' | 'appStore' | 'host'>>;
}

export interface TestCredentials {
  readonly appId: string;
  readonly key: string;
  readonly secret: string;
  readonly host: string;
  readonly port: number;
  /** For `private-encrypted-` channels: base64 of 32 bytes. */
  readonly encryptionMasterKeyBase64: string;
}

/** What pusher-js needs to connect (pass with the key: `new Pusher(pw.key, options)`). */
export interface PusherJsOptions {
  cluster: string;
  wsHost: string;
  wsPort: number;
  wssPort: number;
  forceTLS: boolean;
  enabledTransports: Array<'ws' | 'wss'>;
  disableStats: boolean;
}

type AuthCallback<T> = (error: Error | null, data: T | null) => void;

/** pusher-js options for Node tests: auth values signed in-process, no auth endpoint needed. */
export interface PusherJsNodeOptions extends PusherJsOptions {
  channelAuthorization: {
    endpoint: string;
    transport: 'ajax';
    customHandler: (
      params: { socketId: string; channelName: string },
      callback: AuthCallback<ChannelAuthResponse>,
    ) => void;
  };
  userAuthentication: {
    endpoint: string;
    transport: 'ajax';
    customHandler: (params: { socketId: string }, callback: AuthCallback<UserAuthResponse>) => void;
  };
}

/** Options of the official `pusher` SDK (and of `pushwire/sdk`). */
export interface PusherServerOptions {
  appId: string;
  key: string;
  secret: string;
  host: string;
  port: string;
  useTLS: false;
  encryptionMasterKeyBase64: string;
}

export interface ConnectionInfo {
  readonly socketId: string;
  /** Set once the connection signed in. */
  readonly userId: string | undefined;
  readonly channels: string[];
}

export interface ChannelInfo {
  readonly name: string;
  readonly subscriptionCount: number;
  /** Presence channels: the distinct members. */
  readonly members: ChannelMember[];
}

export interface EventExpectation {
  readonly channel: string;
  readonly event: string;
  /** Compared deeply with the event's data (parsed when it is a JSON string). */
  readonly data?: unknown;
}

export interface WebhookExpectation {
  readonly name: WebHookEvent['name'];
  readonly channel?: string;
  readonly userId?: string;
}

export interface TestServer {
  readonly credentials: TestCredentials;
  /** The app key, for `new Pusher(pw.key, ...)`. */
  readonly key: string;
  /** `ws://127.0.0.1:PORT` and `http://127.0.0.1:PORT`. */
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly pusherJsOptions: PusherJsOptions;
  /** As `pusherJsOptions`, signing auth in-process; presence channels join as `user`. */
  pusherJsNodeOptions(user?: { id: string; info?: unknown }): PusherJsNodeOptions;
  readonly pusherOptions: PusherServerOptions;
  /** The SDK, pointed at this server. */
  readonly sdk: Pushwire;
  /** The running server, for what the helpers do not cover. */
  readonly server: RunningServer;

  /** Resolves with the first matching event since start or the last reset; waits for it. */
  expectEvent(expected: EventExpectation, timeoutMs?: number): Promise<PublishedEvent>;
  expectMember(channel: string, userId: string, timeoutMs?: number): Promise<ChannelMember>;
  expectNoMember(channel: string, userId: string, timeoutMs?: number): Promise<void>;
  expectWebhook(expected: WebhookExpectation, timeoutMs?: number): Promise<WebHookEvent>;
  /** Every event published since start or the last reset. */
  events(): PublishedEvent[];
  /** Every webhook received since start or the last reset. */
  webhooks(): WebHookEvent[];
  connections(): ConnectionInfo[];
  channels(): ChannelInfo[];

  /** Drops one socket, or every socket of a user; resolves with how many. Default code 4200. */
  disconnect(socketIdOrUserId: string, options?: { code?: number }): number;
  /**
   * The next subscription (to `channel`, or to any) fails: pusher-js emits
   * `pusher:subscription_error` on the channel (status 403 by default) and, as after any refusal
   * by the server, subscribes again once it reconnects.
   */
  refuseNextSubscription(channel?: string, options?: { status?: number }): void;
  /** Events published from now on reach subscribers `ms` later; 0 restores. */
  delayEvents(ms: number): void;

  /** Drops every connection and forgets events, webhooks and pending failures. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const POLL_MS = 10;

async function waitFor<T>(
  check: () => T | undefined,
  timeoutMs: number,
  failure: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const timeout = options.timeoutMs ?? 2_000;
  const app = {
    id: 'test-app',
    key: 'test-key',
    secret: randomBytes(16).toString('hex'),
    ...options.app,
  };
  const masterKey = randomBytes(32).toString('base64');
  // Signs webhooks checks and client auth; the port is set once the server listens.
  const signer = new Pushwire({ appId: app.id, key: app.key, secret: app.secret });
  const receiver = await WebhookReceiver.start(signer);
  const adapter = new ObservedAdapter(new LocalAdapter());
  const open = new Map<string, ConnectionHandle>();
  const observer: ConnectionObserver = {
    opened: (connection) => void open.set(connection.socketId, connection),
    closed: (connection) => void open.delete(connection.socketId),
  };
  let server: RunningServer;
  try {
    const config = resolveConfig({
      port: 0,
      logLevel: 'silent',
      metrics: false,
      console: false,
      collectGarbageWhenIdle: false,
      shutdownTimeoutMs: 1_000,
      webhookRemovalDelayMs: 0,
      ...options.config,
      host: '127.0.0.1',
      apps: [{ ...app, webhooks: [{ url: receiver.url }] }],
    });
    server = await startServer(config, { adapter, connectionObserver: observer });
  } catch (error) {
    await receiver.close();
    throw error;
  }

  const credentials: TestCredentials = {
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: server.port,
    encryptionMasterKeyBase64: masterKey,
  };
  const pusherOptions: PusherServerOptions = {
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
    encryptionMasterKeyBase64: masterKey,
  };
  const sdk = new Pushwire(pusherOptions);
  const pusherJsOptions: PusherJsOptions = {
    cluster: 'pushwire',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    wssPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
  };

  const channels = (): ChannelInfo[] =>
    [...adapter.snapshot()].map(([name, { sockets, members }]) => ({
      name,
      subscriptionCount: sockets.length,
      members,
    }));
  const connections = (): ConnectionInfo[] => {
    const snapshot = [...adapter.snapshot()];
    return [...open.values()].map((connection) => ({
      socketId: connection.socketId,
      userId: connection.userId,
      channels: snapshot.filter(([, c]) => c.sockets.includes(connection.socketId)).map(([n]) => n),
    }));
  };
  const memberOf = (channel: string, userId: string) =>
    channels()
      .find((c) => c.name === channel)
      ?.members.find((m) => m.id === userId);
  const describeEvents = (channel: string) => {
    const on = adapter.events.filter((e) => e.channel === channel);
    return on.length === 0
      ? `no events on ${channel} (events on other channels: ${adapter.events.length})`
      : `events on ${channel}: ${on.map((e) => `${e.event} ${show(e.data)}`).join('; ')}`;
  };
  const dropAll = async (code: number, message: string) => {
    for (const connection of open.values()) connection.disconnect(code, message);
    await waitFor(
      () => (open.size === 0 && adapter.snapshot().size === 0 ? true : undefined),
      timeout,
      () => `reset: ${open.size} connections still open`,
    );
  };

  return {
    credentials,
    key: app.key,
    wsUrl: server.wsUrl,
    httpUrl: server.httpUrl,
    pusherJsOptions,
    pusherOptions,
    sdk,
    server,

    pusherJsNodeOptions(user) {
      const member = user ? { user_id: user.id, user_info: user.info } : undefined;
      return {
        ...pusherJsOptions,
        channelAuthorization: {
          endpoint: '/pushwire-testing/auth',
          transport: 'ajax',
          customHandler: ({ socketId, channelName }, callback) => {
            try {
              const presence = channelName.startsWith('presence-') ? member : undefined;
              if (channelName.startsWith('presence-') && !presence) {
                throw new Error('pusherJsNodeOptions(user): a presence channel needs a user');
              }
              callback(null, sdk.authorizeChannel(socketId, channelName, presence));
            } catch (error) {
              callback(error as Error, null);
            }
          },
        },
        userAuthentication: {
          endpoint: '/pushwire-testing/user-auth',
          transport: 'ajax',
          customHandler: ({ socketId }, callback) => {
            try {
              if (!user) throw new Error('pusherJsNodeOptions(user): signin() needs a user');
              const data =
                user.info === undefined ? { id: user.id } : { id: user.id, user_info: user.info };
              callback(null, sdk.authenticateUser(socketId, data));
            } catch (error) {
              callback(error as Error, null);
            }
          },
        },
      };
    },

    expectEvent(expected, timeoutMs = timeout) {
      const matches = (e: PublishedEvent) =>
        e.channel === expected.channel &&
        e.event === expected.event &&
        (!('data' in expected) || isDeepStrictEqual(e.data, expected.data));
      return waitFor(
        () => adapter.events.find(matches),
        timeoutMs,
        () =>
          `expectEvent: no event "${expected.event}" on "${expected.channel}"` +
          `${'data' in expected ? ` with data ${show(expected.data)}` : ''} within ${timeoutMs} ms; ` +
          describeEvents(expected.channel),
      );
    },

    expectMember(channel, userId, timeoutMs = timeout) {
      return waitFor(
        () => memberOf(channel, userId),
        timeoutMs,
        () => {
          const members = channels().find((c) => c.name === channel)?.members ?? [];
          return (
            `expectMember: "${userId}" is not a member of "${channel}" after ${timeoutMs} ms; ` +
            `members: ${members.length ? members.map((m) => m.id).join(', ') : 'none'}`
          );
        },
      );
    },

    async expectNoMember(channel, userId, timeoutMs = timeout) {
      await waitFor(
        () => (memberOf(channel, userId) ? undefined : true),
        timeoutMs,
        () => `expectNoMember: "${userId}" is still a member of "${channel}" after ${timeoutMs} ms`,
      );
    },

    expectWebhook(expected, timeoutMs = timeout) {
      const matches = (e: WebHookEvent) =>
        e.name === expected.name &&
        (expected.channel === undefined || e.channel === expected.channel) &&
        (expected.userId === undefined || e.user_id === expected.userId);
      return waitFor(
        () => receiver.events.find(matches),
        timeoutMs,
        () =>
          `expectWebhook: no "${expected.name}" webhook` +
          `${expected.channel ? ` for "${expected.channel}"` : ''} within ${timeoutMs} ms; received: ` +
          (receiver.events.map((e) => `${e.name} ${e.channel ?? ''}`).join('; ') || 'none'),
      );
    },

    events: () => [...adapter.events],
    webhooks: () => [...receiver.events],
    connections,
    channels,

    disconnect(target, { code = ErrorCode.ReconnectNow } = {}) {
      const byId = open.get(target);
      const asMember = adapter.socketsOfMember(target);
      const dropped = byId
        ? [byId]
        : [...open.values()].filter((c) => c.userId === target || asMember.has(c.socketId));
      if (dropped.length === 0) {
        throw new Error(`disconnect: no connection has the socket id or user id "${target}"`);
      }
      for (const connection of dropped)
        connection.disconnect(code, 'Disconnected by the test server');
      return dropped.length;
    },

    refuseNextSubscription(channel, { status = 403 } = {}) {
      adapter.refuseNextSubscription(channel, status);
    },

    delayEvents(ms) {
      adapter.delayEvents(ms);
    },

    async reset() {
      await dropAll(ErrorCode.Unauthorized, 'Test server reset');
      // Webhooks of the dropped connections are posted at once (no removal delay): let them land.
      for (let seen = -1; seen !== receiver.events.length;) {
        seen = receiver.events.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      adapter.clear();
      receiver.events.length = 0;
    },

    async stop() {
      await dropAll(ErrorCode.Unauthorized, 'Test server stopped').catch(() => undefined);
      await server.stop();
      await receiver.close();
    },
  };
}
