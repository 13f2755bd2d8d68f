/**
 * Turns channel events into webhooks, through a WebhookQueue: each event becomes a job per
 * target, `channel_vacated` and `member_removed` first become a held job due after the removal
 * delay (a quick re-join cancels both, as Pusher does), and the jobs that fall due are claimed,
 * posted (delivery.ts), retried with a doubling delay for about five minutes, then dead-lettered.
 * With a shared (Redis) queue every node claims: a job outlives the node that queued it, and
 * each job is claimed by one node at a time, so a webhook fires once across the cluster.
 */
import { randomUUID } from 'node:crypto';
import type { AppStore } from '../apps/app-store.ts';
import { channelKind } from '../protocol/channel-kind.ts';
import type { ChannelEvent } from '../channels/channel-events.ts';
import type { AppConfig } from '../config/schema.ts';
import { attempt, requestsOf, type WebhookAttempt, type WebhookSender } from './delivery.ts';
import { MemoryWebhookQueue } from './memory-queue.ts';
import { Outbox } from './outbox.ts';
import { toWebhookEvent } from './payload.ts';
import type {
  Claimed,
  DeadLetter,
  HoldJob,
  PostJob,
  QueuedJob,
  WebhookJob,
  WebhookQueue,
} from './queue.ts';
import { WakeTimes } from './wake-times.ts';

export type { WebhookAttempt, WebhookSender } from './delivery.ts';
export { fetchSender, systemScheduler } from './system.ts';

/** Timers, injected so tests run without waiting. */
export interface Scheduler {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DispatcherOptions {
  readonly apps: AppStore;
  readonly send: WebhookSender;
  readonly scheduler: Scheduler;
  /** Where jobs wait; a MemoryWebhookQueue (this node only) when absent. */
  readonly queue?: WebhookQueue;
  /** How long vacated/member_removed wait for a re-join that cancels them (Pusher: 3 s). */
  readonly removalDelayMs: number;
  /** How long a batching target collects events before posting them. */
  readonly batchWindowMs?: number;
  /** The first retry's delay (1 s); each further one doubles it. */
  readonly firstRetryMs?: number;
  /** Retries stop this long after a webhook was queued (Pusher: about 5 minutes). */
  readonly retryForMs?: number;
  /** How long a node holds a claimed job; a node dead for longer gives it up to the others. */
  readonly leaseMs?: number;
  /** How often a shared queue is looked at for jobs other nodes queued or gave up. */
  readonly pollMs?: number;
  /** Jobs this node works on at once. */
  readonly maxInFlight?: number;
  readonly onError?: (error: unknown, context: string) => void;
  /** Each delivery attempt, as it ends. */
  readonly onAttempt?: (attempt: WebhookAttempt) => void;
  /**
   * Asked when a held removal falls due: false when the channel is occupied again, or the user
   * is back, maybe through another node; the removal is then dropped. Default: always true.
   */
  readonly stillGone?: (event: ChannelEvent) => Promise<boolean>;
}

/** [U] cache_miss is "de-duplicated across subscribers": one per channel in this window. */
const CACHE_MISS_WINDOW_MS = 10_000;
/** A receiver gets this long to answer, and never more than half a lease. */
const SEND_TIMEOUT_MS = 10_000;

/** Held removals remembered before stale ones are pruned. */
const MAX_HELD = 10_000;
/** How soon what the outbox owes the queue is offered again. */
const OWED_RETRY_MS = 1_000;

/** What a removal waits on, and what cancels it. */
const pairs: Partial<Record<ChannelEvent['name'], ChannelEvent['name']>> = {
  channel_occupied: 'channel_vacated',
  member_added: 'member_removed',
};

export class WebhookDispatcher {
  readonly #queue: WebhookQueue;
  readonly #outbox: Outbox;
  readonly #leaseMs: number;
  readonly #maxInFlight: number;
  /** Each removal this node holds, so a re-join here can cancel it; pruned past MAX_HELD. */
  readonly #held = new Map<string, { id: string; dueAt: number }>();
  /** When each (app, channel) last had a cache_miss sent. */
  readonly #cacheMisses = new Map<string, number>();
  /** Due times of jobs this node queued: it looks at the queue then, without polling. */
  readonly #wakes = new WakeTimes();
  readonly #running = new Set<Promise<void>>();
  #timer: unknown;
  #timerAt = Infinity;
  #ticking = false;
  #again = false;
  #queueDown = false;
  #closed = false;

  constructor(private readonly options: DispatcherOptions) {
    this.#queue = options.queue ?? new MemoryWebhookQueue();
    this.#outbox = new Outbox(this.#queue, (error) => this.#queueError(error));
    this.#leaseMs = options.leaseMs ?? 20_000;
    this.#maxInFlight = options.maxInFlight ?? 100;
    if (this.#queue.shared) this.#wake(this.#now());
  }

  /** The ChannelEventSink to register with the server. */
  readonly sink = (event: ChannelEvent): void => {
    if (this.#closed || channelKind(event.channel).isInternal) return;
    const app = this.options.apps.byId(event.appId);
    if (!app || app.webhooks.length === 0) return;
    if (event.name === 'channel_vacated' || event.name === 'member_removed') {
      const job: HoldJob = { kind: 'hold', id: randomUUID(), appId: app.id, event };
      const dueAt = this.#now() + this.options.removalDelayMs;
      this.#hold(holdKey(event), job.id, dueAt);
      this.#enqueue(job, dueAt);
      return;
    }
    const cancels = pairs[event.name];
    const removal = cancels && holdKey({ ...event, name: cancels } as ChannelEvent);
    const heldId = removal === undefined ? undefined : this.#held.get(removal)?.id;
    if (removal !== undefined && heldId !== undefined) {
      this.#held.delete(removal);
      this.#track(this.#cancelOrSend(app, event, heldId));
      return;
    }
    if (event.name === 'cache_miss' && this.#recentCacheMiss(event)) return;
    for (const queued of this.#postJobs(app, event)) this.#enqueue(queued.job, queued.dueAt);
  };

  /**
   * Remembers a removal held here. Another node may settle it (a shared queue), leaving the
   * entry behind: entries a lease past their due time are forgotten once there are many.
   */
  #hold(key: string, id: string, dueAt: number): void {
    if (this.#held.size >= MAX_HELD) {
      const stale = this.#now() - this.#leaseMs;
      for (const [k, held] of this.#held) if (held.dueAt < stale) this.#held.delete(k);
    }
    this.#held.set(key, { id, dueAt });
  }

  /** Back within the delay: neither the removal nor this re-add is reported. */
  async #cancelOrSend(app: AppConfig, event: ChannelEvent, heldId: string): Promise<void> {
    try {
      if (await this.#queue.cancel(app.id, heldId)) return;
    } catch (error) {
      this.#queueError(error);
    }
    // The removal is already being settled: it will see the user back and drop itself.
    for (const queued of this.#postJobs(app, event)) this.#enqueue(queued.job, queued.dueAt);
  }

  #recentCacheMiss(event: ChannelEvent): boolean {
    const now = this.#now();
    const key = `${event.appId}\n${event.channel}`;
    const last = this.#cacheMisses.get(key);
    if (last !== undefined && now - last < CACHE_MISS_WINDOW_MS) return true;
    if (this.#cacheMisses.size > 10_000) {
      for (const [k, at] of this.#cacheMisses)
        if (now - at >= CACHE_MISS_WINDOW_MS) this.#cacheMisses.delete(k);
    }
    this.#cacheMisses.set(key, now);
    return false;
  }

  /** One job per target that wants the event; a batching target's waits for the window. */
  #postJobs(app: AppConfig, event: ChannelEvent): QueuedJob[] {
    const now = this.#now();
    const targets = app.webhooks.filter((t) => !t.events || t.events.includes(event.name));
    if (targets.length === 0) return [];
    const payload = toWebhookEvent(event);
    return targets.map((target) => ({
      job: {
        kind: 'post',
        id: randomUUID(),
        appId: app.id,
        url: target.url,
        batch: target.batch,
        events: [payload],
        queuedAt: now,
        attempts: 0,
      },
      dueAt: target.batch ? now + (this.options.batchWindowMs ?? 250) : now,
    }));
  }

  #enqueue(job: WebhookJob, dueAt: number): void {
    void this.#outbox.enqueue(job, dueAt).then((queued) => {
      if (queued) this.#wake(dueAt);
      else this.#report(new Error('webhook queue full: events dropped'), job.appId);
    });
  }

  /** Looks at the queue at `at` (or sooner); every time asked for is kept. */
  #wake(at: number): void {
    if (this.#closed) return;
    this.#wakes.add(at);
    this.#schedule();
  }

  #schedule(): void {
    const at = this.#wakes.first();
    if (at === undefined || this.#closed || (this.#timer !== undefined && this.#timerAt <= at))
      return;
    if (this.#timer !== undefined) this.options.scheduler.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.options.scheduler.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        void this.#tick();
      },
      Math.max(0, at - this.#now()),
    );
  }

  /** Claims what is due for every app with webhooks, as long as this node has room. */
  async #tick(): Promise<void> {
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = true;
    try {
      do {
        this.#again = false;
        const now = this.#now();
        this.#wakes.dropUntil(now);
        await this.#outbox.flush();
        for (const app of this.options.apps.all()) {
          const room = this.#maxInFlight - this.#running.size;
          if (room <= 0 || this.#closed) break;
          if (app.webhooks.length === 0) continue;
          const claimed = await this.#queue.claim(app.id, now, room, this.#leaseMs, randomUUID());
          this.#queueUp();
          this.#work(app, claimed);
        }
      } while (this.#again && !this.#closed);
    } catch (error) {
      this.#queueError(error);
    } finally {
      this.#ticking = false;
      if (this.#queue.shared) this.#wakes.add(this.#now() + (this.options.pollMs ?? 500));
      if (this.#outbox.owed > 0) this.#wakes.add(this.#now() + OWED_RETRY_MS);
      this.#schedule();
    }
  }

  #work(app: AppConfig, claimed: Claimed[]): void {
    const posts: Claimed<PostJob>[] = [];
    for (const entry of claimed) {
      if (entry.job.kind === 'hold') this.#track(this.#settleHold(app, entry as Claimed<HoldJob>));
      else posts.push(entry as Claimed<PostJob>);
    }
    for (const group of requestsOf(posts)) this.#track(attempt(this.#delivery(), app, group));
  }

  /** A held removal fell due: sent unless the channel or the user came back, on any node. */
  async #settleHold(app: AppConfig, entry: Claimed<HoldJob>): Promise<void> {
    const { event } = entry.job;
    if (this.#held.get(holdKey(event))?.id === entry.job.id) this.#held.delete(holdKey(event));
    let gone = true;
    try {
      if (this.options.stillGone) gone = await this.options.stillGone(event);
    } catch (error) {
      this.#report(error, 'stillGone');
    }
    const next = gone ? this.#postJobs(app, event) : [];
    try {
      // Atomic: the removal's jobs are queued once, even if this node dies right here.
      if (await this.#outbox.ack(entry, next)) for (const queued of next) this.#wake(queued.dueAt);
    } catch (error) {
      this.#queueError(error);
    }
  }

  #delivery() {
    return {
      queue: this.#queue,
      ack: (entry: Claimed) => this.#outbox.ack(entry),
      send: this.options.send,
      now: () => this.#now(),
      firstRetryMs: this.options.firstRetryMs ?? 1_000,
      retryForMs: this.options.retryForMs ?? 5 * 60_000,
      timeoutMs: Math.max(1, Math.min(SEND_TIMEOUT_MS, Math.floor(this.#leaseMs / 2))),
      onError: (error: unknown, url: string) => this.#report(error, url),
      onRetry: (dueAt: number) => this.#wake(dueAt),
      onAttempt: (attempt: WebhookAttempt) => {
        try {
          this.options.onAttempt?.(attempt);
        } catch (error) {
          this.#report(error, 'onAttempt');
        }
      },
    };
  }

  /** Counts work in flight; when it ends there is room to claim again. */
  #track(work: Promise<void>): void {
    const running = work.finally(() => {
      this.#running.delete(running);
      if (this.#running.size === this.#maxInFlight - 1) this.#wake(this.#now());
    });
    this.#running.add(running);
  }

  /** The queue's troubles are reported once per outage, not once per poll. */
  #queueError(error: unknown): void {
    if (this.#queueDown) return;
    this.#queueDown = true;
    this.#report(error, 'webhook queue');
  }

  #queueUp(): void {
    this.#queueDown = false;
  }

  #report(error: unknown, context: string): void {
    try {
      this.options.onError?.(error, context);
    } catch {
      // A failing logger must not stop deliveries.
    }
  }

  #now(): number {
    return this.options.scheduler.now();
  }

  /** The app's dead letters, newest first. */
  deadLetters(appId: string): Promise<DeadLetter[]> {
    return this.#queue.deadLetters(appId);
  }

  /** Queues dead letter `id` again, due now; false when the app has no such letter. */
  async redeliver(appId: string, id: string): Promise<boolean> {
    const job = await this.#queue.redeliver(appId, id, this.#now());
    if (job) this.#wake(this.#now());
    return job !== undefined;
  }

  /**
   * Stops claiming. A shared queue keeps every job for the other nodes (a job in flight here is
   * taken again once its lease ends); a memory queue sends what is due within the batch window
   * once, now, and drops held removals: on shutdown the clients reconnect at once, which is the
   * quick re-join that cancels them anyway.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.options.scheduler.clearTimeout(this.#timer);
    this.#held.clear();
    if (!this.#queue.shared) await this.#flush();
    // A receiver that hangs holds shutdown back by a second at most.
    let cap: unknown;
    await Promise.race([
      Promise.allSettled([...this.#running]),
      new Promise<void>((resolve) => (cap = this.options.scheduler.setTimeout(resolve, 1_000))),
    ]);
    this.options.scheduler.clearTimeout(cap);
    await this.#queue.close();
  }

  async #flush(): Promise<void> {
    const until = this.#now() + (this.options.batchWindowMs ?? 250);
    for (const app of this.options.apps.all()) {
      if (app.webhooks.length === 0) continue;
      const claimed = await this.#queue.claim(app.id, until, Infinity, this.#leaseMs, 'close');
      const posts = claimed.filter((entry): entry is Claimed<PostJob> => entry.job.kind === 'post');
      for (const group of requestsOf(posts)) this.#track(attempt(this.#delivery(), app, group));
    }
  }
}

function holdKey(event: ChannelEvent): string {
  const user = event.name === 'member_added' || event.name === 'member_removed' ? event.userId : '';
  return `${event.name}\n${event.appId}\n${event.channel}\n${user}`;
}
