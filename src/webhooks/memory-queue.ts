/**
 * The webhook queue of a single node, in memory: the contract of queue.ts, with jobs that live
 * as long as the process.
 */
import {
  DEFAULT_MAX_DEAD_LETTERS,
  DEFAULT_MAX_JOBS,
  revived,
  type Claimed,
  type DeadLetter,
  type PostJob,
  type QueueLimits,
  type QueuedJob,
  type WebhookJob,
  type WebhookQueue,
} from './queue.ts';

interface Entry {
  job: WebhookJob;
  dueAt: number;
  lease?: string;
}

interface AppQueue {
  readonly jobs: Map<string, Entry>;
  /** Newest first. */
  readonly dead: DeadLetter[];
}

export class MemoryWebhookQueue implements WebhookQueue {
  readonly shared = false;
  readonly #apps = new Map<string, AppQueue>();
  readonly #maxJobs: number;
  readonly #maxDeadLetters: number;

  constructor(limits: QueueLimits = {}) {
    this.#maxJobs = limits.maxJobs ?? DEFAULT_MAX_JOBS;
    this.#maxDeadLetters = limits.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS;
  }

  #app(appId: string): AppQueue {
    let app = this.#apps.get(appId);
    if (!app) this.#apps.set(appId, (app = { jobs: new Map(), dead: [] }));
    return app;
  }

  /** The entry of a claimed job whose lease still holds. */
  #leased(claimed: Claimed): Entry | undefined {
    const entry = this.#app(claimed.job.appId).jobs.get(claimed.job.id);
    return entry?.lease === claimed.lease ? entry : undefined;
  }

  async enqueue(job: WebhookJob, dueAt: number): Promise<boolean> {
    const { jobs } = this.#app(job.appId);
    if (jobs.size >= this.#maxJobs) return false;
    jobs.set(job.id, { job, dueAt });
    return true;
  }

  async claim(
    appId: string,
    now: number,
    max: number,
    leaseMs: number,
    lease: string,
  ): Promise<Claimed[]> {
    const due = [...this.#app(appId).jobs.values()]
      .filter((entry) => entry.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, Math.max(0, max));
    for (const entry of due) {
      entry.dueAt = now + leaseMs;
      entry.lease = lease;
    }
    return due.map((entry) => ({ job: entry.job, lease }));
  }

  async ack(claimed: Claimed, next: readonly QueuedJob[] = []): Promise<boolean> {
    if (!this.#leased(claimed)) return false;
    this.#app(claimed.job.appId).jobs.delete(claimed.job.id);
    for (const { job, dueAt } of next) this.#app(job.appId).jobs.set(job.id, { job, dueAt });
    return true;
  }

  retry(claimed: Claimed, job: PostJob, dueAt: number): Promise<boolean> {
    return this.ack(claimed, [{ job, dueAt }]);
  }

  async bury(claimed: Claimed, letter: DeadLetter): Promise<boolean> {
    if (!this.#leased(claimed)) return false;
    const app = this.#app(claimed.job.appId);
    app.jobs.delete(claimed.job.id);
    app.dead.unshift(letter);
    app.dead.length = Math.min(app.dead.length, this.#maxDeadLetters);
    return true;
  }

  async cancel(appId: string, id: string): Promise<boolean> {
    const { jobs } = this.#app(appId);
    const entry = jobs.get(id);
    if (!entry || entry.lease !== undefined) return false;
    return jobs.delete(id);
  }

  async deadLetters(appId: string): Promise<DeadLetter[]> {
    return [...(this.#apps.get(appId)?.dead ?? [])];
  }

  async redeliver(appId: string, id: string, now: number): Promise<PostJob | undefined> {
    const app = this.#app(appId);
    const index = app.dead.findIndex((letter) => letter.id === id);
    const letter = app.dead[index];
    if (!letter) return undefined;
    app.dead.splice(index, 1);
    const job = revived(letter, now);
    app.jobs.set(job.id, { job, dueAt: now });
    return job;
  }

  async close(): Promise<void> {
    this.#apps.clear();
  }
}
