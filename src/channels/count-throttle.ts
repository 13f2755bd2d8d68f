/**
 * Throttles `subscription_count` announcements (docs/protocol.md §10): on a channel of more than 100
 * subscribers, at most one every 5 seconds, so a reconnect storm of N clients does not cost N²
 * frames. A change held back is not lost: `due` hands out, once its interval has passed, every
 * channel whose last change was held back, so subscribers end up with the final count. Pure:
 * time comes in as an argument, and the caller polls `due`.
 */
import type { Adapter } from '../adapter/adapter.ts';
import { subscriptionCount } from '../protocol/frames.ts';
import type { ChannelEventSink } from './channel-events.ts';

export interface HeldCount {
  readonly appId: string;
  readonly channel: string;
}

export class SubscriptionCountThrottle {
  readonly #lastSent = new Map<string, number>();
  /** Channels whose latest change was held back, by key. */
  readonly #held = new Map<string, HeldCount>();

  constructor(
    private readonly threshold = 100,
    private readonly intervalMs = 5_000,
  ) {}

  /** Channels it keeps state for: bounded by the channels busy in the last interval. */
  get trackedChannels(): number {
    return this.#lastSent.size;
  }

  /** Whether the count `count` of a channel may be announced at `now` (ms). */
  allow(appId: string, channel: string, count: number, now: number): boolean {
    const key = `${appId}\n${channel}`;
    if (count <= this.threshold) {
      this.#lastSent.delete(key);
      this.#held.delete(key);
      return true;
    }
    const last = this.#lastSent.get(key);
    if (last !== undefined && now - last < this.intervalMs) {
      this.#held.set(key, { appId, channel });
      return false;
    }
    this.#lastSent.set(key, now);
    this.#held.delete(key);
    return true;
  }

  /**
   * The channels whose held-back change may be announced at `now`; each is then counted as
   * announced. The caller announces the channel's count as it is at that moment.
   */
  due(now: number): HeldCount[] {
    // A channel that nobody announced for an interval is as good as never seen: forget it, so
    // channels that came and went (or apps that turned counts off) leave nothing behind.
    for (const [key, last] of this.#lastSent) {
      if (now - last >= this.intervalMs && !this.#held.has(key)) this.#lastSent.delete(key);
    }
    const due: HeldCount[] = [];
    for (const [key, held] of this.#held) {
      const last = this.#lastSent.get(key) ?? 0;
      if (now - last < this.intervalMs) continue;
      this.#held.delete(key);
      this.#lastSent.set(key, now);
      due.push(held);
    }
    return due;
  }
}

/** Tells a channel's subscribers its count, and the event sinks (webhooks, console) likewise. */
export function announceCount(
  deps: { readonly adapter: Adapter; readonly events: ChannelEventSink },
  appId: string,
  channel: string,
  count: number,
): void {
  deps.adapter.publish(appId, channel, subscriptionCount(channel, count));
  deps.events({ name: 'subscription_count', appId, channel, subscriptionCount: count });
}
