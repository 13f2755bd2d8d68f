/**
 * The live console across two Pushwire processes: a watcher on node A sees what happens on node
 * B, and while nobody watches, no node sends console entries to Redis at all. On the shared Redis,
 * then on a Redis Cluster of the suite's own (7641-7643).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { consoleFeedUrl, stopAllFeeds, watchFeed } from '../helpers/console-feed.ts';
import { stopAllNodes } from '../helpers/cluster-node.ts';
import { closeAllRawClients, RawClient } from '../helpers/raw-client.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { redisBackends, type BackendCase, type RedisBackend } from '../helpers/redis-backend.ts';
import { waitUntil } from '../helpers/wait.ts';

const backends = await redisBackends('live console across nodes', {
  single: 'shared',
  cluster: [7641, 7642, 7643],
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function subscribeOn(port: number, channel: string): Promise<void> {
  const client = await RawClient.connect(`ws://127.0.0.1:${port}`);
  client.subscribe(channel);
  await client.waitForEvent('pusher_internal:subscription_succeeded', channel);
}

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`the live console across two nodes (${backend.label})`, () =>
    liveConsole(backend),
  );
}

function liveConsole(backend: BackendCase): void {
  let redis: RedisBackend | undefined;

  afterAll(async () => {
    stopAllFeeds();
    await closeAllRawClients();
    await stopAllNodes();
    await redis?.stop();
  });

  it("shows a watcher on node A node B's subscriptions, and relays nothing while nobody watches", async () => {
    redis = await backend.start();
    const prefix = uniquePrefix('console');
    const [a, b] = await Promise.all([redis.node(prefix), redis.node(prefix)]);
    const spy = redis.client();
    const relayed: string[] = [];
    spy.on('pmessage', (_pattern, _channel, message: string) => relayed.push(message));
    await spy.psubscribe(`${prefix}:console:*`);

    // Nobody watches: activity on both nodes sends nothing to Redis for the console.
    for (let i = 0; i < 5; i++) {
      await subscribeOn(b.port, `idle-${i}`);
      await subscribeOn(a.port, `idle-a-${i}`);
      await pause(500);
    }
    expect(relayed).toEqual([]);

    const { response, entries } = await watchFeed(consoleFeedUrl(`http://127.0.0.1:${a.port}`));
    expect(response.status).toBe(200);
    // Node B learns of the watcher within one exchange interval (2 s): subscribe until it shows.
    let n = 0;
    const seen = await waitUntil(
      async () => {
        const channel = `on-b-${n++}`;
        await subscribeOn(b.port, channel);
        await pause(250);
        return entries.find((entry) => entry.name === 'subscribed' && entry.channel === channel);
      },
      "node B's subscription in node A's feed",
      10_000,
    );
    expect(seen).toMatchObject({ name: 'subscribed', socketId: expect.any(String) });
    expect(n).toBeLessThanOrEqual(12);
    expect(relayed.length).toBeGreaterThan(0);
  }, 40_000);
}
