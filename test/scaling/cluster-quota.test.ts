/**
 * `maxConnections` is the app's quota across the cluster, not per node: two Pushwire processes
 * on one Redis refuse the connection past the quota with 4004, whichever node it reaches.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startClusterNode, stopAllNodes } from '../helpers/cluster-node.ts';
import { closeAllRawClients, RawClient } from '../helpers/raw-client.ts';
import { REDIS_URL, redisGate, uniquePrefix } from '../helpers/redis.ts';

const enabled = await redisGate('cluster-wide connection quota');

afterAll(async () => {
  await closeAllRawClients();
  await stopAllNodes();
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

describe.skipIf(!enabled)('maxConnections across two nodes', () => {
  it('refuses with 4004 on either node once the app has maxConnections open cluster-wide', async () => {
    const apps = [{ id: '1', key: 'app-key', secret: 'app-secret', maxConnections: 4 }];
    const env = { PUSHWIRE_APPS: JSON.stringify(apps) };
    const prefix = uniquePrefix('quota');
    const [a, b] = await Promise.all([
      startClusterNode(REDIS_URL, prefix, env),
      startClusterNode(REDIS_URL, prefix, env),
    ]);
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
    const [a, b] = await Promise.all([
      startClusterNode(REDIS_URL, prefix, env),
      startClusterNode(REDIS_URL, prefix, env),
    ]);
    await RawClient.connect(url(a.port));
    await pause(COUNTS_SEEN_MS);
    // Node B has never checked this app's quota: it reads the cluster's count before deciding.
    const { frame } = await attempt(b.port);
    expect(frame.data).toMatchObject({ code: 4004 });
  }, 30_000);
});
