/**
 * Three Pushwire processes on a redis-server of the test's own; one is killed with SIGKILL. The
 * survivors tell clients and webhooks that its members left, within 10 s, once (issue #10,
 * case 6).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startClusterNode, stopAllNodes } from '../helpers/cluster-node.ts';
import { connectPusher, disconnectAllPushers, subscribeAndWait } from '../helpers/pusher-client.ts';
import { redisGate, uniquePrefix } from '../helpers/redis.ts';
import { RedisServer } from '../helpers/redis-server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('node crashes');
let redis: RedisServer | undefined;
let receiver: Server | undefined;

afterAll(async () => {
  disconnectAllPushers();
  await stopAllNodes();
  await redis?.stop();
  receiver?.close();
});

/** Webhook posts as they arrive: `name user_id` per event. */
async function webhookReceiver(): Promise<{ url: string; events: string[] }> {
  const events: string[] = [];
  receiver = createServer((req, res) => {
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
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, events };
}

describe.skipIf(!enabled)('a node killed with SIGKILL', () => {
  it('has its members removed by the survivors within 10 s, for clients and webhooks, once', async () => {
    redis = await RedisServer.start(7110);
    const hooks = await webhookReceiver();
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
    const a = await startClusterNode(redis.url, prefix, env);
    const b = await startClusterNode(redis.url, prefix, env);
    const doomed = await startClusterNode(redis.url, prefix, env);
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
      `kill -9 → member_removed to clients after ${Math.max(removedFor.alice!, removedFor.bob!) - killed} ms, webhook after ${webhookAfter} ms`,
    );
  }, 60_000);
});
