import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { sdk, wrongSecretSdk } from '../helpers/sdk.ts';
import {
  collect,
  connectPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
  type PusherClient,
} from '../helpers/pusher-client.ts';
import { startProtocolServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  disconnectAllPushers();
  await closeAllRawClients();
  await stopAllServers();
});

type WatchlistEvent = { name: string; user_ids: string[] };

const serverToUserSubscribed = (pusher: PusherClient) =>
  waitUntil(
    () => pusher.user.serverToUserChannel?.subscribed === true,
    'the #server-to-user channel to be subscribed',
  );

describe('pusher-js sign-in', () => {
  it('signs in and subscribes to its #server-to-user channel', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port, { user: { id: 'alice', name: 'Alice' } });
    pusher.signin();
    await pusher.user.signinDonePromise;
    expect(pusher.user.user_data).toEqual({ id: 'alice', name: 'Alice' });
    await serverToUserSubscribed(pusher);
    expect(pusher.user.serverToUserChannel.name).toBe('#server-to-user-alice');
  });

  it('reports a sign-in with a bad signature as pusher:error 4009 and stays connected ([U] §16.2)', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port, {
      authenticateUser: (socketId) => wrongSecretSdk.authenticateUser(socketId, { id: 'alice' }),
    });
    const socketId = pusher.connection.socket_id;
    const error = nextEvent<{ type: string; data: { code: number } }>(pusher.connection, 'error');
    pusher.signin();
    expect((await error).data).toMatchObject({ type: 'PusherError', data: { code: 4009 } });
    await subscribeAndWait(pusher, 'after-signin');
    expect(pusher.connection.state).toBe('connected');
    expect(pusher.connection.socket_id).toBe(socketId);
    expect(pusher.user.serverToUserChannel).toBeNull();
  });

  it('refuses another user the #server-to-user channel of a signed-in user', async () => {
    const server = await startProtocolServer();
    const client = await RawClient.connect(server.wsUrl);
    const { auth, user_data } = sdk.authenticateUser(client.socketId, { id: 'bob' });
    client.send({ event: 'pusher:signin', data: { auth, user_data } });
    await client.waitForEvent('pusher:signin_success');
    client.subscribe('#server-to-user-alice');
    const error = await client.waitForEvent('pusher:error');
    expect(error.data).toMatchObject({ code: null });
    const between = await client.barrier();
    expect(between.filter((f) => f.event === 'pusher_internal:subscription_succeeded')).toEqual([]);
  });
});

describe('pusher-js watchlist', () => {
  it('reports a watched user offline, then online when it signs in, then offline when it leaves', async () => {
    const server = await startProtocolServer();
    const watcher = await connectPusher(server.port, {
      user: { id: 'watcher', watchlist: ['alice'] },
    });
    const online = collect<WatchlistEvent>(watcher.user.watchlist, 'online');
    const offline = collect<WatchlistEvent>(watcher.user.watchlist, 'offline');
    watcher.signin();
    await waitUntil(() => offline.length === 1, 'the initial offline status');
    expect(offline[0]?.data).toEqual({ name: 'offline', user_ids: ['alice'] });

    const alice = await connectPusher(server.port, { user: { id: 'alice' } });
    alice.signin();
    await waitUntil(() => online.length === 1, 'alice online');
    expect(online[0]?.data).toEqual({ name: 'online', user_ids: ['alice'] });

    alice.disconnect();
    await waitUntil(() => offline.length === 2, 'alice offline');
    expect(offline[1]?.data).toEqual({ name: 'offline', user_ids: ['alice'] });
  });

  it('reports a watched user that is already signed in as online', async () => {
    const server = await startProtocolServer();
    const alice = await connectPusher(server.port, { user: { id: 'alice' } });
    alice.signin();
    await serverToUserSubscribed(alice);
    const watcher = await connectPusher(server.port, {
      user: { id: 'w', watchlist: ['alice', 'carol'] },
    });
    const online = collect<WatchlistEvent>(watcher.user.watchlist, 'online');
    const offline = collect<WatchlistEvent>(watcher.user.watchlist, 'offline');
    watcher.signin();
    await waitUntil(() => online.length === 1 && offline.length === 1, 'the initial statuses');
    expect(online[0]?.data.user_ids).toEqual(['alice']);
    expect(offline[0]?.data.user_ids).toEqual(['carol']);
  });
});
