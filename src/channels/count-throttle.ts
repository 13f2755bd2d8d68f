/**
 * Throttles `subscription_count` announcements (docs/protocol.md §10): on a channel of more than 100
 * subscribers, at most one every 5 seconds, so a reconnect storm of N clients does not cost N²
 * frames. A change held back is not lost: `due` hands out, once its interval has passed, every
 * channel whose last change was held back, so subscribers end up with the final count. Pure:
 * time comes in as an argument, and the caller polls `due`.
 *
 * `shared` (a cluster whose adapter elects one announcer per channel, adapter/cluster.ts): every
 * change above the threshold is held, and `due` hands it out at once; the caller claims the
 * announcement cluster-wide and, when another node holds it, calls `retryAt` with the time the
 * claim expires. So the interval is kept once per cluster, not once per node.
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
  /** Shared mode: when a held channel's claim may be tried again (absent: at once). */
  readonly #notBefore = new Map<string, number>();

  constructor(
    private readonly threshold = 100,
    readonly intervalMs = 5_000,
    private readonly shared = false,
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
      this.#notBefore.delete(key);
      return true;
    }
    if (this.shared) {
      this.#held.set(key, { appId, channel });
      return false;
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
    if (this.shared) return this.#dueShared(now);
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

  /** Shared mode: another node announced; `channel`'s claim is tried again at `at`. */
  retryAt(appId: string, channel: string, at: number): void {
    const key = `${appId}\n${channel}`;
    if (!this.#held.has(key)) this.#held.set(key, { appId, channel });
    this.#notBefore.set(key, Math.max(at, this.#notBefore.get(key) ?? 0));
  }

  #dueShared(now: number): HeldCount[] {
    const due: HeldCount[] = [];
    for (const [key, held] of this.#held) {
      if ((this.#notBefore.get(key) ?? 0) > now) continue;
      this.#held.delete(key);
      this.#notBefore.delete(key);
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
