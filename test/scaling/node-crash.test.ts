/**
 * Three Pushwire processes on a Redis of the test's own (one redis-server, then a Redis Cluster on
 * 7623-7625); one is killed with SIGKILL. The survivors tell clients and webhooks that its members
 * left, within 10 s, once (issue #10, case 6).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { stopAllNodes } from '../helpers/cluster-node.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { redisBackends, type BackendCase, type RedisBackend } from '../helpers/redis-backend.ts';
import { waitUntil } from '../helpers/wait.ts';

const backends = await redisBackends('node crashes', { single: 7110, cluster: [7623, 7624, 7625] });

/** Webhook posts as they arrive: `name user_id` per event. */
async function webhookReceiver(): Promise<{ server: Server; url: string; events: string[] }> {
  const events: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { events: batch } = JSON.parse(body) as {
        events: Array<{ name: string; user_id?: string }>;
      };
      for (const event of batch) events.push(`${event.name} ${event.user_id ?? ''}`);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks`, events };
}

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`a node killed with SIGKILL (${backend.label})`, () =>
    nodeCrash(backend),
  );
}

function nodeCrash(backend: BackendCase): void {
  let redis: RedisBackend | undefined;
  let receiver: Server | undefined;

  afterAll(async () => {
    disconnectAllPushers();
    await stopAllNodes();
    await redis?.stop();
    receiver?.close();
  });

  it('has its members removed by the survivors within 10 s, for clients and webhooks, once', async () => {
    redis = await backend.start();
    const hooks = await webhookReceiver();
    receiver = hooks.server;
    const prefix = uniquePrefix('crash');
    const env = {
      PUSHWIRE_APPS: JSON.stringify([
        {
          id: '1',
          key: 'app-key',
          secret: 'app-secret',
          webhooks: [{ url: hooks.url, events: ['member_removed'] }],
        },
      ]),
    };
    // One after another: three cold starts at once can take long on a loaded machine.
    const a = await redis.node(prefix, env);
    const b = await redis.node(prefix, env);
    const doomed = await redis.node(prefix, env);
    const removedFor: Record<string, number> = {};
    for (const [name, node] of [
      ['alice', a],
      ['bob', b],
    ] as const) {
      const client = await connectPusher(node.port, { presence: { user_id: name } });
      const room = await subscribeAndWait(client, 'presence-room');
      room.bind('pusher:member_removed', (m: { id: string }) => {
        if (m.id === 'erin') removedFor[name] = Date.now();
      });
    }
    const erin = await connectPusher(doomed.port, { presence: { user_id: 'erin' } });
    await subscribeAndWait(erin, 'presence-room');
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const killed = Date.now();
    await doomed.kill();
    await waitUntil(
      () => removedFor.alice && removedFor.bob,
      'the survivors to tell their clients',
      10_000,
    );
    await waitUntil(
      () => hooks.events.includes('member_removed erin'),
      'the member_removed webhook',
      10_000,
    );
    const webhookAfter = Date.now() - killed;
    expect(Math.max(removedFor.alice!, removedFor.bob!) - killed).toBeLessThan(10_000);
    expect(webhookAfter).toBeLessThan(10_000);
    // Once, cluster-wide: give a second announcement the time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(hooks.events.filter((e) => e === 'member_removed erin')).toHaveLength(1);
    console.info(
      `${backend.label}: kill -9 → member_removed to clients after ${Math.max(removedFor.alice!, removedFor.bob!) - killed} ms, webhook after ${webhookAfter} ms`,
    );
  }, 60_000);
}
