import { describe, expect, it } from 'vitest';
import { sharedMemoryQueue } from '../../test/helpers/shared-memory-queue.ts';
import { Outbox } from './outbox.ts';
import type { PostJob } from './queue.ts';

const T = 1_700_000_000_000;
let sequence = 0;
const job = (): PostJob => ({
  kind: 'post',
  id: `job-${++sequence}`,
  appId: 'a',
  url: 'http://hooks.test/in',
  batch: false,
  events: [{ name: 'channel_occupied', channel: 'room' }],
  queuedAt: T,
  attempts: 0,
});

describe('Outbox', () => {
  it('keeps the webhooks the queue cannot take and hands them over in order once it is back', async () => {
    const { queue, memory, down } = sharedMemoryQueue();
    const errors: unknown[] = [];
    const outbox = new Outbox(queue, (error) => errors.push(error));
    down(true);
    const [first, second] = [job(), job()];
    expect(await outbox.enqueue(first, T)).toBe(true);
    expect(await outbox.enqueue(second, T)).toBe(true);
    expect(outbox.owed).toBe(2);
    await expect(outbox.flush()).rejects.toThrow('Connection is closed.');
    down(false);
    await outbox.flush();
    expect(outbox.owed).toBe(0);
    const claimed = await memory.claim('a', T, 10, 1000, 'lease');
    expect(claimed.map((c) => c.job.id)).toEqual([first.id, second.id]);
    // The second waited behind the first without trying the queue.
    expect(errors).toHaveLength(1);
  });

  it('keeps an ack the queue cannot take, so a delivered webhook is not posted again', async () => {
    const { queue, memory, down } = sharedMemoryQueue();
    const outbox = new Outbox(queue, () => undefined);
    await memory.enqueue(job(), T);
    const [claimed] = await memory.claim('a', T, 10, 1000, 'lease');
    down(true);
    expect(await outbox.ack(claimed!)).toBe(true);
    down(false);
    await outbox.flush();
    expect(await memory.claim('a', T + 10_000, 10, 1000, 'later')).toEqual([]);
  });

  it('drops new webhooks once it owes its maximum', async () => {
    const { queue, down } = sharedMemoryQueue();
    const outbox = new Outbox(queue, () => undefined, 1);
    down(true);
    expect(await outbox.enqueue(job(), T)).toBe(true);
    expect(await outbox.enqueue(job(), T)).toBe(false);
  });
});
