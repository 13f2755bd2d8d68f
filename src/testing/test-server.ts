/**
 * `startTestServer`: a real Pushwire in the test process, on 127.0.0.1 and a free port, with one
 * app, a webhook receiver, ready-made client options, assertions that wait, and failures on
 * demand. Everything goes over real sockets: the app under test talks to it as to production.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { LocalAdapter } from '../adapter/local.ts';
import { resolveConfig } from '../config/load.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { Pushwire, type WebHookEvent } from '@pushwire/sdk';
import {
  startServer,
  type ConnectionHandle,
  type ConnectionObserver,
  type RunningServer,
} from '../server/server.ts';
import { ObservedAdapter, type PublishedEvent } from './observed-adapter.ts';
import type {
  ChannelInfo,
  ConnectionInfo,
  PusherJsOptions,
  PusherServerOptions,
  TestCredentials,
  TestServer,
  TestServerOptions,
} from './types.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

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
