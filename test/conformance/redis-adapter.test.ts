import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisAdapter } from '../../src/adapter/redis/adapter.ts';
import { AdapterUnavailableError } from '../../src/errors.ts';
import { memberAdded, OutboundFrame } from '../../src/protocol/frames.ts';
import { RedisServer } from '../helpers/redis-server.ts';
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

async function node(
  prefix: string,
  options: { heartbeatMs?: number; nodeTimeoutMs?: number },
): Promise<RedisAdapter> {
  const adapter = await RedisAdapter.connect({ url: REDIS_URL, prefix, ...options });
  open.push(adapter);
  return adapter;
}

const frame = (text: string) => new OutboundFrame(text);

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
    // Both shares are taken back by one reclaim, in the order of the index.
    await waitUntil(() => reclaimed.length >= 2, 'both reclaims');
    expect(reclaimed).toEqual(
      expect.arrayContaining([
        { name: 'member_removed', appId: 'a', channel: 'presence-x', userId: 'crashes' },
        { name: 'channel_vacated', appId: 'a', channel: 'lonely' },
      ]),
    );
    expect(reclaimed).toHaveLength(2);
  });

  it('ignores a leave whose share was reclaimed', async () => {
    const prefix = uniquePrefix('reclaimed');
    // The stalled node never beats again on its own, so the survivor takes its share back.
    const stalled = await node(prefix, { heartbeatMs: 60_000, nodeTimeoutMs: 2_000 });
    const onStalled = new RecordingSubscriber('4.4');
    await stalled.join('a', 'room', onStalled);
    const survivor = await node(prefix, { heartbeatMs: 100, nodeTimeoutMs: 2_000 });
    await survivor.join('a', 'room', new RecordingSubscriber('5.5'));
    const redis = new Redis(REDIS_URL);
    await waitUntil(
      async () => (await redis.exists(`${prefix}:node:${stalled.nodeId}`)) === 0,
      'the reclaim',
      10_000,
    );
    redis.disconnect();
    expect(await survivor.channel('a', 'room')).toEqual({ subscriptionCount: 1 });
    expect(await stalled.leave('a', 'room', onStalled)).toMatchObject({ channelVacated: false });
    expect(await survivor.channel('a', 'room')).toEqual({ subscriptionCount: 1 });
  });

  it('re-registers the members of a node presumed dead when it beats again, disconnecting no one', async () => {
    const prefix = uniquePrefix('presumed');
    // Beats every 3 s while the others give up on a node after 2 s: presumed dead between beats.
    const slow = await node(prefix, { heartbeatMs: 3_000, nodeTimeoutMs: 2_000 });
    const onSlow = new RecordingSubscriber('6.6');
    await slow.join('a', 'presence-p', onSlow, { userId: 'slow', userInfo: { n: 1 } });
    const survivor = await node(prefix, { heartbeatMs: 100, nodeTimeoutMs: 2_000 });
    const watcher = new RecordingSubscriber('7.7');
    await survivor.join('a', 'presence-p', watcher, { userId: 'watch', userInfo: undefined });
    const events = () => watcher.frames.map((f) => (JSON.parse(f) as { event: string }).event);
    await waitUntil(
      () => events().includes('pusher_internal:member_added'),
      'removed, then added again',
      15_000,
    );
    expect(events()).toEqual(['pusher_internal:member_removed', 'pusher_internal:member_added']);
    expect(JSON.parse(watcher.frames[1]!)).toMatchObject({
      data: JSON.stringify({ user_id: 'slow', user_info: { n: 1 } }),
    });
    expect(await survivor.channel('a', 'presence-p')).toEqual({
      subscriptionCount: 2,
      userCount: 2,
    });
    expect(onSlow.disconnects).toEqual([]);
  });

  it('subscribes a node only to the channels its sockets hold, and to its signed-in users', async () => {
    const prefix = uniquePrefix('routes');
    const [a, b] = await cluster(2, undefined, prefix);
    const redis = new Redis(REDIS_URL);
    const listeners = async (channel: string) =>
      ((await redis.pubsub('NUMSUB', `${prefix}:{a:${channel}}:bus`)) as [string, number])[1];
    const onA = new RecordingSubscriber('1.1');
    const onB = new RecordingSubscriber('2.2');
    await a!.join('a', 'held-by-a', onA);
    await b!.join('a', 'held-by-b', onB);
    await b!.signIn('a', 'bob', onB);
    await waitUntil(async () => (await listeners('#server-to-user-bob')) === 1, 'the user route');
    expect([await listeners('held-by-a'), await listeners('held-by-b')]).toEqual([1, 1]);
    expect([a!.routeCount, b!.routeCount]).toEqual([1, 2]);
    a!.publish('a', 'held-by-a', frame('only A'));
    await waitUntil(() => onA.frames.length === 1, 'the delivery on A');
    await b!.leave('a', 'held-by-b', onB);
    await b!.signOut('a', 'bob', onB);
    await waitUntil(() => b!.routeCount === 0, 'B to unsubscribe');
    expect([await listeners('held-by-b'), await listeners('#server-to-user-bob')]).toEqual([0, 0]);
    expect(onB.frames).toEqual([]);
    redis.disconnect();
  });

  it('while its Redis is down: refuses batches at once, holds joins, and completes them on return', async () => {
    const server = await RedisServer.start(7106);
    try {
      const adapter = await RedisAdapter.connect({
        url: server.url,
        prefix: uniquePrefix('hold'),
        joinHoldMs: 800,
      });
      open.push(adapter);
      const listener = new RecordingSubscriber('8.8');
      await adapter.join('a', 'room', listener);
      await server.kill();
      await waitUntil(() => adapter.notReady(), 'the outage to be seen', 3_000);
      const started = Date.now();
      await expect(
        adapter.publishBatch('a', [{ channel: 'room', frame: frame('x') }]),
      ).rejects.toBeInstanceOf(AdapterUnavailableError);
      await expect(adapter.channels('a')).rejects.toBeInstanceOf(AdapterUnavailableError);
      expect(Date.now() - started).toBeLessThan(200);
      await expect(
        adapter.join('a', 'late', new RecordingSubscriber('9.9')),
      ).rejects.toBeInstanceOf(AdapterUnavailableError);
      const held = adapter.join('a', 'later', new RecordingSubscriber('10.10'));
      await server.start();
      expect(await held).toMatchObject({ ok: true, channelOccupied: true });
      await waitUntil(() => adapter.notReady() === undefined, 'the node to be ready again');
      expect(await adapter.channels('a')).toEqual(
        new Map([
          ['room', { subscriptionCount: 1 }],
          ['later', { subscriptionCount: 1 }],
        ]),
      );
      expect(listener.frames).toEqual([]);
    } finally {
      await Promise.all(open.splice(0).map((adapter) => adapter.close()));
      await server.stop();
    }
  }, 20_000);

  it('connects to a Redis that wants a password, given in the URL', async () => {
    const server = await RedisServer.start(7108);
    try {
      await server.command('CONFIG', 'SET', 'requirepass', 'adapter-secret');
      const url = `redis://:adapter-secret@127.0.0.1:${server.port}`;
      const [a, b] = [
        await RedisAdapter.connect({ url, prefix: uniquePrefix('password') }),
        await RedisAdapter.connect({ url, prefix: uniquePrefix('password') }),
      ];
      open.push(a, b);
      const listener = new RecordingSubscriber('11.11');
      expect(await a.join('a', 'guarded', listener)).toMatchObject({ ok: true });
      a.publish('a', 'guarded', frame('{"event":"e"}'));
      await waitUntil(() => listener.frames.length === 1, 'the delivery');
      await expect(
        RedisAdapter.connect({ url: server.url, prefix: uniquePrefix('nopassword') }),
      ).rejects.toThrow();
    } finally {
      await Promise.all(open.splice(0).map((adapter) => adapter.close()));
      await server.stop();
    }
  });

  it('announces the members of a node that died while Redis was away and came back empty', async () => {
    const server = await RedisServer.start(7107);
    try {
      const prefix = uniquePrefix('died-meanwhile');
      const survivor = await RedisAdapter.connect({ url: server.url, prefix });
      const doomed = await RedisAdapter.connect({ url: server.url, prefix });
      open.push(survivor);
      const watcher = new RecordingSubscriber('11.11');
      await survivor.join('a', 'presence-x', watcher, { userId: 'stays', userInfo: undefined });
      const joined = await doomed.join('a', 'presence-x', new RecordingSubscriber('12.12'), {
        userId: 'dies',
        userInfo: undefined,
      });
      // As the session does after a join that added a member.
      const added = memberAdded('presence-x', 'dies', undefined);
      doomed.publish('a', 'presence-x', added, '12.12', joined.ok ? joined.rosterVersion : 0);
      await waitUntil(() => watcher.frames.length === 1, 'member_added for the doomed member');
      await server.kill();
      doomed.abandon();
      await server.restart(true);
      const back = Date.now();
      await waitUntil(() => watcher.frames.length === 2, 'member_removed', 10_000);
      expect(Date.now() - back).toBeLessThan(10_000);
      expect(JSON.parse(watcher.frames[1]!)).toMatchObject({
        event: 'pusher_internal:member_removed',
        data: JSON.stringify({ user_id: 'dies' }),
      });
      expect(await survivor.members('a', 'presence-x')).toEqual(['stays']);
    } finally {
      await Promise.all(open.splice(0).map((adapter) => adapter.close()));
      await server.stop();
    }
  }, 20_000);

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
