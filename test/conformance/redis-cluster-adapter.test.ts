/**
 * The Redis adapter on a Redis Cluster (three masters of the suite's own, with a password): the
 * same contract as on one Redis, every script on one slot, and per-channel routing over sharded
 * pub/sub.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisAdapter } from '../../src/adapter/redis/adapter.ts';
import type { ChannelEvent } from '../../src/channels/channel-events.ts';
import { OutboundFrame } from '../../src/protocol/frames.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { RedisCluster, redisClusterGate } from '../helpers/redis-cluster.ts';
import { waitUntil } from '../helpers/wait.ts';
import { adapterContract, RecordingSubscriber } from './adapter.suite.ts';

const enabled = redisClusterGate('RedisAdapter on Redis Cluster');
let cluster: RedisCluster;
const open: RedisAdapter[] = [];

beforeAll(async () => {
  if (enabled) cluster = await RedisCluster.start([7301, 7302, 7303], 'cluster-secret');
}, 60_000);
afterEach(async () => {
  await Promise.all(open.splice(0).map((adapter) => adapter.close()));
});
afterAll(async () => {
  await cluster?.stop();
});

async function nodes(
  count: number,
  prefix = uniquePrefix('cluster'),
  options: { heartbeatMs?: number; onReclaim?: (event: ChannelEvent) => void } = {},
) {
  const adapters: RedisAdapter[] = [];
  for (let i = 0; i < count; i++)
    adapters.push(await RedisAdapter.connect({ cluster: cluster.seeds, prefix, ...options }));
  open.push(...adapters);
  return adapters;
}

describe.skipIf(!enabled)('RedisAdapter on Redis Cluster', () => {
  adapterContract('RedisAdapter (cluster)', { maxNodes: 2, make: (n) => nodes(n) });

  it('subscribes each node, on the shard of each channel, only to the channels it holds', async () => {
    const prefix = uniquePrefix('routes');
    const [a, b] = await nodes(2, prefix);
    const client = cluster.client();
    const listeners = async (channel: string) => {
      let total = 0;
      for (const master of client.nodes('master')) {
        const reply = (await master.call(
          'PUBSUB',
          'SHARDNUMSUB',
          `${prefix}:{a:${channel}}:bus`,
        )) as [string, number];
        total += Number(reply[1]);
      }
      return total;
    };
    await client.ping();
    const onA = new RecordingSubscriber('1.1');
    const onB = new RecordingSubscriber('2.2');
    const channels = Array.from({ length: 20 }, (_, i) => `spread-${i}`);
    await Promise.all(channels.map((channel) => a!.join('a', channel, onA)));
    await b!.join('a', 'held-by-b', onB);
    expect(await Promise.all(channels.map(listeners))).toEqual(channels.map(() => 1));
    expect([a!.routeCount, b!.routeCount]).toEqual([20, 1]);
    for (const channel of channels)
      a!.publish('a', channel, new OutboundFrame(JSON.stringify({ event: 'e', channel })));
    await waitUntil(() => onA.frames.length === 20, 'a delivery on every shard');
    await b!.leave('a', 'held-by-b', onB);
    await waitUntil(() => b!.routeCount === 0, 'B to unsubscribe');
    expect(await listeners('held-by-b')).toBe(0);
    expect(onB.frames).toEqual([]);
    client.disconnect();
  });

  it("takes back a crashed node's members and channels, across shards", async () => {
    const prefix = uniquePrefix('crash');
    const reclaimed: ChannelEvent[] = [];
    const [survivor] = await nodes(1, prefix, {
      heartbeatMs: 100,
      onReclaim: (event) => reclaimed.push(event),
    });
    const [doomed] = await nodes(1, prefix, { heartbeatMs: 100 });
    const watcher = new RecordingSubscriber('1.1');
    await survivor!.join('a', 'presence-x', watcher, { userId: 'stays', userInfo: undefined });
    await doomed!.join('a', 'presence-x', new RecordingSubscriber('2.2'), {
      userId: 'crashes',
      userInfo: undefined,
    });
    await doomed!.join('a', 'lonely', new RecordingSubscriber('3.3'));
    open.splice(open.indexOf(doomed!), 1);
    doomed!.abandon();
    await waitUntil(() => reclaimed.length >= 2, 'both reclaims', 10_000);
    expect(reclaimed).toEqual(
      expect.arrayContaining([
        { name: 'member_removed', appId: 'a', channel: 'presence-x', userId: 'crashes' },
        { name: 'channel_vacated', appId: 'a', channel: 'lonely' },
      ]),
    );
    expect(await survivor!.channels('a')).toEqual(
      new Map([['presence-x', { subscriptionCount: 1, userCount: 1 }]]),
    );
  });
});
