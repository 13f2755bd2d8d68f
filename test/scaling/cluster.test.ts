/**
 * Two Pushwire processes sharing one real Redis act as one server: a client on either node sees
 * the same channels, members, events and API answers. The same on a Redis Cluster (three masters
 * of the suite's own, on 7311-7313).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import PusherServer from 'pusher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPusher,
  disconnectAllPushers,
  subscribeAndWait as subscribed,
  type PusherClient,
} from '../helpers/pusher-client.ts';
import type { PresenceChannel } from '../helpers/pusher-js.ts';
import { redisGate, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { RedisCluster, redisClusterGate } from '../helpers/redis-cluster.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('scaling over Redis');
const clusterEnabled = redisClusterGate('scaling over Redis Cluster');
let redisCluster: RedisCluster | undefined;
const ENTRY = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
const nodes: Array<{ child: ChildProcess; port: number }> = [];

async function startNode(prefix: string, redisEnv: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'start', '--port', '0'], {
    env: {
      ...process.env,
      PUSHWIRE_LOG_LEVEL: 'warn',
      PUSHWIRE_ADAPTER: 'redis',
      PUSHWIRE_REDIS_PREFIX: prefix,
      ...redisEnv,
      // The default app's credentials, with subscription_count answered.
      PUSHWIRE_APPS: JSON.stringify([
        { id: '1', key: 'app-key', secret: 'app-secret', enableSubscriptionCount: true },
      ]),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk) => (output += chunk.toString()));
  const port = await waitUntil(
    () => /listening on ws:\/\/[^:]+:(\d+)\n/.exec(output)?.[1],
    'a node to start',
    15_000,
  );
  nodes.push({ child, port: Number(port) });
  return Number(port);
}

const client = (port: number, userId: string): PusherClient =>
  createPusher(port, { presence: { user_id: userId }, user: { id: userId } });

const api = (port: number) =>
  new PusherServer({
    appId: '1',
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: String(port),
  });

describe.skipIf(!enabled)('two nodes over one Redis', () =>
  twoNodes(async () => ({ PUSHWIRE_REDIS_URL: REDIS_URL })),
);

describe.skipIf(!clusterEnabled)('two nodes over a Redis Cluster', () =>
  twoNodes(async () => {
    redisCluster = await RedisCluster.start([7311, 7312, 7313]);
    return { PUSHWIRE_REDIS_CLUSTER: JSON.stringify(redisCluster.seeds) };
  }),
);

function twoNodes(redis: () => Promise<Record<string, string>>): void {
  let portA = 0;
  let portB = 0;

  beforeAll(async () => {
    const redisEnv = await redis();
    const prefix = uniquePrefix('cluster');
    [portA, portB] = await Promise.all([startNode(prefix, redisEnv), startNode(prefix, redisEnv)]);
  }, 60_000);

  afterAll(async () => {
    disconnectAllPushers();
    await Promise.all(
      nodes.splice(0).map(
        ({ child }) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    await redisCluster?.stop();
  });

  it('shows a member who joins and leaves on the other node', async () => {
    const alice = client(portA, 'alice');
    const room = (await subscribed(alice, 'presence-lobby')) as PresenceChannel;
    const joined: string[] = [];
    const left: string[] = [];
    room.bind('pusher:member_added', (m: { id: string }) => joined.push(m.id));
    room.bind('pusher:member_removed', (m: { id: string }) => left.push(m.id));
    const bob = client(portB, 'bob');
    const bobsRoom = (await subscribed(bob, 'presence-lobby')) as PresenceChannel;
    expect(bobsRoom.members.count).toBe(2);
    await waitUntil(() => joined.includes('bob'), 'bob to appear on node A');
    bob.unsubscribe('presence-lobby');
    await waitUntil(() => left.includes('bob'), 'bob to leave on node A');
    expect(room.members.count).toBe(1);
  });

  it('delivers an event published through one node to subscribers of both', async () => {
    const onA = client(portA, 'a1');
    const onB = client(portB, 'b1');
    const received: string[] = [];
    (await subscribed(onA, 'news')).bind('flash', (d: { n: number }) => received.push(`A${d.n}`));
    (await subscribed(onB, 'news')).bind('flash', (d: { n: number }) => received.push(`B${d.n}`));
    await api(portA).trigger('news', 'flash', { n: 1 });
    await waitUntil(() => received.length === 2, 'both deliveries');
    expect(received.sort()).toEqual(['A1', 'B1']);
  });

  it('carries client events across nodes', async () => {
    const sender = client(portA, 's');
    const receiver = client(portB, 'r');
    const inbox: unknown[] = [];
    const senderChannel = await subscribed(sender, 'private-talk');
    (await subscribed(receiver, 'private-talk')).bind('client-hi', (d: unknown) => inbox.push(d));
    senderChannel.trigger('client-hi', { from: 'A' });
    await waitUntil(() => inbox.length === 1, 'the client event');
    expect(inbox).toEqual([{ from: 'A' }]);
  });

  it('answers channel queries on one node with subscribers of the other', async () => {
    await subscribed(client(portA, 'q1'), 'presence-stats');
    await subscribed(client(portB, 'q2'), 'presence-stats');
    const info = await (
      await api(portB).get({
        path: '/channels/presence-stats',
        params: { info: 'user_count,subscription_count' },
      })
    ).json();
    expect(info).toEqual({ occupied: true, user_count: 2, subscription_count: 2 });
  });

  it('terminates through one node the connections a user holds on the other', async () => {
    const victim = client(portB, 'victim');
    victim.signin();
    await waitUntil(() => victim.user.serverToUserChannel?.subscribed, 'sign-in on node B');
    await api(portA).terminateUserConnections('victim');
    await waitUntil(() => victim.connection.state === 'disconnected', 'the connection to close');
  });
}
