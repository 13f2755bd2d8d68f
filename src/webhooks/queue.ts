/**
 * The webhook queue: where a webhook waits between being accepted for delivery and being
 * delivered or given up. The memory queue serves one node; the Redis queue is shared by every
 * node of a cluster, so a webhook outlives the node that accepted it.
 *
 * Guarantees every implementation gives (checked by test/conformance/webhook-queue.suite.ts):
 * - A job is kept until it is acked, buried or cancelled: queued, it is never dropped.
 * - `claim` is atomic: while a lease holds, no other claim, on any node, returns the same job.
 *   A lease that ends without `ack`, `retry` or `bury` (its node died) makes the job due again,
 *   so the next claim anywhere takes it: every job is processed at least once, and a second time
 *   only when its first claimer outlived its lease.
 * - `ack`, `retry` and `bury` change nothing once the lease is lost (another claim took the
 *   job), and say so; what `ack` queues in its place is queued in the same atomic step.
 * - Jobs are claimed earliest due first. Each app's jobs are separate (one key space per app).
 * - The queue and the dead letters have bounds: `enqueue` refuses past `maxJobs` queued jobs of
 *   an app; the dead letters keep the newest `maxDeadLetters` per app.
 * Times are epoch milliseconds from the caller's clock; nodes of a cluster should agree on time
 * to within a fraction of the lease.
 */
import type { ChannelEvent } from '../channels/channel-events.ts';
import type { WebhookEvent } from './payload.ts';

/** A `channel_vacated` or `member_removed` waiting out the removal delay. */
export interface HoldJob {
  readonly kind: 'hold';
  readonly id: string;
  readonly appId: string;
  readonly event: ChannelEvent;
}

/** Events for one target, posted when due. */
export interface PostJob {
  readonly kind: 'post';
  readonly id: string;
  readonly appId: string;
  readonly url: string;
  /** Posted in one request with the target's other batch jobs claimed at the same time. */
  readonly batch: boolean;
  readonly events: readonly WebhookEvent[];
  /** When the job was first queued: retries stop `webhookRetryForMs` after this. */
  readonly queuedAt: number;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly lastError?: string;
  /** The `time_ms` of the first attempt: a retry sends the same bytes again. */
  readonly timeMs?: number;
}

export type WebhookJob = HoldJob | PostJob;

/** A job with the lease of the claim that returned it. */
export interface Claimed<J extends WebhookJob = WebhookJob> {
  readonly job: J;
  readonly lease: string;
}

/** A webhook whose retries ran out, kept for an operator to read and redeliver. */
export interface DeadLetter {
  readonly id: string;
  readonly appId: string;
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly attempts: number;
  readonly lastError: string;
  readonly queuedAt: number;
  readonly failedAt: number;
}

export interface QueuedJob {
  readonly job: WebhookJob;
  readonly dueAt: number;
}

export interface WebhookQueue {
  /** True when other nodes claim from the same queue: they must be polled for. */
  readonly shared: boolean;
  /** Queues `job`; false (nothing queued) when the app already has `maxJobs` queued jobs. */
  enqueue(job: WebhookJob, dueAt: number): Promise<boolean>;
  /**
   * Leases up to `max` of the app's jobs due at `now`, earliest first, until `now + leaseMs`.
   * `lease` is the claimer's token, unique per claim.
   */
  claim(
    appId: string,
    now: number,
    max: number,
    leaseMs: number,
    lease: string,
  ): Promise<Claimed[]>;
  /** Removes a claimed job, queuing `next` in its place atomically; false when the lease is lost. */
  ack(claimed: Claimed, next?: readonly QueuedJob[]): Promise<boolean>;
  /** Puts a claimed job back as `job` (same id), due at `dueAt`; false when the lease is lost. */
  retry(claimed: Claimed, job: PostJob, dueAt: number): Promise<boolean>;
  /** Removes a claimed job and keeps `letter`; false when the lease is lost. */
  bury(claimed: Claimed, letter: DeadLetter): Promise<boolean>;
  /** Removes a job that is queued and not claimed (a held removal a re-join cancels). */
  cancel(appId: string, id: string): Promise<boolean>;
  /** The app's dead letters, newest first. */
  deadLetters(appId: string): Promise<DeadLetter[]>;
  /**
   * Moves dead letter `id` back into the queue as a fresh job, due at `now` with no failed
   * attempts, and returns it; undefined when the app has no such letter. Atomic: two
   * redeliveries of one letter queue it once.
   */
  redeliver(appId: string, id: string, now: number): Promise<PostJob | undefined>;
  close(): Promise<void>;
}

export interface QueueLimits {
  /** Queued jobs per app beyond which `enqueue` refuses. */
  readonly maxJobs?: number;
  /** Dead letters kept per app; the oldest go first. */
  readonly maxDeadLetters?: number;
}

export const DEFAULT_MAX_JOBS = 10_000;
export const DEFAULT_MAX_DEAD_LETTERS = 1_000;

/** The job a dead letter becomes again when redelivered. */
export function revived(letter: DeadLetter, now: number): PostJob {
  return {
    kind: 'post',
    id: letter.id,
    appId: letter.appId,
    url: letter.url,
    batch: false,
    events: letter.events,
    queuedAt: now,
    attempts: 0,
  };
}
