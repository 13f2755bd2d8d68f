/**
 * Webhooks raised while Redis is away are kept by the node and queued once Redis is back, even
 * empty: an outage loses none. A real redis-server of the test's own is killed and restarted.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticAppStore } from '../../src/apps/app-store.ts';
import { appSchema } from '../../src/config/schema.ts';
import { WebhookDispatcher, fetchSender, systemScheduler } from '../../src/webhooks/dispatcher.ts';
import { RedisWebhookQueue } from '../../src/webhooks/redis-queue.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { serviceGate } from '../helpers/service-gate.ts';
import { waitUntil } from '../helpers/wait.ts';

const hasRedisServer = () => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const enabled = await serviceGate('webhooks through a Redis outage', {
  name: 'redis-server binary',
  url: 'PATH',
  answers: async () => hasRedisServer(),
});

describe.skipIf(!enabled)('webhooks through a Redis outage', () => {
  let redis: RedisServer;
  let receiver: Server;
  let dispatcher: WebhookDispatcher;
  const received: string[] = [];
  const queueErrors: unknown[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start(7201);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const { events } = JSON.parse(body) as { events: Array<{ channel: string }> };
        received.push(...events.map((event) => event.channel));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const app = appSchema.parse({ id: 'a', key: 'k', secret: 's', webhooks: [{ url }] });
    dispatcher = new WebhookDispatcher({
      apps: new StaticAppStore([app]),
      queue: await RedisWebhookQueue.connect({
        url: redis.url,
        prefix: 'outage',
        onError: (error) => queueErrors.push(error),
      }),
      send: fetchSender,
      scheduler: systemScheduler,
      removalDelayMs: 3000,
      pollMs: 100,
    });
  });

  afterAll(async () => {
    await dispatcher?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await redis?.stop();
  });

  it('delivers once, after Redis comes back empty, a webhook raised while it was down', async () => {
    dispatcher.sink({ name: 'channel_occupied', appId: 'a', channel: 'before' });
    await waitUntil(() => received.includes('before'), 'the webhook before the outage');
    await redis.kill();
    dispatcher.sink({ name: 'channel_occupied', appId: 'a', channel: 'during' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.restart();
    await waitUntil(
      () => received.includes('during'),
      'the webhook raised during the outage',
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received).toEqual(['before', 'during']);
    // Every reconnect attempt failed with an error; the outage is reported once.
    expect(queueErrors).toHaveLength(1);
  }, 30_000);
});
