import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisAdapter } from '../../src/adapter/redis.ts';
import type { ChannelEvent } from '../../src/channels/channel-events.ts';
import { REDIS_URL, redisGate, uniquePrefix } from '../helpers/redis.ts';
import { waitUntil } from '../helpers/wait.ts';
import { adapterContract, RecordingSubscriber } from './adapter.suite.ts';

const enabled = await redisGate('RedisAdapter');
const open: RedisAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((adapter) => adapter.close()));
});

async function cluster(
  nodes: number,
  heartbeatMs?: number,
  prefix = uniquePrefix('adapter'),
): Promise<RedisAdapter[]> {
  const adapters: RedisAdapter[] = [];
  for (let i = 0; i < nodes; i++) {
    adapters.push(
      await RedisAdapter.connect({
        url: REDIS_URL,
        prefix,
        ...(heartbeatMs ? { heartbeatMs } : {}),
      }),
    );
  }
  open.push(...adapters);
  return adapters;
}

describe.skipIf(!enabled)('RedisAdapter', () => {
  adapterContract('RedisAdapter', { maxNodes: 2, make: (nodes) => cluster(nodes) });

  it("takes back a crashed node's presence members and tells the survivors", async () => {
    const prefix = uniquePrefix('crash');
    const reclaimed: ChannelEvent[] = [];
    const survivor = await RedisAdapter.connect({
      url: REDIS_URL,
      prefix,
      heartbeatMs: 100,
      onReclaim: (event) => reclaimed.push(event),
    });
    open.push(survivor);
    const [doomed] = await cluster(1, 100, prefix);
    await doomed!.join('a', 'lonely', new RecordingSubscriber('3.3'));
    const watcher = new RecordingSubscriber('1.1');
    await survivor!.join('a', 'presence-x', watcher, { userId: 'stays', userInfo: undefined });
    await doomed!.join('a', 'presence-x', new RecordingSubscriber('2.2'), {
      userId: 'crashes',
      userInfo: undefined,
    });
    open.splice(open.indexOf(doomed!), 1);
    doomed!.abandon();
    await waitUntil(
      () => watcher.frames.some((f) => f.includes('member_removed')),
      'member_removed',
      10_000,
    );
    expect(JSON.parse(watcher.frames.at(-1)!)).toEqual({
      event: 'pusher_internal:member_removed',
      channel: 'presence-x',
      data: JSON.stringify({ user_id: 'crashes' }),
    });
    expect(await survivor!.channel('a', 'presence-x')).toEqual({
      subscriptionCount: 1,
      userCount: 1,
    });
    expect(reclaimed).toEqual(
      expect.arrayContaining([
        { name: 'member_removed', appId: 'a', channel: 'presence-x', userId: 'crashes' },
        { name: 'channel_vacated', appId: 'a', channel: 'lonely' },
      ]),
    );
    expect(reclaimed).toHaveLength(2);
  });

  it("ignores a leave whose share was reclaimed, and reconnects the presumed-dead node's clients", async () => {
    const prefix = uniquePrefix('reclaimed');
    // The stalled node beats rarely, so the test deletes its key long before it would renew it.
    const [stalled] = await cluster(1, 3_000, prefix);
    const onStalled = new RecordingSubscriber('4.4');
    await stalled!.join('a', 'room', onStalled);
    const [survivor] = await cluster(1, 100, prefix);
    await survivor!.join('a', 'room', new RecordingSubscriber('5.5'));
    // As if the stalled node had missed its heartbeats: the survivor takes its share back.
    const redis = new Redis(REDIS_URL);
    await redis.del(`${prefix}:alive:${stalled!.nodeId}`);
    await waitUntil(
      async () => (await redis.exists(`${prefix}:own:${stalled!.nodeId}`)) === 0,
      'the reclaim',
    );
    redis.disconnect();
    expect(await survivor!.channel('a', 'room')).toEqual({ subscriptionCount: 1 });
    expect(await stalled!.leave('a', 'room', onStalled)).toMatchObject({ channelVacated: false });
    expect(await survivor!.channel('a', 'room')).toEqual({ subscriptionCount: 1 });
    await stalled!.join('a', 'room', onStalled);
    await waitUntil(
      () => onStalled.disconnects.length > 0,
      'the stalled node to drop its clients',
      10_000,
    );
    expect(onStalled.disconnects[0]?.code).toBe(4200);
  });

  it('leaves no state behind when the last node closes', async () => {
    const prefix = uniquePrefix('closing');
    const [node] = await cluster(1, undefined, prefix);
    const socket = new RecordingSubscriber('3.3');
    await node!.join('a', 'presence-y', socket, { userId: 'u', userInfo: { n: 1 } });
    await node!.signIn('a', 'u', socket);
    open.splice(0);
    await node!.close();
    const [fresh] = await cluster(1, undefined, prefix);
    expect(await fresh!.channels('a')).toEqual(new Map());
    expect(await fresh!.onlineUsers('a', ['u'])).toEqual([]);
  });
});
