/**
 * The nodes' pub/sub connections are killed (`CLIENT KILL TYPE pubsub`) while events flow and
 * Redis itself stays up: every event answered 200 reaches every subscriber once (issue #10,
 * case 7), read back from the channel's log for what the link missed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startClusterNode, stopAllNodes } from '../helpers/cluster-node.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { redisGate, uniquePrefix } from '../helpers/redis.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('dropped pub/sub links');
let redis: RedisServer | undefined;

afterAll(async () => {
  disconnectAllPushers();
  await stopAllNodes();
  await redis?.stop();
});

describe.skipIf(!enabled)('a dropped pub/sub link', () => {
  it('loses none of the events answered 200 and delivers each once', async () => {
    redis = await RedisServer.start(7130);
    const prefix = uniquePrefix('pubsub');
    const [a, b] = await Promise.all([
      startClusterNode(redis.url, prefix),
      startClusterNode(redis.url, prefix),
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
      kills += Number(await redis.command('CLIENT', 'KILL', 'TYPE', 'pubsub'));
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
  }, 60_000);
});
