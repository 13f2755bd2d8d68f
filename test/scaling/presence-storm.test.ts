/**
 * Many users join one presence channel at the same moment, spread over the nodes: every
 * member's view (the roster it got, then the member events after it) ends with every member,
 * each once (issue #10, case 5). Several joins at once on one node is what the two-user race
 * (join-race.test.ts) does not cover: a later local join must not make the node skip bus
 * messages an earlier local socket still needs. On one Redis, then on a Redis Cluster
 * (7626-7628), where each round's channel lands on its own shard.
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

const backends = await redisBackends('presence join storms', {
  single: 7500,
  cluster: [7626, 7627, 7628],
});
const ROUNDS = 40;
const USERS_PER_NODE = 4;

interface View {
  readonly ids: Set<string>;
  /** member_added for someone already listed, member_removed for someone not listed. */
  faults: number;
}

/** The roster `subscription_succeeded` gave, then each member event after it. */
function view(client: PusherClient, channel: string): View {
  const seen: View = { ids: new Set(), faults: 0 };
  const room = client.subscribe(channel) as PresenceChannel;
  room.bind('pusher:subscription_succeeded', () => {
    room.members.each((m: { id: string }) => seen.ids.add(m.id));
  });
  room.bind('pusher:member_added', (m: { id: string }) => {
    if (seen.ids.has(m.id)) seen.faults++;
    seen.ids.add(m.id);
  });
  room.bind('pusher:member_removed', (m: { id: string }) => {
    if (!seen.ids.delete(m.id)) seen.faults++;
  });
  return seen;
}

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`presence join storms across nodes (${backend.label})`, () =>
    storms(backend),
  );
}

function storms(backend: BackendCase): void {
  let redis: RedisBackend | undefined;
  const nodes: ClusterNode[] = [];

  beforeAll(async () => {
    redis = await backend.start();
    const prefix = uniquePrefix('storm');
    // One after another: three processes starting at once on a busy machine time out.
    for (let i = 0; i < 3; i++) nodes.push(await redis.node(prefix));
  }, 90_000);

  afterAll(async () => {
    disconnectAllPushers();
    await stopAllNodes();
    await redis?.stop();
  });

  it(`every view lists all ${2 * USERS_PER_NODE} members once, in ${ROUNDS} rounds`, async () => {
    const users = Array.from({ length: 2 * USERS_PER_NODE }, (_, i) => `u${i}`);
    const clients = await Promise.all(
      users.map((id, i) => connectPusher(nodes[i % 2]!.port, { presence: { user_id: id } })),
    );
    const everyone = [...users].sort().join();
    const wrong: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const channel = `presence-storm-${round}`;
      const views = clients.map((client) => view(client, channel));
      await waitUntil(
        () => views.every((v) => v.ids.size === users.length),
        `every view of ${channel}`,
        5_000,
      ).catch(() => undefined);
      // A late duplicate would come within milliseconds of the last join.
      await new Promise((resolve) => setTimeout(resolve, 30));
      views.forEach((v, i) => {
        const ids = [...v.ids].sort().join();
        if (ids !== everyone || v.faults > 0)
          wrong.push(`${channel} ${users[i]}: [${ids}] faults ${v.faults}`);
      });
      for (const client of clients) client.unsubscribe(channel);
    }
    expect(wrong).toEqual([]);
  }, 300_000);

  it(`every staying member's view ends with the stayers, when others join and leave at once`, async () => {
    const users = Array.from({ length: 3 * USERS_PER_NODE }, (_, i) => `c${i}`);
    const clients = await Promise.all(
      users.map((id, i) => connectPusher(nodes[i % 3]!.port, { presence: { user_id: id } })),
    );
    const wrong: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const channel = `presence-churn-${round}`;
      // Every other user on each node stays; the rest join and leave at once.
      const stays = users.map((_, i) => Math.floor(i / 3) % 2 === 0);
      const stayers = users
        .filter((_, i) => stays[i])
        .sort()
        .join();
      const views = clients.map((client) => view(client, channel));
      clients.forEach((client, i) => {
        if (!stays[i]) setTimeout(() => client.unsubscribe(channel), (round * 7 + i * 3) % 15);
      });
      const settled = () =>
        views.every((v, i) => !stays[i] || [...v.ids].sort().join() === stayers);
      await waitUntil(settled, `the stayers' views of ${channel}`, 5_000).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 30));
      views.forEach((v, i) => {
        const ids = [...v.ids].sort().join();
        if (stays[i] && (ids !== stayers || v.faults > 0))
          wrong.push(`${channel} ${users[i]}: [${ids}] faults ${v.faults}`);
      });
      for (const client of clients) client.unsubscribe(channel);
    }
    expect(wrong).toEqual([]);
  }, 300_000);
}
