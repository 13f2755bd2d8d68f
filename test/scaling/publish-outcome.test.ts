/**
 * What an API publish answers when the node's link to Redis fails around it (issue #10, case 3),
 * with two Pushwire processes on a redis-server of the test's own (ports 7650-7652, 7657). Node A
 * carries test/helpers/redis-write-faults.ts: a publish whose event name starts `stalled-`,
 * `dropped-` or `lost-` meets that fault right after A writes it to Redis.
 * - 200 means delivered to every node, once; 503 means delivered to nobody, so a retry is safe.
 * - A reply that reached the node wins over the command timeout, however long the node's event
 *   loop stalled after the write.
 * - A publish whose reply was lost is answered by what Redis did with it, learned from the
 *   channel's log; 504 only when the node cannot learn it (Redis unreachable), never 503.
 * - A publish whose reply is merely late is confirmed by a PING on the same connection, which
 *   stays open for the other commands in flight on it.
 */
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startClusterNode, stopAllNodes, type ClusterNode } from '../helpers/cluster-node.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { redisGate, uniquePrefix } from '../helpers/redis.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('API publishes around link failures');
/** How long the fault hook holds node A's event loop (past the 800 ms command timeout). */
const STALL_MS = 1_200;
const FAULTS = pathToFileURL(new URL('../helpers/redis-write-faults.ts', import.meta.url).pathname);
const CHANNELS = ['news', 'sport', 'weather'];
const servers: RedisServer[] = [];

afterAll(async () => {
  disconnectAllPushers();
  await stopAllNodes();
  await Promise.all(servers.map((server) => server.stop()));
});

/** The status an SDK call answered (it rejects on non-2xx), and how long it took. */
async function answer(call: () => Promise<unknown>): Promise<{ status: number; ms: number }> {
  const start = Date.now();
  const outcome = (await call().then(
    () => ({ status: 200 }),
    (e: unknown) => e,
  )) as { status?: number };
  return { status: outcome.status ?? -1, ms: Date.now() - start };
}

/** Nodes A (with the fault hook) and B, a client on each in every channel, and what each got. */
async function twoNodes(port: number) {
  const redis = await RedisServer.start(port);
  servers.push(redis);
  const prefix = uniquePrefix('outcome');
  const faults = { PUSHWIRE_TEST_FAULT_REDIS_PORT: String(port) };
  const [a, b] = await Promise.all([
    startClusterNode(redis.url, prefix, faults, [FAULTS.href]),
    startClusterNode(redis.url, prefix),
  ]);
  const got: Record<string, string[]> = { A: [], B: [] };
  for (const [name, node] of [
    ['A', a!],
    ['B', b!],
  ] as const) {
    const client = await connectPusher(node.port);
    for (const channel of CHANNELS) {
      const subscribed = await subscribeAndWait(client, channel);
      subscribed.bind_global((event: string, data: { n?: number }) => {
        if (!event.startsWith('pusher:')) got[name]!.push(`${channel}/${event}/${data.n}`);
      });
    }
  }
  const ready = () =>
    waitUntil(
      async () =>
        (await a!.get('/ready')).status === 200 && (await b!.get('/ready')).status === 200,
      'both nodes ready',
      10_000,
    );
  /** What each node's client got, once deliveries have had time to arrive. */
  const delivered = async (expected: number) => {
    await waitUntil(
      () => got.A!.length >= expected && got.B!.length >= expected,
      'the deliveries',
      5_000,
    ).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const seen = { A: got.A!.splice(0).sort(), B: got.B!.splice(0).sort() };
    return seen;
  };
  return { redis, a: a!, b: b!, ready, delivered };
}

type Nodes = Awaited<ReturnType<typeof twoNodes>>;

const single = (node: ClusterNode, name: string, n: number) => () =>
  node.api.trigger('news', name, { n });
const batch = (node: ClusterNode, name: string, n: number) => () =>
  node.api.triggerBatch(
    CHANNELS.map((channel, i) => ({ channel, name, data: JSON.stringify({ n: n + i }) })),
  );
const all = (name: string, n: number) => CHANNELS.map((c, i) => `${c}/${name}/${n + i}`).sort();

describe.skipIf(!enabled)('an API publish when the link to Redis fails around it', () => {
  let nodes: Nodes;

  beforeAll(async () => {
    nodes = await twoNodes(7650);
  }, 30_000);

  afterEach(async () => {
    await nodes.ready();
  }, 15_000);

  it('answers 200 and delivers once when the event loop stalls past the timeout after the write', async () => {
    const { status, ms } = await answer(single(nodes.a, 'stalled-trigger', 1));
    // The stall did happen, past the command timeout, and Redis's reply still won.
    expect(ms).toBeGreaterThanOrEqual(STALL_MS);
    expect(status).toBe(200);
    const seen = ['news/stalled-trigger/1'];
    expect(await nodes.delivered(1)).toEqual({ A: seen, B: seen });
    expect((await nodes.a.get('/ready')).status).toBe(200);
  }, 20_000);

  it('answers 200 for a batch after such a stall, and delivers all of it once', async () => {
    const { status, ms } = await answer(batch(nodes.a, 'stalled-batch', 10));
    expect(ms).toBeGreaterThanOrEqual(STALL_MS);
    expect(status).toBe(200);
    const seen = all('stalled-batch', 10);
    expect(await nodes.delivered(3)).toEqual({ A: seen, B: seen });
  }, 20_000);

  it('answers 200 when Redis ran the publish and the link dropped before its reply', async () => {
    const { status } = await answer(single(nodes.a, 'dropped-trigger', 20));
    expect(status).toBe(200);
    const seen = ['news/dropped-trigger/20'];
    expect(await nodes.delivered(1)).toEqual({ A: seen, B: seen });
  }, 20_000);

  it('answers 200 for a batch Redis ran before the link dropped, delivering all of it once', async () => {
    const { status } = await answer(batch(nodes.a, 'dropped-batch', 30));
    expect(status).toBe(200);
    const seen = all('dropped-batch', 30);
    expect(await nodes.delivered(3)).toEqual({ A: seen, B: seen });
  }, 20_000);

  it('answers 503 and delivers nothing when the link dropped before Redis got the publish', async () => {
    const { status } = await answer(single(nodes.a, 'lost-trigger', 40));
    expect(status).toBe(503);
    expect(await nodes.delivered(0)).toEqual({ A: [], B: [] });
    // So the retry is safe: it is delivered once.
    await nodes.ready();
    expect((await answer(single(nodes.a, 'retried-trigger', 40))).status).toBe(200);
    const seen = ['news/retried-trigger/40'];
    expect(await nodes.delivered(1)).toEqual({ A: seen, B: seen });
  }, 20_000);

  it('answers 503 for a batch Redis never got, and delivers none of it', async () => {
    const { status } = await answer(batch(nodes.a, 'lost-batch', 50));
    expect(status).toBe(503);
    expect(await nodes.delivered(0)).toEqual({ A: [], B: [] });
  }, 20_000);
});

describe.skipIf(!enabled)('a hung Redis (SIGSTOP: connections open, no replies)', () => {
  it('answers queries and terminate_connections 503 within 1 s', async () => {
    const { redis, a, b, ready } = await twoNodes(7651);
    redis.pause();
    try {
      // Each on a node that has not yet seen Redis fail: the command's own timeout answers.
      const answers = await Promise.all([
        answer(() => a.api.get({ path: '/channels' })),
        answer(() => b.api.terminateUserConnections('someone')),
      ]);
      for (const { status, ms } of answers) {
        expect(status).toBe(503);
        expect(ms).toBeLessThan(1_000);
      }
    } finally {
      redis.resume();
    }
    await ready();
  }, 40_000);

  it('answers 200 for a publish Redis answered late, and keeps the connection the others use', async () => {
    const { redis, a, delivered, ready } = await twoNodes(7657);
    const connections = async () =>
      String(await redis.command('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.includes('cmd=') && !line.includes('cmd=client'))
        .map((line) => /^id=(\d+)/.exec(line)?.[1])
        .sort();
    const before = await connections();
    // Redis answers after 1 s: past the 800 ms timeout, within the PING that follows it.
    redis.pause();
    setTimeout(() => redis.resume(), 1_000);
    const { status, ms } = await answer(single(a, 'late-trigger', 70));
    expect(status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(800);
    const seen = ['news/late-trigger/70'];
    expect(await delivered(1)).toEqual({ A: seen, B: seen });
    // Not disconnected: the joins and beats in flight on it were not failed.
    expect(await connections()).toEqual(before);
    await ready();
  }, 40_000);

  it('answers 504 for a publish it wrote but cannot confirm: Redis may still run it', async () => {
    const { redis, a, delivered, ready } = await twoNodes(7652);
    redis.pause();
    let outcome: { status: number; ms: number };
    try {
      outcome = await answer(single(a, 'frozen-trigger', 60));
    } finally {
      redis.resume();
    }
    expect(outcome.status).toBe(504);
    // Bounded: the timeout, then at most 2 s spent trying to learn the outcome.
    expect(outcome.ms).toBeLessThan(3_500);
    // Redis did run it once resumed: a 503 here would have been a lie, and its retry a duplicate.
    const seen = ['news/frozen-trigger/60'];
    expect(await delivered(1)).toEqual({ A: seen, B: seen });
    await ready();
  }, 40_000);
});
