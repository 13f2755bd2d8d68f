/**
 * Turns channel events into webhook requests: filters them per target, holds back
 * `channel_vacated` and `member_removed` for a moment (a quick re-join cancels both, as Pusher
 * does), batches when the target asks for it, and retries failed deliveries with exponential
 * backoff for up to five minutes.
 */
import type { AppStore } from '../apps/app-store.ts';
import { channelKind } from '../protocol/channel-kind.ts';
import type { ChannelEvent } from '../channels/channel-events.ts';
import type { AppConfig, WebhookTarget } from '../config/schema.ts';
import { toWebhookEvent, webhookRequest, type WebhookEvent } from './payload.ts';

/** Posts one webhook; resolves with the HTTP status, rejects on a network failure. */
export type WebhookSender = (
  url: string,
  body: string,
  headers: Record<string, string>,
) => Promise<number>;

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
  /** How long vacated/member_removed wait for a re-join that cancels them (Pusher: 3 s). */
  readonly removalDelayMs: number;
  /** How long a batching target collects events before posting them. */
  readonly batchWindowMs?: number;
  readonly onError?: (error: unknown, url: string) => void;
  /**
   * Asked when a held removal falls due: false when the channel is occupied again, or the user
   * is back, maybe through another node; the removal is then dropped. Default: always true.
   */
  readonly stillGone?: (event: ChannelEvent) => Promise<boolean>;
  /** Deliveries in flight or waiting to retry per target, beyond which new ones are dropped. */
  readonly maxPendingPerTarget?: number;
}

const RETRY_FOR_MS = 5 * 60_000;
const MAX_PENDING_PER_TARGET = 10_000;
/** [U] cache_miss is "de-duplicated across subscribers": one per channel in this window. */
const CACHE_MISS_WINDOW_MS = 10_000;
const FIRST_RETRY_MS = 1_000;

/** What a removal waits on, and what cancels it. */
const pairs: Partial<Record<ChannelEvent['name'], ChannelEvent['name']>> = {
  channel_occupied: 'channel_vacated',
  member_added: 'member_removed',
};

export class WebhookDispatcher {
  readonly #held = new Map<string, unknown>();
  readonly #batches = new Map<
    string,
    { events: WebhookEvent[]; app: AppConfig; target: WebhookTarget }
  >();
  readonly #timers = new Set<unknown>();
  /** Deliveries not finished per target URL (bounded by maxPendingPerTarget). */
  readonly #pending = new Map<string, number>();
  /** When each (app, channel) last had a cache_miss sent. */
  readonly #cacheMisses = new Map<string, number>();
  #closed = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** The ChannelEventSink to register with the server. */
  readonly sink = (event: ChannelEvent): void => {
    if (this.#closed || channelKind(event.channel).isInternal) return;
    const app = this.options.apps.byId(event.appId);
    if (!app || app.webhooks.length === 0) return;
    if (event.name === 'channel_vacated' || event.name === 'member_removed') {
      const heldKey = holdKey(event);
      const handle = this.#later(() => {
        this.#held.delete(heldKey);
        void this.#dispatchIfStillGone(app, event);
      }, this.options.removalDelayMs);
      this.#held.set(heldKey, handle);
      return;
    }
    const cancels = pairs[event.name];
    if (cancels) {
      const removal = holdKey({ ...event, name: cancels } as ChannelEvent);
      const handle = this.#held.get(removal);
      if (handle !== undefined) {
        // Back within the delay: neither the removal nor this re-add is reported.
        this.#cancel(handle);
        this.#held.delete(removal);
        return;
      }
    }
    if (event.name === 'cache_miss' && this.#recentCacheMiss(event)) return;
    this.#dispatch(app, event);
  };

  async #dispatchIfStillGone(app: AppConfig, event: ChannelEvent): Promise<void> {
    try {
      if (this.options.stillGone && !(await this.options.stillGone(event))) return;
    } catch (error) {
      this.options.onError?.(error, 'stillGone');
    }
    this.#dispatch(app, event);
  }

  #recentCacheMiss(event: ChannelEvent): boolean {
    const now = this.options.scheduler.now();
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

  #dispatch(app: AppConfig, event: ChannelEvent): void {
    // Built once, and only when some target wants it (a client event's data is stringified).
    let payload: WebhookEvent | undefined;
    app.webhooks.forEach((target, index) => {
      if (target.events && !target.events.includes(event.name)) return;
      payload ??= toWebhookEvent(event);
      if (!target.batch) return this.#post(app, target, [payload]);
      const key = `${app.id}\n${index}`;
      const batch = this.#batches.get(key);
      if (batch) return void batch.events.push(payload);
      this.#batches.set(key, { events: [payload], app, target });
      this.#later(() => this.#flushBatch(key), this.options.batchWindowMs ?? 250);
    });
  }

  #flushBatch(key: string): void {
    const batch = this.#batches.get(key);
    this.#batches.delete(key);
    if (batch) this.#post(batch.app, batch.target, batch.events);
  }

  #post(app: AppConfig, target: WebhookTarget, events: WebhookEvent[]): void {
    const { scheduler } = this.options;
    const pending = this.#pending.get(target.url) ?? 0;
    if (pending >= (this.options.maxPendingPerTarget ?? MAX_PENDING_PER_TARGET)) {
      // A receiver that is down must not make us hold an unbounded backlog.
      this.options.onError?.(new Error('webhook backlog full: events dropped'), target.url);
      return;
    }
    this.#pending.set(target.url, pending + 1);
    const done = () => {
      const left = (this.#pending.get(target.url) ?? 1) - 1;
      if (left > 0) this.#pending.set(target.url, left);
      else this.#pending.delete(target.url);
    };
    const request = webhookRequest(app, events, scheduler.now());
    const giveUpAt = scheduler.now() + RETRY_FOR_MS;
    const attempt = (delay: number) => {
      this.options.send(target.url, request.body, request.headers).then(
        (status) => {
          if (status >= 200 && status < 300) return done();
          retry(delay, new Error(`webhook answered ${status}`));
        },
        (error: unknown) => retry(delay, error),
      );
    };
    const retry = (delay: number, error: unknown) => {
      this.options.onError?.(error, target.url);
      if (this.#closed || scheduler.now() + delay > giveUpAt) return done();
      this.#later(() => attempt(delay * 2), delay);
    };
    attempt(FIRST_RETRY_MS);
  }

  #later(callback: () => void, ms: number): unknown {
    const handle = this.options.scheduler.setTimeout(() => {
      this.#timers.delete(handle);
      callback();
    }, ms);
    this.#timers.add(handle);
    return handle;
  }

  #cancel(handle: unknown): void {
    this.options.scheduler.clearTimeout(handle);
    this.#timers.delete(handle);
  }

  /**
   * Stops retries and sends pending batches once, now. Held removals are dropped: on shutdown the
   * clients reconnect at once, which is the quick re-join that cancels them anyway.
   */
  close(): void {
    for (const handle of this.#timers) this.options.scheduler.clearTimeout(handle);
    this.#timers.clear();
    this.#held.clear();
    for (const key of [...this.#batches.keys()]) this.#flushBatch(key);
    this.#closed = true;
  }
}

function holdKey(event: ChannelEvent): string {
  const user = event.name === 'member_added' || event.name === 'member_removed' ? event.userId : '';
  return `${event.name}\n${event.appId}\n${event.channel}\n${user}`;
}

/** Bytes of a receiver's answer read (so its connection can be reused); a longer one is cut. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The real sender: a POST with a 10 s timeout. Only the status of the answer matters. */
export const fetchSender: WebhookSender = async (url, body, headers) => {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers,
    signal: AbortSignal.timeout(10_000),
  });
  await discard(response.body, MAX_ANSWER_BYTES);
  return response.status;
};

/** Reads and drops a body, never holding it: past `maxBytes` the rest is not read at all. */
async function discard(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  for (let seen = 0; seen <= maxBytes;) {
    const chunk = await reader.read();
    if (chunk.done) return;
    seen += chunk.value.byteLength;
  }
  await reader.cancel();
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
