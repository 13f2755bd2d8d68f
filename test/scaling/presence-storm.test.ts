/**
 * Many users join one presence channel at the same moment, half on each of two nodes: every
 * member's view (the roster it got, then the member events after it) ends with every member,
 * each once (issue #10, case 5). Several joins at once on one node is what the two-user race
 * (join-race.test.ts) does not cover: a later local join must not make the node skip bus
 * messages an earlier local socket still needs.
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

const enabled = await redisGate('presence join storms');
const ROUNDS = 40;
const USERS_PER_NODE = 4;
let redis: RedisServer | undefined;

afterAll(async () => {
  disconnectAllPushers();
  await stopAllNodes();
  await redis?.stop();
});

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

describe.skipIf(!enabled)('presence join storms on two nodes', () => {
  it(`every view lists all ${2 * USERS_PER_NODE} members once, in ${ROUNDS} rounds`, async () => {
    redis = await RedisServer.start(7500);
    const prefix = uniquePrefix('storm');
    const nodes = await Promise.all([
      startClusterNode(redis.url, prefix),
      startClusterNode(redis.url, prefix),
    ]);
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
});
