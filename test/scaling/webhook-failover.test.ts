/**
 * Issue #10 case 8: with the Redis adapter, a webhook accepted for delivery outlives the node that
 * queued it. Two Pushwire processes on a real Redis; the receiver is down; the node holding a
 * pending retry and a held member_removed is killed with SIGKILL; once the receiver is back, the
 * survivor delivers every webhook, once. On the shared Redis, then on a Redis Cluster of the
 * suite's own (7629-7631).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPusher,
  disconnectAllPushers,
  subscribeAndWait as subscribed,
} from '../helpers/pusher-client.ts';
import { stopAllNodes } from '../helpers/cluster-node.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { redisBackends, type BackendCase, type RedisBackend } from '../helpers/redis-backend.ts';
import { waitUntil } from '../helpers/wait.ts';

const backends = await redisBackends('webhooks across nodes', {
  single: 'shared',
  cluster: [7629, 7630, 7631],
});
let receiver: Server | undefined;

/** A port nothing listens on yet: the receiver is down until `startReceiver(port)`. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Every event of every request that reached the receiver, in arrival order. */
async function startReceiver(port: number) {
  const events: Array<Record<string, unknown>> = [];
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      events.push(...(JSON.parse(body) as { events: typeof events }).events);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(port, '127.0.0.1', resolve));
  return events;
}

const count = (events: Array<Record<string, unknown>>, name: string) =>
  events.filter((event) => event.name === name).length;

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`webhooks across nodes (${backend.label})`, () =>
    failover(backend),
  );
}

function failover(backend: BackendCase): void {
  let redis: RedisBackend;

  beforeAll(async () => {
    redis = await backend.start();
  }, 60_000);
  afterEach(async () => {
    disconnectAllPushers();
    await stopAllNodes();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    receiver = undefined;
  });
  afterAll(() => redis?.stop());

  function startNode(prefix: string, hookUrl: string, settings: Record<string, string>) {
    return redis.node(prefix, {
      PUSHWIRE_LOG_LEVEL: 'error',
      PUSHWIRE_APPS: JSON.stringify([
        { id: '1', key: 'app-key', secret: 'app-secret', webhooks: [{ url: hookUrl }] },
      ]),
      ...settings,
    });
  }

  let queueClient: ReturnType<RedisBackend['client']> | undefined;
  /** Jobs in the cluster's webhook queue for app 1 (redis-queue-scripts.ts names the keys). */
  const queued = (prefix: string): Promise<number> =>
    (queueClient ??= redis.client()).zcard(`${prefix}:webhooks:{1}:due`);

  it('delivers, once, the webhooks of a node killed while the receiver was down', async () => {
    const prefix = uniquePrefix('webhook-failover');
    const hookPort = await freePort();
    const hookUrl = `http://127.0.0.1:${hookPort}/hooks`;
    const settings = {
      PUSHWIRE_WEBHOOK_FIRST_RETRY_MS: '200',
      PUSHWIRE_WEBHOOK_LEASE_MS: '1000',
      PUSHWIRE_WEBHOOK_REMOVAL_DELAY_MS: '1500',
    };
    const [doomed] = await Promise.all([
      startNode(prefix, hookUrl, settings),
      startNode(prefix, hookUrl, settings),
    ]);
    // On the doomed node: channel_occupied and member_added fail and wait to be retried;
    // member_removed and channel_vacated are held for the removal delay.
    const alice = createPusher(doomed.port, { presence: { user_id: 'alice' } });
    await subscribed(alice, 'presence-room');
    alice.unsubscribe('presence-room');
    await waitUntil(async () => (await queued(prefix)) === 4, 'four webhooks queued');
    alice.disconnect();
    await doomed.kill();

    const events = await startReceiver(hookPort);
    const names = ['channel_occupied', 'member_added', 'member_removed', 'channel_vacated'];
    await waitUntil(
      () => names.every((name) => count(events, name) >= 1),
      'every webhook from the survivor',
      15_000,
    );
    // Long enough for a second delivery to show: two leases and a retry.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(names.map((name) => count(events, name))).toEqual([1, 1, 1, 1]);
    expect(events).toContainEqual({
      name: 'member_removed',
      channel: 'presence-room',
      user_id: 'alice',
    });
    expect(await queued(prefix)).toBe(0);
  }, 40_000);

  it('keeps a dead letter for the cluster: listed and redelivered through another node', async () => {
    const prefix = uniquePrefix('webhook-dead-letters');
    const hookPort = await freePort();
    const hookUrl = `http://127.0.0.1:${hookPort}/hooks`;
    const settings = {
      PUSHWIRE_WEBHOOK_FIRST_RETRY_MS: '50',
      PUSHWIRE_WEBHOOK_RETRY_FOR_MS: '200',
    };
    const [first, second] = await Promise.all([
      startNode(prefix, hookUrl, settings),
      startNode(prefix, hookUrl, settings),
    ]);
    await subscribed(createPusher(first.port, {}), 'orders');
    const letters = await waitUntil(async () => {
      const response = await second.api.get({ path: '/webhooks/dead_letters' });
      const body = (await response.json()) as { dead_letters: Array<{ id: string }> };
      return body.dead_letters.length > 0 && body.dead_letters;
    }, 'the dead letter, seen from the other node');
    expect(letters).toHaveLength(1);

    const events = await startReceiver(hookPort);
    const path = `/webhooks/dead_letters/${letters[0]!.id}/redeliver`;
    // The SDK stringifies the body itself, though its types say string.
    const redelivered = await second.api.post({ path, body: {} as unknown as string });
    expect(redelivered.status).toBe(200);
    await waitUntil(() => events.length === 1, 'the redelivered webhook');
    expect(events).toEqual([{ name: 'channel_occupied', channel: 'orders' }]);
    const left = await first.api.get({ path: '/webhooks/dead_letters' });
    expect(await left.json()).toEqual({ dead_letters: [] });
  }, 40_000);
}
