import { afterEach, describe, expect, it } from 'vitest';
import { RedisAdapter } from '../../src/adapter/redis.ts';
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
    const [survivor, doomed] = await cluster(2, 100);
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
