/**
 * The nodes' pub/sub connections are killed (`CLIENT KILL TYPE pubsub`) while events flow and
 * Redis itself stays up: every event answered 200 reaches every subscriber once (issue #10,
 * case 7), read back from the channel's log for what the link missed. On one Redis, and on a
 * Redis Cluster (7321-7323), where each shard's sharded subscriber is killed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startClusterNode, stopAllNodes } from '../helpers/cluster-node.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { redisGate, uniquePrefix } from '../helpers/redis.ts';
import { RedisCluster, redisClusterGate } from '../helpers/redis-cluster.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('dropped pub/sub links');
const clusterEnabled = redisClusterGate('dropped pub/sub links on Redis Cluster');
let redis: RedisServer | undefined;
let cluster: RedisCluster | undefined;

afterAll(async () => {
  disconnectAllPushers();
  await stopAllNodes();
  await redis?.stop();
  await cluster?.stop();
});

/** Nodes on the suite's Redis, and how to kill their pub/sub links (how many were killed). */
interface Setup {
  readonly url: string;
  readonly env: Record<string, string>;
  killPubSub(): Promise<number>;
}

describe.skipIf(!enabled)('a dropped pub/sub link', () => {
  it('loses none of the events answered 200 and delivers each once', async () => {
    redis = await RedisServer.start(7130);
    const server = redis;
    await dropsNothing({
      url: server.url,
      env: {},
      killPubSub: async () => Number(await server.command('CLIENT', 'KILL', 'TYPE', 'pubsub')),
    });
  }, 60_000);
});

describe.skipIf(!clusterEnabled)('a dropped sharded pub/sub link on a Redis Cluster', () => {
  it('loses none of the events answered 200 and delivers each once', async () => {
    cluster = await RedisCluster.start([7321, 7322, 7323]);
    const shards = cluster;
    await dropsNothing({
      // The URL is unused: the seed nodes win.
      url: 'redis://127.0.0.1:7321',
      env: { PUSHWIRE_REDIS_CLUSTER: JSON.stringify(shards.seeds) },
      killPubSub: () => shards.commandAll('CLIENT', 'KILL', 'TYPE', 'pubsub'),
    });
  }, 90_000);
});

async function dropsNothing(setup: Setup): Promise<void> {
  {
    const prefix = uniquePrefix('pubsub');
    const [a, b] = await Promise.all([
      startClusterNode(setup.url, prefix, setup.env),
      startClusterNode(setup.url, prefix, setup.env),
    ]);
    const got: Record<string, number[]> = { A: [], B: [] };
    for (const [name, node] of [
      ['A', a!],
      ['B', b!],
    ] as const) {
      const client = await connectPusher(node.port);
      const channel = await subscribeAndWait(client, 'ticks');
      channel.bind('tick', (d: { n: number }) => got[name]!.push(d.n));
    }
    const answered: number[] = [];
    let kills = 0;
    const publishing = (async () => {
      for (let n = 0; n < 480; n++) {
        // Both nodes publish, so each gets events from the other and from itself.
        const node = n % 2 === 0 ? a! : b!;
        const ok = await node.api.trigger('ticks', 'tick', { n }).then(
          () => true,
          () => false,
        );
        if (ok) answered.push(n);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      kills += await setup.killPubSub();
    }
    await publishing;
    expect(kills).toBeGreaterThanOrEqual(6);
    expect(answered.length).toBeGreaterThan(400);
    await waitUntil(
      () => answered.every((n) => got.A!.includes(n) && got.B!.includes(n)),
      'every event answered 200 on both nodes',
      10_000,
    ).catch(() => undefined);
    for (const name of ['A', 'B']) {
      const received = got[name]!;
      expect(answered.filter((n) => !received.includes(n))).toEqual([]);
      expect(received.length).toBe(new Set(received).size);
    }
  }
}
