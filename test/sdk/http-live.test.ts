/**
 * The SDK's HTTP API methods against a live Pushwire server, observed through real pusher-js
 * clients whose auth values come from our SDK.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Pushwire, RequestError } from '../../src/sdk/index.ts';
import type { PusherClient } from '../helpers/pusher-js.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { APP, MASTER_KEY, connectPusher, nextEvent, startPushwire, stopAll } from './live.ts';

const sdkFor = (
  server: RunningServer,
  overrides: Partial<ConstructorParameters<typeof Pushwire>[0]> = {},
) =>
  new Pushwire({
    ...APP,
    host: '127.0.0.1',
    port: server.port,
    encryptionMasterKeyBase64: MASTER_KEY,
    ...overrides,
  });

function client(server: RunningServer, sdk: Pushwire, user?: { id: string }): PusherClient {
  return connectPusher(server, {
    channelAuthorization: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) =>
        callback(
          null,
          sdk.authorizeChannel(
            socketId,
            channelName,
            channelName.startsWith('presence-') ? { user_id: 'p1' } : undefined,
          ),
        ),
    },
    userAuthentication: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId }, callback) =>
        callback(null, sdk.authenticateUser(socketId, user ?? { id: 'nobody' })),
    },
  });
}

async function subscribed(pusher: PusherClient, name: string) {
  const channel = pusher.subscribe(name);
  await nextEvent(channel, 'pusher:subscription_succeeded');
  return channel;
}

describe('Pushwire HTTP methods against a live server', () => {
  afterEach(stopAll);

  it('delivers a trigger to a subscriber, decoded as the object sent', async () => {
    const server = await startPushwire();
    const sdk = sdkFor(server);
    const channel = await subscribed(client(server, sdk), 'news');
    const received = nextEvent(channel, 'headline');
    const response = await sdk.trigger('news', 'headline', { text: 'hello' });
    expect(response.status).toBe(200);
    expect(await received).toEqual({ text: 'hello' });
  });

  it('delivers every event of a triggerBatch', async () => {
    const server = await startPushwire();
    const sdk = sdkFor(server);
    const pusher = client(server, sdk);
    const a = await subscribed(pusher, 'batch-a');
    const b = await subscribed(pusher, 'private-batch-b');
    const received = Promise.all([nextEvent(a, 'e1'), nextEvent(b, 'e2')]);
    await sdk.triggerBatch([
      { channel: 'batch-a', name: 'e1', data: { n: 1 } },
      { channel: 'private-batch-b', name: 'e2', data: 'plain' },
    ]);
    expect(await received).toEqual([{ n: 1 }, 'plain']);
  });

  it('encrypts for an encrypted channel so that pusher-js decrypts the payload', async () => {
    const server = await startPushwire();
    const sdk = sdkFor(server);
    const channel = await subscribed(client(server, sdk), 'private-encrypted-vault');
    const received = nextEvent(channel, 'secret');
    await sdk.trigger('private-encrypted-vault', 'secret', { card: '4111' });
    expect(await received).toEqual({ card: '4111' });
  });

  it('reads occupied channels and presence users with get', async () => {
    const server = await startPushwire();
    const sdk = sdkFor(server);
    await subscribed(client(server, sdk), 'presence-lobby');
    const channels = await (
      await sdk.get({
        path: '/channels',
        params: { filter_by_prefix: 'presence-', info: 'user_count' },
      })
    ).json();
    expect(channels).toEqual({ channels: { 'presence-lobby': { user_count: 1 } } });
    const users = await (await sdk.get({ path: '/channels/presence-lobby/users' })).json();
    expect(users).toEqual({ users: [{ id: 'p1' }] });
  });

  it('sends to a signed-in user with sendToUser', async () => {
    const server = await startPushwire();
    const sdk = sdkFor(server);
    const pusher = client(server, sdk, { id: 'dana' });
    pusher.signin();
    // The server-to-user channel is subscribed right after signin_success.
    await waitFor(() => pusher.user.serverToUserChannel?.subscribed === true);
    const received = nextEvent(pusher.user, 'notice');
    await sdk.sendToUser('dana', 'notice', { text: 'hi' });
    expect(await received).toEqual({ text: 'hi' });
  });

  it('disconnects a signed-in user with terminateUserConnections', async () => {
    const server = await startPushwire();
    const sdk = sdkFor(server);
    const pusher = client(server, sdk, { id: 'erin' });
    pusher.signin();
    await waitFor(() => pusher.user.serverToUserChannel?.subscribed === true);
    const gone = nextEvent(pusher.connection, 'state_change');
    await sdk.terminateUserConnections('erin');
    expect(await gone).toMatchObject({ previous: 'connected' });
  });

  it('rejects with a RequestError holding status and body when the secret is wrong', async () => {
    const server = await startPushwire();
    const sdk = sdkFor(server, { secret: 'wrong' });
    const failure = await sdk.trigger('news', 'x', {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RequestError);
    expect(failure).toMatchObject({ status: 401, code: 'request_failed' });
    expect((failure as RequestError).body).toEqual(expect.any(String));
  });

  it('rejects with a RequestError holding the cause when nothing listens', async () => {
    const server = await startPushwire();
    const port = server.port;
    await stopAll();
    const failure = await sdkFor({ port } as RunningServer)
      .get({ path: '/channels' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RequestError);
    expect((failure as RequestError).error).toBeDefined();
    expect((failure as RequestError).status).toBeUndefined();
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
