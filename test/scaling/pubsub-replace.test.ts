/**
 * A Redis Cluster subscriber that ioredis leaves refusing every subscription is replaced. After
 * every master of a cluster restarted, ioredis 5.11's sharded subscriber group could be left
 * with no subscriber for a slot, the client ready: each SSUBSCRIBE failed at once with "No
 * sharded subscriber for slot", and the node answered /ready 503 ("pub/sub link catching up")
 * for 30 s and more while the other node was back within a second (about 1 of 10 runs of
 * redis-outage.test.ts on a loaded machine). Here that state is made at will, by emptying the
 * group's map of subscribers, as it was found then.
 */
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSubscriber, type RedisTarget } from '../../src/adapter/redis/link.ts';
import { PubSub } from '../../src/adapter/redis/pubsub.ts';
import { RedisCluster, redisClusterGate } from '../helpers/redis-cluster.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = redisClusterGate('pub/sub subscriber replacement');

/** The PubSub the bus would have, with every client it opened, and what it told the bus. */
function watchedPubSub(target: RedisTarget) {
  const opened: Redis[] = [];
  const messages: string[] = [];
  const told: string[] = [];
  const pubsub = new PubSub(
    target,
    {
      message: (text) => messages.push(text),
      dropped: () => told.push('dropped'),
      back: () => told.push('back'),
    },
    (seeds) => {
      const client = openSubscriber(seeds);
      opened.push(client);
      return client;
    },
  );
  return { pubsub, opened, messages, told };
}

/** As the bus does: subscribe again every 250 ms until it goes through, or `ms` pass. */
async function retry(pubsub: PubSub, channel: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (
      await pubsub.subscribe([channel]).then(
        () => true,
        () => false,
      )
    )
      return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** ioredis 5.11's sharded subscriber group with no subscriber left for any slot. */
function strand(client: Redis): void {
  const group = (
    client as unknown as { shardedSubscribers: { shardedSubscribers: Map<string, unknown> } }
  ).shardedSubscribers;
  group.shardedSubscribers.clear();
}

describe.skipIf(!enabled)('a Redis Cluster subscriber that refuses every subscription', () => {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await RedisCluster.start([7670, 7671, 7672]);
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('is replaced within seconds, when ready but stranded, by one that subscribes and receives', async () => {
    const seeds = cluster!.seeds;
    const { pubsub, opened, messages, told } = watchedPubSub({ cluster: seeds });
    const publisher = new Cluster(
      seeds.map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })),
    );
    try {
      await pubsub.connect();
      await pubsub.subscribe(['{room}a']);
      strand(opened[0]!);
      await expect(pubsub.subscribe(['{room}b'])).rejects.toThrow('No sharded subscriber for slot');
      const stuck = Date.now();
      expect(await retry(pubsub, '{room}b', 15_000)).toBe(true);
      expect(Date.now() - stuck).toBeLessThan(8_000);
      expect(opened).toHaveLength(2);
      expect(['close', 'end']).toContain(opened[0]!.status);
      // The bus is told to subscribe again to all it holds, on the new client.
      expect(told).toContain('dropped');
      await waitUntil(() => told.at(-1) === 'back', 'the new client to be reported back');
      await waitUntil(async () => {
        await publisher.spublish('{room}b', 'hello');
        return messages.includes('hello');
      }, 'a message on the new client');
    } finally {
      pubsub.disconnect();
      publisher.disconnect();
    }
  }, 40_000);

  it('is left to ioredis while it is not ready (an outage): never replaced for that', async () => {
    const { pubsub, opened } = watchedPubSub({ cluster: cluster!.seeds });
    try {
      await pubsub.connect();
      // Ended: every subscription fails at once, "Connection is closed", as in an outage.
      opened[0]!.disconnect();
      expect(await retry(pubsub, '{room}c', 4_500)).toBe(false);
      expect(opened).toHaveLength(1);
    } finally {
      pubsub.disconnect();
    }
  }, 20_000);
});
