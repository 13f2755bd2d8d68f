import { afterEach, describe } from 'vitest';
import { RedisWebhookQueue } from '../../src/webhooks/redis-queue.ts';
import { REDIS_URL, redisGate, uniquePrefix } from '../helpers/redis.ts';
import { webhookQueueContract } from './webhook-queue.suite.ts';

const enabled = await redisGate('RedisWebhookQueue');
const open: RedisWebhookQueue[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close()));
});

describe.skipIf(!enabled)('RedisWebhookQueue', () => {
  // Two connections on one prefix: two nodes of one cluster.
  webhookQueueContract('RedisWebhookQueue', {
    make: async (limits) => {
      const prefix = uniquePrefix('webhook-queue');
      const nodes = await Promise.all(
        [0, 1].map(() => RedisWebhookQueue.connect({ url: REDIS_URL, prefix, ...limits })),
      );
      open.push(...nodes);
      return [nodes[0]!, nodes[1]!];
    },
  });
});
