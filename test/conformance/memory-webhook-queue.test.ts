import { MemoryWebhookQueue } from '../../src/webhooks/memory-queue.ts';
import { webhookQueueContract } from './webhook-queue.suite.ts';

webhookQueueContract('MemoryWebhookQueue', {
  make: async (limits) => {
    const queue = new MemoryWebhookQueue(limits);
    return [queue, queue];
  },
});
