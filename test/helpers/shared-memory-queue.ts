/**
 * A MemoryWebhookQueue that poses as a shared one: several dispatchers in one test act as the
 * nodes of a cluster, and `down(true)` makes every call fail, as a Redis queue's do while Redis
 * is away.
 */
import { MemoryWebhookQueue } from '../../src/webhooks/memory-queue.ts';
import type { WebhookQueue } from '../../src/webhooks/queue.ts';

export function sharedMemoryQueue(): {
  queue: WebhookQueue;
  memory: MemoryWebhookQueue;
  down: (on: boolean) => void;
} {
  const memory = new MemoryWebhookQueue();
  let isDown = false;
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      isDown ? Promise.reject(new Error('Connection is closed.')) : call(...args);
  const queue: WebhookQueue = {
    shared: true,
    enqueue: guard((job, dueAt) => memory.enqueue(job, dueAt)),
    claim: guard((...args) => memory.claim(...args)),
    ack: guard((claimed, next) => memory.ack(claimed, next)),
    retry: guard((...args) => memory.retry(...args)),
    bury: guard((...args) => memory.bury(...args)),
    cancel: guard((...args) => memory.cancel(...args)),
    deadLetters: guard((appId) => memory.deadLetters(appId)),
    redeliver: guard((...args) => memory.redeliver(...args)),
    // Closing one node must not empty the cluster's queue.
    close: async () => undefined,
  };
  return { queue, memory, down: (on) => (isDown = on) };
}
