/**
 * Two users join one presence channel at the same moment, on two nodes: each one's view (the
 * roster it got, then the events after it) lists every member once and misses none (issue #10,
 * case 5). Sixty trials, each on a fresh channel.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startClusterNode, stopAllNodes } from '../helpers/cluster-node.ts';
import {
  connectPusher,
  disconnectAllPushers,
  type PusherClient,
} from '../helpers/pusher-client.ts';
import type { PresenceChannel } from '../helpers/pusher-js.ts';
import { redisGate, uniquePrefix } from '../helpers/redis.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('concurrent joins');
let redis: RedisServer | undefined;

afterAll(async () => {
  disconnectAllPushers();
  await stopAllNodes();
  await redis?.stop();
});

interface View {
  ids: string[];
  duplicates: number;
}

/** The roster `subscription_succeeded` gave, extended by each `member_added` after it. */
function view(client: PusherClient, channel: string): View {
  const seen: View = { ids: [], duplicates: 0 };
  const room = client.subscribe(channel) as PresenceChannel;
  room.bind('pusher:subscription_succeeded', () => {
    room.members.each((m: { id: string }) => seen.ids.push(m.id));
  });
  room.bind('pusher:member_added', (m: { id: string }) => {
    if (seen.ids.includes(m.id)) seen.duplicates++;
    else seen.ids.push(m.id);
  });
  return seen;
}

describe.skipIf(!enabled)('concurrent joins on two nodes', () => {
  it('never lists a member twice nor misses one, in 60 trials', async () => {
    redis = await RedisServer.start(7120);
    const prefix = uniquePrefix('race');
    const [a, b] = await Promise.all([
      startClusterNode(redis.url, prefix),
      startClusterNode(redis.url, prefix),
    ]);
    const x = await connectPusher(a!.port, { presence: { user_id: 'x' } });
    const y = await connectPusher(b!.port, { presence: { user_id: 'y' } });
    let duplicates = 0;
    let incomplete = 0;
    for (let trial = 0; trial < 60; trial++) {
      const channel = `presence-race-${trial}`;
      const views = [view(x, channel), view(y, channel)];
      await waitUntil(
        () => views.every((v) => v.ids.length >= 2),
        `both views of ${channel}`,
        5_000,
      ).catch(() => undefined);
      // A late duplicate would come within milliseconds of the join.
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const v of views) {
        duplicates += v.duplicates;
        if (v.ids.sort().join() !== 'x,y') incomplete++;
      }
      x.unsubscribe(channel);
      y.unsubscribe(channel);
    }
    expect({ duplicates, incomplete }).toEqual({ duplicates: 0, incomplete: 0 });
  }, 120_000);
});
