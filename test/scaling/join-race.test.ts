/**
 * Two users join one presence channel at the same moment, on two nodes: each one's view (the
 * roster it got, then the events after it) lists every member once and misses none (issue #10,
 * case 5). Sixty trials on one Redis and on a Redis Cluster (7620-7622), each on a fresh channel
 * (so on the cluster they land on every shard).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllNodes, type ClusterNode } from '../helpers/cluster-node.ts';
import {
  connectPusher,
  disconnectAllPushers,
  type PusherClient,
} from '../helpers/pusher-client.ts';
import type { PresenceChannel } from '../helpers/pusher-js.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { redisBackends, type BackendCase, type RedisBackend } from '../helpers/redis-backend.ts';
import { waitUntil } from '../helpers/wait.ts';

const backends = await redisBackends('concurrent joins', {
  single: 7120,
  cluster: [7620, 7621, 7622],
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

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`concurrent joins on two nodes (${backend.label})`, () =>
    joinRace(backend),
  );
}

const TRIALS = 60;

function joinRace(backend: BackendCase): void {
  let redis: RedisBackend | undefined;
  let a: ClusterNode;
  let b: ClusterNode;

  beforeAll(async () => {
    redis = await backend.start();
    const prefix = uniquePrefix('race');
    [a, b] = await Promise.all([redis.node(prefix), redis.node(prefix)]);
  }, 60_000);

  afterAll(async () => {
    disconnectAllPushers();
    await stopAllNodes();
    await redis?.stop();
  });

  it(`never lists a member twice nor misses one, in ${TRIALS} trials`, async () => {
    const x = await connectPusher(a.port, { presence: { user_id: 'x' } });
    const y = await connectPusher(b.port, { presence: { user_id: 'y' } });
    let duplicates = 0;
    let incomplete = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
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
}
