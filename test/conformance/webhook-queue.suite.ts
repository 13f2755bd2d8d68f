/**
 * The WebhookQueue contract (src/webhooks/queue.ts), as one suite every implementation runs.
 * `make` builds queues that share one state: two of them are two nodes of one cluster (a
 * single-node queue returns the same queue twice).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type {
  DeadLetter,
  HoldJob,
  PostJob,
  QueueLimits,
  WebhookQueue,
} from '../../src/webhooks/queue.ts';

export interface QueueFactory {
  make(limits?: QueueLimits): Promise<[WebhookQueue, WebhookQueue]>;
}

const T = 1_700_000_000_000;
const LEASE = 1_000;
let sequence = 0;

const post = (overrides: Partial<PostJob> = {}): PostJob => ({
  kind: 'post',
  id: `job-${++sequence}`,
  appId: 'a',
  url: 'http://hooks.test/in',
  batch: false,
  events: [{ name: 'channel_occupied', channel: `room-${sequence}` }],
  queuedAt: T,
  attempts: 0,
  ...overrides,
});

const hold = (): HoldJob => ({
  kind: 'hold',
  id: `hold-${++sequence}`,
  appId: 'a',
  event: { name: 'member_removed', appId: 'a', channel: 'presence-x', userId: 'u' },
});

const letterOf = (job: PostJob): DeadLetter => ({
  id: job.id,
  appId: job.appId,
  url: job.url,
  events: job.events,
  attempts: 9,
  lastError: 'webhook answered 500',
  queuedAt: job.queuedAt,
  failedAt: T + 300_000,
});

const lease = () => randomUUID();
const ids = (claimed: Array<{ job: { id: string } }>) => claimed.map((c) => c.job.id);

export function webhookQueueContract(name: string, factory: QueueFactory): void {
  describe(`${name} webhook queue contract`, () => {
    it('returns a job only once it is due, earliest first', async () => {
      const [queue] = await factory.make();
      const late = post();
      const early = post();
      await queue.enqueue(late, T + 200);
      await queue.enqueue(early, T + 100);
      expect(await queue.claim('a', T + 50, 10, LEASE, lease())).toEqual([]);
      expect(ids(await queue.claim('a', T + 300, 10, LEASE, lease()))).toEqual([early.id, late.id]);
    });

    it('keeps every field of a job as queued', async () => {
      const [queue] = await factory.make();
      const job = post({ batch: true, attempts: 2, lastError: 'refused' });
      const held = hold();
      await queue.enqueue(job, T);
      await queue.enqueue(held, T + 1);
      const claimed = await queue.claim('a', T + 1, 10, LEASE, lease());
      expect(claimed.map((c) => c.job)).toEqual([job, held]);
    });

    it('gives a job to one claimer while its lease holds, on any node', async () => {
      const [one, two] = await factory.make();
      await one.enqueue(post(), T);
      const [first, second] = await Promise.all([
        one.claim('a', T, 10, LEASE, lease()),
        two.claim('a', T, 10, LEASE, lease()),
      ]);
      expect([first.length, second.length].sort()).toEqual([0, 1]);
      expect(await two.claim('a', T + LEASE - 1, 10, LEASE, lease())).toEqual([]);
    });

    it('gives a job to another claimer once a lease ends without an ack (its node died)', async () => {
      const [one, two] = await factory.make();
      const job = post();
      await one.enqueue(job, T);
      const [claimed] = await one.claim('a', T, 10, LEASE, lease());
      const again = await two.claim('a', T + LEASE, 10, LEASE, lease());
      expect(ids(again)).toEqual([job.id]);
      // The first claimer, back too late, changes nothing.
      expect(await one.ack(claimed!)).toBe(false);
      expect(await two.ack(again[0]!)).toBe(true);
    });

    it('claims no more than asked', async () => {
      const [queue] = await factory.make();
      for (let i = 0; i < 5; i++) await queue.enqueue(post(), T);
      expect(await queue.claim('a', T, 2, LEASE, lease())).toHaveLength(2);
      expect(await queue.claim('a', T, 0, LEASE, lease())).toHaveLength(0);
      expect(await queue.claim('a', T, 10, LEASE, lease())).toHaveLength(3);
    });

    it('keeps the apps apart', async () => {
      const [queue] = await factory.make();
      await queue.enqueue(post({ appId: 'other' }), T);
      expect(await queue.claim('a', T, 10, LEASE, lease())).toEqual([]);
      expect(await queue.claim('other', T, 10, LEASE, lease())).toHaveLength(1);
    });

    it('removes an acked job for good', async () => {
      const [queue] = await factory.make();
      await queue.enqueue(post(), T);
      const [claimed] = await queue.claim('a', T, 10, LEASE, lease());
      expect(await queue.ack(claimed!)).toBe(true);
      expect(await queue.claim('a', T + 10 * LEASE, 10, LEASE, lease())).toEqual([]);
    });

    it('queues the jobs an ack names in the same step', async () => {
      const [one, two] = await factory.make();
      const held = hold();
      await one.enqueue(held, T);
      const [claimed] = await one.claim('a', T, 10, LEASE, lease());
      const follow = post();
      expect(await one.ack(claimed!, [{ job: follow, dueAt: T + 5 }])).toBe(true);
      expect((await two.claim('a', T + 5, 10, LEASE, lease())).map((c) => c.job)).toEqual([follow]);
    });

    it('queues nothing in place of a job whose lease was lost', async () => {
      const [queue] = await factory.make();
      await queue.enqueue(hold(), T);
      const [stale] = await queue.claim('a', T, 10, LEASE, lease());
      const [current] = await queue.claim('a', T + LEASE, 10, LEASE, lease());
      expect(await queue.ack(stale!, [{ job: post(), dueAt: T }])).toBe(false);
      expect(await queue.ack(current!)).toBe(true);
      expect(await queue.claim('a', T + 10 * LEASE, 10, LEASE, lease())).toEqual([]);
    });

    it('puts a retried job back, changed, due when asked', async () => {
      const [queue] = await factory.make();
      const job = post();
      await queue.enqueue(job, T);
      const [claimed] = await queue.claim('a', T, 10, LEASE, lease());
      const changed = { ...job, attempts: 1, lastError: 'webhook answered 503' };
      expect(await queue.retry(claimed!, changed, T + 2_000)).toBe(true);
      expect(await queue.claim('a', T + 1_999, 10, LEASE, lease())).toEqual([]);
      expect((await queue.claim('a', T + 2_000, 10, LEASE, lease())).map((c) => c.job)).toEqual([
        changed,
      ]);
    });

    it('lets a retry that lost its lease change nothing', async () => {
      const [queue] = await factory.make();
      const job = post();
      await queue.enqueue(job, T);
      const [stale] = await queue.claim('a', T, 10, LEASE, lease());
      await queue.claim('a', T + LEASE, 10, LEASE, lease());
      expect(await queue.retry(stale!, { ...job, attempts: 1 }, T)).toBe(false);
    });

    it('refuses new jobs past maxJobs for an app', async () => {
      const [queue] = await factory.make({ maxJobs: 2 });
      expect(await queue.enqueue(post(), T)).toBe(true);
      expect(await queue.enqueue(post(), T)).toBe(true);
      expect(await queue.enqueue(post(), T)).toBe(false);
      expect(await queue.enqueue(post({ appId: 'other' }), T)).toBe(true);
    });

    it('cancels a queued job, but not one already claimed', async () => {
      const [queue] = await factory.make();
      const waiting = hold();
      const taken = hold();
      await queue.enqueue(waiting, T + 3_000);
      await queue.enqueue(taken, T);
      await queue.claim('a', T, 10, LEASE, lease());
      expect(await queue.cancel('a', waiting.id)).toBe(true);
      expect(await queue.cancel('a', taken.id)).toBe(false);
      expect(await queue.cancel('a', 'no-such-job')).toBe(false);
      expect(ids(await queue.claim('a', T + 10 * LEASE, 10, LEASE, lease()))).toEqual([taken.id]);
    });

    it('keeps buried jobs as dead letters, newest first, readable from every node', async () => {
      const [one, two] = await factory.make();
      const first = post();
      const second = post();
      for (const job of [first, second]) {
        await one.enqueue(job, T);
        const [claimed] = await one.claim('a', T, 1, LEASE, lease());
        expect(await one.bury(claimed!, letterOf(job))).toBe(true);
      }
      expect(await two.deadLetters('a')).toEqual([letterOf(second), letterOf(first)]);
      expect(await two.deadLetters('other')).toEqual([]);
      expect(await one.claim('a', T + 10 * LEASE, 10, LEASE, lease())).toEqual([]);
    });

    it('keeps only the newest maxDeadLetters', async () => {
      const [queue] = await factory.make({ maxDeadLetters: 2 });
      const jobs = [post(), post(), post()];
      for (const job of jobs) {
        await queue.enqueue(job, T);
        const [claimed] = await queue.claim('a', T, 1, LEASE, lease());
        await queue.bury(claimed!, letterOf(job));
      }
      expect((await queue.deadLetters('a')).map((l) => l.id)).toEqual([jobs[2]!.id, jobs[1]!.id]);
      expect(await queue.redeliver('a', jobs[0]!.id, T)).toBeUndefined();
    });

    it('does not bury a job whose lease was lost', async () => {
      const [queue] = await factory.make();
      const job = post();
      await queue.enqueue(job, T);
      const [stale] = await queue.claim('a', T, 10, LEASE, lease());
      await queue.claim('a', T + LEASE, 10, LEASE, lease());
      expect(await queue.bury(stale!, letterOf(job))).toBe(false);
      expect(await queue.deadLetters('a')).toEqual([]);
    });

    it('redelivers a dead letter once, as a fresh job due now', async () => {
      const [one, two] = await factory.make();
      const job = post({ attempts: 8 });
      await one.enqueue(job, T);
      const [claimed] = await one.claim('a', T, 10, LEASE, lease());
      await one.bury(claimed!, letterOf(job));
      const [again, twice] = await Promise.all([
        one.redeliver('a', job.id, T + 500_000),
        two.redeliver('a', job.id, T + 500_000),
      ]);
      const fresh = again ?? twice;
      expect([again, twice].filter(Boolean)).toHaveLength(1);
      expect(fresh).toEqual({ ...job, attempts: 0, queuedAt: T + 500_000 });
      expect(await one.deadLetters('a')).toEqual([]);
      expect((await two.claim('a', T + 500_000, 10, LEASE, lease())).map((c) => c.job)).toEqual([
        fresh,
      ]);
    });

    it('answers undefined for a dead letter it does not have', async () => {
      const [queue] = await factory.make();
      expect(await queue.redeliver('a', 'nothing', T)).toBeUndefined();
    });
  });
}
