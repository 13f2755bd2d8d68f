/**
 * What this node owes the queue while the queue cannot be reached (Redis away): webhooks raised
 * meanwhile, and acks of webhooks already delivered. Both are kept, up to a bound, and handed
 * over before the next claim, so an outage loses no webhook and, if it is shorter than a lease,
 * posts none twice. Past the bound new webhooks are dropped and reported.
 */
import type { Claimed, QueuedJob, WebhookJob, WebhookQueue } from './queue.ts';

export const MAX_OWED = 10_000;

export class Outbox {
  readonly #jobs: QueuedJob[] = [];
  readonly #acks: Array<{ claimed: Claimed; next: readonly QueuedJob[] }> = [];

  constructor(
    private readonly queue: WebhookQueue,
    private readonly onError: (error: unknown) => void,
    private readonly max = MAX_OWED,
  ) {}

  get owed(): number {
    return this.#jobs.length + this.#acks.length;
  }

  /** Queues `job`, or keeps it for later; false when it was dropped (queue or outbox full). */
  async enqueue(job: WebhookJob, dueAt: number): Promise<boolean> {
    // Behind earlier ones still owed, so that the queue gets them in order.
    if (this.#jobs.length > 0) return this.#keep({ job, dueAt });
    try {
      return await this.queue.enqueue(job, dueAt);
    } catch (error) {
      this.onError(error);
      return this.#keep({ job, dueAt });
    }
  }

  /** Acks a claimed job, or keeps the ack for later; false when the lease was lost. */
  async ack(claimed: Claimed, next: readonly QueuedJob[] = []): Promise<boolean> {
    try {
      return await this.queue.ack(claimed, next);
    } catch (error) {
      this.onError(error);
      if (this.owed >= this.max) return false;
      this.#acks.push({ claimed, next });
      return true;
    }
  }

  /** Hands over what is owed, in order; stops at the first failure, which it rethrows. */
  async flush(): Promise<void> {
    while (this.#acks[0]) {
      const { claimed, next } = this.#acks[0];
      await this.queue.ack(claimed, next);
      this.#acks.shift();
    }
    while (this.#jobs[0]) {
      const { job, dueAt } = this.#jobs[0];
      const queued = await this.queue.enqueue(job, dueAt);
      this.#jobs.shift();
      if (!queued) this.onError(new Error('webhook queue full: events dropped'));
    }
  }

  #keep(queued: QueuedJob): boolean {
    if (this.owed >= this.max) return false;
    this.#jobs.push(queued);
    return true;
  }
}
