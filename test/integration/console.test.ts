/**
 * The live console's feed as an operator's browser reads it: a signed `GET /apps/{id}/console`
 * streaming what real pusher-js clients and the official SDK do, and nothing for anyone else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectPusher,
  createPusher,
  disconnectAllPushers,
  subscribeAndWait,
} from '../helpers/pusher-client.ts';
import { REDIS_URL, redisGate, uniquePrefix } from '../helpers/redis.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { signedRequest } from '../helpers/signed-request.ts';
import { startProtocolServer, stopAllServers, type ProtocolServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import {
  consoleFeedUrl,
  stopAllFeeds,
  watchEveryWorker,
  watchFeed as watch,
} from '../helpers/console-feed.ts';

const withRedis = await redisGate('console summary across nodes');
afterEach(async () => {
  stopAllFeeds();
  disconnectAllPushers();
  await stopAllServers();
});

/** The feed URL, signed like any API request. */
const feedUrl = (server: ProtocolServer, app?: { id: string; key: string; secret: string }) =>
  consoleFeedUrl(server.httpUrl, app);

describe('live console feed', () => {
  it('streams connections, subscriptions, presence, client events and API messages', async () => {
    const server = await startProtocolServer();
    const feed = await watchEveryWorker(server);
    expect(feed.response.headers.get('content-type')).toContain('text/event-stream');
    const sdk = sdkFor({ port: server.port });
    const pusher = await connectPusher(server.port, { presence: { user_id: 'ada' } });
    const room = await subscribeAndWait(pusher, 'presence-room');
    room.trigger('client-typing', { on: true });
    await sdk.trigger('presence-room', 'news', { n: 1 });
    // Over the HTTP fallback the client event is a request of its own, which may land after
    // the API's.
    await waitUntil(
      () => feed.names().includes('api_message') && feed.names().includes('client_event'),
      'the API message and the client event',
    );
    expect(feed.names()).toEqual(
      expect.arrayContaining(['connected', 'channel_occupied', 'member_added', 'client_event']),
    );
    expect(feed.entries.find((entry) => entry.name === 'api_message')).toMatchObject({
      channel: 'presence-room',
      event: 'news',
      data: '{"n":1}',
    });
    pusher.disconnect();
    await waitUntil(() => feed.names().includes('channel_vacated'), 'the vacated channel');
    expect(feed.names()).toContain('disconnected');
  });

  it('shows every subscription and unsubscription with its socket, a joiner of an occupied channel too', async () => {
    const server = await startProtocolServer();
    const feed = await watchEveryWorker(server);
    const [first, second] = [await connectPusher(server.port), await connectPusher(server.port)];
    await subscribeAndWait(first, 'news');
    await subscribeAndWait(second, 'news');
    second.unsubscribe('news');
    await waitUntil(() => feed.names().includes('unsubscribed'), 'the unsubscription');
    const rows = (name: string) =>
      feed.entries.filter((entry) => entry.name === name && entry.channel === 'news');
    expect(rows('subscribed').map((entry) => entry.socketId)).toEqual([
      first.connection.socket_id,
      second.connection.socket_id,
    ]);
    expect(rows('unsubscribed')).toEqual([
      expect.objectContaining({ socketId: second.connection.socket_id }),
    ]);
    expect(rows('channel_occupied')).toHaveLength(1);
  });

  it('shows a refused subscription with its reason, and never the signature the client sent', async () => {
    const server = await startProtocolServer();
    const feed = await watchEveryWorker(server);
    const forged = `app-key:${'ab'.repeat(32)}`;
    const pusher = await connectPusher(server.port, {
      authorizeChannel: () => ({ auth: forged }),
    });
    pusher.subscribe('private-vault');
    await waitUntil(() => feed.names().includes('refused'), 'the refusal');
    const refusal = feed.entries.find((entry) => entry.name === 'refused');
    expect(refusal).toMatchObject({
      socketId: pusher.connection.socket_id,
      channel: 'private-vault',
    });
    expect(String(refusal?.reason)).toContain('Invalid signature');
    expect(JSON.stringify(feed.entries)).not.toContain('ab'.repeat(32));
  });

  it('shows a connection refused for its app, with the code and reason it was given', async () => {
    const app = { id: '1', key: 'app-key', secret: 'app-secret', maxConnections: 1 };
    const server = await startProtocolServer({ apps: [app] });
    const feed = await watchEveryWorker(server);
    await connectPusher(server.port);
    await server.quotaSettled();
    createPusher(server.port).connect();
    await waitUntil(() => feed.names().includes('refused'), 'the refusal');
    expect(feed.entries.find((entry) => entry.name === 'refused')).toEqual({
      at: expect.any(String),
      name: 'refused',
      code: 4004,
      reason: 'Application is over its connection quota',
    });
  });

  it('shows a disconnection with its close code', async () => {
    const server = await startProtocolServer();
    const feed = await watchEveryWorker(server);
    const pusher = await connectPusher(server.port);
    pusher.disconnect();
    await waitUntil(() => feed.names().includes('disconnected'), 'the disconnection');
    expect(feed.entries.find((entry) => entry.name === 'disconnected')).toMatchObject({
      socketId: expect.any(String),
      code: expect.any(Number),
    });
  });

  it('sums up the connections and the occupied channels with their counts and member ids', async () => {
    const server = await startProtocolServer();
    const feed = await watchEveryWorker(server);
    const reader = await connectPusher(server.port);
    await subscribeAndWait(reader, 'news');
    for (const user_id of ['ada', 'bob']) {
      const member = await connectPusher(server.port, {
        presence: { user_id, user_info: { name: user_id.toUpperCase() } },
      });
      await subscribeAndWait(member, 'presence-room');
    }
    const summary = await waitUntil(
      () =>
        feed.entries.findLast(
          (entry) =>
            entry.name === 'summary' && entry.channelCount === 2 && entry.connections === 3,
        ),
      'a summary of three connections in two channels',
      5000,
    );
    expect(summary.channels).toEqual([
      { channel: 'presence-room', subscriptionCount: 2, userCount: 2, members: ['ada', 'bob'] },
      { channel: 'news', subscriptionCount: 1 },
    ]);
    const member = await signedRequest(server.httpUrl, {
      path: '/apps/1/console/member',
      params: { channel: 'presence-room', user_id: 'bob' },
    });
    expect(member.body).toEqual({ user_id: 'bob', user_info: { name: 'BOB' } });
    const stranger = await signedRequest(server.httpUrl, {
      path: '/apps/1/console/member',
      params: { channel: 'presence-room', user_id: 'eve' },
    });
    expect(stranger.status).toBe(404);
  });

  it.skipIf(!withRedis)('sums up the whole cluster, whichever node serves the feed', async () => {
    const cluster = {
      adapter: 'redis' as const,
      redisUrl: REDIS_URL,
      redisPrefix: uniquePrefix('console'),
    };
    const [one, two] = [await startProtocolServer(cluster), await startProtocolServer(cluster)];
    const feed = await watch(feedUrl(one));
    await subscribeAndWait(await connectPusher(one.port), 'news');
    await subscribeAndWait(await connectPusher(two.port), 'news');
    await subscribeAndWait(
      await connectPusher(two.port, { presence: { user_id: 'ada' } }),
      'presence-room',
    );
    const summary = await waitUntil(
      () =>
        feed.entries.findLast(
          (entry) =>
            entry.name === 'summary' && entry.connections === 3 && entry.channelCount === 2,
        ),
      'a summary of both nodes',
      8000,
    );
    expect(summary.channels).toEqual([
      { channel: 'news', subscriptionCount: 2 },
      { channel: 'presence-room', subscriptionCount: 1, userCount: 1, members: ['ada'] },
    ]);
  });

  it("shows nothing of another app's channels", async () => {
    const apps = [
      { id: 'one', key: 'one-key', secret: 'one-secret' },
      { id: 'two', key: 'two-key', secret: 'two-secret' },
    ];
    const server = await startProtocolServer({ apps });
    const feed = await watchEveryWorker(server, apps[0]!);
    const other = sdkFor({ appId: 'two', key: 'two-key', secret: 'two-secret', port: server.port });
    const own = sdkFor({ appId: 'one', key: 'one-key', secret: 'one-secret', port: server.port });
    await other.trigger('c', 'theirs', {});
    await own.trigger('c', 'ours', {});
    const messages = () => feed.entries.filter((entry) => entry.name === 'api_message');
    await waitUntil(() => messages().length > 0, 'an API message');
    expect(messages().map((entry) => entry.event)).toEqual(['ours']);
  });

  it('finds an app whose id needs %-encoding in the path', async () => {
    const app = { id: 'shop eu+1', key: 'shop-key', secret: 'shop-secret' };
    const server = await startProtocolServer({ apps: [app] });
    const feed = await watch(feedUrl(server, app));
    expect(feed.response.status).toBe(200);
  });

  it('finds an app whose id needs %-encoding in the path', async () => {
    const app = { id: 'shop eu+1', key: 'shop-key', secret: 'shop-secret' };
    const server = await startProtocolServer({ apps: [app] });
    expect((await watch(feedUrl(server, app))).response.status).toBe(200);
  });

  it('refuses a request signed with the wrong secret with 401, and serves nothing', async () => {
    const server = await startProtocolServer();
    const feed = await watch(feedUrl(server, { id: '1', key: 'app-key', secret: 'guess' }));
    expect(feed.response.status).toBe(401);
  });

  it('serves neither page nor feed when the console is switched off', async () => {
    const server = await startProtocolServer({ console: false });
    expect((await fetch(`${server.httpUrl}/console`)).status).toBe(404);
    expect((await watch(feedUrl(server))).response.status).toBe(404);
  });

  it('serves the page with a policy that allows only its own script', async () => {
    const server = await startProtocolServer();
    const response = await fetch(`${server.httpUrl}/console`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Never submitted anywhere: a secret typed before the script ran cannot land in a URL.
    expect(response.headers.get('content-security-policy')).toContain("form-action 'none'");
    expect(await response.text()).toContain('<script src="console.js">');
  });
});
