/**
 * The HTTP API driven by the official `pusher` SDK, checked on real pusher-js subscribers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/api-harness.ts';
import { collect, subscribeAndWait as subscribed } from '../helpers/pusher-client.ts';
import { signedRequest } from '../helpers/signed-request.ts';
import type { PresenceChannel } from '../helpers/pusher-js.ts';
import { waitUntil } from '../helpers/wait.ts';

let harness: Harness;
afterEach(async () => harness?.stop());

const dataOf = (received: Array<{ data: unknown }>) => received.map((r) => r.data);

const json = async (response: { json(): Promise<unknown> }) =>
  (await response.json()) as Record<string, unknown>;

/** The default app's credentials, with `subscription_count` answered. */
const COUNTED = {
  apps: [{ id: '1', key: 'app-key', secret: 'app-secret', enableSubscriptionCount: true }],
};

describe('POST /apps/{id}/events', () => {
  it.each(['public-room', 'private-room', 'presence-room'])(
    'delivers exactly the triggered data on %s',
    async (name) => {
      harness = await startHarness();
      const channel = await subscribed(await harness.client(), name);
      const received = collect(channel, 'greeting');
      await harness.sdk.trigger(name, 'greeting', { text: 'hello', n: 1, nested: { ok: true } });
      await waitUntil(() => received.length === 1, 'the event');
      expect(dataOf(received)).toEqual([{ text: 'hello', n: 1, nested: { ok: true } }]);
    },
  );

  it('delivers to every channel listed in channels', async () => {
    harness = await startHarness();
    const client = await harness.client();
    const a = collect(await subscribed(client, 'a'), 'ev');
    const b = collect(await subscribed(client, 'b'), 'ev');
    await harness.sdk.trigger(['a', 'b'], 'ev', 'plain string');
    await waitUntil(() => a.length === 1 && b.length === 1, 'both channels');
    expect([dataOf(a), dataOf(b)]).toEqual([['plain string'], ['plain string']]);
  });

  it('leaves out the socket_id connection but not a second connection of the same user', async () => {
    harness = await startHarness();
    const first = await harness.client({ userId: 'alice' });
    const second = await harness.client({ userId: 'alice' });
    const other = await harness.client({ userId: 'bob' });
    const inbox = await Promise.all(
      [first, second, other].map(async (client) =>
        collect(await subscribed(client, 'presence-chat'), 'message'),
      ),
    );
    await harness.sdk.trigger(
      'presence-chat',
      'message',
      { from: 'alice' },
      { socket_id: first.connection.socket_id },
    );
    await harness.sdk.trigger('presence-chat', 'message', { marker: true });
    await waitUntil(
      () => inbox.every((messages, i) => messages.length === (i === 0 ? 1 : 2)),
      'all deliveries',
    );
    expect(dataOf(inbox[0]!)).toEqual([{ marker: true }]);
    expect(dataOf(inbox[1]!)).toEqual([{ from: 'alice' }, { marker: true }]);
  });

  it('answers the info attributes of the channels it published to', async () => {
    harness = await startHarness(COUNTED);
    await subscribed(await harness.client({ userId: 'u1' }), 'presence-a');
    await subscribed(await harness.client({ userId: 'u1' }), 'presence-a');
    const response = await harness.sdk.trigger(
      'presence-a',
      'ev',
      {},
      { info: 'user_count,subscription_count' },
    );
    expect(await json(response)).toEqual({
      channels: { 'presence-a': { user_count: 1, subscription_count: 2 } },
    });
  });

  it('delivers an encrypted event that pusher-js decrypts, while the server sees only ciphertext', async () => {
    harness = await startHarness();
    const client = await harness.client();
    const channel = await subscribed(client, 'private-encrypted-vault');
    const received = collect(channel, 'secret');
    await harness.sdk.trigger('private-encrypted-vault', 'secret', { pin: 1234 });
    await waitUntil(() => received.length === 1, 'the decrypted event');
    expect(dataOf(received)).toEqual([{ pin: 1234 }]);
  });

  it('keeps the last event of a cache channel for later subscribers', async () => {
    harness = await startHarness();
    await harness.sdk.trigger('cache-scores', 'score', { home: 2 });
    const client = await harness.client();
    const channel = client.subscribe('cache-scores');
    const received = collect(channel, 'score');
    await waitUntil(() => received.length === 1, 'the cached event');
    expect(dataOf(received)).toEqual([{ home: 2 }]);
  });
});

describe('POST /apps/{id}/batch_events', () => {
  it('delivers every event of the batch in order', async () => {
    harness = await startHarness();
    const client = await harness.client();
    const one = collect(await subscribed(client, 'one'), 'ev');
    const two = collect(await subscribed(client, 'private-two'), 'ev');
    await harness.sdk.triggerBatch([
      { channel: 'one', name: 'ev', data: { i: 1 } },
      { channel: 'private-two', name: 'ev', data: { i: 2 } },
      { channel: 'one', name: 'ev', data: { i: 3 } },
    ]);
    await waitUntil(() => one.length === 2 && two.length === 1, 'the batch');
    expect([dataOf(one), dataOf(two)]).toEqual([[{ i: 1 }, { i: 3 }], [{ i: 2 }]]);
  });

  it('answers info attributes index-aligned with the batch', async () => {
    harness = await startHarness(COUNTED);
    await subscribed(await harness.client(), 'one');
    const response = await harness.sdk.triggerBatch([
      { channel: 'one', name: 'ev', data: 'x', info: 'subscription_count' },
      { channel: 'empty', name: 'ev', data: 'y' },
    ]);
    expect(await json(response)).toEqual({ batch: [{ subscription_count: 1 }, {}] });
  });
});

describe('GET /apps/{id}/channels', () => {
  it('lists occupied channels filtered by prefix with user counts', async () => {
    harness = await startHarness();
    const client = await harness.client({ userId: 'u1' });
    await subscribed(client, 'presence-x');
    await subscribed(client, 'public-y');
    const all = await json(await harness.sdk.get({ path: '/channels' }));
    expect(all).toEqual({ channels: { 'presence-x': {}, 'public-y': {} } });
    const presence = await json(
      await harness.sdk.get({
        path: '/channels',
        params: { filter_by_prefix: 'presence-', info: 'user_count' },
      }),
    );
    expect(presence).toEqual({ channels: { 'presence-x': { user_count: 1 } } });
  });

  it('does not list internal server-to-user channels', async () => {
    harness = await startHarness();
    const client = await harness.client({ userId: 'u1' });
    client.signin();
    await waitUntil(() => client.user.user_data !== null, 'sign-in');
    await waitUntil(() => harness.server.connections() === 1, 'connection');
    expect(await json(await harness.sdk.get({ path: '/channels' }))).toEqual({ channels: {} });
  });
});

describe('GET /apps/{id}/channels/{name}', () => {
  it('answers occupied, user_count and subscription_count', async () => {
    harness = await startHarness(COUNTED);
    await subscribed(await harness.client({ userId: 'u1' }), 'presence-room');
    await subscribed(await harness.client({ userId: 'u2' }), 'presence-room');
    const info = await json(
      await harness.sdk.get({
        path: '/channels/presence-room',
        params: { info: 'user_count,subscription_count' },
      }),
    );
    expect(info).toEqual({ occupied: true, user_count: 2, subscription_count: 2 });
  });

  it('answers occupied false for a channel nobody is in', async () => {
    harness = await startHarness();
    expect(await json(await harness.sdk.get({ path: '/channels/nobody-here' }))).toEqual({
      occupied: false,
    });
  });

  it('answers the cached event of a cache channel', async () => {
    harness = await startHarness();
    await harness.sdk.trigger('cache-prices', 'price', { eur: 1 });
    const info = await json(
      await harness.sdk.get({ path: '/channels/cache-prices', params: { info: 'cache' } }),
    );
    expect(info).toMatchObject({ occupied: false, cache: { event: 'price', data: '{"eur":1}' } });
  });
});

describe('info=subscription_count while enableSubscriptionCount is off, as Pusher answers it', () => {
  const refusal = (error: { status?: number; body?: string }) => ({
    status: error.status,
    body: error.body,
  });
  const expected = (field = '') => ({
    status: 400,
    body: expect.stringContaining(
      `${field}info: subscription_count needs enableSubscriptionCount: true on the app`,
    ),
  });

  it('refuses a publish with 400 and publishes nothing', async () => {
    harness = await startHarness();
    const received = collect(await subscribed(await harness.client(), 'room'), 'ev');
    const error = await harness.sdk
      .trigger('room', 'ev', 'x', { info: 'subscription_count' })
      .then(() => ({}), refusal);
    expect(error).toEqual(expected());
    const batchError = await harness.sdk
      .triggerBatch([
        { channel: 'room', name: 'ev', data: 'y' },
        { channel: 'room', name: 'ev', data: 'z', info: 'subscription_count' },
      ])
      .then(() => ({}), refusal);
    expect(batchError).toEqual(expected('batch[1].'));
    await harness.sdk.trigger('room', 'ev', 'marker');
    await waitUntil(() => received.length === 1, 'the marker');
    expect(dataOf(received)).toEqual(['marker']);
  });

  it('refuses the channel queries with 400 but still answers user_count', async () => {
    harness = await startHarness();
    await subscribed(await harness.client({ userId: 'u1' }), 'presence-room');
    const get = (path: string, info: string) =>
      harness.sdk.get({ path, params: { filter_by_prefix: 'presence-', info } });
    expect(await get('/channels', 'subscription_count').then(() => ({}), refusal)).toEqual(
      expected(),
    );
    expect(
      await get('/channels/presence-room', 'user_count,subscription_count').then(
        () => ({}),
        refusal,
      ),
    ).toEqual(expected());
    expect(await json(await get('/channels/presence-room', 'user_count'))).toEqual({
      occupied: true,
      user_count: 1,
    });
  });
});

describe('GET /apps/{id}/channels/{name}/users', () => {
  it('lists each presence member once', async () => {
    harness = await startHarness();
    await subscribed(await harness.client({ userId: 'ann' }), 'presence-team');
    await subscribed(await harness.client({ userId: 'ann' }), 'presence-team');
    const bob = await harness.client({ userId: 'bob' });
    const channel = (await subscribed(bob, 'presence-team')) as PresenceChannel;
    expect(channel.members.count).toBe(2);
    const users = await json(await harness.sdk.get({ path: '/channels/presence-team/users' }));
    expect(users).toEqual({ users: [{ id: 'ann' }, { id: 'bob' }] });
  });
});

describe('sendToUser', () => {
  it("reaches every connection of the signed-in user and nobody else's", async () => {
    harness = await startHarness();
    const clients = [
      await harness.client({ userId: 'u7' }),
      await harness.client({ userId: 'u7' }),
      await harness.client({ userId: 'u8' }),
    ];
    const inbox = clients.map((client) => {
      const received: unknown[] = [];
      client.user.bind('note', (data: unknown) => received.push(data));
      client.signin();
      return received;
    });
    await waitUntil(
      () => clients.every((c) => c.user.serverToUserChannel?.subscribed),
      'server-to-user channels',
    );
    await harness.sdk.sendToUser('u7', 'note', { hi: 'u7' });
    await harness.sdk.trigger('public-marker', 'x', {});
    await waitUntil(() => inbox[0]!.length === 1 && inbox[1]!.length === 1, 'user events');
    expect(inbox).toEqual([[{ hi: 'u7' }], [{ hi: 'u7' }], []]);
  });
});

describe('terminateUserConnections', () => {
  it("closes every connection of that user and leaves the others' open", async () => {
    harness = await startHarness();
    const clients = [
      await harness.client({ userId: 'gone' }),
      await harness.client({ userId: 'gone' }),
      await harness.client({ userId: 'stays' }),
    ];
    for (const client of clients) client.signin();
    await waitUntil(() => clients.every((c) => c.user.serverToUserChannel?.subscribed), 'sign-ins');
    expect(await json(await harness.sdk.terminateUserConnections('gone'))).toEqual({});
    await waitUntil(
      () => clients[0]!.connection.state === 'disconnected',
      'first connection closed',
    );
    await waitUntil(
      () => clients[1]!.connection.state === 'disconnected',
      'second connection closed',
    );
    expect(clients[2]!.connection.state).toBe('connected');
    await waitUntil(() => harness.server.connections() === 1, 'the server to drop both sockets');
  });
});

describe('POST /users/{id}/terminate_connections, as the official Python SDK sends it', () => {
  // pusher-http-python posts `{}` to this path with no /apps/{id} prefix, signed over it as sent.
  const postEmpty = (path: string, sign: { key?: string; secret?: string } = {}) =>
    signedRequest(harness.server.httpUrl, { method: 'POST', path, body: '{}', ...sign });
  const pythonTerminate = (userId: string, sign: { key?: string; secret?: string } = {}) =>
    postEmpty(`/users/${userId}/terminate_connections`, sign);

  it("finds the app from auth_key and closes that user's connections", async () => {
    harness = await startHarness();
    const [gone, stays] = [
      await harness.client({ userId: 'gone' }),
      await harness.client({ userId: 'stays' }),
    ];
    for (const client of [gone, stays]) client!.signin();
    await waitUntil(
      () => [gone, stays].every((c) => c!.user.serverToUserChannel?.subscribed),
      'sign-ins',
    );
    const response = await pythonTerminate('gone');
    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: {} });
    await waitUntil(() => gone!.connection.state === 'disconnected', 'connection closed');
    expect(stays!.connection.state).toBe('connected');
  });

  it('refuses a request signed with another secret', async () => {
    harness = await startHarness();
    const response = await pythonTerminate('gone', { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: expect.stringContaining('Invalid signature') });
  });

  it('refuses a key no app has', async () => {
    harness = await startHarness();
    const response = await pythonTerminate('gone', { key: 'nobody' });
    expect({ status: response.status, body: response.body }).toEqual({
      status: 401,
      body: { error: 'Invalid auth_key' },
    });
  });

  it('refuses a signature made over the /apps/{id} path and sent to the bare one', async () => {
    harness = await startHarness();
    const signedElsewhere = await postEmpty('/apps/1/users/gone/terminate_connections');
    expect(signedElsewhere.status).toBe(200);
    // Same query, other path: the signature is checked over the path the request was sent to.
    const url = new URL(signedElsewhere.url);
    const replayed = await fetch(
      `${harness.server.httpUrl}/users/gone/terminate_connections${url.search}`,
      { method: 'POST', body: '{}' },
    );
    expect(replayed.status).toBe(401);
  });

  it('answers 404 for other paths under /users', async () => {
    harness = await startHarness();
    expect((await postEmpty('/users/gone/something_else')).status).toBe(404);
  });
});
