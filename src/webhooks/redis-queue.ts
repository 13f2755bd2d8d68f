/**
 * The webhook queue shared by the nodes of a cluster, in Redis: the contract of queue.ts, with
 * jobs that outlive the node that queued them. Every change is one of the atomic scripts in
 * redis-queue-scripts.ts; a claim leases jobs by moving their due time to the lease's end, so
 * the jobs of a node that dies fall due again and a survivor claims them.
 */
import { Redis } from 'ioredis';
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
import { openClient } from '../adapter/redis/link.ts';
import { ACK, BURY, CANCEL, CLAIM, ENQUEUE, REVIVE } from './redis-queue-scripts.ts';

export interface RedisWebhookQueueOptions extends QueueLimits {
  /** `redis[s]://[:password@]host:port/db`. */
  readonly url: string;
  /** Seed nodes of a Redis Cluster, used instead of `url` when set. */
  readonly cluster?: readonly string[] | null;
  /** The cluster's key prefix (`redisPrefix`). */
  readonly prefix: string;
  /** Connection failures; operations also reject, and the dispatcher reports those. */
  readonly onError?: (error: unknown) => void;
}

type Scripted = Redis & {
  pwqEnqueue(...args: string[]): Promise<number>;
  pwqClaim(...args: string[]): Promise<string[]>;
  pwqAck(...args: string[]): Promise<number>;
  pwqBury(...args: string[]): Promise<number>;
  pwqCancel(...args: string[]): Promise<number>;
  pwqRevive(...args: string[]): Promise<number>;
};

interface AppKeys {
  readonly due: string;
  readonly jobs: string;
  readonly owner: string;
  readonly dead: string;
  readonly order: string;
}

export class RedisWebhookQueue implements WebhookQueue {
  readonly shared = true;
  readonly #redis: Scripted;
  readonly #prefix: string;
  readonly #maxJobs: number;
  readonly #maxDeadLetters: number;

  private constructor(options: RedisWebhookQueueOptions) {
    this.#prefix = options.prefix;
    this.#maxJobs = options.maxJobs ?? DEFAULT_MAX_JOBS;
    this.#maxDeadLetters = options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS;
    // Fail fast while Redis is away: a queue operation that waits would hold up its caller.
    this.#redis = openClient(options, { lazyConnect: true, maxRetriesPerRequest: 1 }) as Scripted;
    // ioredis emits an error on every reconnect attempt: an outage is reported once, not each.
    const onError = options.onError ?? (() => undefined);
    let down = false;
    this.#redis.on('error', (error: unknown) => {
      if (!down) onError(error);
      down = true;
    });
    this.#redis.on('ready', () => (down = false));
    this.#redis.defineCommand('pwqEnqueue', { numberOfKeys: 2, lua: ENQUEUE });
    this.#redis.defineCommand('pwqClaim', { numberOfKeys: 3, lua: CLAIM });
    this.#redis.defineCommand('pwqAck', { numberOfKeys: 3, lua: ACK });
    this.#redis.defineCommand('pwqBury', { numberOfKeys: 5, lua: BURY });
    this.#redis.defineCommand('pwqCancel', { numberOfKeys: 3, lua: CANCEL });
    this.#redis.defineCommand('pwqRevive', { numberOfKeys: 4, lua: REVIVE });
  }

  static async connect(options: RedisWebhookQueueOptions): Promise<RedisWebhookQueue> {
    const queue = new RedisWebhookQueue(options);
    await queue.#redis.connect();
    return queue;
  }

  /** One hash tag per app: its keys share a slot, so every script works on Redis Cluster too. */
  #keys(appId: string): AppKeys {
    const base = `${this.#prefix}:webhooks:{${appId}}`;
    return {
      due: `${base}:due`,
      jobs: `${base}:jobs`,
      owner: `${base}:owner`,
      dead: `${base}:dead`,
      order: `${base}:dead-order`,
    };
  }

  async enqueue(job: WebhookJob, dueAt: number): Promise<boolean> {
    const { due, jobs } = this.#keys(job.appId);
    const queued = await this.#redis.pwqEnqueue(
      due,
      jobs,
      job.id,
      JSON.stringify(job),
      String(dueAt),
      String(this.#maxJobs),
    );
    return queued === 1;
  }

  async claim(
    appId: string,
    now: number,
    max: number,
    leaseMs: number,
    lease: string,
  ): Promise<Claimed[]> {
    if (max <= 0) return [];
    const { due, jobs, owner } = this.#keys(appId);
    const claimed = await this.#redis.pwqClaim(
      due,
      jobs,
      owner,
      String(now),
      String(max),
      String(now + leaseMs),
      lease,
    );
    return claimed.map((json) => ({ job: JSON.parse(json) as WebhookJob, lease }));
  }

  async ack(claimed: Claimed, next: readonly QueuedJob[] = []): Promise<boolean> {
    const { due, jobs, owner } = this.#keys(claimed.job.appId);
    // Every job queued in its place belongs to the same app (the same keys).
    const queued = next.flatMap(({ job, dueAt }) => [job.id, JSON.stringify(job), String(dueAt)]);
    const done = await this.#redis.pwqAck(
      due,
      jobs,
      owner,
      claimed.job.id,
      claimed.lease,
      ...queued,
    );
    return done === 1;
  }

  retry(claimed: Claimed, job: PostJob, dueAt: number): Promise<boolean> {
    return this.ack(claimed, [{ job, dueAt }]);
  }

  async bury(claimed: Claimed, letter: DeadLetter): Promise<boolean> {
    const { due, jobs, owner, dead, order } = this.#keys(claimed.job.appId);
    const done = await this.#redis.pwqBury(
      due,
      jobs,
      owner,
      dead,
      order,
      claimed.job.id,
      claimed.lease,
      JSON.stringify(letter),
      String(this.#maxDeadLetters),
    );
    return done === 1;
  }

  async cancel(appId: string, id: string): Promise<boolean> {
    const { due, jobs, owner } = this.#keys(appId);
    return (await this.#redis.pwqCancel(due, jobs, owner, id)) === 1;
  }

  async deadLetters(appId: string): Promise<DeadLetter[]> {
    const { dead, order } = this.#keys(appId);
    const ids = await this.#redis.lrange(order, 0, this.#maxDeadLetters - 1);
    if (ids.length === 0) return [];
    const letters = await this.#redis.hmget(dead, ...ids);
    return letters.flatMap((json) => (json === null ? [] : [JSON.parse(json) as DeadLetter]));
  }

  async redeliver(appId: string, id: string, now: number): Promise<PostJob | undefined> {
    const { dead, order, due, jobs } = this.#keys(appId);
    const json = await this.#redis.hget(dead, id);
    if (json === null) return undefined;
    const job = revived(JSON.parse(json) as DeadLetter, now);
    const done = await this.#redis.pwqRevive(
      dead,
      order,
      due,
      jobs,
      id,
      JSON.stringify(job),
      String(now),
    );
    return done === 1 ? job : undefined;
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
