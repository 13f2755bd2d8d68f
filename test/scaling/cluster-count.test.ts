/**
 * `subscription_count` on a busy channel held on two Pushwire processes: announced once per
 * interval for the whole cluster (not once per node), with the cluster-wide count, and the same
 * announcements reach the subscribers of both nodes. On the shared Redis, then on a Redis Cluster
 * of the suite's own (7635-7637).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stopAllNodes } from '../helpers/cluster-node.ts';
import type { WireFrame } from '../helpers/fake-transport.ts';
import { closeAllRawClients, RawClient } from '../helpers/raw-client.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { redisBackends, type BackendCase, type RedisBackend } from '../helpers/redis-backend.ts';
import { waitUntil } from '../helpers/wait.ts';

const backends = await redisBackends('cluster-wide subscription_count', {
  single: 'shared',
  cluster: [7635, 7636, 7637],
});

const CHANNEL = 'crowd';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function subscriber(port: number): Promise<RawClient> {
  const client = await RawClient.connect(`ws://127.0.0.1:${port}`);
  client.subscribe(CHANNEL);
  await client.waitForEvent('pusher_internal:subscription_succeeded', CHANNEL);
  return client;
}

/** Every count announcement a client got, with when it arrived. */
function recordCounts(client: RawClient): Array<{ at: number; count: number }> {
  const seen: Array<{ at: number; count: number }> = [];
  client.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as WireFrame;
    if (frame.event !== 'pusher_internal:subscription_count') return;
    const { subscription_count: count } = JSON.parse(String(frame.data)) as {
      subscription_count: number;
    };
    seen.push({ at: Date.now(), count });
  });
  return seen;
}

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`subscription_count across two nodes (${backend.label})`, () =>
    counts(backend),
  );
}

function counts(backend: BackendCase): void {
  let redis: RedisBackend | undefined;

  afterAll(async () => {
    await closeAllRawClients();
    await stopAllNodes();
    await redis?.stop();
  });

  it('is announced once per 5 s cluster-wide, with the same cluster-wide count on both nodes', async () => {
    redis = await backend.start();
    const prefix = uniquePrefix('count');
    const [a, b] = await Promise.all([redis.node(prefix), redis.node(prefix)]);
    const observers = [await subscriber(a.port), await subscriber(b.port)];
    const counts = observers.map(recordCounts);
    const clients: RawClient[] = [];
    for (let i = 0; i < 108; i += 12) {
      const batch = Array.from({ length: 12 }, (_, j) => subscriber(j % 2 ? a.port : b.port));
      clients.push(...(await Promise.all(batch)));
    }
    // Churn on both nodes for 12 s: a join on A, then a join on B, a few times a second.
    const churnStart = Date.now();
    for (let i = 0; Date.now() - churnStart < 12_000; i++) {
      clients.push(await subscriber(i % 2 ? a.port : b.port));
      await pause(250);
    }
    const total = clients.length + observers.length;
    await waitUntil(
      () => counts.every((seen) => seen.at(-1)?.count === total),
      'the final count on both nodes',
      12_000,
    );
    const busy = counts.map((seen) => seen.filter(({ count }) => count > 100));
    // One announcement per interval: none within 5 s of the one before (±0.5 s of delivery).
    const gaps = busy[0]!.slice(1).map(({ at }, i) => at - busy[0]![i]!.at);
    expect(busy[0]!.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...gaps)).toBeGreaterThan(4_500);
    // Both nodes' subscribers got the same announcements, ending at the cluster-wide count.
    expect(busy[1]!.map(({ count }) => count)).toEqual(busy[0]!.map(({ count }) => count));
  }, 60_000);
}
