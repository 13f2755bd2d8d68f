/**
 * One attempt at the post jobs a claim returned: batch jobs of one target go in one request,
 * others alone. A 2xx acks them; anything else retries each with a doubling delay until its
 * retry window ends, and then buries it in the dead letters.
 */
import type { AppConfig } from '../config/schema.ts';
import { webhookRequest } from './payload.ts';
import type { Claimed, DeadLetter, PostJob, WebhookQueue } from './queue.ts';

/** Posts one webhook; resolves with the HTTP status, rejects on a network failure or timeout. */
export type WebhookSender = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
) => Promise<number>;

/** What each attempt did, for the live console and logs. */
export interface WebhookAttempt {
  readonly appId: string;
  readonly url: string;
  /** The names of the events in the request, in order. */
  readonly events: readonly string[];
  /** The receiver's status; absent when it could not be reached. */
  readonly status?: number;
  readonly error?: string;
  readonly latencyMs: number;
  /** 0 for the first attempt, 1 for the first retry, … */
  readonly retry: number;
  readonly outcome: 'delivered' | 'retrying' | 'dead-lettered' | 'dropped';
}

export interface DeliveryOptions {
  readonly queue: WebhookQueue;
  /** Acks a delivered job (through the outbox, which keeps it while the queue is away). */
  readonly ack: (entry: Claimed) => Promise<boolean>;
  readonly send: WebhookSender;
  readonly now: () => number;
  /** The delay before the first retry; each further retry waits twice as long. */
  readonly firstRetryMs: number;
  /** How long after a webhook was queued it is still retried. */
  readonly retryForMs: number;
  readonly timeoutMs: number;
  readonly onError: (error: unknown, context: string) => void;
  readonly onAttempt?: (attempt: WebhookAttempt) => void;
  /** Told the due time of each retry queued. */
  readonly onRetry: (dueAt: number) => void;
}

/** Groups claimed post jobs into requests: one per batch target, one per other job. */
export function requestsOf(claimed: readonly Claimed<PostJob>[]): Array<Claimed<PostJob>[]> {
  const batches = new Map<string, Claimed<PostJob>[]>();
  const requests: Array<Claimed<PostJob>[]> = [];
  for (const entry of claimed) {
    if (!entry.job.batch) {
      requests.push([entry]);
      continue;
    }
    const batch = batches.get(entry.job.url);
    if (batch) batch.push(entry);
    else {
      const fresh = [entry];
      batches.set(entry.job.url, fresh);
      requests.push(fresh);
    }
  }
  return requests;
}

/** Makes one attempt at `group` (one target's jobs) and settles each job. Never rejects. */
export async function attempt(
  options: DeliveryOptions,
  app: AppConfig,
  group: readonly Claimed<PostJob>[],
): Promise<void> {
  const first = group[0];
  if (!first) return;
  const { url } = first.job;
  const events = group.flatMap((entry) => entry.job.events);
  const report = (fields: Omit<WebhookAttempt, 'appId' | 'url' | 'events' | 'retry'>) =>
    options.onAttempt?.({
      appId: app.id,
      url,
      events: events.map((event) => event.name),
      retry: first.job.attempts,
      ...fields,
    });
  try {
    if (!app.webhooks.some((target) => target.url === url)) {
      // The operator removed the target since: its webhooks go nowhere.
      await Promise.all(group.map((entry) => options.ack(entry)));
      report({ latencyMs: 0, outcome: 'dropped', error: 'target no longer configured' });
      return;
    }
    const timeMs = first.job.timeMs ?? options.now();
    const request = webhookRequest(app, events, timeMs);
    const started = options.now();
    let status: number | undefined;
    let failure: string | undefined;
    try {
      status = await options.send(url, request.body, request.headers, options.timeoutMs);
      if (status < 200 || status >= 300) failure = `answered ${status}`;
    } catch (error) {
      failure = describe(error);
    }
    const latencyMs = options.now() - started;
    const result = { latencyMs, ...(status === undefined ? {} : { status }) };
    if (failure === undefined) {
      await Promise.all(group.map((entry) => options.ack(entry)));
      report({ ...result, outcome: 'delivered' });
      return;
    }
    options.onError(new Error(`webhook ${failure}`), url);
    const outcomes = await Promise.all(
      group.map((entry) => settleFailure(options, entry, failure, timeMs)),
    );
    report({
      ...result,
      error: failure,
      outcome: outcomes.includes('retrying') ? 'retrying' : 'dead-lettered',
    });
  } catch (error) {
    // The queue is unreachable: the leases run out and a claim, here or elsewhere, tries again.
    options.onError(error, url);
  }
}

async function settleFailure(
  options: DeliveryOptions,
  entry: Claimed<PostJob>,
  failure: string,
  timeMs: number,
): Promise<'retrying' | 'dead-lettered'> {
  const { job } = entry;
  const now = options.now();
  const attempts = job.attempts + 1;
  const dueAt = now + options.firstRetryMs * 2 ** (attempts - 1);
  if (dueAt > job.queuedAt + options.retryForMs) {
    const letter: DeadLetter = {
      id: job.id,
      appId: job.appId,
      url: job.url,
      events: job.events,
      attempts,
      lastError: failure,
      queuedAt: job.queuedAt,
      failedAt: now,
    };
    await options.queue.bury(entry, letter);
    return 'dead-lettered';
  }
  if (await options.queue.retry(entry, { ...job, attempts, lastError: failure, timeMs }, dueAt)) {
    options.onRetry(dueAt);
  }
  return 'retrying';
}

/** A network failure in a few words: `fetch failed (ECONNREFUSED)`, `timeout`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
