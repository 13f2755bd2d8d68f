import { afterEach, describe, expect, it } from 'vitest';
import { LocalAdapter } from '../../src/adapter/local.ts';
import {
  collect,
  connectPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
} from '../helpers/pusher-client.ts';
import {
  inProcessOnly,
  startProtocolServer,
  startTestServer,
  stopAllServers,
} from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

interface Members {
  count: number;
  me: { id: string; info: unknown } | null;
  get(id: string): { id: string; info: unknown } | null;
}
const membersOf = (channel: unknown) => (channel as { members: Members }).members;

afterEach(async () => {
  disconnectAllPushers();
  await stopAllServers();
});

describe('pusher-js channels', () => {
  it('subscribes to a public channel', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port);
    const channel = await subscribeAndWait(pusher, 'news');
    expect(channel.subscribed).toBe(true);
  });

  it('subscribes to a private channel authorised by the pusher SDK', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port);
    const channel = await subscribeAndWait(pusher, 'private-chat');
    expect(channel.subscribed).toBe(true);
  });

  it('subscribes to a private-encrypted channel with the SDK shared secret', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port);
    const channel = await subscribeAndWait(pusher, 'private-encrypted-dm');
    expect(channel.subscribed).toBe(true);
  });

  it('subscribes to a presence channel and sees itself as the only member', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port, {
      presence: { user_id: 'alice', user_info: { name: 'Alice' } },
    });
    const channel = await subscribeAndWait(pusher, 'presence-room');
    const members = membersOf(channel);
    expect(members.count).toBe(1);
    expect(members.me).toEqual({ id: 'alice', info: { name: 'Alice' } });
  });

  it('reports cache_miss on an empty cache channel', async () => {
    const server = await startProtocolServer();
    const pusher = await connectPusher(server.port);
    const channel = pusher.subscribe('cache-scores');
    await nextEvent(channel, 'pusher:cache_miss');
    expect(channel.subscribed).toBe(true);
  });

  const injectedAdapter = inProcessOnly('fills the cache through an adapter object it passes in');

  it.skipIf(injectedAdapter)(
    'replays the cached event to a new subscriber of a cache channel',
    async () => {
      const adapter = new LocalAdapter();
      const server = await startTestServer({}, { adapter });
      adapter.setCache('1', 'cache-scores', 'score', JSON.stringify({ home: 2 }), 60);
      const pusher = await connectPusher(server.port);
      const channel = pusher.subscribe('cache-scores');
      const { data } = await nextEvent(channel, 'score');
      expect(data).toEqual({ home: 2 });
    },
  );

  it.skipIf(injectedAdapter)('replays the cached event on a private-cache channel', async () => {
    const adapter = new LocalAdapter();
    const server = await startTestServer({}, { adapter });
    adapter.setCache('1', 'private-cache-prices', 'price', '"42"', 60);
    const pusher = await connectPusher(server.port);
    const { data } = await nextEvent(pusher.subscribe('private-cache-prices'), 'price');
    expect(data).toBe('42');
  });
});

describe('pusher-js presence', () => {
  it('shows two users to each other and announces the second one', async () => {
    const server = await startProtocolServer();
    const alice = await connectPusher(server.port, { presence: { user_id: 'alice' } });
    const aliceRoom = await subscribeAndWait(alice, 'presence-room');
    const added = nextEvent<{ id: string; info: unknown }>(aliceRoom, 'pusher:member_added');
    const bob = await connectPusher(server.port, {
      presence: { user_id: 'bob', user_info: { name: 'Bob' } },
    });
    const bobRoom = await subscribeAndWait(bob, 'presence-room');
    expect((await added).data).toEqual({ id: 'bob', info: { name: 'Bob' } });
    expect(membersOf(aliceRoom).count).toBe(2);
    expect(membersOf(bobRoom).count).toBe(2);
    expect(membersOf(bobRoom).get('alice')).toMatchObject({ id: 'alice' });
  });

  it('announces member_removed when the other user disconnects', async () => {
    const server = await startProtocolServer();
    const alice = await connectPusher(server.port, { presence: { user_id: 'alice' } });
    const aliceRoom = await subscribeAndWait(alice, 'presence-room');
    const bob = await connectPusher(server.port, { presence: { user_id: 'bob' } });
    await subscribeAndWait(bob, 'presence-room');
    await waitUntil(() => membersOf(aliceRoom).count === 2, 'bob in the roster');
    const removed = nextEvent<{ id: string }>(aliceRoom, 'pusher:member_removed');
    bob.disconnect();
    expect((await removed).data).toMatchObject({ id: 'bob' });
    expect(membersOf(aliceRoom).count).toBe(1);
  });

  it('counts one user on two connections once and removes it after the last leaves', async () => {
    const server = await startProtocolServer();
    const observer = await connectPusher(server.port, { presence: { user_id: 'observer' } });
    const room = await subscribeAndWait(observer, 'presence-room');
    const added = collect(room, 'pusher:member_added');
    const removed = collect(room, 'pusher:member_removed');

    const first = await connectPusher(server.port, { presence: { user_id: 'alice' } });
    await subscribeAndWait(first, 'presence-room');
    const second = await connectPusher(server.port, { presence: { user_id: 'alice' } });
    const secondRoom = await subscribeAndWait(second, 'presence-room');
    expect(membersOf(secondRoom).count).toBe(2);
    await waitUntil(() => added.length === 1, 'member_added for alice');

    first.disconnect();
    await waitUntil(
      async () => (await server.connections()) === 2,
      'first connection closed on the server',
    );
    // The observer's own subscribe acts as a barrier: anything sent before it has arrived.
    await subscribeAndWait(observer, 'barrier');
    expect(removed).toEqual([]);
    expect(membersOf(room).count).toBe(2);

    second.disconnect();
    await waitUntil(() => removed.length === 1, 'member_removed for alice');
    expect(added.map((e) => (e.data as { id: string }).id)).toEqual(['alice']);
    expect(membersOf(room).count).toBe(1);
  });
});
