/**
 * `maxConnections` is the app's quota across the cluster, not per node: two Pushwire processes
 * on one Redis refuse the connection past the quota with 4004, whichever node it reaches. On the
 * shared Redis, then on a Redis Cluster of the suite's own (7638-7640).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllNodes } from '../helpers/cluster-node.ts';
import { closeAllRawClients, RawClient } from '../helpers/raw-client.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { redisBackends, type BackendCase, type RedisBackend } from '../helpers/redis-backend.ts';

const backends = await redisBackends('cluster-wide connection quota', {
  single: 'shared',
  cluster: [7638, 7639, 7640],
});

/** Past the counts' staleness (shared within 1 s, read every second). */
const COUNTS_SEEN_MS = 2_500;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const url = (port: number) => `ws://127.0.0.1:${port}`;

/** The first frame the node sends: connection_established, or the refusal. */
async function attempt(port: number) {
  const client = await RawClient.open(`${url(port)}/app/app-key?protocol=7`);
  const frame = await client.waitFor(() => true);
  return { client, frame };
}

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`maxConnections across two nodes (${backend.label})`, () =>
    quota(backend),
  );
}

function quota(backend: BackendCase): void {
  let redis: RedisBackend;

  beforeAll(async () => {
    redis = await backend.start();
  }, 60_000);
  afterAll(async () => {
    await closeAllRawClients();
    await stopAllNodes();
    await redis?.stop();
  });

  it('refuses with 4004 on either node once the app has maxConnections open cluster-wide', async () => {
    const apps = [{ id: '1', key: 'app-key', secret: 'app-secret', maxConnections: 4 }];
    const env = { PUSHWIRE_APPS: JSON.stringify(apps) };
    const prefix = uniquePrefix('quota');
    const [a, b] = await Promise.all([redis.node(prefix, env), redis.node(prefix, env)]);
    for (let i = 0; i < 3; i++) await RawClient.connect(url(a.port));
    await pause(COUNTS_SEEN_MS);
    // Node B alone has none: it admits one (4 in all), then refuses.
    await RawClient.connect(url(b.port));
    await pause(COUNTS_SEEN_MS);
    for (const port of [b.port, a.port]) {
      const { client, frame } = await attempt(port);
      expect(frame.event).toBe('pusher:error');
      expect(frame.data).toMatchObject({ code: 4004 });
      expect((await client.closed).code).toBe(4004);
    }
  }, 30_000);

  it("refuses on a node's first connection of the app when the other nodes hold the quota", async () => {
    const apps = [{ id: '1', key: 'app-key', secret: 'app-secret', maxConnections: 1 }];
    const env = { PUSHWIRE_APPS: JSON.stringify(apps) };
    const prefix = uniquePrefix('quota-first');
    const [a, b] = await Promise.all([redis.node(prefix, env), redis.node(prefix, env)]);
    await RawClient.connect(url(a.port));
    await pause(COUNTS_SEEN_MS);
    // Node B has never checked this app's quota: it reads the cluster's count before deciding.
    const { frame } = await attempt(b.port);
    expect(frame.data).toMatchObject({ code: 4004 });
  }, 30_000);
}
