import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import {
  collect,
  connectPusher,
  disconnectAllPushers,
  subscribeAndWait,
} from '../helpers/pusher-client.ts';
import { startProtocolServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

afterEach(async () => {
  disconnectAllPushers();
  await closeAllRawClients();
  await stopAllServers();
});

describe('graceful shutdown', () => {
  it('sends pusher:error 4200 and closes every socket with 4200', async () => {
    const server = await startProtocolServer();
    const clients = await Promise.all([
      RawClient.connect(server.wsUrl),
      RawClient.connect(server.wsUrl),
    ]);
    await server.stop();
    for (const client of clients) {
      const error = await client.waitForEvent('pusher:error');
      expect(error.data).toEqual({ code: 4200, message: expect.any(String) });
      expect((await client.closed).code).toBe(4200);
    }
  });

  it('leaves no connection behind once stop() resolves', async () => {
    const server = await startProtocolServer();
    await connectPusher(server.port);
    await RawClient.connect(server.wsUrl);
    await server.stop();
    expect(await server.connections()).toBe(0);
  });

  // pusher-js retries a 4200 at once. When that attempt meets the closed port (it races the
  // restart), pusher-js waits out its fixed 15 s attempt timeout (default_strategy) before the
  // next one, so this test allows the reconnection up to 30 s.
  it('lets pusher-js reconnect to a server restarted on the same port, re-subscribe and sign in again', async () => {
    const first = await startProtocolServer();
    const port = first.port;
    const pusher = await connectPusher(port, {
      presence: { user_id: 'alice' },
      user: { id: 'alice' },
    });
    const oldSocketId = pusher.connection.socket_id;
    pusher.signin();
    await waitUntil(() => pusher.user.serverToUserChannel?.subscribed, 'the first sign-in');
    const channels = await Promise.all(
      ['news', 'private-chat', 'presence-room'].map((name) => subscribeAndWait(pusher, name)),
    );
    const resubscribed = channels.map((channel) =>
      collect(channel, 'pusher:subscription_succeeded'),
    );

    await first.stop();
    await waitUntil(() => pusher.connection.state !== 'connected', 'pusher-js to notice the 4200');
    const second = await startProtocolServer({ port });

    await waitUntil(
      () => pusher.connection.state === 'connected' && pusher.connection.socket_id !== oldSocketId,
      'pusher-js to reconnect with a new socket_id',
      30_000,
    );
    await waitUntil(
      () => resubscribed.every((events) => events.length === 1),
      'every channel to be re-subscribed',
    );
    expect(channels.every((channel) => channel.subscribed)).toBe(true);
    await waitUntil(
      () => pusher.user.serverToUserChannel?.subscribed,
      'the sign-in to be repeated',
    );
    expect(await second.connections()).toBe(1);
  }, 45_000);
});
