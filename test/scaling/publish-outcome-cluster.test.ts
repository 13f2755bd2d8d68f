/**
 * What an API publish answers when the link fails around it on a Redis Cluster (three masters on
 * 7653-7655), and when Redis refuses a transaction (7656), with Pushwire processes. Node A
 * carries test/helpers/redis-write-faults.ts for the master that owns the `news` channel.
 * - A transaction written on a connection that then closed is never sent again: Redis may have
 *   run it. The cluster does not follow its shards' connections, so that is a 504, delivered
 *   once, where resending would have answered 200 and delivered it twice.
 *   The same for a single command, as joins and leaves are: it runs at most once.
 * - Every try of a transaction redirected (MOVED) to a master that hangs is bounded: the API
 *   answers in about the command timeout, not never.
 * - A transaction Redis refused (EXECABORT: here an ACL denies the channel's keys) did not run:
 *   503 at once, the node stays ready, and its connection is kept.
 */
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openCommands } from '../../src/adapter/redis/link.ts';
import { startClusterNode, stopAllNodes, type ClusterNode } from '../helpers/cluster-node.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { redisGate, uniquePrefix } from '../helpers/redis.ts';
import { RedisCluster, redisClusterGate } from '../helpers/redis-cluster.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('API publishes Redis refused');
const clusterEnabled = redisClusterGate('API publishes around link failures on Redis Cluster');
const FAULTS = pathToFileURL(new URL('../helpers/redis-write-faults.ts', import.meta.url).pathname);
/** Longer than any bounded answer: past it, the call is taken as hung. */
const HUNG_MS = 5_000;
let cluster: RedisCluster | undefined;
let redis: RedisServer | undefined;

afterAll(async () => {
  disconnectAllPushers();
  await stopAllNodes();
  await cluster?.stop();
  await redis?.stop();
});

/** The status an SDK call answered (-2: none within HUNG_MS), and how long it took. */
async function answer(call: () => Promise<unknown>): Promise<{ status: number; ms: number }> {
  const start = Date.now();
  const outcome = (await Promise.race([
    call().then(
      () => ({ status: 200 }),
      (e: unknown) => e,
    ),
    new Promise((resolve) => setTimeout(() => resolve({ status: -2 }), HUNG_MS)),
  ])) as { status?: number };
  return { status: outcome.status ?? -1, ms: Date.now() - start };
}

/** What a client on `node` in `channel` gets. */
async function listen(node: ClusterNode, channel: string): Promise<string[]> {
  const got: string[] = [];
  const subscribed = await subscribeAndWait(await connectPusher(node.port), channel);
  subscribed.bind_global((event: string, data: { n?: number }) => {
    if (!event.startsWith('pusher:')) got.push(`${event}/${data.n}`);
  });
  return got;
}

describe.skipIf(!clusterEnabled)('an API publish on a Redis Cluster', () => {
  it('is never sent again after its connection closed: 504, and delivered once', async () => {
    cluster = await RedisCluster.start([7653, 7654, 7655]);
    const prefix = uniquePrefix('outcome-cluster');
    const env = { PUSHWIRE_REDIS_CLUSTER: JSON.stringify(cluster.seeds) };
    const owner = await cluster.portOf('{1:news}');
    const faults = { ...env, PUSHWIRE_TEST_FAULT_REDIS_PORT: String(owner) };
    const url = 'redis://127.0.0.1:7653';
    const [a, b] = await Promise.all([
      startClusterNode(url, prefix, faults, [FAULTS.href]),
      startClusterNode(url, prefix, env),
    ]);
    const got = { A: await listen(a!, 'news'), B: await listen(b!, 'news') };

    // Redis runs it; the connection closes before its reply.
    const { status } = await answer(() => a!.api.trigger('news', 'dropped-trigger', { n: 1 }));
    await waitUntil(() => got.A.length > 0 && got.B.length > 0, 'the deliveries', 5_000).catch(
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect({ status, ...got }).toEqual({
      status: 504,
      A: ['dropped-trigger/1'],
      B: ['dropped-trigger/1'],
    });
    await waitUntil(async () => (await a!.get('/ready')).status === 200, 'A ready', 10_000);

    // A resharding: A still maps the slot of `moved` to its old master, and the new one hangs.
    const from = await cluster.portOf('{1:moved}');
    const target = cluster.ports.find((port) => port !== from)!;
    await cluster.moveSlot('{1:moved}', target);
    cluster.pause(target);
    let answers: Array<{ status: number; ms: number }>;
    try {
      answers = await Promise.all([
        answer(() => a!.api.trigger('moved', 'ev', { n: 2 })),
        answer(() =>
          b!.api.get({ path: '/channels/moved', params: { info: 'subscription_count' } }),
        ),
      ]);
    } finally {
      cluster.resume(target);
    }
    // The publish was written to the master that hangs: unknown. The query: unavailable.
    expect(answers.map(({ status }) => status)).toEqual([504, 503]);
    for (const { ms } of answers) expect(ms).toBeLessThan(1_500);
  }, 90_000);

  it('runs a single command (a join, a leave) at most once when its connection closes', async () => {
    const shards = cluster!;
    const key = `${uniquePrefix('once')}:{x}`;
    const owner = await shards.portOf(key);
    const redis = openCommands({ cluster: shards.seeds });
    redis.on('error', () => undefined);
    const write = net.Socket.prototype.write as (this: net.Socket, ...args: unknown[]) => boolean;
    try {
      await redis.connect();
      // Each write of the script to the key's master is cut off right after it left.
      net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
        const cut = this.remotePort === owner && String(args[0]).includes('counted-once');
        const written = write.apply(this, args);
        if (cut) queueMicrotask(() => this.destroy());
        return written;
      } as typeof net.Socket.prototype.write;
      const outcome = await redis
        .eval("redis.call('INCR', KEYS[1]) return 'counted-once'", 1, key)
        .then(
          () => 'resolved',
          (error: Error) => error.message,
        );
      net.Socket.prototype.write = write;
      expect(outcome).toBe('Connection closed after the command was written');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await redis.get(key)).toBe('1');
    } finally {
      net.Socket.prototype.write = write;
      redis.disconnect();
    }
  }, 30_000);
});

describe.skipIf(!enabled)('an API publish Redis refuses', () => {
  it('answers 503 at once, keeps the node ready and its connection open', async () => {
    redis = await RedisServer.start(7656);
    // The keys of channels whose name ends in z are out of the node's reach.
    await redis.command(
      'ACL',
      'SETUSER',
      'default',
      'resetkeys',
      '~*[^z]}*',
      '~*:node:*',
      '~*:conns:*',
      '~*:console:*',
    );
    const prefix = uniquePrefix('refused');
    const a = await startClusterNode(redis.url, prefix);
    const connections = async () =>
      String(await redis!.command('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.includes('cmd=') && !line.includes('cmd=client'))
        .map((line) => /^id=(\d+)/.exec(line)?.[1])
        .sort();
    // The PUBLISH script is loaded on the connection first, as in any node that ran a while.
    expect((await answer(() => a.api.trigger('news', 'ev', { n: 1 }))).status).toBe(200);
    const before = await connections();
    const { status, ms } = await answer(() => a.api.trigger('blitz', 'ev', { n: 1 }));
    expect(status).toBe(503);
    expect(ms).toBeLessThan(300);
    expect((await a.get('/ready')).status).toBe(200);
    expect(await connections()).toEqual(before);
    expect((await answer(() => a.api.trigger('news', 'ev', { n: 2 }))).status).toBe(200);
  }, 30_000);
});
